//! The two properties every edit must have, checked the same way by the case table and the
//! property tests:
//! - byte preservation: the output is the input with the edits' spans replaced, and nothing
//!   else (each edit's `before` is the input's text there);
//! - value preservation: reading each document of the output with an independent YAML reader
//!   (serde-saphyr) gives the document of the input with its patch applied.

#![allow(dead_code, reason = "each test binary uses a part of this module")]

use imgrepl_manifest::Edited;
use serde_json::Value;

/// Checks byte preservation.
#[track_caller]
pub fn check_bytes(input: &str, edited: &Edited) {
    let mut rebuilt = String::new();
    let mut at = 0;
    for edit in edited.documents.iter().flat_map(|d| &d.edits) {
        assert!(edit.span.start >= at, "edits in order, not overlapping");
        assert_eq!(
            &input[edit.span.clone()],
            edit.before,
            "an edit's before is the input's text"
        );
        rebuilt.push_str(&input[at..edit.span.start]);
        rebuilt.push_str(&edit.after);
        at = edit.span.end;
    }
    rebuilt.push_str(&input[at..]);
    assert_eq!(
        rebuilt, edited.output,
        "the output is the input but for the edits"
    );
}

/// Reads one YAML document with the independent reader; `None` when it cannot.
pub fn read(text: &str) -> Option<Value> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_saphyr::from_multiple::<Value>(text)
        .ok()
        .and_then(|mut docs| match docs.len() {
            0 => Some(Value::Null),
            1 => docs.pop(),
            _ => None,
        })
}

/// Checks value preservation, document by document; returns how many documents could be read
/// by the independent reader (and so were checked).
#[track_caller]
pub fn check_values(input: &str, edited: &Edited) -> usize {
    let mut delta: isize = 0;
    let mut checked = 0;
    for document in &edited.documents {
        let grown: isize = document
            .edits
            .iter()
            .map(|e| e.after.len().cast_signed() - e.before.len().cast_signed())
            .sum();
        let start = document.span.start.cast_signed() + delta;
        let end = document.span.end.cast_signed() + delta + grown;
        delta += grown;
        let out = &edited.output[start.cast_unsigned()..end.cast_unsigned()];
        let Some(mut before) = read(&input[document.span.clone()]) else {
            continue;
        };
        for op in document.patch() {
            *before
                .pointer_mut(&op.path)
                .unwrap_or_else(|| panic!("the patch path {} is in the document", op.path)) =
                Value::String(op.value.clone());
        }
        let after = read(out).expect("the output document reads as the input did");
        assert_eq!(after, before, "document {}", document.number);
        checked += 1;
    }
    checked
}
