//! The JavaScript shapes of workload reports, for `rewriteWorkload` and `reviewAdmission`:
//! positions in UTF-16 code units, codes from core's registry.

use imgrepl_k8s::{
    AppliedRule, BurstLabel, ContainerList, ContainerReport, PatchOp, PolicyOrigin, PolicySource,
    Report, Warning, WorkloadError, WorkloadKind, admission,
};
use serde::Serialize;

use imgrepl::Code;
use imgrepl::span::Utf16Index;

use crate::js::JsDiagnostic;

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

/// An error of a whole object. The objects these entry points see are already read (a
/// manifest's document, an `AdmissionReview`'s object), so core gives no text offset here.
#[derive(Serialize)]
pub(crate) struct WorkloadErrorJs<'a> {
    code: Code,
    message: String,
    pointer: &'a str,
    policy: Option<PolicySourceJs<'a>>,
}

impl<'a> WorkloadErrorJs<'a> {
    pub(crate) fn new(e: &'a WorkloadError) -> Self {
        WorkloadErrorJs {
            code: e.code(),
            message: e.to_string(),
            pointer: e.pointer(),
            policy: e.policy().map(PolicySourceJs::new),
        }
    }
}

/// One pod spec of an object, the policy that applies to it, its bursting label and its pull
/// secrets.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PodSpecJs<'a> {
    pointer: &'a str,
    template: Option<&'a str>,
    policy: Option<PolicySourceJs<'a>>,
    burst: Option<&'a BurstLabel>,
    not_bursting: bool,
    excluded: bool,
    image_pull_secrets: &'a [String],
}

/// The report of one object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportJs<'a> {
    kind: Option<&'a WorkloadKind>,
    policy: Option<PolicySourceJs<'a>>,
    containers: Vec<ContainerJs<'a>>,
    patch: &'a [PatchOp],
    warnings: &'a [Warning],
    pod_specs: Vec<PodSpecJs<'a>>,
    burst: Option<&'a BurstLabel>,
}

impl<'a> ReportJs<'a> {
    pub(crate) fn new(r: &'a Report) -> Self {
        ReportJs {
            kind: r.kind.as_ref(),
            policy: r.policy.as_ref().map(PolicySourceJs::new),
            containers: r.containers.iter().map(ContainerJs::new).collect(),
            patch: r.patch.ops(),
            warnings: &r.warnings,
            pod_specs: r
                .pod_specs
                .iter()
                .map(|p| PodSpecJs {
                    pointer: &p.pointer,
                    template: p.template.as_deref(),
                    policy: p.policy.as_ref().map(PolicySourceJs::new),
                    burst: p.burst.as_ref(),
                    not_bursting: p.not_bursting,
                    excluded: p.excluded,
                    image_pull_secrets: &p.image_pull_secrets,
                })
                .collect(),
            burst: r.burst.as_ref(),
        }
    }
}

/// `reviewAdmission(text)`: the response body, and the report or the error of the object.
#[derive(Serialize)]
pub(crate) struct AdmissionJs<'a> {
    response: &'a admission::ReviewBody,
    report: Option<ReportJs<'a>>,
    error: Option<WorkloadErrorJs<'a>>,
    excluded: Option<imgrepl::Code>,
}

impl<'a> AdmissionJs<'a> {
    pub(crate) fn new(r: &'a admission::Response) -> Self {
        AdmissionJs {
            response: &r.body,
            report: r.report.as_ref().map(ReportJs::new),
            error: r.error.as_ref().map(WorkloadErrorJs::new),
            excluded: r.excluded,
        }
    }
}
