//! The generated files, each regenerated here and compared with its checked-in copy:
//! `include/imgrepl.h` (the pinned cbindgen), `ctests/cases.h` (the case table
//! `testdata/frontdoor/cases.json` for the C tests) and `go/imgrepl/status_gen.go` (the Go
//! package's statuses, from the one list in `src/status.rs`). `cargo xtask gen` runs this test
//! with `IMGREPL_BLESS=1`, which writes them instead.
//!
//! The macros cbindgen cannot know are generated here from their sources, never typed: the
//! version from Cargo, the input limits from the core.

use std::fmt::Write as _;
use std::path::Path;

#[path = "../../core/tests/common/compact.rs"]
mod compact;
use compact::compact;

const HEADER: &str = "include/imgrepl.h";

/// The version and limit macros, from Cargo and the core.
fn macros() -> String {
    let mut s = String::new();
    let version = env!("CARGO_PKG_VERSION");
    let [major, minor, patch] = [
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    ];
    s.push_str("\n/* The version of this header; imgrepl_version() gives the library's. */\n");
    writeln!(s, "#define IMGREPL_VERSION \"{version}\"").unwrap();
    writeln!(s, "#define IMGREPL_VERSION_MAJOR {major}").unwrap();
    writeln!(s, "#define IMGREPL_VERSION_MINOR {minor}").unwrap();
    writeln!(s, "#define IMGREPL_VERSION_PATCH {patch}").unwrap();
    s.push_str(
        "#define IMGREPL_VERSION_NUMBER \
         ((IMGREPL_VERSION_MAJOR << 16) | (IMGREPL_VERSION_MINOR << 8) | IMGREPL_VERSION_PATCH)\n",
    );
    s.push_str("\n/* Input limits, in bytes (images per call for the batch). */\n");
    for (name, value) in imgrepl::LIMITS {
        writeln!(s, "#define {name} {value}").unwrap();
    }
    s
}

/// The header as cbindgen writes it from this crate and `cbindgen.toml`.
fn generate() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let mut config = cbindgen::Config::from_file(Path::new(dir).join("cbindgen.toml"))
        .expect("cbindgen.toml is readable and valid");
    config.after_includes = Some(macros());
    // The status enum is written by a macro, which cbindgen does not expand: it reads the
    // enum's source from a file of its own.
    let statuses = Path::new(env!("CARGO_TARGET_TMPDIR")).join("imgrepl_status.rs");
    std::fs::write(&statuses, imgrepl::imgrepl_status::declaration())
        .expect("the status declaration can be written");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_src(&statuses)
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn header_is_fresh() {
    check_fresh(HEADER, &generate());
}

#[test]
fn header_states_the_cargo_version() {
    let header = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(HEADER))
        .expect("the header is checked in");
    let expected = format!("#define IMGREPL_VERSION \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(header.contains(&expected), "{expected}");
    let major = format!(
        "#define IMGREPL_VERSION_MAJOR {}",
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert!(header.contains(&major), "{major}");
    // The library reports the same version at run time.
    // SAFETY: imgrepl_version returns a static NUL-terminated string.
    let runtime = unsafe { std::ffi::CStr::from_ptr(imgrepl::imgrepl_version()) };
    assert_eq!(runtime.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn header_documents_every_function() {
    let header = generate();
    let lines: Vec<&str> = header.lines().collect();
    let mut functions = 0;
    for (i, line) in lines.iter().enumerate() {
        let is_fn = line.contains("imgrepl_")
            && line.contains('(')
            && !line.starts_with([' ', '#', '/', '}']);
        if is_fn {
            functions += 1;
            assert!(
                i > 0 && lines[i - 1].starts_with("//"),
                "undocumented declaration in the header: {line}"
            );
        }
    }
    assert!(functions >= 30, "only {functions} functions found");
}

// ---------- ctests/cases.h: the front-door case table for the C tests ----------

const CASES_H: &str = "ctests/cases.h";

/// The case table's text (`testdata/frontdoor/cases.json`).
fn case_table() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/frontdoor/cases.json");
    std::fs::read_to_string(path).expect("the case table is readable")
}

/// `s` as a C string literal: ASCII as it is (`?` escaped, so no trigraph forms), every other
/// byte in octal.
fn c_str(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'"' | b'\\' | b'?' => write!(out, "\\{}", b as char).unwrap(),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(b as char),
            _ => write!(out, "\\{b:03o}").unwrap(),
        }
    }
    out.push('"');
    out
}

