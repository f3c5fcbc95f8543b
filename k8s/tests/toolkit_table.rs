//! Table tests of the Kubernetes side of the operators' toolkit: reinvocation through the
//! admission path against the second pass, the bursting label, and pull secrets. Coverage, the
//! second pass and policy diff themselves are in `core/tests/toolkit_table.rs`.

#![allow(
    clippy::type_complexity,
    clippy::too_many_lines,
    reason = "table rows are tuples, and a table is one test, read at a glance"
)]

use imgrepl::{Code, Policy};
use imgrepl_k8s::{
    BurstMode, BurstSet, LabelOrigin, Options, PullSecret, PullSecrets, admission, key_matches,
    registry_key,
};
use serde_json::{Value, json};

fn policy(json: &str) -> Policy {
    Policy::from_json(json).unwrap()
}

const SEED: &str = r#"[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
  {"repositoryPrefix": "", "replaceWith": "m.io/hub"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "m.io/org2"},
  {"repositoryPrefix": "harbour.domain", "replaceWith": "m.io/typo"},
  {"repositoryPrefix": "quay.io/team", "replaceWith": "m.io/quay"}
]"#;

/// An `AdmissionReview` of `object`, answered, and the object with its patch applied.
fn review_and_apply(object: &Value) -> (Value, usize) {
    let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "u", "operation": "CREATE", "object": object}});
    let response = admission::review(&review, &Options::default()).unwrap();
    let report = response.report.clone().unwrap();
    let mut patched = object.clone();
    report.apply(&mut patched).unwrap();
    (patched, report.patch.len())
}

#[test]
fn reinvocation_if_needed_rewrites_again_exactly_what_second_pass_says() {
    // `reinvocationPolicy: IfNeeded`: the webhook is called again with its own output.
    for (json, changes_again) in [
        (SEED, false),
        (
            r#"[{"repositoryPrefix": "", "replaceWith": "mirror.io/hub"}, {"repositoryPrefix": "mirror.io", "replaceWith": "cache.io/m"}]"#,
            true,
        ),
    ] {
        let images = ["nginx", "harbor.domain/a/b/c/d/redis", "quay.io/team/x"];
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"annotations": {imgrepl_k8s::ANNOTATION_KEY: json}},
            "spec": {"containers": images.iter().map(|i| json!({"image": i})).collect::<Vec<_>>()}});
        let (once, _) = review_and_apply(&pod);
        let (twice, changed) = review_and_apply(&once);
        let passes = policy(json).second_pass(images);
        assert_eq!(changed, passes.len(), "{json}");
        assert_eq!(changed > 0, changes_again);
        for pass in &passes {
            let i = images.iter().position(|i| *i == pass.image).unwrap();
            assert_eq!(
                twice["spec"]["containers"][i]["image"],
                pass.chain[1].result.as_str()
            );
        }
        // The chained-rule warning says so beforehand.
        let warned = policy(json)
            .warnings()
            .iter()
            .any(|d| d.code() == Code::ChainedRule);
        assert_eq!(warned, changes_again);
    }
}

fn workload(kind: &str, labels: &Value, template_labels: &Value) -> Value {
    let template = json!({"metadata": {"labels": template_labels}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
    match kind {
        "Pod" => json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
        "CronJob" => {
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"labels": labels},
            "spec": {"jobTemplate": {"spec": {"template": template}}}})
        }
        _ => {
            json!({"apiVersion": "apps/v1", "kind": kind, "metadata": {"labels": labels}, "spec": {"template": template}})
        }
    }
}

