//! The `AdmissionReview` helper: whole responses, the base64 patch decoded with the `base64` crate
//! and applied with the `json-patch` crate, and every way a request can be wrong.

use base64::Engine as _;
use imgrepl::Policy;
use imgrepl_k8s::ANNOTATION_KEY;
use imgrepl_k8s::Options;
use imgrepl_k8s::admission::{self, AdmissionErrorKind, MAX_REVIEW_BYTES, MAX_WARNING_BYTES};
use serde_json::{Value, json};

const HUB: &str = r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#;

fn review(request: impl Into<Value>) -> Value {
    let request = request.into();
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
}

fn pod(annotation: &str, spec: impl Into<Value>) -> Value {
    let spec = spec.into();
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {ANNOTATION_KEY: annotation}}, "spec": spec})
}

/// Decodes `response.patch` and applies it to `object`.
#[track_caller]
/// The response body as a JSON value.
fn body_of(response: &admission::Response) -> Value {
    serde_json::to_value(&response.body).unwrap()
}

fn patched(body: &Value, object: &Value) -> Value {
    let response = &body["response"];
    assert_eq!(response["patchType"], "JSONPatch");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(response["patch"].as_str().unwrap())
        .unwrap();
    let ops: json_patch::Patch = serde_json::from_slice(&bytes).unwrap();
    let mut object = object.clone();
    json_patch::patch(&mut object, &ops).unwrap();
    object
}

#[test]
fn a_pod_is_patched() {
    let object = pod(
        HUB,
        json!({"containers": [{"name": "web", "image": "nginx:1"}, {"name": "bad", "image": "Nginx"}],
               "initContainers": [{"name": "init", "image": "busybox"}]}),
    );
    let request = review(json!({"uid": "abc-123", "operation": "CREATE", "object": object}));
    let response = admission::review_json(&request.to_string(), &Options::default()).unwrap();
    let body = &body_of(&response);
    assert_eq!(body["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(body["kind"], "AdmissionReview");
    assert_eq!(body["response"]["uid"], "abc-123");
    assert_eq!(body["response"]["allowed"], true);
    let after = patched(body, &object);
    assert_eq!(after["spec"]["containers"][0]["image"], "m.io/hub/nginx:1");
    assert_eq!(after["spec"]["containers"][1]["image"], "Nginx");
    assert_eq!(
        after["spec"]["initContainers"][0]["image"],
        "m.io/hub/busybox"
    );
    assert_eq!(
        body["response"]["warnings"],
        json!([
            "imgrepl: images move to m.io (containers[0] \"web\", initContainers[0] \"init\"), but the pod spec has no imagePullSecrets: the pull will be anonymous",
            "imgrepl: containers[1] \"bad\": image \"Nginx\" left as it is: invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0"
        ])
    );
    assert!(response.has_errors());
    assert_eq!(response.report.as_ref().unwrap().patch.len(), 2);
    let sent: Value = serde_json::from_str(&response.to_json()).unwrap();
    assert_eq!(&sent, body);
}

#[test]
fn the_keys_of_a_response_and_nothing_more() {
    let object = pod(
        HUB,
        json!({"containers": [{"name": "web", "image": "nginx"}], "imagePullSecrets": [{"name": "hub"}]}),
    );
    let response = admission::review(
        &review(json!({"uid": "u", "operation": "UPDATE", "object": object})),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(
        body_of(&response),
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": {
            "uid": "u", "allowed": true, "patchType": "JSONPatch",
            "patch": "W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9zcGVjL2NvbnRhaW5lcnMvMC9pbWFnZSIsInZhbHVlIjoibS5pby9odWIvbmdpbngifV0="}})
    );
    assert!(!response.has_errors());
}

