//! `imgrepl apply -f FILE|- [--policy FILE] [--pod-spec GROUP/KIND=PATH]… [--report [--json] |
//! --patch]`: rewrites the images of the workloads in Kubernetes manifests, in place.
//!
//! A thin layer over `imgrepl-manifest`: the output is the input byte for byte except inside
//! the rewritten image values (comments, quoting, anchors, number forms and final newlines are
//! kept). Each document is read on its own; a problem in one is reported with its document
//! number, line and column, and the others are still rewritten. Pod specs are found by the
//! kinds table of `imgrepl-k8s` (plus `--pod-spec`), or by shape for other kinds
//! (`--no-shape-finding` turns that off); `List`s are entered.
//!
//! Output:
//! - by default, the manifests, edited;
//! - `--report`, a table with one row per container (document, object, container, image before
//!   and after, the rule), and a row for each object without any; `--report --json` prints
//!   each object's report as JSON Lines;
//! - `--patch`, one line per document: its RFC 6902 JSON Patch (`[]` when nothing changes).
//!
//! Warnings and errors go to stderr, each naming its document and position. Exit 0 when every
//! object was rewritten as asked, 1 when a document cannot be read or an object or a container
//! has an error (everything else is still rewritten), 2 for a usage or I/O error, an input
//! that cannot be read at all (larger than 64 MiB, UTF-16, not UTF-8), or an invalid
//! `--policy` file.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use imgrepl::{Code, Diagnostic, MatchMode, Policy};
use imgrepl_k8s::{
    BurstLabel, BurstMode, BurstSet, ContainerReport, FoundBy, ObjectReport, Options, PodSpecTable,
    Report, WorkloadError,
};
use imgrepl_manifest::{Document, MAX_INPUT_BYTES};
use serde::Serialize;

use crate::exit::{Failure, Verdict};
use crate::output::{Out, Stderr, TextIndex, render, write_columns};

/// Where the policy comes from, for `apply` and `admission-review`.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// A policy file (the annotation's value, a JSON array of rules) to use for every object,
    /// instead of the objects' annotations.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// The annotation that carries the policy.
    #[arg(long, value_name = "KEY", default_value = imgrepl_k8s::ANNOTATION_KEY)]
    pub annotation_key: String,

    /// How a rule's prefix matches: the longest prefix at a '/' boundary, or only the image's
    /// whole parent path.
    #[arg(long, value_name = "MODE", default_value = "longest-prefix", value_parser = MatchMode::from_str)]
    pub mode: MatchMode,

    /// Also look for pod specs at PATH in objects of this API group and kind (keys separated
    /// by '.', '[]' after a key for every item of an array), e.g.
    /// example.com/Widget=spec.runner.template.spec; KIND=PATH for the core group. Repeatable.
    #[arg(long = "pod-spec", value_name = "GROUP/KIND=PATH")]
    pub pod_spec: Vec<String>,

    /// Do not look for pod specs by their shape in objects of kinds not in the table.
    #[arg(long)]
    pub no_shape_finding: bool,

    /// Rewrite only pod specs whose bursting label (bursting.cci.io/burst-to-cci of CCI 2.0,
    /// which wins, or virtual-kubelet.io/burst-to-cci of CCI 1.0) is one of these
    /// (comma-separated: auto, enforce, off); the others are reported as not bursting. By
    /// default every pod spec is rewritten, whatever its label.
    #[arg(long, value_name = "VALUES", value_parser = burst_list)]
    pub burst: Option<BurstSet>,

    /// Do not warn about pulls a rewrite may break (images moved to another registry with no
    /// imagePullSecrets, or with pull secrets none of which covers it).
    #[arg(long)]
    pub no_pull_checks: bool,
}

impl PolicyArgs {
    /// Reads `--policy`, in `--mode`; an invalid policy is a failure (exit 2) naming its errors.
    ///
    /// # Errors
    ///
    /// A failure to read the file, or an invalid policy.
    pub fn load(&self) -> Result<(Option<Policy>, MatchMode), Failure> {
        let mode = self.mode;
        let Some(path) = &self.policy else {
            return Ok((None, mode));
        };
        let (policy, _) = crate::policy_file::load(path)?;
        Ok((Some(policy.with_mode(mode)), mode))
    }

    /// Whether the policy is read from standard input (`--policy -`).
    pub fn reads_stdin(&self) -> bool {
        self.policy.as_deref() == Some(std::path::Path::new("-"))
    }

    /// The kinds table: the built-in one with every `--pod-spec` added.
    ///
    /// # Errors
    ///
    /// A usage failure naming an invalid `--pod-spec`.
    pub fn table(&self) -> Result<PodSpecTable, Failure> {
        let mut table = PodSpecTable::new();
        for spec in &self.pod_spec {
            table
                .add_spec(spec)
                .map_err(|e| Failure::usage(format!("--pod-spec: {e}")))?;
        }
        Ok(table)
    }

