//! The JavaScript shapes of workload reports: `rewriteWorkload` (one report per document of a
//! manifest) and `reviewAdmission`.
//!
//! Reading a manifest is core's work: JSON through [`imgrepl::workload::rewrite_json`].

use imgrepl::workload::{
    self, AppliedRule, ContainerList, ContainerReport, Options, PatchOp, PolicyOrigin,
    PolicySource, Report, Warning, WorkloadError, admission,
};
use serde::Serialize;

use wasm_bindgen::JsValue;

use imgrepl::Code;
use imgrepl::span::Utf16Index;

use crate::js::{JsDiagnostic, to_js};

/// Where the policy came from, with its diagnostics' spans in UTF-16 code units of
/// `annotation`.
#[derive(Serialize)]
struct PolicySourceJs<'a> {
    origin: PolicyOrigin,
    pointer: Option<&'a str>,
    annotation: Option<&'a str>,
    diagnostics: Vec<JsDiagnostic>,
}

impl<'a> PolicySourceJs<'a> {
    fn new(s: &'a PolicySource) -> Self {
        PolicySourceJs {
            origin: s.origin,
            pointer: s.pointer.as_deref(),
            annotation: s.annotation.as_deref(),
            diagnostics: JsDiagnostic::all(
                s.annotation.as_deref().unwrap_or_default(),
                &s.diagnostics,
            ),
        }
    }
}

/// A container's error: code, message, and the offset in UTF-16 code units of its image.
#[derive(Serialize)]
struct ContainerErrorJs {
    code: Code,
    message: String,
    offset: Option<usize>,
}

/// One container's row.
#[derive(Serialize)]
struct ContainerJs<'a> {
    list: ContainerList,
    index: usize,
    name: Option<&'a str>,
    pointer: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    changed: bool,
    rule: Option<&'a AppliedRule>,
    error: Option<ContainerErrorJs>,
}

impl<'a> ContainerJs<'a> {
    fn new(c: &'a ContainerReport) -> Self {
        let image = c.before.as_deref().unwrap_or_default();
        ContainerJs {
            list: c.list,
            index: c.index,
            name: c.name.as_deref(),
            pointer: &c.pointer,
            before: c.before.as_deref(),
            after: c.after.as_deref(),
            changed: c.changed(),
            rule: c.rule.as_ref(),
            error: c.error.as_ref().map(|e| ContainerErrorJs {
                code: e.code(),
                message: e.to_string(),
                offset: e.offset().map(|o| Utf16Index::new(image).offset(o)),
            }),
        }
    }
}

/// An error of a whole object; `offset` in UTF-16 code units of the document's text.
#[derive(Serialize)]
struct WorkloadErrorJs<'a> {
    code: Code,
    message: String,
    pointer: &'a str,
    offset: Option<usize>,
    policy: Option<PolicySourceJs<'a>>,
}

impl<'a> WorkloadErrorJs<'a> {
    fn new(e: &'a WorkloadError, text: &str) -> Self {
        WorkloadErrorJs {
            code: e.code(),
            message: e.to_string(),
            pointer: e.pointer(),
            offset: e.offset().map(|o| Utf16Index::new(text).offset(o)),
            policy: e.policy().map(PolicySourceJs::new),
        }
    }
}

/// The report of one object.
#[derive(Serialize)]
struct ReportJs<'a> {
    kind: Option<String>,
    policy: Option<PolicySourceJs<'a>>,
    containers: Vec<ContainerJs<'a>>,
    patch: &'a [PatchOp],
    warnings: &'a [Warning],
}

impl<'a> ReportJs<'a> {
    fn new(r: &'a Report) -> Self {
        ReportJs {
            kind: r.kind.map(|k| k.to_string()),
            policy: r.policy.as_ref().map(PolicySourceJs::new),
            containers: r.containers.iter().map(ContainerJs::new).collect(),
            patch: r.patch.ops(),
            warnings: &r.warnings,
        }
    }
}

/// One document of a manifest: its report, or its error.
#[derive(Serialize)]
struct DocumentJs<'a> {
    /// The document's number in the file, from 0.
    document: usize,
    #[serde(flatten)]
    report: ReportJs<'a>,
    error: Option<WorkloadErrorJs<'a>>,
}

/// The format a manifest was read as.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
enum Format {
    Json,
}

/// `rewriteWorkload(text, options)`.
#[derive(Serialize)]
struct WorkloadResultJs<'a> {
    format: Format,
    documents: Vec<DocumentJs<'a>>,
}

/// Rewrites every document of `text`.
pub(crate) fn rewrite(text: &str, options: &Options<'_>) -> Result<JsValue, JsValue> {
    let result = workload::rewrite_json(text, options);
    let empty = Report::default();
    let doc = match &result {
        Ok(report) => DocumentJs {
            document: 0,
            report: ReportJs::new(report),
            error: None,
        },
        Err(e) => DocumentJs {
            document: 0,
            report: ReportJs::new(&empty),
            error: Some(WorkloadErrorJs::new(e, text)),
        },
    };
    to_js(&WorkloadResultJs {
        format: Format::Json,
        documents: vec![doc],
    })
}

/// `reviewAdmission(text)`: the response body, and the report or the error of the object.
#[derive(Serialize)]
pub(crate) struct AdmissionJs<'a> {
    response: &'a admission::ReviewBody,
    report: Option<ReportJs<'a>>,
    error: Option<WorkloadErrorJs<'a>>,
}

impl<'a> AdmissionJs<'a> {
    pub(crate) fn new(r: &'a admission::Response) -> Self {
        AdmissionJs {
            response: &r.body,
            report: r.report.as_ref().map(ReportJs::new),
            error: r.error.as_ref().map(|e| WorkloadErrorJs::new(e, "")),
        }
    }
}
