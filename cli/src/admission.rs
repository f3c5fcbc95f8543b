//! `imgrepl admission-review [FILE|-] [--policy FILE]`: answers an `AdmissionReview` request
//! (`admission.k8s.io/v1`) as a mutating webhook would, printing the response body as JSON.
//!
//! The response echoes `request.uid`, always allows, and carries `patchType: "JSONPatch"` with
//! the base64 patch when images change; warnings (an invalid policy, an invalid image, a policy
//! read from the workload's own annotation) go into `response.warnings` and to stderr. Exit 0
//! when the object was rewritten as asked, 1 when it has an invalid policy, is malformed, or
//! has an invalid image (the response is printed all the same), 2 when the input is not an
//! `AdmissionReview` request, or for a usage or I/O error.

use std::io::Write;
use std::path::PathBuf;

use imgrepl_k8s::admission::{self, MAX_REVIEW_BYTES};

use crate::apply::PolicyArgs;
use crate::exit::{Failure, Verdict};
use crate::output::{Out, Stderr, render};

/// Arguments of `imgrepl admission-review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Print the response on one line instead of indented.
    #[arg(long)]
    pub compact: bool,

    /// The `AdmissionReview` request; `-` or none for stdin.
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,
}

/// Runs `imgrepl admission-review`.
///
/// # Errors
///
/// A failure to read the input or the policy, an input that is not an `AdmissionReview` request,
/// or a failure to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    crate::input::one_stdin(
        ("the AdmissionReview (FILE -)", &args.file),
        ("the policy (--policy -)", args.policy.reads_stdin()),
    )?;
    let (policy, mode) = args.policy.load()?;
    let table = args.policy.table()?;
    let options = args.policy.options(policy.as_ref(), mode, &table);
    // One byte over the limit is read, so the library reports an oversized body itself, with
    // one message for every size.
    let text = crate::input::read_bounded(&args.file, MAX_REVIEW_BYTES)?;
    let response =
        admission::review_json(&text, &options).map_err(|e| Failure::usage(e.to_string()))?;
    // The response's warnings, as the API server would show them (capped, with "and N more").
    let mut err = Stderr::new();
    for warning in response.warnings() {
        err.line(format_args!(
            "warning: {}",
            render(warning.strip_prefix("imgrepl: ").unwrap_or(warning))
        ))?;
    }
    let body = if args.compact {
        serde_json::to_string(&response.body)
    } else {
        serde_json::to_string_pretty(&response.body)
    }
    .map_err(|e| Failure::usage(format!("writing the response: {e}")))?;
    writeln!(out, "{body}")?;
    out.flush()?;
    Ok(Verdict::Valid.and(!response.has_errors()))
}
