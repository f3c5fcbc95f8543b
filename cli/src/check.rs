//! `imgrepl check [POLICY_FILE|-]`: validates a policy and shows every diagnostic.
//!
//! Human output shows each diagnostic with the policy line it is on and a caret under its span:
//!
//! ```text
//! error[unknown-field]: rule 0 has an unknown field "replacewith"; did you mean "replaceWith"?
//!  --> policy.json:1:32 (/0/replacewith)
//!   |
//! 1 | [{"repositoryPrefix": "a.io", "replacewith": "m.io"}]
//!   |                               ^^^^^^^^^^^^^
//! ```
//!
//! With `--images FILE` (one image per line), it then shows which results a second pass of the
//! policy (a webhook invoked again, `reinvocationPolicy: IfNeeded`) would change, with the chain
//! of rules (`imgrepl::Policy::second_pass`); with `--json`, as a second line
//! `{"secondPass": [...]}`. A valid policy that a second pass changes on those images is not a
//! fixed point there: exit 1, as for an invalid policy (so CI can require a fixed point).
//!
//! `--json` prints the library's `Validation` as it serializes: `{"ok": bool, "rules": [...] |
//! null, "diagnostics": [{"severity", "code", "message", "index", "field", "pointer", "span":
//! {"start", "end"}, "related": {"start", "end"} | null}]}`. Exit 0 valid (warnings allowed), 1
//! invalid (or, with `--images`, not a fixed point on them).

use std::io::Write;
use std::path::PathBuf;

use imgrepl::corpus::{ChainEnd, MAX_PASSES, SecondPass};
use imgrepl::{Diagnostic, Policy};

use crate::exit::{Failure, Verdict};
use crate::output::{Out, TextIndex, plural, render};

/// Arguments of `imgrepl check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print `{"ok", "diagnostics"}` as JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// The policy file (the annotation's value, a JSON array of rules); `-` or none for stdin.
    #[arg(value_name = "POLICY_FILE", default_value = "-")]
    pub file: PathBuf,

    /// A file of images, one per line: show which results a second pass of the policy (a
    /// webhook invoked again) would change, with the chain of rules; exit 1 when any would.
    #[arg(long, value_name = "FILE")]
    pub images: Option<PathBuf>,
}

/// Runs `imgrepl check`.
///
/// # Errors
///
/// A failure to read the policy or to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    if let Some(images) = &args.images {
        crate::input::one_stdin(
            ("the policy", &args.file),
            ("the images (--images -)", images.as_os_str() == "-"),
        )?;
    }
    // Past 256 KiB the library's `too-large` diagnostic reports it, one message for any size.
    let text = crate::input::read_bounded(&args.file, imgrepl::MAX_POLICY_BYTES)?;
    let name = if args.file.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        args.file.display().to_string()
    };
    let validation = Policy::validate(&text);
    let second = match (&args.images, &validation.policy) {
        (Some(path), Some(policy)) => Some(second_pass(path, policy)?),
        _ => None,
    };
    let fixed_point = second.as_ref().is_none_or(Vec::is_empty);
    let verdict = if validation.is_ok() && fixed_point {
        Verdict::Valid
    } else {
        Verdict::Invalid
    };
    if args.json {
        out.json_line(&validation)?;
        if let Some(passes) = &second {
            out.json_line(&serde_json::json!({ "secondPass": passes }))?;
        }
    } else {
        let index = crate::output::TextIndex::new(&text);
        for d in &validation.diagnostics {
            show(&index, &name, d, out)?;
        }
        let errors = validation
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .count();
        let warnings = validation.diagnostics.len() - errors;
        match &validation.policy {
            Some(policy) => writeln!(
                out,
                "{name}: valid policy with {} rule{}, {warnings} warning{}",
                policy.rules().len(),
                plural(policy.rules().len()),
                plural(warnings)
            )?,
            None => writeln!(
                out,
                "{name}: invalid policy: {errors} error{}, {warnings} warning{}",
                plural(errors),
                plural(warnings)
            )?,
        }
        if let (Some(passes), Some(path)) = (&second, &args.images) {
            let name = if path.as_os_str() == "-" {
                "standard input".to_owned()
            } else {
                path.display().to_string()
            };
            write_second_pass(passes, &name, out)?;
        }
    }
    out.flush()?;
    Ok(verdict)
}

/// Writes one diagnostic with its source line and a caret under its span (and under the related
/// span, when it is on another line, as a note).
pub fn show(
    text: &TextIndex<'_>,
    name: &str,
    d: &Diagnostic,
    out: &mut Out,
) -> Result<(), Failure> {
    writeln!(
        out,
        "{}[{}]: {}",
        d.severity(),
        d.code(),
        render(d.message())
    )?;
    snippet(text, name, d.span(), Some(d.pointer()), out)?;
    if let Some(related) = d.related() {
        writeln!(out, "note: {}", d.related_label().unwrap_or("related"))?;
        snippet(text, name, related, None, out)?;
    }
    writeln!(out)?;
    Ok(())
}

/// ` --> name:line:col`, the line (a window of it when it is long), and carets under `span`.
fn snippet(
    text: &TextIndex<'_>,
    name: &str,
    span: imgrepl::Span,
    pointer: Option<&str>,
    out: &mut Out,
) -> Result<(), Failure> {
    let s = text.snippet(span);
    let pointer = match pointer {
        Some(p) if !p.is_empty() => format!(" ({p})"),
        _ => String::new(),
    };
    writeln!(out, " --> {name}:{}:{}{pointer}", s.number, s.column)?;
    let gutter = " ".repeat(s.number.to_string().len());
    writeln!(out, "{gutter} |")?;
    writeln!(out, "{} | {}", s.number, s.line)?;
    writeln!(out, "{gutter} | {}", s.caret)?;
    Ok(())
}

/// The second pass of `policy` over the images of `path` (`-`: standard input).
fn second_pass(path: &std::path::Path, policy: &Policy) -> Result<Vec<SecondPass>, Failure> {
    let mut images = Vec::new();
    let mut keep = |input: crate::input::Input<'_>| {
        let image = input.text.trim();
        if !image.is_empty() {
            images.push(image.to_owned());
        }
        Ok(())
    };
    if path.as_os_str() == "-" {
        crate::input::each_line(std::io::stdin().lock(), "standard input", &mut keep)?;
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| Failure::io(format_args!("reading {}", path.display()), &e))?;
        crate::input::each_line(file, &path.display().to_string(), &mut keep)?;
    }
    Ok(policy.second_pass(&images))
}

/// `images.txt: a second pass changes 1 of 3 images`, then each chain.
fn write_second_pass(passes: &[SecondPass], name: &str, out: &mut Out) -> Result<(), Failure> {
    if passes.is_empty() {
        writeln!(
            out,
            "{name}: a second pass changes no result: the policy is a fixed point on these images"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{name}: a second pass (a webhook invoked again) changes {} result{}:",
        passes.len(),
        plural(passes.len())
    )?;
    for p in passes {
        write!(out, "  {}", render(&p.image))?;
        for step in &p.chain {
            write!(
                out,
                " -> (rule {}) {}",
                step.rule.index(),
                render(&step.result)
            )?;
        }
        let end = match p.end {
            ChainEnd::Stable => "stable".to_owned(),
            ChainEnd::Cycle => "a cycle: every pass changes it".to_owned(),
            ChainEnd::Limit => format!("still changing after {MAX_PASSES} more passes"),
            _ => match &p.error {
                Some(e) => format!("then [{}] {e}", e.code()),
                None => "then invalid".to_owned(),
            },
        };
        writeln!(out, " [{end}]")?;
    }
    Ok(())
}