#[test]
fn no_patch_fields_when_nothing_changes() {
    let cases = [
        // Not a workload.
        json!({"uid": "u", "operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Service"}}),
        // No policy.
        json!({"uid": "u", "operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"image": "nginx"}]}}}),
        // Nothing matches.
        json!({"uid": "u", "operation": "CREATE", "object": pod(HUB, json!({"containers": [{"image": "quay.io/a/b"}]}))}),
        // DELETE has no object; CONNECT neither.
        json!({"uid": "u", "operation": "DELETE", "object": null, "oldObject": pod(HUB, json!({}))}),
        json!({"uid": "u", "operation": "CONNECT"}),
        // A subresource other than ephemeralcontainers.
        json!({"uid": "u", "operation": "UPDATE", "subResource": "status", "object": pod(HUB, json!({"containers": [{"image": "nginx"}]}))}),
    ];
    for request in cases {
        let response = admission::review(&review(request.clone()), &Options::default()).unwrap();
        assert_eq!(
            body_of(&response)["response"],
            json!({"uid": "u", "allowed": true}),
            "{request}"
        );
        assert!(!response.has_errors());
    }
}

#[test]
fn the_ephemeralcontainers_subresource_patches_ephemeral_containers_only() {
    let object = pod(
        HUB,
        json!({"containers": [{"name": "app", "image": "nginx"}],
               "ephemeralContainers": [{"name": "debug", "image": "busybox"}]}),
    );
    let request = review(json!({"uid": "u", "operation": "UPDATE",
        "subResource": "ephemeralcontainers", "object": object}));
    let response = admission::review(&request, &Options::default()).unwrap();
    let after = patched(&body_of(&response), &object);
    assert_eq!(after["spec"]["containers"][0]["image"], "nginx");
    assert_eq!(
        after["spec"]["ephemeralContainers"][0]["image"],
        "m.io/hub/busybox"
    );
    let report = response.report.unwrap();
    assert_eq!(report.containers.len(), 1);
    assert_eq!(report.patch.len(), 1);
}

#[test]
fn an_invalid_policy_is_allowed_with_warnings() {
    let object = pod(
        r#"[{"repositoryPrefix": "a.io", "replacewith": "b.io"}]"#,
        json!({"containers": [{"image": "a.io/x"}]}),
    );
    let response = admission::review(
        &review(json!({"uid": "u", "operation": "CREATE", "object": object})),
        &Options::default(),
    )
    .unwrap();
    let body = &body_of(&response)["response"];
    assert_eq!(body["allowed"], true);
    assert!(body.get("patch").is_none() && body.get("patchType").is_none());
    let warnings: Vec<&str> = body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2);
    assert!(
        warnings[0].starts_with("imgrepl: left as it is: invalid image replacement policy in /metadata/annotations/coordinator.cci.io~1image-replacement: error[missing-field]"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with(
            "imgrepl: policy in /metadata/annotations/coordinator.cci.io~1image-replacement: error[unknown-field]"
        ),
        "{warnings:?}"
    );
    assert!(warnings.iter().all(|w| w.len() <= MAX_WARNING_BYTES));
    assert_eq!(response.error.unwrap().code(), "invalid-policy");
}

#[test]
fn the_callers_policy_and_key_are_used() {
    let policy =
        Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "caller.io/p"}]"#).unwrap();
    let object =
        json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"image": "nginx"}]}});
    let request = review(json!({"uid": "u", "operation": "CREATE", "object": object}));
    let response = admission::review(&request, &Options::default().policy(&policy)).unwrap();
    assert_eq!(
        patched(&body_of(&response), &object)["spec"]["containers"][0]["image"],
        "caller.io/p/nginx"
    );

    let object = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"annotations": {"example.com/mirror": HUB}},
        "spec": {"containers": [{"image": "nginx"}]}});
    let request = review(json!({"uid": "u", "operation": "CREATE", "object": object}));
    let options = Options::default().annotation_key("example.com/mirror");
    let response = admission::review(&request, &options).unwrap();
    assert_eq!(
        patched(&body_of(&response), &object)["spec"]["containers"][0]["image"],
        "m.io/hub/nginx"
    );
}

