package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestBudgetIsFirstComeFirstServed(t *testing.T) {
	b := newBudget(100)
	ctx := context.Background()
	if n, ok := b.tryAcquire(60); n != 60 || !ok {
		t.Fatalf("first: %d %v", n, ok)
	}
	if n, ok := b.tryAcquire(50); n != 0 || ok {
		t.Fatalf("over the budget: %d %v", n, ok)
	}
	// 50 does not fit: it waits; 10 would fit but queues behind it (no overtaking).
	got := make(chan string, 2)
	go func() {
		n, _ := b.acquire(ctx, 50)
		b.release(n) // before saying so: the test reads the budget once both have said
		got <- "50"
	}()
	for _, waiting := b.inUse(); waiting != 1; _, waiting = b.inUse() {
		time.Sleep(time.Millisecond)
	}
	go func() {
		n, _ := b.acquire(ctx, 10)
		b.release(n) // before saying so: the test reads the budget once both have said
		got <- "10"
	}()
	for _, waiting := b.inUse(); waiting != 2; _, waiting = b.inUse() {
		time.Sleep(time.Millisecond)
	}
	select {
	case g := <-got:
		t.Fatalf("%s went before the budget was released", g)
	case <-time.After(20 * time.Millisecond):
	}
	b.release(60)
	<-got
	<-got
	if used, waiting := b.inUse(); used != 0 || waiting != 0 {
		t.Errorf("left %d used, %d waiting", used, waiting)
	}
	// Larger than the whole budget: runs alone.
	if n, err := b.acquire(ctx, 1000); n != 100 || err != nil {
		t.Errorf("oversized: %d %v", n, err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if n, ok := b.tryAcquire(1); n != 0 || ok {
		t.Errorf("a full budget: %d %v", n, ok)
	}
	if n, err := b.acquire(short, 1); n != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timed out: %d %v", n, err)
	}
	b.release(100)
	if used, waiting := b.inUse(); used != 0 || waiting != 0 {
		t.Errorf("after a timeout: %d used, %d waiting", used, waiting)
	}
}

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{{"0", 0}, {"128Mi", 128 << 20}, {"1Gi", 1 << 30}, {"64Ki", 64 << 10}, {"5M", 5_000_000}, {"300", 300}} {
		if got, err := parseBytes(c.in); err != nil || got != c.want {
			t.Errorf("%q: %d %v", c.in, got, err)
		}
	}
	for _, bad := range []string{"", "-1", "1.5Mi", "Mi", "12MB", "99999999999Gi"} {
		if _, err := parseBytes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "IMGREPL_WEBHOOK_MAIN=1", "IMGREPL_WEBHOOK_ARGS="+arg)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", arg, err, stderr.String())
		}
		for _, want := range []string{"Usage: imgrepl-webhook", "-drain-delay", "-memory-budget", "-audit"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%s: the usage lacks %q:\n%s", arg, want, stdout.String())
			}
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "IMGREPL_WEBHOOK_MAIN=1", "IMGREPL_WEBHOOK_ARGS=--no-such-flag")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var exit *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("a bad flag: %v", err)
	}
	if !strings.Contains(stderr.String(), "-h lists the flags") {
		t.Errorf("a bad flag: %s", stderr.String())
	}
}

// child is the real main() in a child process, for signals and memory.
type child struct {
	cmd    *exec.Cmd
	addr   string
	stderr *syncBuffer
	pool   *x509.CertPool
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	dir := t.TempDir()
	pool := writeCert(t, dir, "child")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args = append([]string{"--listen", addr, "--tls-cert", filepath.Join(dir, "tls.crt"), "--tls-key", filepath.Join(dir, "tls.key")}, args...)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "IMGREPL_WEBHOOK_MAIN=1", "IMGREPL_WEBHOOK_ARGS="+strings.Join(args, " "))
	c := &child{cmd: cmd, addr: addr, stderr: &syncBuffer{}, pool: pool}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.stderr.String(), `"msg":"listening"`) {
		if time.Now().After(deadline) {
			t.Fatalf("did not start: %s", c.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return c
}

// client makes an HTTPS client; keepAlive false opens a new connection per request.
func (c *child) client(keepAlive bool) *http.Client {
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: c.pool, MinVersion: tls.VersionTLS12},
		DisableKeepAlives: !keepAlive, MaxIdleConnsPerHost: 64,
	}}
}

