//! Whole Kubernetes objects: find the pod spec, read the policy, rewrite every container's
//! image, and return a per-container [`Report`] with the RFC 6902 [`Patch`] an admission
//! webhook answers with (DESIGN.md §4).
//!
//! ```
//! use imgrepl::workload::{self, Options};
//!
//! let deployment = r#"{
//!   "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
//!   "spec": {"template": {
//!     "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
//!       "[{\"repositoryPrefix\": \"harbor.domain\", \"replaceWith\": \"swr.cn-north-4.myhuaweicloud.com/org1\"}]"}},
//!     "spec": {"containers": [{"name": "app", "image": "harbor.domain/ubuntu:latest"},
//!                             {"name": "sidecar", "image": "quay.io/x/y:1"}]}}}}"#;
//! let report = workload::rewrite_json(deployment, &Options::default())?;
//! assert_eq!(report.containers[0].after.as_deref(), Some("swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest"));
//! assert!(!report.containers[1].changed());
//! assert_eq!(report.patch.to_json(), r#"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest"}]"#);
//! # Ok::<(), imgrepl::workload::WorkloadError>(())
//! ```
//!
//! Where the policy comes from, in order:
//! 1. the policy the caller passes in [`Options::policy`];
//! 2. the annotation of the pod template (`spec.template.metadata.annotations`; for a `CronJob`
//!    `spec.jobTemplate.spec.template.metadata.annotations`; a Pod's own `metadata.annotations`),
//!    because that is what the pods carry;
//! 3. the workload's own `metadata.annotations`, with a [`Code::WorkloadAnnotation`]
//!    warning: the pods will not carry it.
//!
//! An object that is not a workload, or that has no policy, gives an empty report, not an error.
//! Nothing here panics on any input; input text is bounded by [`MAX_OBJECT_BYTES`].

pub mod admission;
mod error;
mod kind;
mod patch;

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

pub use crate::pointer::escape_pointer_token;
pub use error::{ContainerError, ContainerErrorKind, WorkloadError, WorkloadErrorKind};
pub use kind::WorkloadKind;
pub use patch::{Patch, PatchError, PatchOp, PatchOpKind};

use crate::pointer::{pointer_of, push_token};
pub use crate::rewrite::AppliedRule;
use crate::{Code, Diagnostic, MatchMode, Policy};

/// The default annotation key that carries the policy (Kubernetes knowledge: it lives with the
/// workloads; `imgrepl::ANNOTATION_KEY` is the same constant).
pub const ANNOTATION_KEY: &str = "coordinator.cci.io/image-replacement";

/// The largest object accepted as JSON text, in bytes: 3 MiB, the Kubernetes API server's
/// limit for a request body.
///
/// ```
/// assert_eq!(imgrepl::workload::MAX_OBJECT_BYTES, 3 * 1024 * 1024);
/// ```
pub const MAX_OBJECT_BYTES: usize = 3 * 1024 * 1024;

/// How to rewrite objects: the annotation key, a policy that wins over any annotation, and the
/// match mode of policies read from annotations.
///
/// ```
/// use imgrepl::workload::Options;
///
/// let options = Options::default();
/// assert_eq!(options.key(), imgrepl::ANNOTATION_KEY);
/// let options = options.annotation_key("example.com/mirrors");
/// assert_eq!(options.key(), "example.com/mirrors");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    key: &'a str,
    policy: Option<&'a Policy>,
    mode: MatchMode,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options::new()
    }
}

impl<'a> Options<'a> {
    /// The defaults: key [`ANNOTATION_KEY`], no policy of the caller, longest-prefix matching.
    #[must_use]
    pub const fn new() -> Self {
        Options {
            key: ANNOTATION_KEY,
            policy: None,
            mode: MatchMode::LongestPrefix,
        }
    }

    /// Reads the policy from the annotation `key` instead of [`ANNOTATION_KEY`].
    #[must_use]
    pub const fn annotation_key(mut self, key: &'a str) -> Self {
        self.key = key;
        self
    }

