//! `workload`: arbitrary objects → rewriting a workload never panics, and its patch is right.
//!
//! - any text: `imgrepl_k8s::rewrite_json` returns a report or a typed error;
//! - any text, and a workload-shaped object written as YAML (images in every scalar style,
//!   comments, anchors, CRLF, a byte order mark), edited by `imgrepl-manifest`: the output is
//!   the input with only the edits' spans replaced (byte preservation), and reading the output
//!   again finds at each changed pointer the new image (the new scalar is written correctly);
//!   a second edit of the output changes nothing unless the policy chains rules;
//! - a workload-shaped object (any kind of the nine, or another, a policy annotation from a
//!   vocabulary or arbitrary text, containers whose images and names are arbitrary): the report's
//!   patch, applied by an independent RFC 6902 implementation (the `json-patch` crate), puts each
//!   row's `after` at its pointer and changes nothing else; and a second pass over the patched
//!   object gives an empty patch when the policy warns of no chained rule.
#![no_main]

use arbitrary::Arbitrary;
use imgrepl::Code;
use imgrepl_k8s::Options;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::fmt::Write as _;

#[derive(Debug, Arbitrary)]
enum Input {
    Text(String),
    Object(Shape),
    Manifest(String),
    Yaml(Shape, Layout),
}

/// How a workload is written as YAML.
#[derive(Debug, Arbitrary)]
struct Layout {
    styles: Vec<u8>,
    crlf: bool,
    bom: bool,
    final_newline: bool,
    comments: bool,
    anchor: bool,
}

#[derive(Debug, Arbitrary)]
struct Shape {
    kind: u8,
    policy: Policy,
    on_template: bool,
    containers: Vec<(Option<String>, Image)>,
    init: Vec<(Option<String>, Image)>,
}

#[derive(Debug, Arbitrary)]
enum Policy {
    Known(u8),
    Text(String),
    None,
}

#[derive(Debug, Arbitrary)]
enum Image {
    Known(u8),
    Text(String),
    Number(i64),
}

const POLICIES: [&str; 4] = [
    r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"}, {"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#,
    r#"[{"repositoryPrefix": "a.io", "replaceWith": "b.io"}, {"repositoryPrefix": "b.io", "replaceWith": "c.io"}]"#,
    r#"[{"repositoryPrefix": "harbor.domain/a", "replaceWith": "harbor.domain/a/b"}]"#,
    r#"[{"repositoryPrefix": "x", "replacewith": "y"}]"#,
];
const IMAGES: [&str; 8] = [
    "nginx:1",
    "harbor.domain/a/app",
    "harbor.domain/a/b/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "a.io/x",
    "b.io/y:2",
    "Bad",
    "",
    "quay.io/p/q",
];
const KINDS: [(&str, &str); 10] = [
    ("v1", "Pod"),
    ("v1", "PodTemplate"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "ReplicaSet"),
    ("v1", "ReplicationController"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("v1", "ConfigMap"),
];

fn containers(list: &[(Option<String>, Image)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(name, image)| {
                let image = match image {
                    Image::Known(i) => json!(IMAGES[usize::from(*i) % IMAGES.len()]),
                    Image::Text(s) => json!(s),
                    Image::Number(n) => json!(n),
                };
                json!({"name": name, "image": image})
            })
            .collect(),
    )
}

fn object(shape: &Shape) -> Value {
    let (api, kind) = KINDS[usize::from(shape.kind) % KINDS.len()];
    let annotations = match &shape.policy {
        Policy::Known(i) => {
            json!({imgrepl_k8s::ANNOTATION_KEY: POLICIES[usize::from(*i) % POLICIES.len()]})
        }
        Policy::Text(s) => json!({imgrepl_k8s::ANNOTATION_KEY: s}),
        Policy::None => json!({}),
    };
    let spec = json!({"containers": containers(&shape.containers), "initContainers": containers(&shape.init)});
    let (own, template) = if shape.on_template {
        (json!({}), annotations)
    } else {
        (annotations, json!({}))
    };
    let template = json!({"metadata": {"annotations": template}, "spec": spec});
    let body = match kind {
        // A Pod carries its policy in its own annotations.
        "Pod" => {
            let annotations = if shape.on_template {
                template["metadata"]["annotations"].clone()
            } else {
                own.clone()
            };
            return json!({"apiVersion": api, "kind": kind, "metadata": {"name": "p", "annotations": annotations}, "spec": template["spec"]});
        }
        "PodTemplate" => json!({"template": template}),
        "CronJob" => json!({"spec": {"jobTemplate": {"spec": {"template": template}}}}),
        _ => json!({"spec": {"template": template}}),
    };
    let mut object =
        json!({"apiVersion": api, "kind": kind, "metadata": {"name": "w", "annotations": own}});
    if let (Some(o), Some(b)) = (object.as_object_mut(), body.as_object()) {
        for (k, v) in b {
            o.insert(k.clone(), v.clone());
        }
    }
    object
}

