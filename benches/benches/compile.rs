//! `compile`: building a policy from its annotation JSON (`Policy::from_json`: read, validate,
//! index) for every policy size: time per rule, and memory per rule.
//!
//! Memory is measured by a counting global allocator, once per size before timing: the peak of
//! live heap bytes while the policy is built, and the bytes the built policy keeps, both above
//! what was live before (the JSON text itself is not counted).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imgrepl::Policy;
use imgrepl_benches::corpus;

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the same arguments; the counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through `alloc`/`realloc`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which `System` shares.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            let live = LIVE.fetch_add(new_size, Relaxed) + new_size;
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Builds the policy once: (peak bytes above the start while building, bytes kept by it).
fn memory(json: &str) -> Result<(usize, usize), String> {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let policy = Policy::from_json(json).map_err(|e| {
        let first = e
            .diagnostics()
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        format!("{} diagnostics, first: {first}", e.diagnostics().len())
    })?;
    let peak = PEAK.load(Relaxed) - before;
    let kept = LIVE.load(Relaxed) - before;
    drop(black_box(policy));
    Ok((peak, kept))
}

#[allow(clippy::cast_precision_loss)]
fn per_rule(bytes: usize, n: usize) -> f64 {
    bytes as f64 / n as f64
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    for n in corpus::SIZES {
        let json = corpus::policy_json(&corpus::rules(corpus::SEED, n));
        match memory(&json) {
            Ok((peak, kept)) => println!(
                "compile/N={n}: {} bytes of JSON; peak {peak} bytes while building ({:.0} per rule), policy keeps {kept} bytes ({:.0} per rule)",
                json.len(),
                per_rule(peak, n),
                per_rule(kept, n),
            ),
            Err(why) => {
                println!(
                    "compile/N={n}: SKIPPED, {} bytes of JSON cannot be built: {why}",
                    json.len()
                );
                continue;
            }
        }
        if n >= 10_000 {
            group.sample_size(10);
        }
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("imgrepl/from_json", n),
            &json,
            |b, json| {
                b.iter(|| Policy::from_json(black_box(json)).map(|p| p.rules().len()));
            },
        );
        group.sample_size(100);
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
