//! Indentation that Kubernetes' YAML reader does not check, read as it reads it.
//!
//! `saphyr-parser` (YAML 1.2) requires the lines of a flow collection (`[…]`, `{…}`) and the
//! continuation lines of a quoted scalar to be indented more than the block collection around
//! them; go-yaml (libyaml's scanner, which Kubernetes reads YAML with) checks indentation only
//! in block context. So
//!
//! ```yaml
//!     args: [
//!         "-socket-dir", "/run/agent",
//!     ]
//! ```
//!
//! is read by Kubernetes and refused by the parser (`]` at the key's column). Leading blanks
//! of such a line never change a value (they are not part of the flow collection's content,
//! and a quoted scalar folds them away), so the document is read again with the refused lines
//! indented more — in a copy, with every offset mapped back to the text — and that reading is
//! kept only when every line so indented is inside a flow collection or a quoted scalar of it.
//! Any other indentation error stays an error, as it is one for Kubernetes too.

use std::collections::BTreeMap;

use crate::tree::{Kind, ReadError, Style, Tree};

/// At most this many readings again of one document.
const MAX_RETRIES: usize = 64;
/// At most this many bytes read again for one document, in all.
const MAX_REREAD_BYTES: usize = 16 << 20;

/// Blanks inserted at line starts (the original offset of the line start → how many), and tabs
/// read as spaces (original offset → whether it must be inside a flow collection or a quoted
/// scalar).
#[derive(Default)]
struct Inserts(BTreeMap<usize, usize>, BTreeMap<usize, bool>);

impl Inserts {
    fn shadow(&self, text: &str) -> String {
        let extra: usize = self.0.values().sum();
        let mut out = String::with_capacity(text.len() + extra);
        let mut at = 0;
        let piece = |out: &mut String, from: usize, to: usize| {
            let mut from = from;
            for (&t, _) in self.1.range(from..to) {
                out.push_str(text.get(from..t).unwrap_or_default());
                out.push(' ');
                from = t + 1;
            }
            out.push_str(text.get(from..to).unwrap_or_default());
        };
        for (&p, &n) in &self.0 {
            piece(&mut out, at, p);
            out.extend(std::iter::repeat_n(' ', n));
            at = p;
        }
        piece(&mut out, at, text.len());
        out
    }

    /// Where the original offset `o` is in the shadow.
    fn shadow_of(&self, o: usize) -> usize {
        self.0.range(..=o).map(|(_, n)| n).sum::<usize>() + o
    }

    /// The original offset of a shadow offset (an offset inside inserted blanks is their
    /// line's start).
    fn original(&self, s: usize) -> usize {
        let mut shift = 0;
        for (&p, &n) in &self.0 {
            let sp = p + shift;
            if s < sp {
                break;
            }
            if s < sp + n {
                return p;
            }
            shift += n;
        }
        s - shift
    }

    /// Where the content of the line that starts at original offset `p` starts in the shadow.
    fn shadow_after(&self, p: usize) -> usize {
        self.0.range(..=p).map(|(_, n)| n).sum::<usize>() + p
    }
}

const TAB_INDENTATION: &str = "tabs disallowed within this context (block indentation)";
const TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

fn is_indentation(message: &str) -> bool {
    matches!(
        message,
        "invalid indentation"
            | "invalid indentation in flow construct"
            | "invalid indentation in quoted scalar"
            | TAB_INDENTATION
            | TAB_AFTER_COLON
    )
}

/// The column (in characters) of the first character of `line` that is not a blank, nor a
/// block sequence's `- `.
fn content_column(line: &str) -> usize {
    let mut column = 0;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => column += 1,
            '-' if matches!(chars.peek(), Some(' ' | '\t')) => column += 1,
            _ => return column,
        }
    }
    column
}

/// The blanks at the start of `line`, in characters.
fn indentation(line: &str) -> usize {
    line.chars().take_while(|c| matches!(c, ' ' | '\t')).count()
}

/// The end (exclusive) of the quoted scalar whose opening quote is at `start`.
fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(start)?;
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if quote == b'"' => at += 2,
            b'\'' if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 2,
            c if c == quote => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// The continuation lines of the quoted scalar whose opening quote is at `at` (on the line
/// starting at `line_start`) that are indented no more than the quote, each with the column
/// past it; `None` when the scalar has no end.
fn quoted_lines(shadow: &str, line_start: usize, at: usize) -> Option<Vec<(usize, usize)>> {
    let end = quoted_end(shadow, at)?;
    let column = shadow.get(line_start..at).map_or(0, |s| s.chars().count()) + 1;
    let mut lines = Vec::new();
    let mut next = shadow
        .get(at..end)
        .and_then(|s| s.find('\n'))
        .map(|i| at + i + 1);
    while let Some(start) = next.filter(|&s| s < end) {
        let line = shadow.get(start..).unwrap_or_default();
        let line = line.split('\n').next().unwrap_or_default();
        if indentation(line) < column {
            lines.push((start, column));
        }
        next = shadow
            .get(start..end)
            .and_then(|s| s.find('\n'))
            .map(|i| start + i + 1);
    }
    Some(lines)
}

/// Lines that must not be moved: a document marker or a directive at column 0 means the
/// same to every reader only there.
fn movable(line: &str) -> bool {
    !(line.starts_with("---") || line.starts_with("...") || line.starts_with('%'))
}

