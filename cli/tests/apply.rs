//! `imgrepl apply` and `imgrepl admission-review` on the real manifests of `testdata/workloads/`,
//! run as a user runs them. The outputs the CLI's README (`cli/README.md`) shows are the golden files here, so the
//! README cannot drift from what the commands print.

mod common;

use std::fmt::Write as _;

use base64_check::decode;
use common::{imgrepl, temp_file};
use serde_json::{Value, json};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/workloads/");
const MANIFESTS: &str = include_str!("../../testdata/workloads/manifests.yaml");
const MANIFESTS_JSON: &str = include_str!("../../testdata/workloads/manifests.json");
const OUT_YAML: &str = include_str!("../../testdata/workloads/manifests.out.yaml");
const REPORT: &str = include_str!("../../testdata/workloads/manifests.report.txt");
const PATCHES: &str = include_str!("../../testdata/workloads/manifests.patch.jsonl");
const PROBLEMS: &str = include_str!("../../testdata/workloads/problems.yaml");
const REVIEW: &str = include_str!("../../testdata/workloads/admission-review.json");
const REVIEW_OUT: &str = include_str!("../../testdata/workloads/admission-review.out.json");

/// What `apply` says on stderr about the manifests: the policy read from the `CronJob`'s own
/// annotation, and the pulls that become anonymous (no `imagePullSecrets`).
const STDERR: &str = include_str!("../../testdata/workloads/manifests.stderr.txt");
const STDERR_JSON: &str = include_str!("../../testdata/workloads/manifests.json.stderr.txt");
/// The warning of the stderr of a review: the pull that becomes anonymous.
const REVIEW_WARNING: &str = "imgrepl: warning: images move to swr.cn-north-4.myhuaweicloud.com (containers[0] \"web\", containers[1] \"proxy\", initContainers[0] \"migrate\"), but the pod spec has no imagePullSecrets: the pull will be anonymous\n";

fn path(name: &str) -> String {
    format!("{DIR}{name}")
}

fn yaml_documents(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(text).expect("valid YAML")
}

fn json_documents(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("valid JSON")
}

/// The input documents with the images the policies in their annotations give, set by hand.
fn expected_documents() -> Vec<Value> {
    let mut docs = yaml_documents(MANIFESTS);
    let org1 = "swr.cn-north-4.myhuaweicloud.com/org1";
    let web = &mut docs[2]["spec"]["template"]["spec"];
    web["initContainers"][0]["image"] = json!(format!("{org1}/shop/migrate:2.3.1"));
    web["containers"][0]["image"] = json!(format!("{org1}/shop/web:2.3.1"));
    web["containers"][1]["image"] = json!(format!("{org1}/nginx:1.27"));
    docs[3]["spec"]["template"]["spec"]["containers"][0]["image"] =
        json!("swr.cn-north-4.myhuaweicloud.com/org2/redis:7.2");
    docs[4]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"] =
        json!(format!("{org1}/shop/report:5.0"));
    docs
}

/// The images the policies in the annotations rewrite, as text: the output is the input with
/// exactly these replaced, nothing else.
const REWRITTEN: &[(&str, &str)] = &[
    (
        "harbor.domain/shop/migrate:2.3.1",
        "swr.cn-north-4.myhuaweicloud.com/org1/shop/migrate:2.3.1",
    ),
    (
        "harbor.domain/shop/web:2.3.1",
        "swr.cn-north-4.myhuaweicloud.com/org1/shop/web:2.3.1",
    ),
    (
        "image: nginx:1.27",
        "image: swr.cn-north-4.myhuaweicloud.com/org1/nginx:1.27",
    ),
    (
        "\"image\": \"nginx:1.27\"",
        "\"image\": \"swr.cn-north-4.myhuaweicloud.com/org1/nginx:1.27\"",
    ),
    (
        "harbor.domain/a/b/c/d/redis:7.2",
        "swr.cn-north-4.myhuaweicloud.com/org2/redis:7.2",
    ),
    (
        "harbor.domain/shop/report:5.0",
        "swr.cn-north-4.myhuaweicloud.com/org1/shop/report:5.0",
    ),
];

