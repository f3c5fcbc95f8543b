//! Conversions between core values and JavaScript values: plain objects through
//! serde-wasm-bindgen (JSON-compatible: maps become objects, `None` becomes `null`), positions
//! in UTF-16 code units through core's index, and errors thrown as real `Error` objects with a
//! `code` property.
//!
//! Nothing here decides a rule: every value comes from a core accessor, and the only work is
//! choosing the JavaScript shape (camelCase names, UTF-16 offsets).

use imgrepl::span::Utf16Index;
use imgrepl::{Code, Diagnostic, Field, RewriteError, RuleId, Severity, Span};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// Converts a serializable value into a plain JavaScript value.
///
/// Serialization of the binding's own shapes cannot fail (strings, numbers, booleans, arrays and
/// objects only); should it ever, the error is thrown as an `Error` with code `internal`.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error("internal", &e.to_string()).into())
}

/// Converts a large list through one JSON text and the engine's `JSON.parse`: measured in
/// BENCHMARKS.md to be several times faster than building each object field by field when
/// there are thousands of rows (one string crosses the boundary instead of thousands).
pub(crate) fn to_js_via_json<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| JsValue::from(error("internal", &e.to_string())))?;
    js_sys::JSON::parse(&text).map_err(|_| error("internal", "JSON.parse failed").into())
}

/// The strings of an array, in order.
///
/// They cross the boundary as one `\n`-joined string, split here; only when a string holds a
/// newline itself (never a valid image) are they taken one by one. An element that is not a
/// string is an `invalid-argument` error.
///
/// A value that is not an array at all is an `invalid-argument` error too, found before any of
/// its methods is called: a call that throws inside the module would unwind past the borrow of
/// the `Policy` it is a method of, and leave that policy unusable.
pub(crate) fn strings(a: &js_sys::Array) -> Result<Vec<String>, JsValue> {
    if !js_sys::Array::is_array(a) {
        return Err(invalid_argument("expected an array of strings"));
    }
    if !a.every(&mut |v, _, _| v.is_string()) {
        return Err(invalid_argument("expected an array of strings"));
    }
    let joined = String::from(a.join("\n"));
    let len = a.length() as usize;
    if joined.bytes().filter(|&b| b == b'\n').count() + 1 == len || (len == 0 && joined.is_empty())
    {
        if len == 0 {
            return Ok(Vec::new());
        }
        return Ok(joined.split('\n').map(str::to_owned).collect());
    }
    Ok(a.iter()
        .map(|v| v.as_string().unwrap_or_default())
        .collect())
}

/// A JavaScript `Error` with `message` and a `code` property.
pub(crate) fn error(code: &str, message: &str) -> js_sys::Error {
    let error = js_sys::Error::new(message);
    set(&error, "code", &JsValue::from_str(code));
    error
}

/// Sets `key` on `target`. Setting a property on a fresh `Error` object cannot fail.
pub(crate) fn set(target: &js_sys::Error, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

/// A `TypeError`-like misuse of the API (a wrong option), thrown with code `invalid-argument`.
pub(crate) fn invalid_argument(message: &str) -> JsValue {
    error("invalid-argument", message).into()
}

/// Turns a thrown value into the `Err` of a binding function.
pub(crate) fn throw(error: js_sys::Error) -> JsValue {
    error.unchecked_into()
}

/// A span in UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Utf16Span {
    pub start: usize,
    pub end: usize,
}

impl Utf16Span {
    pub(crate) fn new(index: &Utf16Index<'_>, span: Span) -> Self {
        let s = index.span(span);
        Utf16Span {
            start: s.start,
            end: s.end,
        }
    }
}

/// A policy diagnostic as JavaScript sees it (`Diagnostic` in `imgrepl.d.ts`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsDiagnostic {
    severity: Severity,
    code: Code,
    message: String,
    rule: Option<usize>,
    field: Option<Field>,
    pointer: String,
    span: Utf16Span,
    related: Option<Utf16Span>,
}

impl JsDiagnostic {
    pub(crate) fn new(index: &Utf16Index<'_>, d: &Diagnostic) -> Self {
        JsDiagnostic {
            severity: d.severity(),
            code: d.code(),
            message: d.message().to_owned(),
            rule: d.rule(),
            field: d.field(),
            pointer: d.pointer().to_owned(),
            span: Utf16Span::new(index, d.span()),
            related: d.related().map(|r| Utf16Span::new(index, r)),
        }
    }

    /// Every diagnostic of `text`, in order, with UTF-16 spans (one index for all of them).
    pub(crate) fn all<'d>(
        text: &str,
        diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    ) -> Vec<Self> {
        let index = Utf16Index::new(text);
        diagnostics
            .into_iter()
            .map(|d| JsDiagnostic::new(&index, d))
            .collect()
    }
}

/// An image error as JavaScript sees it (`ImageError`): offset in UTF-16 code units of the image.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsImageError {
    code: Code,
    message: String,
    offset: usize,
}

impl JsImageError {
    pub(crate) fn new(image: &str, e: &RewriteError) -> Self {
        JsImageError {
            code: e.code(),
            message: e.to_string(),
            offset: Utf16Index::new(image).offset(e.offset()),
        }
    }

    /// The same, thrown: an `Error` with `code` and `offset`.
    pub(crate) fn throw(&self) -> JsValue {
        let e = error(self.code.as_str(), &self.message);
        set(&e, "offset", &JsValue::from(self.offset));
        throw(e)
    }
}

/// A rule index for JavaScript.
pub(crate) fn rule_index(id: Option<RuleId>) -> Option<usize> {
    id.map(RuleId::index)
}
