//! The reference grammar as nom parsers over bytes (private to the crate).
//!
//! Every parser works on `&[u8]`: the grammar is ASCII-only, so a non-ASCII byte simply never
//! matches a byte class, and every position the parsers stop at is an ASCII position — a valid
//! `char` boundary of the original `&str`.
//!
//! Errors: nom's default error reports whichever branch of an alternative failed last. We want
//! the *furthest* byte the input was valid to (the longest prefix that some valid reference starts
//! with), so every failure goes through [`Cx`], which remembers the furthest failure and its
//! reason in a [`Cell`]. Failures inside `opt` (a port that turns out to be a tag, say) are
//! remembered too, although nom discards them.
//!
//! Reasons: where two readings of the input fail at the same byte (the first component read as a
//! registry host and as a path component), the reason of the reading the input looks like wins: a
//! host's reason when the first component is followed by `/` and looks like a host (it has a `.`,
//! a `:`, a `[` or an uppercase letter, the normalized view's test), a path's reason otherwise.
//! A byte that no reference may contain at all (white space, a line break, a control character,
//! a non-ASCII character) is named for what it is, whatever rule was reading it.

use std::cell::Cell;

use nom::{
    IResult, Parser,
    bytes::complete::{take_while, take_while_m_n, take_while1},
};

/// The longest remote name (path) in bytes; the domain is not counted.
pub(crate) const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// The longest tag in bytes.
pub(crate) const TAG_MAX: usize = 128;
/// The fewest hex digits the grammar accepts in a digest.
pub(crate) const DIGEST_HEX_MIN: usize = 32;

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

/// How much a failure's reason is worth against another one at the same byte.
type Weight = u8;
/// "The registry host ends here": true of the path reading too, which says it better.
const WEAK: Weight = 0;
/// The reason of a rule of the path, tag or digest, or of a host that does not look like one.
const RULE: Weight = 1;
/// The reason of a host rule when the first component looks like a host.
const HOST: Weight = 2;

/// The furthest failure: its byte offset, weight and reason.
#[derive(Clone, Copy)]
struct Failure {
    pos: usize,
    weight: Weight,
    reason: &'static str,
}

/// Parse context: the whole input and the furthest failure seen so far.
///
/// `DIAGNOSE` is false for the first, fast run over an input: failures are not recorded, so a
/// valid input pays nothing for error reporting. Only when that run fails does the same grammar
/// run again with `DIAGNOSE` true to find the furthest failure and its reason.
pub(crate) struct Cx<'a, const DIAGNOSE: bool> {
    input: &'a [u8],
    /// The weight of the host rules' reasons for this input ([`HOST`] or [`WEAK`]).
    host_weight: Weight,
    far: Cell<Failure>,
}

impl<'a> Cx<'a, false> {
    /// A context that records nothing.
    pub(crate) fn fast(input: &'a [u8]) -> Self {
        Cx {
            input,
            host_weight: WEAK,
            far: Cell::new(Failure {
                pos: 0,
                weight: WEAK,
                reason: "",
            }),
        }
    }
}

impl<'a> Cx<'a, true> {
    /// A context that records the furthest failure.
    pub(crate) fn diagnose(input: &'a [u8]) -> Self {
        let looks_like_host = input.iter().position(|&b| b == b'/').is_some_and(|slash| {
            input
                .get(..slash)
                .unwrap_or_default()
                .iter()
                .any(|&b| matches!(b, b'.' | b':' | b'[') || b.is_ascii_uppercase())
        });
        Cx {
            input,
            host_weight: if looks_like_host { HOST } else { WEAK },
            far: Cell::new(Failure {
                pos: 0,
                weight: WEAK,
                reason: "",
            }),
        }
    }

    /// The furthest failure: byte offset and reason.
    pub(crate) fn furthest(&self) -> (usize, &'static str) {
        let far = self.far.get();
        let rest = self.input.get(far.pos..).unwrap_or_default();
        (far.pos, byte_reason(rest).unwrap_or(far.reason))
    }
}

