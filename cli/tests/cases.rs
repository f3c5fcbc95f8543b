//! The hard cases of `testdata/cases/` (policy/, admission/, images/) as a user runs them:
//! each pins the expected behaviour (the library's side is in `core/tests/cases.rs`).

mod common;

use std::fmt::Write as _;

use common::{Run, imgrepl, temp_file};

fn case(path: &str) -> String {
    format!("{}/../testdata/cases/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn many_errors_on_one_line_print_a_clipped_window_each() {
    let file = case("policy/many_errors_oneline.json");
    let size = std::fs::metadata(&file).unwrap().len();
    let run = imgrepl(&["check", &file], b"");
    assert_eq!(run.code, 1);
    let diagnostics = run.stdout.matches("error[").count();
    assert_eq!(diagnostics, 5372);
    // Output in proportion to the number of diagnostics, not to their line's length: no line
    // is longer than a message or a window, and all of it is far less than one copy of the
    // line per diagnostic (which was 2.1 GB).
    let longest = run.stdout.lines().map(str::len).max().unwrap();
    assert!(longest < 400, "{longest}");
    assert!(run.stdout.len() < diagnostics * 600, "{}", run.stdout.len());
    assert!((run.stdout.len() as u64) < 20 * size);
    // Each window has its `…` and a caret under the span.
    let window = run.stdout.lines().nth(3).unwrap();
    assert!(
        window.starts_with("1 | [{") && window.ends_with('…'),
        "{window}"
    );
    assert!(
        run.stdout
            .ends_with("invalid policy: 5372 errors, 0 warnings\n")
    );
}

#[test]
fn apply_uses_the_same_clipped_renderer() {
    let policy = std::fs::read_to_string(case("policy/many_errors_oneline.json")).unwrap();
    let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "annotations": {imgrepl_k8s::ANNOTATION_KEY: policy.trim_end()}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
    let file = temp_file("cases-pod.json", &pod.to_string());
    let run = imgrepl(&["apply", "-f", &file.display().to_string()], b"");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.matches("    error[invalid-prefix]").count(),
        5372
    );
    let longest = run.stderr.lines().map(str::len).max().unwrap();
    assert!(longest < 400, "{longest}");
    // The same window as `check` draws for the first diagnostic.
    let check = imgrepl(&["check", &case("policy/many_errors_oneline.json")], b"");
    let window = check.stdout.lines().nth(3).unwrap();
    assert!(run.stderr.contains(&format!("    {window}\n")), "{window}");
}

#[test]
fn pathonly_repl_is_an_invalid_result() {
    let policy = case("policy/pathonly_repl.json");
    let image = format!("x.io/{}", "a".repeat(252));
    let run = imgrepl(&["rewrite", "--json", "-p", &policy, &image], b"");
    assert_eq!(run.code, 1);
    let record: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(record["error"]["code"], "invalid-result");
    assert_eq!(record["result"], image.as_str());
    assert_eq!(record["changed"], false);
    // One byte shorter is rewritten.
    let image = format!("x.io/{}", "a".repeat(251));
    let run = imgrepl(&["rewrite", "-p", &policy, &image], b"");
    assert_eq!(run.code, 0, "{run:?}");
    // `check` warns that `org` names no registry.
    let run = imgrepl(&["check", &policy], b"");
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("warning[implicit-docker-hub]: replaceWith \"org\" names no registry")
    );
}

#[test]
fn lone_surrogates_are_named_at_their_position() {
    for (file, line) in [
        (
            "policy/surrogate.json",
            "error[invalid-json]: \"repositoryPrefix\" of rule 0 is not valid JSON: invalid escape `\\ud800` (a lone surrogate)",
        ),
        (
            "policy/surrogate_key.json",
            "error[invalid-json]: not valid JSON: invalid escape `\\ud800` (a lone surrogate)",
        ),
    ] {
        let run = imgrepl(&["check", &case(file)], b"");
        assert_eq!(run.code, 1);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines[0], line);
        // The caret is under the escape, six characters.
        let text = lines[3].strip_prefix("1 | ").unwrap();
        let caret = lines[4].strip_prefix("  | ").unwrap();
        let at = caret.find('^').unwrap();
        assert_eq!(&text[at..at + 6], "\\ud800");
        assert_eq!(caret.trim_start(), "^^^^^^");
        assert!(!run.stdout.contains("not a string"));
    }
}

