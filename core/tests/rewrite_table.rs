//! Rewriting (docs/DESIGN.md §3): what only the Rust API shows (borrowed results, every rotation
//! of a policy, error kinds and messages, owned explanations). The cases every front door shares
//! (the seed table, ports and digests, both modes, never chained, explanations) are rows of
//! `testdata/frontdoor/cases.json`, run by `frontdoor.rs`.

use imgrepl::rewrite::{Outcome, Via};
use imgrepl::{MatchMode, Policy, RewriteErrorKind};

const SEED: &str = r#"[
  {"repositoryPrefix": "harbor.domain",         "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "",                      "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}
]"#;

/// Asserts `policy` rewrites `image` to `want` with rule `rule` (None: unchanged), through
/// `rewrite`, `rewrite_into` and `find` alike.
#[track_caller]
fn check(policy: &Policy, image: &str, want: &str, rule: Option<usize>) {
    let r = policy
        .rewrite(image)
        .unwrap_or_else(|e| panic!("{image}: {e}"));
    assert_eq!(r.image, want, "{image}");
    assert_eq!(r.rule.map(imgrepl::RuleId::index), rule, "{image}");
    let mut out = String::from("garbage");
    let got = policy.rewrite_into(image, &mut out).unwrap();
    assert_eq!(out, want, "{image}");
    assert_eq!(got.map(imgrepl::RuleId::index), rule, "{image}");
    assert_eq!(
        policy.find(image).unwrap().map(|m| m.rule.index()),
        rule,
        "{image}"
    );
    let e = policy.explain(image);
    assert_eq!(e.rule.map(imgrepl::RuleId::index), rule, "{image}");
    assert_eq!(e.result.as_deref(), rule.map(|_| want), "{image}");
}

#[test]
fn longest_boundary_prefix_wins_and_order_does_not_matter() {
    let rules = [
        r#"{"repositoryPrefix": "a.io", "replaceWith": "m.io/0"}"#,
        r#"{"repositoryPrefix": "a.io/b", "replaceWith": "m.io/1"}"#,
        r#"{"repositoryPrefix": "a.io/b/c", "replaceWith": "m.io/2"}"#,
        r#"{"repositoryPrefix": "", "replaceWith": "m.io/3"}"#,
    ];
    let table: [(&str, &str, usize); 9] = [
        ("a.io/x", "m.io/0/x", 0),
        ("a.io/b/x", "m.io/1/x", 1),
        ("a.io/b/c/x", "m.io/2/x", 2),
        ("a.io/b/c/d/e/x:1", "m.io/2/d/e/x:1", 2),
        // A match is at a component boundary: "a.io/bc" is not under "a.io/b".
        ("a.io/bc/x", "m.io/0/bc/x", 0),
        ("a.io/b/cd", "m.io/1/cd", 1),
        // The prefix must be followed by '/': the image "a.io/b" has parent "a.io".
        ("a.io/b", "m.io/0/b", 0),
        ("a.io/b/c", "m.io/1/c", 1),
        ("x", "m.io/3/x", 3),
    ];
    // Every rotation of the rules gives the same winner (by prefix).
    for rotation in 0..rules.len() {
        let mut rotated = rules.to_vec();
        rotated.rotate_left(rotation);
        let policy = Policy::from_json(&format!("[{}]", rotated.join(","))).unwrap();
        for (image, want, rule) in table {
            let r = policy.rewrite(image).unwrap();
            assert_eq!(r.image, want, "{image} (rotation {rotation})");
            let winner = policy.rule(r.rule.unwrap());
            assert_eq!(
                winner.unwrap().replace_with(),
                format!("m.io/{rule}"),
                "{image}"
            );
        }
    }
}

#[test]
fn unmatched_images_are_borrowed_unchanged() {
    let policy =
        Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io"}]"#).unwrap();
    for image in [
        "nginx",
        "b.io/x",
        "a.iox/y",
        "a.io",
        "A.io/x",
        "library/nginx:1",
        "a.i/o",
    ] {
        let r = policy.rewrite(image).unwrap();
        assert!(matches!(r.image, std::borrow::Cow::Borrowed(_)), "{image}");
        assert!(!r.changed());
        check(&policy, image, image, None);
    }
    // The empty prefix only takes images without '/'.
    let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#).unwrap();
    check(&policy, "library/nginx", "library/nginx", None);
    check(
        &policy,
        "nginx@sha256:0123456789012345678901234567890123456789012345678901234567890123",
        "m.io/nginx@sha256:0123456789012345678901234567890123456789012345678901234567890123",
        Some(0),
    );
}