impl<const DIAGNOSE: bool> Cx<'_, DIAGNOSE> {
    /// Offset of `at` (a suffix of the input) in the input.
    fn pos(&self, at: &[u8]) -> usize {
        self.input.len() - at.len()
    }

    /// Records a failure at `at`, keeping the furthest (at a tie, the heavier, then the first).
    #[inline]
    fn record(&self, at: &[u8], weight: Weight, reason: &'static str) {
        if !DIAGNOSE {
            return;
        }
        let pos = self.pos(at);
        let far = self.far.get();
        if far.reason.is_empty() || pos > far.pos || (pos == far.pos && weight > far.weight) {
            self.far.set(Failure {
                pos,
                weight,
                reason,
            });
        }
    }

    /// Records a failure of a path, tag or digest rule.
    fn fail<T>(&self, at: &[u8], reason: &'static str) -> Result<T, nom::Err<Fail>> {
        self.record(at, RULE, reason);
        Err(nom::Err::Error(Fail))
    }

    /// Records a failure of a host rule.
    fn fail_host<T>(&self, at: &[u8], reason: &'static str) -> Result<T, nom::Err<Fail>> {
        self.record(at, self.host_weight, reason);
        Err(nom::Err::Error(Fail))
    }
}

/// The reason for a byte that no reference may contain anywhere, at the start of `rest`.
fn byte_reason(rest: &[u8]) -> Option<&'static str> {
    let &b = rest.first()?;
    Some(match b {
        b'\n' | b'\r' if rest.iter().all(|&c| c == b'\n' || c == b'\r') => {
            "line break after the reference"
        }
        b'\n' | b'\r' => "line break in the reference",
        b' ' | b'\t' | 0x0b | 0x0c => "white space in the reference",
        _ if b.is_ascii_control() => "control character in the reference",
        _ if !b.is_ascii() => "non-ASCII character in the reference",
        _ => return None,
    })
}

/// Byte offsets of the parts of a reference that matched the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::struct_field_names)] // each is the end of the part it names
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

/// Byte classes of the grammar, one bit each, looked up in [`CLASS`]: one load and one test per
/// byte on the hot path, whatever the class.
const LOWER_ALNUM: u8 = 1; // [a-z0-9]: path components
const LABEL: u8 = 1 << 1; // [A-Za-z0-9-]: host name labels
const TAG: u8 = 1 << 2; // [A-Za-z0-9_.-]: tags after their first byte
const WORD: u8 = 1 << 3; // [A-Za-z0-9_]: the first byte of a tag
const HEX: u8 = 1 << 4; // [0-9A-Fa-f]
const LOWER_HEX: u8 = 1 << 5; // [0-9a-f]
const ALPHA: u8 = 1 << 6; // [A-Za-z]
const ALNUM: u8 = 1 << 7; // [A-Za-z0-9]

/// The class bits of every byte.
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        #[allow(clippy::cast_possible_truncation)] // b < 256
        let c = b as u8;
        let lower = c.is_ascii_lowercase();
        let upper = c.is_ascii_uppercase();
        let digit = c.is_ascii_digit();
        let alnum = lower || upper || digit;
        let mut bits = 0;
        if lower || digit {
            bits |= LOWER_ALNUM;
        }
        if alnum || c == b'-' {
            bits |= LABEL;
        }
        if alnum || c == b'_' || c == b'.' || c == b'-' {
            bits |= TAG;
        }
        if alnum || c == b'_' {
            bits |= WORD;
        }
        if c.is_ascii_hexdigit() {
            bits |= HEX;
        }
        if is_lower_hex(c) {
            bits |= LOWER_HEX;
        }
        if lower || upper {
            bits |= ALPHA;
        }
        if alnum {
            bits |= ALNUM;
        }
        table[b] = bits;
        b += 1;
    }
    table
};

/// Whether `b` is in `class`.
#[inline]
fn is(class: u8, b: u8) -> bool {
    CLASS[b as usize] & class != 0
}

#[inline]
fn is_lower_alnum(b: u8) -> bool {
    is(LOWER_ALNUM, b)
}

#[inline]
fn is_label_byte(b: u8) -> bool {
    is(LABEL, b)
}

#[inline]
fn is_tag_byte(b: u8) -> bool {
    is(TAG, b)
}

#[inline]
fn is_word_byte(b: u8) -> bool {
    is(WORD, b)
}

#[inline]
fn is_digest_separator(b: u8) -> bool {
    matches!(b, b'+' | b'.' | b'_' | b'-')
}

/// Whether every byte of `bytes` is in `class`, without an early exit, so that the compiler
/// can vectorize it (digests are 64 to 128 bytes).
#[inline]
pub(crate) fn all_in(class: u8, bytes: &[u8]) -> bool {
    bytes.iter().fold(class, |acc, &b| acc & CLASS[b as usize]) & class != 0
}

/// Whether `b` is a lowercase hex digit (`0-9a-f`): the one definition of the class.
#[inline]
pub(crate) const fn is_lower_hex(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'a'..=b'f')
}

