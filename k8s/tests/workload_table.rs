//! Table tests of `imgrepl-k8s`: every kind, every container list, where the policy comes
//! from, malformed objects, and every emitted patch applied with an independent RFC 6902
//! implementation (the `json-patch` crate).

use imgrepl::{Code, Policy};
use imgrepl_k8s::ANNOTATION_KEY;
use imgrepl_k8s::{
    ContainerErrorKind, ContainerList, FoundBy, MAX_OBJECT_BYTES, Options, PodSpecTable,
    PolicyOrigin, Report, WorkloadErrorKind, WorkloadKind,
};
use serde_json::{Value, json};
use std::fmt::Write as _;

const HUB: &str = r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"},
                      {"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"}]"#;

/// Where each kind keeps its pod template, written here independently of the library.
fn template_path(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &[],
        "PodTemplate" => &["template"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        _ => &["spec", "template"],
    }
}

/// `(apiVersion, kind)` of every workload kind.
const KINDS: &[(&str, &str)] = &[
    ("v1", "Pod"),
    ("v1", "PodTemplate"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "ReplicaSet"),
    ("v1", "ReplicationController"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("batch/v1beta1", "CronJob"),
];

/// An object of `kind` whose pod template has `pod_metadata` and `spec`.
fn object(
    api_version: &str,
    kind: &str,
    pod_metadata: impl Into<Value>,
    spec: impl Into<Value>,
) -> Value {
    let (pod_metadata, spec) = (pod_metadata.into(), spec.into());
    let mut template = json!({"metadata": pod_metadata, "spec": spec});
    for step in template_path(kind).iter().rev() {
        template = json!({ *step: template });
    }
    let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
    let root = object.as_object_mut().unwrap();
    for (k, v) in template.as_object().unwrap() {
        if k == "metadata" {
            // A Pod's template is the Pod itself: its metadata is the object's.
            root["metadata"]
                .as_object_mut()
                .unwrap()
                .extend(v.as_object().unwrap().clone());
        } else {
            root.insert(k.clone(), v.clone());
        }
    }
    object
}

fn annotated(policy: &str) -> Value {
    json!({"annotations": {ANNOTATION_KEY: policy}})
}

/// The pod spec of `object`, found by the test's own paths.
fn pod_spec_mut<'a>(object: &'a mut Value, kind: &str) -> &'a mut Value {
    let mut at = object;
    for step in template_path(kind) {
        at = &mut at[*step];
    }
    &mut at["spec"]
}

/// Applies the report's patch with the `json-patch` crate, and compares the result with the
/// object rewritten row by row from the report (by list and index, not by pointer).
#[track_caller]
fn check_patch(object: &Value, report: &Report) -> Value {
    let ops: json_patch::Patch =
        serde_json::from_value(serde_json::to_value(&report.patch).unwrap())
            .expect("the patch is RFC 6902");
    let mut patched = object.clone();
    json_patch::patch(&mut patched, &ops).expect("the patch applies");

    let mut expected = object.clone();
    let kind = object["kind"].as_str().unwrap_or_default();
    let builtin = KINDS
        .iter()
        .any(|(v, k)| Some(*v) == object["apiVersion"].as_str() && *k == kind);
    for row in &report.containers {
        if row.changed() {
            let after = json!(row.after.clone().unwrap());
            if builtin {
                let spec = pod_spec_mut(&mut expected, kind);
                spec[row.list.as_str()][row.index]["image"] = after;
            } else {
                *expected.pointer_mut(&row.pointer).unwrap() = after;
            }
        }
    }
    assert_eq!(patched, expected);
    assert_eq!(
        report.patch.len(),
        report.containers.iter().filter(|r| r.changed()).count()
    );

    // The library's own applier agrees.
    let mut own = object.clone();
    report.apply(&mut own).unwrap();
    assert_eq!(own, patched);
    patched
}

#[track_caller]
fn rewrite(object: &Value, options: &Options<'_>) -> Report {
    let report = imgrepl_k8s::rewrite(object, options).expect("rewritten");
    check_patch(object, &report);
    // The JSON text path gives the same report.
    assert_eq!(
        imgrepl_k8s::rewrite_json(&object.to_string(), options).unwrap(),
        report
    );
    report
}

