//! Helpers shared by the tests that compare the parser with the reference implementation's
//! recorded answers (`conformance.rs` over the sample, `oracle_corpus.rs` over the generated
//! corpus): one comparison, so both corpora are held to exactly the same standard; and running
//! the oracle itself, an external tool ([`tool_output`]).

// Each test binary that declares `mod common;` uses a different part of this module.
#![allow(dead_code)]

use imgrepl::{ParseError, ParseErrorKind, Reference};
use serde_json::Value;

/// The kind code (docs/DESIGN.md §1.4) of a message of the reference implementation.
///
/// # Panics
///
/// On a message the reference implementation does not give.
#[must_use]
pub fn code_of(message: &str) -> &'static str {
    match message {
        "repository name must have at least one component" => "empty",
        "invalid reference format" => "invalid-format",
        "repository name must be lowercase" => "uppercase",
        "repository name must not be more than 255 characters" => "name-too-long",
        "unsupported digest algorithm" => "digest-unsupported",
        "invalid checksum digest length" => "digest-length",
        "invalid checksum digest format" => "digest-format",
        m if m.starts_with("invalid reference format: repository name (")
            && m.ends_with(") must be lowercase") =>
        {
            "uppercase"
        }
        m if m.starts_with("invalid repository name (")
            && m.ends_with("), cannot specify 64-byte hexadecimal strings") =>
        {
            "hex-name"
        }
        m => panic!("unknown message of the reference implementation: {m:?}"),
    }
}

/// The kind of a message of the reference implementation.
#[must_use]
pub fn kind_of(message: &str) -> ParseErrorKind {
    let code = code_of(message);
    ParseErrorKind::from_code(code).unwrap_or_else(|| panic!("no kind has the code {code:?}"))
}

/// Checks what every error must satisfy whatever the input: the offset is inside the input and
/// on a `char` boundary, and the Display is `"{kind}: {reason} at byte {offset}"`.
fn check_error_invariants(view: &str, input: &str, e: &ParseError, out: &mut Vec<String>) {
    if e.offset() > input.len() || !input.is_char_boundary(e.offset()) {
        out.push(format!(
            "{view}: offset {} is not a char boundary of the input ({} bytes)",
            e.offset(),
            input.len()
        ));
    }
    let display = format!("{}: {} at byte {}", e.kind(), e.reason(), e.offset());
    if e.to_string() != display {
        out.push(format!("{view}: Display {e} is not {display:?}"));
    }
    if e.reason().is_empty() {
        out.push(format!("{view}: an error without a reason: {e}"));
    }
}

/// Compares the outcome of one view (ok or the error kind, by its code).
fn compare_outcome(
    view: &str,
    input: &str,
    want: &Value,
    got: Result<(), &ParseError>,
    out: &mut Vec<String>,
) {
    let ok = want["ok"].as_bool().expect("a view has a boolean `ok`");
    match (ok, got) {
        (true, Ok(())) => {}
        (true, Err(e)) => out.push(format!("{view}: want ok, got {e}")),
        (false, Ok(())) => out.push(format!("{view}: want error {}, got ok", want["error"])),
        (false, Err(e)) => {
            let want_code = code_of(want["error"].as_str().expect("`error` is a string"));
            if e.code() != want_code {
                out.push(format!("{view}: want {want_code}, got {} ({e})", e.code()));
            }
        }
    }
    if let Err(e) = got {
        check_error_invariants(view, input, e, out);
    }
}

/// Compares one field; the reference implementation writes an absent domain as `""`.
fn field(out: &mut Vec<String>, view: &str, name: &str, want: &Value, got: Option<&str>) {
    let want = match (name, want.as_str()) {
        ("domain", Some("")) => None,
        (_, w) => w,
    };
    if want != got {
        out.push(format!("{view}.{name}: want {want:?}, got {got:?}"));
    }
}