#[test]
fn v1beta1_is_echoed() {
    let mut request = review(json!({"uid": "u", "operation": "CREATE", "object": {"kind": "Pod"}}));
    request["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let response = admission::review(&request, &Options::default()).unwrap();
    assert_eq!(body_of(&response)["apiVersion"], "admission.k8s.io/v1beta1");
}

#[test]
fn bodies_that_are_not_reviews_are_errors() {
    let cases: &[(&str, AdmissionErrorKind, &str)] = &[
        (
            "",
            AdmissionErrorKind::InvalidJson,
            "the AdmissionReview is not valid JSON: EOF while parsing a value at line 1, column 1 (byte 0)",
        ),
        (
            "[]",
            AdmissionErrorKind::NotAReview,
            "not an AdmissionReview: the body must be a JSON object",
        ),
        (
            r#"{"kind": "AdmissionReview"}"#,
            AdmissionErrorKind::NotAReview,
            "not an AdmissionReview: apiVersion must be \"admission.k8s.io/v1\" or \"admission.k8s.io/v1beta1\"",
        ),
        (
            r#"{"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1"}"#,
            AdmissionErrorKind::NotAReview,
            "not an AdmissionReview: it has no request object",
        ),
        (
            r#"{"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {"uid": 5}}"#,
            AdmissionErrorKind::MissingUid,
            "the AdmissionReview request has no string uid",
        ),
    ];
    for (body, kind, message) in cases {
        let err = admission::review_json(body, &Options::default()).unwrap_err();
        assert_eq!(
            (err.kind(), err.to_string().as_str()),
            (*kind, *message),
            "{body}"
        );
        assert_eq!(err.code(), kind.code());
    }
    let big = " ".repeat(MAX_REVIEW_BYTES + 1);
    let err = admission::review_json(&big, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), AdmissionErrorKind::TooLarge);
}

#[test]
fn long_warnings_are_cut_to_what_kubernetes_keeps() {
    let name = "n".repeat(400);
    let object = pod(HUB, json!({"containers": [{"name": name, "image": "Bad"}]}));
    let response = admission::review(
        &review(json!({"uid": "u", "operation": "CREATE", "object": object})),
        &Options::default(),
    )
    .unwrap();
    let warning = &response.warnings()[0];
    assert_eq!(warning.len(), MAX_WARNING_BYTES);
    assert!(warning.ends_with("..."));
}

#[test]
fn custom_resources_use_the_same_kinds_table() {
    let rollout = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
        "spec": {"template": {"metadata": {"annotations": {ANNOTATION_KEY: HUB}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    let request = review(json!({"uid": "u", "operation": "CREATE", "object": rollout}));
    let response = admission::review(&request, &Options::default()).unwrap();
    let after = patched(&body_of(&response), &rollout);
    assert_eq!(
        after["spec"]["template"]["spec"]["containers"][0]["image"],
        "m.io/hub/nginx"
    );
    // A kind the caller adds is rewritten too, and shape-finding can be turned off.
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"annotations": {ANNOTATION_KEY: HUB}},
        "spec": {"runner": {"containers": [{"image": "redis"}]}}});
    let request = review(json!({"uid": "u", "operation": "CREATE", "object": widget}));
    let off = Options::default().find_by_shape(false);
    let response = admission::review(&request, &off).unwrap();
    assert!(body_of(&response)["response"].get("patch").is_none());
    let mut table = imgrepl_k8s::PodSpecTable::new();
    table.add("example.com", "Widget", "spec.runner").unwrap();
    let response = admission::review(&request, &off.pod_specs(&table)).unwrap();
    let after = patched(&body_of(&response), &widget);
    assert_eq!(
        after["spec"]["runner"]["containers"][0]["image"],
        "m.io/hub/redis"
    );
}

