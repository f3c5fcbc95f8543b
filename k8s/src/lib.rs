//! imgrepl for Kubernetes: whole objects and `AdmissionReview`s, on the core crate `imgrepl`
//! (references, policies, rewriting). Find the pod spec, read the policy, rewrite every
//! container's image, and return a per-container [`Report`] with the RFC 6902 [`Patch`] an
//! admission webhook answers with (docs/DESIGN.md §4); [`admission`] turns an `AdmissionReview`
//! request into its response.
//!
//! - the kinds table ([`PodSpecTable`], [`WorkloadKind`]) and pod specs found by shape;
//! - the policy annotation ([`ANNOTATION_KEY`]), the opt-out ([`EXCLUDE_KEY`]) and the bursting
//!   label ([`BURST_LABEL`], [`BurstSet`]);
//! - container rewriting into a [`Report`] and its [`Patch`]; [`admission`] for the webhook;
//! - pull-secret checks ([`PullSecrets`], [`registry_key`], [`key_matches`]);
//! - the [`Node`] trait, so that other trees than `serde_json::Value` (the YAML of
//!   `imgrepl-manifest`) can be rewritten in place;
//! - a bounded cache of compiled policies ([`PolicyCache`]).
//!
//! # Rewrite a Kubernetes object
//!
//! ```
//! use imgrepl_k8s::{ANNOTATION_KEY, Options};
//!
//! let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
//!   "metadata": {"annotations": {ANNOTATION_KEY: r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
//!   "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
//! let report = imgrepl_k8s::rewrite(&pod, &Options::default())?;
//! assert_eq!(report.patch.to_json(), r#"[{"op":"replace","path":"/spec/containers/0/image","value":"m.io/hub/nginx:1.27"}]"#);
//! # Ok::<(), imgrepl_k8s::WorkloadError>(())
//! ```
//!
//! A Deployment, its policy on the pod template:
//!
//! ```
//! use imgrepl_k8s::Options;
//!
//! let deployment = r#"{
//!   "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
//!   "spec": {"template": {
//!     "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
//!       "[{\"repositoryPrefix\": \"harbor.domain\", \"replaceWith\": \"swr.cn-north-4.myhuaweicloud.com/org1\"}]"}},
//!     "spec": {"containers": [{"name": "app", "image": "harbor.domain/ubuntu:latest"},
//!                             {"name": "sidecar", "image": "quay.io/x/y:1"}]}}}}"#;
//! let report = imgrepl_k8s::rewrite_json(deployment, &Options::default())?;
//! assert_eq!(report.containers[0].after.as_deref(), Some("swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest"));
//! assert!(!report.containers[1].changed());
//! assert_eq!(report.patch.to_json(), r#"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest"}]"#);
//! # Ok::<(), imgrepl_k8s::WorkloadError>(())
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
//! Nothing here panics on any input; input text is bounded by [`MAX_OBJECT_BYTES`] (and an
//! `AdmissionReview` by [`admission::MAX_REVIEW_BYTES`]). Every error carries a
//! [`Code`] of core's one registry ([`WorkloadError`], [`ContainerError`], [`PatchError`],
//! [`admission::AdmissionError`]) and serializes as `{"code", "message", …}`.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod admission;
mod burst;
mod cache;
mod containers;
mod discover;
mod document;
mod error;
mod gate;
mod kind;
mod node;
mod object;
mod patch;
mod pulls;
mod secrets;
mod source;
mod tree;

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub use burst::{
    BURST_LABEL, BURST_LABEL_V2, BURST_LABELS, BurstLabel, BurstMode, BurstSet, LabelOrigin,
    UnknownBurstMode,
};
pub use cache::{CacheStats, PolicyCache};
pub use error::{ContainerError, ContainerErrorKind, WorkloadError, WorkloadErrorKind};
pub use imgrepl::__private::escape_pointer_token;
pub use kind::{
    FoundBy, KindEntry, PodSpecPath, PodSpecPathError, PodSpecTable, WorkloadKind, group_of,
};
pub use node::{Entry, Lookup, Node, ValueType};
pub use patch::{Patch, PatchError, PatchOp, PatchOpKind};
pub use secrets::{PullSecret, PullSecrets, ServiceAccount, key_matches, registry_key};

pub use imgrepl::AppliedRule;
use imgrepl::{Code, Diagnostic, MatchMode, Policy};

/// The default annotation key that carries the policy (Kubernetes knowledge: it lives with the
/// workloads; `imgrepl_k8s::ANNOTATION_KEY` is the same constant).
pub const ANNOTATION_KEY: &str = "coordinator.cci.io/image-replacement";

