//! Table tests of the reference grammar (docs/DESIGN.md §1): every rule and every limit on both
//! sides, in the as-written view, the normalized view, the familiar form and `ParseDockerRef`.
//!
//! Errors are asserted as their whole Display, `"{kind}: {reason} at byte {offset}"`, so the
//! offset (where the input stopped being valid, or what the kind points at) and the reason are
//! part of the contract.

use imgrepl::{ParseErrorKind, Reference, ReferenceBuf};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The parts of a valid reference as written.
struct Want<'a> {
    domain: Option<&'a str>,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

const fn parts<'a>(
    domain: Option<&'a str>,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
) -> Want<'a> {
    Want {
        domain,
        path,
        tag,
        digest,
    }
}

/// `input` parses as written into `want`, and Display composes it back.
#[track_caller]
fn ok(input: &str, want: &Want) {
    let r = Reference::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    assert_eq!(r.domain(), want.domain, "domain of {input:?}");
    assert_eq!(r.path(), want.path, "path of {input:?}");
    assert_eq!(r.tag(), want.tag, "tag of {input:?}");
    assert_eq!(r.digest(), want.digest, "digest of {input:?}");
    let name = match want.domain {
        Some(d) => format!("{d}/{}", want.path),
        None => want.path.to_owned(),
    };
    assert_eq!(r.name(), name, "name of {input:?}");
    assert_eq!(r.as_str(), input);
    assert_eq!(r.to_string(), input, "Display of {input:?}");
    assert_eq!(format!("{}{}", r.name(), r.suffix()), input);
}

/// `input` parses as written with no domain, tag or digest: the path is the input.
#[track_caller]
fn ok_path(input: &str) {
    ok(input, &parts(None, input, None, None));
}

/// `input` is rejected as written with exactly this Display.
#[track_caller]
fn err(input: &str, display: &str) {
    match Reference::parse(input) {
        Ok(r) => panic!("{input:?} parsed as {r:?}, want {display:?}"),
        Err(e) => {
            assert_eq!(e.to_string(), display, "error of {input:?}");
            assert!(e.offset() <= input.len() && input.is_char_boundary(e.offset()));
        }
    }
}