/// Whether every byte of `bytes` is a lowercase hex digit.
#[inline]
pub(crate) fn all_lower_hex(bytes: &[u8]) -> bool {
    all_in(LOWER_HEX, bytes)
}

/// Why a path component cannot start or go on at `at`; `after_sep` when a separator came just
/// before.
fn path_reason(at: &[u8], after_sep: bool) -> &'static str {
    match at.first() {
        Some(b) if b.is_ascii_uppercase() => "uppercase letter in repository path",
        _ if after_sep => "a separator must be followed by a lowercase letter or digit",
        None | Some(b'/' | b':' | b'@') => "empty path component",
        Some(b'.' | b'_' | b'-') => "a path component must start with a lowercase letter or digit",
        Some(_) => "character not allowed in repository path",
    }
}

/// `[a-z0-9]+`
fn lower_alnum1<'a, const D: bool>(cx: &Cx<'_, D>, i: &'a [u8], after_sep: bool) -> Res<'a, ()> {
    match take_while1::<_, _, Fail>(is_lower_alnum).parse(i) {
        Ok((rest, _)) => Ok((rest, ())),
        Err(_) => cx.fail(i, path_reason(i, after_sep)),
    }
}

/// `path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*`, separator `.` | `_` | `__` | `-`+
///
/// Returns whether the component has a `_` (which a host name cannot have).
fn path_component<'a, const D: bool>(cx: &Cx<'_, D>, i: &'a [u8]) -> Res<'a, bool> {
    let (mut i, ()) = lower_alnum1(cx, i, false)?;
    let mut underscore = false;
    loop {
        let sep = match i {
            // `__` before `_`: a single `_` followed by `_` cannot go on, so the two readings
            // of the regular expression's `[._]|__` never both succeed.
            [b'_', b'_', ..] => 2,
            [b'_', ..] => 1,
            [b'.', ..] => {
                let (rest, ()) = lower_alnum1(cx, i.get(1..).unwrap_or_default(), true)?;
                i = rest;
                continue;
            }
            [b'-', ..] => {
                let dashes = i.iter().take_while(|&&b| b == b'-').count();
                let (rest, ()) = lower_alnum1(cx, i.get(dashes..).unwrap_or_default(), true)?;
                i = rest;
                continue;
            }
            // The component ends here; the caller says why it cannot go on, if it cannot.
            _ => return Ok((i, underscore)),
        };
        underscore = true;
        let (rest, ()) = lower_alnum1(cx, i.get(sep..).unwrap_or_default(), true)?;
        i = rest;
    }
}

/// `remote-name := path-component ( "/" path-component )*`
fn remote_name<'a, const D: bool>(cx: &Cx<'_, D>, i: &'a [u8]) -> Res<'a, ()> {
    let (i, _) = path_component(cx, i)?;
    more_components(cx, i)
}

/// `( "/" path-component )*`
fn more_components<'a, const D: bool>(cx: &Cx<'_, D>, mut i: &'a [u8]) -> Res<'a, ()> {
    while let [b'/', rest @ ..] = i {
        let (r, _) = path_component(cx, rest)?;
        i = r;
    }
    Ok((i, ()))
}

/// `label: [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]`
///
/// A shorter match than the whole run of label bytes would leave a label byte next, which
/// nothing in the grammar can follow a label with; so the run is the label or nothing is.
fn label<'a, const D: bool>(cx: &Cx<'_, D>, i: &'a [u8]) -> Res<'a, ()> {
    let Ok((rest, run)) = take_while1::<_, _, Fail>(is_label_byte).parse(i) else {
        return cx.fail_host(i, "expected a letter or digit in the registry host name");
    };
    if run.first() == Some(&b'-') {
        return cx.fail_host(i, "a host name label cannot start with '-'");
    }
    if run.last() == Some(&b'-') {
        return cx.fail_host(rest, "a host name label cannot end with '-'");
    }
    Ok((rest, ()))
}

