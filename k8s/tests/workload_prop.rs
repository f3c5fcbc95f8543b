//! Property tests of `imgrepl-k8s` over random objects and policies:
//! - every patch applies (with the `json-patch` crate) and gives the object rewritten per the
//!   report;
//! - applying the patch and rewriting again gives an empty patch, when the policy has no
//!   `chained-rule` warning (no rule's `replaceWith` is matched by another rule's prefix); with
//!   one, the second pass may rewrite again (see `chained_rules_rewrite_again_on_a_second_pass`
//!   in `workload_table.rs`), and its patch still applies;
//! - any JSON at all, in any place of a workload, gives a report or a typed error, never a panic.

use imgrepl::{Code, Policy, Rule};
use imgrepl_k8s::ANNOTATION_KEY;
use imgrepl_k8s::{Options, Report};
use proptest::prelude::*;
use serde_json::{Value, json};

const KINDS: &[(&str, &str, &[&str])] = &[
    ("v1", "Pod", &[]),
    ("v1", "PodTemplate", &["template"]),
    ("apps/v1", "Deployment", &["spec", "template"]),
    ("apps/v1", "ReplicaSet", &["spec", "template"]),
    ("v1", "ReplicationController", &["spec", "template"]),
    ("apps/v1", "StatefulSet", &["spec", "template"]),
    ("apps/v1", "DaemonSet", &["spec", "template"]),
    ("batch/v1", "Job", &["spec", "template"]),
    (
        "batch/v1",
        "CronJob",
        &["spec", "jobTemplate", "spec", "template"],
    ),
];

const LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

fn component() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a.io",
        "b.io",
        "harbor.domain",
        "m.io",
        "x",
        "y",
        "team",
        "app",
    ])
}

fn path(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(component(), min..=max).prop_map(|c| c.join("/"))
}

/// Mostly valid images on the same components as the rules, so that rules match often.
fn image() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (path(1, 4), prop::option::of(prop::sample::select(vec![":1", ":latest", "@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"])))
            .prop_map(|(p, t)| format!("{p}{}", t.unwrap_or_default())),
        1 => prop::sample::select(vec!["Bad/Image", "x//y", "", "a.io/", ":1"]).prop_map(str::to_owned),
    ]
}

/// A valid policy of up to five rules on the components above.
fn policy() -> impl Strategy<Value = Policy> {
    prop::collection::vec((path(0, 3), path(1, 3)), 1..=5)
        .prop_filter_map("a valid policy", |rules| {
            Policy::from_rules(rules.into_iter().map(|(p, r)| Rule::new(p, r))).ok()
        })
}

fn container_name() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => "[a-z~/]{1,6}".prop_map(Value::from),
        1 => Just(Value::Null),
    ]
}

/// A workload of a random kind with random container lists.
fn object() -> impl Strategy<Value = (usize, Value)> {
    let lists = prop::collection::vec(
        prop::option::of(prop::collection::vec((container_name(), image()), 1..5)),
        3,
    );
    (0..KINDS.len(), lists).prop_map(|(k, lists)| {
        let (api_version, kind, _) = KINDS[k];
        let mut spec = serde_json::Map::new();
        for (name, list) in LISTS.iter().zip(lists) {
            if let Some(list) = list {
                let items: Vec<Value> = list
                    .into_iter()
                    .map(|(n, i)| json!({"name": n, "image": i}))
                    .collect();
                spec.insert((*name).to_owned(), Value::Array(items));
            }
        }
        (
            k,
            json!({"apiVersion": api_version, "kind": kind, "spec-placeholder": spec}),
        )
    })
}

/// Moves the placeholder spec to the kind's pod spec, and puts `annotation` on the template.
fn place(k: usize, mut object: Value, annotation: Option<&str>) -> Value {
    let spec = object
        .as_object_mut()
        .unwrap()
        .remove("spec-placeholder")
        .unwrap();
    let mut template = json!({"spec": spec});
    if let Some(text) = annotation {
        template["metadata"] = json!({"annotations": {ANNOTATION_KEY: text}});
    }
    let path = KINDS[k].2;
    let mut nested = template;
    for step in path.iter().rev() {
        nested = json!({ *step: nested });
    }
    let root = object.as_object_mut().unwrap();
    for (key, value) in nested.as_object().unwrap() {
        root.insert(key.clone(), value.clone());
    }
    object
}

