//! Running the built `imgrepl` binary as a user does, for the CLI's integration tests.

#![allow(dead_code, reason = "each test binary uses a part of this module")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;

/// What a run printed and how it ended.
#[derive(Debug, PartialEq, Eq)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `imgrepl args…` with `stdin` as its standard input.
#[track_caller]
pub fn imgrepl(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_imgrepl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the imgrepl binary runs");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Written from a thread, so a large input cannot block on a full output pipe.
    let writer = thread::spawn(move || pipe.write_all(&input));
    let output = child.wait_with_output().unwrap();
    // The child may exit before reading all of stdin (a usage error): that is not a failure.
    let _ = writer.join().unwrap();
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// A file with `contents` in a fresh temporary directory of this test (named by `name`).
pub fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imgrepl-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// The environment variable that makes a missing external tool a failure: `cargo xtask test`
/// installs the tools its test step needs and sets it to `1`.
pub const REQUIRE_TOOLS: &str = "IMGREPL_REQUIRE_TOOLS";

/// Runs `command`, which starts the external program `tool` (`kubectl`, `python3`).
///
/// When `tool` is not installed, a plain `cargo test` skips the test: this returns `None` and
/// says so on standard error (written directly, so the harness shows it even for a passing
/// test). With `IMGREPL_REQUIRE_TOOLS=1`, as `cargo xtask test` runs the tests, a missing tool
/// fails the test instead, so CI cannot pass without running it.
///
/// # Panics
///
/// When the tool cannot be started for another reason, or is missing and required.
#[track_caller]
pub fn tool_output(
    command: &mut std::process::Command,
    tool: &str,
) -> Option<std::process::Output> {
    match command.output() {
        Ok(output) => Some(output),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && std::env::var_os(REQUIRE_TOOLS).is_none_or(|v| v != "1") =>
        {
            let test = std::thread::current().name().unwrap_or("a test").to_owned();
            let _ = writeln!(
                std::io::stderr(),
                "note: {test} skipped: {tool} is not on the PATH (`cargo xtask test` installs it \
                 and sets {REQUIRE_TOOLS}=1, which makes its absence a failure)"
            );
            None
        }
        Err(e) => panic!("{tool} could not be started ({e}); cargo xtask test installs it"),
    }
}