/// `domain := host [ ":" port ]`, `host := domain-name | "[" ipv6 "]"`.
///
/// Returns the rest and whether the domain ended with a label (rather than `]` or a port).
fn domain<'a, const D: bool>(cx: &Cx<'_, D>, i: &'a [u8]) -> Res<'a, bool> {
    let (i, ends_with_label) = if let [b'[', rest @ ..] = i {
        let Ok((rest, _)) =
            take_while1::<_, _, Fail>(|b: u8| b.is_ascii_hexdigit() || b == b':').parse(rest)
        else {
            return cx.fail_host(rest, "expected hex digits or ':' in a bracketed IPv6 host");
        };
        match rest {
            [b']', rest @ ..] => (rest, false),
            [] => return cx.fail_host(rest, "expected ']' to close the IPv6 host"),
            _ => return cx.fail_host(rest, "character not allowed in a bracketed IPv6 host"),
        }
    } else {
        let (mut i, ()) = label(cx, i)?;
        while let [b'.', rest @ ..] = i {
            i = label(cx, rest)?.0;
        }
        (i, true)
    };
    match i {
        [b':', rest @ ..] => {
            if let Ok((rest, _)) = take_while1::<_, _, Fail>(|b: u8| b.is_ascii_digit()).parse(rest)
            {
                Ok((rest, false))
            } else {
                // Not a port: the `:` may start a tag of a domain-less name.
                let _ = cx.fail_host::<()>(rest, "a port must be digits");
                Ok((i, ends_with_label))
            }
        }
        _ => Ok((i, ends_with_label)),
    }
}

/// `tag := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}`
fn tag<'a, const D: bool>(cx: &Cx<'_, D>, i: &'a [u8]) -> Res<'a, ()> {
    if !i.first().is_some_and(|&b| is_word_byte(b)) {
        return cx.fail(
            i,
            if i.is_empty() {
                "empty tag after ':'"
            } else {
                "a tag must start with a letter, digit or '_'"
            },
        );
    }
    let (rest, _) = take_while::<_, _, Fail>(is_tag_byte).parse(i)?;
    let len = i.len() - rest.len();
    if len > TAG_MAX {
        return cx.fail(
            i.get(TAG_MAX..).unwrap_or_default(),
            "tag longer than 128 characters",
        );
    }
    Ok((rest, ()))
}

/// `digest := algorithm ":" encoded`; algorithm `[A-Za-z][A-Za-z0-9]*` parts joined by
/// `[+._-]`, encoded 32 or more hex digits.
fn digest<'a, const D: bool>(cx: &Cx<'_, D>, i: &'a [u8]) -> Res<'a, ()> {
    let mut i = i;
    let mut first = true;
    loop {
        let Ok((rest, _)) = take_while_m_n::<_, _, Fail>(1, 1, |b: u8| is(ALPHA, b)).parse(i)
        else {
            return cx.fail(
                i,
                match (first, i.is_empty()) {
                    (true, true) => "empty digest after '@'",
                    (true, false) => "a digest algorithm must start with a letter",
                    (false, _) => "a separator in a digest algorithm must be followed by a letter",
                },
            );
        };
        let (rest, _) = take_while::<_, _, Fail>(|b: u8| is(ALNUM, b)).parse(rest)?;
        match rest {
            [b, r @ ..] if is_digest_separator(*b) => i = r,
            _ => {
                i = rest;
                break;
            }
        }
        first = false;
    }
    let [b':', i @ ..] = i else {
        return cx.fail(i, "expected ':' after the digest algorithm");
    };
    // A valid digest's hex digits run to the end of the input: check them all at once.
    let (rest, hex) = if all_in(HEX, i) {
        (i.get(i.len()..).unwrap_or_default(), i)
    } else {
        take_while::<_, _, Fail>(|b: u8| is(HEX, b)).parse(i)?
    };
    if hex.len() < DIGEST_HEX_MIN {
        return cx.fail(rest, "a digest needs at least 32 hex digits");
    }
    Ok((rest, ()))
}

/// `[ ":" tag ] [ "@" digest ]` and the end of the input; returns the length of `:tag`.
fn tail<'a, const D: bool>(cx: &Cx<'_, D>, i: &'a [u8]) -> Res<'a, usize> {
    let (i, tag_len) = match i {
        [b':', rest @ ..] => {
            let (r, ()) = tag(cx, rest)?;
            (r, rest.len() - r.len() + 1)
        }
        _ => (i, 0),
    };
    let (i, has_digest) = match i {
        [b'@', rest @ ..] => (digest(cx, rest)?.0, true),
        _ => (i, false),
    };
    let Some(&b) = i.first() else {
        return Ok((i, tag_len));
    };
    let reason = if has_digest {
        match b {
            b'@' => "a second '@'",
            b if b.is_ascii_alphanumeric() => "non-hex character in the digest",
            _ => "unexpected character after the digest",
        }
    } else if tag_len > 0 {
        match b {
            b'/' => "'/' after the tag",
            b':' => "a second ':' after the tag",
            _ => "character not allowed in a tag",
        }
    } else {
        path_reason(i, false)
    };
    cx.fail(i, reason)
}

