//! Table tests of the image-corpus toolkit as the Rust API shows it, beyond the rows every front
//! door shares (coverage, diff and second pass are rows of `testdata/frontdoor/cases.json`, run
//! by `frontdoor.rs`). The reinvocation through the admission path, the bursting label and pull
//! secrets are in `k8s/tests/toolkit_table.rs`.

#![allow(
    clippy::type_complexity,
    reason = "table rows are tuples, and a table is one test, read at a glance"
)]

fn policy(json: &str) -> imgrepl::Policy {
    imgrepl::Policy::from_json(json).unwrap()
}

/// The port trap: an uncovered registry that a rule names only another way (by the port, or
/// another spelling of Docker Hub) is given that rule, to say beside it.
#[test]
fn uncovered_registries_name_the_rule_they_differ_from_only_by_spelling() {
    use imgrepl::corpus::NearKind;
    let cases: &[(&str, &str, Option<(usize, NearKind)>)] = &[
        (
            "harbor.domain",
            "harbor.domain:5000/team/app",
            Some((0, NearKind::Port)),
        ),
        (
            "harbor.domain:5000",
            "harbor.domain/team/app",
            Some((0, NearKind::Port)),
        ),
        (
            "harbor.domain:5000/team",
            "harbor.domain:443/team/app",
            Some((0, NearKind::Port)),
        ),
        (
            "",
            "docker.io/library/nginx",
            Some((0, NearKind::DockerHub)),
        ),
        (
            "",
            "index.docker.io/library/nginx",
            Some((0, NearKind::DockerHub)),
        ),
        ("docker.io", "nginx", Some((0, NearKind::DockerHub))),
        ("docker.io", "team/app", Some((0, NearKind::DockerHub))),
        (
            "registry-1.docker.io/library",
            "docker.io/library/nginx",
            Some((0, NearKind::DockerHub)),
        ),
        // Another host, or the same registry (uncovered for another reason: its path).
        ("harbor.domain", "quay.io/a", None),
        ("harbor.domain.cn", "harbor.domain:5000/a", None),
        ("harbor.domain/team", "harbor.domain/other/app", None),
        ("", "quay.io/a", None),
    ];
    for (prefix, image, expected) in cases {
        let p = policy(&format!(
            r#"[{{"repositoryPrefix": "{prefix}", "replaceWith": "m.io/x"}}]"#
        ));
        let c = p.coverage([*image]);
        assert_eq!(c.uncovered.len(), 1, "{prefix} {image}");
        let got = c.uncovered[0].near.as_ref().map(|n| (n.rule, n.kind));
        assert_eq!(got, *expected, "{prefix:?} {image}");
        if let Some(near) = &c.uncovered[0].near {
            assert_eq!(near.repository_prefix, *prefix);
            let json = serde_json::to_value(&c.uncovered[0]).unwrap();
            assert_eq!(json["near"]["rule"], 0);
        } else {
            let json = serde_json::to_value(&c.uncovered[0]).unwrap();
            assert!(json.get("near").is_none());
        }
    }
}
