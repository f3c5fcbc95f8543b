//! `imgrepl diff OLD NEW (-f MANIFESTS… | IMAGE…)`: what changes from one policy file to
//! another — rules added, removed and changed (same prefix, new `replaceWith`) with their
//! positions in both files, and every image of the corpus whose result or winning rule changes,
//! with the rule change that causes it.
//!
//! The work is `imgrepl::diff::diff`; this prints it, or with `--json` as the library
//! serializes it. `--exit-code` exits 1 when anything changes (as `git diff --exit-code`).

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use imgrepl::MatchMode;
use imgrepl::diff::{ChangeKind, DiffOutcome, PolicyDiff, RuleAt};

use crate::corpus::CorpusArgs;
use crate::exit::{Failure, Verdict};
use crate::output::{Out, line_column, write_columns};

/// Arguments of `imgrepl diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old policy file.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The new policy file.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// How a rule's prefix matches, in both policies.
    #[arg(long, value_name = "MODE", default_value = "longest-prefix", value_parser = MatchMode::from_str)]
    pub mode: MatchMode,

    /// Print the diff as one JSON object instead of text.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when anything changes, 0 when nothing does.
    #[arg(long)]
    pub exit_code: bool,

    #[command(flatten)]
    pub corpus: CorpusArgs,
}

/// Runs `imgrepl diff`.
///
/// # Errors
///
/// A failure to read a policy or the images, an invalid policy, or a failure to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    let mode = args.mode;
    crate::input::one_stdin(
        ("the old policy", &args.old),
        ("the new policy", args.new.as_os_str() == "-"),
    )?;
    for (name, path) in [("the old policy", &args.old), ("the new policy", &args.new)] {
        crate::input::one_stdin(
            (name, path),
            (args.corpus.stdin_name(), args.corpus.reads_stdin()),
        )?;
    }
    let (old, old_text) = crate::policy_file::load(&args.old)?;
    let (new, new_text) = crate::policy_file::load(&args.new)?;
    let (old, new) = (old.with_mode(mode), new.with_mode(mode));
    let corpus = args.corpus.load(&old)?;
    let diff = imgrepl::diff::diff(&old, &new, corpus.items());
    if args.json {
        out.json_line(&diff)?;
    } else {
        let files = Files {
            old: (args.old.display().to_string(), &old_text),
            new: (args.new.display().to_string(), &new_text),
        };
        write_text(&diff, &files, out)?;
    }
    out.flush()?;
    Ok(Verdict::Valid.and(!args.exit_code || diff.is_empty()))
}

/// The two files, by name and text, for positions.
struct Files<'a> {
    old: (String, &'a str),
    new: (String, &'a str),
}

/// `file:line:column (rule N)`.
fn position((name, text): &(String, &str), rule: &RuleAt) -> String {
    let (line, column) = line_column(text, rule.span.start);
    format!("{name}:{line}:{column} (rule {})", rule.index)
}

/// `result (rule N)` or `[code]`.
fn outcome(o: &DiffOutcome) -> String {
    match (&o.result, o.rule, o.error) {
        (_, _, Some(code)) => format!("left as it is [{code}]"),
        (Some(result), Some(rule), None) => format!("{result} (rule {})", rule.index()),
        (Some(result), None, None) => format!("{result} (no rule)"),
        (None, _, None) => "-".to_owned(),
    }
}

fn write_text(d: &PolicyDiff, files: &Files<'_>, out: &mut Out) -> Result<(), Failure> {
    let s = &d.summary;
    writeln!(
        out,
        "rules: {} added, {} removed, {} changed, {} unchanged",
        s.added, s.removed, s.changed, s.unchanged
    )?;
    let mut rows = Vec::new();
    for change in &d.rules {
        let (what, replace, at) = match (change.kind, &change.old, &change.new) {
            (ChangeKind::Added, _, Some(new)) => {
                ("added", new.replace_with.clone(), position(&files.new, new))
            }
            (ChangeKind::Removed, Some(old), _) => (
                "removed",
                old.replace_with.clone(),
                position(&files.old, old),
            ),
            (_, Some(old), Some(new)) => (
                "changed",
                format!("{} -> {}", old.replace_with, new.replace_with),
                format!(
                    "{} -> {}",
                    position(&files.old, old),
                    position(&files.new, new)
                ),
            ),
            _ => continue,
        };
        rows.push([
            format!("  {what}"),
            format!("{:?}", change.repository_prefix),
            replace,
            at,
        ]);
    }
    write_columns(out, &rows)?;
    writeln!(
        out,
        "images: {} of {} change ({} distinct)",
        s.images_changed, s.images, s.distinct_changed
    )?;
    let mut rows = Vec::new();
    for image in &d.images {
        let causes: Vec<String> = image
            .causes
            .iter()
            .filter_map(|&i| d.rules.get(i))
            .map(|c| {
                let kind = match c.kind {
                    ChangeKind::Added => "added",
                    ChangeKind::Removed => "removed",
                    _ => "changed",
                };
                format!("{kind} {:?}", c.repository_prefix)
            })
            .collect();
        rows.push([
            format!("  {}", image.image),
            outcome(&image.old),
            "->".to_owned(),
            outcome(&image.new),
            format!("[{}]", causes.join("; ")),
        ]);
    }
    write_columns(out, &rows)?;
    Ok(())
}
