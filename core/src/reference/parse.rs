//! The reference grammar as nom parsers over bytes (private to the crate).
//!
//! Every parser works on `&[u8]`: the grammar is ASCII-only, so a non-ASCII byte simply never
//! matches a byte class, and every position the parsers stop at is an ASCII position — a valid
//! `char` boundary of the original `&str`.
//!
//! Errors: nom's default error reports whichever branch of an alternative failed last. We want
//! the *furthest* byte the input was valid to (the longest prefix that some valid reference
//! starts with), so every failure goes through [`Cx::fail`], which remembers the furthest failure
//! and its reason in a [`Cell`]. Failures inside `opt` (a port that turns out to be a tag, say)
//! are remembered too, although nom discards them.

use std::cell::Cell;

use nom::{
    IResult, Parser,
    bytes::complete::{take_while, take_while_m_n, take_while1},
};

/// The longest remote name (path) in bytes; the domain is not counted.
pub(crate) const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// The longest tag in bytes.
pub(crate) const TAG_MAX: usize = 128;

/// The nom error: the position is kept in [`Cx`], so the error itself carries nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fail;

impl<I> nom::error::ParseError<I> for Fail {
    fn from_error_kind(_: I, _: nom::error::ErrorKind) -> Self {
        Fail
    }
    fn append(_: I, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type Res<'a, T> = IResult<&'a [u8], T, Fail>;

/// Parse context: the whole input's length and the furthest failure seen so far.
pub(crate) struct Cx {
    len: usize,
    far: Cell<(usize, &'static str)>,
}

impl Cx {
    pub(crate) fn new(input: &[u8]) -> Self {
        Cx {
            len: input.len(),
            far: Cell::new((0, "")),
        }
    }

    /// Offset of `at` (a suffix of the input) in the input.
    fn pos(&self, at: &[u8]) -> usize {
        self.len - at.len()
    }

    /// Records a failure at `at` with `reason`, keeping the furthest (the first one at a tie).
    fn fail<T>(&self, at: &[u8], reason: &'static str) -> Result<T, nom::Err<Fail>> {
        let pos = self.pos(at);
        let (far, r) = self.far.get();
        if pos > far || r.is_empty() {
            self.far.set((pos, reason));
        }
        Err(nom::Err::Error(Fail))
    }

    /// The furthest failure: byte offset and reason.
    pub(crate) fn furthest(&self) -> (usize, &'static str) {
        self.far.get()
    }
}

/// Byte offsets of the parts of a reference that matched the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Parts {
    /// End of the domain (0 when there is none; a domain is never empty).
    pub(crate) domain_end: usize,
    /// End of the name (domain, `/`, path).
    pub(crate) name_end: usize,
    /// End of the tag; equal to `name_end` when there is no tag.
    pub(crate) tag_end: usize,
}

impl Parts {
    /// Start of the path: after the domain and its `/`.
    pub(crate) fn path_start(&self) -> usize {
        if self.domain_end == 0 {
            0
        } else {
            self.domain_end + 1
        }
    }
}

#[inline]
fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

#[inline]
fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

#[inline]
fn is_tag_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-'
}

#[inline]
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// One byte `b` or a recorded failure.
fn byte<'a>(cx: &Cx, i: &'a [u8], b: u8, reason: &'static str) -> Res<'a, ()> {
    match i.split_first() {
        Some((&c, rest)) if c == b => Ok((rest, ())),
        _ => cx.fail(i, reason),
    }
}

/// Why a path component could not go on at `at`; `after_sep` when a separator came just before.
fn path_reason(at: &[u8], after_sep: bool) -> &'static str {
    match at.first() {
        Some(b) if b.is_ascii_uppercase() => "uppercase letter in repository path",
        None | Some(b'/' | b':' | b'@' | b'.' | b'_' | b'-') if after_sep => {
            "a separator must be followed by a lowercase letter or digit"
        }
        None => "expected a lowercase letter or digit at the end of the input",
        Some(b) if b.is_ascii_uppercase() => "uppercase letter in repository path",
        Some(b'/') => "empty path component",
        Some(b'.' | b'_' | b'-') => {
            "a separator must sit between lowercase letters or digits in a path component"
        }
        Some(b) if !b.is_ascii() => "non-ASCII character in repository path",
        Some(_) => "character not allowed in repository path",
    }
}

