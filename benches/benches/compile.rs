//! `compile`: building a policy for every policy size: time per rule, and memory per rule.
//!
//! - `imgrepl/from_json`: from its annotation JSON (read, validate, index), the webhook's path.
//!   An annotation holds at most 256 KiB (`MAX_POLICY_BYTES`), so the sizes whose JSON is larger
//!   are refused by design and reported as skipped;
//! - `imgrepl/from_rules`: from `Rule` values, the path of Rust programs, for every size (it is
//!   not bounded by the annotation limit). The `Vec<Rule>` it consumes is made outside the timing.
//!
//! Memory is measured by a counting global allocator, once per size and path before timing: the
//! peak of live heap bytes while the policy is built, and the bytes the built policy keeps, both
//! above what was live before (the input, JSON text or rules, is not counted). The counting
//! (two relaxed atomic operations per allocation) is in the timed runs too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imgrepl::{Code, MAX_POLICY_BYTES, Policy, PolicyError, Rule};
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

/// Builds the policy once with `build`: (peak bytes above the start while building, bytes kept
/// by the policy).
fn memory(
    build: impl FnOnce() -> Result<Policy, PolicyError>,
) -> Result<(usize, usize), PolicyError> {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let policy = build()?;
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
        let pairs = corpus::rules(corpus::SEED, n);
        let rules: Vec<Rule> = pairs
            .iter()
            .map(|(p, r)| Rule::new(p.as_str(), r.as_str()))
            .collect();
        let json = corpus::policy_json(&pairs);
        group.throughput(Throughput::Elements(n as u64));
        group.sample_size(if n >= 10_000 { 10 } else { 100 });

        match memory(|| Policy::from_json(&json)) {
            Ok((peak, kept)) => {
                println!(
                    "compile/from_json/N={n}: {} bytes of JSON; peak {peak} bytes while building ({:.0} per rule), policy keeps {kept} bytes ({:.0} per rule)",
                    json.len(),
                    per_rule(peak, n),
                    per_rule(kept, n),
                );
                group.bench_with_input(
                    BenchmarkId::new("imgrepl/from_json", n),
                    &json,
                    |b, json| {
                        b.iter(|| Policy::from_json(black_box(json)).map(|p| p.rules().len()));
                    },
                );
            }
            // The one documented refusal: an annotation past MAX_POLICY_BYTES. Anything else
            // is a bug in the corpus or the library, and fails the run.
            Err(why)
                if json.len() > MAX_POLICY_BYTES
                    && why
                        .diagnostics()
                        .iter()
                        .map(imgrepl::Diagnostic::code)
                        .eq([Code::TooLarge]) =>
            {
                println!(
                    "compile/from_json/N={n}: not timed, {} bytes of JSON are refused as documented: {why}",
                    json.len()
                );
            }
            Err(why) => panic!("compile/from_json/N={n}: the corpus policy is refused: {why}"),
        }

        let (peak, kept) = memory(|| Policy::from_rules(rules.clone()))
            .unwrap_or_else(|why| panic!("the corpus policy of {n} rules is refused: {why}"));
        println!(
            "compile/from_rules/N={n}: peak {peak} bytes while building ({:.0} per rule), policy keeps {kept} bytes ({:.0} per rule)",
            per_rule(peak, n),
            per_rule(kept, n),
        );
        group.bench_with_input(
            BenchmarkId::new("imgrepl/from_rules", n),
            &rules,
            |b, rules| {
                b.iter_batched(
                    || rules.clone(),
                    |rules| Policy::from_rules(rules).map(|p| p.rules().len()),
                    BatchSize::LargeInput,
                );
            },
        );
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
