//! `policy`: any bytes → reading a policy never panics, and its diagnostics are sound.
//!
//! - `Policy::validate` and `Policy::from_json` agree (a policy exactly when there is no error);
//! - every diagnostic's span and related span lie inside the input, on UTF-8 boundaries, and
//!   convert to UTF-16 without passing the input's UTF-16 length;
//! - every diagnostic has a code, a message and a JSON pointer (`""` or starting with `/`);
//! - a valid policy's canonical JSON reads back to the same rules.
//!
//! Bytes that are not UTF-8 are read lossily.
#![no_main]

use imgrepl::{Policy, Span};
use libfuzzer_sys::fuzz_target;

fn check_span(input: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= input.len(),
        "{what} {span:?} in {} bytes",
        input.len()
    );
    assert!(
        input.is_char_boundary(span.start) && input.is_char_boundary(span.end),
        "{what} {span:?}"
    );
    let utf16 = span.to_utf16(input);
    let utf16_len = input.encode_utf16().count();
    assert!(
        utf16.start <= utf16.end && utf16.end <= utf16_len,
        "{what} {span:?} → {utf16:?}"
    );
}

fn check(input: &str) {
    let validation = Policy::validate(input);
    let errors = validation
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .count();
    assert_eq!(
        validation.policy.is_some(),
        errors == 0,
        "{input:?}: {:?}",
        validation.diagnostics
    );
    for d in &validation.diagnostics {
        check_span(input, d.span(), "span");
        if let Some(related) = d.related() {
            check_span(input, related, "related");
        }
        assert!(!d.code().as_str().is_empty() && !d.message().is_empty());
        assert!(
            d.pointer().is_empty() || d.pointer().starts_with('/'),
            "{:?}",
            d.pointer()
        );
        if let Some(rule) = d.rule() {
            let own = format!("/{rule}");
            assert!(
                d.pointer() == own || d.pointer().starts_with(&format!("{own}/")),
                "rule {rule}, pointer {:?}",
                d.pointer()
            );
        }
        assert!(!d.to_string().is_empty());
    }
    match Policy::from_json(input) {
        Ok(policy) => {
            let validated = validation.policy.expect("validate gave a policy");
            assert_eq!(policy.rules(), validated.rules());
            let again = Policy::from_json(&policy.to_json())
                .unwrap_or_else(|e| panic!("canonical JSON {:?} fails: {e}", policy.to_json()));
            assert_eq!(again.rules(), policy.rules());
        }
        Err(e) => {
            assert!(validation.policy.is_none());
            assert_eq!(e.diagnostics(), &validation.diagnostics[..]);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(input) => check(input),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