    /// Uses `policy` (with its own mode) for every object, whatever its annotations say.
    #[must_use]
    pub const fn policy(mut self, policy: &'a Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// The match mode of policies read from annotations (a caller's policy keeps its own).
    #[must_use]
    pub const fn mode(mut self, mode: MatchMode) -> Self {
        self.mode = mode;
        self
    }

    /// The annotation key.
    #[must_use]
    pub const fn key(&self) -> &'a str {
        self.key
    }
}

/// A container list of a pod spec.
///
/// ```
/// assert_eq!(imgrepl::workload::ContainerList::InitContainers.as_str(), "initContainers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerList {
    /// `containers`.
    Containers,
    /// `initContainers`.
    InitContainers,
    /// `ephemeralContainers` (a webhook sees them through the `pods/ephemeralcontainers`
    /// subresource).
    EphemeralContainers,
}

impl ContainerList {
    /// The lists, in the order the report and the patch follow.
    pub const ALL: [ContainerList; 3] = [
        ContainerList::Containers,
        ContainerList::InitContainers,
        ContainerList::EphemeralContainers,
    ];

    /// The field name in the pod spec.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ContainerList::Containers => "containers",
            ContainerList::InitContainers => "initContainers",
            ContainerList::EphemeralContainers => "ephemeralContainers",
        }
    }
}

impl fmt::Display for ContainerList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the policy came from.
///
/// ```
/// assert_eq!(imgrepl::workload::PolicyOrigin::PodTemplate.as_str(), "pod-template");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PolicyOrigin {
    /// Passed in by the caller ([`Options::policy`]).
    Caller,
    /// A Pod's own `metadata.annotations`.
    Pod,
    /// The pod template's `metadata.annotations`.
    PodTemplate,
    /// The workload's own `metadata.annotations` (the fallback; pods do not carry it).
    Workload,
}

impl PolicyOrigin {
    /// `"caller"`, `"pod"`, `"pod-template"` or `"workload"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            PolicyOrigin::Caller => "caller",
            PolicyOrigin::Pod => "pod",
            PolicyOrigin::PodTemplate => "pod-template",
            PolicyOrigin::Workload => "workload",
        }
    }
}

/// Where the policy came from, and what was found in it.
///
/// For a policy read from an annotation, `annotation` is the annotation's text and every
/// [`Diagnostic`]'s span is a byte range in it.
///
/// ```
/// use imgrepl::workload::{self, Options, PolicyOrigin};
///
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
///     r#"[{"repositoryPrefix": "docker.io", "replaceWith": "m.io"}]"#}},
///   "spec": {"containers": []}});
/// let report = workload::rewrite(&pod, &Options::default())?;
/// let source = report.policy.unwrap();
/// assert_eq!(source.origin, PolicyOrigin::Pod);
/// assert_eq!(source.pointer.as_deref(), Some("/metadata/annotations/coordinator.cci.io~1image-replacement"));
/// assert_eq!(source.diagnostics[0].code().as_str(), "docker-hub-prefix"); // a warning
/// # Ok::<(), imgrepl::workload::WorkloadError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PolicySource {
    /// Where the policy came from.
    pub origin: PolicyOrigin,
    /// The RFC 6901 pointer of the annotation in the object (`None` for the caller's policy).
    pub pointer: Option<String>,
    /// The annotation's text (`None` for the caller's policy).
    pub annotation: Option<String>,
    /// The diagnostics of the annotation: its warnings when it is valid; errors first, then
    /// warnings, in a [`WorkloadError`] when it is not.
    pub diagnostics: Vec<Diagnostic>,
}

impl PolicySource {
    fn caller() -> Self {
        PolicySource {
            origin: PolicyOrigin::Caller,
            pointer: None,
            annotation: None,
            diagnostics: Vec::new(),
        }
    }
}

