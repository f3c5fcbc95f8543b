//! RFC 6902 JSON Patch (the `replace` operations a workload rewrite needs) and RFC 6901 JSON
//! pointers.

use std::fmt::{self, Write as _};

use serde::Serialize;

use imgrepl::__private::any_byte;
use serde_json::Value;

/// The operation of a [`PatchOp`]. A workload rewrite only ever replaces strings.
///
/// ```
/// assert_eq!(imgrepl_k8s::PatchOpKind::Replace.as_str(), "replace");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PatchOpKind {
    /// `replace`: the value at `path` must exist and is replaced.
    Replace,
}

impl PatchOpKind {
    /// The operation's name in RFC 6902.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Replace => "replace",
        }
    }
}

/// One RFC 6902 operation: `{"op": "replace", "path": "/spec/containers/0/image", "value": "…"}`.
///
/// ```
/// use imgrepl_k8s::PatchOp;
///
/// let op = PatchOp::replace("/spec/containers/0/image", "m.io/nginx:1");
/// assert_eq!(serde_json::to_string(&op)?, r#"{"op":"replace","path":"/spec/containers/0/image","value":"m.io/nginx:1"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct PatchOp {
    /// The operation.
    pub op: PatchOpKind,
    /// The RFC 6901 pointer of the value.
    pub path: String,
    /// The new value.
    pub value: String,
}

impl PatchOp {
    /// A `replace` of the string at `path` with `value`.
    pub fn replace(path: impl Into<String>, value: impl Into<String>) -> PatchOp {
        PatchOp {
            op: PatchOpKind::Replace,
            path: path.into(),
            value: value.into(),
        }
    }
}

/// An RFC 6902 JSON Patch: the operations in the order they apply. It serializes as the JSON
/// array an `AdmissionReview` response carries (base64-encoded there).
///
/// ```
/// use imgrepl_k8s::{Patch, PatchOp};
///
/// let patch = Patch::from(vec![PatchOp::replace("/spec/containers/0/image", "m.io/nginx")]);
/// let mut pod = serde_json::json!({"spec": {"containers": [{"name": "web", "image": "nginx"}]}});
/// patch.apply(&mut pod)?;
/// assert_eq!(pod["spec"]["containers"][0]["image"], "m.io/nginx");
/// assert_eq!(patch.to_json(), r#"[{"op":"replace","path":"/spec/containers/0/image","value":"m.io/nginx"}]"#);
/// # Ok::<(), imgrepl_k8s::PatchError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Patch {
    ops: Vec<PatchOp>,
}

impl Patch {
    /// The operations.
    #[must_use]
    pub fn ops(&self) -> &[PatchOp] {
        &self.ops
    }

    /// Whether there is no operation (nothing to change).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// An iterator over the operations.
    pub fn iter(&self) -> std::slice::Iter<'_, PatchOp> {
        self.ops.iter()
    }

    /// The number of operations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// The patch as compact JSON (`[]` when empty).
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serializing strings into a Vec cannot fail.
        serde_json::to_string(&self.ops).unwrap_or_else(|_| String::from("[]"))
    }

    /// Appends the patch as compact JSON to `out`, byte for byte as [`to_json`](Self::to_json)
    /// writes it, without `serde`'s per-byte escaping of strings that need none (an
    /// `AdmissionReview` answer writes its patch this way).
    pub(crate) fn write_json(&self, out: &mut String) {
        // Room for the patch as it usually is (strings without escapes).
        let strings = self.ops.iter().map(|op| op.path.len() + op.value.len());
        out.reserve(strings.sum::<usize>() + 40 * self.ops.len() + 2);
        out.push('[');
        for (i, op) in self.ops.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"op\":");
            push_json_str(out, op.op.as_str());
            out.push_str(",\"path\":");
            push_json_str(out, &op.path);
            out.push_str(",\"value\":");
            push_json_str(out, &op.value);
            out.push('}');
        }
        out.push(']');
    }

    pub(crate) fn push(&mut self, op: PatchOp) {
        self.ops.push(op);
    }

    /// Applies the patch to `target`, all or nothing: on error `target` is left unchanged.
    ///
    /// # Errors
    ///
    /// A [`PatchError`] naming the first path that does not exist in `target`.
    pub fn apply(&self, target: &mut Value) -> Result<(), PatchError> {
        if let Some(op) = self
            .ops
            .iter()
            .find(|op| target.pointer(&op.path).is_none())
        {
            return Err(PatchError {
                path: op.path.clone(),
            });
        }
        for op in &self.ops {
            match op.op {
                PatchOpKind::Replace => {
                    if let Some(slot) = target.pointer_mut(&op.path) {
                        *slot = Value::String(op.value.clone());
                    }
                }
            }
        }
        Ok(())
    }
}

