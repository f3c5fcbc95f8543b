//! Running commands the xtask way: print the command, run it in the workspace root, and turn
//! any failure into a message that says what failed and how.
//!
//! Every suite (`test`, `bench`, `fuzz`, …) runs its tools through [`Cmd`], so that a log shows
//! exactly what ran and a failure stops the run with one clear line:
//!
//! ```text
//! [xtask] $ RUSTDOCFLAGS=-Dwarnings cargo doc --no-deps --workspace
//! …
//! error: `RUSTDOCFLAGS=-Dwarnings cargo doc --no-deps --workspace` failed: exit status: 101
//! ```
//!
//! ```ignore
//! # fn f() -> Result<(), String> {
//! use crate::cmd::Cmd;
//! Cmd::cargo().args(["test", "--workspace"]).run()?;
//! Cmd::cargo().args(["doc", "--no-deps"]).env("RUSTDOCFLAGS", "-Dwarnings").run()?;
//! if !Cmd::cargo().args(["fmt", "--version"]).probe() {
//!     Cmd::new("rustup").args(["component", "add", "rustfmt"]).run()?;
//! }
//! # Ok(()) }
//! ```

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The workspace root: the parent of the `xtask` crate. Commands run here by default.
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Cargo's target directory for the workspace: `target/` in the root unless `CARGO_TARGET_DIR`
/// (or `build.target-dir` in a cargo config) moves it, as `cargo metadata` says. Asked once
/// per run; when cargo cannot answer, `CARGO_TARGET_DIR` (relative to the root, where xtask
/// runs cargo) or the root's `target/`.
pub fn target_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        cargo_metadata()
            .ok()
            .and_then(|json| target_directory(&json))
            .unwrap_or_else(|| {
                std::env::var_os("CARGO_TARGET_DIR")
                    .filter(|dir| !dir.is_empty())
                    .map_or_else(|| root().join("target"), |dir| root().join(dir))
            })
    })
    .clone()
}

/// The JSON of `cargo metadata --no-deps` (the workspace's packages, versions, target
/// directory), asked of cargo once per run.
///
/// # Errors
///
/// When cargo fails.
pub fn cargo_metadata() -> Result<String, String> {
    static JSON: OnceLock<Result<String, String>> = OnceLock::new();
    JSON.get_or_init(|| {
        Cmd::cargo()
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .read()
    })
    .clone()
}

/// The `target_directory` of `cargo metadata`'s JSON.
fn target_directory(metadata: &str) -> Option<PathBuf> {
    let value: serde_json::Value = serde_json::from_str(metadata).ok()?;
    value.get("target_directory")?.as_str().map(PathBuf::from)
}

/// Prints a line of xtask's own progress (to stderr, beside cargo's own status lines).
pub fn say(message: impl fmt::Display) {
    eprintln!("[xtask] {message}");
}

/// A command to run: program, arguments, extra environment and working directory.
///
/// [`Display`](fmt::Display) renders it as a shell line (`NAME=value program args…`), which is
/// what [`Cmd::run`] prints and what its errors quote.
#[derive(Debug, Clone)]
pub struct Cmd {
    program: OsString,
    /// How the program is shown: `cargo` rather than the toolchain's full path in `$CARGO`.
    shown: String,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    dir: PathBuf,
}

impl Cmd {
    /// A command running `program` (looked up on `PATH`) in the workspace root.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let program = program.as_ref().to_os_string();
        let shown = program.to_string_lossy().into_owned();
        Cmd {
            program,
            shown,
            args: Vec::new(),
            envs: Vec::new(),
            dir: root(),
        }
    }

    /// A `cargo` command using the same cargo as this xtask (`$CARGO`, set by `cargo run`), so
    /// the whole run stays on one toolchain.
    pub fn cargo() -> Self {
        let mut cmd = Cmd::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        "cargo".clone_into(&mut cmd.shown);
        cmd
    }

    /// Adds one argument.
    #[must_use]
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    /// Adds arguments.
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// Sets an environment variable for the command (and shows it in the printed line).
    #[must_use]
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    /// Runs the command in `dir` instead of the workspace root (relative paths are taken from
    /// the root).
    #[must_use]
    #[allow(
        dead_code,
        reason = "for suites that run outside the root, such as fuzz/ (its own workspace)"
    )]
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.dir = root().join(dir);
        self
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.dir);
        command
    }

    /// Prints the command, runs it with the terminal's stdin, stdout and stderr, and fails
    /// unless it exits with status 0.
    ///
    /// # Errors
    ///
    /// A message quoting the command when it cannot be started or does not succeed.
    pub fn run(&self) -> Result<(), String> {
        say(format_args!("$ {self}"));
        let status = self
            .command()
            .status()
            .map_err(|e| format!("`{self}` could not be started: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{self}` failed: {status}"))
        }
    }

    /// Runs the command silently and tells whether it succeeded: for probing what is installed
    /// (`cargo fmt --version`). Not printed.
    pub fn probe(&self) -> bool {
        self.command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Runs the command silently and returns its standard output, trimmed: for reading a
    /// version or a path. Not printed.
    ///
    /// # Errors
    ///
    /// A message quoting the command, with its stderr, when it cannot be started or does not
    /// succeed, or when its output is not UTF-8.
    pub fn read(&self) -> Result<String, String> {
        String::from_utf8(self.stdout()?)
            .map(|s| s.trim().to_owned())
            .map_err(|_| format!("`{self}` printed something that is not UTF-8"))
    }

    /// Runs the command silently and returns its standard output; an error quotes the command
    /// and its stderr when it cannot be started or does not succeed.
    fn stdout(&self) -> Result<Vec<u8>, String> {
        let output = self
            .command()
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("`{self}` could not be started: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "`{self}` failed: {}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ));
        }
        Ok(output.stdout)
    }
}

