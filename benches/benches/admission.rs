//! `admission`: `imgrepl_k8s::admission::review_json` on typical `AdmissionReview` requests (a Pod,
//! a 3-container Deployment, a 40-container Pod; see `imgrepl_benches::admission`) beside the
//! floor of any `serde_json` webhook: reading the same body into a `serde_json::Value` and
//! writing the same response body to a `String`.
//!
//! Before timing, each response must allow the object, echo the uid, and carry exactly the
//! expected JSON Patch (decoded from its base64 and compared operation by operation); the floor
//! must write the same response text `Response::to_json` does.

use std::hint::black_box;

use base64::Engine as _;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imgrepl_benches::admission::{Review, reviews};
use imgrepl_k8s::{Options, admission};
use serde_json::{Value, json};

/// The floor: what every webhook written with `serde_json` does with this body at least — read
/// the request into a `Value`, write the (already known) response body.
fn floor(body: &str, response: &admission::ReviewBody) -> usize {
    let request: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    black_box(&request);
    serde_json::to_string(response).map_or(0, |s| s.len())
}

/// Asserts that imgrepl answers `review` with its expected patch; returns the response.
fn check(review: &Review) -> admission::Response {
    let response = admission::review_json(&review.body, &Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", review.name));
    let body = &response.body.response;
    assert!(body.allowed, "{}", review.name);
    assert_eq!(body.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
    assert_eq!(body.patch_type, Some("JSONPatch"), "{}", review.name);
    let patch = base64::engine::general_purpose::STANDARD
        .decode(body.patch.as_deref().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{}: the patch is not base64: {e}", review.name));
    let patch: Value = serde_json::from_slice(&patch)
        .unwrap_or_else(|e| panic!("{}: the patch is not JSON: {e}", review.name));
    let want: Vec<Value> = review
        .patch
        .iter()
        .map(|(path, value)| json!({"op": "replace", "path": path, "value": value}))
        .collect();
    assert_eq!(patch, Value::Array(want), "{}", review.name);
    assert!(!response.has_errors(), "{}", review.name);
    let text = response.to_json();
    let floor_len = floor(&review.body, &response.body);
    assert_eq!(floor_len, text.len(), "{}", review.name);
    response
}

fn admission(c: &mut Criterion) {
    let reviews = reviews();
    let mut group = c.benchmark_group("admission");
    for review in &reviews {
        let response = check(review);
        println!(
            "admission/{}: request {} bytes, response {} bytes, {} images rewritten, {} warnings",
            review.name,
            review.body.len(),
            response.to_json().len(),
            review.patch.len(),
            response.warnings().len()
        );
        group.throughput(Throughput::Bytes(review.body.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("imgrepl/review_json", review.name),
            &review.body,
            |b, body| {
                b.iter(|| {
                    admission::review_json(black_box(body), &Options::default())
                        .map_or(0, |r| r.body.response.patch.map_or(0, |p| p.len()))
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("floor/serde_json", review.name),
            &review.body,
            |b, body| b.iter(|| floor(black_box(body), &response.body)),
        );
    }
    group.finish();
}

criterion_group!(benches, admission);
criterion_main!(benches);