/// The whole reference. On failure the furthest position is in `cx`.
pub(crate) fn reference<const D: bool>(cx: &Cx<'_, D>, input: &[u8]) -> Option<Parts> {
    let (domain_end, rest) = if D {
        name_diagnosing(cx, input)?
    } else {
        name_fast(cx, input)?
    };
    let name_end = input.len() - rest.len();
    let (_, tag_len) = tail(cx, rest).ok()?;
    Some(Parts {
        domain_end,
        name_end,
        tag_end: name_end + tag_len,
    })
}

/// `[ domain "/" ] remote-name`, returning the end of the domain (0 for none) and the rest.
///
/// The first component is the domain whenever the domain grammar allows it and a remote name
/// follows (the regular expression's leftmost-first choice). This reading tries the domain first,
/// then the path, and records every failure on the way: it is the one that diagnoses.
fn name_diagnosing<'a, const D: bool>(
    cx: &Cx<'_, D>,
    input: &'a [u8],
) -> Option<(usize, &'a [u8])> {
    let with_domain = domain(cx, input).ok().and_then(|(rest, ends_with_label)| {
        if let [b'/', after @ ..] = rest {
            Some((input.len() - rest.len(), after))
        } else {
            cx.record(
                rest,
                WEAK,
                if ends_with_label && !matches!(rest.first(), None | Some(b':')) {
                    "character not allowed in a registry host name"
                } else {
                    "expected '/' after the registry host"
                },
            );
            None
        }
    });
    let (domain_end, after_domain) = with_domain.unwrap_or((0, input));
    match remote_name(cx, after_domain) {
        Ok((rest, ())) => Some((domain_end, rest)),
        Err(_) if domain_end > 0 => {
            // The name without a domain consumes the same components after the first (or fails
            // earlier), so it cannot succeed where this did not; try it only to record its
            // failure.
            let _ = remote_name(cx, input);
            None
        }
        Err(_) => None,
    }
}

/// The same reading as [`name_diagnosing`], reading the first component once in the common
/// case: a path component without `_` is also a valid host name (its `.`-separated parts are
/// labels), so when one is followed by `/` (or by a port and `/`) it is the domain; with a `_`
/// it can only be a path. Anything else (uppercase, IPv6, labels that are not path components)
/// takes the general reading. The two agree on every input, which the tests check.
fn name_fast<'a, const D: bool>(cx: &Cx<'_, D>, input: &'a [u8]) -> Option<(usize, &'a [u8])> {
    let Ok((after_first @ ([] | [b'/' | b':' | b'@', ..]), underscore)) = path_component(cx, input)
    else {
        return name_diagnosing(cx, input);
    };
    let host = !underscore;
    let domain_end = match after_first {
        [b'/', ..] if host => input.len() - after_first.len(),
        [b':', port @ ..] if host => {
            let digits = port.iter().take_while(|&&b| b.is_ascii_digit()).count();
            match port.get(digits) {
                Some(b'/') if digits > 0 => input.len() - port.len() + digits,
                _ => 0,
            }
        }
        _ => 0,
    };
    let rest = if domain_end > 0 {
        remote_name(cx, input.get(domain_end + 1..).unwrap_or_default())
    } else {
        more_components(cx, after_first)
    };
    rest.ok().map(|(rest, ())| (domain_end, rest))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Cx, reference};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The fast reading of the name and the diagnosing one agree on every input.
        #[test]
        fn fast_and_diagnosing_readings_agree(s in "[a-zA-Z0-9._:/@\\[\\]-]{0,24}") {
            let b = s.as_bytes();
            prop_assert_eq!(reference(&Cx::fast(b), b), reference(&Cx::diagnose(b), b));
        }

        #[test]
        fn they_agree_on_reference_shaped_inputs(
            first in "([a-z0-9]{1,3}[._-]{0,2}){1,3}(:[0-9]{0,4})?",
            rest in "(/[a-z0-9_.-]{0,4}){0,3}(:[A-Za-z0-9_.-]{0,4})?(@[a-z]{1,3}:[0-9a-f]{30,34})?",
        ) {
            let s = format!("{first}{rest}");
            let b = s.as_bytes();
            prop_assert_eq!(reference(&Cx::fast(b), b), reference(&Cx::diagnose(b), b));
        }
    }
}
