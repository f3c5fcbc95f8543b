//! The kinds of Kubernetes object that carry pod specs, and where: a table keyed by API group and
//! kind, which users can extend; and whether an object is a `List` of objects ([`is_list`]).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use super::node::{Lookup, Node, ValueType};

/// How an object's pod specs were found.
///
/// ```
/// assert_eq!(imgrepl_k8s::FoundBy::Shape.as_str(), "shape");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoundBy {
    /// The kind is in the built-in table.
    Table,
    /// The kind was added by the caller ([`PodSpecTable::add`]).
    User,
    /// The kind is unknown; a mapping with a `containers` list of mappings with `image` was
    /// found by its shape.
    Shape,
}

impl FoundBy {
    /// `"table"`, `"user"` or `"shape"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            FoundBy::Table => "table",
            FoundBy::User => "user",
            FoundBy::Shape => "shape",
        }
    }
}

/// The kind of an object whose pod specs were looked for: its API group, its kind, and how its
/// pod specs are found.
///
/// ```
/// use imgrepl_k8s::{FoundBy, WorkloadKind};
///
/// let kind = WorkloadKind::from_type("apps/v1", "Deployment").unwrap();
/// assert_eq!((kind.group(), kind.as_str(), kind.found_by()), ("apps", "Deployment", FoundBy::Table));
/// assert_eq!(WorkloadKind::from_type("example.com/v1", "Deployment"), None); // a CRD of the same name
/// assert_eq!(WorkloadKind::from_type("v1", "ConfigMap"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadKind {
    group: String,
    kind: String,
    found_by: FoundBy,
}

impl WorkloadKind {
    pub(crate) fn new(group: &str, kind: &str, found_by: FoundBy) -> Self {
        WorkloadKind {
            group: group.to_owned(),
            kind: kind.to_owned(),
            found_by,
        }
    }

    /// The kind of an object with this `apiVersion` and `kind` in the built-in table, if any.
    #[must_use]
    pub fn from_type(api_version: &str, kind: &str) -> Option<WorkloadKind> {
        builtin(group_of(api_version), kind)
            .map(|_| WorkloadKind::new(group_of(api_version), kind, FoundBy::Table))
    }

    /// The Kubernetes kind, e.g. `"Deployment"`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.kind
    }

    /// The API group (`""` for the core group of `v1`).
    #[must_use]
    pub fn group(&self) -> &str {
        &self.group
    }

    /// How its pod specs were found.
    #[must_use]
    pub fn found_by(&self) -> FoundBy {
        self.found_by
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)
    }
}

/// The API group of an `apiVersion`: `"apps"` for `apps/v1`, `""` for `v1`.
///
/// ```
/// assert_eq!(imgrepl_k8s::group_of("apps/v1"), "apps");
/// assert_eq!(imgrepl_k8s::group_of("v1"), "");
/// ```
#[must_use]
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// The built-in table: `(group, kind, pod spec paths)`.
///
/// Paths are keys separated by `.`; `[]` after a key means every item of that array. The pod
/// template (whose `metadata.annotations` carry the pods' policy) is the path without its last
/// `.spec`.
pub(crate) const BUILTIN: &[(&str, &str, &[&str])] = &[
    ("", "Pod", &["spec"]),
    ("", "PodTemplate", &["template.spec"]),
    ("", "ReplicationController", &["spec.template.spec"]),
    ("apps", "Deployment", &["spec.template.spec"]),
    ("apps", "ReplicaSet", &["spec.template.spec"]),
    ("apps", "StatefulSet", &["spec.template.spec"]),
    ("apps", "DaemonSet", &["spec.template.spec"]),
    ("extensions", "Deployment", &["spec.template.spec"]),
    ("extensions", "ReplicaSet", &["spec.template.spec"]),
    ("extensions", "DaemonSet", &["spec.template.spec"]),
    ("batch", "Job", &["spec.template.spec"]),
    ("batch", "CronJob", &["spec.jobTemplate.spec.template.spec"]),
    ("argoproj.io", "Rollout", &["spec.template.spec"]),
    (
        "argoproj.io",
        "Experiment",
        &["spec.templates[].template.spec"],
    ),
    (
        "argoproj.io",
        "AnalysisTemplate",
        &["spec.metrics[].provider.job.spec.template.spec"],
    ),
    (
        "argoproj.io",
        "ClusterAnalysisTemplate",
        &["spec.metrics[].provider.job.spec.template.spec"],
    ),
    (
        "argoproj.io",
        "AnalysisRun",
        &["spec.metrics[].provider.job.spec.template.spec"],
    ),
    ("serving.knative.dev", "Service", &["spec.template.spec"]),
    (
        "serving.knative.dev",
        "Configuration",
        &["spec.template.spec"],
    ),
    ("serving.knative.dev", "Revision", &["spec"]),
    (
        "apps.openshift.io",
        "DeploymentConfig",
        &["spec.template.spec"],
    ),
    ("keda.sh", "ScaledJob", &["spec.jobTargetRef.template.spec"]),
    ("apps.kruise.io", "CloneSet", &["spec.template.spec"]),
    ("apps.kruise.io", "BroadcastJob", &["spec.template.spec"]),
    (
        "apps.kruise.io",
        "AdvancedCronJob",
        &[
            "spec.template.jobTemplate.spec.template.spec",
            "spec.template.broadcastJobTemplate.spec.template.spec",
        ],
    ),
    ("apps.kruise.io", "StatefulSet", &["spec.template.spec"]),
    ("apps.kruise.io", "DaemonSet", &["spec.template.spec"]),
    ("core.strimzi.io", "StrimziPodSet", &["spec.pods[].spec"]),
];

