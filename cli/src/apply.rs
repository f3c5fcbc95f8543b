//! `imgrepl apply -f FILE|- [--policy FILE] [--report [--json] | --patch]`: rewrites the images of
//! the workloads in Kubernetes manifests.
//!
//! The input is one or more manifests: multi-document YAML (`---` between documents), or one or
//! more JSON values; a `List` (`kind: List`, `DeploymentList`, … with `items`) is rewritten item
//! by item. Each workload is rewritten by the policy in its own annotation (the pod template's
//! first, then the workload's own, as `imgrepl::workload` reads it), or by `--policy FILE`, which
//! wins. Documents that are not workloads, or carry no policy, pass through unchanged.
//!
//! Output, in the input's format (YAML in, YAML out; JSON in, JSON out):
//! - by default, every document, rewritten;
//! - `--report`, a table with one row per container (document, object, container, image before
//!   and after, the rule), and a row for each document without any; `--report --json` prints the
//!   library's report of each object as JSON Lines;
//! - `--patch`, one line per document: its RFC 6902 JSON Patch (`[]` when nothing changes).
//!
//! Warnings and errors go to stderr, each naming its document. Exit 0 when every object was
//! rewritten as asked, 1 when some object has an invalid policy, is malformed, or has an invalid
//! image (the other containers and objects are still rewritten), 2 for a usage or I/O error, an
//! input that is not YAML or JSON, or an invalid `--policy` file.
//!
//! YAML is read and written with `serde-saphyr`: comments and the input's quoting and layout are
//! not kept (keys keep their order).

use std::io::Write;
use std::path::PathBuf;

use imgrepl::workload::{self, ContainerReport, Options, Report, WorkloadError};
use imgrepl::{Diagnostic, MatchMode, Policy};
use serde::Serialize;
use serde_json::Value;

use crate::exit::{Failure, Verdict};
use crate::output::{Out, Stderr, TextIndex, render};

/// The largest input read: many objects of up to `imgrepl::workload::MAX_OBJECT_BYTES` each.
pub const MAX_INPUT_BYTES: usize = 64 << 20;

/// Where the policy comes from, for `apply` and `admission-review`.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// A policy file (the annotation's value, a JSON array of rules) to use for every object,
    /// instead of the objects' annotations.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// The annotation that carries the policy.
    #[arg(long, value_name = "KEY", default_value = imgrepl::ANNOTATION_KEY)]
    pub annotation_key: String,

    /// How a rule's prefix matches: the longest prefix at a '/' boundary, or only the image's
    /// whole parent path.
    #[arg(long, value_name = "MODE", default_value = "longest-prefix", value_parser = ["longest-prefix", "exact-parent"])]
    pub mode: String,
}

impl PolicyArgs {
    /// Reads `--policy`, in `--mode`; an invalid policy is a failure (exit 2) naming its errors.
    ///
    /// # Errors
    ///
    /// A failure to read the file, or an invalid policy.
    pub fn load(&self) -> Result<(Option<Policy>, MatchMode), Failure> {
        let mode: MatchMode = self
            .mode
            .parse()
            .map_err(|e| Failure::usage(format!("{e}")))?;
        let Some(path) = &self.policy else {
            return Ok((None, mode));
        };
        let text = crate::input::read_bounded(path, imgrepl::MAX_POLICY_BYTES)?;
        let policy = Policy::from_json(&text).map_err(|e| {
            let mut message = format!("{}: {e}", path.display());
            let text = TextIndex::new(&text);
            for d in e.diagnostics() {
                message.push('\n');
                message.push_str(&diagnostic_lines(d, &text));
            }
            Failure::usage(message)
        })?;
        Ok((Some(policy.with_mode(mode)), mode))
    }

    /// Whether the policy is read from standard input (`--policy -`).
    pub fn reads_stdin(&self) -> bool {
        self.policy.as_deref() == Some(std::path::Path::new("-"))
    }