#[test]
fn bom_before_a_policy_is_skipped() {
    let run = imgrepl(&["check", &case("policy/bom.json")], b"");
    assert_eq!(run.code, 0, "{run:?}");
    let run = imgrepl(&["rewrite", "-p", &case("policy/bom.json"), "a.io/x"], b"");
    assert_eq!(
        run.stdout,
        "a.io/x → m.io/x (rule 0: \"a.io\" → \"m.io\")\n"
    );
}

#[test]
fn related_spans_are_labelled_with_what_they_point_at() {
    let run = imgrepl(&["check", &case("policy/identity.json")], b"");
    assert!(
        run.stdout
            .contains("\nnote: the rule's repositoryPrefix, the same text\n"),
        "{}",
        run.stdout
    );
    let run = imgrepl(&["check", &case("policy/chained.json")], b"");
    assert!(
        run.stdout
            .contains("\nnote: the repositoryPrefix that matches these results\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("first occurrence"));
}

#[test]
fn policies_over_256_kib_have_one_behaviour_for_every_size() {
    assert_eq!(
        imgrepl(&["check", &case("policy/exact256k_valid.json")], b"").code,
        0
    );
    let message = "error[too-large]: the policy is larger than 262144 bytes (256 KiB), the most an object's annotations may hold";
    let over = case("policy/over256k_valid.json");
    let run = imgrepl(&["check", &over], b"");
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with(message), "{}", run.stdout);
    // 1 MiB + 1 and 6.7 MB: the same diagnostic and exit code, read from a file or stdin.
    for size in [(1 << 20) + 1, 6_700_000] {
        let text = format!("[{}]", " ".repeat(size - 2));
        let file = temp_file("cases-big-policy.json", &text);
        let run = imgrepl(&["check", &file.display().to_string()], b"");
        assert_eq!(run.code, 1, "{size}");
        assert!(run.stdout.starts_with(message), "{size}: {}", run.stdout);
        let run = imgrepl(&["check"], text.as_bytes());
        assert_eq!(run.code, 1, "{size}");
        assert!(run.stdout.starts_with(message), "{size}");
        // Given to `rewrite`, an invalid policy is exit 2 with the same message.
        let run = imgrepl(
            &["rewrite", "-p", &file.display().to_string(), "nginx"],
            b"",
        );
        assert_eq!(run.code, 2);
        assert!(
            run.stderr
                .contains("the policy is larger than 262144 bytes"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn admission_review_with_a_bom() {
    let run = imgrepl(&["admission-review", &case("admission/bom.json")], b"");
    assert_eq!(run.code, 0, "{run:?}");
    let body: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(body["response"]["patchType"], "JSONPatch");
}

#[test]
fn admission_review_warnings_are_capped() {
    let run = imgrepl(
        &[
            "admission-review",
            "--compact",
            &case("admission/many_errors_review.json"),
        ],
        b"",
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.len() < 8192, "{}", run.stdout.len());
    let body: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let warnings = body["response"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 15);
    assert_eq!(warnings[14], "imgrepl: and 5358 more warnings");
    assert_eq!(run.stderr.lines().count(), 15);
    assert!(
        run.stderr
            .ends_with("imgrepl: warning: and 5358 more warnings\n")
    );
}

#[test]
fn admission_review_object_limit() {
    let review = |pad: usize| {
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"u","operation":"CREATE","object":{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p","annotations":{{"pad":"{}"}}}},"spec":{{"containers":[{{"name":"c","image":"nginx"}}]}}}}}}}}"#,
            "x".repeat(pad)
        )
    };
    // The object is the text between `"object":` and the last two braces.
    let object_len = |r: &str| r.len() - r.find(r#""object":"#).unwrap() - r#""object":"#.len() - 2;
    let base = review(0);
    let pad = imgrepl_k8s::MAX_OBJECT_BYTES + 1 - object_len(&base);
    let over = review(pad);
    assert_eq!(object_len(&over), imgrepl_k8s::MAX_OBJECT_BYTES + 1);
    let policy = temp_file(
        "cases-hub.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#,
    );
    let policy = policy.display().to_string();
    let run = imgrepl(
        &["admission-review", "--compact", "-p", &policy],
        over.as_bytes(),
    );
    assert_eq!(run.code, 1);
    let body: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(body["response"]["allowed"], true);
    assert!(body["response"].get("patch").is_none());
    assert!(
        body["response"]["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with(
                "imgrepl: left as it is: the object is 3145729 bytes; at most 3145728 bytes"
            ),
        "{}",
        body["response"]["warnings"][0]
    );
    // One byte less is rewritten.
    let run = imgrepl(
        &["admission-review", "--compact", "-p", &policy],
        review(pad - 1).as_bytes(),
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("\"patchType\":\"JSONPatch\""));
}

#[test]
fn an_over_long_stdin_line_is_reported_and_the_rest_processed() {
    let mut input = b"nginx\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', (1 << 20) + 1));
    input.extend_from_slice(b"\nredis\n");
    let run = imgrepl(&["parse", "--json"], &input);
    assert_eq!(run.code, 1);
    let inputs: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["input"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(inputs, ["nginx", "redis"]);
    assert_eq!(
        run.stderr,
        "imgrepl: standard input line 2: longer than 1048576 bytes, skipped\n"
    );
    // The same for `rewrite`, and the line numbers after it stay true.
    let policy = temp_file(
        "cases-hub2.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#,
    );
    input.extend_from_slice(b"Bad\n");
    let run = imgrepl(&["rewrite", "-p", &policy.display().to_string()], &input);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("nginx → m.io/nginx (rule 0: \"\" → \"m.io\")\nredis → m.io/redis"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Bad ✗ left as it is (line 4)"),
        "{}",
        run.stdout
    );
}

#[test]
fn blank_stdin_lines_are_skipped() {
    let run = imgrepl(&["parse"], b"\nnginx\n\r\n \t\nredis\n\n");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 2);
    // An empty argument is still an empty reference: it was given.
    assert_eq!(imgrepl(&["parse", ""], b"").code, 1);
}

#[test]
fn standard_input_is_never_read_twice() {
    let stdin = b"[{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io\"}]\nnginx\n";
    let usage = |run: Run, what: &str| {
        assert_eq!(run.code, 2, "{run:?}");
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr.starts_with(&format!(
                "imgrepl: {what} cannot both be read from standard input"
            )),
            "{}",
            run.stderr
        );
    };
    usage(
        imgrepl(&["rewrite", "-p", "-"], stdin),
        "the policy (--policy -) and the images (none given as arguments)",
    );
    usage(
        imgrepl(&["apply", "-f", "-", "-p", "-"], stdin),
        "the manifests (-f -) and the policy (--policy -)",
    );
    usage(
        imgrepl(&["admission-review", "-p", "-"], stdin),
        "the AdmissionReview (FILE -) and the policy (--policy -)",
    );
    // The policy from stdin with images as arguments is fine.
    let run = imgrepl(&["rewrite", "-p", "-", "nginx"], &stdin[..stdin.len() - 6]);
    assert_eq!(run.stdout, "nginx → m.io/nginx (rule 0: \"\" → \"m.io\")\n");
}

#[test]
fn odd_lines_are_held_up() {
    let text = std::fs::read(case("images/odd.txt")).unwrap();
    let run = imgrepl(&["parse", "--json"], &text);
    assert_eq!(run.code, 1);
    let records: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every line but the two blank ones (`\r\n` and `\n`) has its record, in order.
    assert_eq!(text.split(|&b| b == b'\n').count(), 12);
    assert_eq!(records.len(), 9);
    let ok: Vec<bool> = records.iter().map(|r| r["ok"].as_bool().unwrap()).collect();
    // Only the first line, `nginx` with a CRLF ending, is a reference.
    assert_eq!(ok.iter().filter(|&&ok| ok).count(), 1, "{}", run.stdout);
    assert!(ok[0]);
    // The human form escapes control characters: no escape sequence reaches the terminal.
    let run = imgrepl(&["parse"], &text);
    assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\0'));
    let mut shown = String::new();
    for line in run.stdout.lines().filter(|l| l.starts_with("invalid")) {
        writeln!(shown, "{line}").unwrap();
    }
    assert!(shown.contains("invalid  \\u{1b}[31mred"), "{shown}");
}