fn replaced(input: &str) -> String {
    REWRITTEN
        .iter()
        .fold(input.to_owned(), |text, (a, b)| text.replace(a, b))
}

#[test]
fn yaml_in_yaml_out() {
    let run = imgrepl(&["apply", "-f", &path("manifests.yaml")], b"");
    assert_eq!((run.code, run.stderr.as_str()), (0, STDERR));
    assert_eq!(run.stdout, OUT_YAML);
    // Byte for byte the input, but for the rewritten images (comments, order, layout kept).
    assert_eq!(run.stdout, replaced(MANIFESTS));
    assert_ne!(run.stdout, MANIFESTS);
    assert_eq!(yaml_documents(&run.stdout), expected_documents());
}

#[test]
fn stdin_works_like_a_file() {
    let run = imgrepl(&["apply", "-f", "-"], MANIFESTS.as_bytes());
    assert_eq!((run.code, run.stdout.as_str()), (0, OUT_YAML));
}

#[test]
fn json_in_json_out() {
    let run = imgrepl(&["apply", "--filename", &path("manifests.json")], b"");
    assert_eq!((run.code, run.stderr.as_str()), (0, STDERR_JSON));
    assert_eq!(run.stdout, replaced(MANIFESTS_JSON));
    assert_eq!(json_documents(&run.stdout), expected_documents());
    assert_eq!(json_documents(MANIFESTS_JSON), yaml_documents(MANIFESTS));
}

#[test]
fn report_table() {
    let run = imgrepl(&["apply", "-f", &path("manifests.yaml"), "--report"], b"");
    assert_eq!((run.code, run.stderr.as_str()), (0, STDERR));
    assert_eq!(run.stdout, REPORT);
}

#[test]
fn report_json_lines_are_the_librarys_reports() {
    let run = imgrepl(
        &["apply", "-f", &path("manifests.yaml"), "--report", "--json"],
        b"",
    );
    assert_eq!(run.code, 0);
    let records = json_documents(&run.stdout);
    assert_eq!(records.len(), 6);
    assert_eq!(
        records[0],
        json!({"document": 1, "item": null, "object": "Namespace/shop",
        "report": {"kind": null, "policy": null, "containers": [], "patch": [], "warnings": [], "podSpecs": [], "burst": null}})
    );
    let web = &records[2]["report"];
    assert_eq!(
        web["kind"],
        json!({"group": "apps", "kind": "Deployment", "foundBy": "table"})
    );
    assert_eq!(web["policy"]["origin"], "pod-template");
    assert_eq!(
        web["containers"][2]["after"],
        "quay.io/prometheus/statsd-exporter:v0.26.0"
    );
    assert_eq!(web["containers"][2]["rule"], Value::Null);
    assert_eq!(
        records[4]["report"]["warnings"][0]["code"],
        "workload-annotation"
    );
}

#[test]
fn each_documents_patch_turns_it_into_the_output() {
    let run = imgrepl(&["apply", "-f", &path("manifests.yaml"), "--patch"], b"");
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, PATCHES);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let inputs = yaml_documents(MANIFESTS);
    let expected = expected_documents();
    assert_eq!(lines.len(), inputs.len());
    for ((line, input), expected) in lines.iter().zip(inputs).zip(expected) {
        let patch: json_patch::Patch = serde_json::from_str(line).unwrap();
        let mut doc = input;
        json_patch::patch(&mut doc, &patch).unwrap();
        assert_eq!(doc, expected);
    }
    assert_eq!(&lines[..2], ["[]", "[]"]);
    assert_eq!(lines[5], "[]");
}