    /// The options of `imgrepl::workload` for these arguments and the loaded policy.
    pub fn options<'a>(&'a self, policy: Option<&'a Policy>, mode: MatchMode) -> Options<'a> {
        let options = Options::new()
            .annotation_key(&self.annotation_key)
            .mode(mode);
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

/// The syntax of the input, and of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Yaml,
}

/// One object: a document, or an item of a `List` document.
struct Object {
    /// The document's number, 1-based.
    document: usize,
    /// The index in the document's `items`, for a `List`.
    item: Option<usize>,
    /// `Kind/name`.
    label: String,
    outcome: Result<Report, WorkloadError>,
}

impl Object {
    fn place(&self) -> String {
        match self.item {
            Some(i) => format!("document {} item {i}", self.document),
            None => format!("document {}", self.document),
        }
    }
}

/// Runs `imgrepl apply`.
///
/// # Errors
///
/// A failure to read the input or the policy, an input that is not YAML or JSON, or a failure
/// to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    crate::input::one_stdin(
        ("the manifests (-f -)", &args.file),
        ("the policy (--policy -)", args.policy.reads_stdin()),
    )?;
    let (policy, mode) = args.policy.load()?;
    let options = args.policy.options(policy.as_ref(), mode);
    let text = crate::input::read_text(&args.file, MAX_INPUT_BYTES)?;
    let name = if args.file.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        args.file.display().to_string()
    };
    let format = detect(&text);
    let mut documents = parse(&text, format).map_err(|e| Failure::usage(format!("{name}: {e}")))?;

    let mut objects = Vec::new();
    let mut patches = Vec::with_capacity(documents.len());
    for (n, document) in documents.iter_mut().enumerate() {
        patches.push(rewrite_document(n + 1, document, &options, &mut objects));
    }

    let mut verdict = Verdict::Valid;
    let mut err = Stderr::new();
    for object in &objects {
        verdict = verdict.and(report_to_stderr(object, &mut err)?);
    }

    if args.report && args.json {
        for object in &objects {
            out.json_line(&JsonRecord::from(object))?;
        }
    } else if args.report {
        write_table(out, &objects)?;
    } else if args.patch {
        for patch in &patches {
            out.json_line(patch)?;
        }
    } else {
        write_documents(out, &documents, format)?;
    }
    out.flush()?;
    Ok(verdict)
}

/// JSON when the first thing in the text opens a JSON object or array, YAML otherwise.
fn detect(text: &str) -> Format {
    match text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .chars()
        .next()
    {
        Some('{' | '[') => Format::Json,
        _ => Format::Yaml,
    }
}

/// The documents of `text`.
fn parse(text: &str, format: Format) -> Result<Vec<Value>, String> {
    match format {
        Format::Json => serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("not valid JSON: {e}")),
        Format::Yaml => {
            serde_saphyr::from_multiple::<Value>(text).map_err(|e| format!("not valid YAML: {e}"))
        }
    }
}

/// Whether `document` is a list of objects (`kind: List`, `PodList`, … with `items`).
fn is_list(document: &Value) -> bool {
    document
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && document.get("items").is_some_and(Value::is_array)
}

/// Rewrites one document (each item of a list), records its objects, and returns its patch.
fn rewrite_document(
    number: usize,
    document: &mut Value,
    options: &Options<'_>,
    objects: &mut Vec<Object>,
) -> Vec<imgrepl::workload::PatchOp> {
    let mut patch = Vec::new();
    if is_list(document) {
        if let Some(items) = document.get_mut("items").and_then(Value::as_array_mut) {
            for (i, item) in items.iter_mut().enumerate() {
                let object = rewrite_object(number, Some(i), item, options);
                if let Ok(report) = &object.outcome {
                    let prefix = format!("/items/{i}");
                    patch.extend(report.patch.iter().map(|op| {
                        imgrepl::workload::PatchOp::replace(
                            format!("{prefix}{}", op.path),
                            op.value.clone(),
                        )
                    }));
                }
                objects.push(object);
            }
        }
    } else {
        let object = rewrite_object(number, None, document, options);
        if let Ok(report) = &object.outcome {
            patch.extend(report.patch.iter().cloned());
        }
        objects.push(object);
    }
    patch
}

fn rewrite_object(
    document: usize,
    item: Option<usize>,
    value: &mut Value,
    options: &Options<'_>,
) -> Object {
    let kind = value.get("kind").and_then(Value::as_str);
    let name = value
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str);
    let label = match (kind, name) {
        (Some(kind), Some(name)) => format!("{kind}/{name}"),
        (Some(kind), None) => kind.to_owned(),
        (None, _) => "(no kind)".to_owned(),
    };
    let outcome = workload::rewrite(value, options).inspect(|report| {
        // The patch is made from this very value, so it always applies.
        let _ = report.apply(value);
    });
    Object {
        document,
        item,
        label,
        outcome,
    }
}

