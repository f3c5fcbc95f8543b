//! The kinds of Kubernetes object that carry a pod spec, and where it is.

use std::fmt;

use serde::Serialize;

/// A Kubernetes kind that carries a pod spec.
///
/// The `apiVersion` and `kind` of an object decide it; any other pair is not a workload.
///
/// ```
/// use imgrepl::workload::WorkloadKind;
///
/// assert_eq!(WorkloadKind::from_type("apps/v1", "Deployment"), Some(WorkloadKind::Deployment));
/// assert_eq!(WorkloadKind::from_type("batch/v1", "CronJob").map(|k| k.pod_spec_path()),
///            Some(&["spec", "jobTemplate", "spec", "template", "spec"][..]));
/// assert_eq!(WorkloadKind::from_type("example.com/v1", "Deployment"), None); // a CRD of the same name
/// assert_eq!(WorkloadKind::from_type("v1", "ConfigMap"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum WorkloadKind {
    /// `v1` `Pod`: the spec is `spec`, the pod's metadata is `metadata`.
    Pod,
    /// `v1` `PodTemplate`: `template.spec`.
    PodTemplate,
    /// `apps/v1` `Deployment`: `spec.template.spec`.
    Deployment,
    /// `apps/v1` `ReplicaSet`: `spec.template.spec`.
    ReplicaSet,
    /// `v1` `ReplicationController`: `spec.template.spec`.
    ReplicationController,
    /// `apps/v1` `StatefulSet`: `spec.template.spec`.
    StatefulSet,
    /// `apps/v1` `DaemonSet`: `spec.template.spec`.
    DaemonSet,
    /// `batch/v1` `Job`: `spec.template.spec`.
    Job,
    /// `batch/v1` (or `batch/v1beta1`) `CronJob`: `spec.jobTemplate.spec.template.spec`.
    CronJob,
}

/// `(kind, accepted apiVersions)`. Beside the current versions, the older ones that served the
/// same kind with the same pod template layout are accepted, so that old manifests in files are
/// still rewritten; an API server sends only the current ones.
const TYPES: &[(WorkloadKind, &[&str])] = &[
    (WorkloadKind::Pod, &["v1"]),
    (WorkloadKind::PodTemplate, &["v1"]),
    (WorkloadKind::ReplicationController, &["v1"]),
    (
        WorkloadKind::Deployment,
        &[
            "apps/v1",
            "apps/v1beta2",
            "apps/v1beta1",
            "extensions/v1beta1",
        ],
    ),
    (
        WorkloadKind::ReplicaSet,
        &["apps/v1", "apps/v1beta2", "extensions/v1beta1"],
    ),
    (
        WorkloadKind::DaemonSet,
        &["apps/v1", "apps/v1beta2", "extensions/v1beta1"],
    ),
    (
        WorkloadKind::StatefulSet,
        &["apps/v1", "apps/v1beta2", "apps/v1beta1"],
    ),
    (WorkloadKind::Job, &["batch/v1"]),
    (
        WorkloadKind::CronJob,
        &["batch/v1", "batch/v1beta1", "batch/v2alpha1"],
    ),
];

impl WorkloadKind {
    /// Every kind.
    pub const ALL: &'static [WorkloadKind] = &[
        WorkloadKind::Pod,
        WorkloadKind::PodTemplate,
        WorkloadKind::Deployment,
        WorkloadKind::ReplicaSet,
        WorkloadKind::ReplicationController,
        WorkloadKind::StatefulSet,
        WorkloadKind::DaemonSet,
        WorkloadKind::Job,
        WorkloadKind::CronJob,
    ];

    /// The workload kind of an object with this `apiVersion` and `kind`, if it is one.
    #[must_use]
    pub fn from_type(api_version: &str, kind: &str) -> Option<WorkloadKind> {
        TYPES
            .iter()
            .find(|(k, versions)| k.as_str() == kind && versions.contains(&api_version))
            .map(|(k, _)| *k)
    }

    /// The Kubernetes kind, e.g. `"Deployment"`.
    ///
    /// ```
    /// assert_eq!(imgrepl::workload::WorkloadKind::CronJob.as_str(), "CronJob");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Pod => "Pod",
            WorkloadKind::PodTemplate => "PodTemplate",
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::ReplicationController => "ReplicationController",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    /// The path of the pod template (the object holding the pod's `metadata` and `spec`): empty
    /// for a Pod, which is its own template.
    ///
    /// ```
    /// use imgrepl::workload::WorkloadKind;
    ///
    /// assert_eq!(WorkloadKind::Pod.template_path(), &[] as &[&str]);
    /// assert_eq!(WorkloadKind::Job.template_path(), &["spec", "template"]);
    /// ```
    #[must_use]
    pub const fn template_path(self) -> &'static [&'static str] {
        match self {
            WorkloadKind::Pod => &[],
            WorkloadKind::PodTemplate => &["template"],
            WorkloadKind::CronJob => &["spec", "jobTemplate", "spec", "template"],
            WorkloadKind::Deployment
            | WorkloadKind::ReplicaSet
            | WorkloadKind::ReplicationController
            | WorkloadKind::StatefulSet
            | WorkloadKind::DaemonSet
            | WorkloadKind::Job => &["spec", "template"],
        }
    }

    /// The path of the pod spec: the template's path followed by `spec`.
    ///
    /// ```
    /// use imgrepl::workload::WorkloadKind;
    ///
    /// assert_eq!(WorkloadKind::Pod.pod_spec_path(), &["spec"]);
    /// assert_eq!(WorkloadKind::PodTemplate.pod_spec_path(), &["template", "spec"]);
    /// ```
    #[must_use]
    pub const fn pod_spec_path(self) -> &'static [&'static str] {
        match self {
            WorkloadKind::Pod => &["spec"],
            WorkloadKind::PodTemplate => &["template", "spec"],
            WorkloadKind::CronJob => &["spec", "jobTemplate", "spec", "template", "spec"],
            WorkloadKind::Deployment
            | WorkloadKind::ReplicaSet
            | WorkloadKind::ReplicationController
            | WorkloadKind::StatefulSet
            | WorkloadKind::DaemonSet
            | WorkloadKind::Job => &["spec", "template", "spec"],
        }
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_in_the_table_once_and_paths_agree() {
        for kind in WorkloadKind::ALL {
            assert_eq!(TYPES.iter().filter(|(k, _)| k == kind).count(), 1, "{kind}");
            let spec = kind.pod_spec_path();
            assert_eq!(&spec[..spec.len() - 1], kind.template_path(), "{kind}");
            assert_eq!(spec.last(), Some(&"spec"));
        }
        assert_eq!(TYPES.len(), WorkloadKind::ALL.len());
    }

    #[test]
    fn the_api_version_decides() {
        assert_eq!(
            WorkloadKind::from_type("v1", "Pod"),
            Some(WorkloadKind::Pod)
        );
        assert_eq!(WorkloadKind::from_type("apps/v1", "Pod"), None);
        assert_eq!(WorkloadKind::from_type("batch/v1", "Deployment"), None);
        assert_eq!(
            WorkloadKind::from_type("batch/v1beta1", "CronJob"),
            Some(WorkloadKind::CronJob)
        );
        assert_eq!(WorkloadKind::from_type("batch/v1beta1", "Job"), None);
        assert_eq!(WorkloadKind::from_type("v1", "pod"), None);
        assert_eq!(WorkloadKind::from_type("", ""), None);
    }
}
