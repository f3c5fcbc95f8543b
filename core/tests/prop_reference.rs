//! Property tests of the reference grammar.
//!
//! - References generated from the grammar parse, Display gives the input back, and the
//!   accessors reassemble it.
//! - Any string: no panic in any view, and every error's offset is inside the input, on a char
//!   boundary, and points where its kind says.
//! - A valid prefix stays valid: inserting a byte into a valid reference gives an
//!   `invalid-format` error no earlier than the insertion.
//! - The normalized view is a fixed point, reads back as written with the same parts, and agrees
//!   with the as-written view where docs/DESIGN.md §1.3 says it must.

use imgrepl::{ParseError, ParseErrorKind, Reference};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Strategies: the grammar of docs/DESIGN.md §1.1
// ---------------------------------------------------------------------------------------------

fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(".".to_owned()),
        Just("_".to_owned()),
        Just("__".to_owned()),
        "-{1,3}",
    ]
}

fn path_component() -> impl Strategy<Value = String> {
    (
        "[a-z0-9]{1,6}",
        prop::collection::vec((separator(), "[a-z0-9]{1,6}"), 0..3),
    )
        .prop_map(|(first, rest)| {
            let mut s = first;
            for (sep, alnum) in rest {
                s.push_str(&sep);
                s.push_str(&alnum);
            }
            s
        })
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(path_component(), 1..5).prop_map(|c| c.join("/"))
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec("[a-zA-Z0-9]([a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?", 1..4)
            .prop_map(|labels| labels.join(".")),
        1 => "\\[[0-9a-fA-F:]{1,16}\\]",
        1 => Just("localhost".to_owned()),
    ]
}

fn domain() -> impl Strategy<Value = String> {
    (host(), prop::option::of("[0-9]{1,6}")).prop_map(|(host, port)| match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

fn tag() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}",
        1 => "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}",
    ]
}

fn digest() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{64}".prop_map(|h| format!("sha256:{h}")),
        "[0-9a-f]{96}".prop_map(|h| format!("sha384:{h}")),
        "[0-9a-f]{128}".prop_map(|h| format!("sha512:{h}")),
    ]
}

