package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imgrepl/imgrepl/go/imgrepl"
)

// logger writes one JSON object per line (log/slog needs Go 1.21; this builds with 1.19).
type logger struct {
	mu  sync.Mutex
	out io.Writer
}

func newLogger(out io.Writer) *logger { return &logger{out: out} }

func (l *logger) log(level, msg string, kv ...interface{}) {
	entry := map[string]interface{}{"time": time.Now().UTC().Format(time.RFC3339Nano), "level": level, "msg": msg}
	for i := 0; i+1 < len(kv); i += 2 {
		entry[fmt.Sprint(kv[i])] = kv[i+1]
	}
	line, err := json.Marshal(entry)
	if err != nil {
		line = []byte(fmt.Sprintf(`{"level":"error","msg":"unloggable entry: %q"}`, err.Error()))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.out.Write(append(line, '\n'))
}

func (l *logger) info(msg string, kv ...interface{})  { l.log("info", msg, kv...) }
func (l *logger) warn(msg string, kv ...interface{})  { l.log("warn", msg, kv...) }
func (l *logger) error(msg string, kv ...interface{}) { l.log("error", msg, kv...) }

// logWriter turns the lines of a standard log.Logger into warn entries.
type logWriter struct{ log *logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.warn(strings.TrimSpace(string(p)), "source", "net/http")
	return len(p), nil
}

// certReloader serves the certificate in certFile/keyFile, reloading it when either file's
// modification time or size changes (a Kubernetes Secret volume swaps both). A reload that
// fails keeps the previous certificate.
type certReloader struct {
	certFile, keyFile string
	log               *logger
	mu                sync.Mutex
	cert              *tls.Certificate
	stamp             string
	checked           time.Time
}

func newCertReloader(certFile, keyFile string, log *logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, log: log}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *certReloader) fileStamp() string {
	var b strings.Builder
	for _, f := range []string{r.certFile, r.keyFile} {
		if fi, err := os.Stat(f); err == nil {
			fmt.Fprintf(&b, "%d/%d;", fi.ModTime().UnixNano(), fi.Size())
		}
	}
	return b.String()
}

func (r *certReloader) reload() error {
	stamp := r.fileStamp()
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return err
	}
	r.cert, r.stamp = &cert, stamp
	return nil
}

// getCertificate is tls.Config.GetCertificate: at most one stat pair per second.
func (r *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checked) >= time.Second {
		r.checked = time.Now()
		if r.fileStamp() != r.stamp {
			if err := r.reload(); err != nil {
				r.log.error("certificate reload failed; keeping the previous one", "error", err.Error())
			} else {
				r.log.info("certificate reloaded", "cert", r.certFile)
			}
		}
	}
	return r.cert, nil
}

// reviewer answers an AdmissionReview body: imgrepl.ReviewAdmission with the current
// settings, or the floor in the load test. audit asks for warnings instead of a patch.
type reviewer func(body []byte, audit bool) ([]byte, imgrepl.AdmissionInfo, error)

// server holds the handlers' state.
type server struct {
	c        config
	review   reviewer
	log      *logger
	metrics  *metrics
	budget   *budget
	loader   *loader              // nil for the floor
	cache    *imgrepl.PolicyCache // nil when off
	draining int32
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/mutate", s.admission("/mutate", s.c.audit))
	mux.HandleFunc("/audit", s.admission("/audit", true))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if atomic.LoadInt32(&s.draining) != 0 {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		s.metrics.write(w, s.budget, s.loader, s.cache, atomic.LoadInt32(&s.draining) != 0)
	})
	return mux
}

// admission is the handler of /mutate or /audit.
func (s *server) admission(path string, audit bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		code := s.answer(w, r, start, audit)
		s.metrics.request(path, code, time.Since(start))
	}
}

// fail rejects a request that is not an AdmissionReview (the API server then applies the
// webhook's failurePolicy).
func (s *server) fail(w http.ResponseWriter, code int, msg string) int {
	atomic.AddUint64(&s.metrics.badRequests, 1)
	s.log.warn("request rejected", "status", code, "error", msg)
	http.Error(w, msg, code)
	return code
}

func (s *server) answer(w http.ResponseWriter, r *http.Request, start time.Time, audit bool) int {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return s.fail(w, http.StatusMethodNotAllowed, "POST an AdmissionReview")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return s.fail(w, http.StatusUnsupportedMediaType, "the body must be application/json")
	}
	tooLarge := func() int {
		return s.fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", s.c.maxBodyBytes))
	}
	size := r.ContentLength
	if size > s.c.maxBodyBytes {
		return tooLarge()
	}
	if size < 0 {
		size = s.c.maxBodyBytes
	}
	// The memory of the review is reserved before its body is read; a request that does not
	// fit waits for the ones in flight, at most until its deadline.
	reserved, ok := s.budget.tryAcquire(reviewCost(size))
	if !ok {
		atomic.AddUint64(&s.metrics.waited, 1)
		ctx, cancel := context.WithDeadline(r.Context(), start.Add(s.waitLimit(r)))
		var err error
		reserved, err = s.budget.acquire(ctx, reviewCost(size))
		cancel()
		if err != nil {
			s.metrics.rejected.add(reasonKey("overloaded"), 1)
			s.log.warn("request refused: the memory budget was not free in time", "status", http.StatusServiceUnavailable,
				"bytes", r.ContentLength, "budget", s.budget.size, "waited", time.Since(start).String())
			w.Header().Set("Retry-After", "1")
			http.Error(w, "overloaded: the reviews in flight use the memory budget; retry", http.StatusServiceUnavailable)
			return http.StatusServiceUnavailable
		}
	}
	defer s.budget.release(reserved)
	var body []byte
	var err error
	if r.ContentLength >= 0 {
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, s.c.maxBodyBytes))
	}
	if err != nil {
		var max *http.MaxBytesError
		if errors.As(err, &max) {
			return tooLarge()
		}
		return s.fail(w, http.StatusBadRequest, "cannot read the body: "+err.Error())
	}
	response, info, err := s.review(body, audit)
	if err != nil {
		return s.fail(w, http.StatusBadRequest, err.Error())
	}
	s.metrics.answered(info, audit)
	if info.HasErrors {
		s.log.warn("object allowed with errors (see the response warnings)", "bytes", len(body))
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(response)
	return http.StatusOK
}