#[test]
fn the_bursting_label_is_read_from_the_pod_template_then_the_workload() {
    const L: &str = "virtual-kubelet.io/burst-to-cci";
    // (kind, workload labels, template labels, value, mode, origin, pointer)
    let cases: &[(
        &str,
        Value,
        Value,
        Option<(&str, Option<BurstMode>, LabelOrigin, &str)>,
    )] = &[
        (
            "Deployment",
            json!({}),
            json!({L: "auto"}),
            Some((
                "auto",
                Some(BurstMode::Auto),
                LabelOrigin::PodTemplate,
                "/spec/template/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
        ),
        (
            "Deployment",
            json!({L: "enforce"}),
            json!({}),
            Some((
                "enforce",
                Some(BurstMode::Enforce),
                LabelOrigin::Workload,
                "/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
        ),
        (
            "StatefulSet",
            json!({L: "off"}),
            json!({L: "enforce"}),
            Some((
                "enforce",
                Some(BurstMode::Enforce),
                LabelOrigin::PodTemplate,
                "/spec/template/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
        ),
        (
            "CronJob",
            json!({}),
            json!({L: "off"}),
            Some((
                "off",
                Some(BurstMode::Off),
                LabelOrigin::PodTemplate,
                "/spec/jobTemplate/spec/template/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
        ),
        (
            "Pod",
            json!({L: "auto"}),
            json!({}),
            Some((
                "auto",
                Some(BurstMode::Auto),
                LabelOrigin::PodTemplate,
                "/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
        ),
        (
            "Deployment",
            json!({L: "Auto"}),
            json!({}),
            Some((
                "Auto",
                None,
                LabelOrigin::Workload,
                "/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
        ),
        (
            "Deployment",
            json!({}),
            json!({L: true}),
            Some((
                "a boolean",
                None,
                LabelOrigin::PodTemplate,
                "/spec/template/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
        ),
        ("Deployment", json!({}), json!({L: null}), None),
        ("Deployment", json!({"app": "x"}), json!({}), None),
    ];
    let p = policy(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#);
    for (kind, labels, template, expected) in cases {
        let obj = workload(kind, labels, template);
        let report =
            imgrepl_k8s::rewrite(&obj, &Options::default().policy(&p).check_pulls(false)).unwrap();
        let got = report.pod_specs[0]
            .burst
            .as_ref()
            .map(|b| (b.value.as_str(), b.mode, b.origin, b.pointer.as_str()));
        assert_eq!(got, *expected, "{obj}");
        assert_eq!(report.burst, report.pod_specs[0].burst);
        let invalid: Vec<&str> = report
            .warnings
            .iter()
            .filter(|w| w.code == Code::InvalidBurstLabel)
            .map(|w| w.message.as_str())
            .collect();
        match expected {
            // A JSON boolean: its type, and that the value must be a text.
            Some(("a boolean", None, _, _)) => assert_eq!(
                invalid,
                [
                    "the label \"virtual-kubelet.io/burst-to-cci\" is a boolean, not one of the texts \"auto\", \"enforce\" and \"off\""
                ]
            ),
            Some((value, None, _, _)) => assert_eq!(
                invalid,
                [format!(
                    "the label \"virtual-kubelet.io/burst-to-cci\" is {value:?}, which is none of \"auto\", \"enforce\" and \"off\""
                )]
            ),
            _ => assert!(invalid.is_empty(), "{invalid:?}"),
        }
        // By default the label restricts nothing.
        assert_eq!(report.patch.len(), 1, "{obj}");
    }
}

#[test]
fn both_generations_of_the_bursting_label_are_read_and_cci_2_wins() {
    const V1: &str = "virtual-kubelet.io/burst-to-cci";
    const V2: &str = "bursting.cci.io/burst-to-cci";
    // (kind, workload labels, template labels, (value, key, pointer) read, conflict warning's pointer)
    let cases: &[(&str, Value, Value, Option<(&str, &str, &str)>, Option<&str>)] = &[
        (
            "Deployment",
            json!({}),
            json!({V2: "enforce"}),
            Some((
                "enforce",
                V2,
                "/spec/template/metadata/labels/bursting.cci.io~1burst-to-cci",
            )),
            None,
        ),
        (
            "Pod",
            json!({V1: "auto"}),
            json!({}),
            Some((
                "auto",
                V1,
                "/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
            None,
        ),
        // Both, the same value: the CCI 2.0 key, no warning.
        (
            "Pod",
            json!({V1: "auto", V2: "auto"}),
            json!({}),
            Some(("auto", V2, "/metadata/labels/bursting.cci.io~1burst-to-cci")),
            None,
        ),
        // Both, different values: the CCI 2.0 key, and a warning at the other.
        (
            "Deployment",
            json!({}),
            json!({V1: "off", V2: "enforce"}),
            Some((
                "enforce",
                V2,
                "/spec/template/metadata/labels/bursting.cci.io~1burst-to-cci",
            )),
            Some("/spec/template/metadata/labels/virtual-kubelet.io~1burst-to-cci"),
        ),
        // The pod template's label wins over the workload's, whichever generation each is.
        (
            "Deployment",
            json!({V2: "off"}),
            json!({V1: "auto"}),
            Some((
                "auto",
                V1,
                "/spec/template/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
            None,
        ),
        (
            "CronJob",
            json!({V2: "off"}),
            json!({}),
            Some(("off", V2, "/metadata/labels/bursting.cci.io~1burst-to-cci")),
            None,
        ),
        // A null CCI 2.0 label is no label: the CCI 1.0 one applies.
        (
            "Pod",
            json!({V2: null, V1: "enforce"}),
            json!({}),
            Some((
                "enforce",
                V1,
                "/metadata/labels/virtual-kubelet.io~1burst-to-cci",
            )),
            None,
        ),
    ];
    let p = policy(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#);
    let only = BurstSet::of(&[BurstMode::Enforce]);
    for (kind, labels, template, expected, conflict) in cases {
        let obj = workload(kind, labels, template);
        let options = Options::default().policy(&p).check_pulls(false);
        let report = imgrepl_k8s::rewrite(&obj, &options).unwrap();
        let label = report.pod_specs[0].burst.as_ref();
        let got = label.map(|b| (b.value.as_str(), b.key, b.pointer.as_str()));
        assert_eq!(got, *expected, "{obj}");
        let warning = report
            .warnings
            .iter()
            .find(|w| w.code == Code::BurstLabelConflict);
        assert_eq!(warning.map(|w| w.pointer.as_str()), *conflict, "{obj}");
        if let Some(w) = warning {
            assert_eq!(
                w.message,
                format!(
                    "the labels {V2:?} (\"enforce\") and {V1:?} (\"off\") differ: the first (CCI 2.0) applies"
                )
            );
        }
        // The label that wins is the one `Options::burst` reads.
        let restricted = imgrepl_k8s::rewrite(&obj, &options.burst(only)).unwrap();
        let enforced = expected.is_some_and(|(value, _, _)| value == "enforce");
        assert_eq!(restricted.patch.len(), usize::from(enforced), "{obj}");
        // An invalid value names its own key.
        if let Some((_, key, _)) = expected {
            let mut bad = obj.clone();
            let at = if label.is_some_and(|b| b.origin == LabelOrigin::Workload) || *kind == "Pod" {
                &mut bad["metadata"]["labels"]
            } else if *kind == "CronJob" {
                &mut bad["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
            } else {
                &mut bad["spec"]["template"]["metadata"]["labels"]
            };
            at[*key] = json!("maybe");
            let report = imgrepl_k8s::rewrite(&bad, &options).unwrap();
            let invalid = report
                .warnings
                .iter()
                .find(|w| w.code == Code::InvalidBurstLabel)
                .unwrap();
            assert!(
                invalid
                    .message
                    .starts_with(&format!("the label {key:?} is \"maybe\"")),
                "{}",
                invalid.message
            );
        }
    }
}

#[test]
fn options_burst_rewrites_only_the_labels_it_names() {
    const L: &str = "virtual-kubelet.io/burst-to-cci";
    let p = policy(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#);
    let set = BurstSet::of(&[BurstMode::Auto, BurstMode::Enforce]);
    // (template labels, rewritten)
    for (labels, rewritten) in [
        (json!({L: "auto"}), true),
        (json!({L: "enforce"}), true),
        (json!({L: "off"}), false),
        (json!({L: "yes"}), false),
        (json!({}), false),
    ] {
        let obj = workload("Deployment", &json!({}), &labels);
        let report = imgrepl_k8s::rewrite(
            &obj,
            &Options::default().policy(&p).burst(set).check_pulls(false),
        )
        .unwrap();
        assert_eq!(report.patch.len(), usize::from(rewritten), "{labels}");
        assert_eq!(report.pod_specs[0].not_bursting, !rewritten);
        let not_bursting = report.warnings.iter().find(|w| w.code == Code::NotBursting);
        assert_eq!(not_bursting.is_some(), !rewritten, "{labels}");
        if let Some(w) = not_bursting {
            assert_eq!(w.pointer, "/spec/template/spec");
            assert!(
                w.message.starts_with("not bursting: the pod spec has "),
                "{}",
                w.message
            );
            assert!(report.containers.is_empty());
        }
    }
    assert!(BurstSet::of(&[BurstMode::Off]).contains(Some(BurstMode::Off)));
    assert_eq!(
        BurstSet::of(&[BurstMode::Enforce, BurstMode::Auto])
            .modes()
            .collect::<Vec<_>>(),
        [BurstMode::Auto, BurstMode::Enforce]
    );
}

#[test]
fn burst_sets_read_and_write_comma_separated_values() {
    use imgrepl_k8s::UnknownBurstMode;
    let read = |s: &str| s.parse::<BurstSet>();
    let set = |modes: &[BurstMode]| Ok(BurstSet::of(modes));
    let unknown = |v: &str| Err(UnknownBurstMode(v.to_owned()));
    let table: [(&str, Result<BurstSet, UnknownBurstMode>, &str); 10] = [
        ("auto", set(&[BurstMode::Auto]), "auto"),
        ("off", set(&[BurstMode::Off]), "off"),
        (
            "enforce,auto",
            set(&[BurstMode::Auto, BurstMode::Enforce]),
            "auto,enforce",
        ),
        ("auto,auto", set(&[BurstMode::Auto]), "auto"),
        ("off,enforce,auto", set(&BurstMode::ALL), "auto,enforce,off"),
        ("", unknown(""), ""),
        ("auto,", unknown(""), ""),
        ("auto, enforce", unknown(" enforce"), ""),
        ("Auto", unknown("Auto"), ""),
        ("auto;off", unknown("auto;off"), ""),
    ];
    for (text, want, shown) in table {
        assert_eq!(read(text), want, "{text:?}");
        if let Ok(set) = read(text) {
            assert_eq!(set.to_string(), shown, "{text:?}");
            assert_eq!(read(&set.to_string()), Ok(set), "{text:?} round trip");
        }
    }
    assert_eq!(BurstSet::default().to_string(), "");
}

#[test]
fn registry_keys_as_the_kubelet_keeps_them() {
    for (location, key) in [
        ("https://index.docker.io/v1/", "index.docker.io"),
        ("index.docker.io", "index.docker.io"),
        ("http://r.io:5000", "r.io:5000"),
        ("https://r.io/v2/", "r.io"),
        ("r.io/v2/team/app", "r.io/team/app"),
        ("r.io/team/", "r.io/team/"),
        ("r.io/v1", "r.io/v1"),
        ("*.gcr.io", "*.gcr.io"),
    ] {
        assert_eq!(registry_key(location), key, "{location}");
    }
}

#[test]
fn registry_keys_match_images_as_the_kubelet_does() {
    // (key, normalized image name, match)
    for (key, image, matches) in [
        ("quay.io", "quay.io/a/b", true),
        ("quay.io", "quay.io:443/a/b", false),
        ("quay.io:443", "quay.io:443/a/b", true),
        ("quay.io/a", "quay.io/a/b", true),
        ("quay.io/a", "quay.io/ab/c", true), // a string prefix, as the kubelet compares paths
        ("quay.io/b", "quay.io/a/b", false),
        ("*.gcr.io", "eu.gcr.io/p/i", true),
        ("*.gcr.io", "gcr.io/p/i", false),
        ("*.gcr.io", "a.b.gcr.io/p/i", false),
        ("*.*.io", "a.b.io/x", true),
        ("ex?mple.com", "example.com/x", true),
        (
            "swr.*.myhuaweicloud.com",
            "swr.cn-north-4.myhuaweicloud.com/org/app",
            true,
        ),
        (
            "swr.cn-north-4.myhuaweicloud.com",
            "swr.cn-east-3.myhuaweicloud.com/org/app",
            false,
        ),
        ("[::1]:5000", "[::1]:5000/app", true),
        ("docker.io", "docker.io/library/nginx", true),
    ] {
        assert_eq!(key_matches(key, image), matches, "{key} {image}");
    }
}

#[test]
fn secrets_cover_docker_hub_as_the_kubelet_does() {
    for (key, image, covers) in [
        ("https://index.docker.io/v1/", "nginx", true),
        ("https://index.docker.io/v1/", "team/app:1", true),
        ("https://index.docker.io/v1/", "docker.io/team/app", true),
        ("docker.io", "nginx", true),
        ("index.docker.io", "quay.io/x", false),
        ("m.io", "m.io/hub/nginx", true),
        ("m.io", "Nginx", false), // an invalid image is covered by nothing
    ] {
        let s = PullSecret::from_docker_config(
            "s",
            None,
            &format!(r#"{{"auths": {{"{key}": {{}}}}}}"#),
        )
        .unwrap();
        assert_eq!(s.covers(image), covers, "{key} {image}");
    }
    // `.dockercfg` is the map itself.
    let cfg = PullSecret::from_docker_config("s", None, r#"{"m.io": {"auth": "x"}}"#).unwrap();
    assert_eq!(cfg.registries, ["m.io"]);
    assert!(PullSecret::from_docker_config("s", None, "[1]").is_err());
}

#[test]
fn pull_secrets_are_read_from_objects_and_lists() {
    let config = r#"{"auths":{"m.io":{"username":"u","password":"p","auth":"dTpw"}}}"#;
    let encoded =
        "eyJhdXRocyI6eyJtLmlvIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ==";
    let secret = |name: &str, ty: &str, data: Value| {
        json!({"apiVersion": "v1", "kind": "Secret", "type": ty,
        "metadata": {"name": name, "namespace": "shop"}, "data": data})
    };
    let list = json!({"apiVersion": "v1", "kind": "List", "items": [
        secret("a", "kubernetes.io/dockerconfigjson", json!({".dockerconfigjson": encoded})),
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "b"},
         "stringData": {".dockerconfigjson": config}},
        secret("c", "Opaque", json!({"x": "eA=="})),
        secret("d", "kubernetes.io/dockerconfigjson", json!({".dockerconfigjson": "not base64!"})),
        secret("e", "kubernetes.io/dockerconfigjson", json!({})),
        {"apiVersion": "v1", "kind": "ConfigMap"},
    ]});
    let mut secrets = PullSecrets::default();
    secrets.add_objects(&list);
    let names: Vec<(&str, Option<&str>)> = secrets
        .secrets()
        .iter()
        .map(|s| (s.name.as_str(), s.namespace.as_deref()))
        .collect();
    assert_eq!(names, [("a", Some("shop")), ("b", None)]);
    assert!(secrets.secrets().iter().all(|s| s.registries == ["m.io"]));
    let problems: Vec<(&str, Code, &str)> = secrets
        .problems()
        .iter()
        .map(|w| (w.pointer.as_str(), w.code, w.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                "/items/3",
                Code::InvalidPullSecret,
                "the pull secret \"d\" cannot be read (data..dockerconfigjson is not base64 of UTF-8 text): it covers nothing"
            ),
            (
                "/items/4",
                Code::InvalidPullSecret,
                "the pull secret \"e\" cannot be read (it has no data..dockerconfigjson): it covers nothing"
            ),
        ]
    );
    // Namespaces must agree when both are known.
    assert!(secrets.get("a", Some("shop")).is_some());
    assert!(secrets.get("a", Some("other")).is_none());
    assert!(secrets.get("a", None).is_some());
    assert!(secrets.get("b", Some("other")).is_some());

    // The same document as text: the same secrets and problems.
    let mut from_text = PullSecrets::default();
    from_text.add_json(&list.to_string()).unwrap();
    assert_eq!(from_text, secrets);
}

#[test]
fn pull_secrets_from_json_text_name_what_is_wrong() {
    use imgrepl_k8s::{MAX_OBJECT_BYTES, WorkloadErrorKind};
    // (text, error kind and offset, or the secrets added)
    let cases: [(&str, Result<&[&str], (WorkloadErrorKind, usize)>); 6] = [
        ("{\"kind\": \"ConfigMap\"}", Ok(&[])),
        ("[1, 2]", Ok(&[])),
        (
            r#"{"kind": "Secret", "type": "kubernetes.io/dockercfg", "metadata": {"name": "old"}, "stringData": {".dockercfg": "{\"q.io\": {}}"}}"#,
            Ok(&["old"]),
        ),
        ("{\"kind\": x}", Err((WorkloadErrorKind::InvalidJson, 9))),
        ("", Err((WorkloadErrorKind::InvalidJson, 0))),
        ("{} {}", Err((WorkloadErrorKind::InvalidJson, 3))),
    ];
    for (text, want) in cases {
        let mut secrets = PullSecrets::default();
        let got = secrets.add_json(text).map(|()| {
            secrets
                .secrets()
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
        });
        match (got, want) {
            (Ok(names), Ok(want)) => assert_eq!(names, want, "{text}"),
            (Err(e), Err((kind, offset))) => {
                assert_eq!((e.kind(), e.offset()), (kind, Some(offset)), "{text}");
                assert!(secrets.secrets().is_empty() && secrets.problems().is_empty());
            }
            (got, _) => panic!("{text}: {got:?}"),
        }
    }
    let huge = " ".repeat(MAX_OBJECT_BYTES + 1);
    let err = PullSecrets::default().add_json(&huge).unwrap_err();
    assert_eq!(err.kind(), WorkloadErrorKind::TooLarge);
}

#[test]
fn pull_warnings_per_pod_spec_and_registry() {
    let secrets = {
        let mut s = PullSecrets::default();
        s.add(
            PullSecret::from_docker_config("mirror", None, r#"{"auths": {"m.io": {}}}"#).unwrap(),
        );
        s.add(
            PullSecret::from_docker_config("quay", None, r#"{"auths": {"quay.io": {}}}"#).unwrap(),
        );
        s
    };
    let p = policy(
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}, {"repositoryPrefix": "harbor.domain", "replaceWith": "harbor.domain/cache"}]"#,
    );
    // (imagePullSecrets, images, secrets known, warnings (code, message))
    let cases: Vec<(Value, Vec<&str>, bool, Vec<(Code, &str)>)> = vec![
        (
            json!(null),
            vec!["nginx", "busybox"],
            false,
            vec![(
                Code::AnonymousPull,
                "images move to m.io (containers[0] \"c0\", containers[1] \"c1\"), but the pod spec has no imagePullSecrets: the pull will be anonymous",
            )],
        ),
        (
            json!([]),
            vec!["nginx"],
            true,
            vec![(
                Code::AnonymousPull,
                "images move to m.io (containers[0] \"c0\"), but the pod spec has no imagePullSecrets: the pull will be anonymous",
            )],
        ),
        // The same registry: no warning.
        (json!(null), vec!["harbor.domain/a"], false, vec![]),
        (json!(null), vec!["quay.io/a/b"], false, vec![]),
        // Named secrets: without the Secret objects, nothing can be said.
        (json!([{"name": "quay"}]), vec!["nginx"], false, vec![]),
        (json!([{"name": "mirror"}]), vec!["nginx"], true, vec![]),
        // Only what was read is judged: `other` is not given and may cover m.io.
        (
            json!([{"name": "quay"}, {"name": "other"}]),
            vec!["nginx"],
            true,
            vec![],
        ),
        (
            json!([{"name": "quay"}]),
            vec!["nginx"],
            true,
            vec![(
                Code::PullSecretUncovered,
                "images move to m.io (containers[0] \"c0\"), but none of its pull secrets (quay) covers m.io",
            )],
        ),
    ];
    for (pull, images, known, expected) in cases {
        let containers: Vec<Value> = images
            .iter()
            .enumerate()
            .map(|(i, image)| json!({"name": format!("c{i}"), "image": image}))
            .collect();
        let mut spec = json!({"containers": containers});
        if !pull.is_null() {
            spec["imagePullSecrets"] = pull.clone();
        }
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": spec});
        let options = Options::default().policy(&p);
        let options = if known {
            options.pull_secrets(&secrets)
        } else {
            options
        };
        let report = imgrepl_k8s::rewrite(&pod, &options).unwrap();
        let got: Vec<(Code, &str)> = report
            .warnings
            .iter()
            .map(|w| (w.code, w.message.as_str()))
            .collect();
        assert_eq!(got, expected, "{pull} {images:?}");
        assert!(report.warnings.iter().all(|w| w.pointer == "/spec"));
        let off = imgrepl_k8s::rewrite(&pod, &options.check_pulls(false)).unwrap();
        assert!(off.warnings.is_empty());
    }
}

#[test]
fn pod_specs_without_secrets_pull_with_their_service_accounts() {
    let p = policy(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#);
    let known = {
        let mut s = PullSecrets::default();
        s.add_objects(&json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
             "metadata": {"name": "mirror", "namespace": "shop"},
             "stringData": {".dockerconfigjson": r#"{"auths": {"m.io": {}}}"#}},
            {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
             "metadata": {"name": "quay", "namespace": "shop"},
             "stringData": {".dockerconfigjson": r#"{"auths": {"quay.io": {}}}"#}},
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "shop"},
             "imagePullSecrets": [{"name": "mirror"}]},
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder", "namespace": "shop"},
             "imagePullSecrets": [{"name": "quay"}, {"name": "gone"}]},
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "bare", "namespace": "shop"}},
            // Not a core ServiceAccount: ignored.
            {"apiVersion": "example.com/v1", "kind": "ServiceAccount", "metadata": {"name": "odd", "namespace": "shop"},
             "imagePullSecrets": [{"name": "mirror"}]},
        ]}));
        s
    };
    assert_eq!(
        known
            .service_accounts()
            .iter()
            .map(|a| (a.name.as_str(), a.image_pull_secrets.len()))
            .collect::<Vec<_>>(),
        [("default", 1), ("builder", 2), ("bare", 0)]
    );
    let anonymous = "images move to m.io (containers[0] \"c\"), but the pod spec has no imagePullSecrets: the pull will be anonymous";
    // (namespace, spec fields beside the container, warning)
    let cases: Vec<(&str, Value, Option<(Code, &str)>)> = vec![
        // No serviceAccountName: the `default` account's secret covers m.io.
        ("shop", json!({}), None),
        ("shop", json!({"serviceAccountName": ""}), None),
        (
            "shop",
            json!({"serviceAccountName": "builder"}),
            // Its `gone` secret is not given: it may cover m.io, so nothing is said.
            None,
        ),
        // The deprecated field is read when the new one is absent.
        (
            "shop",
            json!({"serviceAccount": "bare"}),
            Some((
                Code::AnonymousPull,
                "images move to m.io (containers[0] \"c\"), but neither the pod spec nor its service account \"bare\" has imagePullSecrets: the pull will be anonymous",
            )),
        ),
        (
            "shop",
            json!({"serviceAccountName": "odd"}),
            Some((Code::AnonymousPull, anonymous)),
        ),
        // The pod spec's own secrets win over its account's (the API server copies them only
        // into a pod that has none).
        (
            "shop",
            json!({"serviceAccountName": "default", "imagePullSecrets": [{"name": "quay"}]}),
            Some((
                Code::PullSecretUncovered,
                "images move to m.io (containers[0] \"c\"), but none of its pull secrets (quay) covers m.io",
            )),
        ),
        // An account of another namespace is not this one's.
        ("prod", json!({}), Some((Code::AnonymousPull, anonymous))),
    ];
    for (namespace, fields, expected) in cases {
        let mut spec = fields.clone();
        spec["containers"] = json!([{"name": "c", "image": "nginx"}]);
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": namespace}, "spec": spec});
        let report =
            imgrepl_k8s::rewrite(&pod, &Options::default().policy(&p).pull_secrets(&known))
                .unwrap();
        let got: Vec<(Code, &str)> = report
            .warnings
            .iter()
            .map(|w| (w.code, w.message.as_str()))
            .collect();
        assert_eq!(
            got,
            expected.into_iter().collect::<Vec<_>>(),
            "{namespace} {fields}"
        );
        // Without the objects, nothing is known of the accounts: the plain message.
        let unknown = imgrepl_k8s::rewrite(&pod, &Options::default().policy(&p)).unwrap();
        let plain = fields.get("imagePullSecrets").is_none();
        assert_eq!(
            unknown
                .warnings
                .iter()
                .map(|w| w.message.as_str())
                .collect::<Vec<_>>(),
            if plain { vec![anonymous] } else { vec![] },
        );
    }
}

#[test]
fn admission_warnings_carry_the_bursting_label_and_pulls() {
    let p = r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#;
    let mut obj = workload(
        "Deployment",
        &json!({}),
        &json!({"virtual-kubelet.io/burst-to-cci": "yes"}),
    );
    obj["spec"]["template"]["metadata"]["annotations"] = json!({imgrepl_k8s::ANNOTATION_KEY: p});
    let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "u", "operation": "CREATE", "object": obj}});
    let response = admission::review(&review, &Options::default()).unwrap();
    assert_eq!(
        response.warnings(),
        [
            "imgrepl: the label \"virtual-kubelet.io/burst-to-cci\" is \"yes\", which is none of \"auto\", \"enforce\" and \"off\"",
            "imgrepl: images move to m.io (containers[0] \"c\"), but the pod spec has no imagePullSecrets: the pull will be anonymous",
        ]
    );
    // Restricted to bursting workloads, the Deployment is left as it is, and says why.
    let only = Options::default().burst(BurstSet::of(&[BurstMode::Auto, BurstMode::Enforce]));
    let response = admission::review(&review, &only).unwrap();
    assert!(response.report.as_ref().unwrap().patch.is_empty());
    assert_eq!(response.warnings().len(), 2);
    assert!(response.warnings()[1].starts_with("imgrepl: not bursting: "));
}
