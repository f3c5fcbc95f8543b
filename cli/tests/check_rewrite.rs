//! `imgrepl` (the demo), `imgrepl check` and `imgrepl rewrite`, run as a user runs them.

mod common;

use common::{Run, imgrepl, temp_file};

const SEED: &str = r#"[
  {"repositoryPrefix": "harbor.domain",         "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "",                      "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}
]"#;

#[test]
fn the_demo_prints_the_seed_table() {
    let run = imgrepl(&[], b"");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "");
    let table: Vec<&str> = run.stdout.lines().filter(|l| l.contains("  →  ")).collect();
    assert_eq!(
        table,
        [
            "  harbor.domain/ubuntu:latest         →  swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest  (rule 0)",
            "  nginx:latest                        →  swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest  (rule 1)",
            "  harbor.domain/a/b/c/d/redis:latest  →  swr.cn-north-4.myhuaweicloud.com/org2/redis:latest  (rule 2)",
        ]
    );
}

#[test]
fn check_accepts_the_seed_policy() {
    let path = temp_file("seed.json", SEED);
    let run = imgrepl(&["check", path.to_str().unwrap()], b"");
    assert_eq!(
        run,
        Run {
            code: 0,
            stdout: format!(
                "{}: valid policy with 3 rules, 0 warnings\n",
                path.display()
            ),
            stderr: String::new()
        }
    );
    // From stdin, with `-` or nothing.
    for args in [&["check", "-"][..], &["check"][..]] {
        let run = imgrepl(args, SEED.as_bytes());
        assert_eq!(
            run.stdout,
            "<stdin>: valid policy with 3 rules, 0 warnings\n"
        );
        assert_eq!(run.code, 0);
    }
}

#[test]
fn check_shows_each_diagnostic_with_a_caret() {
    let policy = "[{\"repositoryPrefix\": \"a.io\", \"replacewith\": \"m.io\"},\n {\"repositoryPrefix\": \"a.io/B\", \"replaceWith\": \"m.io\"}]\n";
    let run = imgrepl(&["check"], policy.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout,
        r#"error[missing-field]: rule 0 has no "replaceWith"
 --> <stdin>:1:2 (/0/replaceWith)
  |
1 | [{"repositoryPrefix": "a.io", "replacewith": "m.io"},
  |  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

error[unknown-field]: rule 0 has an unknown field "replacewith"; did you mean "replaceWith"?
 --> <stdin>:1:31 (/0/replacewith)
  |
1 | [{"repositoryPrefix": "a.io", "replacewith": "m.io"},
  |                               ^^^^^^^^^^^^^

error[invalid-prefix]: repositoryPrefix "a.io/B" is not a registry, a registry and path, or a path: repository name must be lowercase: uppercase letter in repository path at byte 5
 --> <stdin>:2:29 (/1/repositoryPrefix)
  |
2 |  {"repositoryPrefix": "a.io/B", "replaceWith": "m.io"}]
  |                             ^

<stdin>: invalid policy: 3 errors, 0 warnings
"#
    );
}

#[test]
fn check_json_lists_every_diagnostic() {
    let policy = r#"[{"repositoryPrefix": "docker.io", "replaceWith": "m.io"}]"#;
    let run = imgrepl(&["check", "--json"], policy.as_bytes());
    assert_eq!(run.code, 0, "{run:?}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["ok"], true);
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["code"], "docker-hub-prefix");
    assert_eq!(d["index"], 0);
    assert_eq!(d["field"], "repositoryPrefix");
    assert_eq!(d["pointer"], "/0/repositoryPrefix");
    assert_eq!(d["span"], serde_json::json!({"start": 22, "end": 33}));
    assert_eq!(&policy[22..33], "\"docker.io\"");

    let run = imgrepl(&["check", "--json"], b"{}");
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["diagnostics"][0]["code"], "not-an-array");
    assert_eq!(v["diagnostics"][0]["index"], serde_json::Value::Null);
}

#[test]
fn check_reports_io_errors_with_exit_2() {
    let run = imgrepl(&["check", "/nonexistent/policy.json"], b"");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("imgrepl: reading /nonexistent/policy.json: "),
        "{run:?}"
    );
    let run = imgrepl(&["check", "--bogus"], b"");
    assert_eq!(run.code, 2);
}

