//! Finding pod specs (by the kinds table or by shape), reading their policies, rewriting their
//! containers; and the objects of a document (entering `List`s).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use super::burst::{self, BurstMode};
use super::cache::Compiled;
use super::kind::{Paths, Step, steps};
use super::node::{Lookup, Node, ValueType};
use super::secrets::PullSecrets;
use super::{
    ContainerError, ContainerList, ContainerReport, FoundBy, Options, PatchOp, PodSpecReport,
    PolicyOrigin, PolicySource, Report, Warning, WorkloadError, WorkloadKind,
};
use crate::pointer::{pointer_at, push_index, push_token};
use crate::{Code, Normalized, Policy};

/// A pod spec found in an object.
struct Found<N> {
    spec: N,
    pointer: String,
    /// The pod template (its `metadata.annotations` carry the pods' policy) and its pointer.
    template: Option<(N, String)>,
}

/// Rewrites one object given as any [`Node`]; [`rewrite`](super::rewrite) for a
/// `serde_json::Value`.
///
/// # Errors
///
/// As [`rewrite`](super::rewrite).
///
/// ```
/// use imgrepl::workload::{self, FoundBy, Options};
///
/// let widget = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement": r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
///   "spec": {"runner": {"spec": {"containers": [{"image": "nginx"}]}}}});
/// let report = workload::rewrite_node(&widget, &Options::default())?;
/// assert_eq!(report.kind.as_ref().map(|k| k.found_by()), Some(FoundBy::Shape));
/// assert_eq!(report.patch.ops()[0].path, "/spec/runner/spec/containers/0/image");
/// # Ok::<(), imgrepl::workload::WorkloadError>(())
/// ```
pub fn rewrite_node<'a, N: Node<'a>>(
    object: N,
    options: &Options<'_>,
) -> Result<Report, WorkloadError> {
    if object.value_type() != ValueType::Object {
        return Err(WorkloadError::not_an_object(object.value_type()));
    }
    let api_version = top_string(object, "apiVersion")?;
    let kind_name = top_string(object, "kind")?.unwrap_or_default();
    let mut report = Report::default();
    let Some(found) = find_pod_specs(object, api_version, kind_name, options, &mut report)? else {
        return Ok(report);
    };
    // The annotations compiled for this object (a text is compiled once, here or in the cache),
    // kept when there is another pod spec to read.
    let mut compiled: Vec<(&str, Arc<Compiled>)> = Vec::new();
    let several = found.len() > 1;
    let namespace = namespace_of(object);
    'specs: for Found {
        spec,
        pointer,
        template,
    } in found
    {
        let (template, template_pointer) = match template {
            Some((node, pointer)) => (Some(node), Some(pointer)),
            None => (None, None),
        };
        let mut entry = PodSpecReport {
            pointer,
            // Set once `template` below is no longer read: the pointers move into the report.
            template: None,
            policy: None,
            burst: None,
            not_bursting: false,
            excluded: false,
            image_pull_secrets: pull_secret_names(spec),
        };
        // Each `break 'spec` leaves the pod spec with what `entry` says so far.
        'spec: {
            let template = template.zip(template_pointer.as_deref());
            if let Some(warning) = exclusion(object, template) {
                report.warnings.push(warning);
                entry.excluded = true;
                break 'spec;
            }
            entry.burst = burst::read(object, template, &mut report.warnings);
            if burst_gate(&mut entry, options, &mut report) {
                break 'spec;
            }
            let (mut source, text) = if options.policy.is_some() {
                (PolicySource::caller(), None)
            } else {
                let annotation = find_annotation(
                    object,
                    template,
                    kind_name,
                    options.key,
                    &mut report.warnings,
                )?;
                let Some((source, text)) = annotation else {
                    break 'spec;
                };
                (source, Some(text))
            };
            let held: Arc<Compiled>;
            let policy: &Policy = match (options.policy, text) {
                (Some(policy), _) => policy,
                (None, Some(text)) => {
                    held = compile(text, options, several.then_some(&mut compiled));
                    source.diagnostics.clone_from(&held.diagnostics);
                    let Some(policy) = held.policy.as_ref() else {
                        report.warnings.clear();
                        return Err(WorkloadError::invalid_policy(source));
                    };
                    policy
                }
                (None, None) => continue 'specs,
            };
            let first_row = report.containers.len();
            rewrite_spec(policy, spec, &entry.pointer, &mut report)?;
            if options.check_pulls {
                let pulls = Pulls {
                    spec: &entry.pointer,
                    names: &entry.image_pull_secrets,
                    account: service_account_name(spec),
                    namespace,
                    known: options.pull_secrets,
                };
                pulls.check(
                    report.containers.get(first_row..).unwrap_or_default(),
                    &mut report.warnings,
                );
            }
            if report.policy.is_none() {
                report.policy = Some(source.clone());
            }
            entry.policy = Some(source);
        }
        entry.template = template_pointer;
        report.pod_specs.push(entry);
    }
    dedup_warnings(&mut report.warnings);
    Ok(report)
}