/// `[a-z0-9]+`
fn lower_alnum1<'a>(cx: &Cx, i: &'a [u8], after_sep: bool) -> Res<'a, ()> {
    match take_while1::<_, _, Fail>(is_lower_alnum).parse(i) {
        Ok((rest, _)) => Ok((rest, ())),
        Err(_) => cx.fail(i, path_reason(i, after_sep)),
    }
}

/// `path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*`, separator `.` | `_` | `__` | `-`+
fn path_component<'a>(cx: &Cx, i: &'a [u8]) -> Res<'a, ()> {
    let (mut i, ()) = lower_alnum1(cx, i, false)?;
    loop {
        let sep = match i {
            [b'_', b'_', ..] => 2,
            [b'.' | b'_', ..] => 1,
            [b'-', ..] => i.iter().take_while(|&&b| b == b'-').count(),
            _ => {
                // The component ends here; record why it could not go on, for the error path.
                if let Some(&b) = i.first() {
                    if b != b'/' && b != b':' && b != b'@' {
                        let _ = cx.fail::<()>(i, path_reason(i, false));
                    }
                }
                return Ok((i, ()));
            }
        };
        let (rest, ()) = lower_alnum1(cx, i.get(sep..).unwrap_or_default(), true)?;
        i = rest;
    }
}

/// `remote-name := path-component ( "/" path-component )*`
fn remote_name<'a>(cx: &Cx, i: &'a [u8]) -> Res<'a, ()> {
    let (mut i, ()) = path_component(cx, i)?;
    while let [b'/', rest @ ..] = i {
        let (r, ()) = path_component(cx, rest)?;
        i = r;
    }
    Ok((i, ()))
}

/// `label: [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]`
fn label<'a>(cx: &Cx, i: &'a [u8]) -> Res<'a, ()> {
    let Ok((rest, run)) = take_while1::<_, _, Fail>(is_label_byte).parse(i) else {
        return cx.fail(i, "expected a letter or digit in the registry host name");
    };
    if run.first() == Some(&b'-') {
        return cx.fail(i, "a host name label cannot start with '-'");
    }
    if run.last() == Some(&b'-') {
        return cx.fail(rest, "a host name label cannot end with '-'");
    }
    Ok((rest, ()))
}

/// `host := domain-name | "[" ipv6 "]"`, then `[ ":" port ]`
fn domain<'a>(cx: &Cx, i: &'a [u8]) -> Res<'a, ()> {
    let i = if let [b'[', rest @ ..] = i {
        let Ok((rest, _)) =
            take_while1::<_, _, Fail>(|b: u8| b.is_ascii_hexdigit() || b == b':').parse(rest)
        else {
            return cx.fail(rest, "expected hex digits or ':' in a bracketed IPv6 host");
        };
        byte(cx, rest, b']', "expected ']' to close the IPv6 host")?.0
    } else {
        let (mut i, ()) = label(cx, i)?;
        while let [b'.', rest @ ..] = i {
            i = label(cx, rest)?.0;
        }
        i
    };
    match i {
        [b':', rest @ ..] => {
            match take_while1::<_, _, Fail>(|b: u8| b.is_ascii_digit()).parse(rest) {
                Ok((rest, _)) => Ok((rest, ())),
                Err(_) => {
                    let _ = cx.fail::<()>(rest, "a port must be digits");
                    Ok((i, ()))
                }
            }
        }
        _ => Ok((i, ())),
    }
}

/// `tag := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}`
fn tag<'a>(cx: &Cx, i: &'a [u8]) -> Res<'a, ()> {
    let Ok((rest, _)) = take_while_m_n::<_, _, Fail>(1, 1, is_word_byte).parse(i) else {
        return cx.fail(i, "a tag must start with a letter, digit or '_'");
    };
    let (rest, _) = take_while_m_n::<_, _, Fail>(0, TAG_MAX - 1, is_tag_byte).parse(rest)?;
    if rest.first().is_some_and(|&b| is_tag_byte(b)) {
        return cx.fail(rest, "tag longer than 128 characters");
    }
    Ok((rest, ()))
}