impl Cmd {
    /// Runs the command silently and returns how many bytes it wrote to stdout: for measuring
    /// (`gzip -c FILE`). Not printed.
    ///
    /// # Errors
    ///
    /// A message quoting the command, with its stderr, when it cannot be started or does not
    /// succeed.
    pub fn output_len(&self) -> Result<u64, String> {
        Ok(self.stdout()?.len() as u64)
    }
}

impl Cmd {
    /// Prints the command, runs it with its stdout and stderr captured, and returns both: for a
    /// tool whose warnings are read (the linker's, under `go build`).
    ///
    /// # Errors
    ///
    /// A message quoting the command, with its stderr, when it cannot be started or does not
    /// succeed.
    pub fn run_captured(&self) -> Result<(String, String), String> {
        say(format_args!("$ {self}"));
        let output = self
            .command()
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("`{self}` could not be started: {e}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            return Err(format!(
                "`{self}` failed: {}\n{}",
                output.status,
                stderr.trim_end()
            ));
        }
        Ok((String::from_utf8_lossy(&output.stdout).into_owned(), stderr))
    }

    /// Prints the command and starts it in the background, its stdout and stderr written to
    /// `log`: for a server that a test talks to and then stops.
    ///
    /// # Errors
    ///
    /// A message quoting the command when the log cannot be created or the command started.
    pub fn spawn(&self, log: &Path) -> Result<Child, String> {
        say(format_args!("$ {self} 2>{}", log.display()));
        let file = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = file
            .try_clone()
            .map_err(|e| format!("{}: {e}", log.display()))?;
        self.command()
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("`{self}` could not be started: {e}"))
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.envs {
            write!(
                f,
                "{}={} ",
                key.to_string_lossy(),
                quote(&value.to_string_lossy())
            )?;
        }
        f.write_str(&quote(&self.shown))?;
        for arg in &self.args {
            write!(f, " {}", quote(&arg.to_string_lossy()))?;
        }
        Ok(())
    }
}

/// Quotes `s` for a POSIX shell when it needs it, so a printed command can be pasted back.
fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b',' | b'+' | b'@'
                )
        });
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_a_shell_line() {
        let cmd = Cmd::new("cargo")
            .args(["doc", "--no-deps", "a b", "it's", ""])
            .env("RUSTDOCFLAGS", "-Dwarnings");
        assert_eq!(
            cmd.to_string(),
            r"RUSTDOCFLAGS=-Dwarnings cargo doc --no-deps 'a b' 'it'\''s' ''"
        );
    }

    #[test]
    fn cargo_is_shown_as_cargo() {
        assert!(
            Cmd::cargo()
                .arg("test")
                .to_string()
                .starts_with("cargo test")
        );
    }

    #[test]
    fn failures_quote_the_command() {
        let err = Cmd::new("false").run().unwrap_err();
        assert!(err.starts_with("`false` failed: exit status: 1"), "{err}");
        let err = Cmd::new("/nonexistent/xtask-tool").run().unwrap_err();
        assert!(err.contains("could not be started"), "{err}");
        assert!(Cmd::new("true").probe());
        assert!(!Cmd::new("false").probe());
        assert_eq!(Cmd::new("echo").arg(" hi ").read().unwrap(), "hi");
        assert_eq!(
            Cmd::new("pwd").dir("xtask").read().unwrap(),
            root().join("xtask").to_str().unwrap()
        );
    }

    #[test]
    fn captured_and_spawned_output() {
        let (out, err) = Cmd::new("sh")
            .args(["-c", "echo out; echo err >&2"])
            .run_captured()
            .unwrap();
        assert_eq!((out.as_str(), err.as_str()), ("out\n", "err\n"));
        let err = Cmd::new("sh")
            .args(["-c", "echo why >&2; exit 3"])
            .run_captured()
            .unwrap_err();
        assert!(
            err.contains("exit status: 3") && err.ends_with("why"),
            "{err}"
        );
        let log = std::env::temp_dir().join(format!("xtask-spawn-{}.log", std::process::id()));
        let mut child = Cmd::new("sh")
            .args(["-c", "echo out; echo err >&2"])
            .spawn(&log)
            .unwrap();
        assert!(child.wait().unwrap().success());
        let text = std::fs::read_to_string(&log).unwrap();
        std::fs::remove_file(&log).unwrap();
        assert_eq!(text, "out\nerr\n");
    }

    #[test]
    fn target_dir_is_cargos() {
        assert_eq!(
            target_directory(r#"{"packages": [], "target_directory": "/t/x", "version": 1}"#),
            Some(PathBuf::from("/t/x"))
        );
        assert_eq!(target_directory("{}"), None);
        assert_eq!(target_directory("not json"), None);
        // This very test binary was built there.
        let exe = std::env::current_exe().unwrap();
        assert!(
            exe.starts_with(target_dir()),
            "{} outside {}",
            exe.display(),
            target_dir().display()
        );
    }

    #[test]
    fn root_is_the_workspace() {
        assert!(root().join("Cargo.toml").is_file());
        assert!(root().join("xtask").is_dir());
    }
}
