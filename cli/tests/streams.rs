//! No output path panics: every subcommand run with standard output and standard error closed,
//! full (`/dev/full`), or a pipe whose reader went away. A closed pipe ends the command quietly
//! (exit code 0); a full stream is exit code 2; a closed descriptor is a sink.

mod common;

use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::process::{Command, Stdio};

use common::temp_file;

/// Where a stream of the child goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// A pipe read to the end by the test.
    Pipe,
    /// `/dev/full`: every write fails with "no space left on device".
    Full,
    /// No open descriptor at all (`>&-`).
    Closed,
}

#[derive(Debug)]
struct Ran {
    code: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn stdio(sink: Sink) -> Stdio {
    match sink {
        Sink::Pipe => Stdio::piped(),
        Sink::Full => Stdio::from(File::create("/dev/full").expect("/dev/full opens for writing")),
        Sink::Closed => Stdio::inherit(),
    }
}

/// Runs `imgrepl args…` with `stdin` and its two output streams as given.
fn run(args: &[String], stdin: &[u8], out: Sink, err: Sink) -> Ran {
    // A closed descriptor needs a shell: `exec` keeps the process, `>&-` closes the stream.
    let mut closing = String::new();
    if out == Sink::Closed {
        closing.push_str(" >&-");
    }
    if err == Sink::Closed {
        closing.push_str(" 2>&-");
    }
    let mut command = if closing.is_empty() {
        let mut c = Command::new(env!("CARGO_BIN_EXE_imgrepl"));
        c.args(args);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!("exec \"$0\" \"$@\"{closing}"))
            .arg(env!("CARGO_BIN_EXE_imgrepl"))
            .args(args);
        c
    };
    let stdin_file = temp_file("streams-stdin", "");
    std::fs::write(&stdin_file, stdin).unwrap();
    let output = command
        .stdin(File::open(&stdin_file).unwrap())
        .stdout(stdio(out))
        .stderr(stdio(err))
        .output()
        .expect("imgrepl runs");
    Ran {
        code: output.status.code().expect("exited, not killed"),
        stdout: output.stdout,
        stderr: output.stderr,
    }
}

/// Every subcommand, each in a run that writes both to standard output and to standard error
/// where the command can, with its input.
fn every_subcommand() -> Vec<(Vec<String>, Vec<u8>)> {
    let policy = temp_file(
        "streams-policy.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}, {"repositoryPrefix": "a.io", "replaceWith": "org"}]"#,
    );
    let manifest = temp_file(
        "streams-pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: nginx\n  - name: b\n    image: Bad\n",
    );
    let review = temp_file(
        "streams-review.json",
        r#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u", "operation": "CREATE",
            "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
              "spec": {"containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "Bad"}]}}}}"#,
    );
    let path = |p: &std::path::Path| p.display().to_string();
    let mut long_line = b"nginx\n".to_vec();
    long_line.extend(std::iter::repeat_n(b'a', (1 << 20) + 1));
    long_line.extend_from_slice(b"\nredis\n");
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        (vec![], vec![]),
        (args(&["--help"]), vec![]),
        (args(&["parse", "--bogus"]), vec![]),
        (args(&["parse"]), long_line.clone()),
        (args(&["parse", "--json", "nginx", "Bad"]), vec![]),
        (args(&["check", &path(&policy)]), vec![]),
        (
            args(&["rewrite", "--policy", &path(&policy), "--explain"]),
            long_line,
        ),
        (
            args(&["apply", "-f", &path(&manifest), "--policy", &path(&policy)]),
            vec![],
        ),
        (args(&["apply", "-f", &path(&manifest), "--report"]), vec![]),
        (
            args(&[
                "admission-review",
                &path(&review),
                "--policy",
                &path(&policy),
            ]),
            vec![],
        ),
    ]
}