/// A C string literal, or `NULL` for JSON `null` or a missing key.
fn c_opt(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| "NULL".to_owned(), c_str)
}

/// The C identifier of a named policy of the table.
fn c_policy(name: &serde_json::Value) -> String {
    let name = name.as_str().expect("a policy name");
    format!("frontdoor_policy_{}", name.replace('-', "_"))
}

/// A match mode of the table as its C value (`-1`: the policy's default).
fn c_mode(v: &serde_json::Value) -> String {
    match v.as_str() {
        None => "-1".to_owned(),
        Some(m) => format!("IMGREPL_MATCH_MODE_{}", m.to_uppercase().replace('-', "_")),
    }
}

/// One rewrite outcome of the table (`{image, rule}` or `{error: {…}}`) as a `frontdoor_want`.
fn c_want(w: &serde_json::Value) -> String {
    let rule = |v: &serde_json::Value| v.as_i64().unwrap_or(-1);
    match w.get("error") {
        Some(e) => format!(
            "{{NULL, {}, {}, {}, {}}}",
            rule(&e["rule"]),
            c_str(e["code"].as_str().expect("an error code")),
            e["offset"].as_u64().expect("an error offset"),
            e["status"].as_str().expect("an error status"),
        ),
        None => format!(
            "{{{}, {}, NULL, 0, IMGREPL_STATUS_OK}}",
            c_str(w["image"].as_str().expect("an image")),
            rule(&w["rule"])
        ),
    }
}

/// The summary a toolkit call gives, counted from the row's `want` (the report it summarizes),
/// as designated initializers of the section's summary field.
fn c_summary(section: &str, want: &serde_json::Value) -> String {
    let n = |v: &serde_json::Value| v.as_u64().expect("a count");
    let len = |v: &serde_json::Value| v.as_array().expect("a list").len();
    match section {
        "coverage" => {
            let rules = want["rules"].as_array().expect("rules");
            let status = |s: &str| rules.iter().filter(|r| r["status"] == s).count();
            format!(
                ".coverage = {{.images = {}, .distinct = {}, .rewritten = {}, .uncovered = {}, \
                 .invalid = {}, .dead_rules = {}, .shadowed_rules = {}, .uncovered_registries = {}, \
                 .disagreements = {}}}",
                n(&want["images"]),
                n(&want["distinct"]),
                n(&want["rewritten"]),
                n(&want["uncoveredCount"]),
                n(&want["invalidCount"]),
                status("dead"),
                status("shadowed"),
                len(&want["uncovered"]),
                len(&want["disagreements"]),
            )
        }
        "diff" => {
            let s = &want["summary"];
            format!(
                ".diff = {{.rules_added = {}, .rules_removed = {}, .rules_changed = {}, \
                 .rules_unchanged = {}, .images = {}, .images_changed = {}, .distinct_changed = {}}}",
                n(&s["added"]),
                n(&s["removed"]),
                n(&s["changed"]),
                n(&s["unchanged"]),
                n(&s["images"]),
                n(&s["imagesChanged"]),
                n(&s["distinctChanged"]),
            )
        }
        _ => {
            let passes = want.as_array().expect("passes");
            let end = |e: &str| passes.iter().filter(|p| p["end"] == e).count();
            format!(
                ".second_pass = {{.images = {}, .occurrences = {}, .stable = {}, .cycles = {}, \
                 .invalid_results = {}, .limits = {}, .longest_chain = {}}}",
                passes.len(),
                passes.iter().map(|p| n(&p["count"])).sum::<u64>(),
                end("stable"),
                end("cycle"),
                end("invalid-result"),
                end("limit"),
                passes.iter().map(|p| len(&p["chain"])).max().unwrap_or(0),
            )
        }
    }
}

