//! Writing results: standard output with the right buffering, standard error without panics,
//! JSON lines, and clipped windows with carets under a span of text.
//!
//! [`Stderr`] is the only way to standard error: `eprintln!` panics on a closed or full stream.
//! [`clipped`] (and [`TextIndex::snippet`] over it) is the one renderer of a span: a window of
//! at most [`SNIPPET_BYTES`] of its line, so output never grows with the length of a line.
//!
//! [`Out`] buffers standard output in blocks while input keeps coming (fast for a million
//! images) and flushes whenever the command is about to wait for more input, so a person typing
//! or a pipeline fed line by line sees each answer at once.
//!
//! [`caret_line`] draws `^^^` under a byte span of a line of text, counting columns in
//! characters, not bytes, and counting an escaped control character by the width of its
//! escape, as [`render`] prints it:
//!
//! ```text
//! invalid  registry/Team/app
//!                   ^ [uppercase] repository name must be lowercase: …
//! ```
//!
//! Known limit: a character that a terminal draws two columns wide (CJK, most emoji) counts as
//! one column, so a caret after one on the same line is drawn too far left.

use std::borrow::Cow;
use std::io::{self, BufWriter, Stdout, Write};
use std::ops::Range;

use serde::Serialize;

use crate::exit::Failure;

/// Standard output for a command's results.
pub struct Out {
    w: BufWriter<Stdout>,
}

impl Out {
    /// Standard output, buffered.
    pub fn stdout() -> Out {
        Out {
            w: BufWriter::with_capacity(64 * 1024, io::stdout()),
        }
    }

    /// Writes `value` as one line of JSON.
    ///
    /// # Errors
    ///
    /// An error writing standard output.
    pub fn json_line(&mut self, value: &impl Serialize) -> io::Result<()> {
        write_json_line(&mut self.w, value)
    }

    /// Marks the end of one record (the output for one input), and flushes unless more input
    /// is `pending` (already at hand: see [`Input::pending`](crate::input::Input::pending)).
    ///
    /// # Errors
    ///
    /// An error writing standard output.
    pub fn end_record(&mut self, pending: bool) -> io::Result<()> {
        if !pending {
            self.w.flush()?;
        }
        Ok(())
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.w.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Standard error, written without ever panicking (`eprintln!` panics on a closed or full
/// stream): every write returns its error, which becomes a [`Failure`] naming standard error
/// (quiet for a closed pipe, exit code 2 otherwise).
pub struct Stderr {
    w: io::Stderr,
}

impl Stderr {
    /// Standard error (unbuffered, as the standard library keeps it).
    pub fn new() -> Stderr {
        Stderr { w: io::stderr() }
    }

    /// Writes one line: `imgrepl: ` and `message`.
    ///
    /// # Errors
    ///
    /// A failure writing standard error.
    pub fn line(&mut self, message: impl std::fmt::Display) -> Result<(), Failure> {
        writeln!(self.w.lock(), "imgrepl: {message}")
            .map_err(|e| Failure::io("writing standard error", &e))
    }

    /// Writes `text` as it is (lines of a diagnostic).
    ///
    /// # Errors
    ///
    /// A failure writing standard error.
    pub fn text(&mut self, text: &str) -> Result<(), Failure> {
        self.w
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| Failure::io("writing standard error", &e))
    }
}

/// Writes `value` as compact JSON followed by `\n` (one JSON Lines record).
///
/// # Errors
///
/// An error writing `w`.
pub fn write_json_line(mut w: impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut w, value)?;
    w.write_all(b"\n")
}

/// `text` as it is safe to print on one line: control characters (tab, CR, escape, …) are
/// shown escaped (`\t`, `\r`, `\u{1b}`); everything else is unchanged.
pub fn render(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The number of columns `text` takes once [`render`]ed (one per character; an escape counts
/// its length).
fn columns(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().count()
            } else {
                1
            }
        })
        .sum()
}