// TestDrain sends SIGTERM under load: /readyz answers 503 on new connections at once, /mutate
// is still answered for the whole --drain-delay with no connection refused, then the process
// exits 0.
func TestDrain(t *testing.T) {
	const delay = 1500 * time.Millisecond
	c := startChild(t, "--drain-delay", delay.String(), "--shutdown-grace", "5s")
	fresh := c.client(false)
	body := review("drain", map[string]interface{}{"apiVersion": "v1", "kind": "Pod",
		"metadata": annotations(policyAnnotation), "spec": podSpec()}, "")
	var sent, ok, refusedEarly int64
	var sigterm atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				atomic.AddInt64(&sent, 1)
				resp, err := fresh.Post("https://"+c.addr+"/mutate", "application/json", bytes.NewReader(body))
				if err != nil {
					at, _ := sigterm.Load().(time.Time)
					if at.IsZero() || time.Since(at) < delay-100*time.Millisecond {
						atomic.AddInt64(&refusedEarly, 1)
						t.Errorf("refused during the drain delay: %v", err)
					}
					time.Sleep(10 * time.Millisecond)
					continue
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && bytes.Contains(out, []byte(`"patch"`)) {
					atomic.AddInt64(&ok, 1)
				} else {
					t.Errorf("answer %d %s", resp.StatusCode, out)
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if code := getCode(t, fresh, "https://"+c.addr+"/readyz"); code != 200 {
		t.Fatalf("/readyz before SIGTERM: %d", code)
	}
	okBefore := atomic.LoadInt64(&ok)
	sigterm.Store(time.Now())
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Draining is set at once.
	deadline := time.Now().Add(time.Second)
	for getCode(t, fresh, "https://"+c.addr+"/readyz") != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("/readyz still 200 a second after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code := getCode(t, fresh, "https://"+c.addr+"/healthz"); code != 200 {
		t.Errorf("/healthz while draining: %d", code)
	}
	time.Sleep(delay / 2)
	if atomic.LoadInt64(&ok) <= okBefore {
		t.Error("no /mutate answered after SIGTERM")
	}
	err := c.cmd.Wait()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("exit: %v\n%s", err, c.stderr.String())
	}
	took := time.Since(sigterm.Load().(time.Time))
	if took < delay {
		t.Errorf("exited %v after SIGTERM, before the drain delay", took)
	}
	for _, msg := range []string{`"msg":"draining`, `"msg":"shutdown complete"`} {
		if !strings.Contains(c.stderr.String(), msg) {
			t.Errorf("no %s in the log:\n%s", msg, c.stderr.String())
		}
	}
	t.Logf("drain: %d sent, %d answered with a patch, exit after %v", sent, ok, took)
}

func getCode(t *testing.T, client *http.Client, url string) int {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// metricValue reads one sample of the server's /metrics ("name{labels}").
func metricValue(t *testing.T, s *testServer, sample string) string {
	t.Helper()
	_, m := s.get(t, "/metrics")
	for _, line := range strings.Split(m, "\n") {
		if strings.HasPrefix(line, sample+" ") {
			return strings.TrimPrefix(line, sample+" ")
		}
	}
	return ""
}

// mutateImage posts a Pod with one container and no annotation, and returns the rewritten
// image ("" when there is no patch) and the warnings.
func mutateImage(t *testing.T, s *testServer, image string) (string, []string) {
	t.Helper()
	pod := map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]interface{}{"name": "p"},
		"spec": map[string]interface{}{"containers": []interface{}{map[string]interface{}{"name": "c", "image": image}}}}
	code, body := s.post(t, review("u", pod, ""))
	var resp struct {
		Response struct {
			Patch    []byte   `json:"patch"`
			Warnings []string `json:"warnings"`
		} `json:"response"`
	}
	if code != 200 || json.Unmarshal(body, &resp) != nil {
		t.Fatalf("%d %s", code, body)
	}
	if len(resp.Response.Patch) == 0 {
		return "", resp.Response.Warnings
	}
	var ops []struct{ Value string }
	if err := json.Unmarshal(resp.Response.Patch, &ops); err != nil || len(ops) != 1 {
		t.Fatalf("patch %s: %v", resp.Response.Patch, err)
	}
	return ops[0].Value, resp.Response.Warnings
}