#[test]
fn every_kind_every_list() {
    for (api_version, kind) in KINDS {
        let spec = json!({
            "initContainers": [{"name": "init", "image": "busybox:1"}],
            "containers": [{"name": "app", "image": "harbor.domain/team/app:2"},
                           {"name": "side", "image": "quay.io/x/y"}],
            "ephemeralContainers": [{"name": "debug", "image": "nicolaka/netshoot"}],
        });
        let obj = object(api_version, kind, annotated(HUB), spec);
        let report = rewrite(&obj, &Options::default().check_pulls(false));
        assert_eq!(report.kind.as_ref().map(WorkloadKind::as_str), Some(*kind));
        let source = report.policy.as_ref().unwrap();
        let origin = if *kind == "Pod" {
            PolicyOrigin::Pod
        } else {
            PolicyOrigin::PodTemplate
        };
        assert_eq!(source.origin, origin, "{kind}");
        assert!(report.warnings.is_empty(), "{kind}: {:?}", report.warnings);

        let rows: Vec<_> = report
            .containers
            .iter()
            .map(|r| {
                (
                    r.list,
                    r.index,
                    r.name.as_deref().unwrap(),
                    r.after.as_deref().unwrap(),
                    r.rule.as_ref().map(|r| r.index),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    ContainerList::Containers,
                    0,
                    "app",
                    "m.io/org1/team/app:2",
                    Some(1)
                ),
                (ContainerList::Containers, 1, "side", "quay.io/x/y", None),
                (
                    ContainerList::InitContainers,
                    0,
                    "init",
                    "m.io/hub/busybox:1",
                    Some(0)
                ),
                (
                    ContainerList::EphemeralContainers,
                    0,
                    "debug",
                    "nicolaka/netshoot",
                    None
                ),
            ],
            "{kind}"
        );
        let base = template_path(kind)
            .iter()
            .fold(String::new(), |mut base, s| {
                base.push('/');
                base.push_str(s);
                base
            });
        let paths: Vec<_> = report.patch.iter().map(|op| op.path.clone()).collect();
        assert_eq!(
            paths,
            [
                format!("{base}/spec/containers/0/image"),
                format!("{base}/spec/initContainers/0/image"),
            ],
            "{kind}"
        );
    }
}

#[test]
fn nested_cronjob_paths() {
    let obj = object(
        "batch/v1",
        "CronJob",
        annotated(HUB),
        json!({"containers": [{"name": "c", "image": "alpine"}]}),
    );
    let report = rewrite(&obj, &Options::default());
    assert_eq!(
        report.policy.unwrap().pointer.as_deref(),
        Some(
            "/spec/jobTemplate/spec/template/metadata/annotations/coordinator.cci.io~1image-replacement"
        )
    );
    assert_eq!(
        report.patch.to_json(),
        r#"[{"op":"replace","path":"/spec/jobTemplate/spec/template/spec/containers/0/image","value":"m.io/hub/alpine"}]"#
    );
}

#[test]
fn not_a_workload_is_an_empty_report() {
    let policy = Policy::from_json(HUB).unwrap();
    // Without shape-finding, only the table's kinds are workloads.
    let options = Options::default().policy(&policy).find_by_shape(false);
    for obj in [
        json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"image": "nginx"}}),
        json!({"apiVersion": "example.com/v1", "kind": "Deployment",
               "spec": {"template": {"spec": {"containers": [{"image": "nginx"}]}}}}),
        json!({"apiVersion": "apps/v1", "kind": "Pod", "spec": {"containers": [{"image": "nginx"}]}}),
        json!({"kind": "Pod", "spec": {"containers": [{"image": "nginx"}]}}),
        json!({"apiVersion": "v1", "spec": {"containers": [{"image": "nginx"}]}}),
        json!({"apiVersion": 1, "kind": ["Pod"]}),
        json!({}),
    ] {
        let report = rewrite(&obj, &options);
        assert_eq!(report, Report::default(), "{obj}");
        assert!(!report.is_workload());
        // With it (the default), the pod spec is found wherever its shape is.
        let shaped = rewrite(&obj, &Options::default().policy(&policy));
        let found = obj
            .pointer("/spec/template/spec/containers")
            .or(obj.pointer("/spec/containers"));
        assert_eq!(shaped.is_workload(), found.is_some(), "{obj}");
        if shaped.is_workload() {
            assert_eq!(
                shaped.kind.as_ref().map(WorkloadKind::found_by),
                Some(FoundBy::Shape)
            );
            assert_eq!(
                shaped.containers[0].after.as_deref(),
                Some("m.io/hub/nginx")
            );
        }
    }
}

