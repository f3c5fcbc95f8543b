//! Every rule of a valid policy (docs/DESIGN.md §2.3), each with a failing input whose code, rule
//! index, field, pointer and span are checked.

use imgrepl::{Code, Diagnostic, Field, MAX_POLICY_BYTES, Policy, Severity, Span};

/// The text of `span` in `json`.
fn at(json: &str, span: Span) -> &str {
    &json[span.start..span.end]
}

/// Validates `json` and returns its diagnostics.
fn diags(json: &str) -> Vec<Diagnostic> {
    Policy::validate(json).diagnostics
}

/// Asserts that `json` has exactly one diagnostic, with these fields and spanned text.
#[track_caller]
fn one(json: &str, code: Code, rule: Option<usize>, pointer: &str, spanned: &str) -> Diagnostic {
    let ds = diags(json);
    assert_eq!(ds.len(), 1, "{json}: {ds:#?}");
    let d = ds.into_iter().next().unwrap();
    assert_eq!(d.code(), code, "{json}: {d}");
    assert_eq!(d.rule(), rule, "{json}: {d}");
    assert_eq!(d.pointer(), pointer, "{json}: {d}");
    assert_eq!(at(json, d.span()), spanned, "{json}: {d}");
    d
}

#[test]
fn the_seed_policy_is_valid_and_warning_free() {
    let json = r#"[ {"repositoryPrefix": "harbor.domain",         "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "",                      "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"} ]"#;
    let v = Policy::validate(json);
    assert!(v.diagnostics.is_empty(), "{:#?}", v.diagnostics);
    let policy = v.policy.unwrap();
    assert_eq!(policy.rules().len(), 3);
    assert_eq!(
        policy.rules()[2].repository_prefix(),
        "harbor.domain/a/b/c/d"
    );
}

#[test]
fn rule_1_the_value_is_a_json_array_of_objects() {
    let d = one("[{]", Code::InvalidJson, None, "", "]");
    assert_eq!(d.message(), "not valid JSON: key must be a string");
    one("", Code::InvalidJson, None, "", "");
    one("[1, 2", Code::InvalidJson, None, "", "");
    one(
        r#"  {"repositoryPrefix": "a"}"#,
        Code::NotAnArray,
        None,
        "",
        r#"{"repositoryPrefix": "a"}"#,
    );
    let d = one(r#""harbor""#, Code::NotAnArray, None, "", r#""harbor""#);
    assert_eq!(
        d.message(),
        "the policy must be a JSON array of rules, not a string"
    );
    let d = one(
        r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}, 7]"#,
        Code::RuleNotObject,
        Some(1),
        "/1",
        "7",
    );
    assert_eq!(
        d.message(),
        "rule 1 is a number; a rule is an object with \"repositoryPrefix\" and \"replaceWith\""
    );
    one("[null]", Code::RuleNotObject, Some(0), "/0", "null");
    one("[[]]", Code::RuleNotObject, Some(0), "/0", "[]");
}

#[test]
fn rule_1_fields_missing_mistyped_duplicated_unknown() {
    let json = r#"[{"repositoryPrefix": "a.io"}]"#;
    let d = one(
        json,
        Code::MissingField,
        Some(0),
        "/0/replaceWith",
        r#"{"repositoryPrefix": "a.io"}"#,
    );
    assert_eq!(d.field(), Some(Field::ReplaceWith));
    assert_eq!(d.message(), "rule 0 has no \"replaceWith\"");

    let json = r#"[{"repositoryPrefix": 5, "replaceWith": "m.io"}]"#;
    let d = one(json, Code::WrongType, Some(0), "/0/repositoryPrefix", "5");
    assert_eq!(
        d.message(),
        "\"repositoryPrefix\" of rule 0 must be a string, not a number"
    );
    one(
        r#"[{"repositoryPrefix": "", "replaceWith": null}]"#,
        Code::WrongType,
        Some(0),
        "/0/replaceWith",
        "null",
    );

    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io", "replaceWith": "n.io"}]"#;
    let d = one(
        json,
        Code::DuplicateField,
        Some(0),
        "/0/replaceWith",
        r#""replaceWith": "n.io""#,
    );
    assert_eq!(at(json, d.related().unwrap()), r#""replaceWith""#);

    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io", "replacewith": "n.io"}]"#;
    let d = one(
        json,
        Code::UnknownField,
        Some(0),
        "/0/replacewith",
        r#""replacewith""#,
    );
    assert_eq!(
        d.message(),
        "rule 0 has an unknown field \"replacewith\"; did you mean \"replaceWith\"?"
    );
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io", "a/b~c": 1}]"#;
    let d = one(
        json,
        Code::UnknownField,
        Some(0),
        "/0/a~1b~0c",
        r#""a/b~c""#,
    );
    assert!(
        d.message()
            .ends_with("a rule has only \"repositoryPrefix\" and \"replaceWith\"")
    );
    // A key with escapes is still found, quotes included.
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io", "x\"y" : 1}]"#;
    one(json, Code::UnknownField, Some(0), "/0/x\"y", r#""x\"y""#);
}

