//! The input as a whole (size, encoding, byte order mark) and its documents.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::{MAX_INPUT_BYTES, Syntax};

/// Why the input as a whole cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// Larger than [`MAX_INPUT_BYTES`].
    TooLarge,
    /// UTF-16 (it has a UTF-16 byte order mark, or looks like it).
    Utf16,
    /// Not UTF-8.
    NotUtf8,
}

impl InputErrorKind {
    /// Every kind, in declaration order (docs/CODES.md lists their codes).
    ///
    /// ```
    /// use imgrepl_manifest::InputErrorKind;
    ///
    /// let codes: Vec<&str> = InputErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    /// assert_eq!(codes, ["too-large", "utf-16", "not-utf-8"]);
    /// ```
    pub const ALL: [InputErrorKind; 3] = [
        InputErrorKind::TooLarge,
        InputErrorKind::Utf16,
        InputErrorKind::NotUtf8,
    ];

    /// The stable code: `too-large`, `utf-16` or `not-utf-8`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            InputErrorKind::TooLarge => "too-large",
            InputErrorKind::Utf16 => "utf-16",
            InputErrorKind::NotUtf8 => "not-utf-8",
        }
    }
}

/// The input cannot be read at all.
///
/// ```
/// use imgrepl_k8s::Options;
/// use imgrepl_manifest::InputErrorKind;
///
/// let err = imgrepl_manifest::edit(b"\xff\xfek\x00i\x00", &Options::default()).unwrap_err();
/// assert_eq!(err.kind(), InputErrorKind::Utf16);
/// assert_eq!(err.to_string(), "the input is UTF-16; manifests are read as UTF-8 (convert it, e.g. with iconv -f UTF-16 -t UTF-8)");
/// let err = imgrepl_manifest::edit(b"a: \xff", &Options::default()).unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (InputErrorKind::NotUtf8, 3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    kind: InputErrorKind,
    offset: usize,
}

impl InputError {
    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> InputErrorKind {
        self.kind
    }

    /// The stable code of the kind.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The byte offset where the input stopped being acceptable.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            InputErrorKind::TooLarge => write!(
                f,
                "the input is larger than {MAX_INPUT_BYTES} bytes (64 MiB), the most read"
            ),
            InputErrorKind::Utf16 => f.write_str(
                "the input is UTF-16; manifests are read as UTF-8 (convert it, e.g. with iconv -f UTF-16 -t UTF-8)",
            ),
            InputErrorKind::NotUtf8 => write!(f, "the input is not UTF-8 at byte {}", self.offset),
        }
    }
}

impl std::error::Error for InputError {}

impl Serialize for InputError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("InputError", 3)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("offset", &self.offset)?;
        s.end()
    }
}

/// The input as text, when it can be read.
pub(crate) fn check(input: &[u8]) -> Result<&str, InputError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(InputError {
            kind: InputErrorKind::TooLarge,
            offset: MAX_INPUT_BYTES,
        });
    }
    // With a byte order mark, or without one when the first two characters are ASCII with a
    // zero byte each (YAML allows no NUL character, so valid YAML never looks like this).
    let utf16 = input.starts_with(&[0xff, 0xfe])
        || input.starts_with(&[0xfe, 0xff])
        || matches!(input, [0, a, 0, b, ..] | [a, 0, b, 0, ..] if *a != 0 && *b != 0);
    if utf16 {
        return Err(InputError {
            kind: InputErrorKind::Utf16,
            offset: 0,
        });
    }
    std::str::from_utf8(input).map_err(|e| InputError {
        kind: InputErrorKind::NotUtf8,
        offset: e.valid_up_to(),
    })
}

/// A document's place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    pub span: Range<usize>,
    pub line: usize,
    pub syntax: Syntax,
}

/// Whether the line starting at `at` is a document start marker (`---` alone or followed by a
/// blank).
fn is_marker(text: &str, at: usize) -> bool {
    let rest = &text.as_bytes()[at..];
    rest.starts_with(b"---") && matches!(rest.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// Whether `text` holds nothing but blank lines, comments and directives.
fn is_trivia(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim_start_matches([' ', '\t', '\u{feff}']);
        t.is_empty() || t.starts_with('#') || (l.starts_with('%'))
    })
}

