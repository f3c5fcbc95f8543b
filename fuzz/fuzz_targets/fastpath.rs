//! `fastpath`: any bytes → `Reference::parse` (fast path first) and the nom grammar alone give
//! the same answer: the same parts, or the same error kind, offset and reason; and whenever the
//! fast path alone is sure, the grammar accepts the input with the same parts; and
//! `parse_normalized` (which takes the fast path's parts when it is sure) gives what the general
//! reading of the normalized view gives.
//!
//! Bytes that are not UTF-8 are read lossily, so non-ASCII text reaches the parsers too.
#![no_main]

use imgrepl::Reference;
use imgrepl::reference::{
    parse_fast_path_only, parse_normalized_general, parse_without_fast_path,
};
use libfuzzer_sys::fuzz_target;

fn check(input: &str) {
    let reference = parse_without_fast_path(input);
    assert_eq!(Reference::parse(input), reference, "{input:?}");
    if let Some(fast) = parse_fast_path_only(input) {
        assert_eq!(Ok(fast), reference, "{input:?}");
    }
    assert_eq!(
        Reference::parse_normalized(input),
        parse_normalized_general(input),
        "{input:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(input) => check(input),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