#[test]
fn rewrite_gives_the_seed_table() {
    let path = temp_file("seed-rewrite.json", SEED);
    let run = imgrepl(
        &[
            "rewrite",
            "--policy",
            path.to_str().unwrap(),
            "harbor.domain/ubuntu:latest",
            "nginx:latest",
            "harbor.domain/a/b/c/d/redis:latest",
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        r#"harbor.domain/ubuntu:latest → swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest (rule 0: "harbor.domain" → "swr.cn-north-4.myhuaweicloud.com/org1")
nginx:latest → swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest (rule 1: "" → "swr.cn-north-4.myhuaweicloud.com/org1")
harbor.domain/a/b/c/d/redis:latest → swr.cn-north-4.myhuaweicloud.com/org2/redis:latest (rule 2: "harbor.domain/a/b/c/d" → "swr.cn-north-4.myhuaweicloud.com/org2")
"#
    );
}

#[test]
fn rewrite_json_streams_stdin_lines() {
    let path = temp_file("seed-json.json", SEED);
    let stdin = b"nginx:latest\r\nquay.io/x/y\nBad\n";
    let run = imgrepl(&["rewrite", "-p", path.to_str().unwrap(), "--json"], stdin);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            serde_json::json!({"image": "nginx:latest", "result": "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest",
                "changed": true, "rule": {"index": 1, "repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
                "error": null}),
            serde_json::json!({"image": "quay.io/x/y", "result": "quay.io/x/y", "changed": false, "rule": null, "error": null}),
            serde_json::json!({"image": "Bad", "result": "Bad", "changed": false, "rule": null,
                "error": {"code": "uppercase", "offset": 0, "rule": null,
                    "message": "invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0"}}),
        ]
    );
}

#[test]
fn rewrite_modes_and_explain() {
    let path = temp_file(
        "modes.json",
        r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io"}]"#,
    );
    let p = path.to_str().unwrap();
    let run = imgrepl(
        &[
            "rewrite",
            "-p",
            p,
            "--mode",
            "exact-parent",
            "harbor.domain/team/app:1",
        ],
        b"",
    );
    assert_eq!(
        run.stdout,
        "harbor.domain/team/app:1 → harbor.domain/team/app:1 (no rule)\n"
    );
    let run = imgrepl(
        &["rewrite", "-p", p, "--explain", "harbor.domain/team/app:1"],
        b"",
    );
    assert_eq!(
        run.stdout,
        r#"harbor.domain/team/app:1 → m.io/team/app:1 (rule 0: "harbor.domain" → "m.io")
    "harbor.domain/team" (parent path): no rule
    "harbor.domain": rule 0 → "m.io"
    rewritten by rule 0: its prefix "harbor.domain" is the longest that starts the image at a '/'; in exact-parent mode no rule would apply
    ! the longest-prefix and exact-parent modes disagree on this image
"#
    );
    let run = imgrepl(
        &["rewrite", "-p", p, "--json", "--explain", "harbor.domain/x"],
        b"",
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["explain"]["modesDisagree"], false);
    assert_eq!(v["explain"]["candidates"][0]["prefix"], "harbor.domain");
    let run = imgrepl(&["rewrite", "-p", p, "--mode", "exact", "x"], b"");
    assert_eq!(run.code, 2);
}

#[test]
fn rewrite_errors_show_a_caret_and_the_line() {
    let path = temp_file(
        "carets.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#,
    );
    let run = imgrepl(
        &["rewrite", "-p", path.to_str().unwrap()],
        b"ok\nregistry/Team/app\n",
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "ok → m.io/ok (rule 0: \"\" → \"m.io\")\n\
         registry/Team/app ✗ left as it is (line 2)\n\
         \x20        ^ [uppercase] invalid image: repository name must be lowercase: uppercase letter in repository path at byte 9\n"
    );
}

#[test]
fn rewrite_refuses_an_invalid_policy() {
    let path = temp_file(
        "bad.json",
        r#"[{"repositoryPrefix": "a.io", "replaceWith": "a.io"}]"#,
    );
    let run = imgrepl(&["rewrite", "-p", path.to_str().unwrap(), "nginx"], b"");
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    // As `apply`, `coverage` and `diff` report it: every diagnostic, with its source line.
    assert_eq!(
        run.stderr,
        format!(
            "imgrepl: {0}: invalid image replacement policy: error[identity-rule] at /0/replaceWith: rule 0 replaces \"a.io\" with itself\n    error[identity-rule] at /0/replaceWith: rule 0 replaces \"a.io\" with itself\n    1 | …positoryPrefix\": \"a.io\", \"replaceWith\": \"a.io\"}}]\n      |                                          ^^^^^^\n",
            path.display()
        )
    );
}

#[test]
fn rewrite_streams_a_large_input_in_constant_memory() {
    let path = temp_file(
        "many.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#,
    );
    let mut stdin = Vec::new();
    for i in 0..100_000 {
        stdin.extend_from_slice(format!("app{i}:1\n").as_bytes());
    }
    let run = imgrepl(&["rewrite", "-p", path.to_str().unwrap(), "--json"], &stdin);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.lines().count(), 100_000);
    let last: serde_json::Value = serde_json::from_str(run.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["result"], "m.io/app99999:1");
}