#[test]
fn closed_and_full_streams_never_panic() {
    for (args, stdin) in every_subcommand() {
        let normal = run(&args, &stdin, Sink::Pipe, Sink::Pipe);
        assert!(matches!(normal.code, 0..=2), "{args:?}: {normal:?}");
        let writes_stdout = !normal.stdout.is_empty();
        let writes_stderr = !normal.stderr.is_empty();
        assert!(writes_stdout || writes_stderr, "{args:?}");
        let full_out = if writes_stdout { 2 } else { normal.code };
        let full_err = if writes_stderr { 2 } else { normal.code };

        // Closed descriptors are sinks: the command runs as usual.
        let closed = run(&args, &stdin, Sink::Closed, Sink::Closed);
        assert_eq!(
            closed.code, normal.code,
            "{args:?} with both streams closed"
        );

        // A full standard output: exit code 2, and standard error says why.
        let full = run(&args, &stdin, Sink::Full, Sink::Pipe);
        let said = String::from_utf8(full.stderr).unwrap();
        assert_eq!(full.code, full_out, "{args:?} with a full stdout: {said}");
        assert!(!said.contains("panicked"), "{args:?}: {said}");
        if writes_stdout && !args.first().is_some_and(|a| a.starts_with("--")) {
            assert!(
                said.ends_with(
                    "imgrepl: writing standard output: No space left on device (os error 28)\n"
                ),
                "{args:?}: {said}"
            );
        }

        // A full standard error: exit code 2 when the command writes to it, else as usual.
        let full = run(&args, &stdin, Sink::Pipe, Sink::Full);
        assert_eq!(full.code, full_err, "{args:?} with a full stderr");

        // Both full, and one full with the other closed.
        let both = if writes_stdout || writes_stderr {
            2
        } else {
            normal.code
        };
        assert_eq!(
            run(&args, &stdin, Sink::Full, Sink::Full).code,
            both,
            "{args:?}"
        );
        assert_eq!(
            run(&args, &stdin, Sink::Full, Sink::Closed).code,
            full_out,
            "{args:?}"
        );
        assert_eq!(
            run(&args, &stdin, Sink::Closed, Sink::Full).code,
            full_err,
            "{args:?}"
        );
    }
}

/// Spawns `imgrepl args…` with both output streams piped, reads one chunk of `which` stream and
/// closes it, then drains the other: the exit code and what the other stream held.
fn close_early(args: &[&str], stdin: &[u8], close_stdout: bool) -> (i32, String) {
    let stdin_file = temp_file("streams-early-stdin", "");
    std::fs::write(&stdin_file, stdin).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_imgrepl"))
        .args(args)
        .stdin(File::open(&stdin_file).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut first = [0u8; 16];
    let mut other = String::new();
    if close_stdout {
        assert!(out.read(&mut first).unwrap() > 0);
        drop(out);
        err.read_to_string(&mut other).unwrap();
    } else {
        assert!(err.read(&mut first).unwrap() > 0);
        drop(err);
        // Read standard output in another thread so the child never blocks on it.
        let reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            out.read_to_end(&mut s).map(|_| s.len())
        });
        reader.join().unwrap().unwrap();
    }
    let code = child.wait().unwrap().code().expect("exited, not killed");
    (code, other)
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Standard output closed by its reader (`imgrepl parse < images | head -c 16`).
    let images = "nginx\n".repeat(200_000);
    let (code, stderr) = close_early(&["parse"], images.as_bytes(), true);
    assert_eq!((code, stderr.as_str()), (0, ""));

    // Standard error closed by its reader (`imgrepl apply … 2>&1 | head -1`): many errors.
    let mut pod =
        String::from("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n");
    for i in 0..20_000 {
        writeln!(pod, "  - name: c{i}\n    image: Bad{i}").unwrap();
    }
    let policy = temp_file(
        "streams-early-policy.json",
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#,
    );
    let manifest = temp_file("streams-early-pod.yaml", &pod);
    let (code, _) = close_early(
        &[
            "apply",
            "-f",
            &manifest.display().to_string(),
            "--policy",
            &policy.display().to_string(),
        ],
        b"",
        false,
    );
    assert_eq!(code, 0);
}
