//! The `AdmissionReview` helper: whole responses, the base64 patch decoded with the `base64` crate
//! and applied with the `json-patch` crate, and every way a request can be wrong.

use base64::Engine as _;
use imgrepl::workload::Options;
use imgrepl::workload::admission::{self, AdmissionErrorKind, MAX_REVIEW_BYTES, MAX_WARNING_BYTES};
use imgrepl::{ANNOTATION_KEY, Policy};
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
    let mut table = imgrepl::workload::PodSpecTable::new();
    table.add("example.com", "Widget", "spec.runner").unwrap();
    let response = admission::review(&request, &off.pod_specs(&table)).unwrap();
    let after = patched(&body_of(&response), &widget);
    assert_eq!(
        after["spec"]["runner"]["containers"][0]["image"],
        "m.io/hub/redis"
    );
}
