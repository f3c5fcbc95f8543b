//! The `parse` and `rewrite` suites of `imgrepl-benches`, compiled to `wasm32-unknown-unknown`
//! and timed in Node by `bench.mjs` (`cargo xtask bench --wasm`): the same corpus of 1,000
//! images and the same policies, with the loop over the corpus inside the module, so that one
//! call from JavaScript does a whole iteration and the boundary is crossed once per 1,000 images.
//!
//! ```
//! // Natively, the same entry points answer what the module answers in Node.
//! assert_eq!(imgrepl_benches_wasm::corpus_len(), 1_000);
//! assert_eq!(imgrepl_benches_wasm::parse_all(), 953);
//! assert_eq!(imgrepl_benches_wasm::set_policy(1), 483);
//! assert!(imgrepl_benches_wasm::rewrite_into_all() > 40_000);
//! ```
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::hint::black_box;

use imgrepl::{Policy, Reference, Rule};
use imgrepl_benches::{corpus, naive::Naive};
use wasm_bindgen::prelude::wasm_bindgen;

/// The corpus, the current policy and the output buffer.
struct State {
    images: Vec<String>,
    policy: Option<Policy>,
    out: String,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State {
        images: corpus::images(corpus::SEED, corpus::LEN),
        policy: None,
        out: String::with_capacity(1024),
    });
}

/// The number of images in the corpus (one iteration handles them all).
#[wasm_bindgen]
#[must_use]
pub fn corpus_len() -> u32 {
    STATE.with_borrow(|s| u32::try_from(s.images.len()).unwrap_or(u32::MAX))
}

/// One iteration of `parse`: `Reference::parse` over the corpus; returns how many images it
/// accepts.
#[wasm_bindgen]
#[must_use]
pub fn parse_all() -> u32 {
    STATE.with_borrow(|s| {
        let mut accepted = 0;
        for image in &s.images {
            accepted += u32::from(Reference::parse(black_box(image)).is_ok());
        }
        accepted
    })
}

/// Builds the corpus policy of `n` rules (as the `rewrite` suite does) and checks, image by
/// image, that `rewrite_into` gives the naive rewriter's answer (result, rule, or error code);
/// returns how many images it rewrites.
///
/// # Panics
///
/// When the policy cannot be built or an answer differs (in wasm32: a trap, which Node reports
/// as a `RuntimeError`).
#[wasm_bindgen]
#[must_use]
pub fn set_policy(n: u32) -> u32 {
    let rules = corpus::rules(corpus::SEED, n as usize);
    let policy = Policy::from_rules(rules.iter().map(|(p, r)| Rule::new(p.as_str(), r.as_str())))
        .unwrap_or_else(|e| panic!("the corpus policy of {n} rules cannot be built: {e}"));
    let naive = Naive::new(rules.iter().map(|(p, r)| (p.as_str(), r.as_str())));
    STATE.with_borrow_mut(|s| {
        let mut rewritten = 0;
        for image in &s.images {
            let got = policy.rewrite_into(image, &mut s.out);
            match (got, naive.rewrite(image)) {
                (Ok(rule), Ok(want)) => {
                    assert_eq!(rule.map(imgrepl::RuleId::index), want.rule, "{image}");
                    assert_eq!(s.out, want.image, "{image}");
                    rewritten += u32::from(want.rule.is_some());
                }
                (Err(got), Err(want)) => assert_eq!(got.code().as_str(), want.code(), "{image}"),
                (got, want) => panic!("{image}: imgrepl {got:?}, naive {want:?}"),
            }
        }
        s.policy = Some(policy);
        rewritten
    })
}

/// One iteration of `rewrite_into` with the policy of [`set_policy`] over the corpus; returns
/// the total length of the results (0 without a policy).
#[wasm_bindgen]
#[must_use]
pub fn rewrite_into_all() -> u32 {
    STATE.with_borrow_mut(|s| {
        let Some(policy) = &s.policy else {
            return 0;
        };
        let mut total = 0usize;
        for image in &s.images {
            let _ = policy.rewrite_into(black_box(image), &mut s.out);
            total += s.out.len();
        }
        u32::try_from(total).unwrap_or(u32::MAX)
    })
}