/// One container: where it is, its image before and after, and the rule or the error.
///
/// ```
/// use imgrepl::{Policy, workload::{self, ContainerList, Options}};
///
/// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///   "spec": {"initContainers": [{"name": "init", "image": "busybox"}]}});
/// let row = &workload::rewrite(&pod, &Options::default().policy(&policy))?.containers[0];
/// assert_eq!((row.list, row.index, row.name.as_deref()), (ContainerList::InitContainers, 0, Some("init")));
/// assert_eq!(row.pointer, "/spec/initContainers/0/image");
/// assert_eq!((row.before.as_deref(), row.after.as_deref()), (Some("busybox"), Some("m.io/hub/busybox")));
/// assert!(row.changed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContainerReport {
    /// The list it is in.
    pub list: ContainerList,
    /// Its index in the list.
    pub index: usize,
    /// Its `name`, when that is a string.
    pub name: Option<String>,
    /// The RFC 6901 pointer of its `image` field.
    pub pointer: String,
    /// The image before (`None` when the container has no string `image`).
    pub before: Option<String>,
    /// The image after: the rewritten one, or the same as `before`.
    pub after: Option<String>,
    /// The rule that rewrote it.
    pub rule: Option<AppliedRule>,
    /// Why it was left as it is, when something is wrong.
    pub error: Option<ContainerError>,
}

impl ContainerReport {
    /// The row's error in one line, naming the container and its image, when it has one.
    ///
    /// ```
    /// use imgrepl::{Policy, workload::{self, Options}};
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
    ///   "spec": {"initContainers": [{"name": "init", "image": 1}]}});
    /// let report = workload::rewrite(&pod, &Options::default().policy(&policy))?;
    /// assert_eq!(report.containers[0].message().as_deref(),
    ///            Some("initContainers[0] \"init\": /spec/initContainers/0/image must be a string, not a number"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn message(&self) -> Option<String> {
        let error = self.error.as_ref()?;
        let name = self
            .name
            .as_deref()
            .map(|n| format!(" {n:?}"))
            .unwrap_or_default();
        let image = self
            .before
            .as_deref()
            .map(|i| format!("image {i:?} left as it is: "))
            .unwrap_or_default();
        Some(format!(
            "{}[{}]{name}: {image}{error}",
            self.list, self.index
        ))
    }

    /// Whether the image was rewritten.
    #[must_use]
    pub fn changed(&self) -> bool {
        self.error.is_none() && self.rule.is_some() && self.before != self.after
    }
}

/// Something likely wrong with an object that did not stop its rewrite.
///
/// See [`rewrite`] for the warning of a policy read from the workload's own annotation.
///
/// ```
/// use imgrepl::{Code, workload::{self, Options}};
///
/// let deployment = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement": "[]"}},
///   "spec": {"template": {"spec": {"containers": []}}}});
/// let warning = &workload::rewrite(&deployment, &Options::default())?.warnings[0];
/// assert_eq!((warning.code, warning.pointer.as_str()),
///            (Code::WorkloadAnnotation, "/metadata/annotations/coordinator.cci.io~1image-replacement"));
/// # Ok::<(), imgrepl::workload::WorkloadError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Warning {
    /// The stable code ([`Code::WorkloadAnnotation`] or [`Code::IgnoredAnnotation`]).
    pub code: Code,
    /// What it means, in plain words.
    pub message: String,
    /// The RFC 6901 pointer it is about.
    pub pointer: String,
}

/// The result of rewriting one object.
///
/// `kind` is `None` when the object is not a workload, and `policy` is `None` when it has no
/// policy; then there are no rows and the patch is empty.
///
/// ```
/// use imgrepl::workload::{self, Options};
///
/// let service = serde_json::json!({"apiVersion": "v1", "kind": "Service"});
/// let report = workload::rewrite(&service, &Options::default())?;
/// assert!(!report.is_workload() && report.patch.is_empty() && report.containers.is_empty());
/// # Ok::<(), imgrepl::workload::WorkloadError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Report {
    /// The workload kind.
    pub kind: Option<WorkloadKind>,
    /// Where the policy came from.
    pub policy: Option<PolicySource>,
    /// One row per container, in the order `containers`, `initContainers`,
    /// `ephemeralContainers`, each by index.
    pub containers: Vec<ContainerReport>,
    /// The `replace` operations of the changed images, in the rows' order.
    pub patch: Patch,
    /// Warnings about the object.
    pub warnings: Vec<Warning>,
}

