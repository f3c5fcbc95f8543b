//! A loop over one `AdmissionReview` for profilers (`valgrind --tool=callgrind`): `review_json`
//! then `Response::to_json`, the same with a `PolicyCache` (`cached`), or the `serde_json` floor,
//! repeated. The reviews are those of the `admission` suite (`pod`, `deployment-3`, `pod-40`)
//! and `webhook`, the small Deployment of the webhook's load test
//! (`imgrepl_benches::admission::WEBHOOK_BODY`).
//!
//! ```text
//! cargo build --profile bench -p imgrepl-benches --example profile_admission
//! valgrind --tool=callgrind target/release/examples/profile_admission review pod 100
//! valgrind --tool=callgrind target/release/examples/profile_admission cached webhook 100
//! valgrind --tool=callgrind target/release/examples/profile_admission floor pod 100
//! callgrind_annotate --inclusive=yes callgrind.out.<pid>
//! ```
//!
//! Subtract the same command with 0 rounds (building the bodies) and divide by the rounds.

use std::hint::black_box;

use imgrepl_benches::admission::{WEBHOOK_BODY, reviews};
use imgrepl_k8s::{Options, PolicyCache, admission};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("review", String::as_str);
    let name = args.get(1).map_or("pod", String::as_str);
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    // Built only when asked for (building them costs more than the small review).
    let reviews = if name == "webhook" {
        Vec::new()
    } else {
        reviews()
    };
    let body = match reviews.iter().find(|r| r.name == name) {
        Some(review) => review.body.as_str(),
        None if name == "webhook" => WEBHOOK_BODY,
        None => {
            eprintln!("no review named {name}: pod, deployment-3, pod-40, webhook");
            std::process::exit(2);
        }
    };
    let response =
        admission::review_json(body, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let cache = PolicyCache::new(16, 1 << 20);
    let options = if mode == "cached" {
        Options::default().policy_cache(&cache)
    } else {
        Options::default()
    };
    let mut total = 0usize;
    for _ in 0..rounds {
        let body = black_box(body);
        total += if mode == "floor" {
            let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            black_box(&value);
            serde_json::to_string(&response.body).map_or(0, |s| s.len())
        } else {
            admission::review_json(body, &options).map_or(0, |r| r.to_json().len())
        };
    }
    println!("{mode} {name}: {total}");
}