#[test]
fn the_policy_option_wins_over_annotations() {
    let policy = temp_file(
        "apply-policy.json",
        r#"[{"repositoryPrefix": "harbor.domain/shop", "replaceWith": "mirror.example.com/shop"}]"#,
    );
    let run = imgrepl(
        &[
            "apply",
            "-f",
            &path("manifests.yaml"),
            "--policy",
            policy.to_str().unwrap(),
            "--patch",
        ],
        b"",
    );
    // Only the pulls that become anonymous: the policy option silences the annotation warning.
    assert_eq!(run.code, 0);
    assert_eq!(run.stderr.lines().count(), 3, "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .all(|l| l.contains("but the pod spec has no imagePullSecrets")),
        "{}",
        run.stderr
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "[]",
            "[]",
            r#"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"mirror.example.com/shop/web:2.3.1"},{"op":"replace","path":"/spec/template/spec/initContainers/0/image","value":"mirror.example.com/shop/migrate:2.3.1"}]"#,
            "[]",
            r#"[{"op":"replace","path":"/spec/jobTemplate/spec/template/spec/containers/0/image","value":"mirror.example.com/shop/report:5.0"}]"#,
            r#"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"mirror.example.com/shop/backfill:1.0"}]"#,
        ]
    );
}

#[test]
fn another_annotation_key() {
    let renamed = MANIFESTS.replace(
        "coordinator.cci.io/image-replacement",
        "example.com/mirrors",
    );
    let run = imgrepl(&["apply", "-f", "-", "--patch"], renamed.as_bytes());
    assert!(run.stdout.lines().all(|l| l == "[]"), "{}", run.stdout);
    let run = imgrepl(
        &[
            "apply",
            "-f",
            "-",
            "--patch",
            "--annotation-key",
            "example.com/mirrors",
        ],
        renamed.as_bytes(),
    );
    assert_eq!(run.stdout, PATCHES);
}

#[test]
fn problems_are_reported_and_the_rest_is_rewritten() {
    let run = imgrepl(&["apply", "-f", &path("problems.yaml")], b"");
    assert_eq!(run.code, 1);
    // The pulls that become anonymous are warned about on their own lines (tested elsewhere).
    let stderr: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.contains("no imagePullSecrets"))
        .collect();
    assert_eq!(
        stderr[0],
        "imgrepl: document 1 (Pod/mixed) (line 13, column 12): error: containers[1] \"shouting\": image \"Nginx:latest\" left as it is: invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0"
    );
    assert!(stderr[1].starts_with(
        "imgrepl: document 2 (DaemonSet/typo) (line 28, column 47): error[invalid-policy]: "
    ));
    assert_eq!(
        &stderr[2..5],
        [
            "    error[missing-field] at /0/replaceWith: rule 0 has no \"replaceWith\"",
            "    1 | [{\"repositoryPrefix\": \"harbor.domain\", \"replacewith\": \"mirror.example.com\"}]",
            "      |  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        ]
    );
    assert_eq!(
        stderr.last().copied(),
        Some(
            "imgrepl: document 3 (ReplicationController/broken) (line 44, column 19): error[object-wrong-type]: /spec/template/spec/containers must be an array, not a string"
        )
    );

    let mut expected = yaml_documents(PROBLEMS);
    expected[0]["spec"]["containers"][0]["image"] = json!("mirror.example.com/hub/redis:7");
    expected[0]["spec"]["containers"][2]["image"] = json!("mirror.example.com/hub/busybox");
    expected[3]["items"][0]["template"]["spec"]["containers"][0]["image"] =
        json!("mirror.example.com/hub/alpine:3.20");
    assert_eq!(yaml_documents(&run.stdout), expected);

    let run = imgrepl(&["apply", "-f", &path("problems.yaml"), "--report"], b"");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "\
DOC  OBJECT                        BURST  CONTAINER                BEFORE        AFTER                               RULE
1    Pod/mixed                     -      containers[0] good       redis:7       mirror.example.com/hub/redis:7      0 \"\"
1    Pod/mixed                     -      containers[1] shouting   Nginx:latest  error[uppercase] at byte 0          -
1    Pod/mixed                     -      containers[2] also-good  busybox       mirror.example.com/hub/busybox      0 \"\"
2    DaemonSet/typo                -      -                        -             error[invalid-policy]               -
3    ReplicationController/broken  -      -                        -             error[object-wrong-type]            -
4.0  PodTemplate/listed            -      containers[0] app        alpine:3.20   mirror.example.com/hub/alpine:3.20  0 \"\"
"
    );

    let run = imgrepl(&["apply", "-f", &path("problems.yaml"), "--patch"], b"");
    assert_eq!(
        run.stdout.lines().nth(3),
        Some(
            r#"[{"op":"replace","path":"/items/0/template/spec/containers/0/image","value":"mirror.example.com/hub/alpine:3.20"}]"#
        )
    );
}

