//! Properties of the rewriter and of policy diagnostics.

use imgrepl::{MatchMode, Policy, Reference, Rule, Span};
use proptest::prelude::*;

/// The obvious rewriter of docs/DESIGN.md §3.1: scan every rule, keep the longest boundary prefix.
fn naive(rules: &[(String, String)], image: &str, mode: MatchMode) -> Option<(usize, String)> {
    let name = Reference::parse(image).ok()?.name();
    let parent = name.rfind('/');
    let mut best: Option<(usize, &str, &str)> = None;
    for (i, (prefix, replace)) in rules.iter().enumerate() {
        let hit = if prefix.is_empty() {
            !image.contains('/')
        } else {
            match mode {
                MatchMode::LongestPrefix => {
                    image.starts_with(prefix.as_str()) && image[prefix.len()..].starts_with('/')
                }
                _ => parent.is_some_and(|p| &name[..p] == prefix),
            }
        };
        if hit && best.is_none_or(|(_, p, _)| prefix.len() > p.len()) {
            best = Some((i, prefix, replace));
        }
    }
    best.map(|(i, prefix, replace)| {
        let out = if prefix.is_empty() {
            format!("{replace}/{image}")
        } else {
            format!("{replace}{}", &image[prefix.len()..])
        };
        (i, out)
    })
}

