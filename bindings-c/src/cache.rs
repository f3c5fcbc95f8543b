//! `imgrepl_policy_cache`: compiled policies shared by every rewrite whose options name it.

use imgrepl_k8s::PolicyCache;

use crate::boundary::{Checked, Out, free, guard, guard_or, into_raw, object};
use crate::error::{fail, imgrepl_error};
use crate::status::imgrepl_status;

/// A bounded cache of compiled policies, keyed by the exact text of a policy annotation and the
/// match mode, for [`imgrepl_workload_options_set_cache`](crate::imgrepl_workload_options_set_cache):
/// a webhook that keeps one compiles each annotation once instead of on every review (its
/// errors too). Past its bounds, the least recently used entries are evicted. Made by
/// [`imgrepl_policy_cache_new`], freed by [`imgrepl_policy_cache_free`].
///
/// **Thread safety:** a `imgrepl_policy_cache *` may be used by any number of threads at once
/// (it locks inside); only [`imgrepl_policy_cache_free`] needs exclusive access.
#[derive(Debug)]
pub struct imgrepl_policy_cache(pub(crate) PolicyCache);

/// The counters of a policy cache, as [`imgrepl_policy_cache_stats`] fills them (the type and
/// the function cannot share a name in C).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct imgrepl_cache_stats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that compiled the annotation (whether or not it was then kept).
    pub misses: u64,
    /// Entries removed to make room.
    pub evictions: u64,
    /// Entries held now.
    pub entries: u64,
    /// Bytes held now, as estimated (the annotations' texts, the compiled policies, their
    /// diagnostics).
    pub bytes: u64,
}

/// Makes an empty policy cache holding at most `max_entries` annotations and about `max_bytes`
/// bytes, written to `*cache_out` on `OK` (free it with [`imgrepl_policy_cache_free`]). A bound
/// of 0 is `IMGREPL_STATUS_INVALID_ARGUMENT` (a cache that holds nothing: pass no cache
/// instead), with `*error_out` (when not NULL) a new error of code `"invalid-argument"`.
///
/// # Safety
///
/// `cache_out` must be NULL or valid for a write; `error_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_cache_new(
    max_entries: usize,
    max_bytes: usize,
    cache_out: *mut *mut imgrepl_policy_cache,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, error_out) = unsafe { (Out::new(cache_out)?, Out::optional(error_out)) };
        if max_entries == 0 || max_bytes == 0 {
            return fail(
                error_out,
                imgrepl_error::invalid_argument(format!(
                    "a policy cache of {max_entries} entries and {max_bytes} bytes holds nothing: both bounds must be at least 1"
                )),
            );
        }
        out.write(into_raw(imgrepl_policy_cache(PolicyCache::new(
            max_entries,
            max_bytes,
        ))));
        Ok(())
    })
}

/// The cache's counters, written to `*stats_out` on `OK`.
///
/// # Safety
///
/// `cache` must be NULL or live; `stats_out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_cache_stats(
    cache: *const imgrepl_policy_cache,
    stats_out: *mut imgrepl_cache_stats,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (cache, out) = unsafe { (object(cache)?, Out::new(stats_out)?) };
        out.write(stats(cache));
        Ok(())
    })
}

fn stats(cache: &imgrepl_policy_cache) -> imgrepl_cache_stats {
    let s = cache.0.stats();
    imgrepl_cache_stats {
        hits: s.hits,
        misses: s.misses,
        evictions: s.evictions,
        entries: s.entries,
        bytes: s.bytes,
    }
}

/// Frees a policy cache. NULL is a no-op. No options object in use may still refer to it.
///
/// # Safety
///
/// `cache` must be NULL or from this library, not yet freed, and used by no other call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_cache_free(cache: *mut imgrepl_policy_cache) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(cache) });
}

/// The cache behind a pointer, for the options (checked for NULL by the caller).
///
/// # Safety
///
/// `cache` must be NULL or live for `'a`.
pub(crate) unsafe fn cache<'a>(cache: *const imgrepl_policy_cache) -> Checked<&'a PolicyCache> {
    // SAFETY: the caller's contract.
    Ok(&unsafe { object(cache) }?.0)
}