/// The object's `metadata.namespace`, when it is a string.
fn namespace_of<'a, N: Node<'a>>(object: N) -> Option<&'a str> {
    match object.get("metadata") {
        Lookup::Found(m) => match m.get("namespace") {
            Lookup::Found(n) => n.as_str(),
            _ => None,
        },
        _ => None,
    }
}

/// The compiled policy of an annotation's `text`: compiled before for this object (when there
/// is a `compiled` list, which keeps it), or from the options' cache, or compiled now.
fn compile<'t>(
    text: &'t str,
    options: &Options<'_>,
    compiled: Option<&mut Vec<(&'t str, Arc<Compiled>)>>,
) -> Arc<Compiled> {
    if let Some((_, c)) = compiled
        .as_ref()
        .and_then(|compiled| compiled.iter().find(|(t, _)| *t == text))
    {
        return Arc::clone(c);
    }
    let c = match options.cache {
        Some(cache) => cache.compile(text, options.mode),
        None => Arc::new(Compiled::new(text, options.mode)),
    };
    if let Some(compiled) = compiled {
        compiled.push((text, Arc::clone(&c)));
    }
    c
}

/// The pod specs of the object, by the table or by shape; `None` when there are none (the
/// report then says why, when it is a kind of the table).
fn find_pod_specs<'a, N: Node<'a>>(
    object: N,
    api_version: Option<&str>,
    kind_name: &str,
    options: &Options<'_>,
    report: &mut Report,
) -> Result<Option<Vec<Found<N>>>, WorkloadError> {
    let in_table = api_version.and_then(|v| Paths::lookup(options.pod_specs, v, kind_name));
    let group = super::group_of(api_version.unwrap_or_default());
    if let Some((paths, found_by)) = in_table {
        report.kind = Some(WorkloadKind::new(group, kind_name, found_by));
        let mut found = Vec::new();
        let mut missing = None;
        for path in paths.each() {
            resolve(object, path, &mut found, &mut missing)?;
        }
        if found.is_empty() {
            let at = missing.unwrap_or_default();
            report.warnings.push(Warning {
                code: Code::NoPodSpec,
                message: format!(
                    "the {kind_name} has no pod spec ({at} is missing): passed through as it is (a partial object, such as a patch)"
                ),
                pointer: at,
            });
            return Ok(None);
        }
        return Ok(Some(found));
    }
    if !options.shapes {
        return Ok(None);
    }
    let found = by_shape(object)?;
    if found.is_empty() {
        return Ok(None);
    }
    report.kind = Some(WorkloadKind::new(group, kind_name, FoundBy::Shape));
    Ok(Some(found))
}