/// A name prefix over a small alphabet, so that rules and images overlap often.
fn prefix() -> impl Strategy<Value = String> {
    let component = prop::sample::select(vec![
        "a",
        "b",
        "a.io",
        "b-c",
        "x_y",
        "l",
        "a.io:5000",
        "docker.io",
        "index.docker.io",
        "localhost",
    ]);
    prop::collection::vec(component, 0..4).prop_map(|parts| {
        // Only the first component may be a domain with a port or dots; later ones are paths.
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i == 0 {
                    (*p).to_owned()
                } else {
                    p.replace([':', '.'], "")
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    })
}

fn image() -> impl Strategy<Value = String> {
    (
        prefix(),
        prop::sample::select(vec!["app", "b", "l", "x_y"]),
        prop::sample::select(vec![
            "",
            ":1",
            ":latest",
            "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ]),
        0usize..250,
    )
        .prop_map(|(p, last, suffix, pad)| {
            // Sometimes a long last component, to reach the 255-byte limit of the result.
            let last = if pad > 200 {
                format!("{last}{}", "z".repeat(pad))
            } else {
                last.to_owned()
            };
            if p.is_empty() {
                format!("{last}{suffix}")
            } else {
                format!("{p}/{last}{suffix}")
            }
        })
}

fn rules() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            prefix(),
            prefix().prop_filter("non-empty", |r| !r.is_empty()),
        ),
        0..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn rewrite_equals_the_naive_scanning_rewriter(
        rules in rules(),
        images in prop::collection::vec(image(), 1..8),
        exact in any::<bool>(),
    ) {
        // Keep the first rule of each prefix and drop identities: the rest is a valid policy.
        let mut seen = std::collections::HashSet::new();
        let rules: Vec<(String, String)> =
            rules.into_iter().filter(|(p, r)| p != r && seen.insert(p.clone())).collect();
        let mode = if exact { MatchMode::ExactParent } else { MatchMode::LongestPrefix };
        let policy = Policy::from_rules(rules.iter().map(|(p, r)| Rule::new(p, r)))
            .unwrap_or_else(|e| panic!("{rules:?}: {e}"))
            .with_mode(mode);
        for image in &images {
            let want = naive(&rules, image, mode);
            match (policy.rewrite(image), want) {
                (Ok(got), None) => {
                    prop_assert_eq!(got.rule, None);
                    prop_assert_eq!(&got.image, image);
                }
                (Ok(got), Some((i, out))) => {
                    prop_assert_eq!(got.rule.map(imgrepl::RuleId::index), Some(i));
                    prop_assert_eq!(&got.image, &out);
                    // The result is valid in all three views (the runtime pulls it) and keeps
                    // the tag and digest.
                    let before = Reference::parse(image).unwrap();
                    let after = Reference::parse(&got.image).unwrap();
                    prop_assert_eq!(before.tag(), after.tag());
                    prop_assert_eq!(before.digest(), after.digest());
                    prop_assert!(Reference::parse_normalized(&got.image).is_ok(), "{}", got.image);
                    prop_assert!(Reference::parse_docker_ref(&got.image).is_ok(), "{}", got.image);
                }
                (Err(e), Some((_, out))) => {
                    prop_assert_eq!(e.kind(), imgrepl::RewriteErrorKind::InvalidResult);
                    // Only an invalid result is an error here, and parsing agrees: as written
                    // when the result is invalid as written, else as the runtime reads it.
                    prop_assert_eq!(e.code(), "invalid-result");
                    if let Err(parsed) = Reference::parse(&out) {
                        prop_assert_eq!(parsed.kind(), e.parse_error().kind());
                        prop_assert_eq!(parsed.offset(), e.offset());
                    } else {
                        let parsed = Reference::parse_normalized(&out).unwrap_err();
                        prop_assert_eq!(parsed.kind(), e.parse_error().kind());
                        prop_assert!(Reference::parse_docker_ref(&out).is_err());
                    }
                }
                (Err(e), None) => {
                    // Only an invalid image, with the parser's own error.
                    let parsed = Reference::parse(image).unwrap_err();
                    prop_assert_eq!(e.kind(), imgrepl::RewriteErrorKind::InvalidImage);
                    prop_assert_eq!(e.parse_error(), &parsed);
                }
            }
        }
    }

    #[test]
    fn diagnostic_spans_lie_inside_the_input_on_char_boundaries(text in policy_text()) {
        check_spans(&text)?;
    }

    #[test]
    fn arbitrary_text_never_breaks_validation(text in "\\PC{0,80}") {
        check_spans(&text)?;
    }

    #[test]
    fn utf16_offsets_are_monotonic(text in "\\PC{0,40}", a in 0usize..200, b in 0usize..200) {
        let (lo, hi) = (a.min(b), a.max(b));
        let u = |i| imgrepl::span::utf16_offset(&text, i);
        prop_assert!(u(lo) <= u(hi));
        prop_assert!(u(hi) <= text.encode_utf16().count());
        let span = Span::new(lo.min(text.len()), hi.min(text.len())).to_utf16(&text);
        prop_assert!(span.start <= span.end);
    }
}

/// Policy-shaped text with mistakes: fields misspelt, mistyped, duplicated; values with
/// non-ASCII, escapes and invalid prefixes.
fn policy_text() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "repositoryPrefix",
        "replaceWith",
        "replacewith",
        "x",
        "é",
        "repositoryPrefix",
    ]);
    let value = prop::sample::select(vec![
        "\"\"",
        "\"a.io\"",
        "\"a.io/B\"",
        "\"é😀\"",
        "\"a\\u0041\"",
        "1",
        "null",
        "\"m.io/x\"",
        "\"nginx:latest\"",
        "[]",
        "{}",
        "\"a//b\"",
    ]);
    let entry = (key, value).prop_map(|(k, v)| format!("\"{k}\": {v}"));
    let object = prop::collection::vec(entry, 0..4).prop_map(|es| format!("{{{}}}", es.join(", ")));
    let element = prop_oneof![object, Just("7".to_owned()), Just("\"s\"".to_owned())];
    (prop::collection::vec(element, 0..5), any::<bool>()).prop_map(|(els, broken)| {
        let text = format!("[{}]", els.join(",\n "));
        if broken {
            text[..text.len() - 1].to_owned()
        } else {
            text
        }
    })
}

fn check_spans(text: &str) -> Result<(), TestCaseError> {
    let v = Policy::validate(text);
    prop_assert_eq!(
        v.policy.is_some(),
        !v.diagnostics.iter().any(imgrepl::Diagnostic::is_error)
    );
    for d in &v.diagnostics {
        for span in std::iter::once(d.span()).chain(d.related()) {
            prop_assert!(
                span.start <= span.end && span.end <= text.len(),
                "{d}: {span:?}"
            );
            prop_assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{d}"
            );
        }
        prop_assert!(!d.message().is_empty());
        if let Some(rule) = d.rule() {
            prop_assert!(d.pointer().starts_with(&format!("/{rule}")), "{d}");
        }
    }
    Ok(())
}
