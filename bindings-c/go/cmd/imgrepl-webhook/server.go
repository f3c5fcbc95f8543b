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
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	imgrepl "github.com/imgrepl/imgrepl/bindings-c/go"
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

// latencyBuckets are the upper bounds, in seconds, of the request latency histogram.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}

// metrics are counters in Prometheus text format, updated with atomics.
type metrics struct {
	requests     sync.Map // "code" -> *uint64
	patched      uint64   // responses carrying a patch
	patchOps     uint64
	objectErrors uint64 // objects or containers with an error (allowed, with a warning)
	badRequests  uint64 // bodies that are not AdmissionReviews, too large, wrong method
	buckets      []uint64
	sumMicros    uint64
	count        uint64
}

func newMetrics() *metrics { return &metrics{buckets: make([]uint64, len(latencyBuckets))} }

func (m *metrics) request(code int, d time.Duration) {
	key := fmt.Sprint(code)
	v, _ := m.requests.LoadOrStore(key, new(uint64))
	atomic.AddUint64(v.(*uint64), 1)
	s := d.Seconds()
	for i, b := range latencyBuckets {
		if s <= b {
			atomic.AddUint64(&m.buckets[i], 1)
		}
	}
	atomic.AddUint64(&m.sumMicros, uint64(d.Microseconds()))
	atomic.AddUint64(&m.count, 1)
}

func (m *metrics) write(w io.Writer) {
	fmt.Fprintln(w, "# HELP imgrepl_webhook_requests_total Requests to /mutate by HTTP status code.")
	fmt.Fprintln(w, "# TYPE imgrepl_webhook_requests_total counter")
	var codes []string
	m.requests.Range(func(k, _ interface{}) bool { codes = append(codes, k.(string)); return true })
	sort.Strings(codes)
	for _, c := range codes {
		v, _ := m.requests.Load(c)
		fmt.Fprintf(w, "imgrepl_webhook_requests_total{code=%q} %d\n", c, atomic.LoadUint64(v.(*uint64)))
	}
	fmt.Fprintln(w, "# HELP imgrepl_webhook_patched_total Admission responses that carried a JSON Patch.")
	fmt.Fprintln(w, "# TYPE imgrepl_webhook_patched_total counter")
	fmt.Fprintf(w, "imgrepl_webhook_patched_total %d\n", atomic.LoadUint64(&m.patched))
	fmt.Fprintln(w, "# HELP imgrepl_webhook_patch_operations_total JSON Patch operations sent (one per rewritten image).")
	fmt.Fprintln(w, "# TYPE imgrepl_webhook_patch_operations_total counter")
	fmt.Fprintf(w, "imgrepl_webhook_patch_operations_total %d\n", atomic.LoadUint64(&m.patchOps))
	fmt.Fprintln(w, "# HELP imgrepl_webhook_errors_total Problems, by kind: object (allowed with a warning) or request (rejected with 4xx).")
	fmt.Fprintln(w, "# TYPE imgrepl_webhook_errors_total counter")
	fmt.Fprintf(w, "imgrepl_webhook_errors_total{kind=\"object\"} %d\n", atomic.LoadUint64(&m.objectErrors))
	fmt.Fprintf(w, "imgrepl_webhook_errors_total{kind=\"request\"} %d\n", atomic.LoadUint64(&m.badRequests))
	fmt.Fprintln(w, "# HELP imgrepl_webhook_request_duration_seconds Time to answer /mutate.")
	fmt.Fprintln(w, "# TYPE imgrepl_webhook_request_duration_seconds histogram")
	for i, b := range latencyBuckets {
		fmt.Fprintf(w, "imgrepl_webhook_request_duration_seconds_bucket{le=\"%g\"} %d\n", b, atomic.LoadUint64(&m.buckets[i]))
	}
	count := atomic.LoadUint64(&m.count)
	fmt.Fprintf(w, "imgrepl_webhook_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", count)
	fmt.Fprintf(w, "imgrepl_webhook_request_duration_seconds_sum %g\n", float64(atomic.LoadUint64(&m.sumMicros))/1e6)
	fmt.Fprintf(w, "imgrepl_webhook_request_duration_seconds_count %d\n", count)
}

// reviewer answers an AdmissionReview body: imgrepl.ReviewAdmission, or the floor in the
// load test.
type reviewer func(body []byte) ([]byte, imgrepl.AdmissionInfo, error)

// server holds the handlers' state.
type server struct {
	review   reviewer
	maxBody  int64
	log      *logger
	metrics  *metrics
	draining int32
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/mutate", s.mutate)
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
		s.metrics.write(w)
	})
	return mux
}

func (s *server) mutate(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	code := s.answer(w, r)
	s.metrics.request(code, time.Since(start))
}

// fail rejects a request that is not an AdmissionReview (the API server then applies the
// webhook's failurePolicy).
func (s *server) fail(w http.ResponseWriter, code int, msg string) int {
	atomic.AddUint64(&s.metrics.badRequests, 1)
	s.log.warn("request rejected", "status", code, "error", msg)
	http.Error(w, msg, code)
	return code
}

func (s *server) answer(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return s.fail(w, http.StatusMethodNotAllowed, "POST an AdmissionReview")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return s.fail(w, http.StatusUnsupportedMediaType, "the body must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return s.fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", s.maxBody))
		}
		return s.fail(w, http.StatusBadRequest, "cannot read the body: "+err.Error())
	}
	response, info, err := s.review(body)
	if err != nil {
		return s.fail(w, http.StatusBadRequest, err.Error())
	}
	if info.PatchOps > 0 {
		atomic.AddUint64(&s.metrics.patched, 1)
		atomic.AddUint64(&s.metrics.patchOps, uint64(info.PatchOps))
	}
	if info.HasErrors {
		atomic.AddUint64(&s.metrics.objectErrors, 1)
		s.log.warn("object allowed with errors (see the response warnings)", "bytes", len(body))
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(response)
	return http.StatusOK
}

// run serves until ctx is done, then drains. ready, when not nil, receives the listening
// address once the server accepts connections.
func run(ctx context.Context, c config, log *logger, ready chan<- string) error {
	opts, err := c.options()
	if err != nil {
		return err
	}
	if opts.PullSecrets != nil {
		info, err := opts.PullSecrets.Info()
		if err != nil {
			return err
		}
		for _, p := range info.Problems {
			log.warn("pull secret not read", "file", c.pullSecrets, "code", p.Code, "pointer", p.Pointer, "message", p.Message)
		}
		log.info("pull secrets read", "file", c.pullSecrets, "secrets", len(info.Secrets))
	}
	review := func(body []byte) ([]byte, imgrepl.AdmissionInfo, error) {
		return imgrepl.ReviewAdmission(body, opts)
	}
	return serve(ctx, c, log, review, ready)
}

// serve runs the HTTPS server with the given reviewer.
func serve(ctx context.Context, c config, log *logger, review reviewer, ready chan<- string) error {
	certs, err := newCertReloader(c.certFile, c.keyFile, log)
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	s := &server{review: review, maxBody: c.maxBodyBytes, log: log, metrics: newMetrics()}
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
	log.info("listening", "addr", ln.Addr().String(), "version", imgrepl.Version())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	atomic.StoreInt32(&s.draining, 1)
	log.info("shutting down: draining requests", "grace", c.shutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	log.info("shutdown complete")
	return nil
}
