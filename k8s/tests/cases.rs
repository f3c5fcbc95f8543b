//! The hard cases of `testdata/cases/admission/` as the library sees them: each pins the
//! expected behaviour. Those of `testdata/cases/policy/` are in `core/tests/cases.rs`; the
//! command-line side of the same cases is in `cli/tests/cases.rs`.

use imgrepl::Policy;
use imgrepl_k8s::admission::{self, MAX_WARNING_BYTES, MAX_WARNINGS};
use imgrepl_k8s::{MAX_OBJECT_BYTES, Options, WorkloadErrorKind};

fn case(path: &str) -> String {
    let file = format!("{}/../testdata/cases/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn review_case(path: &str) -> admission::Response {
    admission::review_json(&case(path), &Options::default()).unwrap()
}

#[test]
fn bom_before_an_admission_review_is_skipped() {
    let response = review_case("admission/bom.json");
    assert!(!response.has_errors());
    assert!(response.body.response.patch.is_some());
    assert_eq!(
        response.report.unwrap().containers[0].after.as_deref(),
        Some("m.io/hub/nginx")
    );
}

#[test]
fn admission_warnings_are_capped_where_the_api_server_keeps_them() {
    let response = review_case("admission/many_errors_review.json");
    let warnings = response.warnings();
    assert_eq!(warnings.len(), MAX_WARNINGS);
    assert!(warnings.iter().all(|w| w.len() <= MAX_WARNING_BYTES));
    // The API server keeps 4,096 characters of warnings in all.
    assert!(warnings.iter().map(String::len).sum::<usize>() <= 4096);
    // 5,372 in all: 14 shown, the last line counts the others.
    assert_eq!(
        warnings[MAX_WARNINGS - 1],
        "imgrepl: and 5358 more warnings"
    );
    assert!(response.to_json().len() < 8192);
}

#[test]
fn the_object_limit_of_an_admission_review_holds() {
    let review = |object_len: usize| {
        let head =
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"pad":""#;
        let tail = r#""}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#;
        let pad = "x".repeat(object_len - head.len() - tail.len());
        let object = format!("{head}{pad}{tail}");
        assert_eq!(object.len(), object_len);
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"u","operation":"CREATE","object":{object}}}}}"#
        )
    };
    let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#).unwrap();
    let options = Options::default().policy(&policy);
    let at_limit = admission::review_json(&review(MAX_OBJECT_BYTES), &options).unwrap();
    assert!(!at_limit.has_errors());
    assert!(at_limit.body.response.patch.is_some());

    let over = admission::review_json(&review(MAX_OBJECT_BYTES + 1), &options).unwrap();
    assert!(over.has_errors());
    assert!(over.body.response.allowed);
    assert_eq!(over.body.response.patch, None);
    assert_eq!(
        over.error.as_ref().map(imgrepl_k8s::WorkloadError::kind),
        Some(WorkloadErrorKind::TooLarge)
    );
    assert_eq!(
        over.warnings(),
        [format!(
            "imgrepl: left as it is: the object is {} bytes; at most 3145728 bytes (3 MiB, the Kubernetes request limit) are accepted",
            MAX_OBJECT_BYTES + 1
        )]
    );
}
