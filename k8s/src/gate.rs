//! The gate before a pod spec is rewritten: the opt-out label or annotation [`EXCLUDE_KEY`],
//! and the bursting label against [`Options::burst`](super::Options::burst).

use super::burst::BurstMode;
use super::node::{Lookup, Node};
use super::{Options, PodSpecReport, Report, Warning};
use imgrepl::__private::pointer_at;
use imgrepl::Code;

/// The label and annotation by which an object or a pod template opts out of rewriting.
pub const EXCLUDE_KEY: &str = "imgrepl.io/exclude";

/// The [`Code::Excluded`] warning of a pod spec whose pod template (or, failing that, the
/// object itself) has the label or annotation [`EXCLUDE_KEY`] set to `"true"`.
pub(super) fn exclusion<'a, N: Node<'a>>(root: N, template: Option<(N, &str)>) -> Option<Warning> {
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
pub(super) fn burst_gate(
    entry: &mut PodSpecReport,
    options: &Options<'_>,
    report: &mut Report,
) -> bool {
    if let Some(label) = entry.burst.as_ref().filter(|l| l.mode.is_none()) {
        let message = match label.read_as {
            Some(type_name) if type_name != label.value => format!(
                "the label {:?} is {} unquoted, which YAML reads as {type_name}, not as the text {:?}: quote it ({:?})",
                label.key, label.value, label.value, label.value
            ),
            Some(type_name) => format!(
                "the label {:?} is {type_name}, not one of the texts \"auto\", \"enforce\" and \"off\"",
                label.key
            ),
            None => format!(
                "the label {:?} is {:?}, which is none of \"auto\", \"enforce\" and \"off\"",
                label.key, label.value
            ),
        };
        report.warnings.push(Warning {
            code: Code::InvalidBurstLabel,
            message,
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
        |b| match b.read_as {
            Some(_) => format!("the bursting label {}", b.shown()),
            None => format!("the bursting label {:?}", b.value),
        },
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
