//! The reference grammar as RE2 regular expressions, for CEL's `matches`.
//!
//! The distribution project defines the grammar of image references by regular expressions
//! (docs/DESIGN.md §1.1); these are the same expressions, written once here, in the subset of
//! RE2 that every engine used reads alike: ASCII character classes (never `\w` or `\d`, which
//! some engines read as Unicode), non-capturing groups, alternation, `*`, `+`, `?` and counted
//! repetitions of at most 256. `tests/grammar.rs` proves that [`REFERENCE`] with
//! [`path_too_long`] accepts exactly what `imgrepl::Reference::parse` accepts on the whole
//! conformance corpus.
//!
//! Two checks of `Reference::parse` are not in the distribution regexes and are added here:
//!
//! - the digest is then checked as registries check it (docs/DESIGN.md §1.2): only `sha256`,
//!   `sha384` and `sha512`, with exactly 64, 96 and 128 lowercase hex digits, so [`DIGEST`]
//!   is those three alternatives;
//! - the path is at most 255 bytes, the domain not counted: [`path_too_long`] (a regular
//!   expression cannot count the path without knowing where the domain ends, so it is two
//!   expressions and a CEL condition);
//! - the whole reference is at most `imgrepl::MAX_IMAGE_BYTES` (4096) bytes: CEL's `size`.

/// One DNS label: `[A-Za-z0-9]`, or those around `-`s.
pub const DOMAIN_COMPONENT: &str = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
/// A host: a DNS name or a bracketed IPv6 address (the characters only), and an optional port.
pub const DOMAIN: &str = concat!(
    "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])",
    "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*",
    "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?"
);
/// One path component: lowercase alphanumerics joined by `.`, `_`, `__` or runs of `-`.
pub const PATH_COMPONENT: &str = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
/// A tag: a word character, then up to 127 word characters, `.` or `-`.
pub const TAG: &str = "[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}";
/// A digest as `Reference::parse` accepts it: the grammar's `algorithm:hex`, narrowed to the
/// registered algorithms and their lengths.
pub const DIGEST: &str = "(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})";

/// The characters of a name after its domain (path components and `/`).
pub const PATH_CHARS: &str = "[a-z0-9._/-]";

/// The whole reference, anchored: `name (":" tag)? ("@" digest)?`.
///
/// ```
/// assert!(imgrepl_export::grammar::REFERENCE.starts_with('^'));
/// assert!(imgrepl_export::grammar::REFERENCE.ends_with('$'));
/// ```
pub const REFERENCE: &str = concat!(
    "^(?:",
    "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])",
    "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*",
    "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?",
    "/)?",
    "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*",
    "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*",
    "(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?",
    "(?:@(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}))?",
    "$"
);

/// A name whose first component is a domain: the domain and the `/` after it.
pub fn has_domain() -> String {
    format!("^{DOMAIN}/")
}

/// The CEL condition, over the CEL expression `x` (a reference that [`REFERENCE`] matches),
/// that its path is longer than 255 bytes: after the domain when the first component is one,
/// the whole name otherwise.
///
/// ```
/// let c = imgrepl_export::grammar::path_too_long("image");
/// assert!(c.starts_with("image.matches("));
/// ```
pub fn path_too_long(x: &str) -> String {
    let with_domain = crate::cel::string(&format!("^{DOMAIN}/{PATH_CHARS}{{256}}"));
    let has_domain = crate::cel::string(&has_domain());
    let no_domain = crate::cel::string(&format!("^{PATH_CHARS}{{256}}"));
    format!("{x}.matches({with_domain}) || !{x}.matches({has_domain}) && {x}.matches({no_domain})")
}

/// The CEL condition that `x` is a valid reference as `imgrepl::Reference::parse` decides.
///
/// ```
/// let c = imgrepl_export::grammar::valid("image");
/// assert!(c.starts_with("size(image) <= 4096 && image.matches('^"));
/// ```
pub fn valid(x: &str) -> String {
    format!(
        "size({x}) <= {max} && {x}.matches({re}) && !({long})",
        max = imgrepl::MAX_IMAGE_BYTES,
        re = crate::cel::string(REFERENCE),
        long = path_too_long(x),
    )
}

/// `s` as an RE2 literal: every character that is not alphanumeric is escaped.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' || c == ':' {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}