/// The parts of a valid reference, as generated.
#[derive(Debug, Clone)]
struct Gen {
    domain: Option<String>,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl Gen {
    fn text(&self) -> String {
        let mut s = String::new();
        if let Some(d) = &self.domain {
            s.push_str(d);
            s.push('/');
        }
        s.push_str(&self.path);
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

fn valid() -> impl Strategy<Value = Gen> {
    (
        prop::option::of(domain()),
        path(),
        prop::option::of(tag()),
        prop::option::of(digest()),
    )
        .prop_map(|(domain, path, tag, digest)| Gen {
            domain,
            path,
            tag,
            digest,
        })
        .prop_filter("the path is at most 255 bytes", |g| g.path.len() <= 255)
}

/// Strings near the grammar: its bytes, uppercase, white space, and the non-ASCII letters that
/// lowercase to ASCII.
fn near() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9./:@_\\-\\[\\] \n\u{212A}\u{130}\u{e9}]{0,40}"
}

/// Whether the first component, as written, is a domain: a path component with no `_` is one.
fn reads_as_domain(component: &str) -> bool {
    !component.contains('_')
}

// ---------------------------------------------------------------------------------------------
// Error invariants
// ---------------------------------------------------------------------------------------------

/// What every error must satisfy, whatever its kind; `normalized` for the normalized view.
fn check_error(input: &str, e: &ParseError, normalized: bool) -> Result<(), TestCaseError> {
    let at = e.offset();
    prop_assert!(at <= input.len(), "{e} is past the end of {input:?}");
    prop_assert!(
        input.is_char_boundary(at),
        "{e} is not on a char boundary of {input:?}"
    );
    prop_assert_eq!(
        e.to_string(),
        format!("{}: {} at byte {}", e.kind(), e.reason(), at)
    );
    let c = input.get(at..).and_then(|rest| rest.chars().next());
    match e.kind() {
        ParseErrorKind::Empty => prop_assert!(input.is_empty()),
        ParseErrorKind::Uppercase if normalized => {
            // The first char, up to the first ':', whose lowercase differs.
            let c = c.expect("an uppercase error points at a char");
            prop_assert!(c.to_lowercase().ne(std::iter::once(c)), "{e} in {input:?}");
        }
        ParseErrorKind::Uppercase => {
            let c = c.expect("an uppercase error points at a char");
            prop_assert!(
                c.is_ascii_uppercase() || c == '\u{212A}' || c == '\u{130}',
                "{e} in {input:?}"
            );
        }
        ParseErrorKind::NameTooLong => prop_assert!(at >= 255 - 8, "{e} in {input:?}"),
        ParseErrorKind::DigestUnsupported
        | ParseErrorKind::DigestLength
        | ParseErrorKind::DigestFormat => {
            let digest_at = input.find('@').expect("a digest error has a digest");
            prop_assert!(at > digest_at, "{e} in {input:?}");
        }
        ParseErrorKind::HexName => prop_assert_eq!(at, 0),
        _ => {}
    }
    Ok(())
}

/// Every view of `input`: no panic, and the error invariants.
fn check_all_views(input: &str) -> Result<(), TestCaseError> {
    if let Err(e) = Reference::parse(input) {
        check_error(input, &e, false)?;
    }
    if let Err(e) = Reference::parse_normalized(input) {
        check_error(input, &e, true)?;
    }
    if let Err(e) = Reference::parse_docker_ref(input) {
        check_error(input, &e, true)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Normalized-view checks
// ---------------------------------------------------------------------------------------------

/// The normalized name docs/DESIGN.md §1.3 gives for a name that parses as written.
fn expected_normalized_name(name: &str) -> String {
    let split = name.split_once('/').filter(|(first, _)| {
        first.contains(['.', ':'])
            || *first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase())
    });
    let (domain, remainder) = match split {
        Some(("index.docker.io", rest)) => ("docker.io", rest),
        Some((first, rest)) => (first, rest),
        None => ("docker.io", name),
    };
    if domain == "docker.io" && !remainder.contains('/') {
        format!("{domain}/library/{remainder}")
    } else {
        format!("{domain}/{remainder}")
    }
}

/// The normalized view of `input`, if any, is a fixed point that reads back as written with
/// the same parts; when the as-written view is valid too, the two agree.
fn check_normalized(input: &str) -> Result<(), TestCaseError> {
    let Ok(n) = Reference::parse_normalized(input) else {
        return Ok(());
    };
    let again = Reference::parse_normalized(n.as_str());
    prop_assert!(
        again.is_ok(),
        "{:?} normalizes to {:?}, which does not",
        input,
        n.as_str()
    );
    let again = again.unwrap();
    prop_assert_eq!(again.as_str(), n.as_str());

    let w = Reference::parse(n.as_str());
    prop_assert!(
        w.is_ok(),
        "the normalized {:?} does not parse as written",
        n.as_str()
    );
    let w = w.unwrap();
    prop_assert_eq!(w.domain(), n.domain());
    prop_assert_eq!(w.path(), n.path());
    prop_assert_eq!(w.name(), n.name());
    prop_assert_eq!(w.tag(), n.tag());
    prop_assert_eq!(w.digest(), n.digest());
    prop_assert!(n.as_str().ends_with(n.familiar()));
    prop_assert!(n.name().ends_with(n.familiar_name()));

    let d = Reference::parse_docker_ref(input).unwrap();
    match (n.tag(), n.digest()) {
        (None, None) => prop_assert_eq!(d.as_str(), format!("{}:latest", n.as_str())),
        (_, Some(digest)) => prop_assert_eq!(d.as_str(), format!("{}@{digest}", n.name())),
        (Some(_), None) => prop_assert_eq!(d.as_str(), n.as_str()),
    }

    if let Ok(r) = Reference::parse(input) {
        prop_assert_eq!(n.name(), expected_normalized_name(r.name()));
        prop_assert_eq!(n.tag(), r.tag());
        prop_assert_eq!(n.digest(), r.digest());
        // A first component that looks like a host and is one as written stays the domain.
        if let Some(domain) = r.domain() {
            let looks_like_host = domain.contains(['.', ':'])
                || domain == "localhost"
                || domain.chars().any(|c| c.is_ascii_uppercase());
            let hub = domain == "index.docker.io" || domain == "docker.io";
            if looks_like_host && !hub {
                prop_assert_eq!(n.domain(), Some(domain));
                prop_assert_eq!(n.path(), r.path());
                prop_assert_eq!(n.as_str(), input);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_references_parse_and_display_as_written(g in valid()) {
        let input = g.text();
        let r = Reference::parse(&input);
        prop_assert!(r.is_ok(), "{:?}: {}", input, r.unwrap_err());
        let r = r.unwrap();
        prop_assert_eq!(r.to_string(), input.as_str());
        prop_assert_eq!(r.as_str(), input.as_str());
        prop_assert_eq!(r.into_owned().to_string(), input.as_str());
        prop_assert_eq!(format!("{}{}", r.name(), r.suffix()), input.as_str());
        prop_assert_eq!(r.tag(), g.tag.as_deref());
        prop_assert_eq!(r.digest(), g.digest.as_deref());
        // Without a generated domain, the first of several components reads as one when the
        // domain grammar allows it.
        let (want_domain, want_path) = match (&g.domain, g.path.split_once('/')) {
            (Some(d), _) => (Some(d.as_str()), g.path.as_str()),
            (None, Some((first, rest))) if reads_as_domain(first) => (Some(first), rest),
            (None, _) => (None, g.path.as_str()),
        };
        prop_assert_eq!(r.domain(), want_domain);
        prop_assert_eq!(r.path(), want_path);
        let rebuilt = [
            r.domain().map(|d| format!("{d}/")).unwrap_or_default(),
            r.path().to_owned(),
            r.tag().map(|t| format!(":{t}")).unwrap_or_default(),
            r.digest().map(|d| format!("@{d}")).unwrap_or_default(),
        ]
        .concat();
        prop_assert_eq!(rebuilt, input.as_str());
        check_normalized(&input)?;
    }

    #[test]
    fn any_string_never_panics_and_errors_point_inside(s in any::<String>()) {
        check_all_views(&s)?;
        check_normalized(&s)?;
    }

    #[test]
    fn strings_near_the_grammar(s in near()) {
        check_all_views(&s)?;
        check_normalized(&s)?;
    }

    #[test]
    fn mutated_references(
        g in valid(),
        at in any::<prop::sample::Index>(),
        c in prop_oneof![
            Just('/'), Just(':'), Just('@'), Just('.'), Just('_'), Just('-'), Just('['),
            Just(']'), Just(' '), Just('\n'), Just('A'), Just('Z'), Just('\u{212A}'),
            Just('\u{130}'), Just('\u{e9}'), Just('+'), Just('a'), Just('0'),
        ],
        delete in any::<bool>(),
    ) {
        let valid = g.text();
        let p = at.index(valid.len() + 1);
        let mut s = valid.clone();
        if delete && p < valid.len() {
            s.remove(p);
        } else {
            s.insert(p, c);
        }
        check_all_views(&s)?;
        check_normalized(&s)?;
        // `s[..p]` is a prefix of the valid `valid`, so the input was valid at least that far.
        if let Err(e) = Reference::parse(&s)
            && e.kind() == ParseErrorKind::InvalidFormat
        {
            prop_assert!(e.offset() >= p, "{:?} (from {:?}, changed at {}): {}", s, valid, p, e);
        }
    }

    #[test]
    fn uppercase_in_the_path_is_found_where_it_is(g in valid(), at in any::<prop::sample::Index>()) {
        // Uppercase one letter of the path: the error, if any, points at it.
        let input = g.text();
        let r = Reference::parse(&input).unwrap();
        let start = r.name().len() - r.path().len();
        let letters: Vec<usize> = r
            .path()
            .char_indices()
            .filter(|(_, c)| c.is_ascii_lowercase())
            .map(|(i, _)| start + i)
            .collect();
        prop_assume!(!letters.is_empty());
        let i = letters[at.index(letters.len())];
        let mut s = input.clone();
        s.replace_range(i..=i, &input[i..=i].to_ascii_uppercase());
        // A first component that could be a domain already is one, so the letter stays in the
        // path and the lowercase input is the valid one.
        let e = Reference::parse(&s);
        prop_assert!(e.is_err(), "{:?} parsed", s);
        let e = e.unwrap_err();
        prop_assert_eq!(e.kind(), ParseErrorKind::Uppercase);
        prop_assert_eq!(e.offset(), i, "{}", e);
    }
}