#[test]
fn shape_finding_reads_the_template_annotation_and_stops_at_a_pod_spec() {
    let obj = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"runners": [
            {"template": {"metadata": {"annotations": {ANNOTATION_KEY: HUB}},
                          "spec": {"containers": [{"image": "nginx", "sidecar": {"containers": [{"image": "x"}]}}]}}},
            {"podSpec": {"containers": [{"name": "no-policy", "image": "redis"}]}}]}});
    let report = rewrite(&obj, &Options::default());
    let specs: Vec<_> = report
        .pod_specs
        .iter()
        .map(|p| {
            (
                p.pointer.as_str(),
                p.template.as_deref(),
                p.policy.is_some(),
            )
        })
        .collect();
    assert_eq!(
        specs,
        [
            (
                "/spec/runners/0/template/spec",
                Some("/spec/runners/0/template"),
                true
            ),
            ("/spec/runners/1/podSpec", None, false),
        ]
    );
    assert_eq!(
        report.patch.ops()[0].path,
        "/spec/runners/0/template/spec/containers/0/image"
    );
    assert_eq!(report.containers.len(), 1);
}

#[test]
fn custom_resources_of_the_table() {
    let template = json!({"metadata": {"annotations": {ANNOTATION_KEY: HUB}},
                          "spec": {"containers": [{"name": "c", "image": "harbor.domain/x/y:1"}]}});
    let cases = [
        (
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "spec": {"template": template}}),
            "/spec/template/spec/containers/0/image",
        ),
        (
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate", "spec": {"metrics": [
            {"name": "a"}, {"name": "b", "provider": {"job": {"spec": {"template": template}}}}]}}),
            "/spec/metrics/1/provider/job/spec/template/spec/containers/0/image",
        ),
        (
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment", "spec": {"templates": [{"template": template}]}}),
            "/spec/templates/0/template/spec/containers/0/image",
        ),
        (
            json!({"apiVersion": "serving.knative.dev/v1", "kind": "Service", "spec": {"template": template}}),
            "/spec/template/spec/containers/0/image",
        ),
        (
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob", "spec": {"jobTargetRef": {"template": template}}}),
            "/spec/jobTargetRef/template/spec/containers/0/image",
        ),
        (
            json!({"apiVersion": "apps.kruise.io/v1alpha1", "kind": "AdvancedCronJob", "spec": {"template": {"broadcastJobTemplate": {"spec": {"template": template}}}}}),
            "/spec/template/broadcastJobTemplate/spec/template/spec/containers/0/image",
        ),
        (
            json!({"apiVersion": "core.strimzi.io/v1beta2", "kind": "StrimziPodSet", "spec": {"pods": [template]}}),
            "/spec/pods/0/spec/containers/0/image",
        ),
    ];
    for (obj, path) in cases {
        let report = rewrite(&obj, &Options::default().find_by_shape(false));
        assert_eq!(
            report.kind.as_ref().map(WorkloadKind::found_by),
            Some(FoundBy::Table),
            "{obj}"
        );
        assert_eq!(
            report.policy.as_ref().map(|p| p.origin),
            Some(PolicyOrigin::PodTemplate),
            "{obj}"
        );
        assert_eq!(report.patch.ops()[0].path, path);
        assert_eq!(report.patch.ops()[0].value, "m.io/org1/x/y:1");
    }
}

#[test]
fn users_add_kinds() {
    let mut table = PodSpecTable::new();
    table
        .add_spec("example.com/Runner=spec.jobs[].pod.spec")
        .unwrap();
    let obj = json!({"apiVersion": "example.com/v2", "kind": "Runner", "metadata": {"annotations": {ANNOTATION_KEY: HUB}},
        "spec": {"jobs": [{"pod": {"spec": {"containers": [{"image": "nginx"}]}}}]}});
    let report = rewrite(
        &obj,
        &Options::default().pod_specs(&table).find_by_shape(false),
    );
    assert_eq!(
        report.kind.as_ref().map(WorkloadKind::found_by),
        Some(FoundBy::User)
    );
    assert_eq!(
        report.patch.ops()[0].path,
        "/spec/jobs/0/pod/spec/containers/0/image"
    );
    // Without the entry, and without shapes, it is not a workload.
    assert!(!rewrite(&obj, &Options::default().find_by_shape(false)).is_workload());
}

