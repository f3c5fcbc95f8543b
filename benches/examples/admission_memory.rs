//! What one `AdmissionReview` costs in memory: the peak of live heap bytes while
//! `admission::review_json` answers a large review, as a multiple of the body's size (the
//! figure a webhook sets its memory budget by).
//!
//! ```text
//! cargo run --release -p imgrepl-benches --example admission_memory
//! ```
//!
//! The reviews are `imgrepl_benches::admission::large_review`: a Pod of about 3 MiB (`CREATE`)
//! and the same Pod as an `UPDATE` (object and oldObject, about 6 MiB). The body is built
//! before counting starts; the peak counts everything the call allocates, its response too.
//! Beside it, the same review read the way `review_json` read it before: the whole body into a
//! `serde_json::Value`, then `admission::review`.
//!
//! A second table times one review of each size (the mean of a fixed number of rounds, wall
//! clock, so a rough figure): `review_json`, the whole-body `Value` way, and `review_json` with
//! a `PolicyCache` (the annotation compiled once).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use std::time::Instant;

use imgrepl_benches::admission::{large_review, reviews};
use imgrepl_k8s::{MAX_OBJECT_BYTES, Options, PolicyCache, admission};

/// The system allocator, keeping the bytes live now and the most live since the last reset.
struct Peak;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the same arguments; counting only observes.
unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grow(new_size);
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which `System` shares.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` (through this allocator) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Peak = Peak;

/// The peak of live heap bytes while `f` runs, beyond what was live before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - before)
}

/// The review as `review_json` read it before: the whole body into a `Value`.
fn whole_value(body: &str, options: &Options<'_>) -> Option<admission::Response> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    admission::review(&value, options).ok()
}

/// The mean time of one call of `f`, in microseconds, over `rounds`.
fn micros(rounds: u32, mut f: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    let mut total = 0;
    for _ in 0..rounds {
        total += f();
    }
    std::hint::black_box(total);
    start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
}

#[allow(clippy::cast_precision_loss, reason = "sizes far below 2^52")]
fn main() {
    // Just under the object limit, so the object is rewritten rather than refused.
    let object = MAX_OBJECT_BYTES - 64 * 1024;
    println!(
        "| review | body | peak heap, review_json | × body | peak heap, whole body as a Value | × body | patch ops |"
    );
    println!("|---|---|---|---|---|---|---|");
    let large = [
        ("CREATE, a ~3 MiB Pod", large_review(object, false)),
        ("UPDATE, object + oldObject", large_review(object, true)),
    ];
    for (name, body) in &large {
        let (response, peak) = peak_of(|| admission::review_json(body, &Options::default()));
        let ops = match &response {
            Ok(r) if r.body.response.allowed => r.report.as_ref().map_or(0, |r| r.patch.len()),
            Ok(_) => 0,
            Err(e) => panic!("{name}: {e}"),
        };
        drop(response);
        let (old, old_peak) = peak_of(|| whole_value(body, &Options::default()));
        assert_eq!(
            old.as_ref()
                .and_then(|r| r.report.as_ref())
                .map(|r| r.patch.len()),
            Some(ops)
        );
        drop(old);
        let n = body.len() as f64;
        println!(
            "| {name} | {} bytes | {peak} bytes | {:.2} | {old_peak} bytes | {:.2} | {ops} |",
            body.len(),
            peak as f64 / n,
            old_peak as f64 / n,
        );
    }
    println!();
    println!(
        "| review | body | review_json | whole body as a Value | review_json with a PolicyCache |"
    );
    println!("|---|---|---|---|---|");
    let small = reviews();
    let mut all: Vec<(&str, &str, u32)> = small
        .iter()
        .map(|r| (r.name, r.body.as_str(), 2000))
        .collect();
    all.extend(large.iter().map(|(name, body)| (*name, body.as_str(), 5)));
    for (name, body, rounds) in all {
        let options = Options::default();
        let cache = PolicyCache::new(64, 1 << 20);
        let cached = options.policy_cache(&cache);
        let len = |r: Option<admission::Response>| r.map_or(0, |r| r.body.response.warnings.len());
        let new = micros(rounds, || len(admission::review_json(body, &options).ok()));
        let old = micros(rounds, || len(whole_value(body, &options)));
        let with_cache = micros(rounds, || len(admission::review_json(body, &cached).ok()));
        println!(
            "| {name} | {} bytes | {new:.1} µs | {old:.1} µs | {with_cache:.1} µs |",
            body.len()
        );
    }
}
