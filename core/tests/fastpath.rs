//! The fast path of `Reference::parse` against the nom grammar alone.
//!
//! - On any input (reference-shaped or not), `Reference::parse` gives exactly what the grammar
//!   gives: the same parts, or the same error kind, offset and reason after the fallback.
//! - Whenever the fast path is sure, the grammar accepts the input with the same parts.
//! - The fast path is sure of every valid reference it is meant to read (a lowercase or
//!   bracketed IPv6 domain, any path, any tag, a sha256/sha384/sha512 digest), so the tests above are
//!   not vacuous.

use imgrepl::Reference;
use imgrepl::reference::{parse_fast_path_only, parse_without_fast_path};
use proptest::prelude::*;

fn check(s: &str) -> Result<(), TestCaseError> {
    let reference = parse_without_fast_path(s);
    prop_assert_eq!(Reference::parse(s), reference, "{:?}", s);
    if let Some(fast) = parse_fast_path_only(s) {
        prop_assert_eq!(Ok(fast), reference, "{:?}", s);
    }
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
    }
}
