//! The fast path of [`Reference::parse`](super::Reference::parse): a validator that reads the
//! input eight bytes at a time (SWAR over `u64` words, in safe Rust) and answers only "valid,
//! with these parts" or "not sure".
//!
//! Most bytes of a reference are lowercase letters and digits, which every part of the grammar
//! accepts in the middle of a run. One word at a time, the validator finds the bytes that are
//! *not* `[a-z0-9]` (one mask, one bit per byte) and walks only those: the separators of the
//! path (`.`, `_`, `__`, `-`+, `/`), the port's and the tag's `:`, the tag's other bytes, and the
//! `@` of the digest. The digest is accepted only as a supported algorithm with exactly its
//! number of lowercase hex digits, checked a word at a time.
//!
//! A bracketed IPv6 host (with its port) at the start is read byte by byte before the walk.
//!
//! Anything else — an uppercase letter outside the tag and the IPv6 host, a non-ASCII byte, a digest
//! the registries refuse, any input that is not valid — is "not sure": the nom grammar of
//! [`parse`](super::parse) then reads the input and diagnoses it. So a `Some` from [`parse`]
//! is exactly what the grammar and the checks after it give for the same input, which the
//! differential tests (`core/tests/fastpath.rs`) and the `fastpath` fuzz target check.

use super::parse::{NAME_TOTAL_LENGTH_MAX, Parts, TAG_MAX};

/// The byte `0x01` in every lane.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every lane.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of every lane of `w` (all ASCII) whose byte is in `lo..=hi`.
#[inline]
fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
    // With every byte below 0x80, neither sum carries out of its lane: the high bit of
    // `b + 0x80 - lo` is `b >= lo`, that of `b + 0x7f - hi` is `b > hi`.
    let at_least_lo = w.wrapping_add(ONES.wrapping_mul(u64::from(0x80 - lo)));
    let above_hi = w.wrapping_add(ONES.wrapping_mul(u64::from(0x7f - hi)));
    at_least_lo & !above_hi & HIGH
}

/// One bit per lane (bit `i` for byte `i`) from the high bits of the lanes of `m`.
#[inline]
fn movemask(m: u64) -> u32 {
    // Each high bit `8i + 7` is carried to bit `56 + i` by one term of the product, and no two
    // terms meet, so nothing carries.
    #[allow(clippy::cast_possible_truncation)] // the shift leaves 8 bits
    let bits = ((m & HIGH).wrapping_mul(0x0002_0408_1020_4081) >> 56) as u32;
    bits
}

/// The word of the 8 bytes of `chunk` (fewer at the end: zero-padded), little endian.
#[inline]
fn word(chunk: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    if let Some(head) = buf.get_mut(..chunk.len()) {
        head.copy_from_slice(chunk);
    }
    u64::from_le_bytes(buf)
}

/// The word of exactly 8 bytes (0 for any other length), little endian: one load.
#[inline]
fn load8(chunk: &[u8]) -> u64 {
    <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes)
}

/// The word of the (up to) 8 bytes of `bytes` from `at`, zero-padded, and how many bytes it
/// holds. A short last word is read as the last 8 bytes shifted, when the input has 8.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> (u64, usize) {
    if let Some(chunk) = bytes.get(at..at + 8) {
        return (load8(chunk), 8);
    }
    let lanes = bytes.len() - at;
    match bytes
        .len()
        .checked_sub(8)
        .and_then(|start| bytes.get(start..))
    {
        Some(last) => (load8(last) >> (8 * (8 - lanes)), lanes),
        None => (word(bytes.get(at..).unwrap_or_default()), lanes),
    }
}

/// The position of the `/` after a bracketed IPv6 host and its port, if any, at the start of
/// `bytes`: `[`, hex digits and `:`, `]`, then `:` and digits or nothing, then `/`.
#[inline]
fn bracketed_host(bytes: &[u8]) -> Option<usize> {
    let inner = bytes
        .get(1..)?
        .iter()
        .take_while(|b| b.is_ascii_hexdigit() || **b == b':')
        .count();
    if inner == 0 || bytes.get(1 + inner) != Some(&b']') {
        return None;
    }
    let mut end = inner + 2;
    if bytes.get(end) == Some(&b':') {
        let digits = bytes
            .get(end + 1..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        end += 1 + digits;
    }
    (bytes.get(end) == Some(&b'/')).then_some(end)
}

/// Whether a port starts at `at`: digits, then `/`.
#[inline]
fn is_port(bytes: &[u8], at: usize) -> bool {
    let rest = bytes.get(at..).unwrap_or_default();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest.get(digits) == Some(&b'/')
}

/// Whether every byte of `bytes` is a lowercase hex digit, eight at a time.
#[inline]
fn all_lower_hex(bytes: &[u8]) -> bool {
    let mut bad = 0;
    let chunks = bytes.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        let w = load8(chunk);
        bad |= w & HIGH | !(in_range(w, b'0', b'9') | in_range(w & !HIGH, b'a', b'f')) & HIGH;
    }
    bad == 0 && rest.iter().all(|&b| super::parse::is_lower_hex(b))
}

