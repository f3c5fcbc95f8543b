//! The API through wasm-bindgen, run in Node by `wasm-bindgen-test-runner`
//! (`cargo test -p imgrepl-wasm --target wasm32-unknown-unknown`): the JavaScript values the
//! functions return, and the `Error` objects they throw.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::float_cmp,
    reason = "JS numbers checked to be exact indices"
)]

use imgrepl_wasm::{Policy, parse_reference, validate_policy, version};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const SEED: &str = r#"[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}
]"#;

#[track_caller]
fn get(v: &JsValue, path: &str) -> JsValue {
    let mut at = v.clone();
    for key in path.split('.') {
        at = if let Ok(i) = key.parse::<u32>() {
            Array::from(&at).get(i)
        } else {
            Reflect::get(&at, &JsValue::from_str(key)).unwrap()
        };
    }
    at
}

#[track_caller]
fn string(v: &JsValue, path: &str) -> String {
    get(v, path)
        .as_string()
        .unwrap_or_else(|| panic!("{path} is not a string"))
}

/// A property that must be a small non-negative integer (an index or an offset).
#[track_caller]
fn number(v: &JsValue, path: &str) -> usize {
    let n = get(v, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number"));
    usize::try_from(n as i64)
        .ok()
        .filter(|u| *u as f64 == n)
        .unwrap_or_else(|| panic!("{path} = {n} is not an index"))
}

fn options<T: JsCast>(pairs: &[(&str, &str)]) -> T {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v)).unwrap();
    }
    o.unchecked_into()
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

/// The text `span` (UTF-16 code units) covers in `text`.
fn slice16(text: &str, v: &JsValue, path: &str) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let (start, end) = (
        number(v, &format!("{path}.start")),
        number(v, &format!("{path}.end")),
    );
    String::from_utf16(&units[start..end]).unwrap()
}

#[wasm_bindgen_test]
fn validate_reports_diagnostics_with_utf16_spans() {
    // "😀" is 4 UTF-8 bytes and 2 UTF-16 units; "é" 2 bytes and 1 unit. Core points at the
    // first character that is not valid.
    let text = r#"[{"repositoryPrefix": "a.io/😀x", "replaceWith": "m.io"},
                  {"repositoryPrefix": "b.io", "replaceWith": "m.io/é"}]"#;
    let v = validate_policy(text).unwrap();
    assert_eq!(get(&v, "ok").as_bool(), Some(false));
    assert_eq!(number(&v, "rules"), 0);
    assert_eq!(string(&v, "diagnostics.0.code"), "invalid-prefix");
    assert_eq!(string(&v, "diagnostics.0.severity"), "error");
    assert_eq!(string(&v, "diagnostics.0.pointer"), "/0/repositoryPrefix");
    assert_eq!(string(&v, "diagnostics.0.field"), "repositoryPrefix");
    assert_eq!(number(&v, "diagnostics.0.rule"), 0);
    assert!(get(&v, "diagnostics.0.related").is_null());
    assert_eq!(slice16(text, &v, "diagnostics.0.span"), "😀");
    assert_eq!(string(&v, "diagnostics.1.code"), "invalid-replacement");
    assert_eq!(number(&v, "diagnostics.1.rule"), 1);
    assert_eq!(slice16(text, &v, "diagnostics.1.span"), "é");
}

#[wasm_bindgen_test]
fn duplicate_prefix_relates_to_the_first() {
    let text = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/ü"}, {"repositoryPrefix": "a.io", "replaceWith": "n.io"}]"#;
    let v = validate_policy(text).unwrap();
    let codes: Vec<String> = Array::from(&get(&v, "diagnostics"))
        .iter()
        .map(|d| string(&d, "code"))
        .collect();
    assert_eq!(codes, ["invalid-replacement", "duplicate-prefix"]);
    assert_eq!(slice16(text, &v, "diagnostics.1.span"), "\"a.io\"");
    assert_eq!(slice16(text, &v, "diagnostics.1.related"), "\"a.io\"");
    assert!(number(&v, "diagnostics.1.related.start") < number(&v, "diagnostics.1.span.start"));
}

