//! `rewriteWorkload`: manifests (YAML or JSON, one or several documents) read and edited by
//! `imgrepl-manifest` ([`imgrepl_manifest::edit`]); finding pod specs and rewriting them is
//! core's. Only in the `workload` build (the Node package, and the web's second module).

use imgrepl::span::Utf16Index;
use imgrepl_k8s::{ObjectReport, Options, PatchOp, PullSecrets};
use imgrepl_manifest::Syntax;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::js::{error, to_js};
use crate::report::{ReportJs, WorkloadErrorJs};

/// One object of a document (the document, or an item of a `List` in it).
#[derive(Serialize)]
struct ObjectJs<'a> {
    pointer: &'a str,
    items: &'a [usize],
    kind: Option<&'a str>,
    name: Option<&'a str>,
    report: Option<ReportJs<'a>>,
    error: Option<WorkloadErrorJs<'a>>,
}

impl<'a> ObjectJs<'a> {
    fn new(o: &'a ObjectReport) -> Self {
        let (report, error) = match &o.outcome {
            Ok(r) => (Some(ReportJs::new(r)), None),
            Err(e) => (None, Some(WorkloadErrorJs::new(e))),
        };
        ObjectJs {
            pointer: &o.pointer,
            items: &o.items,
            kind: o.kind.as_deref(),
            name: o.name.as_deref(),
            report,
            error,
        }
    }
}

/// A document that could not be read; `offset` in UTF-16 code units of the whole input.
#[derive(Serialize)]
struct DocumentErrorJs {
    code: &'static str,
    message: String,
    offset: usize,
    line: usize,
    column: usize,
}

/// One document of a manifest.
#[derive(Serialize)]
struct DocumentJs<'a> {
    document: usize,
    line: usize,
    syntax: Syntax,
    error: Option<DocumentErrorJs>,
    objects: Vec<ObjectJs<'a>>,
    patch: Vec<PatchOp>,
}

/// `rewriteWorkload(text, options)`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkloadResultJs<'a> {
    output: &'a str,
    documents: Vec<DocumentJs<'a>>,
    pull_secrets: Option<&'a PullSecrets>,
}

/// Edits every document of `text` with `imgrepl-manifest`: the output is the input with only
/// the rewritten image values changed. `secrets` are the pull secrets read from `text`, when
/// pulls are checked.
pub(crate) fn rewrite(
    text: &str,
    options: &Options<'_>,
    secrets: Option<&PullSecrets>,
) -> Result<JsValue, JsValue> {
    let edited = imgrepl_manifest::edit(text.as_bytes(), options)
        .map_err(|e| JsValue::from(error(e.code(), &e.to_string())))?;
    let index = Utf16Index::new(text);
    let documents = edited
        .documents
        .iter()
        .map(|d| DocumentJs {
            document: d.number,
            line: d.line,
            syntax: d.syntax,
            error: d.error.as_ref().map(|e| DocumentErrorJs {
                code: e.code(),
                message: e.to_string(),
                offset: index.offset(e.offset()),
                line: e.position().line,
                column: e.position().column,
            }),
            objects: d.objects.iter().map(ObjectJs::new).collect(),
            patch: d.patch(),
        })
        .collect();
    to_js(&WorkloadResultJs {
        output: &edited.output,
        documents,
        pull_secrets: secrets,
    })
}
