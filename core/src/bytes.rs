//! Byte scans of the short to medium strings a review writes (pointers, JSON strings,
//! warnings).

/// Whether `pred` holds for any byte of `text`.
///
/// Every byte is tested (there is no early exit, unlike `Iterator::any`), so that the compiler
/// turns the loop into one that tests many bytes at a time: for strings that rarely hold such a
/// byte (a base64 patch, a warning, a JSON pointer) that is the faster scan.
#[inline]
pub fn any_byte(text: &str, pred: impl Fn(u8) -> bool) -> bool {
    text.bytes().fold(false, |any, b| any | pred(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_byte_is_any() {
        for text in [
            "",
            "a",
            "abc~",
            "~abc",
            "a/b",
            "é/",
            "x".repeat(100).as_str(),
        ] {
            for probe in [b'~', b'/', b'x', 0xa9] {
                assert_eq!(
                    any_byte(text, |b| b == probe),
                    text.bytes().any(|b| b == probe),
                    "{text:?} {probe}"
                );
            }
        }
    }
}
