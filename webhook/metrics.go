package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imgrepl/imgrepl/go/imgrepl"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency histogram.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}

// maxImageSeries bounds the label sets of imgrepl_webhook_images_total: policies come from
// annotations, so their prefixes are the users'; past this many, new prefixes are counted
// under prefix="(other)".
const maxImageSeries = 512

// labeled is the key of a counterVec: a comparable struct that prints its labels.
type labeled interface{ labels() string }

// counterVec is a counter by labels, safe for concurrent use. Keys are structs, so counting
// formats nothing; the labels are printed when /metrics is read.
type counterVec struct{ m sync.Map }

func (c *counterVec) add(key labeled, n uint64) {
	v, ok := c.m.Load(key)
	if !ok {
		v, _ = c.m.LoadOrStore(key, new(uint64))
	}
	atomic.AddUint64(v.(*uint64), n)
}

func (c *counterVec) has(key labeled) bool { _, ok := c.m.Load(key); return ok }

func (c *counterVec) write(w io.Writer, name string) {
	type sample struct {
		labels string
		n      uint64
	}
	var samples []sample
	c.m.Range(func(k, v interface{}) bool {
		samples = append(samples, sample{k.(labeled).labels(), atomic.LoadUint64(v.(*uint64))})
		return true
	})
	sort.Slice(samples, func(i, j int) bool { return samples[i].labels < samples[j].labels })
	for _, s := range samples {
		fmt.Fprintf(w, "%s{%s} %d\n", name, s.labels, s.n)
	}
}

type requestKey struct {
	path string
	code int
}

func (k requestKey) labels() string { return fmt.Sprintf("path=%q,code=\"%d\"", k.path, k.code) }

type reasonKey string

func (k reasonKey) labels() string { return fmt.Sprintf("reason=%q", string(k)) }

type imageKey struct {
	mode, outcome, code string
	rule                int // -1: none
	prefix              string
	other               bool // prefix past maxImageSeries
}

func (k imageKey) labels() string {
	rule, prefix := "", k.prefix
	if k.rule >= 0 {
		rule = strconv.Itoa(k.rule)
	}
	if k.other {
		prefix = "(other)"
	}
	return fmt.Sprintf("mode=%q,outcome=%q,code=%q,rule=%q,prefix=%q", k.mode, k.outcome, k.code, rule, prefix)
}

// metrics are the server's counters in Prometheus text format, updated with atomics.
type metrics struct {
	requests     counterVec // by path and HTTP status code
	patched      uint64     // responses carrying a patch
	patchOps     uint64
	objectErrors uint64     // objects or containers with an error (allowed, with a warning)
	badRequests  uint64     // bodies that are not AdmissionReviews, too large, wrong method
	rejected     counterVec // requests refused unanswered by review, by reason
	excluded     counterVec // objects left alone as a whole, by reason
	images       counterVec // container images, by mode, outcome, code, rule and prefix
	imageSeries  int64
	waited       uint64 // requests that queued for the memory budget
	buckets      []uint64
	sumMicros    uint64
	count        uint64
}

func newMetrics() *metrics { return &metrics{buckets: make([]uint64, len(latencyBuckets))} }

func (m *metrics) request(path string, code int, d time.Duration) {
	m.requests.add(requestKey{path, code}, 1)
	s := d.Seconds()
	for i, b := range latencyBuckets {
		if s <= b {
			atomic.AddUint64(&m.buckets[i], 1)
		}
	}
	atomic.AddUint64(&m.sumMicros, uint64(d.Microseconds()))
	atomic.AddUint64(&m.count, 1)
}

// answered counts what one review did.
func (m *metrics) answered(info imgrepl.AdmissionInfo, audit bool) {
	if info.PatchOps > 0 {
		atomic.AddUint64(&m.patched, 1)
		atomic.AddUint64(&m.patchOps, uint64(info.PatchOps))
	}
	if info.HasErrors {
		atomic.AddUint64(&m.objectErrors, 1)
	}
	if info.Excluded != "" {
		m.excluded.add(reasonKey(info.Excluded), 1)
	}
	mode := "mutate"
	if audit {
		mode = "audit"
	}
	for _, c := range info.Containers {
		key := imageKey{mode: mode, outcome: c.Outcome, code: c.Code, rule: c.Rule, prefix: c.Prefix}
		if !m.images.has(key) && atomic.AddInt64(&m.imageSeries, 1) > maxImageSeries {
			key.prefix, key.other = "", true
		}
		m.images.add(key, 1)
	}
}

func help(w io.Writer, name, kind, text string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, kind)
}