#[test]
fn no_annotation_is_an_empty_report() {
    for pod_metadata in [
        json!({}),
        json!({"annotations": null}),
        json!({"annotations": {}}),
        json!({"annotations": {"other": "x", ANNOTATION_KEY: null}}),
    ] {
        let obj = object(
            "apps/v1",
            "Deployment",
            pod_metadata,
            json!({"containers": [{"name": "c", "image": "nginx"}]}),
        );
        let report = rewrite(&obj, &Options::default());
        assert_eq!(
            report.kind,
            WorkloadKind::from_type("apps/v1", "Deployment")
        );
        assert!(report.policy.is_none() && report.containers.is_empty() && report.patch.is_empty());
    }
    // No policy: a missing pod spec is not looked for.
    let report = rewrite(
        &json!({"apiVersion": "apps/v1", "kind": "Deployment"}),
        &Options::default(),
    );
    assert!(report.patch.is_empty());
}

#[test]
fn the_callers_policy_wins() {
    let policy =
        Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "caller.io/p"}]"#).unwrap();
    let obj = object(
        "v1",
        "Pod",
        annotated(HUB),
        json!({"containers": [{"name": "c", "image": "nginx"}]}),
    );
    let report = rewrite(&obj, &Options::default().policy(&policy));
    let source = report.policy.as_ref().unwrap();
    assert_eq!(source.origin, PolicyOrigin::Caller);
    assert_eq!(
        (source.pointer.as_deref(), source.annotation.as_deref()),
        (None, None)
    );
    assert_eq!(report.patch.ops()[0].value, "caller.io/p/nginx");

    // Even over an invalid annotation, and on an object without one.
    let bad = object(
        "v1",
        "Pod",
        annotated("not json"),
        json!({"containers": [{"image": "a"}]}),
    );
    assert_eq!(
        rewrite(&bad, &Options::default().policy(&policy))
            .patch
            .len(),
        1
    );
    let bare = object(
        "v1",
        "Pod",
        json!({}),
        json!({"containers": [{"image": "a"}]}),
    );
    assert_eq!(
        rewrite(&bare, &Options::default().policy(&policy))
            .patch
            .len(),
        1
    );
}

#[test]
fn workload_annotation_is_the_fallback_with_a_warning() {
    let mut obj = object(
        "apps/v1",
        "StatefulSet",
        json!({"labels": {"app": "db"}}),
        json!({"containers": [{"name": "db", "image": "postgres:16"}]}),
    );
    obj["metadata"]["annotations"] = json!({ANNOTATION_KEY: HUB});
    let report = rewrite(&obj, &Options::default().check_pulls(false));
    let source = report.policy.as_ref().unwrap();
    assert_eq!(source.origin, PolicyOrigin::Workload);
    assert_eq!(
        source.pointer.as_deref(),
        Some("/metadata/annotations/coordinator.cci.io~1image-replacement")
    );
    assert_eq!(report.warnings.len(), 1);
    let warning = &report.warnings[0];
    assert_eq!(warning.code, Code::WorkloadAnnotation);
    assert_eq!(
        warning.pointer,
        "/metadata/annotations/coordinator.cci.io~1image-replacement"
    );
    assert_eq!(
        warning.message,
        "the policy is read from the StatefulSet's own annotation \"coordinator.cci.io/image-replacement\", but its pods will not carry it, so a webhook on pods will not see it: put it in /spec/template/metadata/annotations"
    );
    assert_eq!(report.patch.ops()[0].value, "m.io/hub/postgres:16");
    assert_eq!(report.messages()[0], warning.message);
}

#[test]
fn pod_template_annotation_beats_the_workloads() {
    let template_policy = r#"[{"repositoryPrefix": "", "replaceWith": "tpl.io/x"}]"#;
    let mut obj = object(
        "apps/v1",
        "DaemonSet",
        annotated(template_policy),
        json!({"containers": [{"name": "c", "image": "nginx"}]}),
    );
    obj["metadata"]["annotations"] = json!({ANNOTATION_KEY: HUB});
    let report = rewrite(&obj, &Options::default().check_pulls(false));
    assert_eq!(
        report.policy.as_ref().unwrap().origin,
        PolicyOrigin::PodTemplate
    );
    assert_eq!(report.patch.ops()[0].value, "tpl.io/x/nginx");
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].code, Code::IgnoredAnnotation);
    assert_eq!(
        report.warnings[0].pointer,
        "/metadata/annotations/coordinator.cci.io~1image-replacement"
    );

    // The same text at both levels is not worth a warning.
    obj["metadata"]["annotations"][ANNOTATION_KEY] = json!(template_policy);
    assert!(
        rewrite(&obj, &Options::default().check_pulls(false))
            .warnings
            .is_empty()
    );

    // A Pod has one level only: its own metadata.
    let pod = object(
        "v1",
        "Pod",
        annotated(HUB),
        json!({"containers": [{"image": "a"}]}),
    );
    assert!(
        rewrite(&pod, &Options::default().check_pulls(false))
            .warnings
            .is_empty()
    );
}

