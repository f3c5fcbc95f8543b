//! [`PolicyCache`]: the compiled policies of annotations, shared by every rewrite that uses it,
//! so that a webhook does not validate the same annotation on every review.

use std::collections::HashMap;
use std::fmt;
use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use imgrepl::{Diagnostic, MatchMode, Policy};

/// What [`Policy::validate`] found in one annotation's text, with the match mode applied.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// The policy in the requested mode, when the text has no error.
    pub(crate) policy: Option<Policy>,
    /// Every diagnostic, as [`Policy::validate`] lists them.
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// Validates `text` and applies `mode`.
    pub(crate) fn new(text: &str, mode: MatchMode) -> Compiled {
        let validation = Policy::validate(text);
        Compiled {
            policy: validation.policy.map(|p| p.with_mode(mode)),
            diagnostics: validation.diagnostics,
        }
    }

    /// An estimate of the heap this holds, in bytes: the policy's rules, index and warnings,
    /// and the diagnostics' texts.
    fn approx_bytes(&self) -> usize {
        size_of::<Compiled>()
            + self.policy.as_ref().map_or(0, Policy::approx_heap_bytes)
            + self
                .diagnostics
                .iter()
                .map(Diagnostic::approx_bytes)
                .sum::<usize>()
    }
}

/// One cached annotation.
#[derive(Debug)]
struct Slot {
    value: Arc<Compiled>,
    /// The text's bytes and [`Compiled::approx_bytes`].
    bytes: usize,
    /// The clock when it was last used: the least recently used slot is evicted first.
    used: AtomicU64,
}

/// The cached annotations, one map per match mode.
#[derive(Debug, Default)]
struct Slots {
    by_mode: [HashMap<Box<str>, Slot>; 2],
    bytes: usize,
}

impl Slots {
    fn len(&self) -> usize {
        self.by_mode.iter().map(HashMap::len).sum()
    }

    /// Evicts the least recently used slot; false when there is none.
    fn evict_one(&mut self) -> bool {
        let oldest = self
            .by_mode
            .iter()
            .enumerate()
            .flat_map(|(m, map)| {
                map.iter()
                    .map(move |(k, s)| (s.used.load(Ordering::Relaxed), m, k))
            })
            .min_by_key(|(used, _, _)| *used)
            .map(|(_, m, k)| (m, k.clone()));
        let Some((m, key)) = oldest else {
            return false;
        };
        if let Some(slot) = self.by_mode[m].remove(&key) {
            self.bytes -= slot.bytes;
        }
        true
    }
}

/// The index of a mode in [`Slots::by_mode`].
const fn mode_index(mode: MatchMode) -> usize {
    // `MatchMode` is non-exhaustive outside core: a mode added there needs a slot of its own
    // here (`by_mode` grows by one), or it would share the longest-prefix slot.
    match mode {
        MatchMode::ExactParent => 1,
        _ => 0,
    }
}

/// A bounded cache of compiled policies, keyed by the exact text of an annotation and the
/// match mode, for [`Options::policy_cache`](super::Options::policy_cache).
///
/// A review of an object with a policy annotation spends most of its time validating and
/// compiling the policy (57 % of its instructions for a typical Pod); the annotation is the
/// same for every pod of a workload, so a webhook that keeps a cache compiles it once. Invalid
/// annotations are cached too (with their diagnostics), so a bad annotation is not compiled
/// again on every review.
///
/// It holds at most `max_entries` annotations and about `max_bytes` bytes (each entry counts
/// its text and an estimate of its compiled policy and diagnostics); past either bound the
/// least recently used entries are evicted. An annotation larger than `max_bytes` on its own is
/// compiled but not kept. A bound of 0 keeps nothing.
///
/// It is `Send + Sync`: share one cache (by reference, or in an `Arc`) between threads. Hits
/// take a read lock; misses compile outside of any lock, then insert under a write lock.
///
/// ```
/// use imgrepl_k8s::{Options, PolicyCache};
///
/// let cache = PolicyCache::new(2, 1 << 20);
/// let pod = |policy: &str| serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement": policy}},
///   "spec": {"containers": [{"image": "nginx"}]}});
/// let options = Options::default().policy_cache(&cache);
/// for policy in ["[]", "[]", "not json", "not json", "[ ]"] {
///     let _ = imgrepl_k8s::rewrite(&pod(policy), &options);
/// }
/// let stats = cache.stats();
/// // "[]" and "not json" compiled once each; "[ ]" evicted the least recently used ("[]").
/// assert_eq!((stats.misses, stats.hits, stats.evictions, stats.entries), (3, 2, 1, 2));
/// assert!(stats.bytes > 0);
/// ```
pub struct PolicyCache {
    max_entries: usize,
    max_bytes: usize,
    slots: RwLock<Slots>,
    clock: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
}