impl Report {
    /// Whether the object is a workload.
    #[must_use]
    pub fn is_workload(&self) -> bool {
        self.kind.is_some()
    }

    /// The rows with an error.
    pub fn errors(&self) -> impl Iterator<Item = &ContainerReport> {
        self.containers.iter().filter(|c| c.error.is_some())
    }

    /// Applies the patch to `object` (the object the report was made from).
    ///
    /// # Errors
    ///
    /// A [`PatchError`] when `object` does not have the patched paths.
    ///
    /// ```
    /// use imgrepl::{Policy, workload::{self, Options}};
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let mut job = serde_json::json!({"apiVersion": "batch/v1", "kind": "Job",
    ///   "spec": {"template": {"spec": {"initContainers": [{"name": "init", "image": "busybox"}]}}}});
    /// workload::rewrite(&job, &Options::default().policy(&policy))?.apply(&mut job)?;
    /// assert_eq!(job["spec"]["template"]["spec"]["initContainers"][0]["image"], "m.io/hub/busybox");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&self, object: &mut Value) -> Result<(), PatchError> {
        self.patch.apply(object)
    }

    /// Every warning in one line each, for people and for an `AdmissionReview` response: the
    /// object's warnings, the policy's warnings, and the containers left as they are.
    ///
    /// ```
    /// use imgrepl::{Policy, workload::{self, Options}};
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
    ///   "spec": {"containers": [{"name": "app", "image": "Nginx"}]}});
    /// let report = workload::rewrite(&pod, &Options::default().policy(&policy))?;
    /// assert_eq!(report.messages(), ["containers[0] \"app\": image \"Nginx\" left as it is: invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = self.warnings.iter().map(|w| w.message.clone()).collect();
        if let Some(source) = &self.policy {
            let at = source.pointer.as_deref().unwrap_or_default();
            out.extend(
                source
                    .diagnostics
                    .iter()
                    .map(|d| format!("policy in {at}: {d}")),
            );
        }
        out.extend(self.errors().filter_map(ContainerReport::message));
        out
    }
}

/// Rewrites the JSON text of one object; see [`rewrite`].
///
/// # Errors
///
/// A [`WorkloadError`] when the text is larger than [`MAX_OBJECT_BYTES`] or is not JSON, and
/// the errors of [`rewrite`].
///
/// ```
/// use imgrepl::workload::{self, Options, WorkloadErrorKind};
///
/// assert_eq!(workload::rewrite_json("{", &Options::default()).unwrap_err().kind(), WorkloadErrorKind::InvalidJson);
/// assert!(workload::rewrite_json(r#"{"kind": "ConfigMap"}"#, &Options::default())?.patch.is_empty());
/// # Ok::<(), imgrepl::workload::WorkloadError>(())
/// ```
pub fn rewrite_json(json: &str, options: &Options<'_>) -> Result<Report, WorkloadError> {
    if json.len() > MAX_OBJECT_BYTES {
        return Err(WorkloadError::too_large(json.len()));
    }
    let object: Value =
        serde_json::from_str(json).map_err(|e| WorkloadError::invalid_json(&e, json))?;
    rewrite(&object, options)
}