#[test]
fn annotation_key_can_be_set_and_pointers_are_escaped() {
    let key = "example.com/mirrors~v1";
    let obj = object(
        "batch/v1",
        "Job",
        json!({"annotations": {key: HUB, ANNOTATION_KEY: "ignored: not this key"}}),
        json!({"containers": [{"name": "a/b~c", "image": "nginx"}]}),
    );
    let report = rewrite(&obj, &Options::default().annotation_key(key));
    let pointer = report.policy.as_ref().unwrap().pointer.clone().unwrap();
    assert_eq!(
        pointer,
        "/spec/template/metadata/annotations/example.com~1mirrors~0v1"
    );
    // The pointer really points at the annotation (serde_json reads RFC 6901 itself).
    assert_eq!(obj.pointer(&pointer).and_then(Value::as_str), Some(HUB));
    assert_eq!(report.containers[0].name.as_deref(), Some("a/b~c"));
    assert_eq!(
        report.patch.ops()[0].path,
        "/spec/template/spec/containers/0/image"
    );

    // With the default key, the other annotation is read (and is invalid).
    let err = imgrepl_k8s::rewrite(&obj, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), WorkloadErrorKind::InvalidPolicy);
}

#[test]
fn an_invalid_image_is_reported_on_its_row_and_the_others_are_rewritten() {
    let obj = object(
        "apps/v1",
        "Deployment",
        annotated(HUB),
        json!({"containers": [
            {"name": "a", "image": "nginx:1"},
            {"name": "b", "image": "Redis:7"},
            {"name": "c", "image": "harbor.domain/x/y@sha256:0123456789abcdef0123456789abcdef"},
            {"name": "d", "image": "alpine"},
        ]}),
    );
    let report = rewrite(&obj, &Options::default());
    let errors: Vec<_> = report
        .errors()
        .map(|r| {
            let e = r.error.as_ref().unwrap();
            (
                r.index,
                e.kind(),
                e.code().as_str(),
                e.offset(),
                r.after.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (
                1,
                ContainerErrorKind::InvalidImage,
                "uppercase",
                Some(0),
                Some("Redis:7")
            ),
            (
                2,
                ContainerErrorKind::InvalidImage,
                "digest-length",
                Some(25),
                Some("harbor.domain/x/y@sha256:0123456789abcdef0123456789abcdef")
            ),
        ]
    );
    let values: Vec<_> = report.patch.iter().map(|op| op.value.as_str()).collect();
    assert_eq!(values, ["m.io/hub/nginx:1", "m.io/hub/alpine"]);
    let row = serde_json::to_value(&report.containers[1]).unwrap();
    assert_eq!(row["error"]["code"], "uppercase");
    assert_eq!(row["error"]["offset"], 0);
    assert_eq!(row["rule"], Value::Null);
    assert_eq!(
        report.containers[1].message().unwrap(),
        "containers[1] \"b\": image \"Redis:7\" left as it is: invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0"
    );
}

#[test]
fn a_result_too_long_is_reported_on_its_row() {
    let long = format!("harbor.domain/{}/app", "a".repeat(230));
    let policy = r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/a-rather-long-organisation-name"}]"#;
    let obj = object(
        "v1",
        "Pod",
        annotated(policy),
        json!({"containers": [{"name": "big", "image": long}, {"name": "ok", "image": "harbor.domain/x"}]}),
    );
    let report = rewrite(&obj, &Options::default());
    let e = report.containers[0].error.as_ref().unwrap();
    assert_eq!(
        (e.kind(), e.code().as_str()),
        (ContainerErrorKind::InvalidResult, "invalid-result")
    );
    assert_eq!(report.patch.len(), 1);
}

#[test]
fn malformed_containers_are_row_errors_or_object_errors() {
    let obj = object(
        "v1",
        "Pod",
        annotated(HUB),
        json!({"containers": [
            "nginx",
            {"name": "num", "image": 5},
            {"name": 7, "image": "redis"},
            {"name": "none"},
            {"name": "null", "image": null},
            {"image": "alpine"},
            {"name": "empty", "image": ""},
        ], "initContainers": null}),
    );
    let report = rewrite(&obj, &Options::default());
    let rows: Vec<_> = report
        .containers
        .iter()
        .map(|r| {
            (
                r.name.as_deref(),
                r.before.as_deref(),
                r.after.as_deref(),
                r.error.as_ref().map(|e| (e.code().as_str(), e.to_string())),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                None,
                None,
                None,
                Some((
                    "container-not-object",
                    "/spec/containers/0 must be an object, not a string".into()
                ))
            ),
            (
                Some("num"),
                None,
                None,
                Some((
                    "image-not-string",
                    "/spec/containers/1/image must be a string, not a number".into()
                ))
            ),
            (None, Some("redis"), Some("m.io/hub/redis"), None),
            (Some("none"), None, None, None),
            (Some("null"), None, None, None),
            (None, Some("alpine"), Some("m.io/hub/alpine"), None),
            // Missing, null and "" are one rule: no image yet, not an error.
            (Some("empty"), None, None, None),
        ]
    );
    assert_eq!(report.containers[0].pointer, "/spec/containers/0");
    assert_eq!(report.patch.len(), 2);
}

#[test]
fn partial_objects_pass_with_a_note() {
    let cases: &[(Value, &str, &str)] = &[
        (
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "spec": {"template": {"metadata": {"annotations": {ANNOTATION_KEY: HUB}}}}}),
            "/spec/template/spec",
            "the Deployment has no pod spec (/spec/template/spec is missing): passed through as it is (a partial object, such as a patch)",
        ),
        (
            json!({"apiVersion": "batch/v1", "kind": "CronJob",
                   "metadata": {"annotations": {ANNOTATION_KEY: HUB}}, "spec": {}}),
            "/spec/jobTemplate",
            "the CronJob has no pod spec (/spec/jobTemplate is missing): passed through as it is (a partial object, such as a patch)",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3}}),
            "/spec/template",
            "the Deployment has no pod spec (/spec/template is missing): passed through as it is (a partial object, such as a patch)",
        ),
    ];
    for (obj, pointer, message) in cases {
        let report = imgrepl_k8s::rewrite(obj, &Options::default()).unwrap();
        assert!(report.is_workload() && report.containers.is_empty() && report.patch.is_empty());
        let w = &report.warnings[..];
        assert_eq!(w.len(), 1, "{obj}");
        assert_eq!(
            (w[0].code, w[0].pointer.as_str(), w[0].message.as_str()),
            (Code::NoPodSpec, *pointer, *message)
        );
    }
}

