//! The command line's rough edges, each a test: standard input for every file argument (and
//! never twice), empty image arguments, pull-secret values the runtime would misread, and the
//! like.

mod common;

use common::{imgrepl, temp_file};

const POLICY: &str = r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#;

/// Every pair of inputs that would both be standard input is a usage error (exit 2), named.
#[test]
fn standard_input_is_read_once_or_the_command_says_why() {
    let policy = temp_file("edges-policy.json", POLICY);
    let policy = policy.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["diff", "-", policy], "the old policy and the images"),
        (&["diff", policy, "-"], "the new policy and the images"),
        (&["diff", "-", "-"], "the old policy and the new policy"),
        (
            &["diff", policy, "-", "-f", "-"],
            "the new policy and the manifests (-f -)",
        ),
        (
            &["coverage", "--policy", "-"],
            "the policy (--policy -) and the images",
        ),
        (
            &["coverage", "--policy", "-", "-f", "-"],
            "the policy (--policy -) and the manifests (-f -)",
        ),
        (
            &["check", "-", "--images", "-"],
            "the policy and the images (--images -)",
        ),
        (
            &["check", "--images", "-"],
            "the policy and the images (--images -)",
        ),
        (
            &["coverage", "--policy", policy, "-f", "-", "-f", "-"],
            "two manifests (-f - twice)",
        ),
        (
            &[
                "pull-secret",
                "--secret-name",
                "s",
                "--server",
                "r.io",
                "--username",
                "u",
                "--password-stdin",
                "--swr-address",
                "swr.example.com",
                "--project-name",
                "p",
                "--access-key",
                "AK",
                "--secret-key-file",
                "-",
            ],
            "the passwords (--password-stdin) and the secret key (--secret-key-file -)",
        ),
        (
            &[
                "pull-secret",
                "--secret-name",
                "s",
                "--server",
                "a.io",
                "--username",
                "u",
                "--server",
                "b.io",
                "--username",
                "v",
                "--password-file",
                "-",
                "--password-file",
                "-",
            ],
            "two passwords (--password-file - twice)",
        ),
    ];
    for (args, names) in cases {
        let run = imgrepl(args, b"nginx\n");
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(
            run.stderr,
            format!(
                "imgrepl: {names} cannot both be read from standard input: give one of them as a file\n"
            ),
            "{args:?}"
        );
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

/// `-` is standard input for every file argument.
#[test]
fn a_dash_is_standard_input_for_every_file_argument() {
    let policy = temp_file("edges-policy-2.json", POLICY);
    let policy = policy.to_str().unwrap();
    let images = temp_file("edges-images.txt", "nginx\n");
    let images = images.to_str().unwrap();

    let run = imgrepl(
        &["check", policy, "--images", "-"],
        b"nginx\nm.io/hub/nginx\n",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.ends_with(
            "standard input: a second pass changes no result: the policy is a fixed point on these images\n"
        ),
        "{}",
        run.stdout
    );

    // The SWR secret key from standard input: the same Secret as from the environment.
    let swr = [
        "pull-secret",
        "--secret-name",
        "swr-pull",
        "--swr-address",
        "swr.example.com",
        "--project-name",
        "cn-north-4",
        "--access-key",
        "EXAMPLEAK",
    ];
    let mut from_stdin = swr.to_vec();
    from_stdin.extend(["--secret-key-file", "-"]);
    let run = imgrepl(&from_stdin, b"example-secret-key\n");
    assert_eq!(run.code, 0, "{run:?}");
    let mut from_env = swr.to_vec();
    from_env.extend(["--secret-key-env", "EDGES_SK"]);
    let env = std::process::Command::new(env!("CARGO_BIN_EXE_imgrepl"))
        .args(&from_env)
        .env("EDGES_SK", "example-secret-key")
        .output()
        .unwrap();
    assert_eq!(run.stdout, String::from_utf8(env.stdout).unwrap());

    let run = imgrepl(&["diff", "-", policy, "nginx"], b"[]");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with("rules: 1 added, 0 removed"),
        "{}",
        run.stdout
    );

    let run = imgrepl(
        &["coverage", "--policy", "-", "-f", images],
        POLICY.as_bytes(),
    );
    // The images file is read as a manifest here: nginx alone is no object, so no image.
    assert_eq!(run.code, 0, "{run:?}");
    let run = imgrepl(&["coverage", "--policy", "-", "nginx"], POLICY.as_bytes());
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("1 image (1 distinct): 1 rewritten"),
        "{}",
        run.stdout
    );
}