#[test]
fn rule_1_every_violation_is_reported_not_just_the_first() {
    let json = r#"[{"repositoryprefix": "a.io", "replaceWith": 1},
 {"repositoryPrefix": "Bad/Path", "replaceWith": "m.io"},
 {"repositoryPrefix": "x.io", "replaceWith": "x.io"}]"#;
    let ds = diags(json);
    let got: Vec<(Code, &str)> = ds.iter().map(|d| (d.code(), d.pointer())).collect();
    assert_eq!(
        got,
        [
            (Code::MissingField, "/0/repositoryPrefix"),
            (Code::UnknownField, "/0/repositoryprefix"),
            (Code::WrongType, "/0/replaceWith"),
            (Code::InvalidPrefix, "/1/repositoryPrefix"),
            (Code::IdentityRule, "/2/replaceWith"),
        ]
    );
    assert!(ds.iter().all(|d| d.severity() == Severity::Error));
}

#[test]
fn fields_are_checked_even_when_their_rule_has_other_errors() {
    let json = r#"[{"repositoryPrefix": "nginx:latest", "replacewith": "m.io"},
 {"repositoryPrefix": "a.io", "replaceWith": "Bad/Path"},
 {"repositoryPrefix": "a.io"}]"#;
    let ds = diags(json);
    let got: Vec<(Code, &str)> = ds.iter().map(|d| (d.code(), d.pointer())).collect();
    let want = [
        (Code::MissingField, "/0/replaceWith"),
        (Code::InvalidPrefix, "/0/repositoryPrefix"),
        (Code::UnknownField, "/0/replacewith"),
        (Code::InvalidReplacement, "/1/replaceWith"),
        (Code::MissingField, "/2/replaceWith"),
        (Code::DuplicatePrefix, "/2/repositoryPrefix"),
    ];
    assert_eq!(got, want);
}

