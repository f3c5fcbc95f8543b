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

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use imgrepl::workload::{MAX_OBJECT_BYTES, Options, admission};
use imgrepl_benches::admission::large_review;

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

fn main() {
    // Just under the object limit, so the object is rewritten rather than refused.
    let object = MAX_OBJECT_BYTES - 64 * 1024;
    println!("| review | body | peak heap during review_json | × body | patch ops |");
    println!("|---|---|---|---|---|");
    for (name, update) in [
        ("CREATE, a ~3 MiB Pod", false),
        ("UPDATE, object + oldObject", true),
    ] {
        let body = large_review(object, update);
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let response = admission::review_json(&body, &Options::default());
        let peak = PEAK.load(Ordering::Relaxed) - before;
        let ops = match &response {
            Ok(r) if r.body.response.allowed => r.report.as_ref().map_or(0, |r| r.patch.len()),
            Ok(_) => 0,
            Err(e) => panic!("{name}: {e}"),
        };
        drop(response);
        #[allow(clippy::cast_precision_loss, reason = "sizes far below 2^52")]
        let factor = peak as f64 / body.len() as f64;
        println!(
            "| {name} | {} bytes | {} bytes | {factor:.2} | {ops} |",
            body.len(),
            peak
        );
    }
}
