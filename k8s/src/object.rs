//! Rewriting one object ([`rewrite_node`]): its pod specs are found ([`discover`](super::discover)),
//! each goes through the gate ([`gate`](super::gate)), has its policy read
//! ([`source`](super::source)), its containers rewritten ([`containers`](super::containers)) and
//! its pulls checked ([`pulls`](super::pulls)), all into one [`Report`].

use std::sync::Arc;

use super::burst;
use super::cache::Compiled;
use super::containers::rewrite_spec;
use super::discover::{Found, find_pod_specs};
use super::gate::{burst_gate, exclusion};
use super::node::{Lookup, Node, ValueType};
use super::pulls::{Pulls, service_account_name};
use super::secrets::pull_secret_names;
use super::source::{compile, find_annotation};
use super::{Options, PodSpecReport, PolicySource, Report, Warning, WorkloadError};
use imgrepl::__private::pointer_at;
use imgrepl::Policy;

/// Rewrites one object given as any [`Node`]; [`rewrite`](super::rewrite) for a
/// `serde_json::Value`.
///
/// # Errors
///
/// As [`rewrite`](super::rewrite).
///
/// ```
/// use imgrepl_k8s::{FoundBy, Options};
///
/// let widget = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement": r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
///   "spec": {"runner": {"spec": {"containers": [{"image": "nginx"}]}}}});
/// let report = imgrepl_k8s::rewrite_node(&widget, &Options::default())?;
/// assert_eq!(report.kind.as_ref().map(|k| k.found_by()), Some(FoundBy::Shape));
/// assert_eq!(report.patch.ops()[0].path, "/spec/runner/spec/containers/0/image");
/// # Ok::<(), imgrepl_k8s::WorkloadError>(())
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
        Lookup::Duplicate => Err(WorkloadError::duplicate_key(pointer_at("", &[key]))),
    }
}
