//! A loop over one `AdmissionReview` of the `admission` suite for profilers
//! (`valgrind --tool=callgrind`): `review_json`, `review_json` with a `PolicyCache`
//! (`cached`), or the `serde_json` floor, repeated.
//!
//! ```text
//! cargo build --profile bench -p imgrepl-benches --example profile_admission
//! valgrind --tool=callgrind target/release/examples/profile_admission review pod 100
//! valgrind --tool=callgrind target/release/examples/profile_admission cached pod 100
//! valgrind --tool=callgrind target/release/examples/profile_admission floor pod 100
//! callgrind_annotate --inclusive=yes callgrind.out.<pid>
//! ```
//!
//! Subtract the same command with 0 rounds (building the bodies) and divide by the rounds.

use std::hint::black_box;

use imgrepl::workload::{Options, PolicyCache, admission};
use imgrepl_benches::admission::reviews;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("review", String::as_str);
    let name = args.get(1).map_or("pod", String::as_str);
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let reviews = reviews();
    let Some(review) = reviews.iter().find(|r| r.name == name) else {
        eprintln!("no review named {name}: pod, deployment-3, pod-40");
        std::process::exit(2);
    };
    let response = admission::review_json(&review.body, &Options::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let cache = PolicyCache::new(16, 1 << 20);
    let options = if mode == "cached" {
        Options::default().policy_cache(&cache)
    } else {
        Options::default()
    };
    let mut total = 0usize;
    for _ in 0..rounds {
        let body = black_box(review.body.as_str());
        total += if mode == "floor" {
            let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            black_box(&value);
            serde_json::to_string(&response.body).map_or(0, |s| s.len())
        } else {
            admission::review_json(body, &options)
                .map_or(0, |r| r.body.response.patch.map_or(0, |p| p.len()))
        };
    }
    println!("{mode} {name}: {total}");
}
