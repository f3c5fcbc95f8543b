//! Conformance against the reference implementation's recorded answers.
//!
//! Every record of `testdata/reference-sample.jsonl` is compared, view by view and field by
//! field; errors are compared by kind (the codes of docs/DESIGN.md §1.4). Deviations may only be
//! listed, with a reason, in `testdata/expected-failures.txt`, and that list must stay empty.

mod common;

const SAMPLE: &str = include_str!("../../testdata/reference-sample.jsonl");
const EXPECTED_FAILURES: &str = include_str!("../../testdata/expected-failures.txt");

#[test]
fn every_record_matches_the_reference_implementation() {
    let expected: Vec<String> = EXPECTED_FAILURES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let json = l.split(" # ").next().unwrap();
            serde_json::from_str::<String>(json).expect("an expected failure is a JSON string")
        })
        .collect();
    let report = common::check_corpus(SAMPLE, &expected);
    assert_eq!(report.count, 506, "the sample has 506 records");
    report.assert_clean("reference-sample.jsonl");
}