// eventually retries f until it returns "" or the time is up, and reports the last message.
func eventually(t *testing.T, what string, f func() string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		msg := f()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeAtomically(t *testing.T, path, text string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestPolicyReload changes the --policy file in place, with a bad version in between, and
// then as a ConfigMap volume does: a ..data symlink swapped to a new timestamped directory.
func TestPolicyReload(t *testing.T) {
	rule := func(to string) string { return `[{"repositoryPrefix": "", "replaceWith": "` + to + `"}]` }
	t.Run("file replaced", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "policy.json")
		writeAtomically(t, file, rule("one.local/hub"))
		s := start(t, config{policyFile: file}, nil)
		defer s.stop()
		if got, _ := mutateImage(t, s, "nginx"); got != "one.local/hub/nginx" {
			t.Fatalf("before: %q", got)
		}
		writeAtomically(t, file, rule("two.local/hub"))
		eventually(t, "the new policy", func() string {
			if got, _ := mutateImage(t, s, "nginx"); got != "two.local/hub/nginx" {
				return got
			}
			return ""
		})
		writeAtomically(t, file, `[{"repositoryPrefix": "", "replaceWith": "Bad Mirror"}]`)
		eventually(t, "the failed reload in /metrics", func() string {
			if v := metricValue(t, s, `imgrepl_webhook_reload_last_success{file="policy"}`); v != "0" {
				return "last_success " + v
			}
			return ""
		})
		if got, _ := mutateImage(t, s, "nginx"); got != "two.local/hub/nginx" {
			t.Errorf("a bad file replaced the last good policy: %q", got)
		}
		if v := metricValue(t, s, `imgrepl_webhook_reloads_total{file="policy",result="failure"}`); v != "1" {
			t.Errorf("failures %q", v)
		}
		if v := metricValue(t, s, `imgrepl_webhook_reloads_total{file="policy",result="success"}`); v != "2" {
			t.Errorf("successes %q", v)
		}
		if !strings.Contains(s.logs.String(), `"msg":"reload failed; keeping the last good file"`) ||
			!strings.Contains(s.logs.String(), "Bad Mirror") {
			t.Errorf("the failed reload is not logged with its diagnostics:\n%s", s.logs.String())
		}
		writeAtomically(t, file, rule("three.local/hub"))
		eventually(t, "a good file after a bad one", func() string {
			if got, _ := mutateImage(t, s, "nginx"); got != "three.local/hub/nginx" {
				return got
			}
			return ""
		})
		if v := metricValue(t, s, `imgrepl_webhook_reload_last_success{file="policy"}`); v != "1" {
			t.Errorf("last_success %q after a good reload", v)
		}
		stamp, _ := strconv.ParseInt(metricValue(t, s, `imgrepl_webhook_reload_last_success_timestamp_seconds{file="policy"}`), 10, 64)
		if age := time.Now().Unix() - stamp; age < 0 || age > 10 {
			t.Errorf("last success %d s ago", age)
		}
	})
	t.Run("ConfigMap symlink swap", func(t *testing.T) {
		dir := t.TempDir()
		swap := func(version, text string) {
			data := filepath.Join(dir, "..2026_"+version)
			if err := os.Mkdir(data, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(data, "policy.json"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			tmp := filepath.Join(dir, "..data_tmp")
			if err := os.Symlink(filepath.Base(data), tmp); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
				t.Fatal(err)
			}
		}
		swap("1", rule("one.local/hub"))
		if err := os.Symlink("..data/policy.json", filepath.Join(dir, "policy.json")); err != nil {
			t.Fatal(err)
		}
		s := start(t, config{policyFile: filepath.Join(dir, "policy.json")}, nil)
		defer s.stop()
		if got, _ := mutateImage(t, s, "nginx"); got != "one.local/hub/nginx" {
			t.Fatalf("before: %q", got)
		}
		// The same size and, possibly, the same modification time: the inode tells.
		swap("2", rule("two.local/hub"))
		eventually(t, "the swapped policy", func() string {
			if got, _ := mutateImage(t, s, "nginx"); got != "two.local/hub/nginx" {
				return got
			}
			return ""
		})
	})
}

// TestPullSecretsReload replaces the --pull-secrets file: a pod whose secret did not cover
// the mirror is covered after the reload.
func TestPullSecretsReload(t *testing.T) {
	secret := func(registry string) string {
		return `{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "mirror"},
		  "stringData": {".dockerconfigjson": "{\"auths\": {\"` + registry + `\": {}}}"}}`
	}
	file := filepath.Join(t.TempDir(), "secrets.json")
	writeAtomically(t, file, secret("other.local"))
	s := start(t, config{pullSecrets: file}, nil)
	defer s.stop()
	warnings := func() string {
		pod := map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": annotations(`[{"repositoryPrefix": "", "replaceWith": "mirror.local/hub"}]`),
			"spec": map[string]interface{}{"imagePullSecrets": []interface{}{map[string]interface{}{"name": "mirror"}},
				"containers": []interface{}{map[string]interface{}{"name": "c", "image": "nginx"}}}}
		_, body := s.post(t, review("u", pod, ""))
		return string(body)
	}
	if w := warnings(); !strings.Contains(w, "covers mirror.local") {
		t.Fatalf("before: no pull-secret warning: %s", w)
	}
	writeAtomically(t, file, `{"kind": `)
	eventually(t, "the failed reload", func() string {
		if v := metricValue(t, s, `imgrepl_webhook_reload_last_success{file="pull-secrets"}`); v != "0" {
			return v
		}
		return ""
	})
	if w := warnings(); !strings.Contains(w, "covers mirror.local") {
		t.Errorf("a bad file changed the secrets: %s", w)
	}
	writeAtomically(t, file, secret("mirror.local"))
	eventually(t, "the reloaded secrets", func() string {
		if w := warnings(); strings.Contains(w, "warnings") {
			return w
		}
		return ""
	})
}