/// An empty argument is an empty reference everywhere: counted, and listed as invalid.
#[test]
fn an_empty_image_argument_is_an_empty_reference() {
    let policy = temp_file("edges-policy-3.json", POLICY);
    let policy = policy.to_str().unwrap();

    let run = imgrepl(
        &["coverage", "--policy", policy, "nginx", "", "quay.io/x"],
        b"",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains(": 1 rule, 3 images (3 distinct): 1 rewritten, 1 uncovered, 1 invalid\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\n1        \"\"     [empty] invalid image"),
        "{}",
        run.stdout
    );
    let run = imgrepl(
        &["coverage", "--policy", policy, "--fail-on", "invalid", ""],
        b"",
    );
    assert_eq!(run.code, 1, "{run:?}");

    let run = imgrepl(&["diff", policy, policy, "nginx", ""], b"");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("images: 0 of 2 change"),
        "{}",
        run.stdout
    );

    let run = imgrepl(&["parse", "nginx", ""], b"");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("[empty]"), "{}", run.stdout);
    let run = imgrepl(&["rewrite", "--policy", policy, "nginx", ""], b"");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("[empty] invalid image"),
        "{}",
        run.stdout
    );
}

/// A `:` in a user name would be split off by the runtime (the `auth` is USER:PASSWORD): refused
/// before anything secret is read.
#[test]
fn pull_secret_refuses_a_colon_in_the_user_name() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &[
                "--swr-address",
                "swr.example.com",
                "--project-name",
                "cn:north",
                "--access-key",
                "AK",
            ],
            "--project-name \"cn:north\"",
            "\"cn\"",
        ),
        (
            &[
                "--swr-address",
                "swr.example.com",
                "--project-name",
                "cn-north-4",
                "--access-key",
                "A:K",
            ],
            "--access-key \"A:K\"",
            "\"A\"",
        ),
        (
            &[
                "--server",
                "r.example.com",
                "--username",
                "u:v",
                "--password-stdin",
            ],
            "--username \"u:v\"",
            "\"u\"",
        ),
    ];
    for (args, flag, user) in cases {
        let mut all = vec!["pull-secret", "--secret-name", "s"];
        all.extend_from_slice(args);
        let run = imgrepl(&all, b"password\n");
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr.starts_with(&format!(
                "imgrepl: {flag} holds a ':': the registry login is USER:PASSWORD, split at the first ':', so the runtime would log in as {user}"
            )),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("password\n"));
    }
}

/// The bursting label as written: an unquoted `off` is named and the fix given; a value with a
/// blank shows it (quoted); an unknown `--burst` value is placed in its list.
#[test]
fn bursting_label_values_are_shown_as_written() {
    let policy = temp_file("edges-policy-4.json", POLICY);
    let policy = policy.to_str().unwrap();
    let manifests = temp_file(
        "edges-burst.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    bursting.cci.io/burst-to-cci: off\nspec:\n  containers:\n  - {name: a, image: nginx}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  labels:\n    bursting.cci.io/burst-to-cci: \"auto \"\nspec:\n  containers:\n  - {name: a, image: nginx}\n",
    );
    let manifests = manifests.to_str().unwrap();
    let run = imgrepl(
        &[
            "apply", "-f", manifests, "--policy", policy, "--burst", "auto", "--report",
        ],
        b"",
    );
    assert_eq!(
        run.stdout,
        "DOC  OBJECT  BURST            CONTAINER  BEFORE  AFTER           RULE\n\
         1    Pod/p   off (a boolean)  -          -       (not bursting)  -\n\
         2    Pod/q   \"auto \"          -          -       (not bursting)  -\n"
    );
    assert!(
        run.stderr.contains(
            "warning: the label \"bursting.cci.io/burst-to-cci\" is off unquoted, which YAML reads as a boolean, not as the text \"off\": quote it (\"off\")\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the pod spec has the bursting label \"auto \", and only auto"),
        "{}",
        run.stderr
    );

    let run = imgrepl(
        &[
            "apply", "-f", manifests, "--policy", policy, "--burst", "auto,x",
        ],
        b"",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "\"x\" (value 2 of \"auto,x\", at byte 5) is not a bursting value: expected \"auto\", \"enforce\" or \"off\""
        ),
        "{}",
        run.stderr
    );
}

/// Only the pull secrets that were read are judged; those named and not in the input are said
/// once, plainly.
#[test]
fn pull_secrets_not_in_the_input_are_noted_once_not_warned_about() {
    let policy = temp_file("edges-policy-5.json", POLICY);
    let policy = policy.to_str().unwrap();
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  imagePullSecrets: [{{name: swr-pull}}, {{name: extra}}]\n  containers: [{{name: a, image: nginx}}]\n"
        )
    };
    let manifests = temp_file(
        "edges-secrets.yaml",
        &format!("{}---\n{}", pod("p"), pod("q")),
    );
    let run = imgrepl(
        &[
            "apply",
            "-f",
            manifests.to_str().unwrap(),
            "--policy",
            policy,
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stderr,
        "imgrepl: note: the pull secrets extra, swr-pull are not in the input, so whether they cover the new registries is not checked\n"
    );
    // With a Secret that is read and does not cover m.io: the warning, and no note for it.
    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: swr-pull}\ntype: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: eyJhdXRocyI6eyJxdWF5LmlvIjp7ImF1dGgiOiJkVHB3In19fQ==}\n";
    let one = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  imagePullSecrets: [{name: swr-pull}]\n  containers: [{name: a, image: nginx}]\n";
    let manifests = temp_file("edges-secrets-2.yaml", &format!("{secret}---\n{one}"));
    let run = imgrepl(
        &[
            "apply",
            "-f",
            manifests.to_str().unwrap(),
            "--policy",
            policy,
        ],
        b"",
    );
    assert_eq!(
        run.stderr,
        "imgrepl: document 2 (Pod/p) (line 11, column 3): warning: images move to m.io (containers[0] \"a\"), but none of its pull secrets (swr-pull) covers m.io\n",
        "{run:?}"
    );
}