#[test]
fn malformed_objects_are_typed_errors() {
    let cases: &[(Value, WorkloadErrorKind, &str, &str)] = &[
        (
            object("v1", "Pod", annotated(HUB), json!({"containers": "nginx"})),
            WorkloadErrorKind::WrongType,
            "/spec/containers",
            "/spec/containers must be an array, not a string",
        ),
        (
            object(
                "apps/v1",
                "Deployment",
                annotated(HUB),
                json!({"ephemeralContainers": {}}),
            ),
            WorkloadErrorKind::WrongType,
            "/spec/template/spec/ephemeralContainers",
            "/spec/template/spec/ephemeralContainers must be an array, not an object",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": []}}),
            WorkloadErrorKind::WrongType,
            "/spec/template",
            "/spec/template must be an object, not an array",
        ),
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": ["x"]}, "spec": {}}),
            WorkloadErrorKind::WrongType,
            "/metadata/annotations",
            "/metadata/annotations must be an object, not an array",
        ),
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": {ANNOTATION_KEY: []}}, "spec": {}}),
            WorkloadErrorKind::WrongType,
            "/metadata/annotations/coordinator.cci.io~1image-replacement",
            "/metadata/annotations/coordinator.cci.io~1image-replacement must be a string, not an array",
        ),
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": {ANNOTATION_KEY: HUB}}, "spec": 3}),
            WorkloadErrorKind::WrongType,
            "/spec",
            "/spec must be an object, not a number",
        ),
        (
            json!(["a"]),
            WorkloadErrorKind::NotAnObject,
            "",
            "a Kubernetes object is a JSON object, not an array",
        ),
    ];
    for (obj, kind, pointer, message) in cases {
        let err = imgrepl_k8s::rewrite(obj, &Options::default()).unwrap_err();
        assert_eq!(
            (err.kind(), err.pointer(), err.to_string().as_str()),
            (*kind, *pointer, *message),
            "{obj}"
        );
        assert_eq!(err.code(), kind.code());
        assert!(err.policy().is_none() && err.diagnostics().is_empty());
    }
}