#[test]
fn usage_and_input_errors_exit_2() {
    let cases: &[(&[&str], &[u8], &str)] = &[
        (&["apply"], b"", "--filename <FILE>"),
        (
            &["apply", "-f", "/nonexistent/m.yaml"],
            b"",
            "imgrepl: reading /nonexistent/m.yaml: ",
        ),
        (
            &["apply", "-f", "-", "--report", "--patch"],
            b"",
            "cannot be used with",
        ),
        (&["apply", "-f", "-", "--json"], b"", "--report"),
        (
            &["apply", "-f", "-", "--mode", "shortest"],
            b"",
            "invalid value 'shortest'",
        ),
        (
            &["apply", "-f", "-"],
            b"a: \xff\n",
            "imgrepl: standard input: the input is not UTF-8 at byte 3",
        ),
        (
            &["apply", "-f", "-"],
            b"\xff\xfea\x00:\x00",
            "imgrepl: standard input: the input is UTF-16; manifests are read as UTF-8",
        ),
        (
            &["apply", "-f", "-", "--pod-spec", "example.com/Widget"],
            b"",
            "imgrepl: --pod-spec: invalid pod spec path \"example.com/Widget\": expected GROUP/KIND=PATH at byte 18",
        ),
    ];
    for (args, stdin, message) in cases {
        let run = imgrepl(args, stdin);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }
    let bad = temp_file("apply-bad-policy.json", r#"[{"repositoryPrefix": "a.io"}]"#);
    let run = imgrepl(
        &["apply", "-f", "-", "--policy", bad.to_str().unwrap()],
        b"{}",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error[missing-field] at /0/replaceWith: rule 0 has no \"replaceWith\""),
        "{}",
        run.stderr
    );
}

#[test]
fn an_alias_bomb_is_refused() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    let run = imgrepl(&["apply", "-f", "-"], bomb.as_bytes());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, bomb);
    assert_eq!(
        run.stderr,
        "imgrepl: document 1 (line 1, column 1): error[alias-expansion]: its aliases expand it to more than 100000 values (at most 4 per byte of the document, and at least 100,000); the document is left as it is\n"
    );
}

#[test]
fn a_document_that_cannot_be_read_is_reported_and_the_others_are_rewritten() {
    let input = "a: [1\n---\n{\"a\": [}\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx # c\n";
    let policy = temp_file(
        "apply-hub-policy.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#,
    );
    let run = imgrepl(
        &["apply", "-f", "-", "-p", policy.to_str().unwrap()],
        input.as_bytes(),
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        input.replace("image: nginx", "image: m.io/hub/nginx")
    );
    let stderr: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(stderr.len(), 3, "{}", run.stderr);
    assert_eq!(
        stderr[2],
        "imgrepl: document 3 (Pod) (line 8, column 3): warning: images move to m.io (containers[0]), but the pod spec has no imagePullSecrets: the pull will be anonymous"
    );
    assert!(
        stderr[0].starts_with("imgrepl: document 1 (line 2, column 1): error[invalid-yaml]: "),
        "{}",
        stderr[0]
    );
    assert!(
        stderr[1].starts_with("imgrepl: document 2 (line 3, column 8): error[invalid-yaml]: "),
        "{}",
        stderr[1]
    );
    let run = imgrepl(
        &[
            "apply",
            "-f",
            "-",
            "-p",
            policy.to_str().unwrap(),
            "--patch",
        ],
        input.as_bytes(),
    );
    assert_eq!(
        run.stdout,
        "[]\n[]\n[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"m.io/hub/nginx\"}]\n"
    );
}

#[test]
fn non_workloads_pass_through() {
    let input =
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n";
    let run = imgrepl(&["apply", "-f", "-"], input.as_bytes());
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, input, "")
    );
}