#[test]
fn rule_2_repository_prefix_is_empty_or_a_name_prefix() {
    for ok in [
        "harbor.domain",
        "registry:5000",
        "[::1]:5000",
        "harbor.domain/a/b",
        "library",
        "Harbor.Domain",
        "localhost",
        "a-b.c_d",
    ] {
        let json = format!(r#"[{{"repositoryPrefix": "{ok}", "replaceWith": "m.io/x"}}]"#);
        assert!(Policy::validate(&json).is_ok(), "{ok}: {:#?}", diags(&json));
    }
    // (prefix, the character underlined, the whole message)
    let table = [
        (
            "nginx:latest",
            ":",
            r#"repositoryPrefix "nginx:latest" is not a registry, a registry and path, or a path: invalid reference format: a prefix is a registry or a repository path, never a tag or a digest at byte 5"#,
        ),
        (
            "harbor.domain/",
            "/",
            r#"repositoryPrefix "harbor.domain/" is not a registry, a registry and path, or a path: invalid reference format: a prefix must not end with '/' at byte 13"#,
        ),
        (
            "harbor.domain/Team",
            "T",
            r#"repositoryPrefix "harbor.domain/Team" is not a registry, a registry and path, or a path: repository name must be lowercase: uppercase letter in repository path at byte 14"#,
        ),
        (
            "a//b",
            "/",
            r#"repositoryPrefix "a//b" is not a registry, a registry and path, or a path: invalid reference format: empty path component at byte 2"#,
        ),
        (
            "a@sha256:x",
            "@",
            r#"repositoryPrefix "a@sha256:x" is not a registry, a registry and path, or a path: invalid reference format: a prefix is a registry or a repository path, never a tag or a digest at byte 1"#,
        ),
    ];
    for (prefix, under, message) in table {
        let json = format!(r#"[{{"repositoryPrefix": "{prefix}", "replaceWith": "m.io"}}]"#);
        let d = one(
            &json,
            Code::InvalidPrefix,
            Some(0),
            "/0/repositoryPrefix",
            under,
        );
        assert_eq!(d.message(), message);
        assert_eq!(d.field(), Some(Field::RepositoryPrefix));
    }
    // A path of 254 bytes leaves no room for "/x": the limit applies to prefix + "/x". (The
    // first component `a_b` cannot be a domain, so all of it is path.)
    let long = format!("a_b/{}", "c".repeat(250));
    let json = format!(r#"[{{"repositoryPrefix": "{long}", "replaceWith": "m.io"}}]"#);
    let d = one(
        &json,
        Code::InvalidPrefix,
        Some(0),
        "/0/repositoryPrefix",
        "\"",
    );
    assert!(
        d.message()
            .contains("repository name must not be more than 255 characters"),
        "{d}"
    );
    let ok = format!("a_b/{}", "c".repeat(249));
    assert!(
        Policy::validate(&format!(
            r#"[{{"repositoryPrefix": "{ok}", "replaceWith": "m.io"}}]"#
        ))
        .is_ok()
    );
    // With an escape in the string, offsets no longer line up: the whole value is spanned.
    let json = r#"[{"repositoryPrefix": "a\u002FB", "replaceWith": "m.io"}]"#;
    one(
        json,
        Code::InvalidPrefix,
        Some(0),
        "/0/repositoryPrefix",
        r#""a\u002FB""#,
    );
}

#[test]
fn rule_3_replace_with_is_a_name_prefix() {
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": ""}]"#;
    let d = one(
        json,
        Code::InvalidReplacement,
        Some(0),
        "/0/replaceWith",
        r#""""#,
    );
    assert_eq!(
        d.message(),
        "replaceWith must not be empty: it is the registry (and path) that images move to"
    );
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/Org"}]"#;
    let d = one(
        json,
        Code::InvalidReplacement,
        Some(0),
        "/0/replaceWith",
        "O",
    );
    assert!(
        d.message()
            .starts_with(r#"replaceWith "m.io/Org" is not a registry"#),
        "{d}"
    );
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io:tag"}]"#;
    let d = one(
        json,
        Code::InvalidReplacement,
        Some(0),
        "/0/replaceWith",
        ":",
    );
    assert!(
        d.message().ends_with("never a tag or a digest at byte 4"),
        "{d}"
    );
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/x "}]"#;
    one(
        json,
        Code::InvalidReplacement,
        Some(0),
        "/0/replaceWith",
        " ",
    );
}

#[test]
fn rule_4_replace_with_differs_from_the_prefix() {
    let json = r#"[{"repositoryPrefix": "a.io/x", "replaceWith": "a.io/x"}]"#;
    let d = one(
        json,
        Code::IdentityRule,
        Some(0),
        "/0/replaceWith",
        r#""a.io/x""#,
    );
    assert_eq!(d.message(), "rule 0 replaces \"a.io/x\" with itself");
    assert_eq!(d.related(), Some(Span::new(22, 30)));
}

#[test]
fn rule_5_no_two_rules_share_a_prefix() {
    let json = r#"[{"repositoryPrefix": "", "replaceWith": "m.io"},
 {"repositoryPrefix": "a.io", "replaceWith": "m.io"},
 {"repositoryPrefix": "", "replaceWith": "n.io"},
 {"repositoryPrefix": "a.io", "replaceWith": "n.io"}]"#;
    let ds = diags(json);
    assert_eq!(ds.len(), 2, "{ds:#?}");
    for (d, (rule, first)) in ds.iter().zip([(2, 0), (3, 1)]) {
        assert_eq!(d.code(), Code::DuplicatePrefix);
        assert_eq!(d.rule(), Some(rule));
        assert_eq!(d.pointer(), format!("/{rule}/repositoryPrefix"));
        assert_eq!(
            d.message(),
            format!(
                "rule {rule} has the same repositoryPrefix {:?} as rule {first}",
                if rule == 2 { "" } else { "a.io" }
            )
        );
        let related = d.related().unwrap();
        assert!(related.start < d.span().start);
        assert_eq!(at(json, related), at(json, d.span()));
    }
}

#[test]
fn the_annotation_is_bounded() {
    let json = format!("[{}]", " ".repeat(MAX_POLICY_BYTES));
    let d = one(&json, Code::TooLarge, None, "", &json[MAX_POLICY_BYTES..]);
    let message = "the policy is larger than 262144 bytes (256 KiB), the most an object's annotations may hold";
    assert_eq!(d.message(), message);
    // One behaviour and one message for every size past the limit.
    for size in [MAX_POLICY_BYTES + 1, 1 << 20, (1 << 20) + 1, 7 << 20] {
        let json = format!("[{}]", " ".repeat(size - 2));
        let v = Policy::validate(&json);
        assert_eq!(v.diagnostics.len(), 1);
        assert_eq!(v.diagnostics[0].code(), Code::TooLarge);
        assert_eq!(v.diagnostics[0].message(), message);
    }
    // Exactly at the limit is fine.
    let json = format!("[{}]", " ".repeat(MAX_POLICY_BYTES - 2));
    assert!(Policy::validate(&json).is_ok());
}

#[test]
fn warnings_do_not_stop_a_policy() {
    let json = "[]";
    let v = Policy::validate(json);
    assert!(v.is_ok());
    assert_eq!(v.diagnostics[0].code(), Code::EmptyPolicy);
    assert_eq!(v.diagnostics[0].severity(), Severity::Warning);

    let json = r#"[{"repositoryPrefix": "docker.io/library", "replaceWith": "m.io/hub"}]"#;
    let d = one(
        json,
        Code::DockerHubPrefix,
        Some(0),
        "/0/repositoryPrefix",
        r#""docker.io/library""#,
    );
    assert_eq!(d.severity(), Severity::Warning);
    let policy = Policy::from_json(json).unwrap();
    assert_eq!(policy.warnings().len(), 1);
    // The warning is true: the familiar form is not rewritten.
    assert!(!policy.rewrite("nginx").unwrap().changed());
    assert!(!policy.rewrite("library/nginx").unwrap().changed());
    assert!(policy.rewrite("docker.io/library/nginx").unwrap().changed());
}

#[test]
fn chained_rules_are_warned_about() {
    // Rule 0's results start with "m.io/org", which rule 1 matches.
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/org"},
 {"repositoryPrefix": "m.io", "replaceWith": "n.io"}]"#;
    let d = one(
        json,
        Code::ChainedRule,
        Some(0),
        "/0/replaceWith",
        r#""m.io/org""#,
    );
    assert_eq!(at(json, d.related().unwrap()), r#""m.io""#);
    assert_eq!(
        d.message(),
        r#"results of rule 0 ("m.io/org"/…) are matched by rule 1 ("m.io"), but rewriting is applied once: they are not rewritten again (a webhook that is invoked again would rewrite them again)"#
    );
    // A prefix that continues the replacement matches some results too.
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io"},
 {"repositoryPrefix": "m.io/team", "replaceWith": "n.io"}]"#;
    one(
        json,
        Code::ChainedRule,
        Some(0),
        "/0/replaceWith",
        r#""m.io""#,
    );
    // A rule whose results its own prefix matches.
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "a.io/mirror"}]"#;
    let d = one(
        json,
        Code::ChainedRule,
        Some(0),
        "/0/replaceWith",
        r#""a.io/mirror""#,
    );
    assert!(d.message().contains("are matched by its own prefix"), "{d}");
    // Applied once, really.
    let policy = Policy::from_json(json).unwrap();
    assert_eq!(policy.rewrite("a.io/x").unwrap().image, "a.io/mirror/x");
    // Not chained: "m.io/orgx" is not "m.io/org" at a boundary.
    let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/orgx"},
 {"repositoryPrefix": "m.io/org", "replaceWith": "n.io"}]"#;
    assert!(diags(json).is_empty(), "{:#?}", diags(json));
}