/// `input` normalizes to `normalized`, whose familiar form is `familiar`.
#[track_caller]
fn norm(input: &str, normalized: &str, familiar: &str) {
    let n = Reference::parse_normalized(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    assert_eq!(n.as_str(), normalized, "normalized {input:?}");
    assert_eq!(n.to_string(), normalized);
    assert_eq!(n.familiar(), familiar, "familiar form of {input:?}");
    // The normalized string is a fixed point.
    let again = Reference::parse_normalized(n.as_str()).unwrap();
    assert_eq!(
        again.as_str(),
        normalized,
        "normalizing {normalized:?} again"
    );
}

/// `input` is rejected in the normalized view (and so by `ParseDockerRef`) with this Display.
#[track_caller]
fn norm_err(input: &str, display: &str) {
    match Reference::parse_normalized(input) {
        Ok(n) => panic!("{input:?} normalized to {:?}, want {display:?}", n.as_str()),
        Err(e) => {
            assert_eq!(e.to_string(), display, "normalized error of {input:?}");
            assert!(e.offset() <= input.len() && input.is_char_boundary(e.offset()));
        }
    }
    let e = Reference::parse_docker_ref(input).unwrap_err();
    assert_eq!(e.to_string(), display, "docker ref error of {input:?}");
}

/// `ParseDockerRef` of `input`.
#[track_caller]
fn docker_ref(input: &str, want: &str) {
    let d = Reference::parse_docker_ref(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    assert_eq!(d.as_str(), want, "docker ref of {input:?}");
}

fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

const H64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// Kind prefixes of the Display, to keep the tables readable.
const INVALID: &str = "invalid reference format";
const UPPER: &str = "repository name must be lowercase";
const LONG: &str = "repository name must not be more than 255 characters";

// ---------------------------------------------------------------------------------------------
// Path components and separators
// ---------------------------------------------------------------------------------------------

#[test]
fn path_components_and_separators() {
    for input in [
        "a",
        "0",
        "nginx",
        "a0b1",
        "a.b",
        "a_b",
        "a__b",
        "a-b",
        "a--b",
        "a---b",
        "a.b_c__d-e---f",
        "0.0",
        "a.b.c",
        "foo_bar",
    ] {
        ok_path(input);
    }
    let sep = "a separator must be followed by a lowercase letter or digit";
    let start = "a path component must start with a lowercase letter or digit";
    err("a.", &format!("{INVALID}: {sep} at byte 2"));
    err("a_", &format!("{INVALID}: {sep} at byte 2"));
    err("a__", &format!("{INVALID}: {sep} at byte 3"));
    err("a-", &format!("{INVALID}: {sep} at byte 2"));
    err("a---", &format!("{INVALID}: {sep} at byte 4"));
    err("a___b", &format!("{INVALID}: {sep} at byte 3"));
    err("a..b", &format!("{INVALID}: {sep} at byte 2"));
    err("a._b", &format!("{INVALID}: {sep} at byte 2"));
    err("a_.b", &format!("{INVALID}: {sep} at byte 2"));
    err("a-.b", &format!("{INVALID}: {sep} at byte 2"));
    err("a.-b", &format!("{INVALID}: {sep} at byte 2"));
    err("a__-b", &format!("{INVALID}: {sep} at byte 3"));
    err("a-_b", &format!("{INVALID}: {sep} at byte 2"));
    err("-a", &format!("{INVALID}: {start} at byte 0"));
    err(".a", &format!("{INVALID}: {start} at byte 0"));
    err("_a", &format!("{INVALID}: {start} at byte 0"));
    err("a/_b", &format!("{INVALID}: {start} at byte 2"));
    err(
        "a+b",
        &format!("{INVALID}: character not allowed in repository path at byte 1"),
    );
    err(
        "a/b%c",
        &format!("{INVALID}: character not allowed in repository path at byte 3"),
    );
}

#[test]
fn remote_names() {
    ok("a/b", &parts(Some("a"), "b", None, None));
    ok("a/b/c/d", &parts(Some("a"), "b/c/d", None, None));
    // The first component is a domain only where the domain grammar allows it.
    ok_path("a_b/c");
    ok_path("a__b/c/d");
    ok_path("a.b_c/d");
    ok("a-b/c", &parts(Some("a-b"), "c", None, None));
    ok("a--b.c/d", &parts(Some("a--b.c"), "d", None, None));
    let empty = "empty path component";
    err("/", &format!("{INVALID}: {empty} at byte 0"));
    err("/a", &format!("{INVALID}: {empty} at byte 0"));
    err("a/", &format!("{INVALID}: {empty} at byte 2"));
    err("a//b", &format!("{INVALID}: {empty} at byte 2"));
    err("a/b/", &format!("{INVALID}: {empty} at byte 4"));
    err("a/:t", &format!("{INVALID}: {empty} at byte 2"));
    err("a/@sha256:{H64}", &format!("{INVALID}: {empty} at byte 2"));
    err(":t", &format!("{INVALID}: {empty} at byte 0"));
    err(
        &format!("@sha256:{H64}"),
        &format!("{INVALID}: {empty} at byte 0"),
    );
}

// ---------------------------------------------------------------------------------------------
// Domains: labels, IPv6, ports
// ---------------------------------------------------------------------------------------------

#[test]
fn domain_labels() {
    for (input, domain, path) in [
        ("example.com/app", "example.com", "app"),
        ("a/b", "a", "b"),
        ("A/b", "A", "b"),
        ("Example.COM/app", "Example.COM", "app"),
        ("x-y.example-1.io/a/b", "x-y.example-1.io", "a/b"),
        ("1.2.3.4/app", "1.2.3.4", "app"),
        ("999.999.999.999/app", "999.999.999.999", "app"),
        ("xn--bcher-kva.example/app", "xn--bcher-kva.example", "app"),
        ("localhost/app", "localhost", "app"),
        ("a---b/c", "a---b", "c"),
        ("0/a", "0", "a"),
    ] {
        ok(input, &parts(Some(domain), path, None, None));
    }
    err(
        "-a.b/c",
        &format!("{INVALID}: a host name label cannot start with '-' at byte 0"),
    );
    err(
        "a.-b/c",
        &format!("{INVALID}: a host name label cannot start with '-' at byte 2"),
    );
    err(
        "a-.b/c",
        &format!("{INVALID}: a host name label cannot end with '-' at byte 2"),
    );
    err(
        "a.b-/c",
        &format!("{INVALID}: a host name label cannot end with '-' at byte 4"),
    );
    err(
        "a..b/c",
        &format!("{INVALID}: expected a letter or digit in the registry host name at byte 2"),
    );
    err(
        "a./c",
        &format!("{INVALID}: expected a letter or digit in the registry host name at byte 2"),
    );
    err(
        "Ab+c/d",
        &format!("{INVALID}: character not allowed in a registry host name at byte 2"),
    );
    // A component that does not look like a host gets the path's reason.
    err(
        "a-/b",
        &format!(
            "{INVALID}: a separator must be followed by a lowercase letter or digit at byte 2"
        ),
    );
}

#[test]
fn domain_ipv6() {
    for (input, domain) in [
        ("[::1]/a", "[::1]"),
        ("[::]/a", "[::]"),
        ("[2001:db8::1]/a", "[2001:db8::1]"),
        ("[2001:DB8:0:0:0:0:0:1]/a", "[2001:DB8:0:0:0:0:0:1]"),
        ("[abcd]/a", "[abcd]"),
        ("[:]/a", "[:]"),
        ("[::1]:5000/a", "[::1]:5000"),
        ("[fe80::1]:0/a", "[fe80::1]:0"),
    ] {
        ok(input, &parts(Some(domain), "a", None, None));
    }
    ok(
        "[::1]:5000/a:t",
        &parts(Some("[::1]:5000"), "a", Some("t"), None),
    );
    err(
        "[]/a",
        &format!("{INVALID}: expected hex digits or ':' in a bracketed IPv6 host at byte 1"),
    );
    err(
        "[::g]/a",
        &format!("{INVALID}: character not allowed in a bracketed IPv6 host at byte 3"),
    );
    err(
        "[::1/a",
        &format!("{INVALID}: character not allowed in a bracketed IPv6 host at byte 4"),
    );
    err(
        "[fe80::1%eth0]/a",
        &format!("{INVALID}: character not allowed in a bracketed IPv6 host at byte 8"),
    );
    err(
        "[::1",
        &format!("{INVALID}: expected ']' to close the IPv6 host at byte 4"),
    );
    err(
        "[::1]",
        &format!("{INVALID}: expected '/' after the registry host at byte 5"),
    );
    err(
        "[::1]a/b",
        &format!("{INVALID}: expected '/' after the registry host at byte 5"),
    );
    err(
        "[::1]:/a",
        &format!("{INVALID}: a port must be digits at byte 6"),
    );
    err(
        "[::1]:5000",
        &format!("{INVALID}: expected '/' after the registry host at byte 10"),
    );
}

#[test]
fn domain_ports() {
    for (input, domain) in [
        ("localhost:5000/a", "localhost:5000"),
        ("a:0/a", "a:0"),
        ("a.b:65535/a", "a.b:65535"),
        // Any number of digits: no range check.
        ("a.b:99999999999/a", "a.b:99999999999"),
        ("a.b:007/a", "a.b:007"),
        ("A:1/a", "A:1"),
    ] {
        ok(input, &parts(Some(domain), "a", None, None));
    }
    err(
        "localhost:/a",
        &format!("{INVALID}: a port must be digits at byte 10"),
    );
    // `a.b:x` is a name and a tag, which goes further than a host with a port.
    err(
        "a.b:x/c",
        &format!("{INVALID}: '/' after the tag at byte 5"),
    );
    err(
        "https://github.com/docker/docker",
        &format!("{INVALID}: a port must be digits at byte 6"),
    );
    // `a:5000x` is a name and a tag; the tag cannot go on with '/'.
    err(
        "a:5000x/b",
        &format!("{INVALID}: '/' after the tag at byte 7"),
    );
    err(
        "a:1:2/b",
        &format!("{INVALID}: a second ':' after the tag at byte 3"),
    );
}

// ---------------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------------

#[test]
fn tags() {
    for tag in [
        "latest",
        "1",
        "_",
        "A",
        "v1.2.3-rc.1_x",
        "_.-",
        "0--",
        "UPPER",
    ] {
        ok(
            &format!("nginx:{tag}"),
            &parts(None, "nginx", Some(tag), None),
        );
    }
    let t127 = rep("t", 127);
    let t128 = rep("t", 128);
    ok(&format!("a:{t127}"), &parts(None, "a", Some(&t127), None));
    ok(&format!("a:{t128}"), &parts(None, "a", Some(&t128), None));
    ok(
        &format!("a/b:{t128}@sha256:{H64}"),
        &parts(Some("a"), "b", Some(&t128), Some(&format!("sha256:{H64}"))),
    );
    err(
        &format!("a:{t128}t"),
        &format!("{INVALID}: tag longer than 128 characters at byte 130"),
    );
    err(
        &format!("a:{t128}-x"),
        &format!("{INVALID}: tag longer than 128 characters at byte 130"),
    );
    err("a:", &format!("{INVALID}: empty tag after ':' at byte 2"));
    err(
        "a:-x",
        &format!("{INVALID}: a tag must start with a letter, digit or '_' at byte 2"),
    );
    err(
        "a:.x",
        &format!("{INVALID}: a tag must start with a letter, digit or '_' at byte 2"),
    );
    err(
        "a:b:c",
        &format!("{INVALID}: a second ':' after the tag at byte 3"),
    );
    err(
        "a/b:c/d",
        &format!("{INVALID}: '/' after the tag at byte 5"),
    );
    err(
        "a:b+c",
        &format!("{INVALID}: character not allowed in a tag at byte 3"),
    );
}

// ---------------------------------------------------------------------------------------------
// Digests: the grammar, then the registries' check
// ---------------------------------------------------------------------------------------------

#[test]
fn digest_grammar() {
    let h32 = rep("a", 32);
    let h31 = rep("a", 31);
    for alg in [
        "md5",
        "a",
        "a.b",
        "a+b",
        "a_b",
        "a-b",
        "a1.b2+c3_d4-e5",
        "sha256+b64u",
    ] {
        err(
            &format!("x@{alg}:{h32}"),
            "unsupported digest algorithm: digest algorithm is not sha256, sha384 or sha512 at byte 2",
        );
    }
    err(
        &format!("x@md5:{h31}"),
        &format!("{INVALID}: a digest needs at least 32 hex digits at byte 37"),
    );
    err(
        &format!("x@md5:{h31}g"),
        &format!("{INVALID}: a digest needs at least 32 hex digits at byte 37"),
    );
    err(
        "x@",
        &format!("{INVALID}: empty digest after '@' at byte 2"),
    );
    err(
        &format!("x@1a:{h32}"),
        &format!("{INVALID}: a digest algorithm must start with a letter at byte 2"),
    );
    err(
        &format!("x@sha3-256:{h32}"),
        &format!(
            "{INVALID}: a separator in a digest algorithm must be followed by a letter at byte 7"
        ),
    );
    err(
        &format!("x@a..b:{h32}"),
        &format!(
            "{INVALID}: a separator in a digest algorithm must be followed by a letter at byte 4"
        ),
    );
    err(
        "x@sha256",
        &format!("{INVALID}: expected ':' after the digest algorithm at byte 8"),
    );
    err(
        "x@sha256=abc",
        &format!("{INVALID}: expected ':' after the digest algorithm at byte 8"),
    );
    err(
        "x@sha256:",
        &format!("{INVALID}: a digest needs at least 32 hex digits at byte 9"),
    );
    err(
        &format!("x@sha256:{H64}x"),
        &format!("{INVALID}: non-hex character in the digest at byte 73"),
    );
    err(
        &format!("x@sha256:{H64}:"),
        &format!("{INVALID}: unexpected character after the digest at byte 73"),
    );
    err(
        &format!("x@sha256:{H64}@sha256:{H64}"),
        &format!("{INVALID}: a second '@' at byte 73"),
    );
    err(
        &format!("x@sha256:{H64}:t"),
        &format!("{INVALID}: unexpected character after the digest at byte 73"),
    );
}

#[test]
fn digest_algorithms_and_lengths() {
    for (alg, n) in [("sha256", 64), ("sha384", 96), ("sha512", 128)] {
        let hex = rep("0123456789abcdef", 8);
        let good = format!("{alg}:{}", &hex[..n]);
        ok(
            &format!("x@{good}"),
            &parts(None, "x", None, Some(good.as_str())),
        );
        let hex_at = 2 + alg.len() + 1;
        for len in [n - 1, n + 1, 32, 200] {
            err(
                &format!("x@{alg}:{}", rep("a", len)),
                &format!(
                    "invalid checksum digest length: a {alg} digest has exactly {n} hex digits at byte {hex_at}"
                ),
            );
        }
        // Uppercase hex digits pass the grammar ([[:xdigit:]]) but not the registries' check.
        let upper = format!("x@{alg}:{}B{}", rep("a", 10), rep("a", n - 11));
        err(
            &upper,
            &format!(
                "invalid checksum digest format: uppercase hex digit in digest at byte {}",
                hex_at + 10
            ),
        );
        // The length is checked before the hex digits.
        err(
            &format!("x@{alg}:{}", rep("A", n + 1)),
            &format!(
                "invalid checksum digest length: a {alg} digest has exactly {n} hex digits at byte {hex_at}"
            ),
        );
        let upper_alg = alg.to_uppercase();
        err(
            &format!("x@{upper_alg}:{}", &hex[..n]),
            "invalid checksum digest format: uppercase letter in digest algorithm at byte 2",
        );
    }
    err(
        &format!("x@sHa256:{H64}"),
        "invalid checksum digest format: uppercase letter in digest algorithm at byte 3",
    );
    err(
        &format!("x@Md5:{}", rep("a", 32)),
        "invalid checksum digest format: uppercase letter in digest algorithm at byte 2",
    );
    // The length limit is checked before the digest.
    err(
        &format!("{}@md5:{}", rep("a", 256), rep("a", 32)),
        &format!("{LONG}: repository path longer than 255 bytes at byte 255"),
    );
}

// ---------------------------------------------------------------------------------------------
// The path length limit: the path only, 255 bytes
// ---------------------------------------------------------------------------------------------

#[test]
fn path_length_limit() {
    let too_long = "repository path longer than 255 bytes";
    for n in [254, 255] {
        ok_path(&rep("a", n));
        let p = rep("a", n);
        ok(&format!("x.io/{p}"), &parts(Some("x.io"), &p, None, None));
        ok(
            &format!("localhost:5000/{p}:t"),
            &parts(Some("localhost:5000"), &p, Some("t"), None),
        );
        // Two components: 127 + '/' + the rest.
        let two = format!("{}/{}", rep("b", 127), rep("c", n - 128));
        ok(
            &format!("x.io/{two}"),
            &parts(Some("x.io"), &two, None, None),
        );
    }
    err(&rep("a", 256), &format!("{LONG}: {too_long} at byte 255"));
    err(
        &format!("x.io/{}", rep("a", 256)),
        &format!("{LONG}: {too_long} at byte 260"),
    );
    err(
        &format!("[::1]:5000/{}:t", rep("a", 300)),
        &format!("{LONG}: {too_long} at byte 266"),
    );
    // Without a domain, the first component is part of the path.
    err(
        &format!("a_b/{}", rep("a", 252)),
        &format!("{LONG}: {too_long} at byte 255"),
    );
    ok(
        &format!("a_b/{}", rep("a", 251)),
        &parts(None, &format!("a_b/{}", rep("a", 251)), None, None),
    );
    // The domain is not counted: a name of 300 bytes is fine.
    let host = rep("h", 60);
    ok(
        &format!("{host}/{}", rep("a", 255)),
        &parts(Some(&host), &rep("a", 255), None, None),
    );
    // Uppercase is found before the length.
    err(
        &format!("A{}", rep("a", 300)),
        &format!("{UPPER}: uppercase letter in repository path at byte 0"),
    );
}

// ---------------------------------------------------------------------------------------------
// Uppercase, non-ASCII, white space, line breaks, empty input
// ---------------------------------------------------------------------------------------------

#[test]
fn uppercase() {
    let path = "uppercase letter in repository path";
    err("Nginx", &format!("{UPPER}: {path} at byte 0"));
    err("nginX", &format!("{UPPER}: {path} at byte 4"));
    err("registry/Team/app", &format!("{UPPER}: {path} at byte 9"));
    err("REGISTRY/team/App", &format!("{UPPER}: {path} at byte 14"));
    err("A/b/C", &format!("{UPPER}: {path} at byte 4"));
    err("a_B/c", &format!("{UPPER}: {path} at byte 2"));
    err("a.b:1/c-D:T", &format!("{UPPER}: {path} at byte 8"));
    err(
        &format!("Nginx:TAG@sha256:{H64}"),
        &format!("{UPPER}: {path} at byte 0"),
    );
    // Uppercase is fine in the domain, the tag and the digest (the digest check comes later).
    ok("A.B/c:D", &parts(Some("A.B"), "c", Some("D"), None));
    // The input is invalid even in lowercase: the kind is invalid-format, at the furthest byte.
    err("a/B\n", &format!("{INVALID}: {path} at byte 2"));
    err(
        "A b",
        &format!("{INVALID}: white space in the reference at byte 1"),
    );
    // KELVIN SIGN and LATIN CAPITAL LETTER I WITH DOT ABOVE lowercase to ASCII (Go's simple
    // case mapping), so the lowercase input matches.
    let ascii = "non-ASCII letter whose lowercase is ASCII";
    err("a\u{212A}", &format!("{UPPER}: {ascii} at byte 1"));
    err("\u{130}mage", &format!("{UPPER}: {ascii} at byte 0"));
    err("a:\u{212A}", &format!("{UPPER}: {ascii} at byte 2"));
    err(
        "\u{212A}8s.io/pause",
        &format!("{UPPER}: {ascii} at byte 0"),
    );
    // `aB` is a domain (uppercase is fine there); the path's KELVIN SIGN is the culprit.
    err("aB/\u{212A}", &format!("{UPPER}: {ascii} at byte 3"));
    err("aB_c/\u{212A}", &format!("{UPPER}: {path} at byte 1"));
    err(
        "a@sha256:\u{212A}",
        &format!("{INVALID}: non-ASCII character in the reference at byte 9"),
    );
}

#[test]
fn bytes_no_reference_contains() {
    err(
        "nginx:latest\n",
        &format!("{INVALID}: line break after the reference at byte 12"),
    );
    err(
        "nginx\r\n",
        &format!("{INVALID}: line break after the reference at byte 5"),
    );
    err(
        "a\nb",
        &format!("{INVALID}: line break in the reference at byte 1"),
    );
    err(
        "\n",
        &format!("{INVALID}: line break after the reference at byte 0"),
    );
    err(
        " a",
        &format!("{INVALID}: white space in the reference at byte 0"),
    );
    err(
        "a ",
        &format!("{INVALID}: white space in the reference at byte 1"),
    );
    err(
        "a\tb",
        &format!("{INVALID}: white space in the reference at byte 1"),
    );
    err(
        "nginx:1 ",
        &format!("{INVALID}: white space in the reference at byte 7"),
    );
    err(
        "a\0",
        &format!("{INVALID}: control character in the reference at byte 1"),
    );
    err(
        "é",
        &format!("{INVALID}: non-ASCII character in the reference at byte 0"),
    );
    err(
        "a/b/é",
        &format!("{INVALID}: non-ASCII character in the reference at byte 4"),
    );
    err(
        "a:é",
        &format!("{INVALID}: non-ASCII character in the reference at byte 2"),
    );
    err(
        "a\u{a0}",
        &format!("{INVALID}: non-ASCII character in the reference at byte 1"),
    );
    err(
        "a.b\u{212B}/c",
        &format!("{INVALID}: non-ASCII character in the reference at byte 3"),
    );
}

#[test]
fn empty_input() {
    err(
        "",
        "repository name must have at least one component: empty reference at byte 0",
    );
    norm_err("", &format!("{INVALID}: empty reference at byte 0"));
}

// ---------------------------------------------------------------------------------------------
// The normalized view, the familiar form and ParseDockerRef
// ---------------------------------------------------------------------------------------------

#[test]
fn normalized_view() {
    for (input, normalized, familiar) in [
        ("nginx", "docker.io/library/nginx", "nginx"),
        ("nginx:1.27", "docker.io/library/nginx:1.27", "nginx:1.27"),
        ("library/nginx", "docker.io/library/nginx", "nginx"),
        ("docker.io/nginx", "docker.io/library/nginx", "nginx"),
        (
            "docker.io/library/nginx",
            "docker.io/library/nginx",
            "nginx",
        ),
        ("index.docker.io/nginx", "docker.io/library/nginx", "nginx"),
        (
            "index.docker.io/team/app:2",
            "docker.io/team/app:2",
            "team/app:2",
        ),
        ("docker/docker", "docker.io/docker/docker", "docker/docker"),
        ("docker.io/x", "docker.io/library/x", "x"),
        // Nested paths under library/ keep their prefix in the familiar form.
        ("library/a/b", "docker.io/library/a/b", "library/a/b"),
        ("foo_bar/baz", "docker.io/foo_bar/baz", "foo_bar/baz"),
        ("localhost/app", "localhost/app", "localhost/app"),
        (
            "localhost:5000/app",
            "localhost:5000/app",
            "localhost:5000/app",
        ),
        // `localhost` with no '/' is an image name, not a registry.
        ("localhost", "docker.io/library/localhost", "localhost"),
        (
            "localhost:5000",
            "docker.io/library/localhost:5000",
            "localhost:5000",
        ),
        ("quay.io/team/app", "quay.io/team/app", "quay.io/team/app"),
        ("quay.io/app", "quay.io/app", "quay.io/app"),
        ("docker.io:443/x", "docker.io:443/x", "docker.io:443/x"),
        ("[::1]/a", "[::1]/a", "[::1]/a"),
        ("Foo/bar", "Foo/bar", "Foo/bar"),
        ("DOCKER.IO/x", "DOCKER.IO/x", "DOCKER.IO/x"),
        ("a.b", "docker.io/library/a.b", "a.b"),
        (
            &format!("nginx@sha256:{H64}"),
            &format!("docker.io/library/nginx@sha256:{H64}"),
            &format!("nginx@sha256:{H64}"),
        ),
        // A 64-hex name with a tag is a name.
        (
            &format!("{H64}:t"),
            &format!("docker.io/library/{H64}:t"),
            &format!("{H64}:t"),
        ),
    ] {
        norm(input, normalized, familiar);
    }
    // A first component with '.' that the domain grammar refuses is kept as a path.
    let n = Reference::parse_normalized("a_b.c/app").unwrap();
    assert_eq!(
        (n.domain(), n.path(), n.name(), n.familiar_name()),
        (None, "a_b.c/app", "a_b.c/app", "a_b.c/app")
    );
    let input = format!("library/nginx:1@sha256:{H64}");
    let n = Reference::parse_normalized(&input).unwrap();
    assert_eq!(n.domain(), Some("docker.io"));
    assert_eq!(n.path(), "library/nginx");
    assert_eq!(n.name(), "docker.io/library/nginx");
    assert_eq!(n.tag(), Some("1"));
    assert_eq!(n.digest(), Some(format!("sha256:{H64}").as_str()));
    assert_eq!(n.familiar_name(), "nginx");
}

#[test]
fn normalized_errors() {
    let path = "uppercase letter in repository path";
    norm_err("Nginx", &format!("{UPPER}: {path} at byte 0"));
    norm_err("foo/Bar", &format!("{UPPER}: {path} at byte 4"));
    norm_err("Foo/FarB", &format!("{UPPER}: {path} at byte 4"));
    norm_err(
        "index.docker.io/Foo",
        &format!("{UPPER}: {path} at byte 16"),
    );
    norm_err(
        "docker.io/foo/b\u{c9}",
        &format!("{UPPER}: {path} at byte 15"),
    );
    norm_err("a\u{212A}", &format!("{UPPER}: {path} at byte 1"));
    // Everything up to the first ':' is checked, so a digest algorithm is too.
    norm_err(
        &format!("nginx@SHA256:{H64}"),
        &format!(
            "{UPPER}: uppercase letter in the digest algorithm, read as part of the repository name at byte 6"
        ),
    );
    norm_err(
        H64,
        "cannot specify 64-byte hexadecimal strings: a 64-hex-digit identifier cannot be used as a name at byte 0",
    );
    // Offsets are in the input, not in the normalized string.
    norm_err(
        "nginx ",
        &format!("{INVALID}: white space in the reference at byte 5"),
    );
    norm_err("a/b:", &format!("{INVALID}: empty tag after ':' at byte 4"));
    norm_err(
        "[]/a",
        &format!("{INVALID}: character not allowed in repository path at byte 0"),
    );
    norm_err(
        &format!("nginx@sha256:{}", rep("a", 63)),
        "invalid checksum digest length: a sha256 digest has exactly 64 hex digits at byte 13",
    );
    norm_err(
        &format!("x.io/a@md5:{}", rep("a", 32)),
        "unsupported digest algorithm: digest algorithm is not sha256, sha384 or sha512 at byte 7",
    );
    // As written, the uppercase algorithm is a digest error; normalized, a name error.
    err(
        &format!("nginx@SHA256:{H64}"),
        "invalid checksum digest format: uppercase letter in digest algorithm at byte 6",
    );
}

#[test]
fn normalized_hex_names() {
    let hex = "cannot specify 64-byte hexadecimal strings: a 64-hex-digit identifier cannot be used as a name at byte 0";
    norm_err(H64, hex);
    // As written it is a plain name.
    ok_path(H64);
    // 63 or 65 digits, uppercase, a prefix or a line break: not the identifier.
    norm(
        &H64[..63],
        &format!("docker.io/library/{}", &H64[..63]),
        &H64[..63],
    );
    norm(
        &format!("{H64}0"),
        &format!("docker.io/library/{H64}0"),
        &format!("{H64}0"),
    );
    norm(
        &format!("library/{H64}"),
        &format!("docker.io/library/{H64}"),
        H64,
    );
    norm_err(
        &H64.to_uppercase(),
        &format!("{UPPER}: uppercase letter in repository path at byte 10"),
    );
    norm_err(
        &format!("{H64}\n"),
        &format!("{INVALID}: line break after the reference at byte 64"),
    );
}

#[test]
fn normalized_path_length() {
    let added = "repository path longer than 255 bytes once \"library/\" is added";
    // A single component gets `library/`: 247 bytes is the longest that stays within 255.
    norm(
        &rep("a", 247),
        &format!("docker.io/library/{}", rep("a", 247)),
        &rep("a", 247),
    );
    ok_path(&rep("a", 248));
    norm_err(&rep("a", 248), &format!("{LONG}: {added} at byte 247"));
    norm_err(
        &format!("{}:t", rep("a", 250)),
        &format!("{LONG}: {added} at byte 247"),
    );
    norm_err(
        &format!("docker.io/{}", rep("a", 248)),
        &format!("{LONG}: {added} at byte 257"),
    );
    norm_err(
        &format!("index.docker.io/{}", rep("a", 248)),
        &format!("{LONG}: {added} at byte 263"),
    );
    // Two components: nothing is added.
    let two = format!("{}/{}", rep("a", 100), rep("b", 154));
    norm(&two, &format!("docker.io/{two}"), &two);
    norm_err(
        &format!("{two}b"),
        &format!("{LONG}: repository path longer than 255 bytes at byte 255"),
    );
    norm_err(
        &format!("index.docker.io/{two}b"),
        &format!("{LONG}: repository path longer than 255 bytes at byte 271"),
    );
    // A registry that is not Docker Hub adds nothing.
    norm(
        &format!("x.io/{}", rep("a", 255)),
        &format!("x.io/{}", rep("a", 255)),
        &format!("x.io/{}", rep("a", 255)),
    );
}

#[test]
fn docker_refs() {
    docker_ref("nginx", "docker.io/library/nginx:latest");
    docker_ref("nginx:1", "docker.io/library/nginx:1");
    docker_ref("quay.io/a/b", "quay.io/a/b:latest");
    docker_ref(
        &format!("nginx@sha256:{H64}"),
        &format!("docker.io/library/nginx@sha256:{H64}"),
    );
    // Both: the tag is dropped.
    docker_ref(
        &format!("nginx:1@sha256:{H64}"),
        &format!("docker.io/library/nginx@sha256:{H64}"),
    );
    docker_ref(
        &format!("localhost:5000/a:t@sha256:{H64}"),
        &format!("localhost:5000/a@sha256:{H64}"),
    );
    let d = Reference::parse_docker_ref("nginx").unwrap();
    assert_eq!((d.tag(), d.digest()), (Some("latest"), None));
    assert_eq!(d.familiar(), "nginx:latest");
    let input = format!("nginx:1@sha256:{H64}");
    let d = Reference::parse_docker_ref(&input).unwrap();
    assert_eq!(d.tag(), None);
    assert_eq!(d.digest(), Some(format!("sha256:{H64}").as_str()));
    assert_eq!(d.name(), "docker.io/library/nginx");
    norm_err(
        "Nginx",
        &format!("{UPPER}: uppercase letter in repository path at byte 0"),
    );
}

// ---------------------------------------------------------------------------------------------
// Accessors, Display, owned references, serde, error kinds
// ---------------------------------------------------------------------------------------------

#[test]
fn accessors_and_display() {
    let input = format!("registry:5000/team/app:1.2@sha256:{H64}");
    let r = Reference::parse(&input).unwrap();
    assert_eq!(r.domain(), Some("registry:5000"));
    assert_eq!(r.path(), "team/app");
    assert_eq!(r.name(), "registry:5000/team/app");
    assert_eq!(r.tag(), Some("1.2"));
    assert_eq!(r.digest(), Some(format!("sha256:{H64}").as_str()));
    assert_eq!(r.suffix(), format!(":1.2@sha256:{H64}"));
    assert_eq!(r.to_string(), input);
    assert_eq!(
        format!("{r:?}"),
        format!(
            "Reference {{ domain: Some(\"registry:5000\"), path: \"team/app\", tag: Some(\"1.2\"), digest: Some(\"sha256:{H64}\") }}"
        )
    );
    let r = Reference::parse("nginx").unwrap();
    assert_eq!(
        (r.domain(), r.tag(), r.digest(), r.suffix()),
        (None, None, None, "")
    );
    // Display writes the parts: the domain's '/', the tag's ':' and the digest's '@' come back.
    for input in ["a/b:c".to_owned(), format!("[::1]:80/a@sha256:{H64}")] {
        let r = Reference::parse(&input).unwrap();
        assert_eq!(r.to_string(), input);
        assert_eq!(r.into_owned().to_string(), input);
    }
}

#[test]
fn owned_references() {
    let r: ReferenceBuf = "quay.io/team/app:1".parse().unwrap();
    assert_eq!(r.as_str(), "quay.io/team/app:1");
    assert_eq!(r.as_ref().domain(), Some("quay.io"));
    assert_eq!(r.as_ref().path(), "team/app");
    assert_eq!(r.to_string(), "quay.io/team/app:1");
    assert_eq!(
        format!("{r:?}"),
        "Reference { domain: Some(\"quay.io\"), path: \"team/app\", tag: Some(\"1\"), digest: None }"
    );
    assert_eq!(
        Reference::parse("quay.io/team/app:1").unwrap().into_owned(),
        r
    );
    let e = "Nginx".parse::<ReferenceBuf>().unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{UPPER}: uppercase letter in repository path at byte 0")
    );
    assert_eq!(e.kind(), ParseErrorKind::Uppercase);
    assert_eq!(e.code(), "uppercase");
    assert_eq!(e.offset(), 0);
    assert_eq!(e.reason(), "uppercase letter in repository path");
}

#[test]
fn owned_references_through_serde() {
    let r: ReferenceBuf = serde_json::from_str("\"nginx:1\"").unwrap();
    assert_eq!(r.as_ref().tag(), Some("1"));
    assert_eq!(serde_json::to_string(&r).unwrap(), "\"nginx:1\"");
    // An escaped string is deserialized into an owned string first.
    let r: ReferenceBuf = serde_json::from_str("\"ngin\\u0078:1\"").unwrap();
    assert_eq!(r.as_str(), "nginx:1");
    let v: Vec<ReferenceBuf> = serde_json::from_str("[\"a\", \"b/c\"]").unwrap();
    assert_eq!(v[1].as_ref().domain(), Some("b"));
    let e = serde_json::from_str::<ReferenceBuf>("\"a b\"").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{INVALID}: white space in the reference at byte 1")
    );
    assert!(serde_json::from_str::<ReferenceBuf>("3").is_err());
}