/// The largest object accepted as JSON text, in bytes: 3 MiB, the Kubernetes API server's
/// limit for a request body.
///
/// ```
/// assert_eq!(imgrepl_k8s::MAX_OBJECT_BYTES, 3 * 1024 * 1024);
/// ```
pub const MAX_OBJECT_BYTES: usize = 3 * 1024 * 1024;

/// The deepest an object's JSON text may nest (objects and arrays, the object itself counting
/// one), in levels: 127, the most `serde_json` reads (its recursion limit of 128 guards the
/// stack). A deeper object is
/// [`WorkloadErrorKind::TooDeep`] (`object-too-deep`); in an `AdmissionReview` it is allowed,
/// with the warning. Kubernetes objects nest a few dozen levels at most.
///
/// ```
/// use imgrepl_k8s::{MAX_DEPTH, Options, WorkloadErrorKind};
///
/// let deep = format!("{{\"kind\": \"Pod\", \"x\": {}{}}}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
/// let err = imgrepl_k8s::rewrite_json(&deep, &Options::default()).unwrap_err();
/// assert_eq!(err.kind(), WorkloadErrorKind::TooDeep);
/// assert_eq!(err.code(), "object-too-deep");
/// let ok = format!("{{\"kind\": \"Pod\", \"x\": {}{}}}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
/// assert!(imgrepl_k8s::rewrite_json(&ok, &Options::default()).is_ok());
/// ```
pub const MAX_DEPTH: usize = 127;

