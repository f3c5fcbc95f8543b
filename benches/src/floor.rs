//! The floors: the least work any parser or rewriter must do per image.
//!
//! A parser has to look at every byte once, so [`scan`] is one `memchr` over the whole image (for
//! a byte that never occurs in a valid reference, so it always runs to the end). A rewriter has to
//! produce the output, so [`copy_into`] is a plain copy of the image into a reused `String`.

/// One `memchr` over all of `image`: looks for a newline, which no valid reference contains, and
/// returns `true` when there is none. It "accepts" nearly every corpus input, which is the point
/// of printing each engine's count: a floor is not a parser.
///
/// ```
/// assert!(imgrepl_benches::floor::scan("nginx:latest"));
/// assert!(!imgrepl_benches::floor::scan("nginx:latest\n"));
/// ```
#[inline]
#[must_use]
pub fn scan(image: &str) -> bool {
    memchr::memchr(b'\n', image.as_bytes()).is_none()
}

/// Copies `image` into `out`, replacing what `out` held; with a reused buffer this does not
/// allocate once the buffer is large enough.
///
/// ```
/// let mut out = String::new();
/// imgrepl_benches::floor::copy_into("nginx:latest", &mut out);
/// assert_eq!(out, "nginx:latest");
/// ```
#[inline]
pub fn copy_into(image: &str, out: &mut String) {
    out.clear();
    out.push_str(image);
}
