//! RFC 6901 JSON pointers: the one place their escaping is written. Diagnostics point into a
//! policy with them, and the reports and patches of `imgrepl-k8s` into an object (it reaches them
//! through `imgrepl::__private`).

use std::borrow::Cow;

use crate::bytes::any_byte;

/// Escapes one reference token of a JSON pointer (RFC 6901 §3): `~` becomes `~0` and `/`
/// becomes `~1`, in that order.
///
/// ```
/// use imgrepl::__private::escape_pointer_token;
///
/// assert_eq!(escape_pointer_token("containers"), "containers");
/// assert_eq!(escape_pointer_token("coordinator.cci.io/image-replacement"), "coordinator.cci.io~1image-replacement");
/// assert_eq!(escape_pointer_token("a~1/b"), "a~01~1b");
/// ```
#[must_use]
pub fn escape_pointer_token(token: &str) -> Cow<'_, str> {
    if !token.contains(['~', '/']) {
        return Cow::Borrowed(token);
    }
    let mut out = String::with_capacity(token.len() + 4);
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Appends `/` and the escaped `token` to `pointer` (escaped in place: no copy of the token).
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.reserve(token.len() + 1);
    pointer.push('/');
    if !any_byte(token, |b| b == b'~' || b == b'/') {
        pointer.push_str(token);
        return;
    }
    let mut copied = 0;
    // `~` and `/` are ASCII: their byte offsets are character boundaries.
    for (at, byte) in token.bytes().enumerate() {
        let replacement = match byte {
            b'~' => "~0",
            b'/' => "~1",
            _ => continue,
        };
        pointer.push_str(&token[copied..at]);
        pointer.push_str(replacement);
        copied = at + 1;
    }
    pointer.push_str(&token[copied..]);
}

/// Appends `/` and an array index to `pointer`.
pub fn push_index(pointer: &mut String, index: usize) {
    use std::fmt::Write as _;
    pointer.push('/');
    // One digit without the formatting machinery: most lists are short.
    match u32::try_from(index)
        .ok()
        .and_then(|i| char::from_digit(i, 10))
    {
        Some(digit) => pointer.push(digit),
        // Writing to a `String` cannot fail.
        None => {
            let _ = write!(pointer, "{index}");
        }
    }
}

/// The pointer `base` followed by `tokens`, built in one allocation.
pub fn pointer_at(base: &str, tokens: &[&str]) -> String {
    // Each token, its `/`, and a byte more for each `~` or `/` it escapes.
    let escapes = |t: &str| t.bytes().filter(|&b| b == b'~' || b == b'/').count();
    let len = tokens
        .iter()
        .map(|t| t.len() + 1 + escapes(t))
        .sum::<usize>();
    let mut pointer = String::with_capacity(base.len() + len);
    pointer.push_str(base);
    for token in tokens {
        push_token(&mut pointer, token);
    }
    pointer
}

/// The JSON pointer made of `tokens`.
#[cfg(test)]
pub(crate) fn pointer_of<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    let mut pointer = String::new();
    for token in tokens {
        push_token(&mut pointer, token);
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_escaped_in_place_as_escape_pointer_token_does() {
        for token in ["", "a", "a/b", "~", "/", "~1", "a~b/c~~//d", "é/ü~"] {
            let mut pointer = String::from("/x");
            push_token(&mut pointer, token);
            assert_eq!(
                pointer,
                format!("/x/{}", escape_pointer_token(token)),
                "{token}"
            );
        }
        assert_eq!(pointer_at("/spec", &["a/b", "c"]), "/spec/a~1b/c");
        let mut pointer = pointer_at("", &[]);
        for index in [0, 9, 10, 12, 4_294_967_296] {
            push_index(&mut pointer, index);
        }
        assert_eq!(pointer, "/0/9/10/12/4294967296");
    }

    #[test]
    fn pointers_escape_tilde_before_slash() {
        assert_eq!(pointer_of(["a/b", "c~d", "~1"]), "/a~1b/c~0d/~01");
        assert_eq!(pointer_of([""]), "/");
        assert_eq!(pointer_of([]), "");
        // serde_json's own RFC 6901 reader finds what we point at.
        let v = serde_json::json!({"a/b": {"c~d": {"~1": 7}}, "": 1});
        assert_eq!(
            v.pointer(&pointer_of(["a/b", "c~d", "~1"])),
            Some(&7.into())
        );
        assert_eq!(v.pointer(&pointer_of([""])), Some(&1.into()));
    }
}