#[wasm_bindgen_test]
fn parse_throws_an_error_with_code_and_diagnostics() {
    let err = Policy::parse(r#"[{"repositoryPrefix": "a.io"}]"#, None).unwrap_err();
    let e: js_sys::Error = err.clone().dyn_into().expect("an Error object");
    assert_eq!(string(&err, "code"), "invalid-policy");
    assert_eq!(
        String::from(e.message()),
        "invalid image replacement policy: error[missing-field] at /0/replaceWith: rule 0 has no \"replaceWith\""
    );
    assert_eq!(string(&err, "diagnostics.0.code"), "missing-field");
}

#[wasm_bindgen_test]
fn parse_refuses_an_unknown_mode() {
    let err = Policy::parse(SEED, Some(options(&[("mode", "shortest")]))).unwrap_err();
    assert_eq!(string(&err, "code"), "invalid-argument");
    assert!(string(&err, "message").contains("\"shortest\""));
}

#[wasm_bindgen_test]
fn rewrite_throws_with_code_and_utf16_offset() {
    let policy = Policy::parse(SEED, None).unwrap();
    let err = policy.rewrite("é/Team").unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(string(&err, "code"), "invalid-format");
    let err = policy.rewrite("team/App").unwrap_err();
    assert_eq!(string(&err, "code"), "uppercase");
    assert_eq!(number(&err, "offset"), 5);
}

#[wasm_bindgen_test]
fn rewrite_all_refuses_what_is_not_a_string() {
    // Each image's row is in the case table (js-tests/cases.test.mjs); here, a bad argument.
    let policy = Policy::parse(SEED, Some(options(&[("mode", "exact-parent")]))).unwrap();
    assert_eq!(policy.mode(), "exact-parent");
    let mixed: Array = [JsValue::from_str("nginx"), JsValue::from(3)]
        .iter()
        .collect();
    let err = policy.rewrite_all(mixed).unwrap_err();
    assert_eq!(string(&err, "code"), "invalid-argument");
}

#[wasm_bindgen_test]
fn rules_and_warnings() {
    let text = r#"[{"repositoryPrefix": "docker.io", "replaceWith": "é.io"}]"#;
    let err = Policy::parse(text, None).unwrap_err();
    assert_eq!(string(&err, "diagnostics.0.code"), "invalid-replacement");
    let text = r#"[{"repositoryPrefix": "docker.io", "replaceWith": "m.io"}]"#;
    let policy = Policy::parse(text, None).unwrap();
    let rules = policy.rules().unwrap();
    assert_eq!(string(&rules, "0.repositoryPrefix"), "docker.io");
    assert_eq!(string(&rules, "0.replaceWith"), "m.io");
    let warnings = policy.warnings().unwrap();
    assert_eq!(string(&warnings, "0.code"), "docker-hub-prefix");
    assert_eq!(number(&warnings, "0.span.start"), 22);
}

#[wasm_bindgen_test]
fn parse_reference_gives_three_views() {
    let r = parse_reference("nginx").unwrap();
    assert_eq!(get(&r, "written.ok").as_bool(), Some(true));
    assert_eq!(string(&r, "written.value.path"), "nginx");
    assert!(get(&r, "written.value.domain").is_null());
    assert_eq!(
        string(&r, "normalized.value.name"),
        "docker.io/library/nginx"
    );
    assert_eq!(string(&r, "normalized.value.familiar"), "nginx");
    assert_eq!(
        string(&r, "dockerRef.value"),
        "docker.io/library/nginx:latest"
    );
    let r = parse_reference("😀/App").unwrap();
    assert_eq!(get(&r, "written.ok").as_bool(), Some(false));
    assert!(get(&r, "written.value").is_null());
    assert_eq!(string(&r, "written.error.code"), "invalid-format");
}

/// `rewriteWorkload` is in the `workload` build only.
#[cfg(feature = "workload")]
mod manifest {
    use super::*;
    use imgrepl_wasm::rewrite_workload;

    #[wasm_bindgen_test]
    fn rewrite_workload_json() {
        let pod = r#"{"apiVersion": "v1", "kind": "Pod",
          "metadata": {"name": "p", "annotations": {"coordinator.cci.io/image-replacement": "[{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io/hub\"}]"}},
          "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}, {"name": "bad", "image": "Nginx"}]}}"#;
        let r = rewrite_workload(pod, None).unwrap();
        assert_eq!(
            string(&r, "output"),
            pod.replace("\"nginx:1.27\"", "\"m.io/hub/nginx:1.27\"")
        );
        let doc = get(&r, "documents.0");
        assert_eq!(number(&doc, "document"), 1);
        assert_eq!(string(&doc, "syntax"), "json");
        assert!(get(&doc, "error").is_null());
        let object = get(&doc, "objects.0");
        assert_eq!(string(&object, "kind"), "Pod");
        assert_eq!(string(&object, "name"), "p");
        assert_eq!(string(&object, "report.kind.kind"), "Pod");
        assert_eq!(string(&object, "report.kind.foundBy"), "table");
        assert_eq!(string(&object, "report.policy.origin"), "pod");
        assert_eq!(
            string(&object, "report.containers.0.after"),
            "m.io/hub/nginx:1.27"
        );
        assert_eq!(
            get(&object, "report.containers.0.changed").as_bool(),
            Some(true)
        );
        assert_eq!(number(&object, "report.containers.0.rule.index"), 0);
        assert_eq!(
            string(&object, "report.containers.1.error.code"),
            "uppercase"
        );
        assert_eq!(string(&doc, "patch.0.op"), "replace");
        assert_eq!(string(&doc, "patch.0.path"), "/spec/containers/0/image");
        assert_eq!(string(&doc, "patch.0.value"), "m.io/hub/nginx:1.27");
        assert_eq!(Array::from(&get(&doc, "patch")).length(), 1);
    }

    #[wasm_bindgen_test]
    fn rewrite_workload_yaml_documents_edited_in_place() {
        let yaml = "# web\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: 'harbor.domain/team/app:1'  # pinned\n---\nkind: [\n";
        let r = rewrite_workload(yaml, Some(options(&[("policy", SEED)]))).unwrap();
        assert_eq!(
            string(&r, "output"),
            yaml.replace(
                "'harbor.domain/team/app:1'",
                "'swr.cn-north-4.myhuaweicloud.com/org1/team/app:1'"
            )
        );
        assert_eq!(string(&r, "documents.0.syntax"), "yaml");
        assert_eq!(
            string(&r, "documents.0.objects.0.report.policy.origin"),
            "caller"
        );
        assert_eq!(
            string(&r, "documents.0.patch.0.path"),
            "/spec/template/spec/containers/0/image"
        );
        // The second document cannot be read: reported there, with its line; the first is edited.
        assert_eq!(number(&r, "documents.1.document"), 2);
        assert_eq!(string(&r, "documents.1.error.code"), "invalid-yaml");
        assert!(number(&r, "documents.1.error.line") >= 12);
        assert_eq!(Array::from(&get(&r, "documents.1.objects")).length(), 0);
    }

    #[wasm_bindgen_test]
    fn rewrite_workload_with_a_caller_policy_and_mode() {
        let pod = r#"{"apiVersion": "v1", "kind": "Pod",
          "spec": {"containers": [{"name": "web", "image": "harbor.domain/team/app:1"}]}}"#;
        let r = rewrite_workload(pod, Some(options(&[("policy", SEED)]))).unwrap();
        let rows = "documents.0.objects.0.report.containers";
        assert_eq!(
            string(&r, &format!("{rows}.0.after")),
            "swr.cn-north-4.myhuaweicloud.com/org1/team/app:1"
        );
        let r = rewrite_workload(
            pod,
            Some(options(&[("policy", SEED), ("mode", "exact-parent")])),
        )
        .unwrap();
        assert_eq!(
            string(&r, &format!("{rows}.0.after")),
            "harbor.domain/team/app:1"
        );
        let err = rewrite_workload(pod, Some(options(&[("policy", "[")]))).unwrap_err();
        assert_eq!(string(&err, "code"), "invalid-policy");
    }

    #[wasm_bindgen_test]
    fn an_invalid_annotation_is_the_object_error() {
        let pod = r#"{"apiVersion": "v1", "kind": "Pod",
          "metadata": {"annotations": {"coordinator.cci.io/image-replacement": "[{\"repositoryPrefix\": \"é\"}]"}},
          "spec": {"containers": [{"image": "nginx"}]}}"#;
        let r = rewrite_workload(pod, None).unwrap();
        let e = get(&r, "documents.0.objects.0.error");
        assert_eq!(string(&e, "code"), "invalid-policy");
        // The diagnostics' spans count UTF-16 units of the annotation's text.
        let annotation = string(&e, "policy.annotation");
        assert_eq!(string(&e, "policy.diagnostics.0.code"), "missing-field");
        assert_eq!(string(&e, "policy.diagnostics.1.code"), "invalid-prefix");
        assert_eq!(slice16(&annotation, &e, "policy.diagnostics.1.span"), "é");
    }
}

