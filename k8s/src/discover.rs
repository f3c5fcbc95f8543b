//! Finding the pod specs of an object: by the kinds table ([`PodSpecTable`](super::PodSpecTable),
//! following its paths) or, for a kind not in it, by their shape (a mapping with a `containers`
//! list of mappings with `image`). Each pod spec comes with its pod template, whose
//! `metadata` carries the pods' policy and labels.

use super::kind::{Paths, Step, steps};
use super::node::{Lookup, Node, ValueType};
use super::{FoundBy, Options, Report, Warning, WorkloadError, WorkloadKind};
use imgrepl::__private::{push_index, push_token};
use imgrepl::Code;

/// A pod spec found in an object.
pub(super) struct Found<N> {
    /// The pod spec.
    pub(super) spec: N,
    /// Its pointer.
    pub(super) pointer: String,
    /// The pod template (its `metadata.annotations` carry the pods' policy) and its pointer.
    pub(super) template: Option<(N, String)>,
}

/// The pod specs of the object, by the table or by shape; `None` when there are none (the
/// report then says why, when it is a kind of the table).
pub(super) fn find_pod_specs<'a, N: Node<'a>>(
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