/// Keeps the first of equal warnings, in order, in place.
fn dedup_warnings(warnings: &mut Vec<Warning>) {
    let mut kept = 0;
    for i in 0..warnings.len() {
        // `warnings[kept..i]` are the duplicates already seen.
        if !warnings[..kept].contains(&warnings[i]) {
            warnings.swap(kept, i);
            kept += 1;
        }
    }
    warnings.truncate(kept);
}

/// The string at `key` of the object, `None` when missing or not a string.
fn top_string<'a, N: Node<'a>>(object: N, key: &str) -> Result<Option<&'a str>, WorkloadError> {
    match object.get(key) {
        Lookup::Found(v) => Ok(v.as_str()),
        Lookup::Missing => Ok(None),
        Lookup::Duplicate => Err(WorkloadError::duplicate_key(pointer_of_key("", key))),
    }
}

fn pointer_of_key(base: &str, key: &str) -> String {
    pointer_at(base, &[key])
}

/// A node reached on a path: (the node, the number of steps done, the item indexes of the `[]`
/// steps done, the node before the last step). Its pointer is made only when it is needed.
type Walk<N> = (N, usize, Vec<usize>, Option<N>);

/// The pointer of the node reached by the first `done` of `steps`, through the items `indexes`
/// of its `[]` steps (a `[]` step with no index left ends at the array).
fn path_pointer(steps: &[Step<'_>], done: usize, indexes: &[usize]) -> String {
    let keys = steps.iter().take(done).map(|s| match s {
        Step::Key(key) | Step::Each(key) => key.len() + 1,
    });
    // Room for the keys unescaped and indexes of up to 4 digits.
    let mut pointer = String::with_capacity(keys.sum::<usize>() + 5 * indexes.len());
    let mut indexes = indexes.iter();
    for step in steps.iter().take(done) {
        match *step {
            Step::Key(key) => push_token(&mut pointer, key),
            Step::Each(key) => {
                push_token(&mut pointer, key);
                if let Some(&i) = indexes.next() {
                    push_index(&mut pointer, i);
                }
            }
        }
    }
    pointer
}

/// Follows `path` from `root`, adding each pod spec found, and the pointer of the first
/// missing step to `missing` when it has none yet.
fn resolve<'a, N: Node<'a>>(
    root: N,
    path: &str,
    found: &mut Vec<Found<N>>,
    missing: &mut Option<String>,
) -> Result<(), WorkloadError> {
    let all: Vec<Step<'_>> = steps(path).collect();
    // The node to walk next, then the items of `[]` steps left for later (a path without `[]`
    // is walked without this stack).
    let mut next: Option<Walk<N>> = Some((root, 0, Vec::new(), None));
    let mut work: Vec<Walk<N>> = Vec::new();
    while let Some((node, done, indexes, parent)) = next.take().or_else(|| work.pop()) {
        if done == all.len() {
            let last_is_spec = matches!(all.last(), Some(Step::Key("spec")));
            let template = match parent {
                // The last step is a key: the parent is reached through the same items.
                Some(parent) if last_is_spec => {
                    Some((parent, path_pointer(&all, done - 1, &indexes)))
                }
                _ => None,
            };
            found.push(Found {
                spec: node,
                pointer: path_pointer(&all, done, &indexes),
                template,
            });
            continue;
        }
        let (key, each) = match all[done] {
            Step::Key(k) => (k, false),
            Step::Each(k) => (k, true),
        };
        let next_pointer = || path_pointer(&all, done + 1, &indexes);
        let value = match node.get(key) {
            Lookup::Found(v) if v.value_type() != ValueType::Null => v,
            Lookup::Found(_) | Lookup::Missing => {
                if missing.is_none() {
                    *missing = Some(next_pointer());
                }
                continue;
            }
            Lookup::Duplicate => return Err(WorkloadError::duplicate_key(next_pointer())),
        };
        if each {
            if value.value_type() != ValueType::Array {
                return Err(WorkloadError::wrong_type(
                    next_pointer(),
                    "an array",
                    value.value_type(),
                ));
            }
            let items: Vec<N> = value.items().collect();
            for (i, item) in items.into_iter().enumerate().rev() {
                let mut item_indexes = indexes.clone();
                item_indexes.push(i);
                match item.value_type() {
                    ValueType::Object => {
                        work.push((item, done + 1, item_indexes, Some(node)));
                    }
                    ValueType::Null => {
                        if missing.is_none() {
                            *missing = Some(path_pointer(&all, done + 1, &item_indexes));
                        }
                    }
                    other => {
                        let at = path_pointer(&all, done + 1, &item_indexes);
                        return Err(WorkloadError::wrong_type(at, "an object", other));
                    }
                }
            }
        } else {
            if value.value_type() != ValueType::Object {
                return Err(WorkloadError::wrong_type(
                    next_pointer(),
                    "an object",
                    value.value_type(),
                ));
            }
            next = Some((value, done + 1, indexes, Some(node)));
        }
    }
    Ok(())
}

/// Whether `node` looks like a pod spec: a `containers` array, not empty, of objects, at least
/// one of them with an `image`.
fn looks_like_pod_spec<'a, N: Node<'a>>(node: N) -> bool {
    let Lookup::Found(list) = node.get("containers") else {
        return false;
    };
    if list.value_type() != ValueType::Array {
        return false;
    }
    let mut any_image = false;
    for item in list.items() {
        if item.value_type() != ValueType::Object {
            return false;
        }
        any_image |= !matches!(item.get("image"), Lookup::Missing);
    }
    any_image
}

/// A step of the path to a node during the shape search.
#[derive(Clone, Copy)]
enum Token<'a> {
    Key(&'a str),
    Index(usize),
}

/// The pod specs of an object of unknown kind, found by their shape; a pod spec is not searched
/// inside. A duplicate key on the path to one is an error.
fn by_shape<'a, N: Node<'a>>(root: N) -> Result<Vec<Found<N>>, WorkloadError> {
    let mut found = Vec::new();
    let mut path: Vec<(Token<'a>, N, bool)> = Vec::new();
    // (node, depth, the token that led to it, whether its key is duplicated)
    let mut work: Vec<(N, usize, Option<Token<'a>>, bool)> = vec![(root, 0, None, false)];
    while let Some((node, depth, token, duplicate)) = work.pop() {
        path.truncate(depth.saturating_sub(1));
        if let Some(token) = token {
            path.push((token, node, duplicate));
        }
        match node.value_type() {
            ValueType::Object if depth > 0 && looks_like_pod_spec(node) => {
                let pointer = pointer_of_tokens(path.iter().map(|(t, _, _)| *t));
                if let Some(i) = path.iter().position(|(_, _, d)| *d) {
                    let at = pointer_of_tokens(path[..=i].iter().map(|(t, _, _)| *t));
                    return Err(WorkloadError::duplicate_key(at));
                }
                let template = match path.as_slice() {
                    [.., (_, parent, _), (Token::Key("spec"), _, _)] => Some((
                        *parent,
                        pointer_of_tokens(path[..path.len() - 1].iter().map(|(t, _, _)| *t)),
                    )),
                    [(Token::Key("spec"), _, _)] => Some((root, String::new())),
                    _ => None,
                };
                found.push(Found {
                    spec: node,
                    pointer,
                    template,
                });
            }
            ValueType::Object => {
                let entries: Vec<_> = node.entries().collect();
                for entry in entries.into_iter().rev() {
                    if let Some(key) = entry.key {
                        if depth == 0 && key == "metadata" {
                            continue;
                        }
                        work.push((
                            entry.value,
                            depth + 1,
                            Some(Token::Key(key)),
                            entry.duplicate,
                        ));
                    }
                }
            }
            ValueType::Array => {
                let items: Vec<N> = node.items().collect();
                for (i, item) in items.into_iter().enumerate().rev() {
                    work.push((item, depth + 1, Some(Token::Index(i)), false));
                }
            }
            _ => {}
        }
    }
    Ok(found)
}

fn pointer_of_tokens<'a>(tokens: impl Iterator<Item = Token<'a>>) -> String {
    let mut p = String::new();
    for t in tokens {
        match t {
            Token::Key(k) => push_token(&mut p, k),
            Token::Index(i) => push_index(&mut p, i),
        }
    }
    p
}

/// The annotation that holds the policy of a pod spec, and its text; warnings for the
/// object-level fallback.
fn find_annotation<'a, N: Node<'a>>(
    root: N,
    template: Option<(N, &str)>,
    kind: &str,
    key: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<(PolicySource, &'a str)>, WorkloadError> {
    let pod_level = match template {
        Some((node, pointer)) => annotation_at(node, pointer, key)?,
        None => None,
    };
    let is_pod = template.is_some_and(|(_, p)| p.is_empty());
    if is_pod {
        return Ok(
            pod_level.map(|(pointer, text)| (source(PolicyOrigin::Pod, pointer, text), text))
        );
    }
    let workload_level = annotation_at(root, "", key)?;
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
            let advice = match template {
                Some((_, at)) => format!(": put it in {at}/metadata/annotations"),
                None => String::new(),
            };
            warnings.push(Warning {
                code: Code::WorkloadAnnotation,
                message: format!(
                    "the policy is read from the {kind}'s own annotation {key:?}, but its pods will not carry it, so a webhook on pods will not see it{advice}"
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
/// null step is no annotation; a step of the wrong type, or a duplicate, is an error.
fn annotation_at<'a, N: Node<'a>>(
    base: N,
    base_pointer: &str,
    key: &str,
) -> Result<Option<(String, &'a str)>, WorkloadError> {
    let mut at = base;
    let steps = ["metadata", "annotations", key];
    for (done, step) in steps.into_iter().enumerate() {
        // Made only when it is needed.
        let pointer = || pointer_at(base_pointer, &steps[..=done]);
        let next = match at.get(step) {
            Lookup::Found(v) if v.value_type() != ValueType::Null => v,
            Lookup::Found(_) | Lookup::Missing => return Ok(None),
            Lookup::Duplicate => return Err(WorkloadError::duplicate_key(pointer())),
        };
        if step == key {
            return match next.as_str() {
                Some(text) => Ok(Some((pointer(), text))),
                None => Err(WorkloadError::wrong_type(
                    pointer(),
                    "a string",
                    next.value_type(),
                )),
            };
        }
        if next.value_type() != ValueType::Object {
            return Err(WorkloadError::wrong_type(
                pointer(),
                "an object",
                next.value_type(),
            ));
        }
        at = next;
    }
    Ok(None)
}

/// Adds the rows and patch operations of one pod spec.
fn rewrite_spec<'a, N: Node<'a>>(
    policy: &Policy,
    spec: N,
    spec_pointer: &str,
    report: &mut Report,
) -> Result<(), WorkloadError> {
    for list in ContainerList::ALL {
        let list_pointer = || pointer_of_key(spec_pointer, list.as_str());
        let items = match spec.get(list.as_str()) {
            Lookup::Missing => continue,
            Lookup::Duplicate => return Err(WorkloadError::duplicate_key(list_pointer())),
            Lookup::Found(v) => match v.value_type() {
                ValueType::Null => continue,
                ValueType::Array => v,
                other => return Err(WorkloadError::wrong_type(list_pointer(), "an array", other)),
            },
        };
        for (index, item) in items.items().enumerate() {
            let row = rewrite_container(policy, spec_pointer, list, index, item);
            if let Some(after) = row.after.as_ref().filter(|_| row.changed()) {
                report
                    .patch
                    .push(PatchOp::replace(row.pointer.clone(), after.clone()));
            }
            report.containers.push(row);
        }
    }
    Ok(())
}

/// The row of one entry of a container list.
fn rewrite_container<'a, N: Node<'a>>(
    policy: &Policy,
    spec_pointer: &str,
    list: ContainerList,
    index: usize,
    item: N,
) -> ContainerReport {
    // The container's pointer, then its image's, in exactly the room of the latter (a pointer
    // per container is kept in the report: no slack for large objects).
    let list_name = list.as_str();
    let digits = index.checked_ilog10().map_or(1, |d| d as usize + 1);
    let len = spec_pointer.len() + 1 + list_name.len() + 1 + digits + "/image".len();
    let mut pointer = String::with_capacity(len);
    pointer.push_str(spec_pointer);
    push_token(&mut pointer, list_name);
    push_index(&mut pointer, index);
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
    if item.value_type() != ValueType::Object {
        row.error = Some(ContainerError::not_an_object(&pointer, item.value_type()));
        row.pointer = pointer;
        return row;
    }
    let container = item;
    match container.get("name") {
        Lookup::Found(name) => row.name = name.as_str().map(str::to_owned),
        Lookup::Missing => {}
        Lookup::Duplicate => {
            let name_pointer = pointer_of_key(&pointer, "name");
            row.error = Some(ContainerError::duplicate_key(&name_pointer));
            push_token(&mut pointer, "image");
            row.pointer = pointer;
            return row;
        }
    }
    push_token(&mut pointer, "image");
    match container.get("image") {
        Lookup::Missing => {}
        Lookup::Duplicate => row.error = Some(ContainerError::duplicate_key(&pointer)),
        Lookup::Found(image) => match (image.value_type(), image.as_str()) {
            // An image may be left out for higher-level config management to fill in: missing,
            // null and "" are the same (Kubernetes' own rule for a pod template's image).
            (ValueType::Null, _) | (_, Some("")) => {}
            (_, Some(image)) => {
                row.before = Some(image.to_owned());
                match policy.rewrite(image) {
                    Ok(rewritten) => {
                        row.rule = rewritten.rule.and_then(|id| policy.applied_rule(id));
                        row.after = Some(rewritten.image.into_owned());
                    }
                    Err(error) => {
                        row.after = Some(image.to_owned());
                        row.error = Some(ContainerError::rewrite(error));
                    }
                }
            }
            (other, None) => {
                row.error = Some(ContainerError::image_not_string(&pointer, other));
            }
        },
    }
    row.pointer = pointer;
    row
}

/// One object of a document: the document itself, or an item of a `List` in it (Lists in
/// Lists are entered).
///
/// ```
/// use imgrepl::workload::{self, Options};
///
/// let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
///   {"apiVersion": "v1", "kind": "List", "items": [
///     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"coordinator.cci.io/image-replacement":
///       r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
///      "spec": {"containers": [{"image": "nginx"}]}}]}]});
/// let objects = workload::rewrite_objects(&list, &Options::default());
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
    /// use imgrepl::workload::{Options, rewrite_objects};
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

/// Whether `node` is a `List` (a kind ending in `List` with `items`, all of them objects).
pub(crate) fn is_list<'a, N: Node<'a>>(node: N) -> Option<N> {
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
                let mut p = pointer_of_key(&pointer, "items");
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

/// The label and annotation by which an object or a pod template opts out of rewriting.
pub const EXCLUDE_KEY: &str = "imgrepl.io/exclude";

/// The [`Code::Excluded`] warning of a pod spec whose pod template (or, failing that, the
/// object itself) has the label or annotation [`EXCLUDE_KEY`] set to `"true"`.
fn exclusion<'a, N: Node<'a>>(root: N, template: Option<(N, &str)>) -> Option<Warning> {
    let places = match template {
        Some((node, "")) => [Some((node, "", "the Pod's")), None],
        Some((node, pointer)) => [
            Some((node, pointer, "the pod template's")),
            Some((root, "", "the object's own")),
        ],
        None => [Some((root, "", "the object's own")), None],
    };
    for (node, base, whose) in places.into_iter().flatten() {
        let Lookup::Found(metadata) = node.get("metadata") else {
            continue;
        };
        for field in ["labels", "annotations"] {
            let Lookup::Found(map) = metadata.get(field) else {
                continue;
            };
            let Lookup::Found(value) = map.get(EXCLUDE_KEY) else {
                continue;
            };
            if value.as_str() != Some("true") {
                continue;
            }
            let pointer = pointer_at(base, &["metadata", field, EXCLUDE_KEY]);
            let what = if field == "labels" {
                "label"
            } else {
                "annotation"
            };
            return Some(Warning {
                code: Code::Excluded,
                message: format!(
                    "excluded: {whose} {what} {EXCLUDE_KEY:?} is \"true\": left as it is"
                ),
                pointer,
            });
        }
    }
    None
}

/// Reports the bursting label of a pod spec (and an invalid value); tells whether
/// [`Options::burst`] excludes it, in which case it is marked not bursting.
fn burst_gate(entry: &mut PodSpecReport, options: &Options<'_>, report: &mut Report) -> bool {
    if let Some(label) = entry.burst.as_ref().filter(|l| l.mode.is_none()) {
        report.warnings.push(Warning {
            code: Code::InvalidBurstLabel,
            message: format!(
                "the label {:?} is {:?}, which is none of \"auto\", \"enforce\" and \"off\"",
                label.key, label.value
            ),
            pointer: label.pointer.clone(),
        });
    }
    if report.burst.is_none() {
        report.burst.clone_from(&entry.burst);
    }
    let Some(set) = options.burst else {
        return false;
    };
    if set.contains(entry.burst.as_ref().and_then(|b| b.mode)) {
        return false;
    }
    let label = entry.burst.as_ref().map_or_else(
        || "no bursting label".to_owned(),
        |b| format!("the bursting label {:?}", b.value),
    );
    let modes: Vec<&str> = set.modes().map(BurstMode::as_str).collect();
    report.warnings.push(Warning {
        code: Code::NotBursting,
        message: format!(
            "not bursting: the pod spec has {label}, and only {} are rewritten; left as it is",
            modes.join(", ")
        ),
        pointer: entry.pointer.clone(),
    });
    entry.not_bursting = true;
    true
}

/// The names of a pod spec's `imagePullSecrets` (entries without a string `name` are skipped:
/// the API server rejects them, and this is not the place to validate them).
pub(crate) fn pull_secret_names<'a, N: Node<'a>>(spec: N) -> Vec<String> {
    let Lookup::Found(list) = spec.get("imagePullSecrets") else {
        return Vec::new();
    };
    list.items()
        .filter_map(|item| match item.get("name") {
            Lookup::Found(name) => name.as_str().map(str::to_owned),
            _ => None,
        })
        .collect()
}

/// An image's normalized reference, to read the registry it is pulled from (its domain).
fn normalized(image: &str) -> Option<Normalized<'_>> {
    crate::Reference::parse_normalized(image).ok()
}

/// The name of a pod spec's service account: `serviceAccountName`, the deprecated
/// `serviceAccount`, or `default`, as the API server reads it.
fn service_account_name<'a, N: Node<'a>>(spec: N) -> &'a str {
    ["serviceAccountName", "serviceAccount"]
        .into_iter()
        .find_map(|key| match spec.get(key) {
            Lookup::Found(v) => v.as_str().filter(|name| !name.is_empty()),
            _ => None,
        })
        .unwrap_or("default")
}

/// Appends `text` as `{text:?}` writes it (quoted, escaped as Rust escapes it), without the
/// formatting machinery when it has nothing to escape: printable ASCII but `"` and `\\`.
fn push_debug_str(out: &mut String, text: &str) {
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{text:?}");
    }
}

/// What one pod spec pulls with.
struct Pulls<'r> {
    /// The pod spec's pointer.
    spec: &'r str,
    /// Its own `imagePullSecrets`.
    names: &'r [String],
    /// Its service account's name.
    account: &'r str,
    /// The object's namespace.
    namespace: Option<&'r str>,
    /// The secrets and service accounts given, if any.
    known: Option<&'r PullSecrets>,
}

impl Pulls<'_> {
    /// The pull warnings of the pod spec, one per new registry: images that move to another
    /// registry with no `imagePullSecrets`, or with secrets none of which (when they are known)
    /// covers it. A pod spec with no secrets of its own pulls with its service account's (the
    /// API server's `ServiceAccount` admission plugin copies them), when that account is given.
    fn check(&self, rows: &[ContainerReport], warnings: &mut Vec<Warning>) {
        let namespace = self.namespace;
        let account = match self.known {
            Some(known) if self.names.is_empty() => known.service_account(self.account, namespace),
            _ => None,
        };
        let names = account.map_or(self.names, |a| a.image_pull_secrets.as_slice());
        let known = self.known;
        // (new registry, the containers that move there, listed with `, `)
        let mut moves: Vec<(String, String)> = Vec::new();
        for row in rows.iter().filter(|r| r.changed()) {
            let (Some(before), Some(after)) = (row.before.as_deref(), row.after.as_deref()) else {
                continue;
            };
            let after_reference = normalized(after);
            let to = after_reference.as_ref().and_then(Normalized::domain);
            if normalized(before).as_ref().and_then(Normalized::domain) == to {
                continue;
            }
            let covered = known.is_some_and(|known| {
                names
                    .iter()
                    .any(|n| known.get(n, namespace).is_some_and(|s| s.covers(after)))
            });
            if !names.is_empty() && (known.is_none() || covered) {
                continue;
            }
            let to = to.unwrap_or_default();
            let at = moves.iter().position(|(r, _)| r == to).unwrap_or_else(|| {
                moves.push((to.to_owned(), String::new()));
                moves.len() - 1
            });
            let who = &mut moves[at].1;
            let name = row.name.as_deref().unwrap_or_default();
            who.reserve(", [] \"\"".len() + row.list.as_str().len() + 20 + name.len());
            if !who.is_empty() {
                who.push_str(", ");
            }
            who.push_str(row.list.as_str());
            who.push('[');
            // Writing to a `String` cannot fail.
            let _ = write!(who, "{}]", row.index);
            if let Some(name) = &row.name {
                who.push(' ');
                push_debug_str(who, name);
            }
        }
        for (to, who) in moves {
            let (code, why): (Code, Cow<'_, str>) = match account {
                _ if !names.is_empty() => {
                    let unknown: Vec<&str> = names
                        .iter()
                        .filter(|n| known.is_some_and(|k| k.get(n, namespace).is_none()))
                        .map(String::as_str)
                        .collect();
                    let not_given = if unknown.is_empty() {
                        String::new()
                    } else {
                        format!(" (not given: {})", unknown.join(", "))
                    };
                    let whose = match account {
                        Some(a) => format!("its service account {:?}'s pull secrets", a.name),
                        None => "its pull secrets".to_owned(),
                    };
                    (
                        Code::PullSecretUncovered,
                        format!(
                            "none of {whose} ({}) covers {to}{not_given}",
                            names.join(", ")
                        )
                        .into(),
                    )
                }
                Some(a) => (
                    Code::AnonymousPull,
                    format!(
                        "neither the pod spec nor its service account {:?} has imagePullSecrets: \
                         the pull will be anonymous",
                        a.name
                    )
                    .into(),
                ),
                None => (
                    Code::AnonymousPull,
                    "the pod spec has no imagePullSecrets: the pull will be anonymous".into(),
                ),
            };
            warnings.push(Warning {
                code,
                // `format!` without its formatting machinery (this runs for most reviews).
                message: ["images move to ", &to, " (", &who, "), but ", &why].concat(),
                pointer: self.spec.to_owned(),
            });
        }
    }
}