/// [`Tree::read`], reading flow collections and quoted scalars whatever their indentation (see
/// the module's documentation).
pub(crate) fn read(text: &str) -> Result<Tree<'_>, ReadError> {
    let first = match Tree::read(text) {
        Ok(tree) => return Ok(tree),
        Err(e) if is_indentation(&e.message) => e,
        Err(e) => return Err(e),
    };
    let mut inserts = Inserts::default();
    let mut error = first.clone();
    let mut shadow = text.to_owned();
    let mut reread = 0;
    for _ in 0..MAX_RETRIES {
        reread += shadow.len();
        if reread > MAX_REREAD_BYTES || !is_indentation(&error.message) {
            return Err(first);
        }
        // The lines to indent more (original line starts) and the column each needs.
        let mut lines: Vec<(usize, usize)> = Vec::new();
        let at = error.offset.min(shadow.len());
        let line_start = shadow
            .get(..at)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        if error.message == TAB_AFTER_COLON {
            // `key:<tab>value`: the tab separates as a space does (Kubernetes reads it so).
            let bytes = shadow.as_bytes();
            let mut colon = at;
            while colon > 0 && matches!(bytes.get(colon - 1), Some(b' ' | b'\t')) {
                colon -= 1;
            }
            let tabs: Vec<usize> = (colon..at)
                .filter(|&i| bytes.get(i) == Some(&b'\t'))
                .collect();
            if colon == 0 || bytes.get(colon - 1) != Some(&b':') || tabs.is_empty() {
                return Err(first);
            }
            for tab in tabs {
                inserts.1.insert(inserts.original(tab), false);
            }
        } else if error.message == TAB_INDENTATION {
            // Tabs before the content of a line of a flow collection.
            let line = shadow.get(line_start..).unwrap_or_default();
            let blanks = line.len() - line.trim_start_matches([' ', '\t']).len();
            let tabs: Vec<usize> = (line_start..line_start + blanks)
                .filter(|&i| shadow.as_bytes().get(i) == Some(&b'\t'))
                .collect();
            if tabs.is_empty() {
                return Err(first);
            }
            for tab in tabs {
                inserts.1.insert(inserts.original(tab), true);
            }
        } else if error.message == "invalid indentation in quoted scalar" {
            let Some(quoted) = quoted_lines(&shadow, line_start, at) else {
                return Err(first);
            };
            lines = quoted;
        } else {
            let before = shadow
                .get(..line_start.saturating_sub(1))
                .unwrap_or_default();
            let previous = before
                .rsplit('\n')
                .find(|l| {
                    let t = l.trim_start_matches([' ', '\t']);
                    !t.is_empty() && !t.starts_with('#')
                })
                .unwrap_or_default();
            let line = shadow.get(line_start..).unwrap_or_default();
            let line = line.split('\n').next().unwrap_or_default();
            let column = (indentation(line) + 1).max(content_column(previous) + 1);
            lines.push((line_start, column));
        }
        for (start, column) in lines {
            let line = shadow.get(start..).unwrap_or_default();
            let line = line.split('\n').next().unwrap_or_default();
            if !movable(line) {
                return Err(first);
            }
            let add = column.saturating_sub(indentation(line)).max(1);
            *inserts.0.entry(inserts.original(start)).or_default() += add;
        }
        let next = inserts.shadow(text);
        if next == shadow {
            // Nothing this reading can change: the error stands.
            return Err(first);
        }
        shadow = next;
        match Tree::read(&shadow) {
            Ok(tree) => return keep(text, tree, &inserts).ok_or(first),
            Err(e) => error = e,
        }
    }
    Err(first)
}

/// The reading of the shadow as a reading of `text`, when every inserted blank is inside a flow
/// collection or a quoted scalar.
fn keep<'s>(text: &'s str, tree: Tree<'_>, inserts: &Inserts) -> Option<Tree<'s>> {
    let inside = |s: usize| {
        tree.nodes.iter().any(|n| {
            let (start, end) = (n.start as usize, n.end as usize);
            let holds = match n.kind {
                Kind::Scalar => matches!(n.style, Style::Single | Style::Double),
                Kind::Mapping | Kind::Sequence => n.flow,
            };
            holds && start < s && s < end
        })
    };
    let tabs = inserts.1.iter().filter(|(_, check)| **check);
    if !inserts.0.keys().all(|&p| inside(inserts.shadow_after(p)))
        || !tabs.into_iter().all(|(&t, _)| inside(inserts.shadow_of(t)))
    {
        return None;
    }
    let map = |o: u32| u32::try_from(inserts.original(o as usize)).unwrap_or(u32::MAX);
    let mut tree = tree.into_parts();
    for n in &mut tree.0 {
        n.start = map(n.start);
        n.end = map(n.end);
        if n.kind == Kind::Scalar && !n.is_owned() {
            n.set_value_offset(map(n.value_offset()));
        }
    }
    Some(Tree::from_parts(text, tree))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_lines_at_the_keys_indentation_are_read() {
        let text = "spec:\n  args: [\n    \"-a\", \"/b\",\n  c,\n  ]\n  d: x\n";
        let tree = read(text).unwrap();
        let args = tree.at_pointer("/spec/args/2").unwrap();
        assert_eq!(tree.value(args), Some("c"));
        let raw = tree.raw(args).unwrap();
        assert_eq!(&text[raw.start as usize..raw.end as usize], "c");
        let d = tree.at_pointer("/spec/d").unwrap();
        assert_eq!(&text[tree.raw(d).unwrap().start as usize..], "x\n");
    }

    #[test]
    fn block_indentation_errors_stay_errors() {
        for text in ["a:\n  b: 1\n c: 2\n", "a:\n  - 1\n - 2\n", "a: b\n  c: d\n"] {
            assert!(read(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn quoted_continuation_lines_are_read() {
        let text = "a:\n  b: \"x\ny\"\n  c: 'p\n q'\n";
        let tree = read(text).unwrap();
        assert_eq!(tree.value(tree.at_pointer("/a/b").unwrap()), Some("x y"));
        assert_eq!(tree.value(tree.at_pointer("/a/c").unwrap()), Some("p q"));
    }
}
