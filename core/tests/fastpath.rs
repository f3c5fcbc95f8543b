//! The fast path of `Reference::parse` against the nom grammar alone.
//!
//! - On any input (reference-shaped or not), `Reference::parse` gives exactly what the grammar
//!   gives: the same parts, or the same error kind, offset and reason after the fallback.
//! - Whenever the fast path is sure, the grammar accepts the input with the same parts.
//! - `Reference::parse_normalized`, which takes the fast path's parts when it is sure, gives
//!   exactly what the general reading of the normalized view gives.
//! - The fast path is sure of every valid reference it is meant to read (a lowercase or
//!   bracketed IPv6 domain, any path, any tag, a sha256/sha384/sha512 digest), so the tests above are
//!   not vacuous.

use imgrepl::Reference;
use imgrepl::reference::{parse_fast_path_only, parse_normalized_general, parse_without_fast_path};
use proptest::prelude::*;

fn check(s: &str) -> Result<(), TestCaseError> {
    let reference = parse_without_fast_path(s);
    prop_assert_eq!(Reference::parse(s), reference, "{:?}", s);
    if let Some(fast) = parse_fast_path_only(s) {
        prop_assert_eq!(Ok(fast), reference, "{:?}", s);
    }
    prop_assert_eq!(
        Reference::parse_normalized(s),
        parse_normalized_general(s),
        "{:?}",
        s
    );
    Ok(())
}

fn component() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,5}(([._]|__|-{1,3})[a-z0-9]{1,5}){0,2}"
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9]([a-z0-9-]{0,5}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,5}[a-z0-9])?){0,2}(:[0-9]{1,5})?",
        1 => "\\[[0-9a-fA-F:]{1,16}\\](:[0-9]{1,5})?",
    ]
}

fn digest() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{64}".prop_map(|h| format!("sha256:{h}")),
        "[0-9a-f]{96}".prop_map(|h| format!("sha384:{h}")),
        "[0-9a-f]{128}".prop_map(|h| format!("sha512:{h}")),
    ]
}

/// Valid references of the shapes the fast path reads.
fn lowercase_reference() -> impl Strategy<Value = String> {
    (
        prop::option::of(host()),
        prop::collection::vec(component(), 1..5),
        prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
        prop::option::of(digest()),
    )
        .prop_map(|(host, path, tag, digest)| {
            let mut s = host.map_or(String::new(), |h| format!("{h}/"));
            s.push_str(&path.join("/"));
            if let Some(tag) = tag {
                s.push(':');
                s.push_str(&tag);
            }
            if let Some(digest) = digest {
                s.push('@');
                s.push_str(&digest);
            }
            s
        })
}