/// The line to print under [`render`]`(text)` to point at the byte range `span` of `text`:
/// spaces up to the span, then one `^` per column of the span (at least one, so an empty span,
/// such as an error offset, gets a single `^`; at the end of `text` it points just past it).
///
/// The span is clamped to `text` and widened to character boundaries, so any range is safe.
pub fn caret_line(text: &str, span: Range<usize>) -> String {
    let start = text.floor_char_boundary(span.start);
    let end = text.ceil_char_boundary(span.end.max(start));
    let lead = columns(&text[..start]);
    let width = columns(&text[start..end]).max(1);
    let mut line = String::with_capacity(lead + width);
    line.extend(std::iter::repeat_n(' ', lead));
    line.extend(std::iter::repeat_n('^', width));
    line
}

/// The line of a multi-line text that holds a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAt<'a> {
    /// The line number, 1-based.
    pub number: usize,
    /// The byte offset of the line's start in the text.
    pub start: usize,
    /// The line, without its `\n` or `\r\n`.
    pub text: &'a str,
}

/// A text's lines and characters, indexed once so that each [`Snippet`] costs `O(log n)` plus
/// its own window: a one-line 256 KiB policy with thousands of diagnostics is not rescanned for
/// each of them.
pub struct TextIndex<'a> {
    text: &'a str,
    /// The byte offset where each line starts (the first is 0).
    lines: Vec<usize>,
    /// For each non-ASCII character: its start, and the extra bytes (beyond one per character)
    /// of all non-ASCII characters up to and including it.
    wide: Vec<(usize, usize)>,
}

impl<'a> TextIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut lines = vec![0];
        let mut wide = Vec::new();
        let mut extra = 0;
        for (at, c) in text.char_indices() {
            if c == '\n' {
                lines.push(at + 1);
            } else if !c.is_ascii() {
                extra += c.len_utf8() - 1;
                wide.push((at, extra));
            }
        }
        TextIndex { text, lines, wide }
    }

    /// The number of characters before byte `offset` (a char boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let n = self.wide.partition_point(|&(start, _)| start < offset);
        let extra = n
            .checked_sub(1)
            .and_then(|i| self.wide.get(i))
            .map_or(0, |&(_, extra)| extra);
        offset - extra
    }

    /// The line that holds byte `offset` (the last line when `offset` is past the end).
    pub fn line_at(&self, offset: usize) -> LineAt<'a> {
        let offset = self.text.floor_char_boundary(offset);
        let number = self.lines.partition_point(|&start| start <= offset).max(1);
        let start = self.lines.get(number - 1).copied().unwrap_or_default();
        let end = self
            .lines
            .get(number)
            .map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end];
        LineAt {
            number,
            start,
            text: line.strip_suffix('\r').unwrap_or(line),
        }
    }

    /// The 1-based line and column (in characters) of byte `offset`, as the library's
    /// `span::line_col` counts them.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.text.floor_char_boundary(offset);
        let line = self.line_at(offset);
        (
            line.number,
            1 + self.chars_before(offset) - self.chars_before(line.start),
        )
    }

    /// The [`Snippet`] of `span`: one renderer for every command that shows a span.
    pub fn snippet(&self, span: imgrepl::Span) -> Snippet {
        let line = self.line_at(span.start);
        let (_, column) = self.line_col(span.start);
        let start = span.start.clamp(line.start, line.start + line.text.len()) - line.start;
        let end = span
            .end
            .clamp(line.start + start, line.start + line.text.len())
            - line.start;
        let (line_shown, caret) = clipped(line.text, start..end);
        Snippet {
            number: line.number,
            column,
            caret,
            line: line_shown,
        }
    }
}

/// The line of `text` that holds byte `offset` (the last line when `offset` is past the end).
/// With [`caret_line`]`(line.text, span.start - line.start..span.end - line.start)`, this
/// underlines a span of a policy file.
#[cfg(test)]
pub fn line_at(text: &str, offset: usize) -> LineAt<'_> {
    TextIndex::new(text).line_at(offset)
}

/// The most bytes of a line a [`Snippet`] shows: longer lines (a policy written on one line)
/// are clipped to a window around the span, so output stays bounded by what it points at.
pub const SNIPPET_BYTES: usize = 120;

/// A span of a text as a diagnostic shows it: the 1-based line number and column (in
/// characters, from the library's `span::line_col`), the line clipped to a window around the
/// span (`…` where it is cut) and rendered, and the caret line under the span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The line number, 1-based.
    pub number: usize,
    /// The column of the span's start, 1-based, in characters.
    pub column: usize,
    /// The line (or its window), safe to print.
    pub line: String,
    /// Carets under the span (cut at the end of the window).
    pub caret: String,
}