/// Tables fit a terminal: digests are shortened there, and whole in `--json`.
#[test]
fn tables_shorten_digests_and_json_keeps_them() {
    let policy = temp_file("edges-policy-6.json", POLICY);
    let policy = policy.to_str().unwrap();
    let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let image = format!("nginx@{digest}");
    let empty = temp_file("edges-empty.json", "[]");
    let run = imgrepl(&["diff", empty.to_str().unwrap(), policy, &image], b"");
    assert!(
        run.stdout.ends_with(
            "  nginx@sha256:0123456789ab…  nginx@sha256:0123456789ab… (no rule)  ->  m.io/hub/nginx@sha256:0123456789ab… (rule 0)  [added \"\"]\n"
        ),
        "{}",
        run.stdout
    );
    let run = imgrepl(
        &["diff", empty.to_str().unwrap(), policy, &image, "--json"],
        b"",
    );
    assert!(
        run.stdout.contains(&format!("m.io/hub/nginx@{digest}")),
        "{}",
        run.stdout
    );

    let manifests = temp_file(
        "edges-digest.yaml",
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: [{{name: a, image: \"{image}\"}}]\n"
        ),
    );
    let run = imgrepl(
        &[
            "apply",
            "-f",
            manifests.to_str().unwrap(),
            "--policy",
            policy,
            "--report",
            "--no-pull-checks",
        ],
        b"",
    );
    assert_eq!(
        run.stdout,
        "DOC  OBJECT  BURST  CONTAINER        BEFORE                      AFTER                                RULE\n\
         1    Pod/p   -      containers[0] a  nginx@sha256:0123456789ab…  m.io/hub/nginx@sha256:0123456789ab…  0 \"\"\n"
    );
    let widest = run.stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest < 120, "{widest}");
}

/// Without --policy, `coverage` reads the policy the manifests carry, as `apply` does.
#[test]
fn coverage_reads_the_manifests_annotation_without_a_policy() {
    let pod = |name: &str, image: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  annotations:\n    coordinator.cci.io/image-replacement: '{POLICY}'\nspec:\n  containers: [{{name: a, image: {image}}}]\n"
        )
    };
    let manifests = temp_file(
        "edges-annotated.yaml",
        &format!("{}---\n{}", pod("p", "nginx"), pod("q", "quay.io/x/y")),
    );
    let run = imgrepl(&["coverage", "-f", manifests.to_str().unwrap()], b"");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with(
            "the manifests' policy (coordinator.cci.io/image-replacement): 1 rule, 2 images (2 distinct): 1 rewritten, 1 uncovered, 0 invalid\n"
        ),
        "{}",
        run.stdout
    );
    // From standard input too (read once).
    let text = std::fs::read(&manifests).unwrap();
    let run = imgrepl(&["coverage", "-f", "-"], &text);
    assert_eq!(run.code, 0, "{run:?}");

    let other = pod("r", "nginx").replace("m.io/hub", "n.io/hub");
    let two = temp_file(
        "edges-annotated-2.yaml",
        &format!("{}---\n{other}", pod("p", "nginx")),
    );
    let run = imgrepl(&["coverage", "-f", two.to_str().unwrap()], b"");
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "imgrepl: the manifests carry 2 different policies in the annotation \"coordinator.cci.io/image-replacement\": give the one to measure with --policy\n"
    );
    let run = imgrepl(&["coverage", "nginx"], b"");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("give --policy"), "{}", run.stderr);
}

/// The port trap: beside an uncovered registry, the rule that differs from it only by the port
/// (or spells Docker Hub another way).
#[test]
fn coverage_notes_the_rule_an_uncovered_registry_differs_from_only_by_its_port() {
    let policy = temp_file(
        "edges-policy-7.json",
        r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"}, {"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#,
    );
    let run = imgrepl(
        &[
            "coverage",
            "--policy",
            policy.to_str().unwrap(),
            "harbor.domain:5000/team/app",
            "docker.io/library/nginx",
            "quay.io/x",
        ],
        b"",
    );
    let table = &run.stdout[run.stdout.find("UNCOVERED").unwrap()..];
    assert_eq!(
        table,
        "UNCOVERED  REGISTRY            NORMALIZED          IMAGES                           WORKLOADS  NOTE\n\
         1          docker.io           docker.io           docker.io/library/nginx (1)      -          rule 1 (\"\") spells Docker Hub another way: prefixes match as written\n\
         1          harbor.domain:5000  harbor.domain:5000  harbor.domain:5000/team/app (1)  -          rule 0 (\"harbor.domain\") differs only by the port: another registry to the runtime\n\
         1          quay.io             quay.io             quay.io/x (1)                    -\n"
    );
}