fn builtin(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    BUILTIN
        .iter()
        .find(|(g, k, _)| *g == group && *k == kind)
        .map(|(_, _, paths)| *paths)
}

/// One step of a [`PodSpecPath`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'p> {
    /// The value of this key.
    Key(&'p str),
    /// The value of this key, an array: each of its items.
    Each(&'p str),
}

/// Where a kind keeps a pod spec: keys separated by `.`, `[]` after a key for every item of an
/// array, e.g. `spec.template.spec` or `spec.metrics[].provider.job.spec.template.spec`.
///
/// ```
/// use imgrepl_k8s::PodSpecPath;
///
/// assert_eq!(PodSpecPath::parse("spec.pods[].spec")?.as_str(), "spec.pods[].spec");
/// let err = PodSpecPath::parse("spec..template").unwrap_err();
/// assert_eq!(err.to_string(), "invalid pod spec path \"spec..template\": empty key at byte 5");
/// # Ok::<(), imgrepl_k8s::PodSpecPathError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PodSpecPath(Cow<'static, str>);

impl PodSpecPath {
    /// Checks and keeps `path`.
    ///
    /// # Errors
    ///
    /// A [`PodSpecPathError`] for an empty key, or a `[` that is not a final `[]` of a key.
    pub fn parse(path: &str) -> Result<PodSpecPath, PodSpecPathError> {
        let mut at = 0;
        for key in path.split('.') {
            let name = key.strip_suffix("[]").unwrap_or(key);
            let error = |offset: usize, reason: &'static str| PodSpecPathError {
                path: path.to_owned(),
                offset,
                reason,
            };
            if name.is_empty() {
                return Err(error(at, "empty key"));
            }
            if let Some(i) = name.find(['[', ']', '=']) {
                return Err(error(
                    at + i,
                    "'[', ']' and '=' are only allowed as a final \"[]\"",
                ));
            }
            at += key.len() + 1;
        }
        Ok(PodSpecPath(Cow::Owned(path.to_owned())))
    }

    const fn builtin(path: &'static str) -> PodSpecPath {
        PodSpecPath(Cow::Borrowed(path))
    }

    /// The path as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(crate) fn steps(path: &str) -> impl Iterator<Item = Step<'_>> {
    path.split('.').map(|key| match key.strip_suffix("[]") {
        Some(name) => Step::Each(name),
        None => Step::Key(key),
    })
}

impl fmt::Display for PodSpecPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A pod spec path or a `GROUP/KIND=PATH` entry that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSpecPathError {
    path: String,
    offset: usize,
    reason: &'static str,
}