/// The body of a review of `request` as text.
fn text(request: Value) -> String {
    review(request).to_string()
}

#[test]
fn only_the_object_is_read_old_object_and_unknown_fields_are_skipped() {
    let object = pod(
        HUB,
        json!({"containers": [{"name": "web", "image": "nginx"}]}),
    );
    let deep_array = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(5000), "}".repeat(5000));
    // Text spliced into an otherwise valid body: (where, what), every case rewritten alike.
    let cases: Vec<String> = vec![
        // oldObject and an unknown field nested far past any reader's depth limit.
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"u","operation":"UPDATE","object":{object},"oldObject":{deep_array},"userInfo":{deep_object}}}}}"#
        ),
        // Unknown top-level fields before everything, nested too.
        format!(
            r#"{{"x":{deep_object},"request":{{"oldObject":{deep_object},"uid":"u","operation":"UPDATE","object":{object}}},"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"}}"#
        ),
        // A number serde_json would not hold as a Value, where it is not read.
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"u","operation":"UPDATE","object":{object},"oldObject":{{"n":1e400}}}}}}"#
        ),
        // Duplicate keys: the last one counts, as in a serde_json::Value.
        format!(
            r#"{{"apiVersion":"v2","apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"old","operation":"DELETE","object":null}},"request":{{"uid":"x","uid":"u","operation":"UPDATE","object":{object}}}}}"#
        ),
        // Whitespace everywhere, and a byte order mark.
        format!(
            "\u{feff} {{ \"apiVersion\" : \"admission.k8s.io/v1\" ,\n \"kind\" : \"AdmissionReview\" , \"request\" : {{ \"uid\" : \"u\" , \"operation\" : \"UPDATE\" , \"object\" :\n {object} \n}} }} \n"
        ),
    ];
    for body in &cases {
        let response = admission::review_json(body, &Options::default())
            .unwrap_or_else(|e| panic!("{e}: {}", &body[..body.len().min(200)]));
        assert_eq!(response.body.response.uid, "u");
        let after = patched(&body_of(&response), &object);
        assert_eq!(after["spec"]["containers"][0]["image"], "m.io/hub/nginx");
    }
}

