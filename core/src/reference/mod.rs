//! Image references: the distribution reference grammar, exactly.
//!
//! ```text
//! reference      := name [ ":" tag ] [ "@" digest ]
//! name           := [ domain "/" ] remote-name
//! domain         := host [ ":" port ]
//! host           := domain-name | "[" ipv6 "]"
//! remote-name    := path-component ( "/" path-component )*     at most 255 bytes
//! path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*     separator: "." | "_" | "__" | "-"+
//! tag            := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest         := algorithm ":" encoded
//! ```
//!
//! Two views: [`Reference::parse`] reads a reference *as written* (the reference
//! implementation's `Parse`), and [`Reference::parse_normalized`] applies Docker Hub's rules
//! (`ParseNormalizedNamed`): `nginx` is `docker.io/library/nginx`. [`Reference::parse_docker_ref`]
//! also adds the `latest` tag (`ParseDockerRef`).

mod display;
mod error;
mod fast;
mod normalize;
pub(crate) mod parse;

use std::borrow::Cow;
use std::str::FromStr;

pub use error::{ParseError, ParseErrorKind};
pub(crate) use normalize::DOCKER_HUB_DOMAINS;
pub use normalize::Normalized;
pub(crate) use parse::{NAME_TOTAL_LENGTH_MAX, Parts};

/// The longest input any entry point parses as an image reference, in bytes.
///
/// Longer input is refused before parsing, in constant time, with
/// [`ParseErrorKind::TooLong`] (code `image-too-long`). A valid reference is rarely longer than
/// 800 bytes (a 253-byte host and a port, a path of at most 255 bytes, a 128-byte tag and a
/// sha512 digest); the reference implementation bounds only the path, so the margin is wide.
///
/// ```
/// use imgrepl::{MAX_IMAGE_BYTES, ParseErrorKind, Reference};
///
/// let long = format!("{}/app", "a".repeat(MAX_IMAGE_BYTES));
/// let err = Reference::parse(&long).unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ParseErrorKind::TooLong, MAX_IMAGE_BYTES));
/// ```
pub const MAX_IMAGE_BYTES: usize = 4096;

/// The [`TooLong`](ParseErrorKind::TooLong) error when `s` is longer than [`MAX_IMAGE_BYTES`].
pub(crate) fn check_len(s: &str) -> Result<(), ParseError> {
    if s.len() > MAX_IMAGE_BYTES {
        return Err(ParseError::new(
            ParseErrorKind::TooLong,
            "longer than 4096 bytes",
            s.floor_char_boundary(MAX_IMAGE_BYTES),
        ));
    }
    Ok(())
}

/// A valid image reference as written, borrowing its input.
///
/// It holds the input and the offsets of its parts, so parsing never allocates.
///
/// ```
/// use imgrepl::Reference;
///
/// let r = Reference::parse("registry:5000/team/app:1.2@sha256:0123456789012345678901234567890123456789012345678901234567890123")?;
/// assert_eq!(r.domain(), Some("registry:5000"));
/// assert_eq!(r.path(), "team/app");
/// assert_eq!(r.name(), "registry:5000/team/app");
/// assert_eq!(r.tag(), Some("1.2"));
/// assert_eq!(r.digest().map(|d| &d[..7]), Some("sha256:"));
///
/// // The first component is a domain whenever the grammar allows it and more follow.
/// assert_eq!(Reference::parse("library/nginx")?.domain(), Some("library"));
/// assert_eq!(Reference::parse("foo_bar/baz")?.domain(), None);
/// # Ok::<(), imgrepl::ParseError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reference<'a> {
    s: &'a str,
    parts: Parts,
}

