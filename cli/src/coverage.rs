//! `imgrepl coverage --policy P (-f MANIFESTS… | IMAGE…)`: what a policy does over a corpus of
//! images — per rule the images it wins and those it loses to a longer prefix, the rules that
//! never win, the images no rule matches (by registry, as written and normalized, with example
//! workloads), the invalid images, and where exact-parent and longest-prefix disagree.
//!
//! The work is `imgrepl::Policy::coverage`; this prints it as tables, or with `--json` as the
//! library serializes it. `--fail-on dead,uncovered` (also `invalid`, `disagree`) exits 1 when
//! the corpus shows any of those, for CI.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use imgrepl::corpus::{Coverage, NearRule, RuleStatus};
use imgrepl::{MatchMode, RuleId};

use crate::corpus::CorpusArgs;
use crate::exit::{Failure, Verdict};
use crate::output::{Out, write_columns};

/// What `--fail-on` can fail on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// A rule wins no image (dead or shadowed).
    Dead,
    /// An image no rule matches.
    Uncovered,
    /// An invalid image, or a rewrite that would be invalid.
    Invalid,
    /// An image the two match modes rewrite by different rules.
    Disagree,
}

/// Arguments of `imgrepl coverage`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (the annotation's value, a JSON array of rules). Without it, the policy
    /// the manifests (-f) carry in their annotation, as `apply` reads it (they must all carry
    /// the same one).
    #[arg(long, short = 'p', value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// The annotation read for the policy when there is no --policy.
    #[arg(long, value_name = "KEY", default_value = imgrepl_k8s::ANNOTATION_KEY)]
    pub annotation_key: String,

    /// How a rule's prefix matches (wins and shadows are counted in this mode).
    #[arg(long, value_name = "MODE", default_value = "longest-prefix", value_parser = MatchMode::from_str)]
    pub mode: MatchMode,

    /// Print the coverage as one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when the corpus shows any of these (comma-separated).
    #[arg(long, value_name = "WHAT", value_delimiter = ',')]
    pub fail_on: Vec<FailOn>,

    #[command(flatten)]
    pub corpus: CorpusArgs,
}

/// Runs `imgrepl coverage`.
///
/// # Errors
///
/// A failure to read the policy or the images, an invalid policy, or a failure to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    let mode = args.mode;
    if let Some(path) = &args.policy {
        crate::input::one_stdin(
            ("the policy (--policy -)", path),
            (args.corpus.stdin_name(), args.corpus.reads_stdin()),
        )?;
    } else if args.corpus.files.is_empty() {
        return Err(Failure::usage(
            "give --policy, or manifests (-f) whose workloads carry the policy in their annotation",
        ));
    }
    let files = args.corpus.read_files()?;
    let (policy, name) = match &args.policy {
        Some(path) => (
            crate::policy_file::load(path)?.0,
            path.display().to_string(),
        ),
        None => CorpusArgs::annotation_policy(&files, &args.annotation_key)?,
    };
    let policy = policy.with_mode(mode);
    let corpus = args.corpus.load_read(&policy, &files)?;
    let coverage = policy.coverage(corpus.items());
    if args.json {
        out.json_line(&coverage)?;
    } else {
        write_text(&coverage, &name, out)?;
    }
    out.flush()?;
    let failed = args.fail_on.iter().any(|what| match what {
        FailOn::Dead => coverage.never_winning().next().is_some(),
        FailOn::Uncovered => coverage.uncovered_count > 0,
        FailOn::Invalid => coverage.invalid_count > 0,
        FailOn::Disagree => !coverage.disagreements.is_empty(),
    });
    Ok(Verdict::Valid.and(!failed))
}

fn rule_name(rule: Option<RuleId>) -> String {
    rule.map_or_else(|| "none".to_owned(), |r| format!("rule {}", r.index()))
}

/// The tables of `imgrepl coverage`.
fn write_text(c: &Coverage, name: &str, out: &mut Out) -> Result<(), Failure> {
    writeln!(
        out,
        "{name}: {} rule{}, {} image{} ({} distinct): {} rewritten, {} uncovered, {} invalid",
        c.rules.len(),
        crate::output::plural(c.rules.len()),
        c.images,
        crate::output::plural(c.images),
        c.distinct,
        c.rewritten,
        c.uncovered_count,
        c.invalid_count
    )?;
    writeln!(out)?;
    let mut rows = vec![
        [
            "RULE",
            "PREFIX",
            "REPLACE WITH",
            "WINS",
            "SHADOWED",
            "STATUS",
        ]
        .map(str::to_owned),
    ];
    for r in &c.rules {
        let status = match (r.status, r.code) {
            (RuleStatus::Wins, _) => "wins".to_owned(),
            (_, Some(code)) => format!("never wins [{code}]"),
            (_, None) => "never wins".to_owned(),
        };
        rows.push([
            r.index.to_string(),
            format!("{:?}", r.repository_prefix),
            r.replace_with.clone(),
            r.wins.to_string(),
            r.shadowed.to_string(),
            status,
        ]);
    }
    write_columns(out, &rows)?;
    write_uncovered(c, out)?;
    if !c.invalid.is_empty() {
        writeln!(out)?;
        let mut rows = vec![["INVALID", "IMAGE", "ERROR"].map(str::to_owned)];
        for i in &c.invalid {
            rows.push([
                i.count.to_string(),
                if i.image.is_empty() {
                    "\"\"".to_owned()
                } else {
                    i.image.clone()
                },
                format!("[{}] {}", i.error.code(), i.error),
            ]);
        }
        write_columns(out, &rows)?;
    }
    if !c.disagreements.is_empty() {
        writeln!(out)?;
        let mut rows =
            vec![["DISAGREE", "IMAGE", "LONGEST-PREFIX", "EXACT-PARENT"].map(str::to_owned)];
        for d in &c.disagreements {
            rows.push([
                d.count.to_string(),
                d.image.clone(),
                rule_name(d.longest_prefix_rule),
                rule_name(d.exact_parent_rule),
            ]);
        }
        write_columns(out, &rows)?;
    }
    Ok(())
}

/// The uncovered registries, with the rule each differs from only by spelling, when one does.
fn write_uncovered(c: &Coverage, out: &mut Out) -> Result<(), Failure> {
    if c.uncovered.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let near = c.uncovered.iter().any(|g| g.near.is_some());
    let mut rows = vec![
        [
            "UNCOVERED",
            "REGISTRY",
            "NORMALIZED",
            "IMAGES",
            "WORKLOADS",
            "NOTE",
        ]
        .map(str::to_owned),
    ];
    for g in &c.uncovered {
        let images: Vec<String> = g
            .images
            .iter()
            .take(3)
            .map(|i| format!("{} ({})", i.image, i.count))
            .collect();
        let more = g.images.len().saturating_sub(3);
        let mut images = images.join(", ");
        if more > 0 {
            let _ = write!(images, ", … {more} more");
        }
        rows.push([
            g.count.to_string(),
            g.registry.clone().unwrap_or_else(|| "-".to_owned()),
            g.normalized.clone().unwrap_or_else(|| "-".to_owned()),
            images,
            if g.workloads.is_empty() {
                "-".to_owned()
            } else {
                g.workloads.join(", ")
            },
            g.near.as_ref().map_or_else(String::new, NearRule::message),
        ]);
    }
    if !near {
        for row in &mut rows {
            row[5].clear();
        }
    }
    write_columns(out, &rows)?;
    Ok(())
}
