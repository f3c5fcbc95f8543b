//! `rewrite`: a structured policy and image → imgrepl rewrites exactly as the naive rewriter.
//!
//! The policy and the image are built from a small vocabulary of components (so that rules and
//! images overlap often), with arbitrary text mixed in. For each input, in both match modes:
//! - `rewrite`, `rewrite_into` and `find` give the naive rewriter's answer (result and rule, or
//!   the same error code): the differential oracle;
//! - an `Ok` result is a valid reference with the image's tag and digest, and equals the image
//!   when no rule matched; a rewritten one is valid in all three views (as written, normalized
//!   as the runtime reads it, as a Docker reference);
//! - `explain` agrees with `rewrite`.
#![no_main]

use arbitrary::Arbitrary;
use imgrepl::{MatchMode, Policy, Reference, Rule, RuleId};
use imgrepl_benches::naive::{Error as NaiveError, Mode, Naive};
use libfuzzer_sys::fuzz_target;

/// Components a path is made of (separators, near-misses of each other and of registries).
/// The last one, 64 hex digits, is a name the normalized view refuses when it is all of the input.
const PATHS: &[&str] = &[
    "a",
    "b",
    "c",
    "ab",
    "library",
    "x_y",
    "x__y",
    "x-y",
    "x--y",
    "team",
    "a1",
    "0",
    "a.b.c",
    "x.y",
    "io",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
];

/// First components: registries (dots, ports, IPv6, uppercase), and paths too.
const FIRSTS: &[&str] = &[
    "a",
    "b",
    "a.io",
    "a.io:5000",
    "b.io",
    "localhost",
    "localhost:5000",
    "[::1]:5000",
    "[::1]",
    "docker.io",
    "index.docker.io",
    "library",
    "A.io",
    "harbor.domain",
    "x_y",
    "a.b.c",
    "x.y",
];

/// One component: from the vocabulary that fits its position (most of the time), from the
/// other one, or arbitrary text.
#[derive(Debug)]
enum Part {
    Fitting(u8),
    Other(u8),
    Text(String),
}

impl<'a> Arbitrary<'a> for Part {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u8::arbitrary(u)? {
            pick @ 0..224 => Part::Fitting(pick),
            pick @ 224..240 => Part::Other(pick),
            _ => Part::Text(String::arbitrary(u)?),
        })
    }
}

impl Part {
    /// Appends the component; `first` when it starts a name.
    fn push(&self, first: bool, out: &mut String) {
        let word = |words: &[&'static str], i: u8| words[usize::from(i) % words.len()];
        let (fitting, other) = if first {
            (FIRSTS, PATHS)
        } else {
            (PATHS, FIRSTS)
        };
        match self {
            Part::Fitting(i) => out.push_str(word(fitting, *i)),
            Part::Other(i) => out.push_str(word(other, *i)),
            Part::Text(s) => out.push_str(s),
        }
    }
}

/// The components joined by `/`; `first` when the first of them starts a name.
fn join(parts: &[Part], first: bool, out: &mut String) {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        part.push(first && i == 0, out);
    }
}

/// A tag or digest after the name.
#[derive(Arbitrary, Debug)]
enum Suffix {
    None,
    Tag(u8),
    Digest(u8),
    Both(u8, u8),
    Text(String),
}

const TAGS: &[&str] = &["latest", "1.0", "v2-rc.1", "A_b", "x"];
const DIGESTS: &[&str] = &[
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "sha256:0123",
];

