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

/// The 1-based line and the 1-based column (in characters) of byte offset `byte` in `text`.
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

/// The largest char boundary of `text` that is at most `at`.
pub(crate) fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
