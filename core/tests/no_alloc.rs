//! The hot path allocates nothing but its output (docs/DESIGN.md §3.6), proved with a
//! counting global allocator. This file is its own test binary, so the allocator counts nothing
//! else; the counter is per thread, so tests running in parallel do not disturb each other.
//!
//! - `Reference::parse` allocates nothing for a valid reference;
//! - `Policy::find` allocates nothing for a valid image;
//! - `Policy::rewrite_into` with a buffer already large enough allocates nothing for a valid
//!   image;
//! - `Policy::rewrite` allocates exactly once when it rewrites (the output) and never when the
//!   image is valid and left unchanged.
//!
//! Rejecting an input that breaks the grammar may allocate once, no more: the parser retries a
//! lowercased copy to tell "repository name must be lowercase" from "invalid reference format",
//! as the reference implementation does. That is off the hot path and bounded, and asserted so.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use imgrepl::{Policy, Reference, Rule};

/// The system allocator, counting the allocations made by the current thread.
struct Counting;

thread_local! {
    // Const-initialised and without a destructor: reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the slot is gone while a thread is being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` with the same arguments; counting only observes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which `System` shares.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through this allocator) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations `f` made on this thread, and its result.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = black_box(f());
    (ALLOCATIONS.with(Cell::get) - before, out)
}

/// Every input of the shared reference sample, valid or not.
fn sample() -> Vec<String> {
    include_str!("../../testdata/reference-sample.jsonl")
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["input"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Images of every shape: familiar, Docker Hub, ports, IPv6, deep paths, tags, digests, invalid.
const IMAGES: &[&str] = &[
    "nginx",
    "nginx:1.27",
    "bitnami/redis:7.2",
    "docker.io/library/nginx:latest",
    "harbor.domain/ubuntu:latest",
    "harbor.domain/a/b/c/d/redis:latest",
    "harbor.domain/a/b/cd/x:1",
    "harbor.domain/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "registry.corp.example:5000/platform/api:v2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "[::1]:5000/app:1",
    "[fd00:1234::42]:8443/team/svc",
    "localhost:5000/a/b/c/d/e/f/g/h",
    "quay.io/prometheus/node-exporter:v1.8.2",
    "Harbor.domain/Team/app",
    "nginx:latest\n",
    "harbor.domain/app@sha256:abc",
    "",
];

/// The seed table's policy, registries with ports and IPv6 hosts, and a thousand more rules.
fn policy() -> Policy {
    let mut rules = vec![
        Rule::new("harbor.domain", "swr.cn-north-4.myhuaweicloud.com/org1"),
        Rule::new("", "swr.cn-north-4.myhuaweicloud.com/org1"),
        Rule::new(
            "harbor.domain/a/b/c/d",
            "swr.cn-north-4.myhuaweicloud.com/org2",
        ),
        Rule::new("[::1]:5000", "localhost:5000/v6"),
        Rule::new(
            "registry.corp.example:5000/platform",
            "mirror.local/platform",
        ),
        Rule::new("docker.io/library", "mirror.local/hub"),
    ];
    rules.extend(
        (0..1_000).map(|i| Rule::new(format!("mirror-{i}.example.com/ns"), "mirror.local/x")),
    );
    Policy::from_rules(rules).unwrap()
}

#[test]
fn parse_allocates_nothing() {
    let mut inputs = sample();
    inputs.extend(IMAGES.iter().map(|s| (*s).to_owned()));
    let mut valid = 0;
    for input in &inputs {
        let (n, result) = allocations(|| Reference::parse(input));
        let most = usize::from(result.is_err());
        assert!(
            n <= most,
            "Reference::parse({input:?}) allocated {n} times: {result:?}"
        );
        valid += usize::from(result.is_ok());
    }
    assert!(
        valid > 100 && valid < inputs.len(),
        "{valid} of {}",
        inputs.len()
    );
}

#[test]
fn find_allocates_nothing() {
    let policy = policy();
    let mut matched = 0;
    for image in IMAGES {
        let (n, found) = allocations(|| policy.find(image));
        let most = usize::from(found.is_err());
        assert!(n <= most, "find({image:?}) allocated {n} times: {found:?}");
        matched += usize::from(matches!(found, Ok(Some(_))));
    }
    assert!(matched >= 8, "{matched}");
}

#[test]
fn rewrite_into_a_large_enough_buffer_allocates_nothing() {
    let policy = policy();
    let mut out = String::with_capacity(512);
    let mut changed = 0;
    for image in IMAGES {
        let (n, rule) = allocations(|| policy.rewrite_into(image, &mut out));
        let most = usize::from(Reference::parse(image).is_err());
        assert!(
            n <= most,
            "rewrite_into({image:?}) allocated {n} times: {rule:?}"
        );
        changed += usize::from(matches!(rule, Ok(Some(_))));
    }
    assert!(changed >= 8, "{changed}");
}

#[test]
fn rewrite_allocates_once_when_it_rewrites_and_never_otherwise() {
    let policy = policy();
    for image in IMAGES {
        let (n, result) = allocations(|| policy.rewrite(image));
        if Reference::parse(image).is_ok() {
            let want = usize::from(result.as_ref().is_ok_and(imgrepl::Rewritten::changed));
            assert_eq!(
                n, want,
                "rewrite({image:?}) allocated {n} times: {result:?}"
            );
        } else {
            assert!(n <= 1, "rewrite({image:?}) allocated {n} times: {result:?}");
        }
    }
    // The seed table, spelled out.
    let (n, r) = allocations(|| policy.rewrite("nginx:latest"));
    assert_eq!(
        (n, r.unwrap().image.as_ref()),
        (1, "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest")
    );
    let (n, r) = allocations(|| policy.rewrite("quay.io/prometheus/node-exporter:v1.8.2"));
    assert_eq!((n, r.unwrap().changed()), (0, false));
}
