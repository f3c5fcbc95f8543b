//! `imgrepl export`: each format, its exit code and its diagnostics.

mod common;

use common::{imgrepl, temp_file};

const POLICY: &str = r#"[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
  {"repositoryPrefix": "", "replaceWith": "m.io/hub"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "m.io/org2"}
]"#;

#[test]
fn the_admission_policy_needs_static_and_refuses_the_annotation() {
    let policy = temp_file("export-policy.json", POLICY);
    let policy = policy.to_str().unwrap();
    let run = imgrepl(
        &["export", "--to", "mutating-admission-policy", "-p", policy],
        b"",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("needs --static"), "{}", run.stderr);
    let run = imgrepl(
        &[
            "export",
            "--to",
            "mutating-admission-policy",
            "--static",
            "--annotation-key",
            "k",
            "-p",
            policy,
        ],
        b"",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no function that parses JSON"),
        "{}",
        run.stderr
    );
    let run = imgrepl(
        &[
            "export",
            "--to",
            "mutating-admission-policy",
            "--static",
            "--api-version",
            "v1",
            "--name",
            "mirrors",
            "-p",
            policy,
        ],
        b"",
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.starts_with(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingAdmissionPolicy\nmetadata:\n  name: mirrors\n"
    ));
    assert!(run.stdout.contains("\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: MutatingAdmissionPolicyBinding\nmetadata:\n  name: mirrors\nspec:\n  policyName: mirrors\n"));
}

#[test]
fn cel_is_the_expression_over_image() {
    let policy = temp_file("export-cel.json", POLICY);
    let run = imgrepl(
        &["export", "--to", "cel", "-p", policy.to_str().unwrap()],
        b"",
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("size(image) <= 4096 && image.matches('^")
    );
    // Longest prefix first.
    let long = run
        .stdout
        .find("image.startsWith('harbor.domain/a/b/c/d/')")
        .unwrap();
    let short = run
        .stdout
        .find("image.startsWith('harbor.domain/')")
        .unwrap();
    assert!(long < short);
}

#[test]
fn node_formats_write_the_exact_rules_and_exit_1_naming_the_others() {
    let policy = temp_file("export-node.json", POLICY);
    let policy = policy.to_str().unwrap();
    let run = imgrepl(&["export", "--to", "registries-conf", "-p", policy], b"");
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("[[registry]]\nprefix = \"harbor.domain\"\nlocation = \"m.io/org1\"\n")
    );
    assert!(!run.stdout.contains("prefix = \"harbor.domain/a/b/c/d\""));
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0]
            .starts_with("imgrepl: rule 1 (\"\" -> \"m.io/hub\") is not exact: the empty prefix")
    );
    assert!(lines[1].starts_with("imgrepl: rule 2 (\"harbor.domain/a/b/c/d\" -> \"m.io/org2\") is not exact: registries.conf's prefix also matches"));

    let dir = std::env::temp_dir().join(format!("imgrepl-cli-hosts-{}", std::process::id()));
    let run = imgrepl(
        &[
            "export",
            "--to",
            "containerd-hosts",
            "--dir",
            dir.to_str().unwrap(),
            "-p",
            policy,
        ],
        b"",
    );
    assert_eq!(run.code, 1);
    let hosts = std::fs::read_to_string(dir.join("harbor.domain/hosts.toml")).unwrap();
    assert!(hosts.contains("server = \"https://harbor.domain\"\n\n[host.\"https://m.io/v2/org1\"]\n  capabilities = [\"pull\", \"resolve\"]\n  override_path = true\n"), "{hosts}");
    assert!(
        run.stderr
            .contains("containerd's hosts.toml maps a whole registry"),
        "{}",
        run.stderr
    );
    let run = imgrepl(&["export", "--to", "containerd-hosts", "-p", policy], b"");
    assert_eq!(run.code, 2);
    // Every rule exact: exit 0.
    let exact = temp_file(
        "export-exact.json",
        r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}]"#,
    );
    let run = imgrepl(
        &[
            "export",
            "--to",
            "registries-conf",
            "-p",
            exact.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}
