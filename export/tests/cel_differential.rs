//! The differential test of the exported CEL: the expression of `imgrepl_export::cel`,
//! evaluated by a real CEL implementation, gives `Policy::rewrite`'s image for every image of
//! the conformance corpus and every rule set of the tests, in both match modes.
//!
//! Rule sets: every policy of `testdata/` and every policy literal (`r#"[…]"#`) of core's
//! tests that is valid, and rule sets made from the corpus (prefixes at its images' `/`
//! boundaries, `replaceWith` values that hit every length limit, `docker.io` and a path
//! alone). Images: the whole corpus, and per rule set images built around each rule (below,
//! at and beyond each length limit).

mod common;

use std::fmt::Write as _;

use imgrepl::{MatchMode, Policy, Reference};

/// Rule sets made from the corpus's valid images: their `/` boundaries as prefixes, with
/// `replaceWith` values of every kind and length.
fn corpus_policies(valid: &[&str]) -> Vec<(String, Policy)> {
    let mut prefixes = Vec::new();
    for image in valid {
        let Ok(r) = Reference::parse(image) else {
            continue;
        };
        for (k, _) in r.name().match_indices('/') {
            let p = &r.name()[..k];
            if !prefixes.contains(&p) {
                prefixes.push(p);
            }
        }
        if prefixes.len() >= 400 {
            break;
        }
    }
    let long = |n: usize| format!("m.io/{}", "p".repeat(n));
    let replaces: Vec<String> = vec![
        "m.io".into(),
        "m.io:5000/hub".into(),
        "docker.io".into(),
        "org".into(),
        "org/team".into(),
        "localhost/a".into(),
        "[::1]:5000/x".into(),
        long(100),
        long(200),
        long(240),
        long(250),
        format!("{}.io/{}", "h".repeat(200), "q".repeat(230)),
        format!("o{}", "r".repeat(240)),
    ];
    let mut out = Vec::new();
    for (i, chunk) in prefixes.chunks(40).enumerate() {
        let mut json = String::from("[");
        let _ = write!(
            json,
            r#"{{"repositoryPrefix": "", "replaceWith": "{}"}}"#,
            replaces[i % replaces.len()]
        );
        for (j, p) in chunk.iter().enumerate() {
            let r = &replaces[(i + j) % replaces.len()];
            if *p == r.as_str() {
                continue;
            }
            let _ = write!(
                json,
                r#",{{"repositoryPrefix": "{p}", "replaceWith": "{r}"}}"#
            );
        }
        json.push(']');
        match Policy::from_json(&json) {
            Ok(policy) => out.push((format!("corpus prefixes {i}"), policy)),
            Err(e) => panic!("{e}"),
        }
    }
    // Each kind of replaceWith alone, for the empty prefix and a registry.
    for r in &replaces {
        let json = format!(
            r#"[{{"repositoryPrefix": "", "replaceWith": "{r}"}},{{"repositoryPrefix": "a.io", "replaceWith": "{r}"}},{{"repositoryPrefix": "a.io/b", "replaceWith": "{r}"}}]"#
        );
        out.push((
            format!("replaceWith {r}"),
            Policy::from_json(&json).unwrap(),
        ));
    }
    out
}

/// Images around each rule of `policy`: one and several components moving, of lengths just
/// below, at and beyond the limits of the path and of the whole image.
fn probes(policy: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    for rule in policy.rules() {
        let p = rule.repository_prefix();
        let head = if p.is_empty() {
            String::new()
        } else {
            format!("{p}/")
        };
        for n in (0..=10).chain(240..=258).chain([500, 4000]) {
            if n == 0 {
                out.push(format!("{head}x:1"));
                continue;
            }
            let one = "c".repeat(n);
            out.push(format!("{head}{one}"));
            out.push(format!("{head}{one}:tag"));
            if !p.is_empty() {
                out.push(format!(
                    "{head}d/{}",
                    "c".repeat(n.saturating_sub(2).max(1))
                ));
                out.push(format!("{head}d/{one}/e"));
            }
        }
        // The whole image around 4096 bytes: a long tag can't, so a long digest-less name.
        out.push(format!("{head}x@sha512:{}", "a".repeat(128)));
    }
    out
}

#[test]
fn the_exported_cel_rewrites_as_the_library_on_the_corpus_and_the_test_rule_sets() {
    let corpus = common::corpus();
    let valid: Vec<&str> = corpus
        .iter()
        .map(String::as_str)
        .filter(|s| Reference::parse(s).is_ok())
        .collect();
    let mut policies = common::test_policies();
    let from_tests = policies.len();
    policies.extend(corpus_policies(&valid));
    let (mut evaluations, mut rewritten, mut invalid_results) = (0usize, 0usize, 0usize);
    let mut differences = Vec::new();
    for (name, policy) in &policies {
        let mut images = corpus.clone();
        images.extend(probes(policy));
        for mode in [MatchMode::LongestPrefix, MatchMode::ExactParent] {
            let policy = policy.clone().with_mode(mode);
            let source = imgrepl_export::cel::expression(&policy, "image");
            let cel = common::Cel::new(&source);
            for image in &images {
                let want = match policy.rewrite(image) {
                    Ok(r) => {
                        rewritten += usize::from(r.changed());
                        r.image.into_owned()
                    }
                    Err(e) => {
                        invalid_results +=
                            usize::from(e.kind() == imgrepl::RewriteErrorKind::InvalidResult);
                        image.clone()
                    }
                };
                let got = cel.eval_string(image);
                evaluations += 1;
                if got != want && differences.len() < 20 {
                    differences.push(format!(
                        "{name} ({mode}): {image:?}: want {want:?}, CEL {got:?}"
                    ));
                }
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    eprintln!(
        "{} rule sets ({from_tests} from the tests), 2 modes, {} corpus images + probes: \
         {evaluations} evaluations, {rewritten} rewritten, {invalid_results} invalid results, 0 differences",
        policies.len(),
        corpus.len()
    );
    assert!(from_tests >= 30, "{from_tests}");
    assert!(
        rewritten > 10_000 && invalid_results > 500,
        "{rewritten} {invalid_results}"
    );
}
