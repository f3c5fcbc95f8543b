//! `imgrepl parse`, run as a user runs it: the built binary, exact stdout, stderr and exit code.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use imgrepl::Reference;

mod common;

use common::{Run, imgrepl};

/// The library's full error for `input` (as written), which the CLI prints word for word.
fn error_of(input: &str) -> String {
    Reference::parse(input).unwrap_err().to_string()
}

#[track_caller]
fn ok(code: i32, stdout: &str) -> Run {
    Run {
        code,
        stdout: stdout.to_owned(),
        stderr: String::new(),
    }
}

const NGINX_JSON: &str = r#"{"input":"nginx:latest","ok":true,"code":null,"error":null,"offset":null,"name":"nginx","domain":null,"path":"nginx","tag":"latest","digest":null,"normalized":{"ok":true,"code":null,"error":null,"name":"docker.io/library/nginx","domain":"docker.io","path":"library/nginx","tag":"latest","digest":null,"familiar":"nginx:latest","string":"docker.io/library/nginx:latest"},"docker_ref":{"ok":true,"code":null,"error":null,"string":"docker.io/library/nginx:latest"}}
"#;

const UPPERCASE_JSON: &str = r#"{"input":"registry/Team/app","ok":false,"code":"uppercase","error":"repository name must be lowercase: uppercase letter in repository path at byte 9","offset":9,"name":null,"domain":null,"path":null,"tag":null,"digest":null,"normalized":{"ok":false,"code":"uppercase","error":"repository name must be lowercase: uppercase letter in repository path at byte 9","name":null,"domain":null,"path":null,"tag":null,"digest":null,"familiar":null,"string":null},"docker_ref":{"ok":false,"code":"uppercase","error":"repository name must be lowercase: uppercase letter in repository path at byte 9","string":null}}
"#;

#[test]
fn human_valid_references_exit_0() {
    let digest = "sha256:0123456789012345678901234567890123456789012345678901234567890123";
    let with_digest = format!("[::1]:5000/team/app:v1@{digest}");
    assert_eq!(
        imgrepl(&["parse", "nginx", &with_digest], b""),
        ok(
            0,
            &format!(
                "\
ok       nginx  path=nginx normalized=docker.io/library/nginx
ok       {with_digest}  domain=[::1]:5000 path=team/app tag=v1 digest={digest} normalized={with_digest}
"
            )
        )
    );
}

#[test]
fn human_invalid_reference_has_a_caret_and_exits_1() {
    assert_eq!(
        imgrepl(&["parse", "registry/Team/app", "nginx", ""], b""),
        ok(
            1,
            "\
invalid  registry/Team/app
                  ^ [uppercase] repository name must be lowercase: uppercase letter in repository path at byte 9
ok       nginx  path=nginx normalized=docker.io/library/nginx
invalid  \n         ^ [empty] repository name must have at least one component: empty reference at byte 0
"
        )
    );
    assert!(error_of("").ends_with(" at byte 0"));
}

#[test]
fn human_shows_a_failing_normalized_view() {
    let hex = "0123456789012345678901234567890123456789012345678901234567890123";
    assert_eq!(
        imgrepl(&["parse", hex], b""),
        ok(
            0,
            &format!(
                "ok       {hex}  path={hex} normalized=[hex-name] cannot specify 64-byte hexadecimal strings\n"
            )
        )
    );
}

#[test]
fn json_one_object_per_input_in_the_documented_order() {
    assert_eq!(
        imgrepl(
            &["parse", "--json", "nginx:latest", "registry/Team/app"],
            b""
        ),
        ok(1, &format!("{NGINX_JSON}{UPPERCASE_JSON}"))
    );
    assert_eq!(
        imgrepl(&["parse", "nginx:latest", "--json"], b""),
        ok(0, NGINX_JSON)
    );
}

#[test]
fn json_fields_of_every_view() {
    let run = imgrepl(
        &[
            "parse",
            "--json",
            "index.docker.io/user/app:1",
            "0123456789012345678901234567890123456789012345678901234567890123",
        ],
        b"",
    );
    assert_eq!(run.code, 0);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({
            "input": "index.docker.io/user/app:1", "ok": true, "code": null, "error": null,
            "offset": null, "name": "index.docker.io/user/app", "domain": "index.docker.io",
            "path": "user/app", "tag": "1", "digest": null,
            "normalized": {
                "ok": true, "code": null, "error": null, "name": "docker.io/user/app",
                "domain": "docker.io", "path": "user/app", "tag": "1", "digest": null,
                "familiar": "user/app:1", "string": "docker.io/user/app:1"
            },
            "docker_ref": {"ok": true, "code": null, "error": null, "string": "docker.io/user/app:1"}
        })
    );
    let hex_error = "cannot specify 64-byte hexadecimal strings: \
                     a 64-hex-digit identifier cannot be used as a name at byte 0";
    assert_eq!(lines[1]["ok"], true);
    assert_eq!(lines[1]["domain"], serde_json::Value::Null);
    assert_eq!(
        lines[1]["normalized"],
        serde_json::json!({
            "ok": false, "code": "hex-name", "error": hex_error, "name": null, "domain": null,
            "path": null, "tag": null, "digest": null, "familiar": null, "string": null
        })
    );
    assert_eq!(
        lines[1]["docker_ref"],
        serde_json::json!({"ok": false, "code": "hex-name", "error": hex_error, "string": null})
    );
}