/// Where the validator is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Region {
    /// In the name (domain and path).
    Name,
    /// In the tag, which starts at the given byte.
    Tag(usize),
}

/// What the fast path found in a valid reference besides its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scan {
    /// The parts, as [`parse`] gives them.
    pub(crate) parts: Parts,
    /// The first `/` of the name (0 when it has none), whether or not it ends a domain.
    pub(crate) first_slash: usize,
    /// Bit `i` is set when byte `i` of the name is a `/`; complete only when the name is at most
    /// 64 bytes long ([`Scan::slashes`]).
    slash_bits: u64,
}

impl Scan {
    /// The positions of the `/` of the name as bits (bit `i` for byte `i`), when the name is at
    /// most 64 bytes long.
    #[inline]
    pub(crate) fn slashes(&self) -> Option<u64> {
        (self.parts.name_end <= 64).then_some(self.slash_bits)
    }
}

/// The parts of `bytes` when it is certainly a valid reference (grammar, path length and
/// digest), or `None` when not sure.
#[inline]
pub(crate) fn parse(bytes: &[u8]) -> Option<Parts> {
    scan::<false>(bytes).map(|s| s.parts)
}

/// [`parse`], with the `/` of the name found on the way: the first one, and all of them as bits
/// when `SLASHES` (otherwise [`Scan::slashes`] is not meaningful).
#[inline]
#[allow(clippy::too_many_lines)] // one walk, its states side by side
pub(crate) fn scan<const SLASHES: bool>(bytes: &[u8]) -> Option<Scan> {
    // Position just after the last byte that is not `[a-z0-9]` (0: none yet, as if the input
    // were preceded by one).
    let mut after_last = 0;
    let mut last_byte = 0u8;
    // A `__` just ended at `after_last` (a third `_` may not follow).
    let mut double = false;
    let mut region = Region::Name;
    // The first `/` (the end of a domain, if the first component is one), and whether the first
    // component has a `_` (then it can only be a path component).
    let mut first_slash = 0;
    let mut slash_bits = 0u64;
    let mut underscore_in_first = false;
    let mut at = None;

    let mut base = 0;
    if bytes.first() == Some(&b'[') {
        // A bracketed IPv6 host is always the domain; the walk starts after its `/`.
        let slash = bracketed_host(bytes)?;
        first_slash = slash;
        slash_bits = 1u64
            .checked_shl(u32::try_from(slash).unwrap_or(64))
            .unwrap_or(0);
        after_last = slash + 1;
        last_byte = b'/';
        base = slash + 1;
    }
    'words: while base < bytes.len() {
        let (w, lanes) = word_at(bytes, base);
        if w & HIGH != 0 {
            return None;
        }
        let lower_alnum = in_range(w, b'a', b'z') | in_range(w, b'0', b'9');
        let valid_lanes = (1u32 << lanes) - 1;
        let mut events = !movemask(lower_alnum) & valid_lanes;
        while events != 0 {
            let i = base + events.trailing_zeros() as usize;
            events &= events - 1;
            let b = *bytes.get(i)?;
            let adjacent = i == after_last;
            match region {
                Region::Name => match b {
                    b'-' => {
                        if adjacent && last_byte != b'-' {
                            return None;
                        }
                        double = false;
                    }
                    b'_' => {
                        if adjacent {
                            if last_byte != b'_' || double {
                                return None;
                            }
                            double = true;
                        } else {
                            double = false;
                        }
                        if first_slash == 0 {
                            underscore_in_first = true;
                        }
                    }
                    b'.' | b'/' | b':' | b'@' if adjacent => return None,
                    b'.' => {}
                    b'/' => {
                        if first_slash == 0 {
                            first_slash = i;
                        }
                        if SLASHES && i < 64 {
                            slash_bits |= 1 << i;
                        }
                    }
                    b':' => {
                        // A port: in the first component of a host (no `_`), digits, then `/`.
                        if first_slash == 0 && !underscore_in_first && is_port(bytes, i + 1) {
                            // The digits raise no event; the `/` after them is checked as any.
                        } else {
                            region = Region::Tag(i + 1);
                        }
                    }
                    b'@' => {
                        at = Some((i, i));
                        break 'words;
                    }
                    _ => return None,
                },
                Region::Tag(start) => match b {
                    b'.' | b'-' if i == start => return None,
                    b'.' | b'-' | b'_' | b'A'..=b'Z' => {}
                    b'@' => {
                        at = Some((tag_name_end(start)?, i));
                        break 'words;
                    }
                    _ => return None,
                },
            }
            after_last = i + 1;
            last_byte = b;
        }
        base += lanes;
    }

    let ends = Ends {
        at,
        region,
        after_last,
    };
    let domain_end = if underscore_in_first { 0 } else { first_slash };
    finish(bytes, ends, domain_end).map(|parts| Scan {
        parts,
        first_slash,
        slash_bits,
    })
}

/// Where the walk over the input stopped.
#[derive(Clone, Copy)]
struct Ends {
    /// The end of the name and the position of `@`, when there is a digest.
    at: Option<(usize, usize)>,
    /// The region the walk ended in.
    region: Region,
    /// Just after the last byte that is not `[a-z0-9]`.
    after_last: usize,
}

