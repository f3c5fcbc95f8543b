//! `cargo xtask fuzz …`: the cargo-fuzz targets of `fuzz/` (its own workspace).
//!
//! ```text
//! cargo xtask fuzz [--seconds N] [--target NAME]... [-- LIBFUZZER_ARGS...]
//! ```
//!
//! Runs every target (or the named ones) for `N` seconds each (default 60), one after the
//! other, with one libFuzzer worker. Each target starts from its checked-in seeds
//! (`fuzz/corpus/<target>/`, never written to) and a working corpus in
//! `fuzz/target/corpus/<target>/` (kept between runs, ignored by git), with the token dictionary
//! `fuzz/dict/<target>.dict` when there is one. A crash stops the run; its input is in
//! `fuzz/artifacts/<target>/` and becomes a named test in `core/tests/regressions.rs`.
//!
//! Fuzzing needs nightly: `cargo +nightly fuzz` when a nightly toolchain is installed, otherwise
//! the stable toolchain with `RUSTC_BOOTSTRAP=1`. cargo-fuzz is installed
//! (`cargo install cargo-fuzz --locked`) when missing.
//!
//! [`smoke`] is the `fuzz-smoke` step of `cargo xtask test`: it builds every target and runs
//! each for a few seconds.

use std::path::Path;

use crate::cmd::{Cmd, root, say};

/// Seconds per target for `cargo xtask fuzz` without `--seconds`.
const DEFAULT_SECONDS: u64 = 60;

/// Seconds per target for the smoke run.
const SMOKE_SECONDS: u64 = 10;

const USAGE: &str = "\
usage: cargo xtask fuzz [--seconds N] [--target NAME]... [-- LIBFUZZER_ARGS...]

Runs every fuzz target (or the named ones) for N seconds each (default 60), one worker each.";

/// The parsed arguments.
#[derive(Debug, PartialEq, Eq)]
struct Args {
    seconds: u64,
    targets: Vec<String>,
    extra: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        seconds: DEFAULT_SECONDS,
        targets: Vec::new(),
        extra: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--seconds" => {
                let value = it.next().ok_or("--seconds needs a number")?;
                parsed.seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds: `{value}` is not a number of seconds"))?;
            }
            "--target" => {
                let value = it.next().ok_or("--target needs a target name")?;
                parsed.targets.push(value.clone());
            }
            "--" => {
                parsed.extra.extend(it.by_ref().cloned());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(Some(parsed))
}

/// `cargo xtask fuzz [--seconds N] [--target NAME]... [-- LIBFUZZER_ARGS...]`.
///
/// # Errors
///
/// A message when an argument is wrong, cargo-fuzz cannot be installed, a target does not build,
/// or a target finds a crash.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(args) = parse_args(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let fuzz = Fuzz::new()?;
    let all = fuzz.targets()?;
    let targets = if args.targets.is_empty() {
        all
    } else {
        if let Some(unknown) = args.targets.iter().find(|t| !all.contains(t)) {
            return Err(format!(
                "unknown fuzz target `{unknown}`; the targets are: {}",
                all.join(", ")
            ));
        }
        args.targets
    };
    fuzz.build()?;
    for target in &targets {
        fuzz.run(target, args.seconds, &args.extra)?;
    }
    say(format_args!(
        "fuzzed {} for {}s each with no crash: {}",
        targets.len(),
        args.seconds,
        targets.join(", ")
    ));
    Ok(())
}

/// Builds every fuzz target and runs each for a few seconds (the `fuzz-smoke` test step).
///
/// # Errors
///
/// As [`run`].
pub fn smoke() -> Result<(), String> {
    let fuzz = Fuzz::new()?;
    let targets = fuzz.targets()?;
    fuzz.build()?;
    for target in &targets {
        fuzz.run(target, SMOKE_SECONDS, &[])?;
    }
    say(format_args!(
        "fuzz smoke: {} targets ran {SMOKE_SECONDS}s each with no crash: {}",
        targets.len(),
        targets.join(", ")
    ));
    Ok(())
}

/// How to call cargo-fuzz on this machine.
struct Fuzz {
    /// `+nightly` when a nightly toolchain is installed.
    nightly: bool,
    /// The YAML oracle of the `yaml_oracle` target (built by [`crate::yaml_oracle::build`]).
    oracle: std::path::PathBuf,
}

