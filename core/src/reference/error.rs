//! The error of a rejected reference: a stable kind, a reason and a byte offset.

use std::fmt;

use crate::Code;

/// The kind of a rejected reference.
///
/// The kinds are those of the reference implementation (the distribution project's reference
/// package), and the [`Display`](fmt::Display) of each kind is that implementation's error
/// message, word for word, so that callers who compare messages keep working.
/// [`code`](ParseErrorKind::code) gives a stable, kebab-case name to branch on.
///
/// ```
/// use imgrepl::{ParseErrorKind, Reference};
///
/// let err = Reference::parse("Nginx").unwrap_err();
/// assert_eq!(err.kind(), ParseErrorKind::Uppercase);
/// assert_eq!(err.kind().code(), "uppercase");
/// assert_eq!(err.kind().to_string(), "repository name must be lowercase");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input is empty.
    #[error("repository name must have at least one component")]
    Empty,
    /// The input does not match the grammar.
    #[error("invalid reference format")]
    InvalidFormat,
    /// The input would match the grammar if it were lowercase.
    #[error("repository name must be lowercase")]
    Uppercase,
    /// The path (the name without its domain) is longer than 255 bytes.
    #[error("repository name must not be more than 255 characters")]
    NameTooLong,
    /// The digest algorithm is not one of `sha256`, `sha384`, `sha512`.
    #[error("unsupported digest algorithm")]
    DigestUnsupported,
    /// The digest has the wrong number of hex digits for its algorithm.
    #[error("invalid checksum digest length")]
    DigestLength,
    /// The digest is not lowercase hex, or its algorithm is not lowercase.
    #[error("invalid checksum digest format")]
    DigestFormat,
    /// (Normalized view only) the input is a 64-hex-digit identifier, not a name.
    #[error("cannot specify 64-byte hexadecimal strings")]
    HexName,
    /// The input is longer than [`MAX_IMAGE_BYTES`](crate::MAX_IMAGE_BYTES); refused before
    /// parsing. The reference implementation has no such limit, so its message is ours.
    #[error("reference is too long")]
    TooLong,
}

impl ParseErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ParseErrorKind; 9] = [
        ParseErrorKind::Empty,
        ParseErrorKind::InvalidFormat,
        ParseErrorKind::Uppercase,
        ParseErrorKind::NameTooLong,
        ParseErrorKind::DigestUnsupported,
        ParseErrorKind::DigestLength,
        ParseErrorKind::DigestFormat,
        ParseErrorKind::HexName,
        ParseErrorKind::TooLong,
    ];

    /// The stable code of this kind (`invalid-format`, `uppercase`, …).
    ///
    /// ```
    /// use imgrepl::{Code, ParseErrorKind};
    /// assert_eq!(ParseErrorKind::NameTooLong.code(), Code::NameTooLong);
    /// assert_eq!(ParseErrorKind::NameTooLong.code().as_str(), "name-too-long");
    /// ```
    #[must_use]
    pub const fn code(self) -> Code {
        match self {
            ParseErrorKind::Empty => Code::Empty,
            ParseErrorKind::InvalidFormat => Code::InvalidFormat,
            ParseErrorKind::Uppercase => Code::Uppercase,
            ParseErrorKind::NameTooLong => Code::NameTooLong,
            ParseErrorKind::DigestUnsupported => Code::DigestUnsupported,
            ParseErrorKind::DigestLength => Code::DigestLength,
            ParseErrorKind::DigestFormat => Code::DigestFormat,
            ParseErrorKind::HexName => Code::HexName,
            ParseErrorKind::TooLong => Code::ImageTooLong,
        }
    }

    /// The kind whose [`code`](ParseErrorKind::code) is `code`.
    ///
    /// ```
    /// use imgrepl::ParseErrorKind;
    /// assert_eq!(ParseErrorKind::from_code("digest-length"), Some(ParseErrorKind::DigestLength));
    /// assert_eq!(ParseErrorKind::from_code("nope"), None);
    /// ```
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A rejected reference: its [kind](ParseError::kind), the byte [offset](ParseError::offset)
/// where the input stopped being valid, and the [reason](ParseError::reason) in plain words.
///
/// The offset is the length of the longest prefix of the input that some valid reference starts
/// with, except where the kind points somewhere more useful:
/// - [`Uppercase`](ParseErrorKind::Uppercase): the first uppercase letter of the path, or the
///   first non-ASCII letter whose lowercase is ASCII (KELVIN SIGN, U+0130); in the normalized
///   view, the first char before the first `:` that lowercasing changes;
/// - [`NameTooLong`](ParseErrorKind::NameTooLong): the byte past the limit, the path's start +
///   255 (+ 247 in the normalized view when `library/` is added);
/// - the digest kinds: the digest's algorithm (unsupported, uppercase algorithm), its first hex
///   digit (length) or its first uppercase hex digit;
/// - [`Empty`](ParseErrorKind::Empty) and [`HexName`](ParseErrorKind::HexName): 0;
/// - [`TooLong`](ParseErrorKind::TooLong): [`MAX_IMAGE_BYTES`](crate::MAX_IMAGE_BYTES) (floored
///   to a `char` boundary), the first byte past the limit.
///
/// In the normalized view, offsets are in the input, not in the normalized string. The offset
/// is always a `char` boundary of the input, at most its length.
///
/// ```
/// use imgrepl::Reference;
///
/// let err = Reference::parse("registry/Team/app").unwrap_err();
/// assert_eq!(err.offset(), 9);
/// assert_eq!(
///     err.to_string(),
///     "repository name must be lowercase: uppercase letter in repository path at byte 9"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseError {
    kind: ParseErrorKind,
    reason: &'static str,
    offset: usize,
}

impl ParseError {
    pub(crate) const fn new(kind: ParseErrorKind, reason: &'static str, offset: usize) -> Self {
        ParseError {
            kind,
            reason,
            offset,
        }
    }

    /// The kind of error.
    #[must_use]
    pub const fn kind(&self) -> ParseErrorKind {
        self.kind
    }

    /// The stable code of the kind (see [`ParseErrorKind::code`]).
    #[must_use]
    pub const fn code(&self) -> Code {
        self.kind.code()
    }

    /// The whole message: `"{kind}: {reason} at byte {offset}"` (the same as `Display`).
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The empty span at [`offset`](Self::offset), for callers that underline spans.
    #[must_use]
    pub const fn span(&self) -> crate::Span {
        crate::Span::new(self.offset, self.offset)
    }

    /// The byte offset in the input where it stopped being valid.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Why, in plain words ("uppercase letter in repository path").
    #[must_use]
    pub const fn reason(&self) -> &'static str {
        self.reason
    }

    /// The same error with its offset moved by `f` (used when a view parses a derived string).
    pub(crate) fn map_offset(self, f: impl FnOnce(usize) -> usize) -> Self {
        ParseError {
            offset: f(self.offset),
            ..self
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} at byte {}", self.kind, self.reason, self.offset)
    }
}

// `{"code", "message", "kind", "reason", "offset"}`: `kind` is the reference implementation's
// message, `message` the whole `Display`.
crate::coded_error!(ParseError {
    "kind": |e| &crate::__private::DisplayStr(&e.kind),
    "reason": |e| e.reason,
    "offset": |e| &e.offset,
});