/// The parts, once the walk stopped at the end of the input or at `@`: the digest, the tag's
/// length, the end of the name, and the length of the path.
// Measured: with two instances of `scan`, `finish` is otherwise called, not inlined, which
// costs `Reference::parse` 28 instructions per image (callgrind).
#[allow(clippy::inline_always)]
#[inline(always)]
fn finish(bytes: &[u8], ends: Ends, domain_end: usize) -> Option<Parts> {
    let Ends {
        at,
        region,
        after_last,
    } = ends;
    let (name_end, tag_end) = match at {
        Some((name_end, at)) => {
            if !digest_ok(bytes.get(at + 1..)?) {
                return None;
            }
            if let Region::Tag(start) = region
                && !tag_ok(start, at)
            {
                return None;
            }
            (name_end, at)
        }
        None => match region {
            Region::Name => {
                if bytes.len() == after_last {
                    return None;
                }
                (bytes.len(), bytes.len())
            }
            Region::Tag(start) => {
                if !tag_ok(start, bytes.len()) {
                    return None;
                }
                (start - 1, bytes.len())
            }
        },
    };
    let path_start = if domain_end == 0 { 0 } else { domain_end + 1 };
    if name_end - path_start > NAME_TOTAL_LENGTH_MAX {
        return None;
    }
    Some(Parts {
        domain_end,
        name_end,
        tag_end,
    })
}

/// The end of the name when the tag starts at `start` (after its `:`).
#[inline]
fn tag_name_end(start: usize) -> Option<usize> {
    start.checked_sub(1)
}

/// Whether a tag from `start` to `end` has an allowed length (its bytes were checked).
#[inline]
fn tag_ok(start: usize, end: usize) -> bool {
    end > start && end - start <= TAG_MAX
}

/// Whether `digest` (after `@`) is a supported algorithm with exactly its number of lowercase
/// hex digits.
#[inline]
fn digest_ok(digest: &[u8]) -> bool {
    let (hex_len, hex) = match digest {
        [b's', b'h', b'a', b'2', b'5', b'6', b':', hex @ ..] => (64, hex),
        [b's', b'h', b'a', b'3', b'8', b'4', b':', hex @ ..] => (96, hex),
        [b's', b'h', b'a', b'5', b'1', b'2', b':', hex @ ..] => (128, hex),
        _ => return false,
    };
    hex.len() == hex_len && all_lower_hex(hex)
}

#[cfg(test)]
mod tests {
    use super::{all_lower_hex, in_range, movemask, parse, word};
    use crate::reference::parse_parts_reference;

    #[test]
    fn lanes() {
        let w = word(b"a0-_Z/:@");
        assert_eq!(movemask(in_range(w, b'a', b'z')), 0b0000_0001);
        assert_eq!(movemask(in_range(w, b'0', b'9')), 0b0000_0010);
        assert_eq!(movemask(in_range(w, b'A', b'Z')), 0b0001_0000);
        assert!(all_lower_hex(b"0123456789abcdef0123456789abcdef0"));
        assert!(!all_lower_hex(b"0123456789abcdeF0123456789abcdef0"));
        assert!(!all_lower_hex(b"0123456789abcdef0123456789abcdeg"));
        assert!(!all_lower_hex(b"0123456789abcdef0123456789abcde/"));
    }

    #[test]
    fn common_shapes_take_the_fast_path_and_agree() {
        let hex = "0123456789abcdef".repeat(4);
        for s in [
            "nginx".to_owned(),
            "nginx:1.27".to_owned(),
            "bitnami/redis:7.2.4-debian-12-r0".to_owned(),
            "docker.io/library/nginx:latest".to_owned(),
            "registry.corp.example:5000/team/app:v1.2.3".to_owned(),
            "localhost:5000/a__b/c-d--e/f.g:TAG_x".to_owned(),
            "[::1]:5000/team_a/app:1".to_owned(),
            "[fd00:1234::42]/a".to_owned(),
            "foo_bar/baz".to_owned(),
            format!("harbor.domain/a/b/c/d/redis@sha256:{hex}"),
            format!("nginx:1@sha256:{hex}"),
        ] {
            let fast = parse(s.as_bytes());
            assert!(fast.is_some(), "{s:?} should take the fast path");
            assert_eq!(
                fast.ok_or(()),
                parse_parts_reference(&s).map_err(|_| ()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn unsure_of_what_it_does_not_read() {
        for s in [
            "",
            "a-",
            "a..b",
            "a___b",
            "-a",
            "a//b",
            "a/",
            ":a",
            "a:",
            "a:-x",
            "a:.x",
            "A/b",
            "a/B",
            "[::1]:/a",
            "[::1]",
            "[::1]/",
            "[::1]/-a",
            "[]/a",
            "[g]/a",
            "a@sha256:abc",
            "a:b:c",
            "a:b/c",
            "a@",
            "é",
            "a b",
        ] {
            assert_eq!(parse(s.as_bytes()), None, "{s:?}");
        }
    }
}
