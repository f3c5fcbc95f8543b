//! The JSON shape of the Kubernetes reports, errors and `AdmissionReview` answers, as whole
//! strings: the CLI, the C layer and the JS layer all print what this crate serializes, so the
//! shape and the key order are fixed here (core's in `core/tests/json_shape.rs`).
//!
//! The strings must not depend on `serde_json`'s `preserve_order` feature, which feature
//! unification turns on in workspace builds (the CLI enables it) and not in a C or WASM build:
//! `cargo xtask test` runs this file both in the workspace and alone
//! (`cargo test -p imgrepl-k8s --test json_shape`, where `preserve_order` is off).

use imgrepl_k8s::{Options, admission};
use serde_json::json;

const POLICY: &str = r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#;

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn workload_reports_and_errors() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"annotations": {imgrepl_k8s::ANNOTATION_KEY: POLICY}},
        "spec": {"containers": [{"name": "web", "image": "nginx"}, {"name": "x", "image": 7}]}});
    let report = imgrepl_k8s::rewrite(&pod, &Options::default()).unwrap();
    assert_eq!(
        to_json(&report),
        r#"{"kind":{"group":"","kind":"Pod","foundBy":"table"},"policy":{"origin":"pod","pointer":"/metadata/annotations/coordinator.cci.io~1image-replacement","annotation":"[{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io/hub\"}]","diagnostics":[]},"containers":[{"list":"containers","index":0,"name":"web","pointer":"/spec/containers/0/image","before":"nginx","after":"m.io/hub/nginx","rule":{"index":0,"repositoryPrefix":"","replaceWith":"m.io/hub"},"error":null},{"list":"containers","index":1,"name":"x","pointer":"/spec/containers/1/image","before":null,"after":null,"rule":null,"error":{"code":"image-not-string","message":"/spec/containers/1/image must be a string, not a number","offset":null}}],"patch":[{"op":"replace","path":"/spec/containers/0/image","value":"m.io/hub/nginx"}],"warnings":[{"code":"anonymous-pull","message":"images move to m.io (containers[0] \"web\"), but the pod spec has no imagePullSecrets: the pull will be anonymous","pointer":"/spec"}],"podSpecs":[{"pointer":"/spec","template":"","policy":{"origin":"pod","pointer":"/metadata/annotations/coordinator.cci.io~1image-replacement","annotation":"[{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io/hub\"}]","diagnostics":[]},"burst":null,"notBursting":false,"excluded":false,"imagePullSecrets":[]}],"burst":null}"#
    );
    let err = imgrepl_k8s::rewrite_json("[1]", &Options::default()).unwrap_err();
    assert_eq!(
        to_json(&err),
        r#"{"code":"not-an-object","message":"a Kubernetes object is a JSON object, not an array","pointer":"","offset":null,"policy":null}"#
    );
}

#[test]
fn admission_responses_have_one_key_order() {
    let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "u1", "operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"annotations": {imgrepl_k8s::ANNOTATION_KEY: POLICY}},
            "spec": {"containers": [{"name": "web", "image": "Nginx"}, {"name": "b", "image": "busybox"}]}}}});
    let response = admission::review(&review, &Options::default()).unwrap();
    let body = r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true,"patchType":"JSONPatch","patch":"W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9zcGVjL2NvbnRhaW5lcnMvMS9pbWFnZSIsInZhbHVlIjoibS5pby9odWIvYnVzeWJveCJ9XQ==","warnings":["imgrepl: images move to m.io (containers[1] \"b\"), but the pod spec has no imagePullSecrets: the pull will be anonymous","imgrepl: containers[0] \"web\": image \"Nginx\" left as it is: invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0"]}}"#;
    assert_eq!(response.to_json(), body);
    assert_eq!(to_json(&response.body), body);
    let whole = to_json(&response);
    assert!(whole.starts_with(&format!(
        r#"{{"body":{body},"report":{{"kind":{{"group":"","kind":"Pod","foundBy":"table"}},"#
    )));
    assert!(whole.ends_with(r#","error":null,"excluded":null,"audit":false}"#));
    let err = admission::review_json("{", &Options::default()).unwrap_err();
    assert_eq!(
        to_json(&err),
        r#"{"code":"review-invalid-json","message":"the AdmissionReview is not valid JSON: EOF while parsing an object at line 1, column 2 (byte 1)"}"#
    );
}

#[test]
fn patch_errors_name_their_path() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"annotations": {imgrepl_k8s::ANNOTATION_KEY: POLICY}},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    let report = imgrepl_k8s::rewrite(&pod, &Options::default()).unwrap();
    let err = report.apply(&mut json!({"kind": "Pod"})).unwrap_err();
    assert_eq!(
        to_json(&err),
        r#"{"code":"patch-path-missing","message":"the patch path /spec/containers/0/image does not exist in the object","path":"/spec/containers/0/image"}"#
    );
    assert_eq!(
        err.to_string(),
        "the patch path /spec/containers/0/image does not exist in the object"
    );
}
