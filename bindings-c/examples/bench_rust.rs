//! One rewrite through the Rust API, timed over the shared corpus (`testdata/bench-images.txt`,
//! `testdata/bench-policy.json`), for `cargo xtask bench-ffi`, which runs it beside the same
//! corpus through C (`ctests/bench.c`) and cgo (`go test -bench`).
//!
//! Prints `check <bytes>` (the total length of the results, which every engine must agree on)
//! and `<name> <ns per image>` lines.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` (one pass over the corpus) for at least `min` and returns ns per image.
fn time(images: usize, min: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..100 {
        f();
    }
    let (start, mut passes) = (Instant::now(), 0u64);
    while start.elapsed() < min {
        for _ in 0..100 {
            f();
        }
        passes += 100;
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "a duration and a count, for a report"
    )]
    let ns = start.elapsed().as_nanos() as f64 / (passes as f64 * images as f64);
    ns
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let policy =
        imgrepl_core::Policy::from_json(&std::fs::read_to_string(dir.join("bench-policy.json"))?)?;
    let corpus = std::fs::read_to_string(dir.join("bench-images.txt"))?;
    let images: Vec<&str> = corpus.lines().filter(|l| !l.is_empty()).collect();
    let mut out = String::with_capacity(512);
    let mut check = 0;
    for image in &images {
        policy.rewrite_into(image, &mut out)?;
        check += out.len();
    }
    println!("check {check}");
    let min = Duration::from_millis(500);
    let ns = time(images.len(), min, || {
        for image in &images {
            let _ = black_box(policy.rewrite_into(black_box(image), &mut out));
        }
    });
    println!("rust/rewrite_into {ns:.1}");
    let ns = time(images.len(), min, || {
        for image in &images {
            let _ = black_box(policy.rewrite(black_box(image)));
        }
    });
    println!("rust/rewrite {ns:.1}");
    Ok(())
}
