//! Reading inputs: references or images given as arguments, or one per line from stdin.
//!
//! Standard input is read line by line into one reused buffer, so memory stays constant however
//! long the stream is (a file of a million images works), and each line is handled as soon as
//! it arrives: [`Input::pending`] tells a command when to flush its output (see
//! [`Out::end_record`](crate::output::Out::end_record)), so `tail -f | imgrepl …` answers line by
//! line while a file is still written in large blocks. Each line loses one trailing `\n` or
//! `\r\n`; a line that is not UTF-8 is passed on with U+FFFD in place of the bad bytes
//! ([`Input::utf8`] is false), so the command reports it as an invalid reference rather than
//! stopping. Blank lines (empty, or nothing but spaces, tabs and carriage returns) are skipped.
//! A line longer than [`MAX_LINE_BYTES`] (no image reference comes close) is reported on
//! standard error with its number and skipped, without being held in memory; the lines after it
//! are read as usual, and the command exits 1.

use std::borrow::Cow;
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::exit::Failure;

/// The longest line read from standard input (1 MiB).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Where an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The n-th argument (1-based).
    Arg(usize),
    /// The n-th line of standard input (1-based).
    Line(usize),
}

/// One input: an argument or a line of stdin.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The text, without its line ending; U+FFFD replaces bytes that are not UTF-8.
    pub text: &'a str,
    /// Whether the input was valid UTF-8.
    pub utf8: bool,
    /// Whether more input is already at hand. When false, reading the next input may wait, so
    /// output written so far should be flushed first.
    pub pending: bool,
    /// Where it came from.
    pub origin: Origin,
}

/// Calls `each` for every argument, or, when there are none, for every line of stdin; whether
/// every line was read (false when one was too long: it is reported and skipped).
///
/// # Errors
///
/// The first error `each` returns, or a failure to read stdin.
pub fn each_input(
    args: &[OsString],
    mut each: impl FnMut(Input<'_>) -> Result<(), Failure>,
) -> Result<bool, Failure> {
    if args.is_empty() {
        return each_line(io::stdin().lock(), "standard input", each);
    }
    for (i, arg) in args.iter().enumerate() {
        let text = arg.to_string_lossy();
        each(Input {
            text: &text,
            utf8: matches!(text, Cow::Borrowed(_)),
            pending: i + 1 < args.len(),
            origin: Origin::Arg(i + 1),
        })?;
    }
    Ok(true)
}

/// Calls `each` for every line of `reader` (named `what` in errors) but blank ones, reusing one
/// buffer; whether every line was read (false when one was too long: it is reported on standard
/// error and skipped).
///
/// # Errors
///
/// The first error `each` returns, a read error, or a failure to write standard error.
pub fn each_line(
    reader: impl Read,
    what: &str,
    mut each: impl FnMut(Input<'_>) -> Result<(), Failure>,
) -> Result<bool, Failure> {
    // Our own buffer, so that `buffer()` tells whether the next line is already at hand.
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut buf = Vec::new();
    let mut number = 0;
    let mut complete = true;
    let failed = |number: usize, e: &io::Error| {
        Failure::io(format_args!("reading {what} (line {number})"), e)
    };
    loop {
        buf.clear();
        number += 1;
        // Room for the longest line allowed and its `\r\n`: anything longer is cut here, so
        // one huge line cannot take all memory.
        let limit = (MAX_LINE_BYTES + 2) as u64;
        let read = (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut buf)
            .map_err(|e| failed(number, &e))?;
        if read == 0 {
            return Ok(complete);
        }
        let line = strip_line_ending(&buf);
        if line.len() > MAX_LINE_BYTES {
            if buf.last() != Some(&b'\n') {
                skip_line(&mut reader).map_err(|e| failed(number, &e))?;
            }
            crate::output::Stderr::new().line(format_args!(
                "{what} line {number}: longer than {MAX_LINE_BYTES} bytes, skipped"
            ))?;
            complete = false;
            continue;
        }
        if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        each(Input {
            text: &text,
            utf8: matches!(text, Cow::Borrowed(_)),
            pending: !reader.buffer().is_empty(),
            origin: Origin::Line(number),
        })?;
    }
}

/// Reads and drops the rest of a line, through its `\n`, a buffer at a time.
fn skip_line(reader: &mut impl BufRead) -> io::Result<()> {
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(());
        }
        if let Some(i) = available.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(());
        }
        let n = available.len();
        reader.consume(n);
    }
}

/// `line` without one trailing `\n` or `\r\n`.
fn strip_line_ending(line: &[u8]) -> &[u8] {
    match line.strip_suffix(b"\n") {
        Some(line) => line.strip_suffix(b"\r").unwrap_or(line),
        None => line,
    }
}

/// The name of a path argument in messages: `standard input` for `-`.
fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads at most `cap` bytes of a file, or of stdin for `-`.
fn read_prefix(path: &Path, cap: usize) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let result = if path == Path::new("-") {
        io::stdin().lock().take(cap as u64).read_to_end(&mut bytes)
    } else {
        File::open(path).and_then(|f| f.take(cap as u64).read_to_end(&mut bytes))
    };
    result.map_err(|e| Failure::io(format_args!("reading {}", display_name(path)), &e))?;
    Ok(bytes)
}

/// `bytes` as text, or a failure naming `path` and the first byte that is not UTF-8.
fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let e = io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not UTF-8 at byte {at}"),
        );
        Failure::io(format_args!("reading {}", display_name(path)), &e)
    })
}