#[test]
fn an_invalid_policy_gives_its_diagnostics_with_the_annotation_text() {
    let text = r#"[{"repositoryPrefix": "a.io", "replaceWith": "a.io"},
 {"repositoryPrefix": "b.io", "replacewith": "c.io"}]"#;
    let obj = object(
        "apps/v1",
        "ReplicaSet",
        annotated(text),
        json!({"containers": [{"image": "a.io/x"}]}),
    );
    let err = imgrepl_k8s::rewrite(&obj, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), WorkloadErrorKind::InvalidPolicy);
    assert_eq!(err.code(), "invalid-policy");
    assert_eq!(
        err.pointer(),
        "/spec/template/metadata/annotations/coordinator.cci.io~1image-replacement"
    );
    let source = err.policy().unwrap();
    assert_eq!(source.origin, PolicyOrigin::PodTemplate);
    assert_eq!(source.annotation.as_deref(), Some(text));
    let found: Vec<_> = err
        .diagnostics()
        .iter()
        .map(|d| (d.code(), &text[d.span().start..d.span().end]))
        .collect();
    assert_eq!(
        found,
        [
            (Code::IdentityRule, r#""a.io""#),
            (
                Code::MissingField,
                r#"{"repositoryPrefix": "b.io", "replacewith": "c.io"}"#
            ),
            (Code::UnknownField, r#""replacewith""#),
        ]
    );
    assert_eq!(
        err.to_string(),
        "invalid image replacement policy in /spec/template/metadata/annotations/coordinator.cci.io~1image-replacement: error[identity-rule] at /0/replaceWith: rule 0 replaces \"a.io\" with itself (and 2 more)"
    );
    let serialized = serde_json::to_value(&err).unwrap();
    assert_eq!(serialized["code"], "invalid-policy");
    assert_eq!(
        serialized["policy"]["diagnostics"][0]["code"],
        "identity-rule"
    );
}

#[test]
fn policy_warnings_ride_along() {
    let chained = r#"[{"repositoryPrefix": "a.io", "replaceWith": "b.io"},
                      {"repositoryPrefix": "b.io", "replaceWith": "c.io"}]"#;
    let obj = object(
        "v1",
        "Pod",
        annotated(chained),
        json!({"containers": [{"image": "a.io/x"}]}),
    );
    let report = rewrite(&obj, &Options::default().check_pulls(false));
    let source = report.policy.as_ref().unwrap();
    assert_eq!(source.diagnostics.len(), 1);
    assert_eq!(source.diagnostics[0].code(), Code::ChainedRule);
    assert!(report.messages()[0].starts_with(
        "policy in /metadata/annotations/coordinator.cci.io~1image-replacement: warning[chained-rule]"
    ));
}

#[test]
fn the_mode_option_applies_to_annotation_policies() {
    let policy = r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io"}]"#;
    let obj = object(
        "v1",
        "Pod",
        annotated(policy),
        json!({"containers": [{"image": "harbor.domain/team/app:1"}, {"image": "harbor.domain/app:1"}]}),
    );
    assert_eq!(rewrite(&obj, &Options::default()).patch.len(), 2);
    let exact = rewrite(
        &obj,
        &Options::default().mode(imgrepl::MatchMode::ExactParent),
    );
    assert_eq!(exact.patch.len(), 1);
    assert_eq!(exact.patch.ops()[0].value, "m.io/app:1");
}

#[test]
fn text_input_is_bounded_and_parsed() {
    let big = format!("{{\"a\": \"{}\"}}", "x".repeat(MAX_OBJECT_BYTES));
    let err = imgrepl_k8s::rewrite_json(&big, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), WorkloadErrorKind::TooLarge);
    assert_eq!(err.offset(), Some(MAX_OBJECT_BYTES));

    let err = imgrepl_k8s::rewrite_json("{\"kind\": \"Pod\",\n \"spec\": }", &Options::default())
        .unwrap_err();
    assert_eq!(err.kind(), WorkloadErrorKind::InvalidJson);
    assert_eq!(err.offset(), Some(25));
    // Line, column (in characters) and byte offset agree.
    assert_eq!(
        err.to_string(),
        "not valid JSON: expected value at line 2, column 10 (byte 25)"
    );

    let err = imgrepl_k8s::rewrite_json("\"just a string\"", &Options::default()).unwrap_err();
    assert_eq!(err.kind(), WorkloadErrorKind::NotAnObject);

    // Deep nesting is refused by the JSON reader, not by a stack overflow, as too deep; its
    // message names the limit, and the offset is where the reader stopped.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = imgrepl_k8s::rewrite_json(&deep, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), WorkloadErrorKind::TooDeep);
    assert_eq!(err.code(), "object-too-deep");
    assert_eq!(err.offset(), Some(imgrepl_k8s::MAX_DEPTH));
    assert_eq!(
        err.to_string(),
        "the object nests deeper than 127 levels, the most that is read"
    );
}

