//! The operators' toolkit from the command line: `coverage`, `diff`, `check --images`,
//! `apply --burst`, `pull-secret` (compared with a real `kubectl`), and the README's examples
//! run for real.

mod common;

use std::process::Command;

use base64::Engine as _;

use common::{imgrepl, shell, temp_file, tool_output};
use serde_json::{Value, json};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/toolkit/");
/// The CLI's README, whose "Operators' toolkit" section shows these commands.
const README: &str = include_str!("../README.md");

fn path(name: &str) -> String {
    format!("{DIR}{name}")
}

#[test]
fn the_readme_toolkit_examples_are_real_output() {
    let section =
        &README[README.find("## Operators' toolkit").unwrap()..README.find("## Limits").unwrap()];
    let mut checked = 0;
    for block in section.split("```console\n").skip(1) {
        let block = &block[..block.find("```\n").unwrap()];
        let (command, shown) = block.split_once('\n').unwrap();
        let command = command.strip_prefix("$ ").unwrap();
        assert_eq!(
            shell(command),
            shown,
            "cli/README.md: the output of `{command}` differs"
        );
        checked += 1;
    }
    // Five toolkit examples, and the two pull secrets of the mapping from CCI's tool.
    assert_eq!(checked, 7);
}

#[test]
fn coverage_fails_on_what_it_is_asked_to() {
    let args = |fail: &str| {
        let mut a = vec![
            "coverage".to_owned(),
            "--policy".to_owned(),
            path("policy.json"),
            "-f".to_owned(),
            path("manifests.yaml"),
        ];
        if !fail.is_empty() {
            a.extend(["--fail-on".to_owned(), fail.to_owned()]);
        }
        a
    };
    for (fail, code) in [
        ("", 0),
        ("dead", 1),
        ("uncovered", 1),
        ("invalid", 1),
        ("disagree", 1),
        ("dead,uncovered", 1),
    ] {
        let a = args(fail);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(imgrepl(&a, b"").code, code, "--fail-on {fail}");
    }
    // A policy that covers everything valid, and images on stdin.
    let all = temp_file(
        "coverage-all.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}, {"repositoryPrefix": "quay.io", "replaceWith": "m.io/quay"}]"#,
    );
    let run = imgrepl(
        &[
            "coverage",
            "-p",
            all.to_str().unwrap(),
            "--fail-on",
            "dead,uncovered",
        ],
        b"nginx\nquay.io/a/b\nnginx\n",
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.starts_with(&format!(
        "{}: 2 rules, 3 images (2 distinct): 3 rewritten, 0 uncovered, 0 invalid\n",
        all.display()
    )));
}

#[test]
fn coverage_json_is_the_librarys() {
    let run = imgrepl(
        &[
            "coverage",
            "--json",
            "-p",
            &path("policy.json"),
            "-f",
            &path("manifests.yaml"),
        ],
        b"",
    );
    assert_eq!(run.code, 0);
    let c: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (
            c["images"].as_u64(),
            c["distinct"].as_u64(),
            c["rewritten"].as_u64()
        ),
        (Some(7), Some(7), Some(4))
    );
    assert_eq!(
        c["rules"][3],
        json!({"index": 3, "repositoryPrefix": "harbour.domain",
        "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1", "wins": 0, "shadowed": 0, "status": "dead", "code": "dead-rule"})
    );
    assert_eq!(c["uncovered"][0]["workloads"], json!(["Job/backfill"]));
    assert_eq!(c["invalid"][0]["error"]["code"], "uppercase");
    assert_eq!(c["disagreements"][0]["longestPrefixRule"], 0);
    assert_eq!(c["disagreements"][0]["exactParentRule"], Value::Null);
}

