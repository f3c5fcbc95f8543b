package imgrepl

/*
#include "imgrepl.h"
*/
import "C"

import (
	"fmt"
	"runtime"
)

// PolicyCache keeps the compiled policies of annotations (Options.Cache), keyed by the exact
// text of the annotation and the match mode, so that a webhook compiles each annotation once
// instead of on every review (invalid ones too, with their diagnostics). It holds at most
// maxEntries annotations and about maxBytes bytes; past either bound the least recently used
// are evicted. Safe for concurrent use by any number of goroutines; Close frees it (a
// finalizer does so too).
type PolicyCache struct{ c *C.imgrepl_policy_cache }

// CacheStats are the counters of a PolicyCache: lookups answered from the cache (Hits), that
// compiled the annotation (Misses), entries removed to make room (Evictions), and the entries
// and estimated bytes held now.
type CacheStats struct{ Hits, Misses, Evictions, Entries, Bytes uint64 }

// NewPolicyCache returns an empty cache of at most maxEntries annotations and about maxBytes
// bytes. Bounds below 1 are an error (errors.Is ErrInvalidArgument): pass no cache instead.
func NewPolicyCache(maxEntries int, maxBytes int64) (*PolicyCache, error) {
	if maxEntries < 1 || maxBytes < 1 {
		return nil, &Error{
			Code:    "invalid-argument",
			Message: fmt.Sprintf("a policy cache of %d entries and %d bytes holds nothing: both bounds must be at least 1", maxEntries, maxBytes),
			Offset:  -1,
			status:  ErrInvalidArgument,
		}
	}
	var c *C.imgrepl_policy_cache
	var cerr *C.imgrepl_error
	if s := C.imgrepl_policy_cache_new(C.size_t(maxEntries), C.size_t(maxBytes), &c, &cerr); s != C.IMGREPL_STATUS_OK {
		return nil, takeError(s, cerr)
	}
	cache := &PolicyCache{c: c}
	runtime.SetFinalizer(cache, (*PolicyCache).Close)
	return cache, nil
}

func (c *PolicyCache) ptr() *C.imgrepl_policy_cache {
	if debugGC {
		runtime.GC()
	}
	return c.c
}

// Stats returns the counters now (all zero after Close).
func (c *PolicyCache) Stats() CacheStats {
	p := c.ptr()
	if p == nil {
		return CacheStats{}
	}
	var s C.imgrepl_cache_stats
	C.imgrepl_policy_cache_stats(p, &s)
	runtime.KeepAlive(c)
	return CacheStats{
		Hits: uint64(s.hits), Misses: uint64(s.misses), Evictions: uint64(s.evictions),
		Entries: uint64(s.entries), Bytes: uint64(s.bytes),
	}
}

// Close frees the cache; no call using it may be running. It is idempotent; Options naming
// it then fail with ErrClosed.
func (c *PolicyCache) Close() {
	if c.c == nil {
		return
	}
	runtime.SetFinalizer(c, nil)
	C.imgrepl_policy_cache_free(c.c)
	c.c = nil
}