/// Reads a whole file, or stdin for `-`, as bytes, refusing more than `limit` bytes without
/// reading further (the caller checks the encoding).
///
/// # Errors
///
/// A failure naming the file when it cannot be read or is larger than `limit`.
pub fn read_bytes(path: &Path, limit: usize) -> Result<Vec<u8>, Failure> {
    let bytes = read_prefix(path, limit + 1)?;
    if bytes.len() > limit {
        let e = io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than the limit of {limit} bytes"),
        );
        return Err(Failure::io(
            format_args!("reading {}", display_name(path)),
            &e,
        ));
    }
    Ok(bytes)
}

/// Reads an input that the library bounds itself (a policy, an `AdmissionReview`): at most
/// `limit + 1` bytes, so that past `limit` the library's own error — one message for every size
/// — reports it, however large the file; the bytes read are then passed on even if not UTF-8
/// (U+FFFD in place of the bad bytes), since only the size matters.
///
/// # Errors
///
/// A failure naming the file when it cannot be read, or (within the limit) is not UTF-8.
pub fn read_bounded(path: &Path, limit: usize) -> Result<String, Failure> {
    let bytes = read_prefix(path, limit + 1)?;
    if bytes.len() > limit {
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    utf8(path, bytes)
}

/// Refuses to read standard input twice: `first` and `second` are two inputs of one command
/// (a path, or whether the input is standard input), and both are standard input.
///
/// # Errors
///
/// A usage failure naming both.
pub fn one_stdin(first: (&str, &Path), second: (&str, bool)) -> Result<(), Failure> {
    if first.1 == Path::new("-") && second.1 {
        return Err(Failure::usage(format!(
            "{} and {} cannot both be read from standard input: give one of them as a file",
            first.0, second.0
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(String, bool, Origin)> {
        let mut seen = Vec::new();
        let complete = each_line(input, "test", |i| {
            seen.push((i.text.to_owned(), i.utf8, i.origin));
            Ok(())
        })
        .unwrap();
        assert!(complete);
        seen
    }

    #[test]
    fn pending_is_false_when_the_next_read_may_wait() {
        // Two reads: "a\nb\n", then "c" — the reader's buffer runs dry after "b".
        let reader = io::Read::chain(&b"a\nb\n"[..], &b"c"[..]);
        let mut seen = Vec::new();
        each_line(reader, "test", |i| {
            seen.push((i.text.to_owned(), i.pending));
            Ok(())
        })
        .unwrap();
        let expected = [("a", true), ("b", false), ("c", false)];
        assert_eq!(seen, expected.map(|(t, p)| (t.to_owned(), p)));
    }

    #[test]
    fn strips_one_line_ending() {
        let seen = lines(b"a\nb\r\n\nc\r\r\nd\re");
        let texts: Vec<_> = seen.iter().map(|(t, _, _)| t.as_str()).collect();
        // The blank third line is skipped; the others keep their numbers.
        assert_eq!(texts, ["a", "b", "c\r", "d\re"]);
        assert_eq!(seen[3].2, Origin::Line(5));
        let texts: Vec<_> = lines(b" \t\r\n\r\n x\n")
            .into_iter()
            .map(|(t, _, o)| (t, o))
            .collect();
        assert_eq!(texts, [(" x".to_owned(), Origin::Line(3))]);
    }

    #[test]
    fn no_line_after_the_last_newline() {
        assert_eq!(lines(b"a\n").len(), 1);
        assert!(lines(b"").is_empty());
    }

    #[test]
    fn invalid_utf8_is_replaced_and_flagged() {
        let seen = lines(b"ngi\xffnx\nok\n");
        assert_eq!(
            seen[0],
            ("ngi\u{FFFD}nx".to_owned(), false, Origin::Line(1))
        );
        assert_eq!(seen[1], ("ok".to_owned(), true, Origin::Line(2)));
    }

    #[test]
    fn long_lines_are_bounded() {
        let mut ok = vec![b'a'; MAX_LINE_BYTES];
        ok.extend_from_slice(b"\r\n");
        assert_eq!(lines(&ok)[0].0.len(), MAX_LINE_BYTES);

        // A longer line is skipped, the rest read: with or without its newline, cut in the
        // middle of the reader's buffer or not.
        for extra in [1, 2, 3, 70_000] {
            let mut input = b"a\n".to_vec();
            input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + extra));
            input.extend_from_slice(b"\nb\n");
            let mut seen = Vec::new();
            let complete = each_line(&input[..], "test", |i| {
                seen.push((i.text.to_owned(), i.origin));
                Ok(())
            })
            .unwrap();
            assert!(!complete);
            assert_eq!(
                seen,
                [
                    ("a".to_owned(), Origin::Line(1)),
                    ("b".to_owned(), Origin::Line(3))
                ]
            );
        }
        let long = vec![b'a'; MAX_LINE_BYTES + 1];
        assert!(!each_line(&long[..], "standard input", |_| Ok(())).unwrap());
    }

    #[test]
    fn reads_are_bounded_and_checked() {
        let dir = std::env::temp_dir().join(format!("imgrepl-cli-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("policy.json");
        std::fs::write(&file, "[]").unwrap();
        assert_eq!(read_bytes(&file, 2).unwrap(), b"[]");
        assert_eq!(read_bounded(&file, 2).unwrap(), "[]");
        let err = read_bytes(&file, 1).unwrap_err().to_string();
        assert!(
            err.ends_with("policy.json: larger than the limit of 1 bytes"),
            "{err}"
        );
        std::fs::write(&file, b"[\xff]").unwrap();
        let err = read_bounded(&file, 10).unwrap_err().to_string();
        assert!(err.ends_with("policy.json: not UTF-8 at byte 1"), "{err}");
        // Past the limit, the bytes read (one more than the limit) go to the library as they
        // are, so that it reports the size; here the bad byte shows as U+FFFD.
        assert_eq!(read_bounded(&file, 1).unwrap(), "[\u{FFFD}");
        let err = read_bounded(&dir.join("missing.json"), 10)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("reading "), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