#[test]
fn diff_exit_code_and_json() {
    let run = imgrepl(
        &[
            "diff",
            &path("policy.json"),
            &path("policy-new.json"),
            "--exit-code",
            "nginx:1.27",
        ],
        b"",
    );
    assert_eq!(run.code, 1);
    let same = imgrepl(
        &[
            "diff",
            &path("policy.json"),
            &path("policy.json"),
            "--exit-code",
            "-f",
            &path("manifests.yaml"),
        ],
        b"",
    );
    assert_eq!(
        (same.code, same.stdout.as_str()),
        (
            0,
            "rules: 0 added, 0 removed, 0 changed, 4 unchanged\nimages: 0 of 7 change (0 distinct)\n"
        )
    );
    // Without --exit-code, a change is not a failure.
    let run = imgrepl(
        &[
            "diff",
            "--json",
            &path("policy.json"),
            &path("policy-new.json"),
        ],
        b"harbor.domain/shop/web:1\n",
    );
    assert_eq!(run.code, 0);
    let d: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        d["summary"],
        json!({"added": 1, "removed": 1, "changed": 1, "unchanged": 2, "images": 1, "imagesChanged": 1, "distinctChanged": 1})
    );
    let added = &d["rules"][2];
    assert_eq!(
        (added["kind"].as_str(), added["new"]["index"].as_u64()),
        (Some("added"), Some(1))
    );
    let text = std::fs::read_to_string(path("policy-new.json")).unwrap();
    let span = &added["new"]["span"];
    let (start, end) = (
        usize::try_from(span["start"].as_u64().unwrap()).unwrap(),
        usize::try_from(span["end"].as_u64().unwrap()).unwrap(),
    );
    assert!(
        text[start..end].contains("\"harbor.domain/shop\""),
        "{}",
        &text[start..end]
    );
    assert_eq!(d["images"][0]["causes"], json!([2]));
}

#[test]
fn check_images_json_adds_the_second_pass() {
    let run = imgrepl(
        &[
            "check",
            "--json",
            &path("chained.json"),
            "--images",
            &path("images.txt"),
        ],
        b"",
    );
    // Valid, but not a fixed point on these images: exit 1.
    assert_eq!(run.code, 1);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["ok"], true);
    let passes = lines[1]["secondPass"].as_array().unwrap();
    assert_eq!(passes.len(), 2);
    assert_eq!(passes[0]["image"], "nginx:1.27");
    assert_eq!(passes[0]["end"], "stable");
    assert_eq!(
        passes[0]["chain"][1],
        json!({"rule": 1, "result": "swr.cn-north-4.myhuaweicloud.com/mirror/hub/nginx:1.27"})
    );
    assert_eq!(passes[1]["end"], "limit");
    // A policy without chains is a fixed point.
    let run = imgrepl(
        &[
            "check",
            &path("policy.json"),
            "--images",
            &path("images.txt"),
        ],
        b"",
    );
    assert!(run.stdout.ends_with("images.txt: a second pass changes no result: the policy is a fixed point on these images\n"), "{}", run.stdout);
    assert_eq!(run.code, 0);
    // Without `--images`, the chained policy is valid (its chains are warnings): exit 0.
    let run = imgrepl(&["check", &path("chained.json")], b"");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn burst_restricts_apply_and_reports_the_rest() {
    let args = [
        "apply",
        "-f",
        &path("manifests.yaml"),
        "-p",
        &path("policy.json"),
        "--burst",
        "auto,enforce",
        "--patch",
    ];
    let run = imgrepl(&args, b"");
    let patches: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(patches.len(), 6);
    assert_eq!(patches[2].as_array().unwrap().len(), 2); // Deployment/web, auto
    assert_eq!(patches[3].as_array().unwrap().len(), 1); // StatefulSet/cache, enforce
    assert_eq!(patches[4], json!([])); // CronJob/report, "yes"
    assert_eq!(patches[5], json!([])); // Job/backfill, off: its invalid image is not even looked at
    assert_eq!(run.code, 0, "{}", run.stderr);
    // By default every pod spec is rewritten, and the invalid image is an error.
    let run = imgrepl(
        &args[..5]
            .iter()
            .copied()
            .chain(["--patch"])
            .collect::<Vec<_>>(),
        b"",
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("warning: images move to swr.cn-north-4.myhuaweicloud.com (containers[0] \"report\"), but none of its pull secrets (quay-pull) covers swr.cn-north-4.myhuaweicloud.com\n"), "{}", run.stderr);
    // Deployment/web names swr-pull, which covers the mirror: no pull warning for it.
    assert!(!run.stderr.contains("(Deployment/web)"), "{}", run.stderr);
    // `--no-pull-checks`: the same patches, no pull warning.
    let quiet = imgrepl(
        &args[..5]
            .iter()
            .copied()
            .chain(["--patch", "--no-pull-checks"])
            .collect::<Vec<_>>(),
        b"",
    );
    assert_eq!(
        (quiet.code, quiet.stdout.as_str()),
        (1, run.stdout.as_str())
    );
    assert!(!quiet.stderr.contains("pull"), "{}", quiet.stderr);
    assert!(quiet.stderr.len() < run.stderr.len());
}

#[test]
fn apply_leaves_excluded_pod_templates_alone_and_reads_both_bursting_labels() {
    let manifests = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: kept}
