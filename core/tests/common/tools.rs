//! Tests that run an external program (`kubectl`, `python3`): skipped under a plain
//! `cargo test` when it is missing, required under `cargo xtask test`. Shared by the core's and
//! the CLI's tests (the CLI includes this file by path).

use std::io::Write as _;

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
