//! A span-preserving read of the annotation JSON.
//!
//! `serde_json` with `&RawValue` (the `raw_value` feature) hands back each value as a slice of the
//! input, so its byte span is pointer arithmetic on the input. The rule objects are read by a map
//! visitor that keeps every entry, in order, duplicates included, so that duplicate and unknown
//! fields can all be reported instead of stopping at the first. Key spans are found by walking
//! back from the value over `:` and white space to the key's opening quote.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::Span;

/// One `"key": value` entry of a rule object.
pub(crate) struct Entry<'a> {
    pub(crate) key: Cow<'a, str>,
    pub(crate) key_span: Span,
    pub(crate) value: &'a str,
    pub(crate) value_span: Span,
}

/// One element of the array.
pub(crate) enum Element<'a> {
    /// An object, with every entry in source order.
    Object { span: Span, entries: Vec<Entry<'a>> },
    /// Anything else: its span and JSON type name.
    Other { span: Span, kind: &'static str },
}

/// Why the text is not an array of JSON values.
pub(crate) enum ReadError {
    /// Not JSON: the message and the span of the offending character.
    Syntax(String, Span),
    /// JSON, but not an array: its type name and span.
    NotArray(&'static str, Span),
}

/// The span of `part`, a slice of `text`.
fn span_of(text: &str, part: &str) -> Span {
    let start = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    Span::new(start, start + part.len())
}

/// The JSON type of a raw value, by its first byte.
pub(crate) fn json_type(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// The byte order mark some editors write before JSON: skipped, its bytes still counted in every
/// span (spans are offsets in the text as given).
pub(crate) const BOM: char = '\u{feff}';

/// The span of a `serde_json` error's position in `part`, a slice of `text`.
fn error_span(text: &str, part: &str, err: &serde_json::Error) -> Span {
    let base = span_of(text, part).start;
    if err.is_eof() {
        return Span::new(base + part.len(), base + part.len());
    }
    let at = crate::span::json_error_offset(part, err);
    let end = part
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    Span::new(base + at, base + end)
}

/// The error for `err`, met reading `part` (a slice of `text`): a lone surrogate escape is named
/// at its position (`serde_json` says "unexpected end of hex escape" or "lone leading
/// surrogate" about the whole value); anything else is `serde_json`'s message at its position,
/// or at `fallback` when the error's position is not in `part`.
fn syntax_error(
    text: &str,
    part: &str,
    err: &serde_json::Error,
    fallback: Option<Span>,
) -> ReadError {
    let at = if err.is_eof() {
        part.len()
    } else {
        crate::span::json_error_offset(part, err)
    };
    // Only an escape at or before the error's position is its cause.
    if let Some(escape) = lone_surrogate(part).filter(|escape| escape.start <= at) {
        let start = span_of(text, part).start + escape.start;
        return ReadError::Syntax(
            lone_surrogate_message(part, escape.clone()),
            Span::new(start, start + escape.len()),
        );
    }
    let span = fallback.unwrap_or_else(|| error_span(text, part, err));
    ReadError::Syntax(syntax_message(err), span)
}

/// The byte range of the first `\uXXXX` escape in `raw` (JSON text) that is a surrogate without
/// its pair: a high one not followed by a `\u` low one, or a low one alone. JSON has backslashes
/// only inside strings, so the text can be scanned as it is.
pub(crate) fn lone_surrogate(raw: &str) -> Option<std::ops::Range<usize>> {
    let bytes = raw.as_bytes();
    let unit = |at: usize| -> Option<u16> {
        let hex = bytes.get(at..at + 6)?;
        if hex.get(..2)? != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(hex.get(2..)?).ok()?, 16).ok()
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        match unit(i) {
            Some(0xD800..=0xDBFF) => {
                if matches!(unit(i + 6), Some(0xDC00..=0xDFFF)) {
                    i += 12;
                } else {
                    return Some(i..i + 6);
                }
            }
            Some(0xDC00..=0xDFFF) => return Some(i..i + 6),
            Some(_) => i += 6,
            // `\\`, `\"`, …: the escaped character is skipped with the backslash.
            None => i += 2,
        }
    }
    None
}

/// "invalid escape `\ud800` (a lone surrogate)".
pub(crate) fn lone_surrogate_message(raw: &str, escape: std::ops::Range<usize>) -> String {
    format!(
        "invalid escape `{}` (a lone surrogate)",
        raw.get(escape).unwrap_or_default()
    )
}

/// Reads `text` as a JSON array, each element an object read entry by entry.
/// A [`BOM`] before the JSON is skipped.
pub(crate) fn read(text: &str) -> Result<Vec<Element<'_>>, ReadError> {
    let body = text.strip_prefix(BOM).unwrap_or(text);
    let whole: &RawValue =
        serde_json::from_str(body).map_err(|e| syntax_error(text, body, &e, None))?;
    let whole_span = span_of(text, whole.get());
    if !whole.get().starts_with('[') {
        return Err(ReadError::NotArray(json_type(whole.get()), whole_span));
    }
    let items: Vec<&RawValue> =
        serde_json::from_str(whole.get()).map_err(|e| syntax_error(text, whole.get(), &e, None))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let raw = item.get();
        let span = span_of(text, raw);
        if !raw.starts_with('{') {
            out.push(Element::Other {
                span,
                kind: json_type(raw),
            });
            continue;
        }
        let mut de = serde_json::Deserializer::from_str(raw);
        let entries = de
            .deserialize_map(EntriesVisitor)
            .map_err(|e| syntax_error(text, raw, &e, Some(span)))?;
        let entries = entries
            .into_iter()
            .map(|(key, value)| {
                let value_span = span_of(text, value.get());
                Entry {
                    key,
                    key_span: key_span(text, value_span.start),
                    value: value.get(),
                    value_span,
                }
            })
            .collect();
        out.push(Element::Object { span, entries });
    }
    Ok(out)
}

/// `serde_json`'s message without its " at line L column C" tail (the span says where).
fn syntax_message(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(&message).to_owned(),
        None => message,
    }
}

/// The span of the key (with its quotes) whose value starts at `value_start`.
fn key_span(text: &str, value_start: usize) -> Span {
    let bytes = text.as_bytes();
    let before = bytes.get(..value_start).unwrap_or(bytes);
    // Back over white space and the ':' to the key's closing quote.
    let Some(close) = before
        .iter()
        .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b':'))
    else {
        return Span::new(value_start, value_start);
    };
    // Back to the opening quote: the first '"' not escaped by an odd run of backslashes.
    let mut i = close;
    while i > 0 {
        i -= 1;
        if before.get(i) == Some(&b'"') {
            let backslashes = before
                .get(..i)
                .unwrap_or_default()
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if backslashes % 2 == 0 {
                return Span::new(i, close + 1);
            }
        }
    }
    Span::new(close, close + 1)
}

/// Reads a JSON object into every `(key, raw value)` entry, in order.
struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value: &RawValue = map.next_value()?;
            entries.push((key, value));
        }
        Ok(entries)
    }
}

/// A key, borrowed when it has no escapes.
struct KeySeed;

impl<'de> de::DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}
