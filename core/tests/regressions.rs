//! Inputs found by fuzzing (`fuzz/`, `cargo xtask fuzz`), each a named test.
//!
//! A crash or a broken property found by a fuzz target is reproduced here with the input the
//! fuzzer found (minimized), so that it stays fixed without a fuzzer. Findings that turned out
//! to be the reference implementation's behaviour, not a bug, are kept too, with the reason the
//! fuzz target's oracle makes an exception for them.

use imgrepl::Reference;

/// `reference` target: the familiar form does not always normalize back to the same reference.
/// `docker.io/a.io/x` is familiar `a.io/x`, whose first component then reads as a registry; the
/// reference implementation's `FamiliarString` behaves the same way.
#[test]
fn familiar_form_of_a_dotted_docker_hub_namespace_is_not_a_round_trip() {
    let input = "docker.io/bitnamocker.io/i/redis:7.2";
    let n = Reference::parse_normalized(input).unwrap();
    assert_eq!(n.as_str(), input);
    assert_eq!(n.domain(), Some("docker.io"));
    assert_eq!(n.familiar(), "bitnamocker.io/i/redis:7.2");
    let again = Reference::parse_normalized(n.familiar()).unwrap();
    assert_eq!(again.domain(), Some("bitnamocker.io"));
    // The normalized view itself is stable.
    assert_eq!(
        Reference::parse_normalized(n.as_str()).unwrap().as_str(),
        input
    );
}

/// `reference` target: a Docker Hub name that is 64 hex digits is valid written out in full,
/// but its familiar form is refused as input (`hex-name`), as the reference implementation does.
#[test]
fn familiar_form_of_a_64_hex_name_is_refused() {
    let hex = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
    let input = format!("docker.io/{hex}");
    let n = Reference::parse_normalized(&input).unwrap();
    assert_eq!(n.familiar(), hex);
    let err = Reference::parse_normalized(n.familiar()).unwrap_err();
    assert_eq!(err.code(), "hex-name");
    assert_eq!(err.offset(), 0);
}
