//! Writes a multi-document manifest file of about N bytes to stdout, for measuring
//! `imgrepl apply` (see BENCHMARKS.md): two Deployments (comments, quoting, an anchor, an octal
//! mode, a policy annotation; three images each) for every `ConfigMap` (a block scalar).
//!
//! ```text
//! cargo run --release -p imgrepl-benches --example gen_manifests -- 10000000 > m10.yaml
//! cargo run --release -p imgrepl-benches --example gen_manifests -- 40000000 json > list40.json
//! ```
//! With `json`, one JSON `List` of Pods instead.

use std::io::Write as _;

use imgrepl_benches::manifests;

fn main() {
    let mut args = std::env::args().skip(1);
    let target: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let text = if args.next().as_deref() == Some("json") {
        manifests::json(target)
    } else {
        manifests::yaml(target)
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
