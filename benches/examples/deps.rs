//! Why core depends on `foldhash` and `base64` instead of hand-written copies: each against the
//! hand-written code it replaced (kept here, and only here, as the baseline), the best of seven
//! runs.
//!
//! ```text
//! cargo run --release -p imgrepl-benches --example deps
//! ```
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    missing_docs
)]

use base64::Engine as _;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::hint::black_box;
use std::time::Instant;
/// Builds [`SeededHasher`]s with one random seed per matcher.
#[derive(Clone, Debug)]
struct SeededBuild {
    seed: u64,
}

impl SeededBuild {
    fn new() -> Self {
        SeededBuild {
            seed: std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64),
        }
    }
}

impl BuildHasher for SeededBuild {
    type Hasher = SeededHasher;

    fn build_hasher(&self) -> SeededHasher {
        SeededHasher(self.seed)
    }
}

/// A word-at-a-time multiply-rotate hash with a seed.
struct SeededHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl SeededHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(K).rotate_left(26);
    }
}

impl Hasher for SeededHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut word = [0u8; 8];
            word.get_mut(..tail.len())
                .unwrap_or_default()
                .copy_from_slice(tail);
            self.add(u64::from_le_bytes(word));
        }
        self.add(bytes.len() as u64);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        // Fold the high bits into the low ones: hashbrown picks buckets with the low bits.
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(K)
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The character of the low six bits of `sextet`.
fn symbol(sextet: u32) -> char {
    // `sextet & 63` is below 64, so the index is always in the alphabet.
    char::from(ALPHABET[(sextet & 63) as usize])
}

/// `bytes` in base64 with `=` padding.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let mut chunks = bytes.chunks_exact(3);
    for chunk in &mut chunks {
        let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
        out.extend([symbol(n >> 18), symbol(n >> 12), symbol(n >> 6), symbol(n)]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend([symbol(n >> 18), symbol(n >> 12), '=', '=']);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend([symbol(n >> 18), symbol(n >> 12), symbol(n >> 6), '=']);
        }
        _ => {}
    }
    out
}

fn time<F: FnMut() -> usize>(name: &str, iters: usize, mut f: F) {
    let mut best = f64::MAX;
    for _ in 0..7 {
        let t = Instant::now();
        let mut acc = 0;
        for _ in 0..iters {
            acc += f();
        }
        black_box(acc);
        best = best.min(t.elapsed().as_nanos() as f64 / iters as f64);
    }
    println!("{name}: {best:.1} ns");
}
fn main() {
    // Not criterion: a one-off comparison, kept so the numbers in BENCHMARKS.md can be redone.
    // prefixes like the rewrite bench: registry + a few components
    let n = 10_000;
    let prefixes: Vec<String> = (0..n)
        .map(|i| format!("registry{}.example.com/team{}/group{}", i % 97, i % 13, i))
        .collect();
    let probes: Vec<String> = (0..1000)
        .map(|i| {
            if i % 2 == 0 {
                prefixes[i * 7 % n].clone()
            } else {
                format!("registry{}.example.com/team{}/nope{}", i % 97, i % 13, i)
            }
        })
        .collect();
    let mut mine: HashMap<Box<str>, u32, SeededBuild> = HashMap::with_hasher(SeededBuild::new());
    let mut fold: HashMap<Box<str>, u32, foldhash::fast::RandomState> =
        HashMap::with_hasher(foldhash::fast::RandomState::default());
    let mut fold_q: HashMap<Box<str>, u32, foldhash::quality::RandomState> =
        HashMap::with_hasher(foldhash::quality::RandomState::default());
    for (i, p) in prefixes.iter().enumerate() {
        mine.insert(p.as_str().into(), i as u32);
        fold.insert(p.as_str().into(), i as u32);
        fold_q.insert(p.as_str().into(), i as u32);
    }
    time("lookup 1000 probes, own SeededHasher", 2000, || {
        probes
            .iter()
            .filter(|p| mine.contains_key(p.as_str()))
            .count()
    });
    time("lookup 1000 probes, foldhash::fast", 2000, || {
        probes
            .iter()
            .filter(|p| fold.contains_key(p.as_str()))
            .count()
    });
    time("lookup 1000 probes, foldhash::quality", 2000, || {
        probes
            .iter()
            .filter(|p| fold_q.contains_key(p.as_str()))
            .count()
    });
    let patch = "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest\"}]".repeat(3);
    assert_eq!(
        encode(patch.as_bytes()),
        base64::engine::general_purpose::STANDARD.encode(patch.as_bytes())
    );
    println!("patch bytes: {}", patch.len());
    time("base64 own", 200_000, || {
        encode(black_box(patch.as_bytes())).len()
    });
    time("base64 crate", 200_000, || {
        base64::engine::general_purpose::STANDARD
            .encode(black_box(patch.as_bytes()))
            .len()
    });
}