/// Where the pod spec of the kinds this target builds is, as the Kubernetes API defines it
/// (written here, not taken from the library, so that the check is independent of it).
fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("/spec"),
        "PodTemplate" => Some("/template/spec"),
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => Some("/spec/template/spec"),
        _ => None,
    }
}

fn check(object: &Value) {
    let Ok(report) = imgrepl_k8s::rewrite(object, &Options::default()) else {
        return;
    };
    // The patch, applied independently.
    let ops = serde_json::to_value(&report.patch).expect("a patch serializes");
    let patch: json_patch::Patch = serde_json::from_value(ops).expect("a valid RFC 6902 patch");
    let mut patched = object.clone();
    json_patch::patch(&mut patched, &patch).expect("the patch applies");
    // What the object should become, from the object and its policy alone (not from the report's
    // rows): each string image of each container list rewritten by `Policy::rewrite`.
    let policy = report
        .policy
        .as_ref()
        .and_then(|p| p.annotation.as_deref())
        .map(|text| imgrepl::Policy::from_json(text).expect("a reported policy is valid"));
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut expected = object.clone();
    match (
        policy,
        pod_spec_pointer(kind).filter(|_| report.is_workload()),
    ) {
        (Some(policy), Some(at)) => {
            let mut count = 0;
            if let Some(spec) = expected.pointer_mut(at) {
                for list in ["containers", "initContainers", "ephemeralContainers"] {
                    for item in spec
                        .get_mut(list)
                        .and_then(Value::as_array_mut)
                        .into_iter()
                        .flatten()
                    {
                        count += 1;
                        if let Some(Value::String(image)) = item.get_mut("image")
                            && let Ok(r) = policy.rewrite(image)
                        {
                            *image = r.image.into_owned();
                        }
                    }
                }
            }
            assert_eq!(report.containers.len(), count, "one row per container");
        }
        // No policy: nothing to rewrite, no rows.
        (None, _) => assert!(report.containers.is_empty() && report.patch.is_empty()),
        // A kind this target does not build (from arbitrary text): the rows say.
        (Some(_), None) => {
            for row in report.containers.iter().filter(|r| r.changed()) {
                let after = row.after.clone().expect("a changed row has an image after");
                *expected
                    .pointer_mut(&row.pointer)
                    .expect("the row's pointer exists") = json!(after);
            }
        }
    }
    assert_eq!(patched, expected);
    // The library's own apply agrees.
    let mut own = object.clone();
    report.apply(&mut own).expect("the report applies");
    assert_eq!(own, patched);
    // Applied once, never chained: a second pass is empty unless rules chain.
    let chained = report
        .policy
        .as_ref()
        .is_some_and(|p| p.diagnostics.iter().any(|d| d.code() == Code::ChainedRule));
    if !chained {
        let again =
            imgrepl_k8s::rewrite(&patched, &Options::default()).expect("the patched object rewrites");
        assert!(again.patch.is_empty(), "second pass: {:?}", again.patch);
    }
}

