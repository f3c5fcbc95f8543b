//! The JSON shape of every public result and error of core, as whole strings: the CLI, the C
//! layer and the JS layer all print what core serializes, so the shape and the key order are
//! fixed here (those of `imgrepl-k8s` in `k8s/tests/json_shape.rs`).
//!
//! The strings must not depend on `serde_json`'s `preserve_order` feature, which feature
//! unification turns on for core in workspace builds (the CLI enables it) and not in a C or WASM
//! build: `cargo xtask test` runs this file both in the workspace and alone
//! (`cargo test -p imgrepl --test json_shape`, where `preserve_order` is off).

use imgrepl::{Policy, Reference};

const POLICY: &str = r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#;

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn references_and_their_errors() {
    assert_eq!(
        to_json(&Reference::parse("a.io/b:1").unwrap()),
        r#"{"string":"a.io/b:1","name":"a.io/b","domain":"a.io","path":"b","tag":"1","digest":null}"#
    );
    assert_eq!(
        to_json(&Reference::parse("a.io/B").unwrap_err()),
        r#"{"code":"uppercase","message":"repository name must be lowercase: uppercase letter in repository path at byte 5","kind":"repository name must be lowercase","reason":"uppercase letter in repository path","offset":5}"#
    );
    assert_eq!(
        to_json(&Reference::parse_normalized("team/app").unwrap()),
        r#"{"string":"docker.io/team/app","name":"docker.io/team/app","domain":"docker.io","path":"team/app","tag":null,"digest":null,"familiar":"team/app","familiarName":"team/app"}"#
    );
}

#[test]
fn policies_and_diagnostics() {
    let json = r#"[{"repositoryPrefix": "a.io"}]"#;
    let err = Policy::from_json(json).unwrap_err();
    assert_eq!(
        to_json(&err),
        r#"{"code":"invalid-policy","message":"invalid image replacement policy: error[missing-field] at /0/replaceWith: rule 0 has no \"replaceWith\"","diagnostics":[{"severity":"error","code":"missing-field","message":"rule 0 has no \"replaceWith\"","index":0,"field":"replaceWith","pointer":"/0/replaceWith","span":{"start":1,"end":29},"related":null}]}"#
    );
    assert_eq!(
        to_json(&Policy::validate(POLICY)),
        r#"{"ok":true,"rules":[{"repositoryPrefix":"","replaceWith":"m.io/hub"}],"diagnostics":[]}"#
    );
}

#[test]
fn rewrites_batches_and_explanations() {
    let policy = Policy::from_json(POLICY).unwrap();
    assert_eq!(
        to_json(&policy.rewrite("nginx").unwrap()),
        r#"{"image":"m.io/hub/nginx","rule":0}"#
    );
    assert_eq!(
        to_json(&policy.rewrite_batch(["nginx", "a.io/x", "Bad"])),
        r#"{"output":"m.io/hub/nginxa.io/xBad","items":[{"span":{"start":0,"end":14},"rule":0,"error":null},{"span":{"start":14,"end":20},"rule":null,"error":null},{"span":{"start":20,"end":23},"rule":null,"error":{"code":"uppercase","message":"invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0","offset":0,"rule":null}}]}"#
    );
    assert_eq!(
        to_json(&policy.explain("nginx")),
        r#"{"image":"nginx","mode":"longest-prefix","candidates":[{"prefix":"","rule":0,"parent":true}],"rule":0,"longestPrefixRule":0,"exactParentRule":0,"modesDisagree":false,"result":"m.io/hub/nginx","error":null,"outcome":{"kind":"rewritten","via":"empty-prefix"},"reason":"rewritten by rule 0: the image has no '/', so the rule with the empty prefix applies"}"#
    );
}