/// The [`Snippet`] of `span` in `text`, for tests (commands index a text once with
/// [`TextIndex`]).
#[cfg(test)]
pub fn snippet(text: &str, span: imgrepl::Span) -> Snippet {
    TextIndex::new(text).snippet(span)
}

/// A window of one line of text around the byte range `span`, [`render`]ed, with `…` where it
/// is cut, and the caret line under the span: at most [`SNIPPET_BYTES`] of the line (and the
/// escapes of its control characters), whatever the line's length, so that output grows with
/// the number of diagnostics, never with the length of a line. Char-boundary safe for any
/// range. Every command that points into a line (a policy, an image) draws it with this.
pub fn clipped(line: &str, span: Range<usize>) -> (String, String) {
    let start = line.floor_char_boundary(span.start.min(line.len()));
    let end = span.end.clamp(start, line.len());
    // The window: some context before the span, then up to SNIPPET_BYTES in all.
    let from = line.floor_char_boundary(start.saturating_sub(SNIPPET_BYTES / 3));
    let to = line.floor_char_boundary(from + SNIPPET_BYTES).max(from);
    let window = &line[from..to];
    let (lead, tail) = (
        if from > 0 { "…" } else { "" },
        if to < line.len() { "…" } else { "" },
    );
    let caret_start = start - from + lead.len();
    let caret_end = end.min(to).max(start) - from + lead.len();
    let shown = format!("{lead}{window}{tail}");
    let caret = caret_line(&shown, caret_start..caret_end);
    (render(&shown).into_owned(), caret)
}

/// Writes `rows` as aligned columns (two spaces apart, no trailing spaces); each cell is
/// [`render`]ed.
///
/// # Errors
///
/// An error writing `out`.
pub fn write_columns<R: AsRef<[String]>>(out: &mut impl Write, rows: &[R]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.as_ref().iter().map(|c| short_digests(c)).collect())
        .collect();
    let mut widths: Vec<usize> = Vec::new();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            let w = columns(&render(cell));
            match widths.get_mut(i) {
                Some(max) => *max = (*max).max(w),
                None => widths.push(w),
            }
        }
    }
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let cell = render(cell);
            line.push_str(&cell);
            if i + 1 < row.len() {
                let pad = widths.get(i).copied().unwrap_or_default() - columns(&cell) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Digests shortened for tables, so that a row fits a terminal: `sha256:` (or `sha512:`)
/// and the first 12 hex digits of the 64 (128), then `…`; `--json` keeps them whole.
///
/// ```text
/// nginx@sha256:0123456789abcdef…(64 hex digits)  →  nginx@sha256:0123456789ab…
/// ```
pub fn short_digests(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut rest = cell;
    while let Some(at) = rest.find("sha256:").or_else(|| rest.find("sha512:")) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let hex = from[7..].bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex >= 64 {
            out.push_str(&from[..7 + 12]);
            out.push('…');
        } else {
            out.push_str(&from[..7 + hex]);
        }
        rest = &from[7 + hex..];
    }
    out.push_str(rest);
    out
}

/// `line:column` (both from 1, the column in characters) of byte `offset` of `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    TextIndex::new(text).line_col(offset)
}