/// How to rewrite objects: the annotation key, a policy that wins over any annotation, and the
/// match mode of policies read from annotations.
///
/// ```
/// use imgrepl_k8s::Options;
///
/// let options = Options::default();
/// assert_eq!(options.key(), imgrepl_k8s::ANNOTATION_KEY);
/// let options = options.annotation_key("example.com/mirrors");
/// assert_eq!(options.key(), "example.com/mirrors");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    key: &'a str,
    policy: Option<&'a Policy>,
    mode: MatchMode,
    pod_specs: Option<&'a PodSpecTable>,
    shapes: bool,
    burst: Option<BurstSet>,
    pull_secrets: Option<&'a PullSecrets>,
    check_pulls: bool,
    cache: Option<&'a PolicyCache>,
    audit: bool,
    exclude_namespace: Option<&'a str>,
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
            pod_specs: None,
            shapes: true,
            burst: None,
            pull_secrets: None,
            check_pulls: true,
            cache: None,
            audit: false,
            exclude_namespace: None,
        }
    }

    /// Compiles the policies of annotations through `cache`: an annotation seen before (the
    /// same text, in the same match mode) is not validated again. The reports are the same with
    /// and without a cache, diagnostics included.
    ///
    /// ```
    /// use imgrepl_k8s::{Options, PolicyCache};
    ///
    /// let cache = PolicyCache::new(1024, 16 << 20);
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
    ///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
    ///     r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
    ///   "spec": {"containers": [{"image": "nginx"}]}});
    /// let options = Options::default().policy_cache(&cache);
    /// for _ in 0..3 {
    ///     let report = imgrepl_k8s::rewrite(&pod, &options)?;
    ///     assert_eq!(report.containers[0].after.as_deref(), Some("m.io/hub/nginx"));
    /// }
    /// let stats = cache.stats();
    /// assert_eq!((stats.misses, stats.hits, stats.entries), (1, 2, 1));
    /// # Ok::<(), imgrepl_k8s::WorkloadError>(())
    /// ```
    #[must_use]
    pub const fn policy_cache(mut self, cache: &'a PolicyCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Audit mode, for [`admission`]: the answer is computed as usual but carries no patch;
    /// instead each image that would be rewritten is a warning (`audit: would rewrite
    /// containers[0] "web" from "nginx" to "m.io/hub/nginx" (rule 0, prefix "")`). Off by
    /// default. [`rewrite`] and [`rewrite_node`] ignore it: their reports always say what would
    /// be rewritten.
    #[must_use]
    pub const fn audit(mut self, on: bool) -> Self {
        self.audit = on;
        self
    }

    /// For [`admission`]: a request whose `request.namespace` is `namespace` (the webhook's
    /// own, so that it never stands in the way of its own pods) is allowed unchanged, without
    /// reading its object; [`Response::excluded`](admission::Response::excluded) is then
    /// [`Code::ExcludedNamespace`].
    #[must_use]
    pub const fn exclude_namespace(mut self, namespace: &'a str) -> Self {
        self.exclude_namespace = Some(namespace);
        self
    }

    /// Rewrites only the pod specs whose bursting label ([`BURST_LABEL`]) is in `modes`; the
    /// others are reported as not bursting ([`Code::NotBursting`]) and left as they are. By
    /// default every pod spec is rewritten, whatever its label says.
    ///
    /// ```
    /// use imgrepl::{Code, Policy};
    /// use imgrepl_k8s::{BurstMode, BurstSet, Options};
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
    ///   "metadata": {"labels": {"virtual-kubelet.io/burst-to-cci": "off"}},
    ///   "spec": {"containers": [{"image": "nginx"}]}});
    /// let only = BurstSet::of(&[BurstMode::Auto, BurstMode::Enforce]);
    /// let report = imgrepl_k8s::rewrite(&pod, &Options::default().policy(&policy).burst(only))?;
    /// assert!(report.patch.is_empty() && report.pod_specs[0].not_bursting);
    /// assert_eq!(report.warnings[0].code, Code::NotBursting);
    /// assert_eq!(report.burst.unwrap().mode, Some(BurstMode::Off));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn burst(mut self, modes: BurstSet) -> Self {
        self.burst = Some(modes);
        self
    }

    /// The pull secrets and service accounts the manifests hold: a pod spec that names secrets
    /// (or, naming none, whose service account names secrets), none of which covers a
    /// rewritten image's new registry, gets a [`Code::PullSecretUncovered`] warning.
    #[must_use]
    pub const fn pull_secrets(mut self, secrets: &'a PullSecrets) -> Self {
        self.pull_secrets = Some(secrets);
        self
    }

    /// Whether to warn about pulls a rewrite may break ([`Code::AnonymousPull`],
    /// [`Code::PullSecretUncovered`]); on by default.
    #[must_use]
    pub const fn check_pulls(mut self, on: bool) -> Self {
        self.check_pulls = on;
        self
    }

    /// Finds pod specs by `table` instead of the built-in [`PodSpecTable::new`] (to add kinds).
    ///
    /// ```
    /// use imgrepl_k8s::{Options, PodSpecTable};
    ///
    /// let mut table = PodSpecTable::new();
    /// table.add("example.com", "Widget", "spec.runner")?;
    /// let widget = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
    ///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement": r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
    ///   "spec": {"runner": {"containers": [{"image": "nginx"}]}}});
    /// let report = imgrepl_k8s::rewrite(&widget, &Options::default().pod_specs(&table))?;
    /// assert_eq!(report.patch.ops()[0].path, "/spec/runner/containers/0/image");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn pod_specs(mut self, table: &'a PodSpecTable) -> Self {
        self.pod_specs = Some(table);
        self
    }

    /// Whether the pod specs of kinds not in the table are found by their shape (the default):
    /// a mapping with a `containers` list of mappings with `image`.
    #[must_use]
    pub const fn find_by_shape(mut self, on: bool) -> Self {
        self.shapes = on;
        self
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
/// assert_eq!(imgrepl_k8s::ContainerList::InitContainers.as_str(), "initContainers");
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
/// assert_eq!(imgrepl_k8s::PolicyOrigin::PodTemplate.as_str(), "pod-template");
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
/// use imgrepl_k8s::{Options, PolicyOrigin};
///
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
///     r#"[{"repositoryPrefix": "docker.io", "replaceWith": "m.io"}]"#}},
///   "spec": {"containers": []}});
/// let report = imgrepl_k8s::rewrite(&pod, &Options::default())?;
/// let source = report.policy.unwrap();
/// assert_eq!(source.origin, PolicyOrigin::Pod);
/// assert_eq!(source.pointer.as_deref(), Some("/metadata/annotations/coordinator.cci.io~1image-replacement"));
/// assert_eq!(source.diagnostics[0].code().as_str(), "docker-hub-prefix"); // a warning
/// # Ok::<(), imgrepl_k8s::WorkloadError>(())
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
/// use imgrepl::Policy;
/// use imgrepl_k8s::{ContainerList, Options};
///
/// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///   "spec": {"initContainers": [{"name": "init", "image": "busybox"}]}});
/// let row = &imgrepl_k8s::rewrite(&pod, &Options::default().policy(&policy))?.containers[0];
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
    /// use imgrepl::Policy;
    /// use imgrepl_k8s::Options;
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
    ///   "spec": {"initContainers": [{"name": "init", "image": 1}]}});
    /// let report = imgrepl_k8s::rewrite(&pod, &Options::default().policy(&policy))?;
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
/// use imgrepl::Code;
/// use imgrepl_k8s::Options;
///
/// let deployment = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement": "[]"}},
///   "spec": {"template": {"spec": {"containers": []}}}});
/// let warning = &imgrepl_k8s::rewrite(&deployment, &Options::default())?.warnings[0];
/// assert_eq!((warning.code, warning.pointer.as_str()),
///            (Code::WorkloadAnnotation, "/metadata/annotations/coordinator.cci.io~1image-replacement"));
/// # Ok::<(), imgrepl_k8s::WorkloadError>(())
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
/// use imgrepl_k8s::Options;
///
/// let service = serde_json::json!({"apiVersion": "v1", "kind": "Service"});
/// let report = imgrepl_k8s::rewrite(&service, &Options::default())?;
/// assert!(!report.is_workload() && report.patch.is_empty() && report.containers.is_empty());
/// # Ok::<(), imgrepl_k8s::WorkloadError>(())
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
    /// Every pod spec found, with the policy that applies to it.
    pub pod_specs: Vec<PodSpecReport>,
    /// The bursting label of the first pod spec that has one (each pod spec has its own in
    /// [`PodSpecReport::burst`]).
    pub burst: Option<BurstLabel>,
}