/// A valid reference with one byte replaced, inserted or removed.
fn mutated() -> impl Strategy<Value = String> {
    (
        lowercase_reference(),
        any::<prop::sample::Index>(),
        0..3u8,
        prop::sample::select(
            b"abz09.-_/:@AZ[]+ \n\x00\xc3"
                .iter()
                .map(|&b| char::from(b))
                .collect::<Vec<_>>(),
        ),
    )
        .prop_map(|(s, at, op, c)| {
            let mut chars: Vec<char> = s.chars().collect();
            let i = at.index(chars.len() + 1);
            match op {
                0 if i < chars.len() => chars[i] = c,
                1 => chars.insert(i, c),
                _ if i < chars.len() => {
                    chars.remove(i);
                }
                _ => chars.push(c),
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    #[test]
    fn agree_on_any_short_input(s in "[a-zA-Z0-9._:/@\\[\\]+ -]{0,40}") {
        check(&s)?;
    }

    #[test]
    fn agree_on_any_text(s in "\\PC{0,80}") {
        check(&s)?;
    }

    #[test]
    fn agree_on_mutated_references(s in mutated()) {
        check(&s)?;
    }

    #[test]
    fn fast_path_reads_every_lowercase_reference(s in lowercase_reference()) {
        check(&s)?;
        if parse_without_fast_path(&s).is_ok() {
            prop_assert!(parse_fast_path_only(&s).is_some(), "{:?}", s);
        }
    }
}

/// Inputs at the edges of the fast path: word boundaries, long runs, lengths limits.
#[test]
fn agree_at_the_edges() {
    let hex = "0123456789abcdef".repeat(8);
    let mut cases = vec![
        String::new(),
        "a".repeat(255),
        "a".repeat(256),
        format!("host/{}", "a".repeat(255)),
        format!("host/{}", "a".repeat(256)),
        format!("a:{}", "t".repeat(128)),
        format!("a:{}", "t".repeat(129)),
        format!("a@sha256:{}", &hex[..64]),
        format!("a@sha256:{}", &hex[..63]),
        format!("a@sha256:{}", &hex[..65]),
        format!("a@sha256:{}A", &hex[..63]),
        format!("a@sha384:{}", &hex[..96]),
        format!("a@sha512:{}", &hex[..128]),
        format!("a@sha1:{}", &hex[..40]),
        format!("a@SHA256:{}", &hex[..64]),
        format!("a@sha256+b64:{}", &hex[..64]),
        "a".repeat(4097),
        // The normalized view at its edges: Docker Hub's domains, `library/`, lengths.
        "docker.io/nginx".to_owned(),
        "index.docker.io/nginx".to_owned(),
        "index.docker.io/team/app".to_owned(),
        "localhost/app".to_owned(),
        "localhost:5000/app".to_owned(),
        "[abcd]/app".to_owned(),
        "a_b.c/app".to_owned(),
        "a".repeat(64),
        hex[..64].to_owned(),
        "a".repeat(247),
        "a".repeat(248),
        format!("{}/a", "b".repeat(253)),
        format!("{}/a", "b".repeat(254)),
        format!("docker.io/{}", "a".repeat(247)),
        format!("docker.io/{}", "a".repeat(248)),
    ];
    for n in 1..20 {
        for sep in [".", "_", "__", "___", "-", "--", "/", ":", "@", "//", "._"] {
            cases.push(format!("{}{sep}{}", "a".repeat(n), "b".repeat(n)));
            cases.push(format!("{}{sep}", "a".repeat(n)));
            cases.push(format!("{sep}{}", "a".repeat(n)));
            cases.push(format!("h:{n}/{}{sep}x:t", "a".repeat(n)));
        }
    }
    for s in &cases {
        let reference = parse_without_fast_path(s);
        assert_eq!(Reference::parse(s), reference, "{s:?}");
        if let Some(fast) = parse_fast_path_only(s) {
            assert_eq!(Ok(fast), reference, "{s:?}");
        }
        assert_eq!(
            Reference::parse_normalized(s),
            parse_normalized_general(s),
            "{s:?}"
        );
    }
}

/// The rewriter takes the `/` of the name from the fast path (names of at most 64 bytes) and
/// `explain` scans the name for them: both pick the same rule, in both modes, whatever the
/// lengths around the 64-byte edge.
#[test]
fn the_fast_paths_slashes_match_like_a_scan_of_the_name() {
    use imgrepl::{MatchMode, Policy, Rule};

    let mut prefixes = Vec::new();
    for first in [1, 7, 30, 55, 61, 62, 63, 64, 65] {
        let host = format!("r{}.io", "e".repeat(first));
        prefixes.push(host.clone());
        for second in [1, 2, 3] {
            prefixes.push(format!("{host}/{}", "p".repeat(second)));
        }
    }
    let rules: Vec<Rule> = prefixes
        .iter()
        .enumerate()
        .map(|(i, p)| Rule::new(p.as_str(), format!("m.io/r{i}")))
        .collect();
    for mode in [MatchMode::LongestPrefix, MatchMode::ExactParent] {
        let policy = Policy::from_rules(rules.clone())
            .expect("a valid policy")
            .with_mode(mode);
        let suffixes = [
            String::new(),
            ":t".to_owned(),
            format!("@sha256:{}", "0".repeat(64)),
        ];
        let mut near_the_edge = 0;
        for prefix in &prefixes {
            for last in 1..12 {
                for suffix in &suffixes {
                    for image in [
                        format!("{prefix}/{}{suffix}", "a".repeat(last)),
                        format!("{prefix}/b/{}{suffix}", "a".repeat(last)),
                        format!("{prefix}{}/{}{suffix}", "q".repeat(last), "a".repeat(last)),
                    ] {
                        let found = policy.find(&image).expect("a valid image");
                        if found.is_some_and(|m| (60..=66).contains(&m.prefix_len)) {
                            near_the_edge += 1;
                        }
                        let explained = policy.explain(&image);
                        assert_eq!(found.map(|m| m.rule), explained.rule, "{image:?} {mode}");
                        let mut out = String::new();
                        let rewritten = policy.rewrite_into(&image, &mut out).ok().flatten();
                        if explained.error.is_none() {
                            assert_eq!(rewritten, explained.rule, "{image:?} {mode}");
                            assert_eq!(
                                Some(out.as_str()),
                                explained.result.as_deref().or(Some(&image)),
                                "{image:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(near_the_edge > 100, "{near_the_edge} matches near 64 bytes");
    }
}