impl Suffix {
    fn push(&self, out: &mut String) {
        let tag = |i: &u8| TAGS[usize::from(*i) % TAGS.len()];
        let digest = |i: &u8| DIGESTS[usize::from(*i) % DIGESTS.len()];
        match self {
            Suffix::None => {}
            Suffix::Tag(t) => {
                out.push(':');
                out.push_str(tag(t));
            }
            Suffix::Digest(d) => {
                out.push('@');
                out.push_str(digest(d));
            }
            Suffix::Both(t, d) => {
                out.push(':');
                out.push_str(tag(t));
                out.push('@');
                out.push_str(digest(d));
            }
            Suffix::Text(s) => out.push_str(s),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    rules: Vec<(Vec<Part>, Vec<Part>)>,
    /// The image starts with this rule's prefix and a `/` (index modulo the number of rules),
    /// so that deep and nested matches are common.
    base: Option<u8>,
    image: Vec<Part>,
    suffix: Suffix,
    /// Above 192, puts the image's last component `long - 192` times before its components: long
    /// paths, and results past 255 bytes.
    long: u8,
}

/// What `rewrite_into`'s buffer holds before the call: it must still hold it after an error.
const OUT_BEFORE: &str = "previous";

fn check(policy: &Policy, naive: &Naive, image: &str) {
    let got = policy.rewrite(image);
    let want = naive.rewrite(image);
    let mut out = String::from(OUT_BEFORE);
    let into = policy.rewrite_into(image, &mut out);
    let found = policy.find(image);
    match (&got, &want) {
        (Ok(got), Ok(want)) => {
            assert_eq!(got.image, want.image.as_str(), "{image:?}");
            assert_eq!(got.rule.map(RuleId::index), want.rule, "{image:?}");
            assert_eq!(
                into.map(|r| r.map(RuleId::index)),
                Ok(want.rule),
                "{image:?}"
            );
            assert_eq!(out, want.image, "{image:?}");
            let found = found.expect("find agrees with rewrite");
            let naive_found = naive.find(image).expect("the naive rewriter agrees");
            assert_eq!(
                found.map(|m| (m.rule.index(), m.prefix_len)),
                naive_found,
                "{image:?}"
            );
            let before = Reference::parse(image).expect("a rewritten image is valid");
            let after = Reference::parse(&got.image).expect("a result is a valid reference");
            // A rewritten image is one the runtime can pull (an image no rule matched is the
            // caller's own, left exactly as it is).
            if got.rule.is_some() {
                Reference::parse_normalized(&got.image).expect("the runtime reads a result");
                Reference::parse_docker_ref(&got.image).expect("a result is a Docker reference");
            }
            assert_eq!(after.tag(), before.tag(), "{image:?}");
            assert_eq!(after.digest(), before.digest(), "{image:?}");
            if got.rule.is_none() {
                assert_eq!(got.image, image);
            }
        }
        (Err(got), Err(want)) => {
            assert_eq!(got.code().as_str(), want.code(), "{image:?}: {got}");
            let want_rule = match want {
                NaiveError::InvalidResult(rule) => Some(*rule),
                NaiveError::InvalidImage(_) => None,
            };
            assert_eq!(got.rule().map(RuleId::index), want_rule, "{image:?}");
            let found = found.map(|m| m.map(|m| m.rule.index()));
            assert_eq!(
                found.map_err(|e| e.code().as_str()),
                want_rule.map(Some).ok_or(want.code()),
                "{image:?}"
            );
            assert_eq!(
                into.map_err(|e| e.code().as_str()),
                Err(want.code()),
                "{image:?}"
            );
            assert_eq!(out, OUT_BEFORE, "rewrite_into writes nothing on error");
        }
        _ => panic!("{image:?}: imgrepl {got:?}, naive {want:?}"),
    }
    let explained = policy.explain(image);
    match &got {
        Ok(r) => {
            assert_eq!(explained.rule, r.rule, "{image:?}");
            let result = r.changed().then(|| &*r.image);
            assert_eq!(explained.result.as_deref(), result, "{image:?}");
            assert!(explained.error.is_none(), "{image:?}");
        }
        Err(e) => {
            assert_eq!(
                explained.error.map(|x| x.code()),
                Some(e.code()),
                "{image:?}"
            );
            assert_eq!(explained.rule, e.rule(), "{image:?}");
            assert_eq!(explained.result, None, "{image:?}");
        }
    }
}

fuzz_target!(|input: Input| {
    let mut rules: Vec<(String, String)> = Vec::new();
    for (prefix_parts, replace_parts) in input.rules.iter().take(16) {
        let (mut prefix, mut replace) = (String::new(), String::new());
        join(prefix_parts, true, &mut prefix);
        join(replace_parts, true, &mut replace);
        if !rules.iter().any(|(p, _)| *p == prefix) {
            rules.push((prefix, replace));
        }
    }
    let mut image = String::new();
    let base = input.base.filter(|_| !rules.is_empty());
    if let Some(base) = base {
        let prefix = &rules[usize::from(base) % rules.len()].0;
        if !prefix.is_empty() {
            image.push_str(prefix);
            image.push('/');
        }
    }
    if let Some(repeat) = input.image.last() {
        for _ in 0..input.long.saturating_sub(192) {
            repeat.push(false, &mut image);
            image.push('/');
        }
    }
    if input.image.is_empty() {
        image.push_str("app");
    } else {
        join(&input.image, image.is_empty(), &mut image);
    }
    input.suffix.push(&mut image);

    let built = Policy::from_rules(rules.iter().map(|(p, r)| Rule::new(p.as_str(), r.as_str())));
    let Ok(policy) = built else {
        return;
    };
    let naive = Naive::new(rules.iter().map(|(p, r)| (p.as_str(), r.as_str())));
    check(&policy, &naive, &image);
    let policy = policy.with_mode(MatchMode::ExactParent);
    let naive = naive.with_mode(Mode::ExactParent);
    check(&policy, &naive, &image);
});
