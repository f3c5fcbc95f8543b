package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The memory model of one review, measured (BENCHMARKS.md, "The webhook's memory"): the body
// read into Go, the object parsed into a tree by the library, and the response. A review of
// n body bytes is charged reviewCost(n) against the budget before its body is read.
const (
	// reviewBytesFactor is how many bytes of memory one byte of body costs at the peak of
	// its review, rounded up from the measurement.
	reviewBytesFactor = 8
	// reviewFixedCost covers a request's own buffers (TLS records, headers, the goroutine).
	reviewFixedCost = 128 << 10
	// baseMemory is the server's resident size with no request in flight (the Go runtime,
	// the library, the certificate, an empty policy cache), measured and rounded up.
	baseMemory = 24 << 20
	// defaultMemoryLimit is assumed when neither --memory-limit nor a cgroup limit says more.
	defaultMemoryLimit = 128 << 20
)

// reviewCost is what a review of n body bytes is charged.
func reviewCost(n int64) int64 { return reviewBytesFactor*n + reviewFixedCost }

// budget is a first-come, first-served weighted semaphore over the estimated bytes of the
// reviews in flight. A request that does not fit waits, in order, until earlier ones finish
// or its context ends; one larger than the whole budget runs alone.
type budget struct {
	size    int64
	mu      sync.Mutex
	used    int64
	waiters []*waiter
}

type waiter struct {
	n     int64
	ready chan struct{}
}

func newBudget(size int64) *budget { return &budget{size: size} }

// tryAcquire reserves n bytes (at most the whole budget) when they fit now and nobody waits;
// it returns the amount reserved, to release.
func (b *budget) tryAcquire(n int64) (int64, bool) {
	if n > b.size {
		n = b.size
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.waiters) == 0 && b.used+n <= b.size {
		b.used += n
		return n, true
	}
	return 0, false
}

// acquire reserves n bytes (at most the whole budget), waiting in line while they do not
// fit; it returns the amount reserved, to release, or the context's error having reserved
// nothing.
func (b *budget) acquire(ctx context.Context, n int64) (int64, error) {
	if n > b.size {
		n = b.size
	}
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+n <= b.size {
		b.used += n
		b.mu.Unlock()
		return n, nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready:
		// Granted while giving up: hand it back.
		b.used -= n
	default:
		for i, x := range b.waiters {
			if x == w {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
	}
	// The head may have changed (this waiter was it, or bytes came back): wake who fits now.
	b.grantLocked()
	return 0, ctx.Err()
}

// release returns n reserved bytes.
func (b *budget) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.grantLocked()
}

// grantLocked admits waiters from the head of the queue while they fit.
func (b *budget) grantLocked() {
	for len(b.waiters) > 0 {
		w := b.waiters[0]
		if b.used+w.n > b.size {
			return
		}
		b.used += w.n
		b.waiters = b.waiters[1:]
		close(w.ready)
	}
}

// inUse returns the bytes reserved and the number of requests waiting.
func (b *budget) inUse() (int64, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, len(b.waiters)
}

// cgroupMemoryLimit reads the container's memory limit (cgroup v2, then v1); 0 when there is
// none or it cannot be read.
func cgroupMemoryLimit() int64 {
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		text, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(text)), 10, 64)
		// "max", or v1's "no limit" (a number near 2^63).
		if err != nil || n <= 0 || n >= 1<<50 {
			return 0
		}
		return n
	}
	return 0
}

// parseBytes reads a byte count: a plain number, or with a Kubernetes suffix (Ki, Mi, Gi; k,
// M, G).
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		scale  int64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"k", 1000}, {"M", 1000_000}, {"G", 1000_000_000}}
	scale := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, scale = strings.TrimSuffix(s, u.suffix), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/scale {
		return 0, fmt.Errorf("%q is not a byte count (a number, optionally with Ki, Mi, Gi, k, M or G)", s)
	}
	return n * scale, nil
}

// byteSize is a flag.Value of bytes.
type byteSize struct{ n *int64 }

func (b byteSize) String() string {
	if b.n == nil {
		return "0"
	}
	return strconv.FormatInt(*b.n, 10)
}

func (b byteSize) Set(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return err
	}
	*b.n = n
	return nil
}
