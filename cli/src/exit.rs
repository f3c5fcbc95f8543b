//! How a command ends, and the exit code for it.
//!
//! | exit code | meaning |
//! |---|---|
//! | 0 | [`Verdict::Valid`]: every input was valid |
//! | 1 | [`Verdict::Invalid`]: some input was invalid (each one is reported) |
//! | 2 | a [`Failure`]: a usage error (clap's own exit code for those is 2 too) or an I/O error |
//!
//! A closed pipe on standard output or standard error (`imgrepl parse < images | head`,
//! `imgrepl apply … 2>&1 | head -1`) is not an error: the command stops quietly with exit code
//! 0. Any other failure to write (a full disk, `/dev/full`) is exit code 2. No write panics:
//! standard error is written through [`Stderr`](crate::output::Stderr), never `eprintln!`.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// What a command found in inputs it could read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every input was valid.
    Valid,
    /// At least one input was invalid.
    Invalid,
}

impl Verdict {
    /// `Invalid` once any input is invalid.
    #[must_use]
    pub fn and(self, valid: bool) -> Verdict {
        if valid { self } else { Verdict::Invalid }
    }
}

/// A command that could not do its work: bad usage or an I/O error. Exit code 2.
#[derive(Debug)]
pub struct Failure {
    message: String,
    broken_pipe: bool,
}

impl Failure {
    /// A usage error, such as a conflicting pair of options.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            broken_pipe: false,
        }
    }

    /// An I/O error, with what was being done (`reading standard input`).
    pub fn io(context: impl fmt::Display, error: &io::Error) -> Failure {
        Failure {
            message: format!("{context}: {error}"),
            broken_pipe: error.kind() == io::ErrorKind::BrokenPipe,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Errors writing standard output, the only I/O most commands do besides reading their input.
impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        Failure::io("writing standard output", &error)
    }
}

/// The process exit code for a command's result; prints a failure to stderr.
pub fn code(result: Result<Verdict, Failure>) -> ExitCode {
    match result {
        Ok(Verdict::Valid) => ExitCode::SUCCESS,
        Ok(Verdict::Invalid) => ExitCode::from(1),
        Err(failure) if failure.broken_pipe => ExitCode::SUCCESS,
        Err(failure) => {
            // The last word: if standard error cannot take it either, the exit code says it.
            let _ = writeln!(io::stderr().lock(), "imgrepl: {failure}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_stays_invalid() {
        assert_eq!(Verdict::Valid.and(true), Verdict::Valid);
        assert_eq!(Verdict::Valid.and(false), Verdict::Invalid);
        assert_eq!(Verdict::Invalid.and(true), Verdict::Invalid);
    }

    #[test]
    fn io_failure_names_the_context() {
        let err = io::Error::new(io::ErrorKind::NotFound, "no such file");
        let failure = Failure::io("reading policy.json", &err);
        assert_eq!(failure.to_string(), "reading policy.json: no such file");
        assert!(!failure.broken_pipe);
        let pipe = Failure::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(pipe.broken_pipe);
    }
}