impl Fuzz {
    /// Finds the toolchain and installs cargo-fuzz when missing.
    fn new() -> Result<Self, String> {
        let nightly = Cmd::new("rustup")
            .args(["toolchain", "list"])
            .read()
            .is_ok_and(|list| list.lines().any(|l| l.starts_with("nightly")));
        if nightly {
            say("fuzzing with the nightly toolchain (cargo +nightly fuzz)");
        } else {
            say("no nightly toolchain: fuzzing with the stable one and RUSTC_BOOTSTRAP=1");
        }
        let oracle = crate::yaml_oracle::build()?;
        let fuzz = Fuzz { nightly, oracle };
        if !fuzz.cargo().args(["fuzz", "--version"]).probe() {
            say("cargo-fuzz is missing; installing it");
            Cmd::cargo()
                .args(["install", "cargo-fuzz", "--locked"])
                .run()?;
        }
        Ok(fuzz)
    }

    /// `cargo` on the fuzzing toolchain, in `fuzz/`.
    fn cargo(&self) -> Cmd {
        // The rustup proxy `cargo` (not `$CARGO`, the stable toolchain's own binary) so that
        // `+nightly` selects the toolchain.
        let cmd = Cmd::new("cargo")
            .dir("fuzz")
            .env("IMGREPL_YAML_ORACLE", &self.oracle);
        if self.nightly {
            cmd.arg("+nightly")
        } else {
            cmd.env("RUSTC_BOOTSTRAP", "1")
        }
    }

    /// The targets, as cargo-fuzz lists them.
    fn targets(&self) -> Result<Vec<String>, String> {
        let list = self.cargo().args(["fuzz", "list"]).read()?;
        let targets: Vec<String> = list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if targets.is_empty() {
            return Err("`cargo fuzz list` lists no target".to_owned());
        }
        Ok(targets)
    }

    /// Builds every target.
    fn build(&self) -> Result<(), String> {
        self.cargo().args(["fuzz", "build"]).run()
    }

    /// Runs `target` for `seconds` from its seeds and working corpus.
    fn run(&self, target: &str, seconds: u64, extra: &[String]) -> Result<(), String> {
        let work = format!("target/corpus/{target}");
        let seeds = format!("corpus/{target}");
        for dir in [&work, &seeds] {
            let path = root().join("fuzz").join(dir);
            std::fs::create_dir_all(&path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        }
        let mut cmd = self
            .cargo()
            .args(["fuzz", "run", target, &work, &seeds, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-print_final_stats=1");
        let dict = format!("dict/{target}.dict");
        if Path::new(&root().join("fuzz").join(&dict)).is_file() {
            cmd = cmd.arg(format!("-dict={dict}"));
        }
        cmd.args(extra).run().map_err(|e| {
            format!(
                "{e}\nthe fuzz target `{target}` failed: its input is in fuzz/artifacts/{target}/ \
                 (reproduce with `cargo +nightly fuzz run {target} <file>` in fuzz/)"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn defaults() {
        assert_eq!(
            parse_args(&[]).unwrap(),
            Some(Args {
                seconds: 60,
                targets: vec![],
                extra: vec![]
            })
        );
    }

    #[test]
    fn seconds_targets_and_extra() {
        let parsed = parse_args(&args(&[
            "--seconds",
            "600",
            "--target",
            "policy",
            "--target",
            "rewrite",
            "--",
            "-jobs=1",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(parsed.seconds, 600);
        assert_eq!(parsed.targets, ["policy", "rewrite"]);
        assert_eq!(parsed.extra, ["-jobs=1"]);
    }

    #[test]
    fn bad_arguments() {
        assert!(parse_args(&args(&["--seconds"])).is_err());
        assert!(
            parse_args(&args(&["--seconds", "ten"]))
                .unwrap_err()
                .contains("`ten`")
        );
        assert!(
            parse_args(&args(&["--bogus"]))
                .unwrap_err()
                .starts_with("unknown argument `--bogus`")
        );
        assert_eq!(parse_args(&args(&["--help"])).unwrap(), None);
    }
}