    /// The options of `imgrepl-k8s` for these arguments, the loaded policy and table.
    pub fn options<'a>(
        &'a self,
        policy: Option<&'a Policy>,
        mode: MatchMode,
        table: &'a PodSpecTable,
    ) -> Options<'a> {
        let mut options = Options::new()
            .annotation_key(&self.annotation_key)
            .mode(mode)
            .pod_specs(table)
            .find_by_shape(!self.no_shape_finding)
            .check_pulls(!self.no_pull_checks);
        if let Some(set) = self.burst {
            options = options.burst(set);
        }
        match policy {
            Some(policy) => options.policy(policy),
            None => options,
        }
    }
}

/// Arguments of `imgrepl apply`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifests: a YAML or JSON file, or `-` for stdin.
    #[arg(long = "filename", short = 'f', value_name = "FILE")]
    pub file: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Print a table of every container (image before and after, the rule) instead of the
    /// manifests.
    #[arg(long, conflicts_with = "patch")]
    pub report: bool,

    /// With --report: print each object's report as one JSON object per line.
    #[arg(long, requires = "report")]
    pub json: bool,

    /// Print each document's RFC 6902 JSON Patch, one per line, instead of the manifests.
    #[arg(long)]
    pub patch: bool,
}

/// Writes a line to stderr: a closed pipe ends the command quietly, a full stream is exit
/// code 2 (see [`crate::exit`]); never a panic.
fn warn(err: &mut Stderr, line: &str) -> Result<(), Failure> {
    err.text(line)?;
    err.text("\n")
}

/// Runs `imgrepl apply`.
///
/// # Errors
///
/// A failure to read the input or the policy, an input that cannot be read at all, or a
/// failure to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    crate::input::one_stdin(
        ("the manifests (-f -)", &args.file),
        ("the policy (--policy -)", args.policy.reads_stdin()),
    )?;
    let (policy, mode) = args.policy.load()?;
    let table = args.policy.table()?;
    let input = crate::input::read_bytes(&args.file, MAX_INPUT_BYTES)?;
    let name = if args.file.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        args.file.display().to_string()
    };
    // The pull secrets the manifests hold, so a rewritten image whose new registry none of its
    // pod's secrets covers is reported.
    let secrets = imgrepl_manifest::pull_secrets(&input)
        .map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    let mut err = Stderr::new();
    for problem in secrets.problems() {
        warn(
            &mut err,
            &format!("imgrepl: {name}: warning: {}", render(&problem.message)),
        )?;
    }
    let options = args
        .policy
        .options(policy.as_ref(), mode, &table)
        .pull_secrets(&secrets);
    let failed = |e: imgrepl_manifest::InputError| Failure::usage(format!("{name}: {e}"));
    let mut valid = true;
    // The pull secrets named and not in the input, said once at the end.
    let mut not_given: Vec<String> = Vec::new();
    let mut note_secrets = |document: &Document| {
        let reports = document
            .objects
            .iter()
            .filter_map(|o| o.outcome.as_ref().ok());
        not_given.extend(secrets.not_given(reports));
    };
    if args.report && !args.json {
        // The table's columns fit every row: all documents are needed first.
        let edited = imgrepl_manifest::edit(&input, &options).map_err(failed)?;
        drop(input);
        for document in &edited.documents {
            report_to_stderr(document, &mut err)?;
            note_secrets(document);
        }
        write_table(out, &edited.documents)?;
        valid = !edited.has_errors();
    } else {
        // Each document is reported, printed and dropped as soon as it is done, so memory
        // holds the input, the output and one document.
        let mut written: Result<(), Failure> = Ok(());
        let output = imgrepl_manifest::edit_each(&input, &options, |document| {
            valid &= !document.has_errors();
            note_secrets(&document);
            if written.is_err() {
                return;
            }
            written = report_to_stderr(&document, &mut err);
            if written.is_err() {
                return;
            }
            written = if args.report {
                document
                    .objects
                    .iter()
                    .try_for_each(|object| out.json_line(&JsonRecord::new(&document, object)))
                    .map_err(Failure::from)
            } else if args.patch {
                out.json_line(&document.patch()).map_err(Failure::from)
            } else {
                Ok(())
            };
        })
        .map_err(failed)?;
        drop(input);
        written?;
        if !args.report && !args.patch {
            out.write_all(output.as_bytes())?;
        }
    }
    out.flush()?;
    not_given.sort_unstable();
    not_given.dedup();
    if !args.policy.no_pull_checks && !not_given.is_empty() {
        let plural = if not_given.len() == 1 { "" } else { "s" };
        warn(
            &mut err,
            &format!(
                "imgrepl: note: the pull secret{plural} {} {} not in the input, so whether {} the new registries is not checked",
                not_given.join(", "),
                if not_given.len() == 1 { "is" } else { "are" },
                if not_given.len() == 1 {
                    "it covers"
                } else {
                    "they cover"
                },
            ),
        )?;
    }
    Ok(Verdict::Valid.and(valid))
}