/// The plural ending of a count's noun: `""` for one, `"s"` otherwise.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_a_byte() {
        assert_eq!(caret_line("registry/Team/app", 9..9), "         ^");
        assert_eq!(caret_line("registry/Team/app", 9..13), "         ^^^^");
        assert_eq!(caret_line("nginx", 5..5), "     ^");
        assert_eq!(caret_line("", 0..0), "^");
    }

    #[test]
    fn caret_counts_characters_not_bytes() {
        // "é" is 2 bytes, "日" 3: the caret goes under the character after them.
        assert_eq!(caret_line("éa日b", 6..7), "   ^");
        // A span inside a character widens to the whole character.
        assert_eq!(caret_line("éa日b", 4..5), "  ^");
        assert_eq!(caret_line("éa", 1..1), "^");
    }

    #[test]
    fn caret_is_safe_on_any_span() {
        assert_eq!(caret_line("ab", 7..9), "  ^");
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 2..1;
        assert_eq!(caret_line("abc", reversed), "  ^");
    }

    #[test]
    fn control_characters_are_escaped_and_counted() {
        assert_eq!(render("a\tb"), "a\\tb");
        assert_eq!(render("a\u{1b}b"), "a\\u{1b}b");
        assert!(matches!(render("nginx"), Cow::Borrowed("nginx")));
        assert_eq!(caret_line("a\tb", 2..2), "   ^");
        assert_eq!(caret_line("a\tb", 1..2), " ^^");
    }

    #[test]
    fn snippets_clip_long_lines_around_the_span() {
        let text = "[\n  {\"a\": \"é\"}\n]";
        let at = text.find('é').unwrap();
        let s = snippet(text, imgrepl::Span::new(at, at + 2));
        assert_eq!((s.number, s.column), (2, 10));
        assert_eq!(s.line, "  {\"a\": \"é\"}");
        assert_eq!(s.caret, "         ^");
        let long = format!("[{}\"bad\"{}]", " ".repeat(1000), " ".repeat(1000));
        let at = long.find("\"bad").unwrap();
        let s = snippet(&long, imgrepl::Span::new(at, at + 5));
        assert!(
            s.line.len() <= SNIPPET_BYTES + 2 * '…'.len_utf8(),
            "{}",
            s.line
        );
        assert!(s.line.starts_with('…') && s.line.ends_with('…'));
        let caret_at = s.caret.find('^').unwrap();
        assert_eq!(
            s.line.chars().skip(caret_at).take(5).collect::<String>(),
            "\"bad\""
        );
        assert_eq!(s.caret.trim_start(), "^^^^^");
        assert_eq!(s.column, at + 1);
    }

    #[test]
    fn clipped_windows_are_bounded_and_char_safe() {
        let line = "é".repeat(100_000);
        for at in [0, 1, 2, 3, 99_999, 150_001, 199_999, 200_000, 500_000] {
            let (shown, caret) = clipped(&line, at..at + 7);
            assert!(shown.len() <= SNIPPET_BYTES + 2 * '…'.len_utf8(), "{at}");
            assert!(caret.chars().count() <= shown.chars().count() + 1, "{at}");
            assert!(caret.ends_with('^'));
        }
        // Short lines are shown whole, with no `…`.
        assert_eq!(
            clipped("registry/Team/app", 9..13),
            ("registry/Team/app".to_owned(), "         ^^^^".to_owned())
        );
        // A caret at the end of a long line stays under the end of the window.
        let long = "a".repeat(10_000);
        let (shown, caret) = clipped(&long, 10_000..10_000);
        assert!(shown.starts_with('…') && !shown.ends_with('…'));
        assert_eq!(caret.len(), shown.chars().count() + 1);
    }

    #[test]
    fn the_index_counts_as_the_library_does() {
        let text = "[\r\n é😀\n\n日本 x\r\n  \"a\"]\n";
        let index = TextIndex::new(text);
        for offset in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            assert_eq!(
                index.line_col(offset),
                imgrepl::span::line_col(text, offset),
                "{offset}"
            );
        }
        assert_eq!(index.line_at(999).text, "");
        assert_eq!(index.line_at(3).text, " é😀");
    }

    #[test]
    fn json_lines() {
        let mut out = Vec::new();
        write_json_line(&mut out, &serde_json::json!({"a": null})).unwrap();
        write_json_line(&mut out, &"x").unwrap();
        assert_eq!(out, b"{\"a\":null}\n\"x\"\n");
    }

    #[test]
    fn line_of_an_offset() {
        let text = "[\n  {\"a\": 1},\r\n  {\"b\": 2}\n]";
        let at = line_at(text, text.find("\"b\"").unwrap());
        assert_eq!(
            at,
            LineAt {
                number: 3,
                start: 15,
                text: "  {\"b\": 2}"
            }
        );
        assert_eq!(caret_line(at.text, 18 - at.start..21 - at.start), "   ^^^");
        assert_eq!(line_at(text, 0).number, 1);
        assert_eq!(line_at(text, 999).text, "]");
        assert_eq!(
            line_at("", 0),
            LineAt {
                number: 1,
                start: 0,
                text: ""
            }
        );
    }
}