#[test]
fn review_and_review_json_answer_alike() {
    let requests = [
        json!({"uid": "u", "operation": "CREATE", "object": pod(HUB, json!({"containers": [{"name": "a", "image": "nginx"}, {"image": "Bad"}]}))}),
        json!({"uid": "u", "operation": "UPDATE", "subResource": "ephemeralcontainers",
               "object": pod(HUB, json!({"containers": [{"image": "nginx"}], "ephemeralContainers": [{"image": "busybox"}]}))}),
        json!({"uid": "u", "operation": "UPDATE", "subResource": "status", "object": pod(HUB, json!({"containers": [{"image": "nginx"}]}))}),
        json!({"uid": "u", "operation": "CREATE", "object": 5}),
        json!({"uid": "u", "operation": "CREATE", "object": null}),
        json!({"uid": "u", "operation": "CREATE"}),
        json!({"uid": "u", "operation": 7, "object": pod(HUB, json!({"containers": [{"image": "nginx"}]}))}),
        json!({"uid": "u", "operation": "CREATE", "namespace": "imgrepl-system", "object": pod(HUB, json!({"containers": [{"image": "nginx"}]}))}),
        json!({"uid": "u", "operation": "CREATE", "object": pod("[1]", json!({"containers": [{"image": "nginx"}]}))}),
    ];
    for request in requests {
        for options in [
            Options::default(),
            Options::default().audit(true),
            Options::default().exclude_namespace("imgrepl-system"),
        ] {
            let from_value = admission::review(&review(request.clone()), &options).unwrap();
            let from_text = admission::review_json(&text(request.clone()), &options).unwrap();
            assert_eq!(from_value, from_text, "{request}");
        }
    }
    let not_reviews = [
        json!([]),
        json!("AdmissionReview"),
        json!({"kind": ["AdmissionReview"], "apiVersion": "admission.k8s.io/v1", "request": {"uid": "u"}}),
        json!({"kind": "AdmissionReview", "apiVersion": {"v": 1}, "request": {"uid": "u"}}),
        json!({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": [{"uid": "u"}]}),
        json!({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {"uid": null}}),
        json!({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {"uid": ["u"]}}),
    ];
    for body in not_reviews {
        let from_value = admission::review(&body, &Options::default()).unwrap_err();
        let from_text = admission::review_json(&body.to_string(), &Options::default()).unwrap_err();
        assert_eq!(from_value, from_text, "{body}");
    }
}

#[test]
fn limits_of_the_object_are_answered_with_a_warning() {
    let deep = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
    let body = |object: &str| {
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"u","operation":"CREATE","object":{object}}}}}"#
        )
    };
    let pod_with = |extra: &str| {
        format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"annotations":{{"coordinator.cci.io/image-replacement":{}}}}},"spec":{{"containers":[{{"image":"nginx"}}]}},"x":{extra}}}"#,
            serde_json::to_string(HUB).unwrap()
        )
    };
    let big = format!("\"{}\"", "x".repeat(imgrepl_k8s::MAX_OBJECT_BYTES));
    // (object text, the error's code and the start of the first warning, or None: rewritten)
    let cases: Vec<(String, Option<(&str, &str)>)> = vec![
        // 127 levels in all (the object's own and 126 arrays): read and rewritten.
        (pod_with(&deep(imgrepl_k8s::MAX_DEPTH - 1)), None),
        (
            pod_with(&deep(imgrepl_k8s::MAX_DEPTH)),
            Some((
                "object-too-deep",
                "imgrepl: left as it is: the object nests deeper than 127 levels, the most that is read",
            )),
        ),
        (
            pod_with(&deep(200)),
            Some((
                "object-too-deep",
                "imgrepl: left as it is: the object nests deeper than 127 levels",
            )),
        ),
        (
            pod_with(&big),
            Some((
                "object-too-large",
                "imgrepl: left as it is: the object is 3145941 bytes; at most 3145728 bytes",
            )),
        ),
        (
            pod_with("1e400"),
            Some((
                "object-invalid-json",
                "imgrepl: left as it is: not valid JSON: number out of range",
            )),
        ),
        (
            r#""a string""#.to_owned(),
            Some((
                "not-an-object",
                "imgrepl: left as it is: a Kubernetes object is a JSON object, not a string",
            )),
        ),
        (
            pod_with(&format!("\"{}\"", "y".repeat(300))).replace("nginx", &"n".repeat(5000)),
            Some(("image-too-long", "imgrepl: containers[0]: image")),
        ),
    ];
    for (object, expected) in &cases {
        let body = body(object);
        assert!(body.len() <= MAX_REVIEW_BYTES);
        let response = admission::review_json(&body, &Options::default()).unwrap();
        let r = &response.body.response;
        assert!(r.allowed);
        assert_eq!(r.uid, "u");
        match expected {
            None => {
                assert!(
                    r.patch.is_some() && !response.has_errors(),
                    "{:?}",
                    r.warnings
                );
            }
            Some((code, warning)) => {
                assert!(r.patch.is_none(), "{code}");
                assert!(response.has_errors(), "{code}");
                let got = response.error.as_ref().map_or_else(
                    || {
                        let report = response.report.as_ref().unwrap();
                        report
                            .errors()
                            .next()
                            .unwrap()
                            .error
                            .as_ref()
                            .unwrap()
                            .code()
                    },
                    imgrepl_k8s::WorkloadError::code,
                );
                assert_eq!(got, *code);
                assert!(r.warnings[0].starts_with(warning), "{:?}", r.warnings);
            }
        }
    }
}

