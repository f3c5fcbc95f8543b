//! `imgrepl`: check an image replacement policy and rewrite image references from the command
//! line. All file and stdin I/O of the project lives here; the rules live in the `imgrepl`
//! library.
//!
//! # Layout
//!
//! - one module per subcommand, each with a clap `Args` struct and
//!   `pub fn run(&Args, &mut Out) -> Result<Verdict, Failure>`: [`parse`], [`check`],
//!   [`rewrite`], [`apply`], [`admission`], [`coverage`], [`diff`], [`pull_secret`], [`verify`], [`export`];
//!   [`demo`]
//!   is what `imgrepl` with no arguments prints;
//! - [`corpus`]: the images `coverage` and `diff` run over (manifests, arguments or stdin);
//! - [`input`]: arguments or stdin lines (constant memory), bounded file reads;
//! - [`output`]: buffered stdout, JSON lines, carets under spans;
//! - [`exit`]: [`Verdict`](exit::Verdict) and [`Failure`](exit::Failure), and the exit codes
//!   (0 all valid, 1 some invalid, 2 usage or I/O error).
//!
//! # Adding a subcommand
//!
//! Write `src/<name>.rs` with `Args` and `run` as above, declare it with `mod <name>;`, add a
//! variant `Name(name::Args)` to [`Command`] (its doc comment is the help line) and an arm to
//! the `match` in [`main`].

mod admission;
mod apply;
mod check;
mod corpus;
mod coverage;
mod demo;
mod diff;
mod exit;
mod export;
mod input;
mod output;
mod parse;
mod policy_file;
mod pull_secret;
mod rewrite;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Out;

/// Check an image replacement policy and rewrite container image references.
///
/// With no command, rewrites the example images by the example policy.
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
    /// Validate a policy (the annotation's value) and show every diagnostic with its position;
    /// exit 1 if it is invalid.
    Check(check::Args),
    /// Rewrite images by a policy (one per line from stdin when none are given); exit 1 if any
    /// image is invalid.
    Rewrite(rewrite::Args),
    /// Rewrite the images of the workloads in Kubernetes manifests (YAML or JSON) by each one's
    /// annotation or --policy; exit 1 if a policy or an image is invalid.
    Apply(apply::Args),
    /// Answer an admission review request (stdin) with the response a mutating webhook sends:
    /// the base64 JSON Patch and warnings.
    AdmissionReview(admission::Args),
    /// Run a policy over the images of manifests (or given images): per rule the images it wins
    /// and loses, dead rules, uncovered images by registry, invalid images, where the match modes
    /// disagree; exit 1 on what --fail-on names.
    Coverage(coverage::Args),
    /// Compare two policy files: rules added, removed and changed, and every image of the
    /// corpus whose rewrite changes, with its cause; exit 1 on any change with --exit-code.
    Diff(diff::Args),
    /// Print a kubernetes.io/dockerconfigjson Secret (as kubectl makes it) for registry logins,
    /// or SWR logins from an access key pair; passwords and keys are never flags.
    PullSecret(pull_secret::Args),
    /// Ask the registries of the rewritten images whether each is there (present, missing,
    /// tag-missing, unauthorized, platform-missing, stale, unreachable); exit 1 if any is not.
    Verify(verify::Args),
    /// Export the policy with no webhook: a `MutatingAdmissionPolicy` (CEL), the CEL of one
    /// image, registries.conf or containerd hosts.toml; exit 1 when a node format cannot
    /// express every rule exactly.
    Export(export::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help`, `--version` and usage errors: clap's text, printed without a panic; a
        // stream that cannot take it is exit code 2 (a closed pipe is quiet, as everywhere).
        Err(e) => {
            return match e.print() {
                Err(io) if io.kind() != std::io::ErrorKind::BrokenPipe => ExitCode::from(2),
                _ => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
            };
        }
    };
    let mut out = Out::stdout();
    let result = match &cli.command {
        Some(Command::Parse(args)) => parse::run(args, &mut out),
        Some(Command::Check(args)) => check::run(args, &mut out),
        Some(Command::Rewrite(args)) => rewrite::run(args, &mut out),
        Some(Command::Apply(args)) => apply::run(args, &mut out),
        Some(Command::AdmissionReview(args)) => admission::run(args, &mut out),
        Some(Command::Coverage(args)) => coverage::run(args, &mut out),
        Some(Command::Diff(args)) => diff::run(args, &mut out),
        Some(Command::PullSecret(args)) => pull_secret::run(args, &mut out),
        Some(Command::Verify(args)) => verify::run(args, &mut out),
        Some(Command::Export(args)) => export::run(args, &mut out),
        None => demo::run(&mut out),
    };
    exit::code(result)
}
