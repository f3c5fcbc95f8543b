//! The front-door case table (`testdata/frontdoor/cases.json`), run through the library. The C,
//! Go and JS tests run the same rows through their bindings; see `testdata/README.md`.

use imgrepl::corpus::CorpusItem;
use imgrepl::{MatchMode, Policy, RuleId, diff};
use serde_json::value::RawValue;
use serde_json::{Value, json};

#[path = "common/compact.rs"]
mod compact;
use compact::compact;

/// The table, parsed.
fn table() -> Value {
    serde_json::from_str(&table_text()).expect("the case table is JSON")
}

/// The table's text.
fn table_text() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/frontdoor/cases.json"
    );
    std::fs::read_to_string(path).expect("the case table is readable")
}

/// The rows of one section.
fn rows<'a>(table: &'a Value, section: &str) -> &'a [Value] {
    table[section]
        .as_array()
        .unwrap_or_else(|| panic!("section {section}"))
}

/// The row's policy (by name, in the table's `policies`) in the row's mode (`mode`, or `key`).
fn policy(table: &Value, row: &Value, name: &str, mode: &str) -> Policy {
    let text = table["policies"][row[name].as_str().unwrap()]
        .as_str()
        .unwrap_or_else(|| panic!("no policy {}", row[name]));
    let policy = Policy::from_json(text).unwrap();
    match row[mode].as_str() {
        None => policy,
        Some(m) => policy.with_mode(m.parse::<MatchMode>().unwrap()),
    }
}

/// The row's corpus: images, or `{image, workload}` objects (`workload` `null` for none).
fn corpus(row: &Value) -> Vec<CorpusItem<'_>> {
    row["corpus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| match item {
            Value::String(image) => CorpusItem::from(image.as_str()),
            _ => CorpusItem::from((item["image"].as_str().unwrap(), item["workload"].as_str())),
        })
        .collect()
}

/// What a rewrite gives, in the table's shape.
fn rewrite_value(result: Result<(String, Option<RuleId>), imgrepl::RewriteError>) -> Value {
    match result {
        Ok((image, rule)) => json!({"image": image, "rule": rule.map(RuleId::index)}),
        Err(e) => json!({"error": {
            "code": e.code().as_str(),
            "offset": e.offset(),
            "rule": e.rule().map(RuleId::index),
            // The C status the error goes with (the C and Go tests check it).
            "status": if e.kind() == imgrepl::RewriteErrorKind::InvalidResult {
                "IMGREPL_STATUS_INVALID_RESULT"
            } else {
                "IMGREPL_STATUS_INVALID_IMAGE"
            },
        }}),
    }
}

/// The output as the library serializes it (the C test compares this text).
fn text<T: serde::Serialize>(value: &T) -> Value {
    Value::String(serde_json::to_string(value).unwrap())
}

/// The `want` of each row of `section`, as written in the file.
fn raw_wants(text: &str, section: &str) -> Vec<String> {
    type Row = std::collections::BTreeMap<String, Box<RawValue>>;
    let file: std::collections::BTreeMap<String, Box<RawValue>> =
        serde_json::from_str(text).unwrap();
    let rows: Vec<Row> = serde_json::from_str(file[section].get()).unwrap();
    rows.iter().map(|row| compact(row["want"].get())).collect()
}

/// The sections of the table, in its order.
const SECTIONS: [&str; 7] = [
    "policy",
    "rewrite",
    "batch",
    "explain",
    "coverage",
    "diff",
    "secondPass",
];

#[test]
fn every_row() {
    let t = table();
    let mut counts = Vec::new();
    for section in SECTIONS {
        let raw = raw_wants(&table_text(), section);
        for (i, row) in rows(&t, section).iter().enumerate() {
            let name = &row["name"];
            let got = run(&t, section, row);
            match got {
                // Compared as text: the same values, the library's key order, no whitespace.
                Value::String(text) if section != "rewrite" && section != "batch" => {
                    assert_eq!(
                        serde_json::from_str::<Value>(&text).unwrap(),
                        row["want"],
                        "{section}: {name}"
                    );
                    assert_eq!(text, raw[i], "{section}: {name}: as the library writes it");
                }
                got => assert_eq!(got, row["want"], "{section}: {name}"),
            }
        }
        counts.push(rows(&t, section).len());
    }
    // Every section has rows (a section renamed in the file is not silently skipped).
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
}

/// Runs one row through the library: a value in the table's shape, or for the sections the
/// library serializes (policy validation, explain, coverage, diff, second pass) its JSON text.
fn run(t: &Value, section: &str, row: &Value) -> Value {
    let name = &row["name"];
    match section {
        "rewrite" => {
            let p = policy(t, row, "policy", "mode");
            let image = row["image"].as_str().unwrap();
            let got = rewrite_value(p.rewrite(image).map(|r| (r.image.into_owned(), r.rule)));
            // rewrite_into and find agree with rewrite; outputs are written only on success.
            let mut out = String::from("previous");
            match (p.rewrite_into(image, &mut out), &got["image"]) {
                (Ok(rule), Value::String(want)) => {
                    assert_eq!(&out, want, "{name}");
                    assert_eq!(rule.map(RuleId::index), index(&got["rule"]), "{name}");
                    let found = p.find(image).unwrap().map(|m| m.rule.index());
                    assert_eq!(found, index(&got["rule"]), "{name}");
                }
                (Err(_), Value::Null) => assert_eq!(out, "previous", "{name}"),
                (r, _) => panic!("{name}: rewrite_into gave {r:?}"),
            }
            // explain names the same rule (for an invalid result, the rule that matched) and
            // result.
            let e = p.explain(image);
            let rule = index(&got["rule"]).or_else(|| index(&got["error"]["rule"]));
            assert_eq!(e.rule.map(RuleId::index), rule, "{name}");
            let result = got["rule"].as_u64().and(got["image"].as_str());
            assert_eq!(e.result.as_deref(), result, "{name}");
            got
        }
        "batch" => {
            let p = policy(t, row, "policy", "mode");
            let images = row["images"].as_array().unwrap();
            let batch = p.rewrite_batch(images.iter().map(|i| i.as_str().unwrap()));
            let items = batch.items().iter().enumerate().map(|(i, item)| {
                let image = batch.image(i).unwrap().to_owned();
                rewrite_value(item.result.map(|rule| (image, rule)))
            });
            Value::Array(items.collect())
        }
        "explain" => {
            let p = policy(t, row, "policy", "mode");
            text(&p.explain(row["image"].as_str().unwrap()))
        }
        "coverage" => text(&policy(t, row, "policy", "mode").coverage(corpus(row))),
        "diff" => {
            let old = policy(t, row, "old", "oldMode");
            let new = policy(t, row, "new", "newMode");
            text(&diff::diff(&old, &new, corpus(row)))
        }
        "secondPass" => text(&policy(t, row, "policy", "mode").second_pass(corpus(row))),
        "policy" => text(&Policy::validate(row["text"].as_str().unwrap())),
        _ => unreachable!("section {section}"),
    }
}

/// A rule index of the table (`null` for none).
fn index(v: &Value) -> Option<usize> {
    v.as_u64().and_then(|i| usize::try_from(i).ok())
}