#[test]
fn excluded_objects_and_namespaces_are_allowed_unchanged() {
    const EXCLUDE: &str = "imgrepl.io/exclude";
    let containers = json!({"containers": [{"name": "web", "image": "nginx"}]});
    let deployment = |own: Value, template: Value| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": own,
            "spec": {"template": {"metadata": template, "spec": containers.clone()}}})
    };
    let policy = json!({ANNOTATION_KEY: HUB});
    // (object, excluded, the warning's pointer)
    let cases: Vec<(Value, bool, Option<&str>)> = vec![
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {EXCLUDE: "true"}, "annotations": policy.clone()}, "spec": containers.clone()}),
            true,
            Some("/metadata/labels/imgrepl.io~1exclude"),
        ),
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": {EXCLUDE: "true", ANNOTATION_KEY: HUB}}, "spec": containers.clone()}),
            true,
            Some("/metadata/annotations/imgrepl.io~1exclude"),
        ),
        (
            deployment(
                json!({}),
                json!({"labels": {EXCLUDE: "true"}, "annotations": policy.clone()}),
            ),
            true,
            Some("/spec/template/metadata/labels/imgrepl.io~1exclude"),
        ),
        (
            deployment(
                json!({"annotations": {EXCLUDE: "true"}}),
                json!({"annotations": policy.clone()}),
            ),
            true,
            Some("/metadata/annotations/imgrepl.io~1exclude"),
        ),
        // Only "true" opts out; an invalid policy does not matter when excluded.
        (
            deployment(
                json!({"labels": {EXCLUDE: "false"}}),
                json!({"labels": {EXCLUDE: "yes"}, "annotations": policy.clone()}),
            ),
            false,
            None,
        ),
        (
            deployment(
                json!({"labels": {EXCLUDE: "true"}}),
                json!({"annotations": {ANNOTATION_KEY: "not json"}}),
            ),
            true,
            Some("/metadata/labels/imgrepl.io~1exclude"),
        ),
    ];
    for (object, excluded, pointer) in &cases {
        let request = review(
            json!({"uid": "u", "operation": "CREATE", "namespace": "shop", "object": object}),
        );
        let response = admission::review(&request, &Options::default()).unwrap();
        let report = response.report.as_ref().unwrap();
        assert_eq!(report.is_excluded(), *excluded, "{object}");
        assert_eq!(response.excluded.is_some(), *excluded);
        assert_eq!(response.body.response.patch.is_none(), *excluded);
        let warning = report
            .warnings
            .iter()
            .find(|w| w.code == imgrepl::Code::Excluded);
        assert_eq!(warning.map(|w| w.pointer.as_str()), *pointer);
        if *excluded {
            assert_eq!(response.excluded, Some(imgrepl::Code::Excluded));
            assert!(!response.has_errors());
            assert!(
                response.warnings()[0].starts_with("imgrepl: excluded: "),
                "{:?}",
                response.warnings()
            );
        }
        // The namespace excluded by the options: nothing is read, whatever the object says.
        for (namespace, excluded_namespace) in [("shop", true), ("other", false)] {
            let options = Options::default().exclude_namespace(namespace);
            let response = admission::review(&request, &options).unwrap();
            if excluded_namespace {
                assert_eq!(response.excluded, Some(imgrepl::Code::ExcludedNamespace));
                assert_eq!(
                    body_of(&response)["response"],
                    json!({"uid": "u", "allowed": true})
                );
                assert!(response.report.is_none() && response.error.is_none());
            } else {
                assert_eq!(response.excluded.is_some(), *excluded);
            }
        }
    }
}