#[test]
fn codes_are_unique_kebab_case_and_round_trip() {
    let mut seen = std::collections::HashSet::new();
    for &code in Code::ALL {
        let s = code.as_str();
        assert!(seen.insert(s), "duplicate code {s}");
        assert!(
            s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{s}"
        );
        assert!(
            !s.starts_with('-') && !s.ends_with('-') && !s.contains("--"),
            "{s}"
        );
        assert_eq!(Code::from_code(s), Some(code));
        assert_eq!(serde_json::to_value(code).unwrap(), s);
    }
    // Errors come before warnings in ALL.
    let first_warning = Code::ALL
        .iter()
        .position(|c| c.severity() == Severity::Warning)
        .unwrap();
    assert!(
        Code::ALL[first_warning..]
            .iter()
            .all(|c| c.severity() == Severity::Warning)
    );
}

#[test]
fn diagnostics_serialize_for_bindings() {
    let json = r#"[{"repositoryPrefix": "a.io"}]"#;
    let d = &diags(json)[0];
    assert_eq!(
        serde_json::to_value(d).unwrap(),
        serde_json::json!({
            "severity": "error", "code": "missing-field", "message": "rule 0 has no \"replaceWith\"",
            "index": 0, "field": "replaceWith", "pointer": "/0/replaceWith",
            "span": {"start": 1, "end": 29}, "related": null
        })
    );
}

