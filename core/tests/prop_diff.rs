//! Properties of the policy diff: `diff(P, P)` is empty, and `diff(A, B)` lists exactly the
//! images whose rewrite differs (result, error, or winning prefix), each once, with its count.

use std::collections::BTreeMap;

use imgrepl::{Policy, Rule, diff};
use proptest::prelude::*;

/// Prefixes that nest and collide, so that rules shadow each other.
const PREFIXES: &[&str] = &[
    "",
    "a.io",
    "a.io/x",
    "a.io/x/y",
    "b.io",
    "b.io/x",
    "x",
    "c.io:5000",
];
const REPLACEMENTS: &[&str] = &["m.io", "m.io/p", "n.io/q/r", "a.io/z", "b.io"];
const IMAGES: &[&str] = &[
    "nginx",
    "nginx:1",
    "x/app",
    "a.io/app",
    "a.io/x/app:1",
    "a.io/x/y/app",
    "a.io/x/y/z/app",
    "b.io/x/app",
    "b.io/app",
    "c.io:5000/app",
    "d.io/app",
    "Bad",
    "a.io/X",
];

fn policy() -> impl Strategy<Value = Policy> {
    (
        proptest::collection::btree_map(
            0..PREFIXES.len(),
            0..REPLACEMENTS.len(),
            0..=PREFIXES.len(),
        ),
        any::<bool>(),
    )
        .prop_filter_map(
            "a valid policy",
            |(rules, exact): (BTreeMap<usize, usize>, bool)| {
                let rules = rules
                    .into_iter()
                    .map(|(p, r)| Rule::new(PREFIXES[p], REPLACEMENTS[r]))
                    .filter(|r| r.repository_prefix() != r.replace_with());
                let policy = Policy::from_rules(rules).ok()?;
                Some(if exact {
                    policy.with_mode(imgrepl::MatchMode::ExactParent)
                } else {
                    policy
                })
            },
        )
}

/// What a policy does with an image, compared the way the diff compares.
fn outcome(
    policy: &Policy,
    image: &str,
) -> (Option<String>, Option<String>, Option<imgrepl::Code>) {
    match policy.rewrite(image) {
        Ok(r) => (
            Some(r.image.into_owned()),
            r.rule
                .map(|id| policy.rule(id).unwrap().repository_prefix().to_owned()),
            None,
        ),
        Err(e) => (
            None,
            e.rule()
                .map(|id| policy.rule(id).unwrap().repository_prefix().to_owned()),
            Some(e.code()),
        ),
    }
}

proptest! {
    #[test]
    fn a_policy_against_itself_changes_nothing(
        p in policy(),
        images in proptest::collection::vec(0..IMAGES.len(), 0..30),
    ) {
        let images: Vec<&str> = images.into_iter().map(|i| IMAGES[i]).collect();
        let d = diff::diff(&p, &p, images.iter().copied());
        prop_assert!(d.is_empty());
        prop_assert_eq!(d.summary.unchanged, p.rules().len());
        prop_assert_eq!(d.summary.images, images.len());
    }

    #[test]
    fn a_diff_lists_exactly_the_images_whose_rewrite_differs(
        a in policy(),
        b in policy(),
        images in proptest::collection::vec(0..IMAGES.len(), 0..30),
    ) {
        let images: Vec<&str> = images.into_iter().map(|i| IMAGES[i]).collect();
        let d = diff::diff(&a, &b, images.iter().copied());
        // The images that differ, by an independent comparison, in first-seen order.
        let mut expected: Vec<(&str, usize)> = Vec::new();
        for image in &images {
            if outcome(&a, image) != outcome(&b, image) {
                match expected.iter_mut().find(|(i, _)| i == image) {
                    Some((_, n)) => *n += 1,
                    None => expected.push((image, 1)),
                }
            }
        }
        let got: Vec<(&str, usize)> = d.images.iter().map(|c| (c.image.as_str(), c.count)).collect();
        prop_assert_eq!(&got, &expected);
        prop_assert_eq!(d.summary.images_changed, expected.iter().map(|(_, n)| n).sum::<usize>());
        // Every change has a cause unless only the mode differs, and causes are rule changes
        // of the old or the new winner.
        for c in &d.images {
            for &i in &c.causes {
                let prefix = Some(d.rules[i].repository_prefix.clone());
                prop_assert!(prefix == c.old.prefix || prefix == c.new.prefix);
            }
            if a.mode() == b.mode() {
                prop_assert!(!c.causes.is_empty(), "{:?}", c);
            }
        }
        // Rule changes: a prefix is in at most one change, and unchanged ones are counted.
        let s = d.summary;
        prop_assert_eq!(s.removed + s.changed + s.unchanged, a.rules().len());
        prop_assert_eq!(s.added + s.changed + s.unchanged, b.rules().len());
    }
}