/// `digest := algorithm ":" encoded`; algorithm `[A-Za-z][A-Za-z0-9]*` parts joined by
/// `[+._-]`, encoded 32 or more hex digits.
fn digest<'a>(cx: &Cx, i: &'a [u8]) -> Res<'a, ()> {
    let mut i = i;
    loop {
        let Ok((rest, _)) =
            take_while_m_n::<_, _, Fail>(1, 1, |b: u8| b.is_ascii_alphabetic()).parse(i)
        else {
            return cx.fail(
                i,
                "each part of a digest algorithm must start with a letter",
            );
        };
        let (rest, _) = take_while::<_, _, Fail>(|b: u8| b.is_ascii_alphanumeric()).parse(rest)?;
        match rest {
            [b'+' | b'.' | b'_' | b'-', r @ ..] => i = r,
            _ => {
                i = rest;
                break;
            }
        }
    }
    let (i, ()) = byte(cx, i, b':', "expected ':' after the digest algorithm")?;
    let (rest, hex) = take_while::<_, _, Fail>(|b: u8| b.is_ascii_hexdigit()).parse(i)?;
    if hex.len() < 32 {
        return cx.fail(rest, "a digest needs at least 32 hex digits");
    }
    Ok((rest, ()))
}

/// `[ ":" tag ] [ "@" digest ]` and the end of the input.
fn tail<'a>(cx: &Cx, i: &'a [u8]) -> Res<'a, usize> {
    let (i, tag_len) = match i {
        [b':', rest @ ..] => {
            let (r, ()) = tag(cx, rest)?;
            (r, rest.len() - r.len() + 1)
        }
        _ => (i, 0),
    };
    let i = match i {
        [b'@', rest @ ..] => digest(cx, rest)?.0,
        _ => i,
    };
    if !i.is_empty() {
        let reason = match i.first() {
            Some(b'\n' | b'\r') => "line break after the reference",
            Some(b) if b.is_ascii_whitespace() => "white space in the reference",
            Some(b'/') => "'/' after the tag or digest",
            Some(b':') if tag_len > 0 => "a second ':' after the tag",
            Some(b'@') => "a second '@'",
            Some(b) if !b.is_ascii() => "non-ASCII character in the reference",
            _ if tag_len > 0 => "character not allowed in a tag",
            _ => "unexpected character after the reference",
        };
        return cx.fail(i, reason);
    }
    Ok((i, tag_len))
}

/// The whole reference. On failure the furthest position is in `cx`.
pub(crate) fn reference(cx: &Cx, input: &[u8]) -> Option<Parts> {
    // `[ domain "/" ] remote-name`: the first component is the domain whenever the domain grammar
    // allows it and a remote name follows (the regular expression's leftmost-first choice).
    let with_domain = domain(cx, input).ok().and_then(|(rest, ())| match rest {
        [b'/', after @ ..] => Some((input.len() - rest.len(), after)),
        _ => {
            let _ = cx.fail::<()>(rest, "expected '/' after the registry host");
            None
        }
    });
    let (domain_end, after_domain) = match with_domain {
        Some((end, after)) => (end, after),
        None => (0, input),
    };
    let (rest, ()) = match remote_name(cx, after_domain) {
        Ok(ok) => ok,
        Err(_) if domain_end > 0 => {
            // The name without a domain consumes the same first component (or fails earlier), so
            // it cannot succeed where this did not; try it only to record its failure.
            let _ = remote_name(cx, input);
            return None;
        }
        Err(_) => return None,
    };
    let name_end = input.len() - rest.len();
    let (_, tag_len) = tail(cx, rest).ok()?;
    Some(Parts {
        domain_end,
        name_end,
        tag_end: name_end + tag_len,
    })
}