#[test]
fn stdin_lines_when_no_reference_is_given() {
    assert_eq!(
        imgrepl(&["parse", "--json"], b"nginx:latest\nregistry/Team/app\n"),
        ok(1, &format!("{NGINX_JSON}{UPPERCASE_JSON}"))
    );
    // The last line needs no newline; an empty stream is no input, and all valid.
    assert_eq!(
        imgrepl(&["parse", "--json"], b"nginx:latest"),
        ok(0, NGINX_JSON)
    );
    assert_eq!(imgrepl(&["parse"], b""), ok(0, ""));
}

#[test]
fn stdin_trailing_crlf_is_one_line_ending() {
    assert_eq!(
        imgrepl(&["parse", "--json"], b"nginx:latest\r\n"),
        ok(0, NGINX_JSON)
    );
    // Only one `\r\n` or `\n` goes: a blank line is skipped, a lone `\r` at the end stays.
    assert_eq!(
        imgrepl(&["parse"], b"nginx:1\r\n\r\na\r"),
        ok(
            1,
            &format!(
                "\
ok       nginx:1  path=nginx tag=1 normalized=docker.io/library/nginx:1
invalid  a\\r
          ^ [invalid-format] {}
",
                error_of("a\r")
            )
        )
    );
}

#[test]
fn stdin_invalid_utf8_line_is_an_invalid_reference() {
    assert_eq!(
        imgrepl(&["parse"], b"ngi\xffnx\nnginx\n"),
        ok(
            1,
            &format!(
                "\
invalid  ngi\u{FFFD}nx
            ^ [invalid-format] {} (the input is not UTF-8: U+FFFD shows the bad bytes)
ok       nginx  path=nginx normalized=docker.io/library/nginx
",
                error_of("ngi\u{FFFD}nx")
            )
        )
    );
    let run = imgrepl(&["parse", "--json"], b"ngi\xffnx\n");
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["input"], "ngi\u{FFFD}nx");
    assert_eq!(v["code"], "invalid-format");
    assert_eq!(v["offset"], 3);
    assert_eq!(v["normalized"]["ok"], false);
}

#[test]
fn stdin_is_answered_line_by_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_imgrepl"))
        .args(["parse"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            tx.send(line.unwrap()).unwrap();
        }
    });
    let timeout = Duration::from_secs(30);
    // Each answer arrives while stdin is still open: the stream is not read to its end first.
    for (image, answer) in [
        (
            "nginx",
            "ok       nginx  path=nginx normalized=docker.io/library/nginx",
        ),
        (
            "redis:7",
            "ok       redis:7  path=redis tag=7 normalized=docker.io/library/redis:7",
        ),
    ] {
        writeln!(stdin, "{image}").unwrap();
        stdin.flush().unwrap();
        let got = rx.recv_timeout(timeout);
        if got.is_err() {
            child.kill().unwrap();
        }
        assert_eq!(
            got.as_deref(),
            Ok(answer),
            "no answer for {image} before the stream ended"
        );
    }
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    reader.join().unwrap();
}

#[test]
fn stdin_stream_of_many_lines() {
    let n = 100_000;
    let mut input = Vec::new();
    for i in 0..n {
        writeln!(input, "registry.example:5000/team/app-{i}:v{i}").unwrap();
    }
    input.extend_from_slice(b"Bad\n");
    let run = imgrepl(&["parse", "--json"], &input);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), n + 1);
    assert!(lines[n - 1].starts_with(&format!(
        r#"{{"input":"registry.example:5000/team/app-{}:v{}","ok":true,"#,
        n - 1,
        n - 1
    )));
    assert!(lines[n].starts_with(r#"{"input":"Bad","ok":false,"code":"uppercase","#));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let run = imgrepl(&["parse", "--bogus"], b"");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr.contains("unexpected argument '--bogus'"),
        "{}",
        run.stderr
    );

    let run = imgrepl(&["frobnicate"], b"");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{}",
        run.stderr
    );

    // An over-long line is reported and skipped; the rest is read (exit 1): see
    // `cli/tests/cases.rs`.
    let mut long = vec![b'a'; (1 << 20) + 1];
    long.push(b'\n');
    let run = imgrepl(&["parse"], &long);
    assert_eq!(
        run,
        Run {
            code: 1,
            stdout: String::new(),
            stderr: "imgrepl: standard input line 1: longer than 1048576 bytes, skipped\n"
                .to_owned()
        }
    );
}

#[test]
fn a_reference_may_start_with_a_dash_after_double_dash() {
    assert_eq!(
        imgrepl(&["parse", "--", "-x"], b""),
        ok(
            1,
            &format!(
                "invalid  -x\n         ^ [invalid-format] {}\n",
                error_of("-x")
            )
        )
    );
}

#[test]
fn help_lists_parse() {
    let run = imgrepl(&["--help"], b"");
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("\n  parse "), "{}", run.stdout);
    let run = imgrepl(&["parse", "--help"], b"");
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("Usage: imgrepl parse [OPTIONS] [REF]..."),
        "{}",
        run.stdout
    );
}