/// `document N`, `document N item I.J`.
fn place(document: &Document, object: &ObjectReport) -> String {
    let mut at = format!("document {}", document.number);
    if !object.items.is_empty() {
        let items: Vec<String> = object.items.iter().map(ToString::to_string).collect();
        let _ = write!(at, " item {}", items.join("."));
    }
    at
}

/// ` (line L, column C)` of a pointer of the object, when known.
fn at(document: &Document, object: &ObjectReport, pointer: &str) -> String {
    document
        .position(&format!("{}{pointer}", object.pointer))
        .map(|p| format!(" (line {}, column {})", p.line, p.column))
        .unwrap_or_default()
}

/// Prints a document's problems, and its objects' warnings and errors, to stderr.
fn report_to_stderr(document: &Document, err: &mut Stderr) -> Result<(), Failure> {
    if let Some(error) = &document.error {
        let p = error.position();
        warn(
            err,
            &format!(
                "imgrepl: document {} (line {}, column {}): error[{}]: {}; the document is left as it is",
                document.number,
                p.line,
                p.column,
                error.code(),
                render(&error.to_string())
            ),
        )?;
    }
    for object in &document.objects {
        let who = format!("{} ({})", place(document, object), render(&object.label()));
        match &object.outcome {
            Ok(report) => {
                for warning in &report.warnings {
                    warn(
                        err,
                        &format!(
                            "imgrepl: {who}{}: warning: {}",
                            at(document, object, &warning.pointer),
                            render(&warning.message)
                        ),
                    )?;
                }
                if let Some(source) = &report.policy {
                    let text = TextIndex::new(source.annotation.as_deref().unwrap_or_default());
                    for d in &source.diagnostics {
                        warn(
                            err,
                            &format!(
                                "imgrepl: {who}: warning: policy in {}:\n{}",
                                source.pointer.as_deref().unwrap_or_default(),
                                diagnostic_lines(d, &text)
                            ),
                        )?;
                    }
                }
                for row in report.errors() {
                    if let Some(message) = row.message() {
                        warn(
                            err,
                            &format!(
                                "imgrepl: {who}{}: error: {}",
                                at(document, object, &row.pointer),
                                render(&message)
                            ),
                        )?;
                    }
                }
            }
            Err(error) => {
                warn(
                    err,
                    &format!(
                        "imgrepl: {who}{}: error[{}]: {}",
                        at(document, object, error.pointer()),
                        error.code(),
                        render(&error.to_string())
                    ),
                )?;
                if let Some(source) = error.policy() {
                    let text = TextIndex::new(source.annotation.as_deref().unwrap_or_default());
                    for d in &source.diagnostics {
                        warn(err, &diagnostic_lines(d, &text))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// A diagnostic, and the line of `text` it is on (a window of it, when it is long) with a caret
/// under its span: the renderer of `imgrepl check`.
pub(crate) fn diagnostic_lines(d: &Diagnostic, text: &TextIndex<'_>) -> String {
    let s = text.snippet(d.span());
    format!(
        "    {}\n    {} | {}\n    {} | {}",
        render(&d.to_string()),
        s.number,
        s.line,
        " ".repeat(s.number.to_string().len()),
        s.caret
    )
}

/// `--report --json`: one object.
#[derive(Serialize)]
struct JsonRecord<'a> {
    document: usize,
    item: Option<String>,
    object: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a WorkloadError>,
}

impl<'a> JsonRecord<'a> {
    fn new(document: &Document, object: &'a ObjectReport) -> Self {
        JsonRecord {
            document: document.number,
            item: (!object.items.is_empty()).then(|| {
                let items: Vec<String> = object.items.iter().map(ToString::to_string).collect();
                items.join(".")
            }),
            object: object.label(),
            report: object.outcome.as_ref().ok(),
            error: object.outcome.as_ref().err(),
        }
    }
}

/// The `--report` table.
fn write_table(out: &mut Out, documents: &[Document]) -> Result<(), Failure> {
    let mut rows: Vec<[String; 7]> = vec![
        [
            "DOC",
            "OBJECT",
            "BURST",
            "CONTAINER",
            "BEFORE",
            "AFTER",
            "RULE",
        ]
        .map(str::to_owned),
    ];
    for document in documents {
        let doc = document.number.to_string();
        let note = |doc: &str, label: &str, burst: &str, text: String| {
            [
                doc.to_owned(),
                label.to_owned(),
                burst.to_owned(),
                "-".into(),
                "-".into(),
                text,
                "-".into(),
            ]
        };
        if let Some(error) = &document.error {
            rows.push(note(&doc, "-", "-", format!("error[{}]", error.code())));
        }
        for object in &document.objects {
            let doc = match object.items.as_slice() {
                [] => doc.clone(),
                items => {
                    let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                    format!("{doc}.{}", items.join("."))
                }
            };
            let label = object.label();
            match &object.outcome {
                Err(error) => {
                    rows.push(note(&doc, &label, "-", format!("error[{}]", error.code())));
                }
                Ok(report) if !report.is_workload() => {
                    rows.push(note(&doc, &label, "-", "(not a workload)".into()));
                }
                Ok(report) if report.warnings.iter().any(|w| w.code == Code::NoPodSpec) => {
                    rows.push(note(&doc, &label, "-", "(no pod spec)".into()));
                }
                Ok(report) => {
                    let shape = report
                        .kind
                        .as_ref()
                        .is_some_and(|k| k.found_by() == FoundBy::Shape);
                    let label = if shape {
                        format!("{label} (found by shape)")
                    } else {
                        label
                    };
                    report_rows(&doc, &label, report, &mut rows);
                }
            }
        }
    }
    write_columns(out, &rows)?;
    Ok(())
}

/// The `--burst` list: values separated by commas; an unknown one is named with its place.
fn burst_list(list: &str) -> Result<BurstSet, String> {
    let mut modes = Vec::new();
    let mut at = 0;
    for (i, value) in list.split(',').enumerate() {
        match value.parse::<BurstMode>() {
            Ok(mode) => modes.push(mode),
            Err(_) => {
                return Err(format!(
                    "{value:?} (value {} of {list:?}, at byte {at}) is not a bursting value: expected \"auto\", \"enforce\" or \"off\", separated by commas without spaces",
                    i + 1
                ));
            }
        }
        at += value.len() + 1;
    }
    Ok(BurstSet::of(&modes))
}

/// The rows of one workload: per pod spec, its containers, or a note saying why there are none.
fn report_rows(doc: &str, label: &str, report: &Report, rows: &mut Vec<[String; 7]>) {
    let before = rows.len();
    for spec in &report.pod_specs {
        let burst = spec
            .burst
            .as_ref()
            .map_or_else(|| "-".to_owned(), BurstLabel::shown);
        let note = |text: &str| {
            [
                doc.to_owned(),
                label.to_owned(),
                burst.clone(),
                "-".into(),
                "-".into(),
                text.to_owned(),
                "-".into(),
            ]
        };
        if spec.excluded {
            rows.push(note("(excluded)"));
            continue;
        }
        if spec.not_bursting {
            rows.push(note("(not bursting)"));
            continue;
        }
        if spec.policy.is_none() {
            rows.push(note("(no policy)"));
            continue;
        }
        let within = format!("{}/", spec.pointer);
        let mut any = false;
        for row in report
            .containers
            .iter()
            .filter(|r| r.pointer.starts_with(&within))
        {
            rows.push(container_row(doc, label, &burst, row));
            any = true;
        }
        if !any {
            rows.push(note("(no containers)"));
        }
    }
    if rows.len() == before {
        let burst = report
            .burst
            .as_ref()
            .map_or_else(|| "-".to_owned(), BurstLabel::shown);
        rows.push([
            doc.to_owned(),
            label.to_owned(),
            burst,
            "-".into(),
            "-".into(),
            "(no containers)".into(),
            "-".into(),
        ]);
    }
}

fn container_row(doc: &str, label: &str, burst: &str, row: &ContainerReport) -> [String; 7] {
    let container = match &row.name {
        Some(name) => format!("{}[{}] {}", row.list, row.index, render(name)),
        None => format!("{}[{}]", row.list, row.index),
    };
    let before = row
        .before
        .as_deref()
        .map_or("-".into(), |i| render(i).into_owned());
    let after = match (&row.error, &row.after) {
        (Some(e), _) => match e.offset() {
            Some(at) => format!("error[{}] at byte {at}", e.code()),
            None => format!("error[{}]", e.code()),
        },
        (None, Some(after)) if row.changed() => render(after).into_owned(),
        (None, Some(_)) => "(unchanged)".into(),
        (None, None) => "(no image)".into(),
    };
    let rule = row.rule.as_ref().map_or("-".into(), |r| {
        format!("{} {:?}", r.index, r.repository_prefix)
    });
    [
        doc.to_owned(),
        label.to_owned(),
        burst.to_owned(),
        container,
        before,
        after,
        rule,
    ]
}