/// Rewrites one object: the report of every container and the patch of the changed images.
///
/// There is no size limit here, on purpose: the object is already in memory (its text, when it
/// came as text, was bounded by [`MAX_OBJECT_BYTES`]), and the work is bounded by it. The walk
/// follows a fixed path to the pod spec (no recursion, so depth costs nothing), reads each
/// container once, and each image is bounded by [`MAX_IMAGE_BYTES`](crate::MAX_IMAGE_BYTES);
/// the report holds at most three strings per container (the image before and after, and the
/// patch value), each no longer than an image and its rule's `replaceWith`.
///
/// # Errors
///
/// A [`WorkloadError`] when `object` is not a JSON object, when a workload with a policy lacks
/// its pod spec or has a part of the wrong type (a `containers` that is not an array, an
/// annotation that is not a string, …), or when its policy is invalid. An invalid image is not
/// an error of the object: it is reported on its container's row.
///
/// ```
/// use imgrepl::{Code, workload::{self, Options, PolicyOrigin}};
///
/// let cronjob = serde_json::json!({"apiVersion": "batch/v1", "kind": "CronJob",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
///     r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
///   "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}}});
/// let report = workload::rewrite(&cronjob, &Options::default())?;
/// assert_eq!(report.policy.as_ref().map(|p| p.origin), Some(PolicyOrigin::Workload));
/// assert_eq!(report.warnings[0].code, Code::WorkloadAnnotation);
/// assert_eq!(report.patch.ops()[0].path, "/spec/jobTemplate/spec/template/spec/containers/0/image");
/// # Ok::<(), imgrepl::workload::WorkloadError>(())
/// ```
pub fn rewrite(object: &Value, options: &Options<'_>) -> Result<Report, WorkloadError> {
    let Some(root) = object.as_object() else {
        return Err(WorkloadError::not_an_object(object));
    };
    let api_version = root.get("apiVersion").and_then(Value::as_str);
    let kind_name = root.get("kind").and_then(Value::as_str);
    let Some(kind) = api_version
        .zip(kind_name)
        .and_then(|(v, k)| WorkloadKind::from_type(v, k))
    else {
        return Ok(Report::default());
    };
    let mut report = Report {
        kind: Some(kind),
        ..Report::default()
    };
    let from_annotation;
    let policy = if let Some(policy) = options.policy {
        report.policy = Some(PolicySource::caller());
        policy
    } else {
        let Some((source, text)) = find_annotation(root, kind, options.key, &mut report.warnings)?
        else {
            return Ok(report);
        };
        let validation = Policy::validate(text);
        let source = PolicySource {
            diagnostics: validation.diagnostics,
            ..source
        };
        let Some(policy) = validation.policy else {
            report.warnings.clear();
            return Err(WorkloadError::invalid_policy(source));
        };
        report.policy = Some(source);
        from_annotation = policy.with_mode(options.mode);
        &from_annotation
    };
    let spec_path = kind.pod_spec_path();
    let spec = match walk(root, spec_path)? {
        Walk::Found(spec) => spec,
        Walk::Missing(depth) => {
            return Err(WorkloadError::missing(
                pointer_of(spec_path.iter().take(depth + 1).copied()),
                &format!(
                    "a {kind} has its pod spec at {}",
                    pointer_of(spec_path.iter().copied())
                ),
            ));
        }
    };
    let spec_pointer = pointer_of(spec_path.iter().copied());
    for list in ContainerList::ALL {
        let items = match spec.get(list.as_str()) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(items)) => items,
            Some(other) => {
                let mut pointer = spec_pointer.clone();
                push_token(&mut pointer, list.as_str());
                return Err(WorkloadError::wrong_type(pointer, "an array", other));
            }
        };
        for (index, item) in items.iter().enumerate() {
            let row = rewrite_container(policy, &spec_pointer, list, index, item);
            if let Some(after) = row.after.as_ref().filter(|_| row.changed()) {
                report
                    .patch
                    .push(PatchOp::replace(row.pointer.clone(), after.clone()));
            }
            report.containers.push(row);
        }
    }
    Ok(report)
}

/// The row of one entry of a container list.
fn rewrite_container(
    policy: &Policy,
    spec_pointer: &str,
    list: ContainerList,
    index: usize,
    item: &Value,
) -> ContainerReport {
    let mut pointer = spec_pointer.to_owned();
    push_token(&mut pointer, list.as_str());
    push_token(&mut pointer, &index.to_string());
    let mut row = ContainerReport {
        list,
        index,
        name: None,
        pointer: String::new(),
        before: None,
        after: None,
        rule: None,
        error: None,
    };
    let Some(container) = item.as_object() else {
        row.error = Some(ContainerError::not_an_object(&pointer, item));
        row.pointer = pointer;
        return row;
    };
    push_token(&mut pointer, "image");
    row.name = container
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match container.get("image") {
        // An image may be left out for higher-level config management to fill in: missing,
        // null and "" are the same (Kubernetes' own rule for a pod template's image).
        None | Some(Value::Null) => {}
        Some(Value::String(image)) if image.is_empty() => {}
        Some(Value::String(image)) => {
            row.before = Some(image.clone());
            match policy.rewrite(image) {
                Ok(rewritten) => {
                    row.rule = rewritten.rule.and_then(|id| policy.applied_rule(id));
                    row.after = Some(rewritten.image.into_owned());
                }
                Err(error) => {
                    row.after = Some(image.clone());
                    row.error = Some(ContainerError::rewrite(error));
                }
            }
        }
        Some(other) => row.error = Some(ContainerError::image_not_string(&pointer, other)),
    }
    row.pointer = pointer;
    row
}