/// Compares one record with the parser, view by view and field by field; returns the
/// differences (empty when the record agrees).
#[must_use]
pub fn check(record: &Value) -> Vec<String> {
    let input = record["input"]
        .as_str()
        .expect("a record has a string `input`");
    let mut diffs = Vec::new();
    let d = &mut diffs;

    let parse = &record["parse"];
    let got = Reference::parse(input);
    compare_outcome("parse", input, parse, got.as_ref().map(|_| ()), d);
    if let Ok(r) = got {
        let v = "parse";
        field(d, v, "string", &parse["string"], Some(&r.to_string()));
        field(d, v, "name", &parse["name"], Some(r.name()));
        field(d, v, "domain", &parse["domain"], r.domain());
        field(d, v, "path", &parse["path"], Some(r.path()));
        field(d, v, "tag", &parse["tag"], r.tag());
        field(d, v, "digest", &parse["digest"], r.digest());
        if r.as_str() != input {
            d.push(format!("parse.as_str: {:?} is not the input", r.as_str()));
        }
    }

    let norm = &record["normalized"];
    let got = Reference::parse_normalized(input);
    compare_outcome("normalized", input, norm, got.as_ref().map(|_| ()), d);
    if let Ok(n) = &got {
        let v = "normalized";
        field(d, v, "string", &norm["string"], Some(n.as_str()));
        field(d, v, "name", &norm["name"], Some(n.name()));
        field(d, v, "domain", &norm["domain"], n.domain());
        field(d, v, "path", &norm["path"], Some(n.path()));
        field(d, v, "tag", &norm["tag"], n.tag());
        field(d, v, "digest", &norm["digest"], n.digest());
        field(d, v, "familiar", &norm["familiar"], Some(n.familiar()));
        let familiar_name = &norm["familiar_name"];
        field(
            d,
            v,
            "familiar_name",
            familiar_name,
            Some(n.familiar_name()),
        );
        // The normalized string is a fixed point.
        match Reference::parse_normalized(n.as_str()) {
            Ok(again) if again.as_str() == n.as_str() => {}
            Ok(again) => d.push(format!("normalized again: {:?}", again.as_str())),
            Err(e) => d.push(format!("normalized again: {e}")),
        }
    }

    let dref = &record["docker_ref"];
    let got = Reference::parse_docker_ref(input);
    compare_outcome("docker_ref", input, dref, got.as_ref().map(|_| ()), d);
    if let Ok(r) = &got {
        field(d, "docker_ref", "string", &dref["string"], Some(r.as_str()));
    }
    diffs
}

/// Compares every record of a JSONL corpus; returns the number of records and, for each
/// record that differs (and is not in `expected`), its input and differences.
///
/// # Panics
///
/// On a line that is not a JSON record.
#[must_use]
pub fn check_corpus(corpus: &str, expected: &[String]) -> Report {
    let mut report = Report::default();
    for (i, line) in corpus.lines().enumerate() {
        let record: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {} is not a JSON record: {e}", i + 1));
        report.count += 1;
        let input = record["input"]
            .as_str()
            .expect("a string `input`")
            .to_owned();
        let diffs = check(&record);
        let listed = expected.contains(&input);
        match (diffs.is_empty(), listed) {
            (false, false) => report.failures.push(format!(
                "line {}: {input:?}:\n    {}",
                i + 1,
                diffs.join("\n    ")
            )),
            (true, true) => report.passed_but_listed.push(input),
            _ => {}
        }
    }
    report
}

/// What [`check_corpus`] found.
#[derive(Debug, Default)]
pub struct Report {
    /// Records compared.
    pub count: usize,
    /// Records that differ, with their differences.
    pub failures: Vec<String>,
    /// Inputs listed as expected failures that agree.
    pub passed_but_listed: Vec<String>,
}

impl Report {
    /// Fails the test on any difference or any stale expected failure.
    ///
    /// # Panics
    ///
    /// When a record differs or an expected failure passes.
    pub fn assert_clean(&self, corpus: &str) {
        let shown: Vec<&str> = self.failures.iter().take(50).map(String::as_str).collect();
        assert!(
            self.failures.is_empty(),
            "{} of {} records of {corpus} differ from the reference implementation{}:\n{}",
            self.failures.len(),
            self.count,
            if self.failures.len() > shown.len() {
                " (the first 50)"
            } else {
                ""
            },
            shown.join("\n")
        );
        assert!(
            self.passed_but_listed.is_empty(),
            "listed as expected failures but now passing (remove them): {:?}",
            self.passed_but_listed
        );
    }
}

mod tools;
#[allow(
    unused_imports,
    reason = "each test file uses its part of the common module"
)]
pub use tools::{REQUIRE_TOOLS, tool_output};
