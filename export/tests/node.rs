//! registries.conf and containerd hosts.toml: what is written, and what each format cannot
//! express, measured on the rule sets of the tests.

mod common;

use std::collections::BTreeMap;

use imgrepl::{MatchMode, Policy};
use imgrepl_export::node::{containerd_hosts, registries_conf};

#[test]
fn exact_rules_are_written_and_the_others_named_with_an_image_that_differs() {
    let policy = Policy::from_json(
        r#"[
  {"repositoryPrefix": "a.io", "replaceWith": "m.io/a"},
  {"repositoryPrefix": "b.io:5000", "replaceWith": "m.io"},
  {"repositoryPrefix": "", "replaceWith": "m.io/hub"},
  {"repositoryPrefix": "docker.io", "replaceWith": "m.io/dh"},
  {"repositoryPrefix": "library", "replaceWith": "m.io/lib"},
  {"repositoryPrefix": "c.io/team", "replaceWith": "m.io/c"}
]"#,
    )
    .unwrap();
    let conf = registries_conf(&policy);
    let text = &conf.files[0].1;
    assert!(
        text.contains("[[registry]]\nprefix = \"a.io\"\nlocation = \"m.io/a\"\n"),
        "{text}"
    );
    assert!(
        text.contains("[[registry]]\nprefix = \"b.io:5000\"\nlocation = \"m.io\"\n"),
        "{text}"
    );
    let causes: Vec<(usize, &str, &str)> = conf
        .inexact
        .iter()
        .map(|d| (d.rule, d.cause, d.image.as_str()))
        .collect();
    assert_eq!(
        causes,
        [
            (2, "empty-prefix", "a.io:1"),
            (3, "docker-hub", "x/y:1"),
            (4, "implicit-docker-hub", "docker.io/library/a.io:1"),
            (5, "repository-itself", "c.io/team:1"),
        ]
    );
    // Each example really differs.
    for d in &conf.inexact {
        assert_ne!(d.imgrepl, d.format, "{d}");
    }
    let hosts = containerd_hosts(&policy);
    let paths: Vec<&str> = hosts.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["a.io/hosts.toml", "b.io:5000/hosts.toml"]);
    assert!(hosts.files[1].1.contains("server = \"https://b.io:5000\"\n\n[host.\"https://m.io\"]\n  capabilities = [\"pull\", \"resolve\"]\n"));
    let causes: Vec<(usize, &str)> = hosts.inexact.iter().map(|d| (d.rule, d.cause)).collect();
    assert_eq!(
        causes,
        [
            (2, "empty-prefix"),
            (3, "docker-hub"),
            (4, "path-prefix"),
            (5, "path-prefix")
        ]
    );
    // The exact-parent mode: a registry prefix takes only images one component below it.
    let exact = registries_conf(
        &Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}]"#)
            .unwrap()
            .with_mode(MatchMode::ExactParent),
    );
    assert_eq!(exact.inexact[0].cause, "exact-parent");
    assert_eq!(exact.inexact[0].image, "a.io/x/y:1");
}

/// The closing figures: per format, how many rules of the tests' rule sets it writes exactly
/// and why the others are not.
#[test]
fn what_each_format_cannot_express_on_the_test_rule_sets() {
    let policies = common::test_policies();
    let mut lines = Vec::new();
    for (format, f) in [
        (
            "registries.conf",
            registries_conf as fn(&Policy) -> imgrepl_export::node::Export,
        ),
        ("containerd hosts.toml", containerd_hosts),
    ] {
        let (mut rules, mut causes) = (0, BTreeMap::<&str, usize>::new());
        for (_, policy) in &policies {
            for mode in [MatchMode::LongestPrefix, MatchMode::ExactParent] {
                let policy = policy.clone().with_mode(mode);
                rules += policy.rules().len();
                for d in f(&policy).inexact {
                    assert_ne!(d.imgrepl, d.format, "{d}");
                    *causes.entry(d.cause).or_default() += 1;
                }
            }
        }
        let inexact: usize = causes.values().sum();
        assert!(inexact > 0 && inexact < rules);
        lines.push(format!(
            "{format}: {rules} rules (both modes), {} exact, not exact: {causes:?}",
            rules - inexact
        ));
    }
    eprintln!("{} rule sets\n{}", policies.len(), lines.join("\n"));
}
