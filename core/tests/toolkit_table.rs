//! Table tests of the operators' toolkit: coverage, the second pass and policy diff. The
//! reinvocation through the admission path, the bursting label and pull secrets are in
//! `k8s/tests/toolkit_table.rs`.

#![allow(
    clippy::type_complexity,
    clippy::too_many_lines,
    reason = "table rows are tuples, and a table is one test, read at a glance"
)]

use imgrepl::corpus::{ChainEnd, RuleStatus};
use imgrepl::diff::{self, ChangeKind};
use imgrepl::{Code, MatchMode, Policy};
use serde_json::json;

fn policy(json: &str) -> Policy {
    Policy::from_json(json).unwrap()
}

const SEED: &str = r#"[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
  {"repositoryPrefix": "", "replaceWith": "m.io/hub"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "m.io/org2"},
  {"repositoryPrefix": "harbour.domain", "replaceWith": "m.io/typo"},
  {"repositoryPrefix": "quay.io/team", "replaceWith": "m.io/quay"}
]"#;

#[test]
fn coverage_counts_wins_shadows_and_dead_rules() {
    // (images, per rule (wins, shadowed, status))
    let cases: &[(&[&str], [(usize, usize, RuleStatus); 5])] = &[
        (
            &[
                "harbor.domain/ubuntu",
                "nginx",
                "harbor.domain/a/b/c/d/redis",
            ],
            [
                (1, 1, RuleStatus::Wins),
                (1, 0, RuleStatus::Wins),
                (1, 0, RuleStatus::Wins),
                (0, 0, RuleStatus::Dead),
                (0, 0, RuleStatus::Dead),
            ],
        ),
        // Only deep images: the short prefix matches each but never wins.
        (
            &[
                "harbor.domain/a/b/c/d/x",
                "harbor.domain/a/b/c/d/y:1",
                "quay.io/team/app",
            ],
            [
                (0, 2, RuleStatus::Shadowed),
                (0, 0, RuleStatus::Dead),
                (2, 0, RuleStatus::Wins),
                (0, 0, RuleStatus::Dead),
                (1, 0, RuleStatus::Wins),
            ],
        ),
        // Occurrences count, not distinct images; a prefix must end at a '/' boundary.
        (
            &[
                "nginx",
                "nginx",
                "nginx",
                "quay.io/teamx/app",
                "harbor.domainx/app",
            ],
            [
                (0, 0, RuleStatus::Dead),
                (3, 0, RuleStatus::Wins),
                (0, 0, RuleStatus::Dead),
                (0, 0, RuleStatus::Dead),
                (0, 0, RuleStatus::Dead),
            ],
        ),
        (&[], [(0, 0, RuleStatus::Dead); 5]),
    ];
    let p = policy(SEED);
    for (images, expected) in cases {
        let c = p.coverage(images.iter().copied());
        let got: Vec<(usize, usize, RuleStatus)> = c
            .rules
            .iter()
            .map(|r| (r.wins, r.shadowed, r.status))
            .collect();
        assert_eq!(got, expected, "{images:?}");
        for r in &c.rules {
            let code = match r.status {
                RuleStatus::Wins => None,
                RuleStatus::Shadowed => Some(Code::ShadowedRule),
                _ => Some(Code::DeadRule),
            };
            assert_eq!(r.code, code);
        }
        assert_eq!(c.images, images.len());
        assert_eq!(c.rewritten + c.uncovered_count + c.invalid_count, c.images);
    }
}

