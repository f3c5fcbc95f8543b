//! Benchmark support for imgrepl: a deterministic corpus of image references and policies, a
//! naive rewriter that scans every rule, and the floors (what no rewriter can beat).
//!
//! The criterion suites live in `benches/` (`parse`, `rewrite`, `compile`, `toolkit`,
//! `admission`, `apply`); the fuzz targets use
//! [`naive`] as their differential oracle, so there is exactly one copy of it.
//!
//! ```
//! use imgrepl_benches::{corpus, naive::Naive};
//!
//! let images = corpus::images(corpus::SEED, 100);
//! let rules = corpus::rules(corpus::SEED, 10);
//! let naive = Naive::new(rules.iter().map(|(p, r)| (p.as_str(), r.as_str())));
//! let matched = images.iter().filter(|i| matches!(naive.rewrite(i), Ok(r) if r.rule.is_some())).count();
//! assert!(matched > 30 && matched < 70);
//! ```

pub mod admission;
pub mod corpus;
pub mod floor;
pub mod manifests;
pub mod naive;
mod rng;

pub use rng::Rng;
