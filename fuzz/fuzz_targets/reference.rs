//! `reference`: any bytes → the reference parsers never panic, and every answer is consistent.
//!
//! - a valid reference's `Display` (composed from its parts) equals the input, and its parts
//!   put back together are the input;
//! - the owned twin parses to the same thing;
//! - the normalized view of a valid reference normalizes again to itself, and so does the
//!   docker-ref view;
//! - every error's offset is at most the input's length and on a `char` boundary.
//!
//! Bytes that are not UTF-8 are read lossily, so non-ASCII text reaches the parser too.
#![no_main]

use imgrepl::{ParseError, Reference, ReferenceBuf};
use libfuzzer_sys::fuzz_target;

fn check_error(input: &str, error: &ParseError) {
    assert!(error.offset() <= input.len(), "{input:?}: {error}");
    assert!(input.is_char_boundary(error.offset()), "{input:?}: {error}");
    assert!(!error.to_string().is_empty());
}

fn check(input: &str) {
    match Reference::parse(input) {
        Ok(r) => {
            assert_eq!(r.to_string(), input);
            assert_eq!(r.as_str(), input);
            let suffix = r.suffix();
            assert_eq!(format!("{}{suffix}", r.name()), input);
            let domain = r.domain().map_or(String::new(), |d| format!("{d}/"));
            assert_eq!(format!("{domain}{}", r.path()), r.name());
            assert!(r.path().len() <= 255, "{input:?}");
            let owned: ReferenceBuf = input.parse().expect("valid as written");
            assert_eq!(owned.as_ref(), r);
            assert_eq!(owned.to_string(), input);
        }
        Err(e) => {
            check_error(input, &e);
            assert!(input.parse::<ReferenceBuf>().is_err());
        }
    }
    match Reference::parse_normalized(input) {
        Ok(n) => {
            let again = Reference::parse_normalized(n.as_str())
                .unwrap_or_else(|e| panic!("{input:?} → {:?} fails: {e}", n.as_str()));
            assert_eq!(again.as_str(), n.as_str(), "{input:?}");
            // (The familiar form does not always normalize back, in the reference
            // implementation too: `docker.io/a.io/x` is familiar `a.io/x`, whose first
            // component is then a domain; and a 64-hex familiar name is refused as input.)
            let written = Reference::parse(n.as_str())
                .unwrap_or_else(|e| panic!("{input:?} → {:?} invalid as written: {e}", n.as_str()));
            assert_eq!(written.tag(), n.tag(), "{input:?}");
            assert_eq!(written.digest(), n.digest(), "{input:?}");
        }
        Err(e) => check_error(input, &e),
    }
    match Reference::parse_docker_ref(input) {
        Ok(d) => {
            let again = Reference::parse_docker_ref(d.as_str())
                .unwrap_or_else(|e| panic!("{input:?} → {:?} fails: {e}", d.as_str()));
            assert_eq!(again.as_str(), d.as_str(), "{input:?}");
            assert!(d.tag().is_some() != d.digest().is_some(), "{input:?}");
        }
        Err(e) => check_error(input, &e),
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(input) => check(input),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