/// The object as it should be after the rewrite, and the number of containers, computed from
/// the object and `policy` alone (never from the report): every entry of every container list
/// whose `image` is a string gets `policy.rewrite(image)`, or stays as it is on error.
fn independently(k: usize, object: &Value, policy: &Policy) -> (Value, usize) {
    let mut expected = object.clone();
    let mut at = Some(&mut expected);
    for step in KINDS[k].2.iter().chain(&["spec"]) {
        at = at.and_then(|v| v.get_mut(*step));
    }
    let mut count = 0;
    if let Some(spec) = at {
        for list in LISTS {
            if let Some(items) = spec.get_mut(list).and_then(Value::as_array_mut) {
                for item in items {
                    count += 1;
                    if let Some(Value::String(image)) = item.get_mut("image")
                        && let Ok(r) = policy.rewrite(image)
                    {
                        *image = r.image.into_owned();
                    }
                }
            }
        }
    }
    (expected, count)
}

/// Applies the patch with `json-patch` and checks the result, the number of rows and each row
/// against [`independently`]; returns the patched object.
fn apply(
    k: usize,
    object: &Value,
    report: &Report,
    policy: &Policy,
) -> Result<Value, TestCaseError> {
    let ops: json_patch::Patch =
        serde_json::from_value(serde_json::to_value(&report.patch).unwrap()).unwrap();
    let mut patched = object.clone();
    json_patch::patch(&mut patched, &ops).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let (expected, count) = independently(k, object, policy);
    prop_assert_eq!(&patched, &expected);
    prop_assert_eq!(report.containers.len(), count, "one row per container");
    for row in &report.containers {
        let Some(before) = row.before.as_deref() else {
            prop_assert!(row.after.is_none() && row.rule.is_none());
            continue;
        };
        match policy.rewrite(before) {
            Ok(r) => {
                prop_assert_eq!(row.after.as_deref(), Some(&*r.image));
                prop_assert_eq!(
                    row.rule.as_ref().map(|a| a.index),
                    r.rule.map(imgrepl::RuleId::index)
                );
                prop_assert!(row.error.is_none());
            }
            Err(e) => {
                prop_assert_eq!(row.after.as_deref(), Some(before));
                prop_assert_eq!(
                    row.error.as_ref().map(imgrepl_k8s::ContainerError::code),
                    Some(e.code())
                );
            }
        }
    }
    Ok(patched)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn patch_applies_and_a_second_pass_changes_nothing(
        (k, object) in object(),
        policy in policy(),
        in_annotation in any::<bool>(),
    ) {
        let text = policy.to_json();
        let (object, options) = if in_annotation {
            (place(k, object, Some(&text)), Options::default())
        } else {
            (place(k, object, None), Options::default().policy(&policy))
        };
        // The policy the rewrite uses: an annotation's is read in the options' (default) mode.
        let effective = if in_annotation { Policy::from_json(&text).unwrap() } else { policy.clone() };
        let report = imgrepl_k8s::rewrite(&object, &options).unwrap();
        let patched = apply(k, &object, &report, &effective)?;

        let again = imgrepl_k8s::rewrite(&patched, &options).unwrap();
        let chained = Policy::validate(&text)
            .diagnostics
            .iter()
            .any(|d| d.code() == Code::ChainedRule);
        if !chained {
            prop_assert!(again.patch.is_empty(), "second pass: {:?}", again.patch);
        }
        apply(k, &patched, &again, &effective)?;
    }

    #[test]
    fn any_json_anywhere_is_a_report_or_an_error(
        k in 0..KINDS.len(),
        spec in arb_json(),
        lists in prop::collection::vec(arb_json(), 3),
        annotation in prop_oneof![Just(json!(null)), arb_json(), Just(json!(r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#))],
    ) {
        let mut spec = spec;
        if let Some(map) = spec.as_object_mut() {
            for (name, list) in LISTS.iter().zip(lists) {
                map.insert((*name).to_owned(), list);
            }
        }
        let object = place(k, json!({"apiVersion": KINDS[k].0, "kind": KINDS[k].1, "spec-placeholder": spec}), None);
        let mut object = object;
        let mut meta = &mut object;
        for step in KINDS[k].2 {
            meta = &mut meta[*step];
        }
        meta["metadata"] = json!({"annotations": {ANNOTATION_KEY: annotation}});
        if let Ok(report) = imgrepl_k8s::rewrite(&object, &Options::default()) {
            // A report means a workload with a valid annotation, or none (then no rows).
            match annotation.as_str().map(Policy::from_json) {
                Some(Ok(policy)) => {
                    apply(k, &object, &report, &policy)?;
                }
                _ => prop_assert!(report.containers.is_empty() && report.patch.is_empty()),
            }
        }
        let _ = imgrepl_k8s::rewrite_json(&object.to_string(), &Options::default());
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z/:.~]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["name", "image", "containers", "x"]),
                    inner
                ),
                0..4
            )
            .prop_map(|entries| Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect()
            )),
        ]
    })
}