#[test]
fn audit_mode_warns_instead_of_patching() {
    let object = pod(
        HUB,
        json!({"containers": [{"name": "web", "image": "nginx"}, {"image": "quay.io/x/y"}, {"name": "bad", "image": "Bad"}],
               "initContainers": [{"image": "busybox:1"}], "imagePullSecrets": [{"name": "m"}]}),
    );
    let request = review(json!({"uid": "u", "operation": "CREATE", "object": object}));
    let normal = admission::review(&request, &Options::default()).unwrap();
    let audit = admission::review(&request, &Options::default().audit(true)).unwrap();
    assert!(normal.body.response.patch.is_some() && !normal.audit);
    let r = &audit.body.response;
    assert!(audit.audit && r.allowed && r.patch.is_none() && r.patch_type.is_none());
    assert_eq!(
        r.warnings,
        [
            "imgrepl: audit: would rewrite containers[0] \"web\" from \"nginx\" to \"m.io/hub/nginx\" (rule 0, prefix \"\")",
            "imgrepl: audit: would rewrite initContainers[0] from \"busybox:1\" to \"m.io/hub/busybox:1\" (rule 0, prefix \"\")",
            "imgrepl: containers[2] \"bad\": image \"Bad\" left as it is: invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0",
        ]
    );
    // The report is the same: it says what would be rewritten.
    assert_eq!(audit.report, normal.report);
    assert!(audit.has_errors());
    // Under the cap: many containers give at most MAX_WARNINGS warnings.
    let many: Vec<Value> = (0..40)
        .map(|i| json!({"image": format!("app-{i}")}))
        .collect();
    let request = review(
        json!({"uid": "u", "operation": "CREATE", "object": pod(HUB, json!({"containers": many}))}),
    );
    let audit = admission::review(&request, &Options::default().audit(true)).unwrap();
    assert_eq!(audit.warnings().len(), admission::MAX_WARNINGS);
    assert_eq!(
        audit.warnings()[admission::MAX_WARNINGS - 1],
        "imgrepl: and 27 more warnings"
    );
}

#[test]
fn a_policy_cache_changes_nothing_but_the_work() {
    let cache = imgrepl_k8s::PolicyCache::new(64, 1 << 20);
    let warned = r#"[{"repositoryPrefix": "docker.io", "replaceWith": "m.io/hub"}, {"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#;
    let objects = [
        pod(HUB, json!({"containers": [{"image": "nginx"}]})),
        pod(
            warned,
            json!({"containers": [{"image": "nginx"}, {"image": "docker.io/x/y"}]}),
        ),
        pod(
            r#"[{"repositoryPrefix": "a.io", "replacewith": "b.io"}]"#,
            json!({"containers": [{"image": "a.io/x"}]}),
        ),
        pod("not json", json!({"containers": [{"image": "nginx"}]})),
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment", "spec": {"templates": [
            {"template": {"metadata": {"annotations": {ANNOTATION_KEY: HUB}}, "spec": {"containers": [{"image": "a"}]}}},
            {"template": {"metadata": {"annotations": {ANNOTATION_KEY: warned}}, "spec": {"containers": [{"image": "b"}]}}},
            {"template": {"metadata": {"annotations": {ANNOTATION_KEY: HUB}}, "spec": {"containers": [{"image": "c"}]}}}]}}),
    ];
    for mode in [
        imgrepl::MatchMode::LongestPrefix,
        imgrepl::MatchMode::ExactParent,
    ] {
        for _ in 0..2 {
            for object in &objects {
                let plain = Options::default().mode(mode);
                let cached = plain.policy_cache(&cache);
                assert_eq!(
                    imgrepl_k8s::rewrite(object, &cached),
                    imgrepl_k8s::rewrite(object, &plain),
                    "{object}"
                );
                let request = review(json!({"uid": "u", "operation": "CREATE", "object": object}));
                assert_eq!(
                    admission::review(&request, &cached).unwrap(),
                    admission::review(&request, &plain).unwrap()
                );
            }
        }
    }
    let stats = cache.stats();
    // Four distinct annotations in two modes.
    assert_eq!((stats.misses, stats.entries, stats.evictions), (8, 8, 0));
    assert!(stats.hits > 8);
}
