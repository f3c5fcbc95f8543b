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
//! The hash is foldhash's `quality` variant. Measured against the hand-written multiply-rotate
//! hash it replaced (10,000 prefixes of 30–40 bytes, 1,000 probes, half of them hits): 22 ns per
//! probe against 39 ns on a quiet machine, 130 against 153 on a loaded one (BENCHMARKS.md,
//! "Dependencies of core"). Each matcher gets a random
//! seed, so a set of prefixes that collide cannot be prepared in advance for every process;
//! this is not a guarantee against an attacker who can measure timings of one process, and it
//! need not be one: a policy is at most 256 KiB, so even all-colliding prefixes cost a bounded,
//! one-time amount at compile time.

use std::collections::HashMap;

use foldhash::quality::RandomState;

use crate::reference::PrefixLens;
use crate::rule::{MatchMode, Rule, RuleId};

/// The prefix index of a policy.
#[derive(Clone, Debug)]
pub(crate) struct Matcher {
    map: HashMap<Box<str>, RuleId, RandomState>,
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
        let mut map = HashMap::with_capacity_and_hasher(rules.len(), RandomState::default());
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

    /// [`Matcher::find`] for a name whose `/` are known: bit `k` of `slashes` is set when byte
    /// `k` of `name` is a `/` (a name of at most 64 bytes, read by the parser's fast path). The
    /// name is not scanned again, and the length filter is one `and` over all its boundaries.
    #[inline]
    pub(crate) fn find_slashes(
        &self,
        name: &str,
        slashes: u64,
        mode: MatchMode,
    ) -> Option<(RuleId, usize)> {
        if slashes == 0 {
            return self.empty.map(|id| (id, 0));
        }
        let last = 63 - slashes.leading_zeros() as usize;
        match mode {
            MatchMode::ExactParent => self.probe(name, last),
            MatchMode::LongestPrefix => {
                // Only the boundaries whose length some prefix has (all below 64 here).
                let [lens, ..] = self.short_lens;
                let mut candidates = slashes & lens;
                while candidates != 0 {
                    let k = 63 - candidates.leading_zeros() as usize;
                    if let Some(&id) = self.map.get(name.get(..k)?) {
                        return Some((id, k));
                    }
                    candidates &= !(1 << k);
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