/// The shape as YAML text, each image in the style the layout says.
fn yaml(shape: &Shape, layout: &Layout) -> String {
    let object = object(shape);
    let eol = if layout.crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    if layout.bom {
        text.push('\u{feff}');
    }
    let mut style = layout.styles.iter().copied().cycle();
    let comment = if layout.comments { "  # c" } else { "" };
    let _ = write!(
        text,
        "# generated{eol}apiVersion: {}{eol}kind: {}{eol}",
        object["apiVersion"], object["kind"]
    );
    let _ = write!(text, "metadata: {}{comment}{eol}", object["metadata"]);
    let _ = write!(
        text,
        "x: {}0400{eol}",
        if layout.anchor { "&n " } else { "" }
    );
    if layout.anchor {
        let _ = write!(text, "y: *n{eol}");
    }
    // The rest of the object in block style, with containers' images written by hand.
    fn walk(
        v: &Value,
        indent: usize,
        text: &mut String,
        eol: &str,
        style: &mut dyn Iterator<Item = u8>,
        comment: &str,
    ) {
        let pad = " ".repeat(indent);
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "image" {
                        let image = match v {
                            Value::String(s) => match style.next().unwrap_or(0) % 4 {
                                0 => s.clone(),
                                1 => format!("'{}'", s.replace('\'', "''")),
                                2 => serde_json::to_string(s).unwrap_or_default(),
                                _ => format!(
                                    "!!str {}",
                                    serde_json::to_string(s).unwrap_or_default()
                                ),
                            },
                            other => other.to_string(),
                        };
                        let _ = write!(text, "{pad}image: {image}{comment}{eol}");
                    } else if v.is_object()
                        || (v.is_array() && v.as_array().is_some_and(|a| !a.is_empty()))
                    {
                        let _ = write!(
                            text,
                            "{pad}{}:{eol}",
                            serde_json::to_string(k).unwrap_or_default()
                        );
                        walk(v, indent + 2, text, eol, style, comment);
                    } else {
                        let _ = write!(
                            text,
                            "{pad}{}: {v}{eol}",
                            serde_json::to_string(k).unwrap_or_default()
                        );
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    let _ = write!(text, "{pad}-{eol}");
                    walk(item, indent + 2, text, eol, style, comment);
                }
            }
            other => {
                let _ = write!(text, "{pad}{other}{eol}");
            }
        }
    }
    let mut rest = object.clone();
    if let Some(o) = rest.as_object_mut() {
        o.remove("apiVersion");
        o.remove("kind");
        o.remove("metadata");
    }
    walk(&rest, 0, &mut text, eol, &mut style, comment);
    if !layout.final_newline {
        let trimmed = text.trim_end_matches(['\r', '\n']).len();
        text.truncate(trimmed);
    }
    text
}

/// Byte preservation, and the new scalars read back as the new images.
fn check_manifest(text: &str) {
    let Ok(edited) = imgrepl_manifest::edit(text.as_bytes(), &Options::default()) else {
        return;
    };
    let mut rebuilt = String::new();
    let mut at = 0;
    for edit in edited.documents.iter().flat_map(|d| &d.edits) {
        assert!(edit.span.start >= at);
        assert_eq!(&text[edit.span.clone()], edit.before);
        rebuilt.push_str(&text[at..edit.span.start]);
        rebuilt.push_str(&edit.after);
        at = edit.span.end;
    }
    rebuilt.push_str(&text[at..]);
    assert_eq!(rebuilt, edited.output);
    if edited.documents.iter().all(|d| d.edits.is_empty()) {
        return;
    }
    // Read again: every changed pointer now holds the new image, as a string.
    let again = imgrepl_manifest::edit(edited.output.as_bytes(), &Options::default())
        .expect("the output reads");
    assert_eq!(again.documents.len(), edited.documents.len());
    for (first, second) in edited.documents.iter().zip(&again.documents) {
        assert!(second.error.is_none(), "{:?}", second.error);
        let befores: Vec<(String, Option<String>)> = second
            .objects
            .iter()
            .filter_map(|o| o.outcome.as_ref().ok().map(|r| (o, r)))
            .flat_map(|(o, r)| {
                r.containers
                    .iter()
                    .map(move |c| (format!("{}{}", o.pointer, c.pointer), c.before.clone()))
            })
            .collect();
        for op in first.patch() {
            let found = befores
                .iter()
                .find(|(p, _)| *p == op.path)
                .map(|(_, b)| b.clone());
            assert_eq!(found, Some(Some(op.value.clone())), "{}", op.path);
        }
        let chained = first
            .objects
            .iter()
            .filter_map(|o| o.outcome.as_ref().ok())
            .any(|r| {
                r.pod_specs
                    .iter()
                    .filter_map(|p| p.policy.as_ref())
                    .any(|p| p.diagnostics.iter().any(|d| d.code() == Code::ChainedRule))
            });
        if !chained {
            assert!(second.edits.is_empty(), "second pass: {:?}", second.edits);
        }
    }
}

fuzz_target!(|input: Input| match input {
    Input::Text(text) => {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            check(&value);
        }
        let _ = imgrepl_k8s::rewrite_json(&text, &Options::default());
    }
    Input::Object(shape) => check(&object(&shape)),
    Input::Manifest(text) => check_manifest(&text),
    Input::Yaml(shape, layout) => check_manifest(&yaml(&shape, &layout)),
});