/// Prints an object's warnings and errors to stderr; whether it had no error.
fn report_to_stderr(object: &Object, err: &mut Stderr) -> Result<bool, Failure> {
    let at = format!("{} ({})", object.place(), render(&object.label));
    match &object.outcome {
        Ok(report) => {
            for warning in &report.warnings {
                err.line(format_args!("{at}: warning: {}", render(&warning.message)))?;
            }
            if let Some(source) = &report.policy {
                let text = TextIndex::new(source.annotation.as_deref().unwrap_or_default());
                for d in &source.diagnostics {
                    err.line(format_args!(
                        "{at}: warning: policy in {}:\n{}",
                        source.pointer.as_deref().unwrap_or_default(),
                        diagnostic_lines(d, &text)
                    ))?;
                }
            }
            for message in report.errors().filter_map(ContainerReport::message) {
                err.line(format_args!("{at}: error: {}", render(&message)))?;
            }
            Ok(report.errors().next().is_none())
        }
        Err(error) => {
            err.line(format_args!(
                "{at}: error[{}]: {}",
                error.code(),
                render(&error.to_string())
            ))?;
            if let Some(source) = error.policy() {
                let text = TextIndex::new(source.annotation.as_deref().unwrap_or_default());
                for d in &source.diagnostics {
                    err.text(&format!("{}\n", diagnostic_lines(d, &text)))?;
                }
            }
            Ok(false)
        }
    }
}

/// A diagnostic, and the line of `text` it is on (a window of it, when it is long) with a caret
/// under its span: the renderer of `imgrepl check`.
fn diagnostic_lines(d: &Diagnostic, text: &TextIndex<'_>) -> String {
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
    item: Option<usize>,
    object: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a WorkloadError>,
}

impl<'a> From<&'a Object> for JsonRecord<'a> {
    fn from(object: &'a Object) -> Self {
        JsonRecord {
            document: object.document,
            item: object.item,
            object: &object.label,
            report: object.outcome.as_ref().ok(),
            error: object.outcome.as_ref().err(),
        }
    }
}

/// The `--report` table.
fn write_table(out: &mut Out, objects: &[Object]) -> Result<(), Failure> {
    let mut rows: Vec<[String; 6]> =
        vec![["DOC", "OBJECT", "CONTAINER", "BEFORE", "AFTER", "RULE"].map(str::to_owned)];
    for object in objects {
        let doc = match object.item {
            Some(i) => format!("{}.{i}", object.document),
            None => object.document.to_string(),
        };
        let label = render(&object.label).into_owned();
        let note = |text: String| {
            [
                doc.clone(),
                label.clone(),
                "-".into(),
                "-".into(),
                text,
                "-".into(),
            ]
        };
        match &object.outcome {
            Err(error) => rows.push(note(format!("error[{}]", error.code()))),
            Ok(report) if !report.is_workload() => rows.push(note("(not a workload)".into())),
            Ok(report) if report.policy.is_none() => rows.push(note("(no policy)".into())),
            Ok(report) if report.containers.is_empty() => {
                rows.push(note("(no containers)".into()));
            }
            Ok(report) => {
                for row in &report.containers {
                    rows.push(container_row(&doc, &label, row));
                }
            }
        }
    }
    let mut widths = [0; 6];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in &rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.extend(std::iter::repeat_n(' ', w - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn container_row(doc: &str, label: &str, row: &ContainerReport) -> [String; 6] {
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
        container,
        before,
        after,
        rule,
    ]
}

/// The documents in `format`: YAML documents separated by `---`, or pretty JSON values each on
/// its own lines.
fn write_documents(out: &mut Out, documents: &[Value], format: Format) -> Result<(), Failure> {
    let unwritable =
        |e: &dyn std::fmt::Display| Failure::usage(format!("writing the manifests: {e}"));
    match format {
        Format::Json => {
            for document in documents {
                let text = serde_json::to_string_pretty(document).map_err(|e| unwritable(&e))?;
                writeln!(out, "{text}")?;
            }
        }
        Format::Yaml => {
            // Long one-line strings (images with digests, policy annotations) stay on one line;
            // only strings with line breaks become block scalars.
            let mut options = serde_saphyr::SerializerOptions::default();
            options.folded_wrap_chars = usize::MAX;
            let text = serde_saphyr::to_string_multiple_with_options(documents, options)
                .map_err(|e| unwritable(&e))?;
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}
