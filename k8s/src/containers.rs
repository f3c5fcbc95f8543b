//! Rewriting the containers of a pod spec (`containers`, `initContainers`,
//! `ephemeralContainers`) into report rows ([`ContainerReport`]) and patch operations.

use super::node::{Lookup, Node, ValueType};
use super::{ContainerError, ContainerList, ContainerReport, PatchOp, Report, WorkloadError};
use imgrepl::__private::{pointer_at, push_index, push_token};
use imgrepl::Policy;

/// Adds the rows and patch operations of one pod spec.
pub(super) fn rewrite_spec<'a, N: Node<'a>>(
    policy: &Policy,
    spec: N,
    spec_pointer: &str,
    report: &mut Report,
) -> Result<(), WorkloadError> {
    for list in ContainerList::ALL {
        let list_pointer = || pointer_at(spec_pointer, &[list.as_str()]);
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
            let name_pointer = pointer_at(&pointer, &["name"]);
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
