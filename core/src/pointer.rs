//! RFC 6901 JSON pointers: the one place their escaping is written. Diagnostics point into a
//! policy with them, and workload reports and patches into an object.

use std::borrow::Cow;

/// Escapes one reference token of a JSON pointer (RFC 6901 §3): `~` becomes `~0` and `/`
/// becomes `~1`, in that order.
///
/// ```
/// use imgrepl::workload::escape_pointer_token;
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

/// Appends `/` and the escaped `token` to `pointer`.
pub(crate) fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    pointer.push_str(&escape_pointer_token(token));
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