/// The counters of a [`PolicyCache`].
///
/// ```
/// let stats = imgrepl_k8s::PolicyCache::new(8, 4096).stats();
/// assert_eq!(stats, imgrepl_k8s::CacheStats::default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that compiled the annotation (whether or not it was then kept).
    pub misses: u64,
    /// Entries removed to make room.
    pub evictions: u64,
    /// Entries held now.
    pub entries: u64,
    /// Bytes held now, as estimated (texts, compiled policies, diagnostics).
    pub bytes: u64,
}

impl fmt::Debug for PolicyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyCache")
            .field("max_entries", &self.max_entries)
            .field("max_bytes", &self.max_bytes)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl PolicyCache {
    /// An empty cache holding at most `max_entries` annotations and about `max_bytes` bytes.
    #[must_use]
    pub fn new(max_entries: usize, max_bytes: usize) -> PolicyCache {
        PolicyCache {
            max_entries,
            max_bytes,
            slots: RwLock::new(Slots::default()),
            clock: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    /// The most entries it holds.
    #[must_use]
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// The most bytes it holds, as estimated.
    #[must_use]
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The counters now.
    #[must_use]
    pub fn stats(&self) -> CacheStats {
        let (entries, bytes) = {
            let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
            (slots.len(), slots.bytes)
        };
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            entries: entries as u64,
            bytes: bytes as u64,
        }
    }

    /// Removes every entry (the counters of hits, misses and evictions stay).
    pub fn clear(&self) {
        let mut slots = self.slots.write().unwrap_or_else(PoisonError::into_inner);
        *slots = Slots::default();
    }

    /// The compiled policy of `text` in `mode`: from the cache, or compiled and kept.
    pub(crate) fn compile(&self, text: &str, mode: MatchMode) -> Arc<Compiled> {
        let m = mode_index(mode);
        {
            let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(slot) = slots.by_mode[m].get(text) {
                let now = self.clock.fetch_add(1, Ordering::Relaxed);
                slot.used.fetch_max(now, Ordering::Relaxed);
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Arc::clone(&slot.value);
            }
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = Arc::new(Compiled::new(text, mode));
        let bytes = text.len() + size_of::<Slot>() + value.approx_bytes();
        if self.max_entries == 0 || bytes > self.max_bytes {
            return value;
        }
        let mut slots = self.slots.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.by_mode[m].get(text) {
            // Another thread compiled it meanwhile: keep one.
            return Arc::clone(&slot.value);
        }
        while slots.len() >= self.max_entries || slots.bytes + bytes > self.max_bytes {
            if !slots.evict_one() {
                break;
            }
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        slots.by_mode[m].insert(
            Box::from(text),
            Slot {
                value: Arc::clone(&value),
                bytes,
                used: AtomicU64::new(now),
            },
        );
        slots.bytes += bytes;
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(i: usize) -> String {
        format!(r#"[{{"repositoryPrefix": "r{i}.io", "replaceWith": "m.io/r{i}"}}]"#)
    }

    #[test]
    fn each_match_mode_has_its_own_slot() {
        let modes = [MatchMode::LongestPrefix, MatchMode::ExactParent];
        let slots: Vec<usize> = modes.iter().map(|&m| mode_index(m)).collect();
        assert_eq!(slots, [0, 1]);
    }

    #[test]
    fn bounds_evict_the_least_recently_used() {
        let cache = PolicyCache::new(3, usize::MAX);
        for i in 0..3 {
            cache.compile(&rule(i), MatchMode::LongestPrefix);
        }
        // 0 is used again: 1 is now the least recently used.
        cache.compile(&rule(0), MatchMode::LongestPrefix);
        cache.compile(&rule(3), MatchMode::LongestPrefix);
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.evictions, s.entries), (1, 4, 1, 3));
        // 0 is still there, 1 is not.
        cache.compile(&rule(0), MatchMode::LongestPrefix);
        assert_eq!(cache.stats().hits, 2);
        cache.compile(&rule(1), MatchMode::LongestPrefix);
        assert_eq!(cache.stats().misses, 5);
    }

    #[test]
    fn the_mode_is_part_of_the_key() {
        let cache = PolicyCache::new(8, usize::MAX);
        let a = cache.compile(&rule(0), MatchMode::LongestPrefix);
        let b = cache.compile(&rule(0), MatchMode::ExactParent);
        assert_eq!(
            a.policy.as_ref().map(Policy::mode),
            Some(MatchMode::LongestPrefix)
        );
        assert_eq!(
            b.policy.as_ref().map(Policy::mode),
            Some(MatchMode::ExactParent)
        );
        assert_eq!(cache.stats().entries, 2);
    }

    #[test]
    fn the_byte_bound_holds() {
        let one = {
            let cache = PolicyCache::new(100, usize::MAX);
            cache.compile(&rule(0), MatchMode::LongestPrefix);
            cache.stats().bytes
        };
        assert!(one > rule(0).len() as u64);
        // Room for two entries of this size (the rules' texts differ by at most a byte).
        let bound = usize::try_from(2 * one + 2).unwrap();
        let cache = PolicyCache::new(100, bound);
        for i in 0..10 {
            cache.compile(&rule(i), MatchMode::LongestPrefix);
            assert!(cache.stats().bytes <= bound as u64);
        }
        let s = cache.stats();
        assert_eq!((s.entries, s.evictions, s.misses), (2, 8, 10));
        // Too large for the cache on its own: compiled, not kept.
        let small = PolicyCache::new(100, 10);
        assert!(
            small
                .compile(&rule(0), MatchMode::LongestPrefix)
                .policy
                .is_some()
        );
        let s = small.stats();
        assert_eq!((s.entries, s.bytes, s.misses), (0, 0, 1));
        // A bound of 0 entries keeps nothing either.
        let none = PolicyCache::new(0, usize::MAX);
        none.compile(&rule(0), MatchMode::LongestPrefix);
        none.compile(&rule(0), MatchMode::LongestPrefix);
        assert_eq!((none.stats().misses, none.stats().entries), (2, 0));
    }

    #[test]
    fn invalid_annotations_are_cached_with_their_diagnostics() {
        let cache = PolicyCache::new(8, usize::MAX);
        let a = cache.compile("[{}]", MatchMode::LongestPrefix);
        let b = cache.compile("[{}]", MatchMode::LongestPrefix);
        assert!(a.policy.is_none() && Arc::ptr_eq(&a, &b));
        assert_eq!(a.diagnostics, Policy::validate("[{}]").diagnostics);
        assert_eq!(cache.stats().hits, 1);
        cache.clear();
        assert_eq!(cache.stats().entries, 0);
    }

    #[test]
    fn threads_share_one_cache() {
        let cache = PolicyCache::new(16, usize::MAX);
        let texts: Vec<String> = (0..32).map(rule).collect();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (cache, texts) = (&cache, &texts);
                scope.spawn(move || {
                    for round in 0..200 {
                        let i = (round * 7 + t) % texts.len();
                        let c = cache.compile(&texts[i], MatchMode::LongestPrefix);
                        let policy = c.policy.as_ref().unwrap();
                        let image = format!("r{i}.io/app");
                        let rewritten = policy.rewrite(&image).unwrap();
                        assert_eq!(rewritten.image, format!("m.io/r{i}/app"));
                    }
                });
            }
        });
        let s = cache.stats();
        assert_eq!(s.hits + s.misses, 800);
        assert!(s.entries <= 16);
        assert!(s.misses >= 32);
    }
}
