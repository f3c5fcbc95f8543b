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

use imgrepl::{Explanation, MatchMode, Policy, RewriteError, RuleId};
use serde::Serialize;

use crate::exit::{Failure, Verdict};
use crate::input::{Origin, each_input};
use crate::output::{Out, caret_line, render};

/// Arguments of `imgrepl rewrite`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (the annotation's value, a JSON array of rules); `-` for stdin.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub policy: PathBuf,

    /// How a rule's prefix matches: the longest prefix at a '/' boundary, or only the image's
    /// whole parent path.
    #[arg(long, value_name = "MODE", default_value = "longest-prefix", value_parser = ["longest-prefix", "exact-parent"])]
    pub mode: String,

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

/// A rule as printed.
#[derive(Serialize)]
pub struct RuleJson<'a> {
    index: usize,
    #[serde(rename = "repositoryPrefix")]
    repository_prefix: &'a str,
    #[serde(rename = "replaceWith")]
    replace_with: &'a str,
}

impl<'a> RuleJson<'a> {
    /// The rule `id` of `policy`.
    pub fn new(policy: &'a Policy, id: RuleId) -> Self {
        let rule = policy.rule(id);
        RuleJson {
            index: id.index(),
            repository_prefix: rule.repository_prefix(),
            replace_with: rule.replace_with(),
        }
    }
}

/// One image's record in `--json`.
#[derive(Serialize)]
struct Record<'a> {
    image: &'a str,
    result: &'a str,
    changed: bool,
    rule: Option<RuleJson<'a>>,
    error: Option<&'a RewriteError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'a Explanation<'a>>,
}

/// Reads the policy file; an invalid policy is a failure (exit 2) that names its first error.
fn load(args: &Args) -> Result<Policy, Failure> {
    let text = crate::input::read_text(&args.policy, crate::check::MAX_FILE_BYTES)?;
    let mode: MatchMode = args
        .mode
        .parse()
        .map_err(|e| Failure::usage(format!("{e}")))?;
    Policy::from_json(&text)
        .map(|policy| policy.with_mode(mode))
        .map_err(|err| {
            Failure::usage(format!(
                "{}: {err}; `imgrepl check {}` shows every diagnostic",
                args.policy.display(),
                args.policy.display()
            ))
        })
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
    each_input(&args.images, |input| {
        let image = input.text;
        let result = policy.rewrite_into(image, &mut buf);
        verdict = verdict.and(result.is_ok());
        let explanation = args.explain.then(|| policy.explain(image));
        let (rule, error) = match &result {
            Ok(rule) => (*rule, None),
            Err(e) => (e.rule(), Some(e)),
        };
        if args.json {
            out.json_line(&Record {
                image,
                result: &buf,
                changed: matches!(result, Ok(Some(_))),
                rule: rule.map(|id| RuleJson::new(&policy, id)),
                error,
                explain: explanation.as_ref(),
            })?;
        } else {
            let line = match input.origin {
                Origin::Line(n) => Some(n),
                Origin::Arg(_) => None,
            };
            human(&policy, image, &buf, &result, line, out)?;
            if let Some(e) = &explanation {
                explain(&policy, e, out)?;
            }
        }
        out.end_record(input.pending)?;
        Ok(())
    })?;
    out.flush()?;
    Ok(verdict)
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
            let rule = policy.rule(*id);
            writeln!(
                out,
                "{image} → {result} (rule {}: {:?} → {:?})",
                id.index(),
                rule.repository_prefix(),
                rule.replace_with()
            )?;
        }
        Ok(None) => writeln!(out, "{image} → {result} (no rule)")?,
        Err(e) => {
            let at = line.map_or_else(String::new, |n| format!(" (line {n})"));
            writeln!(out, "{} ✗ left as it is{at}", render(image))?;
            let offset = if e.rule().is_some() {
                image.len()
            } else {
                e.offset()
            };
            writeln!(
                out,
                "{} [{}] {e}",
                caret_line(image, offset..offset),
                e.code()
            )?;
        }
    }
    Ok(())
}

/// The explanation's lines, indented under the image.
fn explain(policy: &Policy, e: &Explanation<'_>, out: &mut Out) -> Result<(), Failure> {
    for c in &e.candidates {
        let rule = c.rule.map_or_else(
            || "no rule".to_owned(),
            |id| format!("rule {} → {:?}", id.index(), policy.rule(id).replace_with()),
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
