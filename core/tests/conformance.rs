//! Conformance against the reference implementation's recorded answers.
//!
//! Every record of `testdata/reference-sample.jsonl` is compared, view by view and field by
//! field; errors are compared by kind (the codes of DESIGN.md §1). Deviations may only be listed,
//! with a reason, in `testdata/expected-failures.txt`, and that list must stay empty.

use imgrepl::{ParseError, ParseErrorKind, Reference};
use serde_json::Value;

const SAMPLE: &str = include_str!("../../testdata/reference-sample.jsonl");
const EXPECTED_FAILURES: &str = include_str!("../../testdata/expected-failures.txt");

/// The kind of a message of the reference implementation.
fn kind_of(message: &str) -> ParseErrorKind {
    match message {
        "repository name must have at least one component" => ParseErrorKind::Empty,
        "invalid reference format" => ParseErrorKind::InvalidFormat,
        "repository name must be lowercase" => ParseErrorKind::Uppercase,
        "repository name must not be more than 255 characters" => ParseErrorKind::NameTooLong,
        "unsupported digest algorithm" => ParseErrorKind::DigestUnsupported,
        "invalid checksum digest length" => ParseErrorKind::DigestLength,
        "invalid checksum digest format" => ParseErrorKind::DigestFormat,
        m if m.starts_with("invalid reference format: repository name (")
            && m.ends_with(") must be lowercase") =>
        {
            ParseErrorKind::Uppercase
        }
        m if m.starts_with("invalid repository name (")
            && m.ends_with("), cannot specify 64-byte hexadecimal strings") =>
        {
            ParseErrorKind::HexName
        }
        m => panic!("unknown message of the reference implementation: {m:?}"),
    }
}

fn s(v: &Value) -> Option<&str> {
    v.as_str()
}

/// Compares one view; returns the differences.
fn compare_err(view: &str, want: &Value, got: &Result<(), ParseError>, out: &mut Vec<String>) {
    let ok = want["ok"].as_bool().unwrap();
    match (ok, got) {
        (true, Ok(())) => {}
        (true, Err(e)) => out.push(format!("{view}: want ok, got {e}")),
        (false, Ok(())) => out.push(format!("{view}: want error {}, got ok", want["error"])),
        (false, Err(e)) => {
            let want_kind = kind_of(want["error"].as_str().unwrap());
            if e.kind() != want_kind {
                out.push(format!("{view}: want {want_kind:?}, got {e}"));
            }
        }
    }
}

fn check(record: &Value) -> Vec<String> {
    let input = record["input"].as_str().unwrap();
    let mut diffs = Vec::new();
    let field =
        |diffs: &mut Vec<String>, view: &str, name: &str, want: &Value, got: Option<&str>| {
            let want = match (name, s(want)) {
                ("domain", Some("")) => None,
                (_, w) => w,
            };
            if want != got {
                diffs.push(format!("{view}.{name}: want {want:?}, got {got:?}"));
            }
        };

    let parse = &record["parse"];
    let got = Reference::parse(input);
    compare_err("parse", parse, &got.map(|_| ()), &mut diffs);
    if let Ok(r) = got {
        field(
            &mut diffs,
            "parse",
            "string",
            &parse["string"],
            Some(&r.to_string()),
        );
        field(&mut diffs, "parse", "name", &parse["name"], Some(r.name()));
        field(&mut diffs, "parse", "domain", &parse["domain"], r.domain());
        field(&mut diffs, "parse", "path", &parse["path"], Some(r.path()));
        field(&mut diffs, "parse", "tag", &parse["tag"], r.tag());
        field(&mut diffs, "parse", "digest", &parse["digest"], r.digest());
        assert_eq!(r.as_str(), input);
    }

    let norm = &record["normalized"];
    let got = Reference::parse_normalized(input);
    compare_err(
        "normalized",
        norm,
        &got.as_ref().map(|_| ()).map_err(|e| *e),
        &mut diffs,
    );
    if let Ok(n) = &got {
        let v = "normalized";
        field(&mut diffs, v, "string", &norm["string"], Some(n.as_str()));
        field(&mut diffs, v, "name", &norm["name"], Some(n.name()));
        field(&mut diffs, v, "domain", &norm["domain"], n.domain());
        field(&mut diffs, v, "path", &norm["path"], Some(n.path()));
        field(&mut diffs, v, "tag", &norm["tag"], n.tag());
        field(&mut diffs, v, "digest", &norm["digest"], n.digest());
        field(
            &mut diffs,
            v,
            "familiar",
            &norm["familiar"],
            Some(n.familiar()),
        );
        field(
            &mut diffs,
            v,
            "familiar_name",
            &norm["familiar_name"],
            Some(n.familiar_name()),
        );
    }

    let dref = &record["docker_ref"];
    let got = Reference::parse_docker_ref(input);
    compare_err(
        "docker_ref",
        dref,
        &got.as_ref().map(|_| ()).map_err(|e| *e),
        &mut diffs,
    );
    if let Ok(d) = &got {
        field(
            &mut diffs,
            "docker_ref",
            "string",
            &dref["string"],
            Some(d.as_str()),
        );
    }
    diffs
}

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
    let mut failures = Vec::new();
    let mut passed_but_listed = Vec::new();
    let mut count = 0;
    for line in SAMPLE.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        count += 1;
        let input = record["input"].as_str().unwrap().to_owned();
        let diffs = check(&record);
        let listed = expected.contains(&input);
        match (diffs.is_empty(), listed) {
            (false, false) => failures.push(format!("{input:?}:\n    {}", diffs.join("\n    "))),
            (true, true) => passed_but_listed.push(input),
            _ => {}
        }
    }
    assert_eq!(count, 506, "the sample has 506 records");
    assert!(
        failures.is_empty(),
        "{} of {count} records differ from the reference implementation:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        passed_but_listed.is_empty(),
        "listed in expected-failures.txt but now passing (remove them): {passed_but_listed:?}"
    );
}