/// The annotation that holds the policy, and its text; warnings for the workload-level fallback.
fn find_annotation<'v>(
    root: &'v Map<String, Value>,
    kind: WorkloadKind,
    key: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<(PolicySource, &'v str)>, WorkloadError> {
    let template = kind.template_path();
    let pod_level = annotation_at(root, template, key)?;
    if kind == WorkloadKind::Pod {
        return Ok(
            pod_level.map(|(pointer, text)| (source(PolicyOrigin::Pod, pointer, text), text))
        );
    }
    let workload_level = annotation_at(root, &[], key)?;
    match (pod_level, workload_level) {
        (Some((pointer, text)), other) => {
            if let Some((other_pointer, _)) = other.filter(|(_, other_text)| *other_text != text) {
                warnings.push(Warning {
                    code: Code::IgnoredAnnotation,
                    message: format!(
                        "the {kind}'s own annotation {key:?} differs from its pod template's, and is ignored: the pod template's applies"
                    ),
                    pointer: other_pointer,
                });
            }
            Ok(Some((
                source(PolicyOrigin::PodTemplate, pointer, text),
                text,
            )))
        }
        (None, Some((pointer, text))) => {
            warnings.push(Warning {
                code: Code::WorkloadAnnotation,
                message: format!(
                    "the policy is read from the {kind}'s own annotation {key:?}, but its pods will not carry it, so a webhook on pods will not see it: put it in {}",
                    pointer_of(template.iter().copied().chain(["metadata", "annotations"]))
                ),
                pointer: pointer.clone(),
            });
            Ok(Some((source(PolicyOrigin::Workload, pointer, text), text)))
        }
        (None, None) => Ok(None),
    }
}

fn source(origin: PolicyOrigin, pointer: String, text: &str) -> PolicySource {
    PolicySource {
        origin,
        pointer: Some(pointer),
        annotation: Some(text.to_owned()),
        diagnostics: Vec::new(),
    }
}

/// The annotation `key` under `base/metadata/annotations`: its pointer and text. A missing or
/// null step is no annotation; a step of the wrong type is an error.
fn annotation_at<'v>(
    root: &'v Map<String, Value>,
    base: &[&str],
    key: &str,
) -> Result<Option<(String, &'v str)>, WorkloadError> {
    let path: Vec<&str> = base
        .iter()
        .copied()
        .chain(["metadata", "annotations"])
        .collect();
    let Walk::Found(annotations) = walk(root, &path)? else {
        return Ok(None);
    };
    let mut pointer = pointer_of(path.iter().copied());
    push_token(&mut pointer, key);
    match annotations.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some((pointer, text.as_str()))),
        Some(other) => Err(WorkloadError::wrong_type(pointer, "a string", other)),
    }
}

enum Walk<'v> {
    Found(&'v Map<String, Value>),
    /// The step at this depth is missing or null.
    Missing(usize),
}

/// Follows `path` through objects from `root`.
fn walk<'v>(root: &'v Map<String, Value>, path: &[&str]) -> Result<Walk<'v>, WorkloadError> {
    let mut at = root;
    for (depth, step) in path.iter().enumerate() {
        match at.get(*step) {
            None | Some(Value::Null) => return Ok(Walk::Missing(depth)),
            Some(Value::Object(next)) => at = next,
            Some(other) => {
                return Err(WorkloadError::wrong_type(
                    pointer_of(path.iter().take(depth + 1).copied()),
                    "an object",
                    other,
                ));
            }
        }
    }
    Ok(Walk::Found(at))
}