// bigPod is a Pod of about size bytes of JSON: containers with many environment variables,
// as the largest real pods are.
func bigPod(size int, image string) map[string]interface{} {
	var containers []interface{}
	for n := 0; n < size; {
		var env []interface{}
		for i := 0; i < 200; i++ {
			env = append(env, map[string]interface{}{"name": fmt.Sprintf("VARIABLE_%d", i), "value": strings.Repeat("v", 40)})
		}
		c := map[string]interface{}{"name": fmt.Sprintf("c%d", len(containers)), "image": image, "env": env}
		b, _ := json.Marshal(c)
		n += len(b)
		containers = append(containers, c)
	}
	return map[string]interface{}{"apiVersion": "v1", "kind": "Pod",
		"metadata": annotations(`[{"repositoryPrefix": "", "replaceWith": "mirror.local/hub"}]`),
		"spec":     map[string]interface{}{"containers": containers}}
}

// vmHWM reads the peak resident size of a process, in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	text, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// maxReviews are an UPDATE review as large as the server accepts (an object and its old
// object of about 3 MiB each) and a CREATE review of the same object.
func maxReviews(t *testing.T) (update, create []byte) {
	t.Helper()
	object := bigPod(3<<20-24<<10, "nginx:1.27")
	old := bigPod(3<<20-24<<10, "nginx:1.26")
	if b, _ := json.Marshal(object); len(b) > 3<<20 || len(b) < 3<<20-64<<10 {
		t.Fatalf("the object is %d bytes", len(b))
	}
	update, _ = json.Marshal(map[string]interface{}{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
		"request": map[string]interface{}{"uid": "large", "operation": "UPDATE", "object": object, "oldObject": old}})
	create, _ = json.Marshal(map[string]interface{}{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
		"request": map[string]interface{}{"uid": "large", "operation": "CREATE", "object": object}})
	if len(update) < 6_000_000 || len(update) > 7<<20 {
		t.Fatalf("the large body is %d bytes", len(update))
	}
	return update, create
}

