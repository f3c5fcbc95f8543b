//! Reading the policy of a pod spec: the annotation that holds it (the pod template's, a Pod's
//! own, or the workload's own as a fallback, with its warning), and its compiled form, through
//! the options' cache when there is one.

use std::sync::Arc;

use super::cache::Compiled;
use super::node::{Lookup, Node, ValueType};
use super::{Options, PolicyOrigin, PolicySource, Warning, WorkloadError};
use imgrepl::__private::pointer_at;
use imgrepl::Code;

/// The compiled policy of an annotation's `text`: compiled before for this object (when there
/// is a `compiled` list, which keeps it), or from the options' cache, or compiled now.
pub(super) fn compile<'t>(
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

/// The annotation that holds the policy of a pod spec, and its text; warnings for the
/// object-level fallback.
pub(super) fn find_annotation<'a, N: Node<'a>>(
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
