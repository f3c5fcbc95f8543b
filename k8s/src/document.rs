//! The objects of a document ([`rewrite_objects`]): the document itself, or the items of its
//! `List`s (Lists in Lists entered), each rewritten into an [`ObjectReport`].

use serde::Serialize;

use super::kind::is_list;
use super::node::{Lookup, Node, ValueType};
use super::object::rewrite_node;
use super::{Options, PatchOp, Report, Warning, WorkloadError};
use imgrepl::__private::{pointer_at, push_index};
use imgrepl::Code;

/// One object of a document: the document itself, or an item of a `List` in it (Lists in
/// Lists are entered).
///
/// ```
/// use imgrepl_k8s::Options;
///
/// let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
///   {"apiVersion": "v1", "kind": "List", "items": [
///     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"coordinator.cci.io/image-replacement":
///       r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
///      "spec": {"containers": [{"image": "nginx"}]}}]}]});
/// let objects = imgrepl_k8s::rewrite_objects(&list, &Options::default());
/// assert_eq!((objects[0].pointer.as_str(), objects[0].items.as_slice()), ("/items/0/items/0", &[0, 0][..]));
/// assert_eq!(objects[0].patch()[0].path, "/items/0/items/0/spec/containers/0/image");
/// ```
///
/// It serializes with `report` or `error`, whichever the outcome is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectReport {
    /// The RFC 6901 pointer of the object in the document (`""` for the document itself).
    pub pointer: String,
    /// The item indexes of the `List`s it is in, outermost first (empty for the document).
    pub items: Vec<usize>,
    /// Its `kind`, when that is a string.
    pub kind: Option<String>,
    /// Its `metadata.name`, when that is a string.
    pub name: Option<String>,
    /// What happened to it.
    pub outcome: Result<Report, WorkloadError>,
}

impl Serialize for ObjectReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("ObjectReport", 5)?;
        s.serialize_field("pointer", &self.pointer)?;
        s.serialize_field("items", &self.items)?;
        s.serialize_field("kind", &self.kind)?;
        s.serialize_field("name", &self.name)?;
        match &self.outcome {
            Ok(report) => s.serialize_field("report", report)?,
            Err(error) => s.serialize_field("error", error)?,
        }
        s.end()
    }
}

impl ObjectReport {
    /// `Kind/name`, as people name a workload (`Kind` alone when it has no name, `(no kind)`
    /// when it has no kind).
    ///
    /// ```
    /// use imgrepl_k8s::{Options, rewrite_objects};
    ///
    /// let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
    ///   {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": []}},
    ///   {"apiVersion": "v1", "kind": "ConfigMap"}, {"apiVersion": "v1"}]});
    /// let objects = rewrite_objects(&list, &Options::default());
    /// let labels: Vec<String> = objects.iter().map(|o| o.label()).collect();
    /// assert_eq!(labels, ["Pod/web", "ConfigMap", "(no kind)"]);
    /// ```
    #[must_use]
    pub fn label(&self) -> String {
        match (&self.kind, &self.name) {
            (Some(kind), Some(name)) => format!("{kind}/{name}"),
            (Some(kind), None) => kind.clone(),
            (None, _) => "(no kind)".to_owned(),
        }
    }

    /// The patch operations of the object, with paths from the document's root.
    #[must_use]
    pub fn patch(&self) -> Vec<PatchOp> {
        match &self.outcome {
            Ok(report) => report
                .patch
                .iter()
                .map(|op| {
                    PatchOp::replace(format!("{}{}", self.pointer, op.path), op.value.clone())
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// The objects of one document, each rewritten: the document, or the items of a `List`
/// (`kind: List`, `PodList`, … whose `items` are all objects), Lists in Lists entered. A
/// document that is not an object (a JSON Patch file, a string) gives one object with a
/// [`Code::DocumentNotObject`] warning; an empty (null) document gives none.
pub fn rewrite_objects<'a, N: Node<'a>>(document: N, options: &Options<'_>) -> Vec<ObjectReport> {
    let mut out = Vec::new();
    match document.value_type() {
        ValueType::Null => return out,
        ValueType::Object => {}
        other => {
            out.push(ObjectReport {
                pointer: String::new(),
                items: Vec::new(),
                kind: None,
                name: None,
                outcome: Ok(Report {
                    warnings: vec![Warning {
                        code: Code::DocumentNotObject,
                        message: format!(
                            "not a Kubernetes object ({}): passed through as it is",
                            other.type_name()
                        ),
                        pointer: String::new(),
                    }],
                    ..Report::default()
                }),
            });
            return out;
        }
    }
    let mut work: Vec<(N, String, Vec<usize>)> = vec![(document, String::new(), Vec::new())];
    while let Some((node, pointer, items)) = work.pop() {
        if let Some(list) = is_list(node) {
            let all: Vec<N> = list.items().collect();
            for (i, item) in all.into_iter().enumerate().rev() {
                let mut p = pointer_at(&pointer, &["items"]);
                push_index(&mut p, i);
                let mut at = items.clone();
                at.push(i);
                work.push((item, p, at));
            }
            continue;
        }
        let string = |key| match node.get(key) {
            Lookup::Found(v) => v.as_str().map(str::to_owned),
            _ => None,
        };
        let name = match node.get("metadata") {
            Lookup::Found(m) => match m.get("name") {
                Lookup::Found(n) => n.as_str().map(str::to_owned),
                _ => None,
            },
            _ => None,
        };
        out.push(ObjectReport {
            kind: string("kind"),
            name,
            outcome: rewrite_node(node, options),
            pointer,
            items,
        });
    }
    out
}