spec:
  template:
    metadata:
      labels: {bursting.cci.io/burst-to-cci: enforce, virtual-kubelet.io/burst-to-cci: "off"}
    spec: {containers: [{name: web, image: nginx:1.27}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: left}
spec:
  template:
    metadata:
      labels: {imgrepl.io/exclude: "true"}
    spec: {containers: [{name: web, image: nginx:1.27}]}
"#;
    let file = temp_file("excluded.yaml", manifests);
    let file = file.to_str().unwrap();
    let policy = temp_file(
        "excluded-policy.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#,
    );
    let policy = policy.to_str().unwrap();
    let patch = imgrepl(
        &[
            "apply",
            "-f",
            file,
            "-p",
            policy,
            "--burst",
            "enforce",
            "--patch",
            "--no-pull-checks",
        ],
        b"",
    );
    assert_eq!(
        patch.stdout,
        "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"m.io/hub/nginx:1.27\"}]\n[]\n"
    );
    let report = imgrepl(
        &[
            "apply",
            "-f",
            file,
            "-p",
            policy,
            "--burst",
            "enforce",
            "--report",
            "--no-pull-checks",
        ],
        b"",
    );
    assert!(report.stderr.contains("warning: the labels \"bursting.cci.io/burst-to-cci\" (\"enforce\") and \"virtual-kubelet.io/burst-to-cci\" (\"off\") differ: the first (CCI 2.0) applies"), "{}", report.stderr);
    assert!(report.stderr.contains("warning: excluded: the pod template's label \"imgrepl.io/exclude\" is \"true\": left as it is"), "{}", report.stderr);
    let left: Vec<&str> = report
        .stdout
        .lines()
        .filter(|l| l.contains("Deployment/left"))
        .collect();
    assert_eq!(left.len(), 1, "{}", report.stdout);
    assert!(left[0].contains("(excluded)"), "{}", report.stdout);
    assert_eq!(report.code, 0, "{}", report.stderr);
}

