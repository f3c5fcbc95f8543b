//! The prefix index, built once per policy.
//!
//! # Design
//!
//! A rule's prefix matches an image when the prefix, followed by `/`, starts the image: so the
//! only prefixes that can match are the image's own `/` boundaries (`a.io/b/c/app` can only be
//! matched by `a.io/b/c`, `a.io/b` or `a.io`). The index is a hash map from prefix to rule, and a
//! query probes those boundaries from the longest to the shortest; the first hit is the longest
//! match. The cost follows the image's number of components, never the number of rules — the
//! property `psl` gets from longest-first probing.
//!
//! Two cheap filters skip most probes before any hashing: boundaries longer than the longest
//! prefix, and boundaries whose length no prefix has (a bit set over lengths up to 255, the
//! common case).
//!
//! The hash is a word-at-a-time multiply-rotate hash (the `FxHash` family), an order of magnitude
//! cheaper than `SipHash` on 10–40 byte keys. Because prefixes come from annotations that users
//! write, each matcher draws a random seed from the standard library's `RandomState`, so that a
//! set of colliding prefixes cannot be prepared in advance.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use crate::reference::PrefixLens;
use crate::rule::{MatchMode, Rule, RuleId};

/// The prefix index of a policy.
#[derive(Clone, Debug)]
pub(crate) struct Matcher {
    map: HashMap<Box<str>, RuleId, SeededBuild>,
    /// The rule with the empty prefix.
    empty: Option<RuleId>,
    /// The longest non-empty prefix, in bytes.
    max_len: usize,
    /// Bit `n` is set when some prefix is `n` bytes long (`n < 256`).
    short_lens: [u64; 4],
    /// Per rule: what its `replaceWith` contributes to the path of a result, in each view.
    replace_lens: Vec<PrefixLens>,
}

impl Matcher {
    /// Indexes `rules` (already validated: prefixes are unique).
    pub(crate) fn new(rules: &[Rule], replace_lens: &[PrefixLens]) -> Matcher {
        let mut map = HashMap::with_capacity_and_hasher(rules.len(), SeededBuild::new());
        let mut empty = None;
        let mut max_len = 0;
        let mut short_lens = [0u64; 4];
        for (i, rule) in rules.iter().enumerate() {
            let id = RuleId(u32::try_from(i).unwrap_or(u32::MAX));
            let prefix = rule.repository_prefix();
            if prefix.is_empty() {
                empty = Some(id);
                continue;
            }
            max_len = max_len.max(prefix.len());
            if let Some(word) = short_lens.get_mut(prefix.len() / 64) {
                *word |= 1 << (prefix.len() % 64);
            }
            map.insert(Box::from(prefix), id);
        }
        Matcher {
            map,
            empty,
            max_len,
            short_lens,
            replace_lens: replace_lens.to_vec(),
        }
    }

    /// The rule whose prefix is exactly `prefix` (non-empty).
    #[inline]
    pub(crate) fn lookup(&self, prefix: &str) -> Option<RuleId> {
        let len = prefix.len();
        if len > self.max_len {
            return None;
        }
        if let Some(word) = self.short_lens.get(len / 64)
            && word & (1 << (len % 64)) == 0
        {
            return None;
        }
        self.map.get(prefix).copied()
    }

    /// What rule `id`'s `replaceWith` contributes to the path of a result (zeros for an id past
    /// the rules).
    pub(crate) fn replace_lens(&self, id: RuleId) -> PrefixLens {
        self.replace_lens
            .get(id.index())
            .copied()
            .unwrap_or_default()
    }

    /// The rule with the empty prefix.
    pub(crate) fn empty_rule(&self) -> Option<RuleId> {
        self.empty
    }

    /// The matching rule for an image whose name is `name`, and the length of its prefix.
    #[inline]
    pub(crate) fn find(&self, name: &str, mode: MatchMode) -> Option<(RuleId, usize)> {
        let bytes = name.as_bytes();
        let Some(last) = bytes.iter().rposition(|&b| b == b'/') else {
            return self.empty.map(|id| (id, 0));
        };
        match mode {
            MatchMode::ExactParent => self.probe(name, last),
            MatchMode::LongestPrefix => {
                let mut end = bytes.len().min(self.max_len + 1);
                while let Some(k) = bytes.get(..end)?.iter().rposition(|&b| b == b'/') {
                    if let Some(hit) = self.probe(name, k) {
                        return Some(hit);
                    }
                    end = k;
                }
                None
            }
        }
    }

    /// Probes the boundary at byte `k` (a `/` of `name`).
    #[inline]
    fn probe(&self, name: &str, k: usize) -> Option<(RuleId, usize)> {
        self.lookup(name.get(..k)?).map(|id| (id, k))
    }
}

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
