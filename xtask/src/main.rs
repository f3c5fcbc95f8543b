//! `cargo xtask …`: the workspace's tasks, in plain Rust (std, and `serde_json` to read
//! criterion's results), so that a fresh machine with the stable toolchain needs nothing else to
//! run them.
//!
//! | task | what it does | module |
//! |---|---|---|
//! | `cargo xtask test` | every test suite (`--list` shows them) | [`test`](mod@test) |
//! | `cargo xtask bench …` | the criterion suites | [`bench`](mod@bench) |
//! | `cargo xtask fuzz …` | the cargo-fuzz targets | [`fuzz`](mod@fuzz) |
//!
//! A task is a module exposing `pub fn run(args: &[String]) -> Result<(), String>`, dispatched
//! from [`main`]; commands run through [`cmd::Cmd`], which prints each one and turns a failure
//! into a message.

mod bench;
mod cmd;
mod fuzz;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <TASK> [ARGS...]

tasks:
  test [STEP...]   run every test suite (fmt, clippy, test, doc, bench-test); `test --list` shows them
  bench [ARGS...]  run the benchmarks
  fuzz [ARGS...]   run the fuzz targets";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match task.as_str() {
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "fuzz" => fuzz::run(rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("error: unknown task `{other}`\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cargo xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}
