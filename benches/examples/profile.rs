//! A loop over the benchmark corpus for profilers (`valgrind --tool=callgrind`, `perf`): the
//! same work as one criterion iteration, repeated, with nothing else in the process worth
//! counting.
//!
//! ```text
//! cargo build --profile bench -p imgrepl-benches --example profile
//! valgrind --tool=callgrind --toggle-collect='profile::rounds*' target/release/examples/profile parse 20
//! callgrind_annotate --inclusive=yes callgrind.out.<pid>
//! ```
//!
//! Modes: `parse`, `normalized`, `memchr`, `copy`, `rewrite N` and `rewrite_into N` (N rules),
//! then the number of rounds over the corpus (20 by default). The rounds run in the functions
//! `rounds` and `rounds_rewrite`, so `--toggle-collect='profile::rounds*'` counts them alone,
//! without generating the corpus or compiling the policy (whose hash seeds are random, so its
//! count varies from run to run).

use std::hint::black_box;

use imgrepl::{Policy, Reference, Rule};
use imgrepl_benches::{corpus, floor};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("parse", String::as_str);
    let number =
        |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let images = corpus::images(corpus::SEED, corpus::LEN);
    let total = match mode {
        "rewrite" | "rewrite_into" => {
            let n = number(1, 1);
            let rounds = number(2, 20);
            let rules = corpus::rules(corpus::SEED, n);
            let policy =
                Policy::from_rules(rules.iter().map(|(p, r)| Rule::new(p.as_str(), r.as_str())))
                    .expect("the corpus policy is valid");
            rounds_rewrite(&policy, &images, rounds, mode == "rewrite_into")
        }
        _ => rounds(mode, &images, number(1, 20)),
    };
    println!("{mode}: {total}");
}

/// `rounds` times over `images`: `rewrite_into` (reusing one buffer) or `rewrite`.
#[inline(never)]
fn rounds_rewrite(policy: &Policy, images: &[String], rounds: usize, into: bool) -> usize {
    let mut out = String::with_capacity(512);
    let mut total = 0usize;
    for _ in 0..rounds {
        for image in images {
            if into {
                let _ = policy.rewrite_into(black_box(image), &mut out);
                total += out.len();
            } else {
                total += policy
                    .rewrite(black_box(image))
                    .map_or(0, |r| r.image.len());
            }
        }
    }
    total
}

/// `rounds` times over `images`: parse (as written or normalized) or a floor.
#[inline(never)]
fn rounds(mode: &str, images: &[String], rounds: usize) -> usize {
    let mut out = String::with_capacity(512);
    let mut total = 0usize;
    for _ in 0..rounds {
        for image in images {
            let image = black_box(image.as_str());
            total += match mode {
                "normalized" => usize::from(Reference::parse_normalized(image).is_ok()),
                "memchr" => usize::from(floor::scan(image)),
                "copy" => {
                    floor::copy_into(image, &mut out);
                    out.len()
                }
                _ => usize::from(Reference::parse(image).is_ok()),
            };
        }
    }
    total
}
