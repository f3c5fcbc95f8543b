//! `imgrepl`: check an image replacement policy and rewrite image references from the command
//! line. All file and stdin I/O of the project lives here; the rules live in the `imgrepl`
//! library.
//!
//! # Layout
//!
//! - one module per subcommand, each with a clap `Args` struct and
//!   `pub fn run(&Args, &mut Out) -> Result<Verdict, Failure>`: [`parse`] so far;
//! - [`input`]: arguments or stdin lines (constant memory), bounded file reads;
//! - [`output`]: buffered stdout, JSON lines, carets under spans;
//! - [`exit`]: [`Verdict`](exit::Verdict) and [`Failure`](exit::Failure), and the exit codes
//!   (0 all valid, 1 some invalid, 2 usage or I/O error).
//!
//! # Adding a subcommand
//!
//! Write `src/<name>.rs` with `Args` and `run` as above, declare it with `mod <name>;`, add a
//! variant `Name(name::Args)` to [`Command`] (its doc comment is the help line) and an arm to
//! the `match` in [`main`]. The `check` and `rewrite` commands, and the demo that `imgrepl`
//! with no arguments prints (`src/demo.rs`, replacing [`examples`]), come this way.

mod exit;
mod input;
mod output;
mod parse;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::{Failure, Verdict};
use crate::output::Out;

/// Check an image replacement policy and rewrite container image references.
///
/// With no command, prints how the example images parse.
#[derive(Debug, Parser)]
#[command(name = "imgrepl", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// The subcommands; each variant's doc comment is its line in `imgrepl --help`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Parse image references as written, normalized (docker.io/library/…) and as a Docker
    /// reference; exit 1 if any is invalid.
    Parse(parse::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = Out::stdout();
    let result = match &cli.command {
        Some(Command::Parse(args)) => parse::run(args, &mut out),
        None => examples(&mut out),
    };
    exit::code(result)
}

/// The three example images of the project's design (the seed table of its rewriting rules).
const EXAMPLE_IMAGES: [&str; 3] = [
    "harbor.domain/ubuntu:latest",
    "nginx:latest",
    "harbor.domain/a/b/c/d/redis:latest",
];

/// What `imgrepl` prints with no arguments, until the rewrite demo (`src/demo.rs`) replaces it:
/// how the example images parse.
fn examples(out: &mut Out) -> Result<Verdict, Failure> {
    use std::io::Write;
    writeln!(
        out,
        "imgrepl: the example images, parsed (`imgrepl --help` for the commands)"
    )?;
    parse::run_on(&EXAMPLE_IMAGES, false, out)
}