/// The `policy` rows: an array of diagnostics each, then `FRONTDOOR_POLICY`.
fn c_policies(rows: &[serde_json::Value]) -> String {
    let mut s = String::new();
    let usize_of = |v: &serde_json::Value| v.as_u64().expect("a span bound");
    for (i, r) in rows.iter().enumerate() {
        let diagnostics = r["want"]["diagnostics"].as_array().expect("diagnostics");
        let mut items: Vec<String> = diagnostics
            .iter()
            .map(|d| {
                let related = &d["related"];
                format!(
                    "{{IMGREPL_SEVERITY_{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}",
                    d["severity"].as_str().expect("a severity").to_uppercase(),
                    c_str(d["code"].as_str().expect("a code")),
                    c_str(d["message"].as_str().expect("a message")),
                    d["index"].as_i64().unwrap_or(-1),
                    c_str(d["field"].as_str().unwrap_or("")),
                    c_str(d["pointer"].as_str().expect("a pointer")),
                    usize_of(&d["span"]["start"]),
                    usize_of(&d["span"]["end"]),
                    !related.is_null(),
                    related["start"].as_u64().unwrap_or(0),
                    related["end"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        if items.is_empty() {
            // C has no empty arrays: one unused entry.
            items.push(
                "{IMGREPL_SEVERITY_ERROR, NULL, NULL, -1, NULL, NULL, 0, 0, false, 0, 0}"
                    .to_owned(),
            );
        }
        writeln!(
            s,
            "static const frontdoor_diagnostic frontdoor_diagnostics_{i}[] = {{\n    {}\n}};",
            items.join(",\n    ")
        )
        .unwrap();
    }
    s.push_str("static const frontdoor_policy FRONTDOOR_POLICY[] = {\n");
    for (i, r) in rows.iter().enumerate() {
        writeln!(
            s,
            "    {{{}, {}, {}, frontdoor_diagnostics_{i}, {}}},",
            c_str(r["name"].as_str().expect("a name")),
            c_str(r["text"].as_str().expect("a policy text")),
            r["want"]["ok"].as_bool().expect("ok"),
            r["want"]["diagnostics"]
                .as_array()
                .expect("diagnostics")
                .len()
        )
        .unwrap();
    }
    s.push_str("};\n\n");
    s
}

/// `ctests/cases.h` from the case table: one static array per section.
#[allow(clippy::too_many_lines, reason = "one section after the other")]
fn cases_h() -> String {
    use serde_json::Value;
    use serde_json::value::RawValue;
    type RawRows = Vec<std::collections::BTreeMap<String, Box<RawValue>>>;
    let text = case_table();
    let table: Value = serde_json::from_str(&text).expect("the case table is JSON");
    let raw: std::collections::BTreeMap<String, Box<RawValue>> =
        serde_json::from_str(&text).expect("the case table is JSON");
    // The outputs the library serializes, as it writes them: compact, in the table's key order.
    let raw_wants = |section: &str| -> Vec<String> {
        let rows: RawRows = serde_json::from_str(raw[section].get()).expect("a section");
        rows.iter().map(|r| compact(r["want"].get())).collect()
    };
    let rows = |section: &str| table[section].as_array().expect("a section").clone();
    let mut s = String::from(
        "/*\n * cases.h: the rows of testdata/frontdoor/cases.json, for test_cases.c.\n *\n \
         * generated by `cargo xtask gen` — do not edit.\n */\n\
         #ifndef IMGREPL_CASES_H\n#define IMGREPL_CASES_H\n\n\
         #include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n#include \"imgrepl.h\"\n\n\
         /* What a rewrite gives: the image and rule (-1: none), or an error's code, offset and\n \
         * status (image NULL). */\n\
         typedef struct frontdoor_want {\n    const char *image;\n    int64_t rule;\n    \
         const char *code;\n    size_t offset;\n    imgrepl_status status;\n} frontdoor_want;\n\n\
         /* mode: an imgrepl_match_mode, or -1 for the policy's default. */\n\
         /* A diagnostic of a policy: rule -1 for none, field and pointer \"\" for none. */\n\
         typedef struct frontdoor_diagnostic {\n    imgrepl_severity severity;\n    \
         const char *code;\n    const char *message;\n    int64_t rule;\n    \
         const char *field;\n    const char *pointer;\n    size_t span_start;\n    \
         size_t span_end;\n    bool has_related;\n    size_t related_start;\n    \
         size_t related_end;\n} frontdoor_diagnostic;\n\n\
         /* A policy text, whether it parses, and its diagnostics (errors, or warnings). */\n\
         typedef struct frontdoor_policy {\n    const char *name;\n    const char *text;\n    \
         bool ok;\n    const frontdoor_diagnostic *diagnostics;\n    size_t len;\n} \
         frontdoor_policy;\n\n\
         typedef struct frontdoor_rewrite {\n    const char *name;\n    const char *policy;\n    \
         int mode;\n    const char *image;\n    frontdoor_want want;\n} frontdoor_rewrite;\n\n\
         typedef struct frontdoor_batch {\n    const char *name;\n    const char *policy;\n    \
         int mode;\n    const char *const *images;\n    const frontdoor_want *want;\n    \
         size_t len;\n} frontdoor_batch;\n\n\
         /* want: the JSON the library writes. */\n\
         typedef struct frontdoor_explain {\n    const char *name;\n    const char *policy;\n    \
         int mode;\n    const char *image;\n    const char *want;\n} frontdoor_explain;\n\n\
         /* An image of a corpus, and the workload it was found in (NULL: none). */\n\
         typedef struct frontdoor_item {\n    const char *image;\n    const char *workload;\n} \
         frontdoor_item;\n\n\
         /* Coverage and second pass use policy; diff compares policy (old) with new_policy.\n \
         * want: the JSON the library writes. */\n\
         typedef struct frontdoor_toolkit {\n    const char *name;\n    const char *policy;\n    \
         int mode;\n    const char *new_policy;\n    int new_mode;\n    \
         const frontdoor_item *corpus;\n    size_t corpus_len;\n    const char *want;\n    \
         /* The summary of the section's call, counted from want. */\n    \
         imgrepl_coverage_summary coverage;\n    imgrepl_diff_summary diff;\n    \
         imgrepl_second_pass_summary second_pass;\n} frontdoor_toolkit;\n\n",
    );
    // By name, whatever order serde_json keeps (its `preserve_order` feature, which another
    // crate of the workspace turns on, keeps the file's).
    let policies: std::collections::BTreeMap<_, _> = table["policies"]
        .as_object()
        .expect("policies")
        .iter()
        .collect();
    for (name, policy) in policies {
        let text = policy.as_str().expect("a policy is text");
        let ident = c_policy(&Value::String(name.clone()));
        writeln!(s, "static const char {ident}[] = {};", c_str(text)).unwrap();
    }
    s.push('\n');
    s.push_str(&c_policies(&rows("policy")));
    s.push_str("static const frontdoor_rewrite FRONTDOOR_REWRITE[] = {\n");
    for r in rows("rewrite") {
        writeln!(
            s,
            "    {{{}, {}, {}, {}, {}}},",
            c_str(r["name"].as_str().unwrap()),
            c_policy(&r["policy"]),
            c_mode(&r["mode"]),
            c_str(r["image"].as_str().unwrap()),
            c_want(&r["want"])
        )
        .unwrap();
    }
    s.push_str("};\n\n");
    let batch = rows("batch");
    for (i, r) in batch.iter().enumerate() {
        let images: Vec<String> = r["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| c_str(i.as_str().unwrap()))
            .chain(std::iter::once("NULL".to_owned()))
            .collect();
        let wants: Vec<String> = r["want"].as_array().unwrap().iter().map(c_want).collect();
        let wants = if wants.is_empty() {
            vec!["{NULL, -1, NULL, 0, IMGREPL_STATUS_OK}".to_owned()]
        } else {
            wants
        };
        writeln!(
            s,
            "static const char *const frontdoor_batch_{i}_images[] = {{{}}};",
            images.join(", ")
        )
        .unwrap();
        writeln!(
            s,
            "static const frontdoor_want frontdoor_batch_{i}_want[] = {{\n    {}\n}};",
            wants.join(",\n    ")
        )
        .unwrap();
    }
    s.push_str("static const frontdoor_batch FRONTDOOR_BATCH[] = {\n");
    for (i, r) in batch.iter().enumerate() {
        writeln!(
            s,
            "    {{{}, {}, {}, frontdoor_batch_{i}_images, frontdoor_batch_{i}_want, {}}},",
            c_str(r["name"].as_str().unwrap()),
            c_policy(&r["policy"]),
            c_mode(&r["mode"]),
            r["images"].as_array().unwrap().len()
        )
        .unwrap();
    }
    s.push_str("};\n\n");
    s.push_str("static const frontdoor_explain FRONTDOOR_EXPLAIN[] = {\n");
    for (r, want) in rows("explain").iter().zip(raw_wants("explain")) {
        writeln!(
            s,
            "    {{{}, {}, {}, {},\n     {}}},",
            c_str(r["name"].as_str().unwrap()),
            c_policy(&r["policy"]),
            c_mode(&r["mode"]),
            c_str(r["image"].as_str().unwrap()),
            c_str(&want)
        )
        .unwrap();
    }
    s.push_str("};\n\n");
    for (section, array) in [
        ("coverage", "FRONTDOOR_COVERAGE"),
        ("diff", "FRONTDOOR_DIFF"),
        ("secondPass", "FRONTDOOR_SECOND_PASS"),
    ] {
        let rows = rows(section);
        let prefix = format!(
            "frontdoor_{}",
            array.to_lowercase().trim_start_matches("frontdoor_")
        );
        for (i, r) in rows.iter().enumerate() {
            let items: Vec<String> = r["corpus"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| match item {
                    Value::String(image) => format!("{{{}, NULL}}", c_str(image)),
                    _ => format!(
                        "{{{}, {}}}",
                        c_opt(&item["image"]),
                        c_opt(&item["workload"])
                    ),
                })
                .collect();
            // C has no empty arrays: one unused entry.
            let items = if items.is_empty() {
                vec!["{NULL, NULL}".to_owned()]
            } else {
                items
            };
            writeln!(
                s,
                "static const frontdoor_item {prefix}_{i}_corpus[] = {{\n    {}\n}};",
                items.join(",\n    ")
            )
            .unwrap();
        }
        writeln!(s, "static const frontdoor_toolkit {array}[] = {{").unwrap();
        for (i, (r, want)) in rows.iter().zip(raw_wants(section)).enumerate() {
            let (old, old_mode) = if section == "diff" {
                ("old", "oldMode")
            } else {
                ("policy", "mode")
            };
            let (new, new_mode) = if section == "diff" {
                (c_policy(&r["new"]), c_mode(&r["newMode"]))
            } else {
                ("NULL".to_owned(), "-1".to_owned())
            };
            writeln!(
                s,
                "    {{{}, {}, {}, {new}, {new_mode}, {prefix}_{i}_corpus, {},\n     {},\n     {}}},",
                c_str(r["name"].as_str().unwrap()),
                c_policy(&r[old]),
                c_mode(&r[old_mode]),
                r["corpus"].as_array().unwrap().len(),
                c_str(&want),
                c_summary(section, &r["want"])
            )
            .unwrap();
        }
        s.push_str("};\n\n");
    }
    s.push_str("#endif\n");
    s
}

/// Writes `generated` to `rel` under `IMGREPL_BLESS`, else fails when the checked-in copy differs.
fn check_fresh(rel: &str, generated: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    if std::env::var_os("IMGREPL_BLESS").is_some() {
        std::fs::write(&path, generated).expect("the generated file can be written");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        let line = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| checked_in.lines().count().min(generated.lines().count()))
            + 1;
        panic!(
            "{rel} (under bindings-c/) is stale (first difference at line {line}); \
             regenerate it with `cargo xtask gen` and commit it"
        );
    }
}

#[test]
fn cases_h_is_fresh() {
    check_fresh(CASES_H, &cases_h());
}

// ---------- the Go package's statuses ----------

const GO_STATUSES: &str = "../go/imgrepl/status_gen.go";

/// The Go name of a status: `IMGREPL_STATUS_INVALID_UTF8` is `InvalidUTF8`.
fn go_name(status: imgrepl::imgrepl_status) -> String {
    let words = status
        .name()
        .trim_start_matches("IMGREPL_STATUS_")
        .split('_');
    words
        .map(|w| match w {
            "UTF8" => w.to_owned(),
            _ => w[..1].to_owned() + &w[1..].to_lowercase(),
        })
        .collect()
}

/// `go/imgrepl/status_gen.go`: a sentinel error per status (OK excepted) and the table
/// `statusError` reads, from the one list in `src/status.rs`.
fn go_statuses() -> String {
    use imgrepl::imgrepl_status;
    let errors: Vec<imgrepl_status> = imgrepl_status::ALL
        .into_iter()
        .filter(|s| *s != imgrepl_status::IMGREPL_STATUS_OK)
        .collect();
    let width = errors.iter().map(|s| go_name(*s).len()).max().unwrap_or(0) + 4;
    let mut s = String::from(
        "// Code generated by `cargo xtask gen` from bindings-c/src/status.rs; DO NOT EDIT.\n\n\
         package imgrepl\n\nimport \"errors\"\n\n\
         // Sentinel errors, one per status of the C API, for errors.Is.\nvar (\n",
    );
    for status in &errors {
        let name = format!("Err{}", go_name(*status));
        writeln!(
            s,
            "\t{name:<width$}= errors.New(\"imgrepl: {}\")",
            status.message()
        )
        .unwrap();
    }
    s.push_str(
        ")\n\n// statusErrors is the sentinel of each status but IMGREPL_STATUS_OK, by number.\n",
    );
    s.push_str("var statusErrors = map[uint32]error{\n");
    // Aligned as gofmt aligns them.
    let key_width = errors
        .iter()
        .map(|s| (*s as u32).to_string().len())
        .max()
        .unwrap_or(0)
        + 2;
    for status in &errors {
        let key = format!("{}:", *status as u32);
        writeln!(s, "\t{key:<key_width$}Err{},", go_name(*status)).unwrap();
    }
    s.push_str("}\n\n// statusNumbers is every status's number, by its name in the header.\n");
    s.push_str("var statusNumbers = map[string]uint32{\n");
    let key_width = imgrepl_status::ALL
        .iter()
        .map(|s| s.name().len())
        .max()
        .unwrap_or(0)
        + 4;
    for status in imgrepl_status::ALL {
        let key = format!("\"{}\":", status.name());
        writeln!(s, "\t{key:<key_width$}{},", status as u32).unwrap();
    }
    s.push_str("}\n");
    s
}

#[test]
fn go_statuses_are_fresh() {
    check_fresh(GO_STATUSES, &go_statuses());
}