/// The documents of `text`: split at `---` lines (a first section of comments and directives
/// only goes with the next one), and a stream of several JSON values split into one document
/// per value.
pub(crate) fn documents(text: &str) -> Vec<Section> {
    let body = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut markers = Vec::new();
    let mut line_of = Vec::new();
    let mut line = 1;
    let mut at = body;
    loop {
        if is_marker(text, at) {
            markers.push(at);
            line_of.push(line);
        }
        match text[at..].find('\n') {
            Some(i) => {
                at += i + 1;
                line += 1;
            }
            None => break,
        }
    }
    let mut spans: Vec<(Range<usize>, usize)> = Vec::new();
    let first_end = markers.first().copied().unwrap_or(text.len());
    let lead_is_trivia = is_trivia(&text[body..first_end]);
    if !lead_is_trivia {
        spans.push((body..first_end, 1));
    }
    for (i, &m) in markers.iter().enumerate() {
        let end = markers.get(i + 1).copied().unwrap_or(text.len());
        let (start, line) = if i == 0 && lead_is_trivia {
            (body, 1)
        } else {
            (m, line_of[i])
        };
        spans.push((start..end, line));
    }
    let mut out = Vec::with_capacity(spans.len());
    for (span, line) in spans {
        split_json(text, span, line, &mut out);
    }
    out
}

/// The text after a first line that is a bare `---` marker (all of it when there is none).
pub(crate) fn after_marker(section: &str) -> &str {
    match section.strip_prefix("---") {
        Some(rest) if rest.trim_start_matches([' ', '\t', '\r']).starts_with('\n') => {
            rest.split_once('\n').map_or("", |(_, after)| after)
        }
        _ => section,
    }
}

/// Adds the section, or one section per JSON value when it is a stream of several.
fn split_json(text: &str, span: Range<usize>, line: usize, out: &mut Vec<Section>) {
    let section = &text[span.clone()];
    let trimmed = after_marker(section).trim_start();
    if !trimmed.starts_with(['{', '[']) {
        out.push(Section {
            span,
            line,
            syntax: Syntax::Yaml,
        });
        return;
    }
    let mut ends = Vec::new();
    let skip = section.len() - after_marker(section).len();
    let mut stream =
        serde_json::Deserializer::from_str(&section[skip..]).into_iter::<serde::de::IgnoredAny>();
    let mut ok = true;
    while let Some(value) = stream.next() {
        if value.is_err() {
            ok = false;
            break;
        }
        ends.push(skip + stream.byte_offset());
    }
    if !ok || ends.len() < 2 {
        out.push(Section {
            span,
            line,
            syntax: if ok { Syntax::Json } else { Syntax::Yaml },
        });
        return;
    }
    let mut start = 0;
    let mut line = line;
    let last = ends.len() - 1;
    for (i, end) in ends.into_iter().enumerate() {
        let end = if i == last { section.len() } else { end };
        out.push(Section {
            span: span.start + start..span.start + end,
            line,
            syntax: Syntax::Json,
        });
        line += section[start..end].matches('\n').count();
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_holds_every_input_error_kind() {
        // No wildcard: a new kind does not compile here until it has its place in `ALL`.
        for (i, kind) in InputErrorKind::ALL.into_iter().enumerate() {
            let place = match kind {
                InputErrorKind::TooLarge => 0,
                InputErrorKind::Utf16 => 1,
                InputErrorKind::NotUtf8 => 2,
            };
            assert_eq!(place, i, "{kind:?}");
        }
    }

    fn spans(text: &str) -> Vec<(&str, usize, Syntax)> {
        documents(text)
            .into_iter()
            .map(|s| (&text[s.span], s.line, s.syntax))
            .collect()
    }

    #[test]
    fn sections_are_the_files() {
        assert_eq!(
            spans("%YAML 1.1\n# c\n---\na: 1\n---\n--- b\n...\n---\n"),
            [
                ("%YAML 1.1\n# c\n---\na: 1\n", 1, Syntax::Yaml),
                ("---\n", 5, Syntax::Yaml),
                ("--- b\n...\n", 6, Syntax::Yaml),
                ("---\n", 8, Syntax::Yaml),
            ]
        );
        assert_eq!(spans("a: 1\n---x\n"), [("a: 1\n---x\n", 1, Syntax::Yaml)]);
        assert!(spans("# only\n\n").is_empty());
        assert!(spans("").is_empty());
        assert_eq!(spans("\u{feff}a: 1"), [("a: 1", 1, Syntax::Yaml)]);
    }

    #[test]
    fn json_streams_are_one_document_per_value() {
        assert_eq!(
            spans("{\"a\": 1}\n{\"b\":\n 2}\n"),
            [
                ("{\"a\": 1}", 1, Syntax::Json),
                ("\n{\"b\":\n 2}\n", 1, Syntax::Json)
            ]
        );
        assert_eq!(spans("{a: 1}\n"), [("{a: 1}\n", 1, Syntax::Yaml)]);
        assert_eq!(spans("[1]\n"), [("[1]\n", 1, Syntax::Json)]);
        assert_eq!(
            spans("a: 1\n---\n{\"b\": 2}\n--- {\"c\": 3}\n"),
            [
                ("a: 1\n", 1, Syntax::Yaml),
                ("---\n{\"b\": 2}\n", 2, Syntax::Json),
                ("--- {\"c\": 3}\n", 4, Syntax::Yaml)
            ]
        );
    }
}
