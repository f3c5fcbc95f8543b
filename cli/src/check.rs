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
//! `--json` prints the library's `Validation` as it serializes: `{"ok": bool, "rules": [...] |
//! null, "diagnostics": [{"severity", "code", "message", "index", "field", "pointer", "span":
//! {"start", "end"}, "related": {"start", "end"} | null}]}`. Exit 0 valid (warnings allowed), 1
//! invalid.

use std::io::Write;
use std::path::PathBuf;

use imgrepl::{Diagnostic, Policy};

use crate::exit::{Failure, Verdict};
use crate::output::{Out, TextIndex, render};

/// Arguments of `imgrepl check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print `{"ok", "diagnostics"}` as JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// The policy file (the annotation's value, a JSON array of rules); `-` or none for stdin.
    #[arg(value_name = "POLICY_FILE", default_value = "-")]
    pub file: PathBuf,
}

/// Runs `imgrepl check`.
///
/// # Errors
///
/// A failure to read the policy or to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    // Past 256 KiB the library's `too-large` diagnostic reports it, one message for any size.
    let text = crate::input::read_bounded(&args.file, imgrepl::MAX_POLICY_BYTES)?;
    let name = if args.file.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        args.file.display().to_string()
    };
    let validation = Policy::validate(&text);
    let verdict = if validation.is_ok() {
        Verdict::Valid
    } else {
        Verdict::Invalid
    };
    if args.json {
        out.json_line(&validation)?;
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
    }
    out.flush()?;
    Ok(verdict)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
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