#[test]
fn error_kinds() {
    let table = [
        (
            ParseErrorKind::Empty,
            "empty",
            "repository name must have at least one component",
        ),
        (
            ParseErrorKind::InvalidFormat,
            "invalid-format",
            "invalid reference format",
        ),
        (
            ParseErrorKind::Uppercase,
            "uppercase",
            "repository name must be lowercase",
        ),
        (
            ParseErrorKind::NameTooLong,
            "name-too-long",
            "repository name must not be more than 255 characters",
        ),
        (
            ParseErrorKind::DigestUnsupported,
            "digest-unsupported",
            "unsupported digest algorithm",
        ),
        (
            ParseErrorKind::DigestLength,
            "digest-length",
            "invalid checksum digest length",
        ),
        (
            ParseErrorKind::DigestFormat,
            "digest-format",
            "invalid checksum digest format",
        ),
        (
            ParseErrorKind::HexName,
            "hex-name",
            "cannot specify 64-byte hexadecimal strings",
        ),
        (
            ParseErrorKind::TooLong,
            "image-too-long",
            "reference is too long",
        ),
    ];
    assert_eq!(table.len(), ParseErrorKind::ALL.len());
    for (kind, code, message) in table {
        assert_eq!(kind.code(), code);
        assert_eq!(kind.to_string(), message);
        assert_eq!(ParseErrorKind::from_code(code), Some(kind));
    }
    assert_eq!(ParseErrorKind::from_code("Uppercase"), None);
}