#[test]
fn exact_parent_mode_needs_the_whole_parent_path() {
    let json = r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org"},
                   {"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#;
    let longest = Policy::from_json(json).unwrap();
    let exact = longest.clone().with_mode(MatchMode::ExactParent);
    assert_eq!(exact.mode(), MatchMode::ExactParent);
    // What each mode gives is in the case table (testdata/frontdoor/cases.json).
    check(&exact, "harbor.domain/app:1", "m.io/org/app:1", Some(0));
    assert_eq!(
        "exact-parent".parse::<MatchMode>().unwrap(),
        MatchMode::ExactParent
    );
    assert_eq!(
        "exact".parse::<MatchMode>().unwrap_err().to_string(),
        "unknown match mode \"exact\": expected \"longest-prefix\" or \"exact-parent\""
    );
}

#[test]
fn invalid_images_are_reported_and_left_as_they_are() {
    let policy = Policy::from_json(SEED).unwrap();
    let table = [
        ("", "empty", 0),
        ("Nginx", "uppercase", 0),
        ("harbor.domain/Ubuntu", "uppercase", 14),
        ("nginx:latest ", "invalid-format", 12),
        ("harbor.domain//x", "invalid-format", 14),
        ("nginx@sha256:abc", "invalid-format", 16),
        (
            "nginx@md5:0123456789abcdef0123456789abcdef",
            "digest-unsupported",
            6,
        ),
    ];
    for (image, code, offset) in table {
        let err = policy.rewrite(image).unwrap_err();
        assert_eq!(
            (err.code().as_str(), err.offset()),
            (code, offset),
            "{image}: {err}"
        );
        assert_eq!(err.kind(), RewriteErrorKind::InvalidImage);
        assert_eq!(
            err.to_string(),
            format!("invalid image: {}", err.parse_error())
        );
        let mut out = String::from("previous");
        assert_eq!(policy.rewrite_into(image, &mut out).unwrap_err(), err);
        assert_eq!(out, "previous", "outputs are written only on success");
        let e = policy.explain(image);
        assert_eq!(e.error, Some(err));
        assert!(
            e.reason.starts_with("left as it is: invalid image: "),
            "{}",
            e.reason
        );
    }
}

#[test]
fn a_result_past_255_bytes_is_not_applied() {
    // The path of the image is 250 bytes; the replacement adds "org/" (4 + '/' is counted by
    // the image's own '/').
    let path = format!("team/{}", "x".repeat(245));
    let image = format!("a.io/{path}:1");
    let policy =
        Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/org1"}]"#).unwrap();
    // "org1/" + 250 = 255: still valid.
    let r = policy.rewrite(&image).unwrap();
    assert_eq!(r.image, format!("m.io/org1/{path}:1"));
    assert!(imgrepl::Reference::parse(&r.image).is_ok());
    let policy =
        Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/org12"}]"#)
            .unwrap();
    let err = policy.rewrite(&image).unwrap_err();
    assert_eq!(err.kind(), RewriteErrorKind::InvalidResult);
    assert_eq!(err.code(), "invalid-result");
    assert_eq!(err.rule().map(imgrepl::RuleId::index), Some(0));
    // The would-be result "m.io/org12/team/xxx…": its path starts at 5, so byte 5 + 255 is the
    // first one too many, as parsing the result would say.
    let would_be = format!("m.io/org12/{path}:1");
    let parse_err = imgrepl::Reference::parse(&would_be).unwrap_err();
    assert_eq!(err.parse_error().kind(), parse_err.kind());
    assert_eq!(err.offset(), parse_err.offset());
    assert_eq!(
        err.to_string(),
        "rule 0 would make an invalid reference: repository name must not be more than 255 characters: \
         the rewritten path would be longer than 255 bytes at byte 260"
    );
    let mut out = String::from("previous");
    assert!(policy.rewrite_into(&image, &mut out).is_err());
    assert_eq!(out, "previous", "outputs are written only on success");
    let e = policy.explain(&image);
    assert_eq!(e.result, None);
    assert_eq!(
        e.outcome,
        Outcome::InvalidResult {
            via: Via::LongestPrefix
        }
    );
    assert!(e.reason.starts_with("rule 0 matches ("), "{}", e.reason);
}

#[test]
fn an_owned_explanation_is_the_same_explanation() {
    // Every field of these explanations is a row of the case table; here, the owned copy.
    let policy = Policy::from_json(
        r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
            {"repositoryPrefix": "harbor.domain/a/b", "replaceWith": "m.io/org2"}]"#,
    )
    .unwrap();
    for image in ["harbor.domain/a/b/c", "quay.io/x/y", "nginx", "Nginx"] {
        let owned: imgrepl::Explanation<'static> = policy.explain(image).into_owned();
        assert_eq!(owned, policy.explain(image), "{image}");
    }
    let e = policy.explain("harbor.domain/a/b/c/app:1");
    assert_eq!(
        e.outcome,
        Outcome::Rewritten {
            via: Via::LongestPrefix
        }
    );
}