impl<'a> Reference<'a> {
    /// Parses a reference as written (the reference implementation's `Parse`).
    ///
    /// # Errors
    ///
    /// A [`ParseError`] with the kind, the byte offset and the reason when `s` is not a valid
    /// reference.
    ///
    /// ```
    /// use imgrepl::{ParseErrorKind, Reference};
    ///
    /// assert_eq!(Reference::parse("nginx:latest")?.tag(), Some("latest"));
    ///
    /// let err = Reference::parse("nginx:latest\n").unwrap_err();
    /// assert_eq!(err.kind(), ParseErrorKind::InvalidFormat);
    /// assert_eq!(err.offset(), 12);
    /// # Ok::<(), imgrepl::ParseError>(())
    /// ```
    pub fn parse(s: &'a str) -> Result<Self, ParseError> {
        check_len(s)?;
        parse_parts(s).map(|parts| Reference { s, parts })
    }

    /// Parses a reference in the normalized view (`ParseNormalizedNamed`): the first component
    /// is a domain only if it contains `.` or `:`, is `localhost`, or has an uppercase letter;
    /// otherwise the domain is `docker.io`, and a single-component path gets `library/`.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] whose offset is in `s` (not in the normalized string).
    ///
    /// ```
    /// use imgrepl::Reference;
    ///
    /// let n = Reference::parse_normalized("nginx:1.27")?;
    /// assert_eq!(n.as_str(), "docker.io/library/nginx:1.27");
    /// assert_eq!(n.familiar(), "nginx:1.27");
    /// # Ok::<(), imgrepl::ParseError>(())
    /// ```
    pub fn parse_normalized(s: &'a str) -> Result<Normalized<'a>, ParseError> {
        normalize::normalize(s)
    }

    /// Parses a reference as `ParseDockerRef` does: normalized, with `:latest` added when there
    /// is neither tag nor digest, and the tag dropped when both are given.
    ///
    /// # Errors
    ///
    /// As [`Reference::parse_normalized`].
    ///
    /// ```
    /// use imgrepl::Reference;
    ///
    /// assert_eq!(Reference::parse_docker_ref("nginx")?.as_str(), "docker.io/library/nginx:latest");
    /// # Ok::<(), imgrepl::ParseError>(())
    /// ```
    pub fn parse_docker_ref(s: &'a str) -> Result<Normalized<'a>, ParseError> {
        normalize::normalize(s).map(Normalized::into_docker_ref)
    }

    /// The whole reference, exactly as given to [`Reference::parse`].
    #[must_use]
    pub fn as_str(&self) -> &'a str {
        self.s
    }

    /// The name: the domain (if any), `/`, and the path.
    #[must_use]
    pub fn name(&self) -> &'a str {
        slice(self.s, 0, self.parts.name_end)
    }

    /// The domain (registry host and port), when the first component is one.
    #[must_use]
    pub fn domain(&self) -> Option<&'a str> {
        (self.parts.domain_end > 0).then(|| slice(self.s, 0, self.parts.domain_end))
    }

    /// The path (the remote name): the name without its domain.
    #[must_use]
    pub fn path(&self) -> &'a str {
        slice(self.s, self.parts.path_start(), self.parts.name_end)
    }

    /// The tag, without its `:`.
    #[must_use]
    pub fn tag(&self) -> Option<&'a str> {
        (self.parts.tag_end > self.parts.name_end)
            .then(|| slice(self.s, self.parts.name_end + 1, self.parts.tag_end))
    }

    /// The digest (`algorithm:hex`), without its `@`.
    #[must_use]
    pub fn digest(&self) -> Option<&'a str> {
        (self.parts.tag_end < self.s.len())
            .then(|| slice(self.s, self.parts.tag_end + 1, self.s.len()))
    }

    /// Everything after the name: `:tag`, `@digest`, both, or `""`.
    #[must_use]
    pub fn suffix(&self) -> &'a str {
        slice(self.s, self.parts.name_end, self.s.len())
    }

    /// An owned copy.
    ///
    /// ```
    /// let owned = imgrepl::Reference::parse("nginx")?.into_owned();
    /// assert_eq!(owned.as_ref().path(), "nginx");
    /// # Ok::<(), imgrepl::ParseError>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> ReferenceBuf {
        ReferenceBuf {
            s: self.s.to_owned(),
            parts: self.parts,
        }
    }
}