// write prints every metric; the server's parts that are not counters are passed in.
func (m *metrics) write(w io.Writer, b *budget, l *loader, cache *imgrepl.PolicyCache, draining bool) {
	help(w, "imgrepl_webhook_requests_total", "counter", "Admission requests (/mutate and /audit) by path and HTTP status code.")
	m.requests.write(w, "imgrepl_webhook_requests_total")
	help(w, "imgrepl_webhook_patched_total", "counter", "Admission responses that carried a JSON Patch.")
	fmt.Fprintf(w, "imgrepl_webhook_patched_total %d\n", atomic.LoadUint64(&m.patched))
	help(w, "imgrepl_webhook_patch_operations_total", "counter", "JSON Patch operations sent (one per rewritten image).")
	fmt.Fprintf(w, "imgrepl_webhook_patch_operations_total %d\n", atomic.LoadUint64(&m.patchOps))
	help(w, "imgrepl_webhook_errors_total", "counter", "Problems, by kind: object (allowed with a warning) or request (rejected with 4xx).")
	fmt.Fprintf(w, "imgrepl_webhook_errors_total{kind=\"object\"} %d\n", atomic.LoadUint64(&m.objectErrors))
	fmt.Fprintf(w, "imgrepl_webhook_errors_total{kind=\"request\"} %d\n", atomic.LoadUint64(&m.badRequests))
	help(w, "imgrepl_webhook_rejected_total", "counter", "Requests answered with an HTTP error before review, by reason (overloaded: the memory budget was not free within the request timeout).")
	m.rejected.write(w, "imgrepl_webhook_rejected_total")
	help(w, "imgrepl_webhook_excluded_total", "counter", "Objects left alone as a whole, by reason (the opt-out label or annotation, the server's own namespace).")
	m.excluded.write(w, "imgrepl_webhook_excluded_total")
	help(w, "imgrepl_webhook_images_total", "counter", "Container images reviewed, by mode (mutate or audit), outcome (rewritten, unchanged, error), error code, and the rule applied (its index and prefix in its policy).")
	m.images.write(w, "imgrepl_webhook_images_total")

	used, waiting := b.inUse()
	help(w, "imgrepl_webhook_memory_budget_bytes", "gauge", "The memory budget of the reviews in flight (--memory-budget).")
	fmt.Fprintf(w, "imgrepl_webhook_memory_budget_bytes %d\n", b.size)
	help(w, "imgrepl_webhook_memory_in_flight_bytes", "gauge", "The memory reserved by the reviews in flight (their estimated cost).")
	fmt.Fprintf(w, "imgrepl_webhook_memory_in_flight_bytes %d\n", used)
	help(w, "imgrepl_webhook_memory_waiting_requests", "gauge", "Requests waiting for the memory budget.")
	fmt.Fprintf(w, "imgrepl_webhook_memory_waiting_requests %d\n", waiting)
	help(w, "imgrepl_webhook_memory_waits_total", "counter", "Requests that waited for the memory budget.")
	fmt.Fprintf(w, "imgrepl_webhook_memory_waits_total %d\n", atomic.LoadUint64(&m.waited))

	if cache != nil {
		s := cache.Stats()
		help(w, "imgrepl_webhook_policy_cache_hits_total", "counter", "Annotation policies found compiled in the cache.")
		fmt.Fprintf(w, "imgrepl_webhook_policy_cache_hits_total %d\n", s.Hits)
		help(w, "imgrepl_webhook_policy_cache_misses_total", "counter", "Annotation policies compiled because the cache did not hold them.")
		fmt.Fprintf(w, "imgrepl_webhook_policy_cache_misses_total %d\n", s.Misses)
		help(w, "imgrepl_webhook_policy_cache_evictions_total", "counter", "Compiled policies evicted to stay within the cache's bounds.")
		fmt.Fprintf(w, "imgrepl_webhook_policy_cache_evictions_total %d\n", s.Evictions)
		help(w, "imgrepl_webhook_policy_cache_entries", "gauge", "Compiled policies in the cache.")
		fmt.Fprintf(w, "imgrepl_webhook_policy_cache_entries %d\n", s.Entries)
		help(w, "imgrepl_webhook_policy_cache_bytes", "gauge", "The estimated bytes of the cache.")
		fmt.Fprintf(w, "imgrepl_webhook_policy_cache_bytes %d\n", s.Bytes)
	}

	files := l.files()
	if len(files) > 0 {
		help(w, "imgrepl_webhook_reloads_total", "counter", "Loads of --policy and --pull-secrets files, by file and result (the start included).")
		for _, f := range files {
			fmt.Fprintf(w, "imgrepl_webhook_reloads_total{file=%q,result=\"success\"} %d\n", f.name, atomic.LoadUint64(&f.loads))
			fmt.Fprintf(w, "imgrepl_webhook_reloads_total{file=%q,result=\"failure\"} %d\n", f.name, atomic.LoadUint64(&f.failures))
		}
		help(w, "imgrepl_webhook_reload_last_success", "gauge", "1 when the last load of the file succeeded, 0 when the last good one is kept.")
		for _, f := range files {
			fmt.Fprintf(w, "imgrepl_webhook_reload_last_success{file=%q} %d\n", f.name, atomic.LoadInt32(&f.lastOK))
		}
		help(w, "imgrepl_webhook_reload_last_success_timestamp_seconds", "gauge", "When the file was last loaded successfully (unix seconds).")
		for _, f := range files {
			fmt.Fprintf(w, "imgrepl_webhook_reload_last_success_timestamp_seconds{file=%q} %d\n", f.name, atomic.LoadInt64(&f.lastSuccess))
		}
	}

	help(w, "imgrepl_webhook_draining", "gauge", "1 after SIGTERM: /readyz answers 503 while requests are still served.")
	d := 0
	if draining {
		d = 1
	}
	fmt.Fprintf(w, "imgrepl_webhook_draining %d\n", d)

	help(w, "imgrepl_webhook_request_duration_seconds", "histogram", "Time to answer an admission request.")
	for i, b := range latencyBuckets {
		fmt.Fprintf(w, "imgrepl_webhook_request_duration_seconds_bucket{le=\"%g\"} %d\n", b, atomic.LoadUint64(&m.buckets[i]))
	}
	count := atomic.LoadUint64(&m.count)
	fmt.Fprintf(w, "imgrepl_webhook_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", count)
	fmt.Fprintf(w, "imgrepl_webhook_request_duration_seconds_sum %g\n", float64(atomic.LoadUint64(&m.sumMicros))/1e6)
	fmt.Fprintf(w, "imgrepl_webhook_request_duration_seconds_count %d\n", count)
}