#[test]
fn the_report_serializes_for_bindings() {
    let obj = object(
        "v1",
        "Pod",
        annotated(HUB),
        json!({"containers": [{"name": "web", "image": "nginx"}]}),
    );
    let report = rewrite(&obj, &Options::default());
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "kind": {"group": "", "kind": "Pod", "foundBy": "table"},
            "podSpecs": [{"pointer": "/spec", "template": "", "policy": {"origin": "pod",
                "pointer": "/metadata/annotations/coordinator.cci.io~1image-replacement", "annotation": HUB, "diagnostics": []},
                "burst": null, "notBursting": false, "excluded": false, "imagePullSecrets": []}],
            "burst": null,
            "policy": {"origin": "pod", "pointer": "/metadata/annotations/coordinator.cci.io~1image-replacement",
                       "annotation": HUB, "diagnostics": []},
            "containers": [{"list": "containers", "index": 0, "name": "web",
                            "pointer": "/spec/containers/0/image", "before": "nginx",
                            "after": "m.io/hub/nginx",
                            "rule": {"index": 0, "repositoryPrefix": "", "replaceWith": "m.io/hub"},
                            "error": null}],
            "patch": [{"op": "replace", "path": "/spec/containers/0/image", "value": "m.io/hub/nginx"}],
            "warnings": [{"code": "anonymous-pull", "pointer": "/spec",
                "message": "images move to m.io (containers[0] \"web\"), but the pod spec has no imagePullSecrets: the pull will be anonymous"}],
        })
    );
}

#[test]
fn rewriting_the_patched_object_again_changes_nothing() {
    let obj = object(
        "apps/v1",
        "Deployment",
        annotated(HUB),
        json!({"containers": [{"image": "nginx"}, {"image": "harbor.domain/a/b"}]}),
    );
    let report = rewrite(&obj, &Options::default());
    let patched = check_patch(&obj, &report);
    assert!(rewrite(&patched, &Options::default()).patch.is_empty());
}

#[test]
fn chained_rules_rewrite_again_on_a_second_pass() {
    // What a webhook with `reinvocationPolicy: IfNeeded` does with a chained policy: the second
    // pass rewrites the first pass's result, because `b.io` is both a result and a prefix. The
    // policy says so beforehand with its `chained-rule` warning.
    let chained = r#"[{"repositoryPrefix": "a.io", "replaceWith": "b.io"},
                      {"repositoryPrefix": "b.io", "replaceWith": "c.io"}]"#;
    assert!(
        Policy::validate(chained)
            .diagnostics
            .iter()
            .any(|d| d.code() == Code::ChainedRule)
    );
    let obj = object(
        "v1",
        "Pod",
        annotated(chained),
        json!({"containers": [{"image": "a.io/x"}]}),
    );
    let first = check_patch(&obj, &rewrite(&obj, &Options::default()));
    assert_eq!(first["spec"]["containers"][0]["image"], "b.io/x");
    let second = rewrite(&first, &Options::default());
    assert_eq!(second.patch.ops()[0].value, "c.io/x");
    let third = check_patch(&first, &second);
    assert!(rewrite(&third, &Options::default()).patch.is_empty());
}

#[test]
fn the_manifest_of_the_readme_is_rewritten() {
    // The multi-document manifest of testdata/workloads, as JSON documents, through the library.
    let yaml = include_str!("../../testdata/workloads/manifests.json");
    let documents: Vec<Value> = serde_json::Deserializer::from_str(yaml)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let changed: Vec<usize> = documents
        .iter()
        .map(|d| rewrite(d, &Options::default()).patch.len())
        .collect();
    assert_eq!(changed, [0, 0, 3, 1, 1, 0]);
}

#[test]
fn the_readme_lists_the_kinds_table() {
    let mut table = String::from("| API group | kind | pod spec paths |\n|---|---|---|\n");
    for entry in PodSpecTable::new().entries() {
        let group = if entry.group.is_empty() {
            "(core)".to_owned()
        } else {
            format!("`{}`", entry.group)
        };
        let paths: Vec<String> = entry.paths.iter().map(|p| format!("`{p}`")).collect();
        let _ = writeln!(
            table,
            "| {group} | `{}` | {} |",
            entry.kind,
            paths.join(", ")
        );
    }
    let readme = include_str!("../../cli/README.md");
    assert!(
        readme.contains(&table),
        "cli/README.md's kinds table differs:\n{table}"
    );
}