/// One pod spec of an object, and the policy that applies to it.
///
/// ```
/// use imgrepl_k8s::Options;
///
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": []}});
/// let report = imgrepl_k8s::rewrite(&pod, &Options::default())?;
/// assert_eq!(report.pod_specs[0].pointer, "/spec");
/// assert!(report.pod_specs[0].policy.is_none());
/// # Ok::<(), imgrepl_k8s::WorkloadError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpecReport {
    /// The RFC 6901 pointer of the pod spec.
    pub pointer: String,
    /// The pointer of the pod template holding it, when there is one (`""` for a Pod itself).
    pub template: Option<String>,
    /// The policy that applies (`None`: no policy, its containers are not rewritten).
    pub policy: Option<PolicySource>,
    /// Its bursting label ([`BURST_LABEL`]), when it has one.
    pub burst: Option<BurstLabel>,
    /// Whether [`Options::burst`] excludes it: it is then not rewritten (not bursting).
    pub not_bursting: bool,
    /// Whether it opts out with the label or annotation [`EXCLUDE_KEY`] `"true"` (on its pod
    /// template, or the object's own): it is then not rewritten, with a [`Code::Excluded`]
    /// warning.
    pub excluded: bool,
    /// The names of its `imagePullSecrets`.
    pub image_pull_secrets: Vec<String>,
}

impl Report {
    /// Whether the object is a workload.
    #[must_use]
    pub fn is_workload(&self) -> bool {
        self.kind.is_some()
    }