#[test]
fn spans_convert_to_utf16_for_editors() {
    // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
    let json = r#"[{"repositoryPrefix": "é😀", "replaceWith": "m.io"}, {"repositoryPrefix": "Bad", "x": 1}]"#;
    let ds = diags(json);
    let unknown = ds.iter().find(|d| d.code() == Code::UnknownField).unwrap();
    assert_eq!(at(json, unknown.span()), r#""x""#);
    let u16span = unknown.span().to_utf16(json);
    let units: Vec<u16> = json.encode_utf16().collect();
    assert_eq!(
        String::from_utf16(&units[u16span.start..u16span.end]).unwrap(),
        r#""x""#
    );
    assert_eq!(u16span.start, unknown.span().start - 3);
}

#[test]
fn from_rules_and_serialize_round_trip() {
    use imgrepl::Rule;
    let rules = [
        Rule::new("harbor.domain", "m.io/org1"),
        Rule::new("", "m.io/org1"),
    ];
    let policy = Policy::from_rules(rules.clone()).unwrap();
    let json = policy.to_json();
    assert_eq!(
        json,
        r#"[{"repositoryPrefix":"harbor.domain","replaceWith":"m.io/org1"},{"repositoryPrefix":"","replaceWith":"m.io/org1"}]"#
    );
    assert_eq!(Policy::from_json(&json).unwrap().rules(), &rules);
    assert_eq!(serde_json::to_string(&policy).unwrap(), json);
    let err = Policy::from_rules([Rule::new("a.io", "a.io")]).unwrap_err();
    assert_eq!(err.diagnostics()[0].code(), Code::IdentityRule);
    let rules: Vec<Rule> = serde_json::from_str(&json).unwrap();
    assert_eq!(rules.len(), 2);
}

#[test]
fn rules_built_in_a_program_are_not_bounded_like_an_annotation() {
    use imgrepl::Rule;
    let rules: Vec<Rule> = (0..20_000)
        .map(|i| Rule::new(format!("r{i}.io"), "m.io"))
        .collect();
    let json = serde_json::to_string(&rules).unwrap();
    assert!(json.len() > MAX_POLICY_BYTES);
    assert_eq!(
        Policy::validate(&json).diagnostics[0].code(),
        Code::TooLarge
    );
    let policy = Policy::from_rules(rules).unwrap();
    assert_eq!(policy.rewrite("r19999.io/app").unwrap().image, "m.io/app");
}