#[test]
fn admission_review_answers_a_request() {
    let run = imgrepl(&["admission-review"], REVIEW.as_bytes());
    assert_eq!((run.code, run.stderr.as_str()), (0, REVIEW_WARNING));
    assert_eq!(run.stdout, REVIEW_OUT);
    let response: Value = serde_json::from_str(&run.stdout).unwrap();
    let patch: json_patch::Patch =
        serde_json::from_slice(&decode(response["response"]["patch"].as_str().unwrap())).unwrap();
    let request: Value = serde_json::from_str(REVIEW).unwrap();
    let mut pod = request["request"]["object"].clone();
    json_patch::patch(&mut pod, &patch).unwrap();
    assert_eq!(
        pod["spec"]["containers"][1]["image"],
        "swr.cn-north-4.myhuaweicloud.com/org1/nginx:1.27"
    );

    let run = imgrepl(
        &[
            "admission-review",
            &path("admission-review.json"),
            "--compact",
        ],
        b"",
    );
    assert_eq!(run.stdout.lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap(),
        response
    );
}

#[test]
fn admission_review_problems() {
    let bad_image = REVIEW.replace("nginx:1.27", "Nginx");
    let run = imgrepl(&["admission-review", "-"], bad_image.as_bytes());
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "imgrepl: warning: images move to swr.cn-north-4.myhuaweicloud.com (containers[0] \"web\", initContainers[0] \"migrate\"), but the pod spec has no imagePullSecrets: the pull will be anonymous\n\
         imgrepl: warning: containers[1] \"proxy\": image \"Nginx\" left as it is: invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0\n"
    );
    let response: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(response["response"]["allowed"], true);
    assert!(response["response"]["patch"].is_string());

    let run = imgrepl(&["admission-review"], br#"{"kind": "Pod"}"#);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "imgrepl: not an AdmissionReview: kind must be \"AdmissionReview\"\n"
        )
    );
}

#[test]
fn the_readme_shows_the_real_output() {
    let readme = include_str!("../README.md");
    let report = format!(
        "```console\n$ imgrepl apply -f testdata/workloads/manifests.yaml --report\n{STDERR}{REPORT}```\n"
    );
    assert!(
        readme.contains(&report),
        "cli/README.md's `imgrepl apply --report` example differs:\n{report}"
    );
    let patch = format!(
        "```console\n$ imgrepl apply -f testdata/workloads/manifests.yaml --patch 2>/dev/null\n{PATCHES}```\n"
    );
    assert!(
        readme.contains(&patch),
        "cli/README.md's `imgrepl apply --patch` example differs:\n{patch}"
    );
    let review = format!(
        "```console\n$ imgrepl admission-review < testdata/workloads/admission-review.json 2>/dev/null\n{REVIEW_OUT}```\n"
    );
    assert!(
        readme.contains(&review),
        "cli/README.md's `imgrepl admission-review` example differs:\n{review}"
    );
    // The byte-preserving example: the README's diff is the real one, line by line.
    let input = std::fs::read_to_string(format!("{DIR}../manifests/readme.yaml")).unwrap();
    let run = imgrepl(&["apply", "-f", "-"], input.as_bytes());
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            0,
            "imgrepl: document 1 (Deployment/web) (line 18, column 7): warning: images move to mirror.example.com (containers[0] \"web\", containers[1] \"proxy\"), but the pod spec has no imagePullSecrets: the pull will be anonymous\n"
        )
    );
    assert_eq!(input.lines().count(), run.stdout.lines().count());
    let mut diff = String::new();
    for (n, (a, b)) in input.lines().zip(run.stdout.lines()).enumerate() {
        if a != b {
            let _ = write!(diff, "{0}c{0}\n< {a}\n---\n> {b}\n", n + 1);
        }
    }
    assert_eq!(
        diff.matches("\n---\n").count(),
        2,
        "two lines change:\n{diff}"
    );
    let shown = format!(
        "```console\n$ imgrepl apply -f testdata/manifests/readme.yaml | diff testdata/manifests/readme.yaml -\n{diff}```\n"
    );
    assert!(
        readme.contains(&shown),
        "cli/README.md's byte-preserving example differs:\n{shown}"
    );
}

/// Base64 decoding for the tests, by the `base64` crate.
mod base64_check {
    use base64::Engine as _;

    pub fn decode(text: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    }
}