#[cfg(feature = "toolkit")]
#[wasm_bindgen_test]
fn export_policy_writes_each_format_and_names_what_it_cannot_express() {
    let policy = Policy::parse(SEED, None).unwrap();
    let map = imgrepl_wasm::export_policy(
        &policy,
        "mutating-admission-policy",
        Some(options(&[("apiVersion", "v1"), ("name", "mirrors")])),
    )
    .unwrap();
    let text = string(&map, "files.0.text");
    assert!(text.starts_with(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingAdmissionPolicy\nmetadata:\n  name: mirrors\n"
    ));
    assert_eq!(get(&map, "exact").as_bool(), Some(true));

    let conf = imgrepl_wasm::export_policy(&policy, "registries-conf", None).unwrap();
    assert_eq!(string(&conf, "files.0.path"), "registries.conf");
    assert!(string(&conf, "files.0.text").contains(
        "[[registry]]\nprefix = \"harbor.domain\"\nlocation = \"swr.cn-north-4.myhuaweicloud.com/org1\"\n"
    ));
    assert_eq!(get(&conf, "exact").as_bool(), Some(false));
    assert_eq!(number(&conf, "inexact.0.rule"), 1);
    assert_eq!(string(&conf, "inexact.0.cause"), "empty-prefix");
    assert_eq!(string(&conf, "inexact.1.cause"), "repository-itself");

    let hosts = imgrepl_wasm::export_policy(&policy, "containerd-hosts", None).unwrap();
    assert_eq!(string(&hosts, "files.0.path"), "harbor.domain/hosts.toml");
    assert_eq!(string(&hosts, "inexact.1.cause"), "path-prefix");

    let err = imgrepl_wasm::export_policy(&policy, "yaml", None).unwrap_err();
    assert_eq!(string(&err, "code"), "invalid-argument");
    let err = imgrepl_wasm::export_policy(
        &policy,
        "mutating-admission-policy",
        Some(options(&[("apiVersion", "v2")])),
    )
    .unwrap_err();
    assert_eq!(string(&err, "code"), "invalid-argument");
}