/// `kubectl create secret docker-registry … --dry-run=client -o FORMAT`; `None` when kubectl is
/// missing under a plain `cargo test` (`cargo xtask test` installs Debian's kubernetes-client
/// and requires it: see [`common::tool_output`]).
fn kubectl(args: &[&str]) -> Option<String> {
    let out = tool_output(
        Command::new("kubectl")
            .args(["create", "secret", "docker-registry"])
            .args(args)
            .arg("--dry-run=client"),
        "kubectl",
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn pull_secret_is_what_kubectl_makes() {
    // Without kubectl (a plain `cargo test`), our side is still checked.
    let mut with_kubectl = true;
    for (format, namespace) in [
        ("json", None),
        ("yaml", None),
        ("json", Some("shop")),
        ("yaml", Some("shop")),
    ] {
        let mut ours = vec![
            "pull-secret",
            "--secret-name",
            "regcred",
            "--server",
            "quay.io",
            "--username",
            "robot",
            "--password-stdin",
            "-o",
            format,
        ];
        let mut theirs = vec![
            "regcred",
            "--docker-server=quay.io",
            "--docker-username=robot",
            "--docker-password=p<a&s>s w\"rd",
            "-o",
            format,
        ];
        if let Some(ns) = namespace {
            ours.extend(["--namespace", ns]);
            theirs.extend(["--namespace", ns]);
        }
        let run = imgrepl(&ours, b"p<a&s>s w\"rd\n");
        assert_eq!((run.code, run.stderr.as_str()), (0, ""));
        if !with_kubectl {
            continue;
        }
        match kubectl(&theirs) {
            Some(theirs) => assert_eq!(run.stdout, theirs, "{format} {namespace:?}"),
            None => with_kubectl = false,
        }
    }
}

#[test]
fn swr_pull_secret_is_what_kubectl_makes_of_project_at_ak() {
    // SWR: user PROJECT@AK, password hex HMAC-SHA256(SK, AK); the SK from the environment.
    let sk = "example-secret-key";
    let password = {
        let run = imgrepl(
            &[
                "pull-secret",
                "--secret-name",
                "swr",
                "--swr-address",
                "swr.cn-north-4.myhuaweicloud.com",
                "--project-name",
                "cn-north-4",
                "--access-key",
                "EXAMPLEAK",
                "--secret-key-env",
                "TOOLKIT_TEST_SK",
            ],
            b"",
        );
        // Not set: a clear error that names the variable only.
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("TOOLKIT_TEST_SK"));
        "1be7890f0f2d2d12ed24cea9aa9d63d16cdf348edb03aa40cc23cc51cd0f5037"
    };
    let out = Command::new(env!("CARGO_BIN_EXE_imgrepl"))
        .args([
            "pull-secret",
            "--secret-name",
            "swr",
            "--swr-address",
            "swr.cn-north-4.myhuaweicloud.com",
            "--project-name",
            "cn-north-4",
            "--access-key",
            "EXAMPLEAK",
            "--secret-key-env",
            "TOOLKIT_TEST_SK",
        ])
        .env("TOOLKIT_TEST_SK", sk)
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
    let ours = String::from_utf8(out.stdout).unwrap();
    if let Some(expected) = kubectl(&[
        "swr",
        "--docker-server=swr.cn-north-4.myhuaweicloud.com",
        "--docker-username=cn-north-4@EXAMPLEAK",
        &format!("--docker-password={password}"),
        "-o",
        "json",
    ]) {
        assert_eq!(ours, expected);
    }
    let sk_file = temp_file("toolkit-sk", "example-secret-key\n");
    let from_file = imgrepl(
        &[
            "pull-secret",
            "--secret-name",
            "swr",
            "--swr-address",
            "swr.cn-north-4.myhuaweicloud.com",
            "--project-name",
            "cn-north-4",
            "--access-key",
            "EXAMPLEAK",
            "--secret-key-file",
            sk_file.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(from_file.stdout, ours);
}

#[test]
fn several_registries_in_one_secret() {
    let sk_file = temp_file("toolkit-sk2", "example-secret-key");
    let pw = temp_file("toolkit-pw", "example-password\n");
    let run = imgrepl(
        &[
            "pull-secret",
            "--secret-name",
            "all",
            "--server",
            "quay.io",
            "--username",
            "robot",
            "--password-file",
            pw.to_str().unwrap(),
            "--swr-address",
            "swr.cn-north-4.myhuaweicloud.com",
            "--project-name",
            "cn-north-4",
            "--swr-address",
            "swr.cn-east-3.myhuaweicloud.com",
            "--project-name",
            "cn-east-3",
            "--access-key",
            "EXAMPLEAK",
            "--secret-key-file",
            sk_file.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let secret: Value = serde_json::from_str(&run.stdout).unwrap();
    let config = base64::engine::general_purpose::STANDARD
        .decode(secret["data"][".dockerconfigjson"].as_str().unwrap())
        .unwrap();
    let config: Value = serde_json::from_slice(&config).unwrap();
    let auths = config["auths"].as_object().unwrap();
    let keys: Vec<&str> = auths.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "quay.io",
            "swr.cn-east-3.myhuaweicloud.com",
            "swr.cn-north-4.myhuaweicloud.com"
        ]
    );
    assert_eq!(
        auths["quay.io"],
        json!({"username": "robot", "password": "example-password", "auth": "cm9ib3Q6ZXhhbXBsZS1wYXNzd29yZA=="})
    );
    assert_eq!(
        auths["swr.cn-east-3.myhuaweicloud.com"]["username"],
        "cn-east-3@EXAMPLEAK"
    );
    assert_eq!(
        auths["swr.cn-east-3.myhuaweicloud.com"]["password"],
        auths["swr.cn-north-4.myhuaweicloud.com"]["password"]
    );
    // The secret is read back by the library as the kubelet would match it.
    let apply_input = format!(
        "{}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  imagePullSecrets: [{{name: all}}]\n  containers: [{{image: nginx}}]\n",
        run.stdout
    );
    let policy = temp_file(
        "toolkit-east.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "swr.cn-east-3.myhuaweicloud.com/hub"}]"#,
    );
    let applied = imgrepl(
        &["apply", "-f", "-", "-p", policy.to_str().unwrap()],
        apply_input.as_bytes(),
    );
    assert_eq!((applied.code, applied.stderr.as_str()), (0, ""));
}

#[test]
fn secrets_never_reach_stderr_and_flags_are_refused() {
    // No flag takes a password or a secret key.
    for flag in ["--password", "--secret-key", "--docker-password"] {
        let run = imgrepl(&["pull-secret", "--secret-name", "x", flag, "hunter2"], b"");
        assert_eq!(run.code, 2);
        assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    }
    // A mismatch names counts, never the passwords read.
    let run = imgrepl(
        &[
            "pull-secret",
            "--secret-name",
            "x",
            "--server",
            "a.io",
            "--server",
            "b.io",
            "--username",
            "u",
            "--username",
            "v",
            "--password-stdin",
        ],
        b"only-one-secret-line\n",
    );
    assert_eq!(run.code, 2);
    assert!(
        !run.stderr.contains("only-one-secret-line"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}