// waitLimit is how long a request may wait for the budget: its read timeout, or less when
// the API server says it gives up sooner (it sends its timeoutSeconds as the query parameter
// "timeout", e.g. ?timeout=5s).
func (s *server) waitLimit(r *http.Request) time.Duration {
	limit := s.c.readTimeout
	if d, err := time.ParseDuration(r.URL.Query().Get("timeout")); err == nil && d > 0 && d < limit {
		limit = d
	}
	return limit
}

// memory derives the memory limit and the review budget from the flags: the limit is
// --memory-limit, else the container's cgroup limit, else 128 MiB; the budget is
// --memory-budget, else what the limit leaves after the server's base size and the policy
// cache.
func (c config) memory() (limit, budget int64) {
	limit = c.memoryLimit
	if limit == 0 {
		limit = cgroupMemoryLimit()
	}
	if limit == 0 {
		limit = defaultMemoryLimit
	}
	budget = c.memoryBudget
	if budget == 0 {
		budget = limit - baseMemory - c.cacheBytes
	}
	if min := reviewCost(64 << 10); budget < min {
		budget = min
	}
	return limit, budget
}

// run serves until ctx is done, then drains. ready, when not nil, receives the listening
// address once the server accepts connections.
func run(ctx context.Context, c config, log *logger, ready chan<- string) error {
	var cache *imgrepl.PolicyCache
	if c.cacheEntries > 0 {
		var err error
		if cache, err = imgrepl.NewPolicyCache(c.cacheEntries, c.cacheBytes); err != nil {
			return err
		}
		defer cache.Close()
	}
	l, err := newLoader(c, log, cache)
	if err != nil {
		return err
	}
	review := func(body []byte, audit bool) ([]byte, imgrepl.AdmissionInfo, error) {
		s := l.settings()
		if audit || c.audit {
			return s.audit.Review(body)
		}
		return s.mutate.Review(body)
	}
	watchCtx, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	go l.watch(watchCtx, c.reloadInterval)
	return serve(ctx, &server{c: c, review: review, log: log, loader: l, cache: cache}, ready)
}

// serve runs the HTTPS server of s. When ctx ends it drains: /readyz answers 503 at once while
// every endpoint is still served for --drain-delay (the API server keeps sending until the
// endpoints drop this pod), then the listener closes and the requests in flight get up to
// --shutdown-grace to finish.
func serve(ctx context.Context, s *server, ready chan<- string) error {
	c, log := s.c, s.log
	certs, err := newCertReloader(c.certFile, c.keyFile, log)
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	limit, size := c.memory()
	s.budget = newBudget(size)
	s.metrics = newMetrics()
	if s.loader == nil {
		s.loader = &loader{}
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// The Go heap holds the bodies in flight (a share of the budget) and their garbage:
		// collect before it could take more than its share of the limit.
		debug.SetMemoryLimit(limit - size + size/reviewBytesFactor*2)
	}
	if largest := reviewCost(c.maxBodyBytes); largest > size {
		log.warn("the memory budget is smaller than the cost of a review of --max-body-bytes: such a review runs alone",
			"budget", size, "cost", largest)
	}
	srv := &http.Server{
		Handler:           s.routes(),
		ReadTimeout:       c.readTimeout,
		ReadHeaderTimeout: c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.getCertificate},
		// net/http's own messages (TLS handshake errors, ...) as structured log lines too.
		ErrorLog: stdlog.New(logWriter{log}, "", 0),
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	log.info("listening", "addr", ln.Addr().String(), "version", imgrepl.Version(),
		"memory_limit", limit, "memory_budget", size, "audit", c.audit, "namespace", c.namespace)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	atomic.StoreInt32(&s.draining, 1)
	// New requests come on new connections, which the API server makes to ready endpoints.
	srv.SetKeepAlivesEnabled(false)
	log.info("draining: /readyz answers 503, requests are still served", "delay", c.drainDelay.String())
	select {
	case err := <-errc:
		return err
	case <-time.After(c.drainDelay):
	}
	log.info("shutting down: closing the listener, finishing requests in flight", "grace", c.shutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	log.info("shutdown complete")
	return nil
}