// memoryLoad runs clients posting large for the duration, and one client posting a small
// review every 50 ms; it returns the server's peak RSS, the answers, and the slowest small one.
func memoryLoad(t *testing.T, c *child, large []byte, clients int, d time.Duration) (peak int64, large200, small200 int64, slowestSmall time.Duration) {
	t.Helper()
	small := review("small", map[string]interface{}{"apiVersion": "v1", "kind": "Pod",
		"metadata": annotations(policyAnnotation), "spec": podSpec()}, "")
	client := c.client(true)
	post := func(body []byte) (int, time.Duration, error) {
		start := time.Now()
		resp, err := client.Post("https://"+c.addr+"/mutate", "application/json", bytes.NewReader(body))
		if err != nil {
			return 0, 0, err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && !bytes.Contains(out, []byte(`"patch"`)) {
			return 0, 0, fmt.Errorf("no patch: %.200s", out)
		}
		return resp.StatusCode, time.Since(start), nil
	}
	until := time.Now().Add(d)
	var slowest int64
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(until) {
				code, _, err := post(large)
				if err != nil || code != 200 {
					t.Errorf("a large review: %d %v", code, err)
					return
				}
				atomic.AddInt64(&large200, 1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(until) {
			code, took, err := post(small)
			if err != nil || code != 200 {
				t.Errorf("a small review: %d %v", code, err)
				return
			}
			atomic.AddInt64(&small200, 1)
			if int64(took) > atomic.LoadInt64(&slowest) {
				atomic.StoreInt64(&slowest, int64(took))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	wg.Wait()
	return vmHWM(t, c.cmd.Process.Pid), large200, small200, time.Duration(slowest)
}

// TestMemoryBounded posts, from 16 clients at once, UPDATE reviews as large as the server
// accepts for a bounded time, with small reviews in between: the server's peak RSS stays
// under the deploy's 128 MiB limit, every request is answered 200, and the small ones within
// the timeout.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a 16-client load of 7 MB bodies, measured without -short and -race")
	}
	const limit = 128 << 20
	c := startChild(t, "--memory-limit", "128Mi", "--read-timeout", "20s", "--write-timeout", "20s")
	update, _ := maxReviews(t)
	base := vmHWM(t, c.cmd.Process.Pid)
	peak, large200, small200, slowest := memoryLoad(t, c, update, 16, 6*time.Second)
	t.Logf("peak RSS %.1f MiB (%.1f MiB at start); %d large and %d small reviews answered; slowest small %v",
		float64(peak)/(1<<20), float64(base)/(1<<20), large200, small200, slowest)
	if peak >= limit {
		t.Errorf("peak RSS %d bytes, over the %d-byte limit", peak, limit)
	}
	if large200 < 16 || small200 == 0 {
		t.Errorf("%d large and %d small reviews answered", large200, small200)
	}
	if slowest > 10*time.Second {
		t.Errorf("a small review took %v", slowest)
	}
}

// TestMemoryProfile prints the server's peak RSS for 1, 4 and 16 clients posting max-size
// CREATE and UPDATE reviews, with the deploy's 128 MiB limit and with the budget off (a
// budget as large as the machine). It runs only when IMGREPL_MEMORY_PROFILE is set, for
// BENCHMARKS.md: IMGREPL_MEMORY_PROFILE=1 go test -run TestMemoryProfile -v . (in webhook/)
func TestMemoryProfile(t *testing.T) {
	if os.Getenv("IMGREPL_MEMORY_PROFILE") == "" || raceEnabled {
		t.Skip("set IMGREPL_MEMORY_PROFILE=1 (and no -race)")
	}
	update, create := maxReviews(t)
	for _, budget := range []string{"", "64Gi"} {
		for _, body := range []struct {
			name string
			b    []byte
		}{{"CREATE", create}, {"UPDATE", update}} {
			for _, clients := range []int{1, 4, 16} {
				args := []string{"--memory-limit", "128Mi", "--read-timeout", "30s", "--write-timeout", "30s"}
				if budget != "" {
					args = append(args, "--memory-budget", budget)
				}
				c := startChild(t, args...)
				peak, n, _, _ := memoryLoad(t, c, body.b, clients, 4*time.Second)
				_ = c.cmd.Process.Signal(syscall.SIGKILL)
				_ = c.cmd.Wait()
				name := "budget of the 128Mi limit"
				if budget != "" {
					name = "no budget"
				}
				fmt.Printf("memory %s body=%s bytes=%d clients=%d peak_mib=%.1f reviews=%d\n", name, body.name, len(body.b), clients, float64(peak)/(1<<20), n)
			}
		}
	}
}

// TestOverBudgetWaitsThenIsRefused holds the whole budget with a client that sends its body
// slowly: a review posted meanwhile waits, and is answered as soon as the budget is free; one
// that cannot get it before its timeout (the API server's ?timeout=) is answered 503, counted
// and logged.
func TestOverBudgetWaitsThenIsRefused(t *testing.T) {
	const declared = 100_000
	s := start(t, config{memoryBudget: reviewCost(declared), readTimeout: 800 * time.Millisecond,
		writeTimeout: 800 * time.Millisecond, shutdownGrace: time.Second}, nil)
	defer s.stop()
	small := review("small", map[string]interface{}{"apiVersion": "v1", "kind": "Pod",
		"metadata": annotations(policyAnnotation), "spec": podSpec()}, "")
	// hold sends the headers of a large body and part of it, then the rest after d.
	hold := func(d time.Duration) chan error {
		done := make(chan error, 1)
		conn, err := tls.Dial("tcp", s.addr, s.client.Transport.(*http.Transport).TLSClientConfig)
		if err != nil {
			t.Fatal(err)
		}
		head := fmt.Sprintf("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", declared)
		if _, err := io.WriteString(conn, head+"{"); err != nil {
			t.Fatal(err)
		}
		go func() {
			defer conn.Close()
			time.Sleep(d)
			_, err := io.WriteString(conn, strings.Repeat(" ", declared-2)+"}")
			if err == nil {
				buf := make([]byte, 4096)
				_, err = conn.Read(buf)
			}
			done <- err
		}()
		// Wait until the server has reserved it.
		eventually(t, "the held reservation", func() string {
			if v := metricValue(t, s, "imgrepl_webhook_memory_in_flight_bytes"); v != strconv.FormatInt(reviewCost(declared), 10) {
				return "in flight " + v
			}
			return ""
		})
		return done
	}

	held := hold(300 * time.Millisecond)
	began := time.Now()
	if code, body := s.post(t, small); code != 200 || !bytes.Contains(body, []byte(`"patch"`)) {
		t.Fatalf("a review that waited: %d %s", code, body)
	}
	if waited := time.Since(began); waited < 200*time.Millisecond {
		t.Errorf("answered after %v: did not wait for the budget", waited)
	}
	<-held

	held = hold(700 * time.Millisecond)
	resp, err := s.client.Post("https://"+s.addr+"/mutate?timeout=200ms", "application/json", bytes.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	code := resp.StatusCode
	if resp.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "overloaded") {
		t.Errorf("a review that could not wait: %d %s", code, body)
	}
	<-held
	if v := metricValue(t, s, `imgrepl_webhook_rejected_total{reason="overloaded"}`); v != "1" {
		t.Errorf("overloaded %q", v)
	}
	if v := metricValue(t, s, "imgrepl_webhook_memory_waits_total"); v != "2" {
		t.Errorf("waits %q", v)
	}
	if !strings.Contains(s.logs.String(), "the memory budget was not free in time") {
		t.Errorf("no log line:\n%s", s.logs.String())
	}
	eventually(t, "the budget released", func() string {
		if v := metricValue(t, s, "imgrepl_webhook_memory_in_flight_bytes"); v != "0" {
			return v
		}
		return ""
	})
	if code, _ := s.post(t, small); code != 200 {
		t.Errorf("after the slow client: %d", code)
	}
}

// reviewIn is review() in a namespace, posted to path; it returns the response's patch
// operations and warnings.
func postReview(t *testing.T, s *testServer, path, namespace string, object map[string]interface{}) ([]map[string]interface{}, []string) {
	t.Helper()
	body, _ := json.Marshal(map[string]interface{}{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
		"request": map[string]interface{}{"uid": "u", "operation": "CREATE", "namespace": namespace, "object": object}})
	resp, err := s.client.Post("https://"+s.addr+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var r struct {
		Response struct {
			UID      string   `json:"uid"`
			Allowed  bool     `json:"allowed"`
			Patch    []byte   `json:"patch"`
			Warnings []string `json:"warnings"`
		} `json:"response"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(out, &r) != nil || !r.Response.Allowed || r.Response.UID != "u" {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, out)
	}
	var ops []map[string]interface{}
	if len(r.Response.Patch) > 0 {
		if err := json.Unmarshal(r.Response.Patch, &ops); err != nil {
			t.Fatal(err)
		}
	}
	return ops, r.Response.Warnings
}

func labelledPod(labels map[string]interface{}) map[string]interface{} {
	meta := annotations(policyAnnotation)
	if labels != nil {
		meta["labels"] = labels
	}
	return map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": podSpec()}
}

// TestAuditExclusionsAndRuleMetrics: /audit and --audit answer with warnings and no patch;
// the server's own namespace and the opt-out label are left alone; every image is counted
// by mode, outcome and rule; the policy cache is counted.
func TestAuditExclusionsAndRuleMetrics(t *testing.T) {
	s := start(t, config{namespace: "imgrepl-system"}, nil)
	defer s.stop()

	ops, warnings := postReview(t, s, "/mutate", "shop", labelledPod(nil))
	if len(ops) != 2 {
		t.Fatalf("/mutate: %v %q", ops, warnings)
	}
	ops, warnings = postReview(t, s, "/audit", "shop", labelledPod(nil))
	if len(ops) != 0 || !strings.Contains(strings.Join(warnings, "\n"), `audit: would rewrite containers[0] "web" from "harbor.domain/team/web:2.1" to "mirror.local/org1/team/web:2.1"`) {
		t.Errorf("/audit: %v %q", ops, warnings)
	}
	ops, warnings = postReview(t, s, "/mutate", "imgrepl-system", labelledPod(nil))
	if len(ops) != 0 {
		t.Errorf("the server's own namespace: %v %q", ops, warnings)
	}
	ops, warnings = postReview(t, s, "/mutate", "shop", labelledPod(map[string]interface{}{"imgrepl.io/exclude": "true"}))
	if len(ops) != 0 || !strings.Contains(strings.Join(warnings, "\n"), "imgrepl.io/exclude") {
		t.Errorf("opted out: %v %q", ops, warnings)
	}
	// Nested deeper than the library reads: allowed, with a warning, never a 400.
	deep := labelledPod(nil)
	var nest interface{} = "x"
	for i := 0; i < 200; i++ {
		nest = []interface{}{nest}
	}
	deep["spec"].(map[string]interface{})["deep"] = nest
	ops, warnings = postReview(t, s, "/mutate", "shop", deep)
	if len(ops) != 0 || !strings.Contains(strings.Join(warnings, "\n"), "deeper") {
		t.Errorf("200 levels deep: %v %q", ops, warnings)
	}

	for sample, want := range map[string]string{
		`imgrepl_webhook_images_total{mode="mutate",outcome="rewritten",code="",rule="0",prefix="harbor.domain"}`: "1",
		`imgrepl_webhook_images_total{mode="mutate",outcome="rewritten",code="",rule="1",prefix=""}`:              "1",
		`imgrepl_webhook_images_total{mode="mutate",outcome="unchanged",code="",rule="",prefix=""}`:               "1",
		`imgrepl_webhook_images_total{mode="audit",outcome="rewritten",code="",rule="0",prefix="harbor.domain"}`:  "1",
		`imgrepl_webhook_excluded_total{reason="excluded-namespace"}`:                                             "1",
		`imgrepl_webhook_excluded_total{reason="excluded"}`:                                                       "1",
		`imgrepl_webhook_patched_total`:                             "1",
		`imgrepl_webhook_errors_total{kind="object"}`:               "1",
		`imgrepl_webhook_errors_total{kind="request"}`:              "0",
		`imgrepl_webhook_policy_cache_misses_total`:                 "1",
		`imgrepl_webhook_policy_cache_hits_total`:                   "1", // /audit; the others are left before their policy is read
		`imgrepl_webhook_policy_cache_entries`:                      "1",
		`imgrepl_webhook_requests_total{path="/audit",code="200"}`:  "1",
		`imgrepl_webhook_requests_total{path="/mutate",code="200"}`: "4",
	} {
		if got := metricValue(t, s, sample); got != want {
			t.Errorf("%s = %q, want %s", sample, got, want)
		}
	}

	whole := start(t, config{audit: true}, nil)
	defer whole.stop()
	if ops, warnings := postReview(t, whole, "/mutate", "shop", labelledPod(nil)); len(ops) != 0 || len(warnings) == 0 {
		t.Errorf("--audit: %v %q", ops, warnings)
	}
}

// TestBothBurstingLabels: --burst reads the CCI 2.0 label and the CCI 1.0 one.
func TestBothBurstingLabels(t *testing.T) {
	s := start(t, config{burst: "enforce"}, nil)
	defer s.stop()
	for _, c := range []struct {
		labels  map[string]interface{}
		patched bool
	}{
		{map[string]interface{}{"bursting.cci.io/burst-to-cci": "enforce"}, true},
		{map[string]interface{}{"virtual-kubelet.io/burst-to-cci": "enforce"}, true},
		{map[string]interface{}{"bursting.cci.io/burst-to-cci": "off"}, false},
		{map[string]interface{}{"bursting.cci.io/burst-to-cci": "enforce", "virtual-kubelet.io/burst-to-cci": "off"}, true},
		{nil, false},
	} {
		ops, warnings := postReview(t, s, "/mutate", "shop", labelledPod(c.labels))
		if (len(ops) > 0) != c.patched {
			t.Errorf("%v: %v %q", c.labels, ops, warnings)
		}
	}
}