#[test]
fn coverage_groups_uncovered_images_by_registry_as_written_and_normalized() {
    let p = policy(r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io"}]"#);
    let c = p.coverage([
        ("nginx", "Deployment/web"),
        ("library/redis", "Pod/a"),
        ("docker.io/library/nginx", "Pod/b"),
        ("quay.io/x/y", "Job/j"),
        ("quay.io/x/y", "Job/k"),
        ("quay.io/x/z", "Job/j"),
        ("localhost:5000/app", "Pod/c"),
        ("nginx", "Deployment/api"),
    ]);
    let groups: Vec<(Option<&str>, Option<&str>, usize, Vec<&str>)> = c
        .uncovered
        .iter()
        .map(|g| {
            (
                g.registry.as_deref(),
                g.normalized.as_deref(),
                g.count,
                g.images.iter().map(|i| i.image.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (
                Some("quay.io"),
                Some("quay.io"),
                3,
                vec!["quay.io/x/y", "quay.io/x/z"]
            ),
            (None, Some("docker.io"), 2, vec!["nginx"]),
            // `library/redis` is written with the domain `library` (the as-written view).
            (
                Some("docker.io"),
                Some("docker.io"),
                1,
                vec!["docker.io/library/nginx"]
            ),
            (Some("library"), Some("docker.io"), 1, vec!["library/redis"]),
            (
                Some("localhost:5000"),
                Some("localhost:5000"),
                1,
                vec!["localhost:5000/app"]
            ),
        ]
    );
    assert_eq!(c.uncovered[0].workloads, ["Job/j", "Job/k"]);
    assert_eq!(
        c.uncovered[1].workloads,
        ["Deployment/web", "Deployment/api"]
    );
    assert_eq!(c.uncovered[0].images[0].count, 2);
    assert!(c.uncovered.iter().all(|g| g.code == Code::UncoveredImage));
    assert_eq!(c.uncovered_count, 8);
}

#[test]
fn coverage_lists_invalid_images_and_invalid_results() {
    let long = format!("a.io/{}", "x".repeat(250));
    let p =
        policy(r#"[{"repositoryPrefix": "a.io", "replaceWith": "mirror.example.com/deep/path"}]"#);
    let c = p.coverage(["Nginx", "a.io/b", long.as_str(), "Nginx"]);
    let invalid: Vec<(&str, usize, Code)> = c
        .invalid
        .iter()
        .map(|i| (i.image.as_str(), i.count, i.error.code()))
        .collect();
    assert_eq!(
        invalid,
        [
            ("Nginx", 2, Code::Uppercase),
            (long.as_str(), 1, Code::InvalidResult)
        ]
    );
    assert_eq!((c.rewritten, c.invalid_count), (1, 3));
    // The rule wins the image whose result would be invalid: it matched.
    assert_eq!(c.rules[0].wins, 2);
}

#[test]
fn coverage_says_where_the_modes_disagree_and_counts_in_the_policys_mode() {
    let p = policy(
        r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/a"},
                      {"repositoryPrefix": "harbor.domain/team", "replaceWith": "m.io/t"}]"#,
    );
    let images = [
        "harbor.domain/team/sub/app",
        "harbor.domain/team/app",
        "harbor.domain/app",
    ];
    let c = p.coverage(images);
    let d: Vec<(&str, Option<usize>, Option<usize>)> = c
        .disagreements
        .iter()
        .map(|d| {
            (
                d.image.as_str(),
                d.longest_prefix_rule.map(imgrepl::RuleId::index),
                d.exact_parent_rule.map(imgrepl::RuleId::index),
            )
        })
        .collect();
    assert_eq!(d, [("harbor.domain/team/sub/app", Some(1), None)]);
    assert_eq!((c.rules[0].wins, c.rules[0].shadowed), (1, 2));
    assert_eq!((c.rules[1].wins, c.rules[1].shadowed), (2, 0));
    let exact = p.clone().with_mode(MatchMode::ExactParent).coverage(images);
    assert_eq!(exact.mode, MatchMode::ExactParent);
    // Exact parent: the deep image is uncovered, and each rule whose prefix starts it, or
    // starts an image another rule wins, counts it as shadowed.
    assert_eq!((exact.rules[0].wins, exact.rules[0].shadowed), (1, 2));
    assert_eq!((exact.rules[1].wins, exact.rules[1].shadowed), (1, 1));
    assert_eq!(exact.uncovered_count, 1);
}

#[test]
fn coverage_serializes_with_codes() {
    let c = policy(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io"}]"#).coverage(["b.io/x"]);
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        json!({"mode": "longest-prefix", "images": 1, "distinct": 1, "rewritten": 0, "uncoveredCount": 1,
            "invalidCount": 0,
            "rules": [{"index": 0, "repositoryPrefix": "a.io", "replaceWith": "m.io", "wins": 0, "shadowed": 0,
                       "status": "dead", "code": "dead-rule"}],
            "uncovered": [{"registry": "b.io", "normalized": "b.io", "count": 1,
                           "images": [{"image": "b.io/x", "count": 1, "workloads": []}], "workloads": [],
                           "code": "uncovered-image"}],
            "invalid": [], "disagreements": []})
    );
}

#[test]
fn second_pass_chains_end_as_they_do() {
    // (policy, image, the chain's results, how it ends)
    let cases: &[(&str, &str, &[&str], ChainEnd)] = &[
        (
            r#"[{"repositoryPrefix": "", "replaceWith": "mirror.io/hub"}, {"repositoryPrefix": "mirror.io", "replaceWith": "cache.io/m"}]"#,
            "nginx",
            &["mirror.io/hub/nginx", "cache.io/m/hub/nginx"],
            ChainEnd::Stable,
        ),
        (
            r#"[{"repositoryPrefix": "x.io", "replaceWith": "y.io"}, {"repositoryPrefix": "y.io", "replaceWith": "x.io"}]"#,
            "x.io/app:1",
            &["y.io/app:1", "x.io/app:1"],
            ChainEnd::Cycle,
        ),
        (
            r#"[{"repositoryPrefix": "a.io", "replaceWith": "a.io/c"}]"#,
            "a.io/app",
            &[
                "a.io/c/app",
                "a.io/c/c/app",
                "a.io/c/c/c/app",
                "a.io/c/c/c/c/app",
                "a.io/c/c/c/c/c/app",
            ],
            ChainEnd::Limit,
        ),
    ];
    for (json, image, results, end) in cases {
        let passes = policy(json).second_pass([*image]);
        assert_eq!(passes.len(), 1, "{json}");
        let got: Vec<&str> = passes[0].chain.iter().map(|s| s.result.as_str()).collect();
        assert_eq!(&got, results, "{json}");
        assert_eq!(passes[0].end, *end, "{json}");
        assert_eq!(passes[0].first, results[0]);
        assert_eq!(passes[0].code, Code::SecondPassChange);
    }
    // A rewrite that would grow past 255 bytes ends the chain with its error.
    let deep = format!("a.io/{}", "x/".repeat(120) + "app");
    let p = policy(r#"[{"repositoryPrefix": "a.io", "replaceWith": "a.io/cccccccccc"}]"#);
    let passes = p.second_pass([deep.as_str()]);
    assert_eq!(passes[0].end, ChainEnd::InvalidResult);
    assert_eq!(passes[0].error.map(|e| e.code()), Some(Code::InvalidResult));
    // No chain: nothing to report (no match, a stable result, an invalid image).
    assert!(
        policy(SEED)
            .second_pass(["nginx", "quay.io/x", "Bad", "harbor.domain/a"])
            .is_empty()
    );
}

#[test]
fn diff_rules_by_prefix_with_positions() {
    let old = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"},
 {"repositoryPrefix": "b.io", "replaceWith": "m.io/b"},
 {"repositoryPrefix": "c.io", "replaceWith": "m.io/c"}]"#;
    let new = r#"[{"repositoryPrefix": "c.io", "replaceWith": "m.io/c"},
 {"repositoryPrefix": "a.io", "replaceWith": "m.io/a2"},
 {"repositoryPrefix": "d.io", "replaceWith": "m.io/d"}]"#;
    let d = diff::diff(
        &policy(old),
        &policy(new),
        ["a.io/x", "b.io/x", "c.io/x", "d.io/x", "e.io/x"],
    );
    let rules: Vec<(ChangeKind, &str, Option<usize>, Option<usize>)> = d
        .rules
        .iter()
        .map(|c| {
            (
                c.kind,
                c.repository_prefix.as_str(),
                c.old.as_ref().map(|r| r.index),
                c.new.as_ref().map(|r| r.index),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            (ChangeKind::Changed, "a.io", Some(0), Some(1)),
            (ChangeKind::Removed, "b.io", Some(1), None),
            (ChangeKind::Added, "d.io", None, Some(2)),
        ]
    );
    // Positions: the rule's object in each text. c.io only moved: no change.
    let at = d.rules[0].new.as_ref().unwrap().span;
    assert_eq!(
        &new[at.start..at.end],
        r#"{"repositoryPrefix": "a.io", "replaceWith": "m.io/a2"}"#
    );
    let at = d.rules[1].old.as_ref().unwrap().span;
    assert_eq!(
        &old[at.start..at.end],
        r#"{"repositoryPrefix": "b.io", "replaceWith": "m.io/b"}"#
    );
    let images: Vec<(&str, Option<&str>, Option<&str>, &[usize])> = d
        .images
        .iter()
        .map(|i| {
            (
                i.image.as_str(),
                i.old.result.as_deref(),
                i.new.result.as_deref(),
                i.causes.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        images,
        [
            ("a.io/x", Some("m.io/a/x"), Some("m.io/a2/x"), &[0][..]),
            ("b.io/x", Some("m.io/b/x"), Some("b.io/x"), &[1][..]),
            ("d.io/x", Some("d.io/x"), Some("m.io/d/x"), &[2][..]),
        ]
    );
    let s = d.summary;
    assert_eq!((s.added, s.removed, s.changed, s.unchanged), (1, 1, 1, 1));
    assert_eq!((s.images, s.images_changed, s.distinct_changed), (5, 3, 3));
}

#[test]
fn diff_causes_name_both_the_old_and_the_new_winner() {
    // A longer prefix added: the image's winner moves from the old rule to the new one.
    let old = policy(
        r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}, {"repositoryPrefix": "z.io", "replaceWith": "m.io/z"}]"#,
    );
    let new = policy(
        r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/b"}, {"repositoryPrefix": "a.io/t", "replaceWith": "m.io/t"}]"#,
    );
    let d = diff::diff(&old, &new, ["a.io/t/x", "a.io/t/x", "Bad"]);
    assert_eq!(d.images.len(), 1);
    let change = &d.images[0];
    assert_eq!(change.count, 2);
    assert_eq!(
        (
            change.old.rule.map(imgrepl::RuleId::index),
            change.new.rule.map(imgrepl::RuleId::index)
        ),
        (Some(0), Some(1))
    );
    let causes: Vec<&str> = change
        .causes
        .iter()
        .map(|&i| d.rules[i].repository_prefix.as_str())
        .collect();
    assert_eq!(causes, ["a.io", "a.io/t"]);
    // An invalid image is invalid in both: no change. A mode alone changes images, no rule.
    let p = policy(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io"}]"#);
    let d = diff::diff(
        &p,
        &p.clone().with_mode(MatchMode::ExactParent),
        ["a.io/t/x", "a.io/x"],
    );
    assert!(d.rules.is_empty());
    assert_eq!(d.images.len(), 1);
    assert!(d.images[0].causes.is_empty());
    assert_eq!(d.images[0].new.result.as_deref(), Some("a.io/t/x"));
}