/// `{"string", "name", "domain", "path", "tag", "digest"}`, absent parts `null`. (The owned
/// [`ReferenceBuf`] serializes as its string, so that it round-trips through serde.)
///
/// ```
/// let r = imgrepl::Reference::parse("registry:5000/team/app:1")?;
/// assert_eq!(serde_json::to_string(&r)?, r#"{"string":"registry:5000/team/app:1","name":"registry:5000/team/app","domain":"registry:5000","path":"team/app","tag":"1","digest":null}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl serde::Serialize for Reference<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Reference", 6)?;
        s.serialize_field("string", self.as_str())?;
        s.serialize_field("name", self.name())?;
        s.serialize_field("domain", &self.domain())?;
        s.serialize_field("path", self.path())?;
        s.serialize_field("tag", &self.tag())?;
        s.serialize_field("digest", &self.digest())?;
        s.end()
    }
}

/// `s[start..end]`, or `""` if the range is not in `s` (never, for offsets from the parser).
#[inline]
pub(crate) fn slice(s: &str, start: usize, end: usize) -> &str {
    s.get(start..end).unwrap_or_default()
}

/// A valid image reference that owns its text: the owned twin of [`Reference`].
///
/// ```
/// use imgrepl::ReferenceBuf;
///
/// let r: ReferenceBuf = "quay.io/team/app:1".parse()?;
/// assert_eq!(r.as_ref().domain(), Some("quay.io"));
/// assert_eq!(r.to_string(), "quay.io/team/app:1");
/// # Ok::<(), imgrepl::ParseError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ReferenceBuf {
    s: String,
    parts: Parts,
}

impl ReferenceBuf {
    /// The borrowed view.
    #[must_use]
    pub fn as_ref(&self) -> Reference<'_> {
        Reference {
            s: &self.s,
            parts: self.parts,
        }
    }

    /// The text of the reference.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.s
    }
}

impl FromStr for ReferenceBuf {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Reference::parse(s).map(Reference::into_owned)
    }
}

impl serde::Serialize for ReferenceBuf {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.s)
    }
}

impl<'de> serde::Deserialize<'de> for ReferenceBuf {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = Cow::<'de, str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses `s` as written: the fast path when it is sure, the grammar otherwise.
#[inline]
pub(crate) fn parse_parts(s: &str) -> Result<Parts, ParseError> {
    match fast::parse(s.as_bytes()) {
        Some(parts) => Ok(parts),
        None => parse_parts_reference(s),
    }
}

/// [`Reference::parse_normalized`] without its shortcut from the fast path's parts: the
/// general reading of the normalized view, which the shortcut must agree with.
///
/// For the differential tests and the fuzz target; not part of the supported API.
///
/// # Errors
///
/// As [`Reference::parse_normalized`].
#[doc(hidden)]
pub fn parse_normalized_general(s: &str) -> Result<Normalized<'_>, ParseError> {
    normalize::normalize_general(s)
}

/// Parses `s` as written, with the `/` of its name as bits (bit `i` for byte `i`) when the fast
/// path read it and the name is at most 64 bytes long: what the matcher probes, found on the way.
#[inline]
pub(crate) fn parse_with_slashes(s: &str) -> Result<(Reference<'_>, Option<u64>), ParseError> {
    check_len(s)?;
    match fast::scan::<true>(s.as_bytes()) {
        Some(scan) => Ok((
            Reference {
                s,
                parts: scan.parts,
            },
            scan.slashes(),
        )),
        None => parse_parts_reference(s).map(|parts| (Reference { s, parts }, None)),
    }
}

/// The reference grammar alone, without the fast path: what [`Reference::parse`] answers, found
/// by the nom grammar that diagnoses every input.
///
/// For the differential tests and the fuzz target that compare it with the fast path; not part
/// of the supported API.
///
/// # Errors
///
/// As [`Reference::parse`].
#[doc(hidden)]
pub fn parse_without_fast_path(s: &str) -> Result<Reference<'_>, ParseError> {
    check_len(s)?;
    parse_parts_reference(s).map(|parts| Reference { s, parts })
}

