//! `imgrepl rewrite --policy FILE [--mode M] [--explain] [IMAGE...]`: rewrites images by a
//! policy (images from stdin, one per line, when none are given).
//!
//! Human output is one line per image, `image → result (rule N: prefix → replacement)`, or the
//! error with a caret under its offset; `--explain` adds the library's explanation. `--json`
//! prints one object per image: `{"image", "result", "changed", "rule": {"index",
//! "repositoryPrefix", "replaceWith"} | null, "error": {"code", "message", "offset"} | null}`
//! (and `"explain"` with `--explain`). Exit 0 when every image is valid, 1 otherwise, 2 for an
//! invalid policy or an I/O error.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use imgrepl::{AppliedRule, Explanation, MatchMode, Policy, RewriteError, RuleId};
use serde::Serialize;

use crate::exit::{Failure, Verdict};
use crate::input::{Origin, each_input};
use crate::output::{Out, clipped};

/// Arguments of `imgrepl rewrite`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (the annotation's value, a JSON array of rules); `-` for stdin.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub policy: PathBuf,

    /// How a rule's prefix matches: the longest prefix at a '/' boundary, or only the image's
    /// whole parent path: `longest-prefix` or `exact-parent`.
    #[arg(long, value_name = "MODE", default_value = "longest-prefix", value_parser = MatchMode::from_str)]
    pub mode: MatchMode,

    /// Explain each image: the candidate rule at each '/' boundary, the winner, and whether the
    /// two modes disagree.
    #[arg(long)]
    pub explain: bool,

    /// Print one JSON object per image (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,

    /// The images; read one per line from stdin when none is given.
    #[arg(value_name = "IMAGE")]
    pub images: Vec<OsString>,
}

/// One image's record in `--json`.
#[derive(Serialize)]
struct Record<'a> {
    image: &'a str,
    result: &'a str,
    changed: bool,
    rule: Option<AppliedRule>,
    error: Option<&'a RewriteError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'a Explanation<'a>>,
}

/// Reads the policy file (`crate::policy_file::load`), in the match mode asked for.
fn load(args: &Args) -> Result<Policy, Failure> {
    crate::input::one_stdin(
        ("the policy (--policy -)", &args.policy),
        (
            "the images (none given as arguments)",
            args.images.is_empty(),
        ),
    )?;
    let (policy, _) = crate::policy_file::load(&args.policy)?;
    Ok(policy.with_mode(args.mode))
}

/// Runs `imgrepl rewrite`.
///
/// # Errors
///
/// An invalid policy, or a failure to read or write.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    let policy = load(args)?;
    let mut verdict = Verdict::Valid;
    let mut buf = String::with_capacity(256);
    let complete = each_input(&args.images, |input| {
        let image = input.text;
        let result = policy.rewrite_into(image, &mut buf);
        verdict = verdict.and(result.is_ok());
        let explanation = args.explain.then(|| policy.explain(image));
        // On error the buffer is left as it was: the image stays as it is.
        let (rule, error, after) = match &result {
            Ok(rule) => (*rule, None, buf.as_str()),
            Err(e) => (e.rule(), Some(e), image),
        };
        if args.json {
            out.json_line(&Record {
                image,
                result: after,
                changed: matches!(result, Ok(Some(_))),
                rule: rule.and_then(|id| policy.applied_rule(id)),
                error,
                explain: explanation.as_ref(),
            })?;
        } else {
            let line = match input.origin {
                Origin::Line(n) => Some(n),
                Origin::Arg(_) => None,
            };
            human(&policy, image, after, &result, line, out)?;
            if let Some(e) = &explanation {
                explain(&policy, e, out)?;
            }
        }
        out.end_record(input.pending)?;
        Ok(())
    })?;
    out.flush()?;
    Ok(verdict.and(complete))
}

/// `image → result (rule)`, or the error under the image (and its stdin line number).
pub fn human(
    policy: &Policy,
    image: &str,
    result: &str,
    outcome: &Result<Option<RuleId>, RewriteError>,
    line: Option<usize>,
    out: &mut Out,
) -> Result<(), Failure> {
    match outcome {
        Ok(Some(id)) => {
            let (prefix, replace) = policy
                .rule(*id)
                .map_or(("", ""), |r| (r.repository_prefix(), r.replace_with()));
            writeln!(
                out,
                "{image} → {result} (rule {}: {prefix:?} → {replace:?})",
                id.index(),
            )?;
        }
        Ok(None) => writeln!(out, "{image} → {result} (no rule)")?,
        Err(e) => {
            let at = line.map_or_else(String::new, |n| format!(" (line {n})"));
            let offset = if e.rule().is_some() {
                image.len()
            } else {
                e.offset()
            };
            let (shown, caret) = clipped(image, offset..offset);
            writeln!(out, "{shown} ✗ left as it is{at}")?;
            writeln!(out, "{caret} [{}] {e}", e.code())?;
        }
    }
    Ok(())
}

/// The explanation's lines, indented under the image.
fn explain(policy: &Policy, e: &Explanation<'_>, out: &mut Out) -> Result<(), Failure> {
    for c in &e.candidates {
        let rule = c.rule.map_or_else(
            || "no rule".to_owned(),
            |id| {
                let replace = policy.rule(id).map_or("", imgrepl::Rule::replace_with);
                format!("rule {} → {replace:?}", id.index())
            },
        );
        let parent = if c.parent { " (parent path)" } else { "" };
        writeln!(out, "    {:?}{parent}: {rule}", c.prefix)?;
    }
    writeln!(out, "    {}", e.reason)?;
    if e.modes_disagree {
        writeln!(
            out,
            "    ! the longest-prefix and exact-parent modes disagree on this image"
        )?;
    }
    Ok(())
}