    /// Whether the object was left alone on purpose: it has pod specs, and every one of them
    /// opts out ([`PodSpecReport::excluded`]).
    ///
    /// ```
    /// use imgrepl_k8s::Options;
    ///
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
    ///   "metadata": {"labels": {"imgrepl.io/exclude": "true"}, "annotations": {"coordinator.cci.io/image-replacement":
    ///     r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
    ///   "spec": {"containers": [{"image": "nginx"}]}});
    /// let report = imgrepl_k8s::rewrite(&pod, &Options::default())?;
    /// assert!(report.is_excluded() && report.patch.is_empty() && report.containers.is_empty());
    /// assert_eq!(report.warnings[0].code, imgrepl::Code::Excluded);
    /// assert_eq!(report.warnings[0].pointer, "/metadata/labels/imgrepl.io~1exclude");
    /// # Ok::<(), imgrepl_k8s::WorkloadError>(())
    /// ```
    #[must_use]
    pub fn is_excluded(&self) -> bool {
        !self.pod_specs.is_empty() && self.pod_specs.iter().all(|p| p.excluded)
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
    /// use imgrepl::Policy;
    /// use imgrepl_k8s::Options;
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let mut job = serde_json::json!({"apiVersion": "batch/v1", "kind": "Job",
    ///   "spec": {"template": {"spec": {"initContainers": [{"name": "init", "image": "busybox"}]}}}});
    /// imgrepl_k8s::rewrite(&job, &Options::default().policy(&policy))?.apply(&mut job)?;
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
    /// use imgrepl::Policy;
    /// use imgrepl_k8s::Options;
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
    ///   "spec": {"containers": [{"name": "app", "image": "Nginx"}]}});
    /// let report = imgrepl_k8s::rewrite(&pod, &Options::default().policy(&policy))?;
    /// assert_eq!(report.messages(), ["containers[0] \"app\": image \"Nginx\" left as it is: invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn messages(&self) -> Vec<String> {
        self.message_parts().map(Cow::into_owned).collect()
    }

    /// [`messages`](Self::messages), those of the warnings borrowed.
    pub(crate) fn message_parts(&self) -> impl Iterator<Item = Cow<'_, str>> {
        let warnings = self
            .warnings
            .iter()
            .map(|w| Cow::Borrowed(w.message.as_str()));
        let policy = self.policy.iter().flat_map(|source| {
            let at = source.pointer.as_deref().unwrap_or_default();
            source
                .diagnostics
                .iter()
                .map(move |d| Cow::Owned(format!("policy in {at}: {d}")))
        });
        let containers = self
            .errors()
            .filter_map(ContainerReport::message)
            .map(Cow::Owned);
        warnings.chain(policy).chain(containers)
    }
}

/// Rewrites the JSON text of one object; see [`rewrite`].
///
/// # Errors
///
/// A [`WorkloadError`] when the text is larger than [`MAX_OBJECT_BYTES`], nests deeper than
/// [`MAX_DEPTH`] or is not JSON, and the errors of [`rewrite`].
///
/// ```
/// use imgrepl_k8s::{Options, WorkloadErrorKind};
///
/// assert_eq!(imgrepl_k8s::rewrite_json("{", &Options::default()).unwrap_err().kind(), WorkloadErrorKind::InvalidJson);
/// assert!(imgrepl_k8s::rewrite_json(r#"{"kind": "ConfigMap"}"#, &Options::default())?.patch.is_empty());
/// # Ok::<(), imgrepl_k8s::WorkloadError>(())
/// ```
pub fn rewrite_json(json: &str, options: &Options<'_>) -> Result<Report, WorkloadError> {
    if json.len() > MAX_OBJECT_BYTES {
        return Err(WorkloadError::too_large(json.len()));
    }
    let object: Value =
        serde_json::from_str(json).map_err(|e| WorkloadError::unreadable(&e, json))?;
    rewrite(&object, options)
}

/// Rewrites one object: the report of every container and the patch of the changed images.
///
/// The object's pod specs are found by the kinds table ([`PodSpecTable`], keyed by API group and
/// kind) or, for a kind not in it, by their shape (a mapping with a `containers` list of
/// mappings with `image`; [`Options::find_by_shape`] turns this off). Each pod spec is rewritten
/// by the policy of the pod template that holds it, then the object's own, as the module docs
/// say. A kind of the table without its pod spec (a partial object, such as a strategic-merge
/// patch) gives a report with a [`Code::NoPodSpec`] warning and no rows.
///
/// There is no size limit here, on purpose: the object is already in memory (its text, when it
/// came as text, was bounded by [`MAX_OBJECT_BYTES`]), and the work is bounded by it: every
/// walk is iterative (depth costs no stack), each container is read once, and each image is
/// bounded by [`MAX_IMAGE_BYTES`](imgrepl::MAX_IMAGE_BYTES).
///
/// # Errors
///
/// A [`WorkloadError`] when `object` is not a JSON object, when a part the rewrite reads has the
/// wrong type (a `containers` that is not an array, an annotation that is not a string, …) or a
/// duplicate key, or when its policy is invalid. An invalid image is not an error of the object:
/// it is reported on its container's row.
///
/// ```
/// use imgrepl::Code;
/// use imgrepl_k8s::{Options, PolicyOrigin};
///
/// let cronjob = serde_json::json!({"apiVersion": "batch/v1", "kind": "CronJob",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
///     r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
///   "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}}});
/// let report = imgrepl_k8s::rewrite(&cronjob, &Options::default())?;
/// assert_eq!(report.policy.as_ref().map(|p| p.origin), Some(PolicyOrigin::Workload));
/// assert_eq!(report.warnings[0].code, Code::WorkloadAnnotation);
/// assert_eq!(report.patch.ops()[0].path, "/spec/jobTemplate/spec/template/spec/containers/0/image");
/// # Ok::<(), imgrepl_k8s::WorkloadError>(())
/// ```
pub fn rewrite(object: &Value, options: &Options<'_>) -> Result<Report, WorkloadError> {
    object::rewrite_node(object, options)
}

pub use document::{ObjectReport, rewrite_objects};
pub use gate::EXCLUDE_KEY;
pub use object::rewrite_node;

/// The examples of the crate's README, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