/// The fast path alone: `Some` when it is sure that `s` is valid (then it is what
/// [`Reference::parse`] answers), `None` when it is not sure.
///
/// For the differential tests and the fuzz target; not part of the supported API.
#[doc(hidden)]
pub fn parse_fast_path_only(s: &str) -> Option<Reference<'_>> {
    check_len(s).ok()?;
    fast::parse(s.as_bytes()).map(|parts| Reference { s, parts })
}

/// Parses `s` as written with the nom grammar: the grammar, then the path length, then the
/// digest.
pub(crate) fn parse_parts_reference(s: &str) -> Result<Parts, ParseError> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return Err(ParseError::new(ParseErrorKind::Empty, "empty reference", 0));
    }
    let parts = if let Some(parts) = parse::reference(&parse::Cx::fast(bytes), bytes) {
        parts
    } else {
        let cx = parse::Cx::diagnose(bytes);
        // The two readings agree on every input (tested); should they not, the diagnosing
        // one, which tries every alternative, is right.
        let Some(parts) = parse::reference(&cx, bytes) else {
            return Err(grammar_error(s, &cx));
        };
        parts
    };
    if parts.name_end - parts.path_start() > NAME_TOTAL_LENGTH_MAX {
        return Err(ParseError::new(
            ParseErrorKind::NameTooLong,
            "repository path longer than 255 bytes",
            parts.path_start() + NAME_TOTAL_LENGTH_MAX,
        ));
    }
    if parts.tag_end < bytes.len() {
        check_digest(s, parts.tag_end + 1)?;
    }
    Ok(parts)
}

/// The error for an input that does not match the grammar: `uppercase` when its lowercase form
/// would match (as the reference implementation decides), `invalid-format` otherwise.
fn grammar_error(s: &str, cx: &parse::Cx<'_, true>) -> ParseError {
    let (far, reason) = cx.furthest();
    let invalid = ParseError::new(ParseErrorKind::InvalidFormat, reason, far);
    // The reference implementation lowercases the whole input with Unicode simple case mapping.
    // Only ASCII, KELVIN SIGN (to `k`) and LATIN CAPITAL LETTER I WITH DOT ABOVE (to `i`) can
    // give an ASCII string, and only an ASCII string can match.
    let mut lowered = String::with_capacity(s.len());
    for c in s.chars() {
        lowered.push(match c {
            '\u{212A}' => 'k',
            '\u{130}' => 'i',
            c if c.is_ascii() => c.to_ascii_lowercase(),
            _ => return invalid,
        });
    }
    if lowered == s {
        return invalid;
    }
    let lcx = parse::Cx::fast(lowered.as_bytes());
    let Some(lparts) = parse::reference(&lcx, lowered.as_bytes()) else {
        return invalid;
    };
    // The culprit: the first non-ASCII letter anywhere, or the first uppercase letter in the path
    // (uppercase is allowed in the domain, the tag and the digest), whichever comes first. Up to
    // the first non-ASCII letter, offsets in `s` and in `lowered` are the same.
    let path = lparts.path_start()..lparts.name_end;
    for (at, c) in s.char_indices() {
        if !c.is_ascii() {
            return ParseError::new(
                ParseErrorKind::Uppercase,
                "non-ASCII letter whose lowercase is ASCII",
                at,
            );
        }
        if c.is_ascii_uppercase() && path.contains(&at) {
            return ParseError::new(
                ParseErrorKind::Uppercase,
                "uppercase letter in repository path",
                at,
            );
        }
    }
    // Not reached: if neither exists, `s` matches as `lowered` does.
    ParseError::new(ParseErrorKind::Uppercase, reason, far)
}

