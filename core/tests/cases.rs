//! The hard cases of `testdata/cases/policy/` as the library sees them: each pins the expected
//! behaviour. Those of `testdata/cases/admission/` are in `k8s/tests/cases.rs`; the
//! command-line side of the same cases is in `cli/tests/cases.rs`.

use imgrepl::{Code, MAX_POLICY_BYTES, Policy, Reference, RewriteErrorKind, Span};

fn case(path: &str) -> String {
    let file = format!("{}/../testdata/cases/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn pathonly_repl_a_result_must_be_valid_as_the_runtime_reads_it() {
    let policy = Policy::from_json(&case("policy/pathonly_repl.json")).unwrap();
    let image = format!("x.io/{}", "a".repeat(252));
    // As written, `org/aaa…` has the domain `org` and a 252-byte path: valid.
    let as_written = format!("org/{}", "a".repeat(252));
    assert!(Reference::parse(&as_written).is_ok());
    // The runtime reads it as `docker.io/org/aaa…`, a 256-byte path: the pull would fail.
    assert_eq!(
        Reference::parse_normalized(&as_written).unwrap_err().code(),
        Code::NameTooLong
    );
    let err = policy.rewrite(&image).unwrap_err();
    assert_eq!(err.kind(), RewriteErrorKind::InvalidResult);
    assert_eq!(err.code(), Code::InvalidResult);
    assert_eq!(err.rule().map(imgrepl::RuleId::index), Some(0));
    // The offset is where the 255 bytes of the runtime's path end, in the result as written.
    assert_eq!(err.offset(), 255);
    assert_eq!(
        err.to_string(),
        "rule 0 would make an invalid reference: repository name must not be more than 255 \
         characters: the rewritten path would be longer than 255 bytes as the runtime reads it \
         (normalized under docker.io) at byte 255"
    );
    // One byte shorter fits in every view.
    let image = format!("x.io/{}", "a".repeat(251));
    let out = policy.rewrite(&image).unwrap().image;
    assert_eq!(Reference::parse_normalized(&out).unwrap().path().len(), 255);
    // The validator warns that `org` names no registry.
    let v = Policy::validate(&case("policy/pathonly_repl.json"));
    assert_eq!(v.diagnostics.len(), 1);
    assert_eq!(v.diagnostics[0].code(), Code::ImplicitDockerHub);
    assert_eq!(
        v.diagnostics[0].message(),
        "replaceWith \"org\" names no registry: the runtime reads its results as \
         \"docker.io/org/…\" (Docker Hub); write the registry first (\"registry.example.com/org\"), \
         or \"docker.io/org\" if Docker Hub is meant"
    );
}

#[test]
fn docker_io_gains_library_before_one_component() {
    let policy =
        Policy::from_json(r#"[{"repositoryPrefix": "x.io", "replaceWith": "docker.io"}]"#).unwrap();
    // No warning: the registry is written.
    assert!(policy.warnings().is_empty());
    // `docker.io/aaa…` (one component) is read as `docker.io/library/aaa…`: 8 bytes more.
    let one = format!("x.io/{}", "a".repeat(248));
    let err = policy.rewrite(&one).unwrap_err();
    assert_eq!(err.code(), Code::InvalidResult);
    assert_eq!(err.offset(), "docker.io/".len() + 247);
    let fits = format!("x.io/{}", "a".repeat(247));
    assert!(policy.rewrite(&fits).is_ok());
    // Two components: nothing is added, the whole 255 bytes are there.
    let two = format!("x.io/b/{}", "a".repeat(253));
    let out = policy.rewrite(&two).unwrap().image;
    assert_eq!(Reference::parse_normalized(&out).unwrap().path().len(), 255);
}

#[test]
fn a_result_is_never_longer_than_an_image_may_be() {
    let domain = format!("{}.io", "r".repeat(4000));
    let policy = Policy::from_rules([imgrepl::Rule::new("x.io", &domain)]).unwrap();
    let image = format!("x.io/{}", "a".repeat(100));
    let err = policy.rewrite(&image).unwrap_err();
    assert_eq!(err.code(), Code::InvalidResult);
    assert_eq!(err.parse_error().code(), Code::ImageTooLong);
    assert_eq!(err.offset(), imgrepl::MAX_IMAGE_BYTES);
    assert!(policy.rewrite("x.io/a").is_ok());
}

#[test]
fn surrogate_in_a_value_is_named_at_its_position() {
    let json = case("policy/surrogate.json");
    let v = Policy::validate(&json);
    let d = &v.diagnostics[0];
    assert_eq!(d.code(), Code::InvalidJson);
    assert_eq!(
        d.message(),
        "\"repositoryPrefix\" of rule 0 is not valid JSON: invalid escape `\\ud800` (a lone surrogate)"
    );
    assert_eq!(at(&json, d.span()), "\\ud800");
    assert_eq!(d.pointer(), "/0/repositoryPrefix");
}

#[test]
fn surrogate_in_a_key_is_named_at_its_position() {
    let json = case("policy/surrogate_key.json");
    let v = Policy::validate(&json);
    assert_eq!(v.diagnostics.len(), 1);
    let d = &v.diagnostics[0];
    assert_eq!(d.code(), Code::InvalidJson);
    assert_eq!(
        d.message(),
        "not valid JSON: invalid escape `\\ud800` (a lone surrogate)"
    );
    assert_eq!(at(&json, d.span()), "\\ud800");
    // A pair is a character, not an error; a low surrogate alone is one.
    assert!(
        Policy::validate(
            r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io", "\ud83d\ude00": 1}]"#
        )
        .diagnostics
        .iter()
        .all(|d| d.code() == Code::UnknownField)
    );
    let low = r#"[{"repositoryPrefix": "a.io\udc00", "replaceWith": "m.io"}]"#;
    let d = &Policy::validate(low).diagnostics[0];
    assert_eq!(at(low, d.span()), "\\udc00");
}

#[test]
fn bom_before_a_policy_is_skipped() {
    let json = case("policy/bom.json");
    assert!(json.starts_with('\u{feff}'));
    let v = Policy::validate(&json);
    assert!(v.is_ok(), "{:?}", v.diagnostics);
    assert_eq!(v.policy.unwrap().rewrite("a.io/x").unwrap().image, "m.io/x");
    // Spans stay offsets in the text as given, BOM included.
    let broken = "\u{feff}[{\"repositoryPrefix\": 1, \"replaceWith\": \"m.io\"}]";
    let d = &Policy::validate(broken).diagnostics[0];
    assert_eq!(at(broken, d.span()), "1");
    let d = &Policy::validate("\u{feff}[x]").diagnostics[0];
    assert_eq!(
        (d.code(), at("\u{feff}[x]", d.span())),
        (Code::InvalidJson, "x")
    );
}

#[test]
fn related_spans_say_what_they_point_at() {
    let json = case("policy/identity.json");
    let d = &Policy::validate(&json).diagnostics[0];
    assert_eq!(d.code(), Code::IdentityRule);
    assert_eq!(at(&json, d.related().unwrap()), "\"a.io\"");
    assert!(d.related().unwrap().start < d.span().start);
    assert_eq!(
        d.related_label(),
        Some("the rule's repositoryPrefix, the same text")
    );

    let json = case("policy/chained.json");
    let v = Policy::validate(&json);
    let d = &v.diagnostics[0];
    assert_eq!(d.code(), Code::ChainedRule);
    // Rule 0's results (`b.io/…`) are matched by rule 1's prefix: that is the related span.
    assert_eq!(d.related().unwrap().start, json.rfind("\"b.io\"").unwrap());
    assert_eq!(
        d.related_label(),
        Some("the repositoryPrefix that matches these results")
    );
    // No label names the first occurrence where there is no duplicate.
    for d in &v.diagnostics {
        assert!(!d.related_label().unwrap_or_default().contains("first"));
    }
}

#[test]
fn policies_at_and_over_the_limit() {
    let exact = case("policy/exact256k_valid.json");
    assert_eq!(exact.len(), MAX_POLICY_BYTES);
    assert!(Policy::validate(&exact).is_ok());
    let over = case("policy/over256k_valid.json");
    assert_eq!(over.len(), MAX_POLICY_BYTES + 1);
    let v = Policy::validate(&over);
    assert_eq!(v.diagnostics.len(), 1);
    assert_eq!(v.diagnostics[0].code(), Code::TooLarge);
    // The same diagnostic for a 6.7 MB policy: code, message and start; the span runs to the
    // end of the text.
    let huge = format!("{over}{}", " ".repeat(6_700_000));
    let d = Policy::validate(&huge).diagnostics.remove(0);
    let first = &v.diagnostics[0];
    assert_eq!(
        (d.code(), d.message(), d.span().start),
        (first.code(), first.message(), first.span().start)
    );
    assert_eq!(d.span().end, huge.len());
}

#[test]
fn many_errors_on_one_line_are_each_reported() {
    let json = case("policy/many_errors_oneline.json");
    assert!(!json.trim_end().contains('\n'));
    let v = Policy::validate(&json);
    assert_eq!(v.diagnostics.iter().filter(|d| d.is_error()).count(), 5372);
}

#[test]
fn a_lone_surrogate_after_the_error_is_not_blamed() {
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io"},, {"x\ud800": 1}]"#;
    let d = &Policy::validate(json).diagnostics[0];
    assert_eq!(d.code(), Code::InvalidJson);
    assert!(!d.message().contains("surrogate"), "{}", d.message());
    assert_eq!(at(json, d.span()), ",");
}
