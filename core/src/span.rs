//! Byte spans in a source text, and their conversion to UTF-16 code units.
//!
//! Core reports positions as byte offsets into the text it was given. Editors in a browser count
//! in UTF-16 code units, so this module is the one place that converts; every binding uses it.

use serde::Serialize;

/// A byte range `start..end` in a source text.
///
/// ```
/// use imgrepl::Span;
///
/// let text = "[{\"repositoryPrefix\": \"é\"}]";
/// let span = Span::new(22, 26); // the string value "é", quotes included
/// assert_eq!(&text[span.start..span.end], "\"é\"");
/// assert_eq!(span.to_utf16(text), Span::new(22, 25));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// Its length in bytes.
    #[must_use]
    pub const fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether it is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// The same range counted in UTF-16 code units of `text` (what JavaScript strings index).
    #[must_use]
    pub fn to_utf16(self, text: &str) -> Span {
        let start = utf16_offset(text, self.start);
        let end = start
            + utf16_offset(
                text.get(self.start.min(text.len())..).unwrap_or_default(),
                self.end.saturating_sub(self.start),
            );
        Span { start, end }
    }
}

/// The UTF-16 offset of byte offset `byte` in `text`; a byte offset inside a character counts
/// that whole character, and one past the end counts the whole text.
///
/// ```
/// assert_eq!(imgrepl::span::utf16_offset("a😀b", 5), 3); // 😀 is 4 bytes, 2 UTF-16 units
/// ```
#[must_use]
pub fn utf16_offset(text: &str, byte: usize) -> usize {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        if at >= byte {
            break;
        }
        units += c.len_utf16();
    }
    units
}

/// The 1-based line and the 1-based column of byte offset `byte` in `text`, the column counted
/// in characters (Unicode scalar values), as a terminal shows it. For UTF-16 columns (what a
/// JavaScript editor counts), use [`Utf16Index::line_col`].
///
/// ```
/// assert_eq!(imgrepl::span::line_col("ab\ncé\nd", 6), (2, 3));
/// ```
#[must_use]
pub fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let before = text.get(..byte.min(text.len())).unwrap_or(text);
    let before = before.as_bytes();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.split(|&b| b == b'\n').count();
    let col = 1 + text
        .get(line_start..before.len())
        .map_or(0, |s| s.chars().count());
    (line, col)
}

/// The byte offset in `text` of a `serde_json` error's position (`serde_json` counts lines from
/// 1 and columns in bytes from 1; column 0 is the end of the previous line), floored to a char
/// boundary and at most `text.len()`.
#[doc(hidden)]
pub fn json_error_offset(text: &str, err: &serde_json::Error) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(err.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    text.floor_char_boundary(line_start + err.column().saturating_sub(1))
}

/// `serde_json`'s message for an error met reading `part` (a slice of `text`), its position
/// given as the line, the column in characters (as [`line_col`] counts them) and the byte offset
/// in `text`, so that the three agree (`serde_json` counts columns in bytes, within `part`).
#[doc(hidden)]
pub fn json_error_message(text: &str, part: &str, err: &serde_json::Error) -> String {
    let message = err.to_string();
    let message = message
        .rfind(" at line ")
        .and_then(|i| message.get(..i))
        .unwrap_or(&message);
    let base = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let at = base
        + if err.is_eof() {
            part.len()
        } else {
            json_error_offset(part, err)
        };
    let (line, column) = line_col(text, at);
    format!("{message} at line {line}, column {column} (byte {at})")
}

/// Converts byte offsets of one text to UTF-16 offsets and line/column positions, each in
/// `O(log n)` after one `O(n)` pass.
///
/// [`Span::to_utf16`] and [`utf16_offset`] rescan the text from its start on every call; an
/// editor that converts every diagnostic of a 256 KiB policy builds one index instead. The index
/// stores one entry per non-ASCII character and one per line, so for ASCII text it holds only the
/// line starts.
///
/// ```
/// use imgrepl::{Span, span::Utf16Index};
///
/// let text = "[\n {\"repositoryPrefix\": \"é😀\"}]";
/// let index = Utf16Index::new(text);
/// let value = Span::new(24, 32); // "é😀" with its quotes: 1 + 2 + 4 + 1 bytes
/// assert_eq!(&text[value.start..value.end], "\"é😀\"");
/// assert_eq!(index.span(value), Span::new(24, 29)); // 1 + 1 + 2 + 1 UTF-16 units
/// assert_eq!(index.span(value), value.to_utf16(text));
/// assert_eq!(index.line_col(32), (2, 28)); // line 2, UTF-16 column 28 (1-based)
/// ```
#[derive(Debug, Clone)]
pub struct Utf16Index<'a> {
    text: &'a str,
    /// Per non-ASCII char, in order: its start, its end, and (bytes − UTF-16 units) of the
    /// text up to its end.
    wide: Vec<(usize, usize, usize)>,
    /// The byte offset where each line starts (the first is 0).
    lines: Vec<usize>,
}

impl<'a> Utf16Index<'a> {
    /// Indexes `text`.
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        let mut wide = Vec::new();
        let mut lines = vec![0];
        let mut delta = 0;
        for (at, c) in text.char_indices() {
            if c == '\n' {
                lines.push(at + 1);
            } else if !c.is_ascii() {
                delta += c.len_utf8() - c.len_utf16();
                wide.push((at, at + c.len_utf8(), delta));
            }
        }
        Utf16Index { text, wide, lines }
    }

    /// The text it indexes.
    #[must_use]
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The UTF-16 offset of byte offset `byte`, as [`utf16_offset`] gives it: a byte offset
    /// inside a character counts that whole character; past the end counts the whole text.
    #[must_use]
    pub fn offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        // The last non-ASCII char that starts before `byte`.
        let n = self.wide.partition_point(|&(start, _, _)| start < byte);
        match n.checked_sub(1).and_then(|i| self.wide.get(i)) {
            None => byte,
            Some(&(_, end, delta)) => byte.max(end) - delta,
        }
    }

    /// The span counted in UTF-16 code units.
    #[must_use]
    pub fn span(&self, span: Span) -> Span {
        let start = self.offset(span.start);
        Span {
            start,
            end: self.offset(span.end).max(start),
        }
    }

    /// The 1-based line and the 1-based column of byte offset `byte`, the column counted in
    /// UTF-16 code units (what a JavaScript editor counts).
    #[must_use]
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let line = self.lines.partition_point(|&start| start <= byte);
        let start = self
            .lines
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or_default();
        (line, 1 + self.offset(byte) - self.offset(start))
    }
}