impl From<Vec<PatchOp>> for Patch {
    fn from(ops: Vec<PatchOp>) -> Self {
        Patch { ops }
    }
}

impl<'a> IntoIterator for &'a Patch {
    type Item = &'a PatchOp;
    type IntoIter = std::slice::Iter<'a, PatchOp>;

    fn into_iter(self) -> Self::IntoIter {
        self.ops.iter()
    }
}

/// A patch that does not fit its target: `path` does not exist there.
///
/// ```
/// use imgrepl_k8s::{Patch, PatchOp};
///
/// let patch = Patch::from(vec![PatchOp::replace("/spec/containers/1/image", "x")]);
/// let err = patch.apply(&mut serde_json::json!({"spec": {"containers": []}})).unwrap_err();
/// assert_eq!(err.code(), imgrepl::Code::PatchPathMissing);
/// assert_eq!(err.to_string(), "the patch path /spec/containers/1/image does not exist in the object");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    path: String,
}

impl PatchError {
    /// [`Code::PatchPathMissing`](imgrepl::Code::PatchPathMissing).
    #[must_use]
    pub const fn code(&self) -> imgrepl::Code {
        imgrepl::Code::PatchPathMissing
    }

    /// What is wrong, in plain words (the same as `Display`).
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The path that does not exist.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for PatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the patch path {} does not exist in the object",
            self.path
        )
    }
}

// `{"code": "patch-path-missing", "message", "path"}`.
imgrepl::coded_error!(PatchError {
    "path": |e| &e.path,
});

/// Appends `text` as a JSON string, byte for byte as `serde_json` writes it: quoted, with `"`,
/// `\\` and the control characters below U+0020 escaped (`\b`, `\t`, `\n`, `\f`, `\r`, the
/// others as `\u00xx` in lowercase hex), everything else as it is.
pub(super) fn push_json_str(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let escaped = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut rest = text;
    // Most strings of an answer (its base64 patch above all) have nothing to escape.
    if any_byte(text, escaped) {
        while let Some(at) = rest.bytes().position(escaped) {
            // The escaped bytes are ASCII: `at` and `at + 1` are character boundaries.
            let (run, tail) = rest.split_at(at);
            out.push_str(run);
            rest = &tail[1..];
            match tail.as_bytes()[0] {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                0x08 => out.push_str("\\b"),
                b'\t' => out.push_str("\\t"),
                b'\n' => out.push_str("\\n"),
                0x0c => out.push_str("\\f"),
                b'\r' => out.push_str("\\r"),
                // Writing to a `String` cannot fail.
                control => {
                    let _ = write!(out, "\\u{control:04x}");
                }
            }
        }
    }
    out.push_str(rest);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        let mut texts: Vec<String> = (0..=0x7f_u8).map(|b| char::from(b).to_string()).collect();
        texts.extend(
            [
                "",
                "plain",
                "a\"b\\c\u{0}d\u{1f}\u{7f}é\u{85}\u{2028}\u{1f600}",
                "\n\r\t\u{8}\u{c}",
            ]
            .map(str::to_owned),
        );
        for text in texts {
            let mut out = String::from("x");
            push_json_str(&mut out, &text);
            assert_eq!(
                out,
                format!("x{}", serde_json::to_string(&text).unwrap()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn write_json_writes_what_serde_json_writes() {
        for ops in [
            vec![],
            vec![PatchOp::replace("/spec/containers/0/image", "m.io/nginx:1")],
            vec![
                PatchOp::replace("/a~1b/0/image", "é\"q\"\\\u{1}\u{7f}\u{85}\n/x"),
                PatchOp::replace("", "\u{1f600}\t"),
            ],
        ] {
            let patch = Patch::from(ops);
            let mut out = String::from("x");
            patch.write_json(&mut out);
            assert_eq!(out, format!("x{}", patch.to_json()));
        }
    }

    #[test]
    fn apply_is_all_or_nothing() {
        let patch = Patch::from(vec![
            PatchOp::replace("/a", "x"),
            PatchOp::replace("/b", "y"),
        ]);
        let mut v = serde_json::json!({"a": "1"});
        let before = v.clone();
        assert_eq!(patch.apply(&mut v).map_err(|e| e.path), Err("/b".into()));
        assert_eq!(v, before);
    }
}
