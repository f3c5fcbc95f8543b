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

#[path = "../../../core/tests/common/tools.rs"]
mod tools;
#[allow(
    unused_imports,
    reason = "each test file uses its part of the common module"
)]
pub use tools::{REQUIRE_TOOLS, tool_output};

/// Runs a README command line with `sh` from the repository root, `imgrepl` being the built
/// binary: stderr then stdout, as the README shows them.
pub fn shell(command: &str) -> String {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_imgrepl"));
    let dir = bin.parent().unwrap();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("PATH", path)
        .output()
        .unwrap();
    String::from_utf8(out.stderr).unwrap() + &String::from_utf8(out.stdout).unwrap()
}