impl PodSpecPathError {
    /// The byte offset in the text where it stopped being valid.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for PodSpecPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid pod spec path {:?}: {} at byte {}",
            self.path, self.reason, self.offset
        )
    }
}

impl std::error::Error for PodSpecPathError {}

/// One kind of the table and its pod spec paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KindEntry {
    /// The API group (`""` for the core group).
    pub group: Cow<'static, str>,
    /// The kind.
    pub kind: Cow<'static, str>,
    /// Where its pod specs are.
    pub paths: Vec<PodSpecPath>,
    /// [`FoundBy::Table`] for a built-in kind, [`FoundBy::User`] for an added one.
    pub found_by: FoundBy,
}

/// The kinds that carry pod specs, keyed by API group and kind: the built-in ones (Pod,
/// Deployment, … and the custom resources people run: Argo Rollouts, Knative, `OpenShift`, KEDA,
/// `OpenKruise`, Strimzi) plus the caller's.
///
/// ```
/// use imgrepl_k8s::{FoundBy, PodSpecTable};
///
/// let mut table = PodSpecTable::new();
/// table.add_spec("example.com/Widget=spec.podTemplate.spec")?;
/// let widget = table.lookup("example.com/v1", "Widget").unwrap();
/// assert_eq!((widget.paths[0].as_str(), widget.found_by), ("spec.podTemplate.spec", FoundBy::User));
/// assert_eq!(table.lookup("argoproj.io/v1alpha1", "Rollout").unwrap().paths[0].as_str(), "spec.template.spec");
/// # Ok::<(), imgrepl_k8s::PodSpecPathError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PodSpecTable {
    entries: Vec<KindEntry>,
}

impl Default for PodSpecTable {
    fn default() -> Self {
        PodSpecTable::new()
    }
}

impl PodSpecTable {
    /// The built-in table.
    #[must_use]
    pub fn new() -> Self {
        PodSpecTable {
            entries: BUILTIN
                .iter()
                .map(|(group, kind, paths)| KindEntry {
                    group: Cow::Borrowed(group),
                    kind: Cow::Borrowed(kind),
                    paths: paths.iter().map(|p| PodSpecPath::builtin(p)).collect(),
                    found_by: FoundBy::Table,
                })
                .collect(),
        }
    }

    /// Adds a pod spec path to the kind `kind` of API group `group` (`""` for the core group).
    /// A kind already in the table keeps its other paths.
    ///
    /// # Errors
    ///
    /// A [`PodSpecPathError`] when the path is not valid.
    pub fn add(&mut self, group: &str, kind: &str, path: &str) -> Result<(), PodSpecPathError> {
        let path = PodSpecPath::parse(path)?;
        if let Some(entry) = self
            .entries
            .iter_mut()
            .find(|e| e.group == group && e.kind == kind)
        {
            if !entry.paths.contains(&path) {
                entry.paths.push(path);
                entry.found_by = FoundBy::User;
            }
        } else {
            self.entries.push(KindEntry {
                group: Cow::Owned(group.to_owned()),
                kind: Cow::Owned(kind.to_owned()),
                paths: vec![path],
                found_by: FoundBy::User,
            });
        }
        Ok(())
    }

    /// Adds an entry written `GROUP/KIND=PATH` (`KIND=PATH` for the core group), as the command
    /// line's `--pod-spec` takes it.
    ///
    /// # Errors
    ///
    /// A [`PodSpecPathError`] when there is no `=`, the kind is empty, or the path is invalid.
    pub fn add_spec(&mut self, spec: &str) -> Result<(), PodSpecPathError> {
        let error = |offset, reason| PodSpecPathError {
            path: spec.to_owned(),
            offset,
            reason,
        };
        let Some((name, path)) = spec.split_once('=') else {
            return Err(error(spec.len(), "expected GROUP/KIND=PATH"));
        };
        let (group, kind) = name.rsplit_once('/').unwrap_or(("", name));
        if kind.is_empty() {
            return Err(error(name.len(), "empty kind"));
        }
        self.add(group, kind, path).map_err(|e| PodSpecPathError {
            path: spec.to_owned(),
            offset: e.offset + name.len() + 1,
            reason: e.reason,
        })
    }