/// Checks the digest starting at byte `start` the way registries do.
fn check_digest(s: &str, start: usize) -> Result<(), ParseError> {
    let d = slice(s, start, s.len());
    // The grammar put exactly one ':' in the digest, after the algorithm.
    let colon = d.bytes().position(|b| b == b':').unwrap_or(d.len());
    let (alg, enc) = (slice(d, 0, colon), slice(d, colon + 1, d.len()));
    let enc_start = start + alg.len() + 1;
    let (len, reason) = match alg {
        "sha256" => (64, "a sha256 digest has exactly 64 hex digits"),
        "sha384" => (96, "a sha384 digest has exactly 96 hex digits"),
        "sha512" => (128, "a sha512 digest has exactly 128 hex digits"),
        _ => {
            return Err(match alg.bytes().position(|b| b.is_ascii_uppercase()) {
                Some(i) => ParseError::new(
                    ParseErrorKind::DigestFormat,
                    "uppercase letter in digest algorithm",
                    start + i,
                ),
                None => ParseError::new(
                    ParseErrorKind::DigestUnsupported,
                    "digest algorithm is not sha256, sha384 or sha512",
                    start,
                ),
            });
        }
    };
    if enc.len() != len {
        return Err(ParseError::new(
            ParseErrorKind::DigestLength,
            reason,
            enc_start,
        ));
    }
    if parse::all_lower_hex(enc.as_bytes()) {
        return Ok(());
    }
    if let Some(i) = enc.bytes().position(|b| !parse::is_lower_hex(b)) {
        return Err(ParseError::new(
            ParseErrorKind::DigestFormat,
            "uppercase hex digit in digest",
            enc_start + i,
        ));
    }
    Ok(())
}

/// What a valid `replaceWith` contributes to the path of the results it makes, in bytes, in
/// each view a result must be valid in ([`name_prefix_lens`]).
///
/// A result is `replaceWith + "/" + moved`, where `moved` is one or more valid path components
/// (and the tag and digest). As written, its path is `written + moved.len()`. As the runtime
/// reads it (normalized), its path is `one + moved.len()` when `moved` is one component, and
/// `many + moved.len()` otherwise: `docker.io` followed by one component gains `library/`, a
/// first component that is not a registry (`org`) moves into the path under `docker.io/`.
/// Each of `one` and `many` is at least `written`, so one comparison per result covers every
/// view; the 64-hex-name rule cannot apply, a result always holding a `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PrefixLens {
    /// As written.
    pub(crate) written: usize,
    /// Normalized, when one component follows.
    pub(crate) one: usize,
    /// Normalized, when two or more components follow.
    pub(crate) many: usize,
}

/// The [`PrefixLens`] of a valid name prefix, and whether the runtime reads its results under
/// Docker Hub's domain when it does not start with it (`org` → `docker.io/org`).
///
/// # Errors
///
/// The error of [`name_prefix_path_len`], or the normalized view's error (its path too long once
/// `docker.io/` moves the first component into it).
pub(crate) fn name_prefix_lens(prefix: &str) -> Result<(PrefixLens, bool), ParseError> {
    let written = name_prefix_path_len(prefix)?;
    // The same probes as the runtime's reading, so no rule of normalization is written twice.
    let one = normalize::normalize_probe(prefix, "/x")?;
    let many = normalize::normalize_probe(prefix, "/x/x")?;
    let implicit_hub = one.1;
    Ok((
        PrefixLens {
            written,
            one: one.0.max(written),
            many: many.0.max(written),
        },
        implicit_hub,
    ))
}

pub(crate) fn name_prefix_path_len(prefix: &str) -> Result<usize, ParseError> {
    if prefix.ends_with('/') {
        return Err(ParseError::new(
            ParseErrorKind::InvalidFormat,
            "a prefix must not end with '/'",
            prefix.len() - 1,
        ));
    }
    let probe = format!("{prefix}/x");
    match parse_parts(&probe) {
        Ok(parts) => Ok(parts.name_end - parts.path_start() - 1),
        Err(e) => {
            let tag_or_digest = match prefix.find('@') {
                Some(at) => Some(at),
                None if e.offset() >= prefix.len() => prefix.rfind(':'),
                None => None,
            };
            Err(match tag_or_digest {
                Some(at) => ParseError::new(
                    ParseErrorKind::InvalidFormat,
                    "a prefix is a registry or a repository path, never a tag or a digest",
                    at,
                ),
                None => e.map_offset(|o| o.min(prefix.len())),
            })
        }
    }
}