#[test]
fn input_past_the_limit_is_refused_in_every_view() {
    use imgrepl::MAX_IMAGE_BYTES;
    // The longest accepted input is parsed as usual; one byte more is refused before parsing.
    let at_limit = format!("{}/app", "a".repeat(MAX_IMAGE_BYTES - 4));
    assert_eq!(Reference::parse(&at_limit).unwrap().path(), "app");
    let past = format!("{at_limit}x");
    for err in [
        Reference::parse(&past).unwrap_err(),
        Reference::parse_normalized(&past).unwrap_err(),
        Reference::parse_docker_ref(&past).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ParseErrorKind::TooLong);
        assert_eq!(err.offset(), MAX_IMAGE_BYTES);
        assert_eq!(
            err.to_string(),
            "reference is too long: longer than 4096 bytes at byte 4096"
        );
    }
    // The offset is a char boundary even when the limit falls inside a character.
    let wide = format!("{}é", "a".repeat(MAX_IMAGE_BYTES - 1));
    assert_eq!(
        Reference::parse(&wide).unwrap_err().offset(),
        MAX_IMAGE_BYTES - 1
    );
    // Garbage past the limit gets the same answer as a near-valid reference.
    let junk = "!".repeat(10 * MAX_IMAGE_BYTES);
    assert_eq!(
        Reference::parse(&junk).unwrap_err().kind(),
        ParseErrorKind::TooLong
    );
}