    /// The entry of an object with this `apiVersion` and `kind`, if any.
    #[must_use]
    pub fn lookup(&self, api_version: &str, kind: &str) -> Option<&KindEntry> {
        let group = group_of(api_version);
        self.entries
            .iter()
            .find(|e| e.group == group && e.kind == kind)
    }

    /// Every entry, built-in ones first.
    #[must_use]
    pub fn entries(&self) -> &[KindEntry] {
        &self.entries
    }
}

/// The pod spec paths of a kind: from the caller's table, or the built-in one (no allocation).
pub(crate) enum Paths<'t> {
    Builtin(&'static [&'static str]),
    Table(&'t [PodSpecPath]),
}

impl<'t> Paths<'t> {
    pub(crate) fn lookup(
        table: Option<&'t PodSpecTable>,
        api_version: &str,
        kind: &str,
    ) -> Option<(Paths<'t>, FoundBy)> {
        match table {
            Some(table) => table
                .lookup(api_version, kind)
                .map(|e| (Paths::Table(&e.paths), e.found_by)),
            None => {
                builtin(group_of(api_version), kind).map(|p| (Paths::Builtin(p), FoundBy::Table))
            }
        }
    }

    pub(crate) fn each(&self) -> impl Iterator<Item = &str> {
        let (builtin, table): (&[&str], &[PodSpecPath]) = match self {
            Paths::Builtin(paths) => (paths, &[]),
            Paths::Table(paths) => (&[], paths),
        };
        let table = table.iter().map(PodSpecPath::as_str);
        builtin.iter().copied().chain(table)
    }
}

/// Whether `node` is a `List` (a kind ending in `List` with `items`, all of them objects).
pub(super) fn is_list<'a, N: Node<'a>>(node: N) -> Option<N> {
    let Lookup::Found(kind) = node.get("kind") else {
        return None;
    };
    if !kind.as_str()?.ends_with("List") {
        return None;
    }
    let Lookup::Found(items) = node.get("items") else {
        return None;
    };
    (items.value_type() == ValueType::Array
        && items.items().all(|i| i.value_type() == ValueType::Object))
    .then_some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_path_is_valid_and_each_kind_is_there_once() {
        for (i, (group, kind, paths)) in BUILTIN.iter().enumerate() {
            for path in *paths {
                assert!(PodSpecPath::parse(path).is_ok(), "{path}");
                assert!(path.ends_with("spec"), "{path}");
            }
            assert!(
                !BUILTIN[..i].iter().any(|(g, k, _)| g == group && k == kind),
                "{group}/{kind}"
            );
        }
    }

    #[test]
    fn the_api_group_decides() {
        let kind = |v, k| WorkloadKind::from_type(v, k).map(|k| k.kind);
        assert_eq!(kind("v1", "Pod").as_deref(), Some("Pod"));
        assert_eq!(kind("apps/v1", "Pod"), None);
        assert_eq!(kind("batch/v1", "Deployment"), None);
        assert_eq!(kind("batch/v1beta1", "CronJob").as_deref(), Some("CronJob"));
        assert_eq!(kind("v1", "pod"), None);
        assert_eq!(kind("", ""), None);
        assert_eq!(
            kind("apps.kruise.io/v1beta1", "StatefulSet").as_deref(),
            Some("StatefulSet")
        );
    }

    #[test]
    fn spec_entries_are_checked() {
        let mut t = PodSpecTable::new();
        assert_eq!(
            t.add_spec("x.io/W").unwrap_err().to_string(),
            "invalid pod spec path \"x.io/W\": expected GROUP/KIND=PATH at byte 6"
        );
        assert_eq!(
            t.add_spec("x.io/W=spec.a[0]").unwrap_err().offset(),
            "x.io/W=spec.a".len()
        );
        t.add_spec("Thing=spec").unwrap();
        assert_eq!(t.lookup("v1", "Thing").unwrap().group, "");
        let steps: Vec<_> = steps("a.b[].c").collect();
        assert_eq!(steps, [Step::Key("a"), Step::Each("b"), Step::Key("c")]);
    }
}
