package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/imgrepl/imgrepl/go/imgrepl"
)

// TestMain lets a test run the real main() in a child process (for SIGTERM).
func TestMain(m *testing.M) {
	if os.Getenv("IMGREPL_WEBHOOK_MAIN") == "1" {
		os.Args = append([]string{"imgrepl-webhook"}, strings.Fields(os.Getenv("IMGREPL_WEBHOOK_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// writeCert makes a self-signed certificate for 127.0.0.1 in dir and returns a pool trusting it.
func writeCert(t testing.TB, dir, cn string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	// Written to temporary names and renamed, as a Secret volume swaps files atomically.
	for name, data := range map[string][]byte{"tls.crt": certPEM, "tls.key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})} {
		tmp := filepath.Join(dir, name+".tmp")
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return pool
}

type testServer struct {
	dir    string // holds tls.crt and tls.key
	addr   string
	client *http.Client
	stop   func()
	logs   *syncBuffer
}

// syncBuffer is a log sink safe for concurrent writes and reads (only these two methods).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs the server on a loopback port with a fresh certificate; review nil means the
// real imgrepl reviewer built from c.
func start(t testing.TB, c config, review reviewer) *testServer {
	t.Helper()
	dir := t.TempDir()
	pool := writeCert(t, dir, "imgrepl-webhook-test")
	c.listen = "127.0.0.1:0"
	c.certFile, c.keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if c.maxBodyBytes == 0 {
		c.maxBodyBytes = 1 << 20
	}
	if c.readTimeout == 0 {
		c.readTimeout, c.writeTimeout, c.shutdownGrace = 5*time.Second, 5*time.Second, 5*time.Second
	}
	if c.mode == "" {
		c.mode = "longest-prefix"
	}
	switch c.cacheEntries {
	case 0:
		c.cacheEntries, c.cacheBytes = 1024, 8<<20
	case -1: // no cache
		c.cacheEntries = 0
	}
	if c.reloadInterval == 0 {
		c.reloadInterval = 20 * time.Millisecond
	}
	logs := &syncBuffer{}
	log := newLogger(logs)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		if review == nil {
			done <- run(ctx, c, log, ready)
		} else {
			done <- serve(ctx, &server{c: c, review: review, log: log}, ready)
		}
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 64,
	}}
	ts := &testServer{dir: dir, addr: addr, client: client, logs: logs}
	ts.stop = func() {
		client.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	}
	return ts
}

func (s *testServer) post(t testing.TB, body []byte) (int, []byte) {
	t.Helper()
	resp, err := s.client.Post("https://"+s.addr+"/mutate", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (s *testServer) get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := s.client.Get("https://" + s.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

const policyAnnotation = `[{"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.local/org1"}, {"repositoryPrefix": "", "replaceWith": "mirror.local/hub"}]`

func annotations(policy string) map[string]interface{} {
	return map[string]interface{}{"annotations": map[string]interface{}{"coordinator.cci.io/image-replacement": policy}}
}

func podSpec() map[string]interface{} {
	return map[string]interface{}{
		"initContainers": []interface{}{map[string]interface{}{"name": "init", "image": "busybox:1.36"}},
		"containers": []interface{}{
			map[string]interface{}{"name": "web", "image": "harbor.domain/team/web:2.1"},
			map[string]interface{}{"name": "side", "image": "quay.io/x/y:1"},
		},
	}
}

func review(uid string, object map[string]interface{}, subResource string) []byte {
	req := map[string]interface{}{"uid": uid, "operation": "CREATE", "object": object,
		"kind": map[string]interface{}{"group": "", "version": "v1", "kind": object["kind"]}}
	if subResource != "" {
		req["subResource"] = subResource
		req["operation"] = "UPDATE"
	}
	b, _ := json.Marshal(map[string]interface{}{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req})
	return b
}

// applyPatch applies RFC 6902 "replace" operations (the only kind imgrepl emits; anything else
// fails the test) to a decoded JSON document.
func applyPatch(t *testing.T, doc interface{}, patch []map[string]interface{}) {
	t.Helper()
	for _, op := range patch {
		if op["op"] != "replace" {
			t.Fatalf("unexpected op %v", op)
		}
		tokens := strings.Split(strings.TrimPrefix(op["path"].(string), "/"), "/")
		node := doc
		for i, tok := range tokens {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			last := i == len(tokens)-1
			switch n := node.(type) {
			case map[string]interface{}:
				if _, ok := n[tok]; !ok {
					t.Fatalf("patch path %v: no %q", op["path"], tok)
				}
				if last {
					n[tok] = op["value"]
				}
				node = n[tok]
			case []interface{}:
				idx, err := strconv.Atoi(tok)
				if err != nil || idx >= len(n) {
					t.Fatalf("patch path %v: bad index %q", op["path"], tok)
				}
				if last {
					n[idx] = op["value"]
				}
				node = n[idx]
			default:
				t.Fatalf("patch path %v goes through a scalar", op["path"])
			}
		}
	}
}

// images lists container images by list name under a pod spec.
func images(spec map[string]interface{}) map[string][]string {
	out := map[string][]string{}
	for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
		cs, _ := spec[list].([]interface{})
		for _, c := range cs {
			out[list] = append(out[list], c.(map[string]interface{})["image"].(string))
		}
	}
	return out
}

func dig(m map[string]interface{}, path ...string) map[string]interface{} {
	for _, p := range path {
		m = m[p].(map[string]interface{})
	}
	return m
}

func TestMutate(t *testing.T) {
	s := start(t, config{}, nil)
	defer s.stop()
	deployment := map[string]interface{}{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]interface{}{"name": "web"},
		"spec": map[string]interface{}{"template": map[string]interface{}{"metadata": annotations(policyAnnotation), "spec": podSpec()}}}
	pod := map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": annotations(policyAnnotation), "spec": podSpec()}
	cronJob := map[string]interface{}{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": map[string]interface{}{"name": "c"},
		"spec": map[string]interface{}{"schedule": "* * * * *", "jobTemplate": map[string]interface{}{"spec": map[string]interface{}{
			"template": map[string]interface{}{"metadata": annotations(policyAnnotation), "spec": podSpec()}}}}}
	ephemeralSpec := podSpec()
	ephemeralSpec["ephemeralContainers"] = []interface{}{map[string]interface{}{"name": "debug", "image": "busybox:1.36"}}
	ephemeral := map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": annotations(policyAnnotation), "spec": ephemeralSpec}
	badPolicy := map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": annotations(`[{"repositoryPrefix": "a"}]`), "spec": podSpec()}

	want := map[string][]string{
		"initContainers": {"mirror.local/hub/busybox:1.36"},
		"containers":     {"mirror.local/org1/team/web:2.1", "quay.io/x/y:1"},
	}
	cases := []struct {
		name     string
		object   map[string]interface{}
		sub      string
		specPath []string
		want     map[string][]string
		warning  string
	}{
		{"deployment", deployment, "", []string{"spec", "template", "spec"}, want, ""},
		{"pod", pod, "", []string{"spec"}, want, ""},
		{"cronjob", cronJob, "", []string{"spec", "jobTemplate", "spec", "template", "spec"}, want, ""},
		{"ephemeral containers subresource", ephemeral, "ephemeralcontainers", []string{"spec"}, map[string][]string{
			"initContainers": {"busybox:1.36"}, "containers": {"harbor.domain/team/web:2.1", "quay.io/x/y:1"},
			"ephemeralContainers": {"mirror.local/hub/busybox:1.36"}}, ""},
		{"invalid policy", badPolicy, "", []string{"spec"}, map[string][]string{
			"initContainers": {"busybox:1.36"}, "containers": {"harbor.domain/team/web:2.1", "quay.io/x/y:1"}}, "replaceWith"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			uid := fmt.Sprintf("uid-%d", i)
			code, body := s.post(t, review(uid, c.object, c.sub))
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			var resp struct {
				APIVersion, Kind string
				Response         struct {
					UID       string   `json:"uid"`
					Allowed   bool     `json:"allowed"`
					PatchType string   `json:"patchType"`
					Patch     string   `json:"patch"`
					Warnings  []string `json:"warnings"`
				} `json:"response"`
			}
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.APIVersion != "admission.k8s.io/v1" || resp.Kind != "AdmissionReview" || resp.Response.UID != uid || !resp.Response.Allowed {
				t.Fatalf("response %s", body)
			}
			// Round-trip the object through JSON, apply the patch, and read the images back.
			raw, _ := json.Marshal(c.object)
			var doc map[string]interface{}
			_ = json.Unmarshal(raw, &doc)
			if resp.Response.Patch != "" {
				if resp.Response.PatchType != "JSONPatch" {
					t.Fatalf("patchType %q", resp.Response.PatchType)
				}
				decoded, err := base64.StdEncoding.DecodeString(resp.Response.Patch)
				if err != nil {
					t.Fatal(err)
				}
				var patch []map[string]interface{}
				if err := json.Unmarshal(decoded, &patch); err != nil {
					t.Fatal(err)
				}
				applyPatch(t, doc, patch)
			}
			got := images(dig(doc, c.specPath...))
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("images after the patch %v, want %v", got, c.want)
			}
			if c.warning != "" && !strings.Contains(strings.Join(resp.Response.Warnings, "\n"), c.warning) {
				t.Errorf("warnings %q lack %q", resp.Response.Warnings, c.warning)
			}
		})
	}

	t.Run("malformed body", func(t *testing.T) {
		code, body := s.post(t, []byte(`{"apiVersion": "admission.k8s.io/v1", "kind": `))
		if code != http.StatusBadRequest || !strings.Contains(string(body), "JSON") {
			t.Errorf("%d %s", code, body)
		}
	})
	t.Run("not a review", func(t *testing.T) {
		code, _ := s.post(t, []byte(`{"kind": "Pod"}`))
		if code != http.StatusBadRequest {
			t.Errorf("%d", code)
		}
	})
	t.Run("oversize body", func(t *testing.T) {
		code, _ := s.post(t, bytes.Repeat([]byte(" "), 2<<20))
		if code != http.StatusRequestEntityTooLarge {
			t.Errorf("%d", code)
		}
	})
	t.Run("wrong method and content type", func(t *testing.T) {
		if code, _ := s.get(t, "/mutate"); code != http.StatusMethodNotAllowed {
			t.Errorf("GET /mutate: %d", code)
		}
		resp, err := s.client.Post("https://"+s.addr+"/mutate", "text/plain", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("text/plain: %d", resp.StatusCode)
		}
	})
	t.Run("health and metrics", func(t *testing.T) {
		if code, body := s.get(t, "/healthz"); code != 200 || body != "ok\n" {
			t.Errorf("healthz %d %q", code, body)
		}
		if code, _ := s.get(t, "/readyz"); code != 200 {
			t.Errorf("readyz %d", code)
		}
		_, m := s.get(t, "/metrics")
		for _, line := range []string{
			`imgrepl_webhook_requests_total{path="/mutate",code="200"} 5`,
			`imgrepl_webhook_requests_total{path="/mutate",code="400"} 2`,
			`imgrepl_webhook_requests_total{path="/mutate",code="413"} 1`,
			`imgrepl_webhook_patched_total 4`,
			`imgrepl_webhook_patch_operations_total 7`,
			`imgrepl_webhook_errors_total{kind="object"} 1`,
			`imgrepl_webhook_errors_total{kind="request"} 5`,
			`imgrepl_webhook_request_duration_seconds_bucket{le="+Inf"} 10`,
			`imgrepl_webhook_request_duration_seconds_count 10`,
			"# TYPE imgrepl_webhook_request_duration_seconds histogram",
		} {
			if !strings.Contains(m, line+"\n") {
				t.Errorf("metrics lack %q:\n%s", line, m)
			}
		}
	})
	// Every log line is one JSON object with time, level and msg.
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var entry map[string]interface{}
		if err := json.Unmarshal([]byte(line), &entry); err != nil || entry["level"] == nil || entry["msg"] == nil || entry["time"] == nil {
			t.Errorf("log line %q is not structured", line)
		}
	}
}

func TestPolicyFileOverridesAnnotations(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(file, []byte(`[{"repositoryPrefix": "", "replaceWith": "override.local/x"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, config{policyFile: file}, nil)
	defer s.stop()
	pod := map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": annotations(policyAnnotation), "spec": podSpec()}
	_, body := s.post(t, review("u", pod, ""))
	var resp struct {
		Response struct{ Patch string } `json:"response"`
	}
	_ = json.Unmarshal(body, &resp)
	patch, _ := base64.StdEncoding.DecodeString(resp.Response.Patch)
	if !strings.Contains(string(patch), "override.local/x/busybox:1.36") {
		t.Errorf("patch %s", patch)
	}
	// A bad policy file stops the server from starting.
	if err := os.WriteFile(file, []byte(`[{"repositoryPrefix": ""}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), config{policyFile: file, mode: "longest-prefix", certFile: "x", keyFile: "y"}, newLogger(io.Discard), nil)
	if err == nil || !strings.Contains(err.Error(), "policy.json") {
		t.Errorf("bad policy file: %v", err)
	}
}

func TestCertificateReload(t *testing.T) {
	s := start(t, config{}, nil)
	defer s.stop()
	serial := func() string {
		conn, err := tls.Dial("tcp", s.addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reading the served certificate
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
	}
	before := serial()
	dir := s.dir
	time.Sleep(1100 * time.Millisecond) // the reloader looks at most once a second
	writeCert(t, dir, "rotated")
	deadline := time.Now().Add(5 * time.Second)
	for serial() == before {
		if time.Now().After(deadline) {
			t.Fatal("the new certificate was not served")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(s.logs.String(), "certificate reloaded") {
		t.Error("no log line for the reload")
	}
}

func TestSigtermDrainsAndExits(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "sigterm")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "IMGREPL_WEBHOOK_MAIN=1",
		"IMGREPL_WEBHOOK_ARGS=--drain-delay 0s --listen "+addr+" --tls-cert "+filepath.Join(dir, "tls.crt")+" --tls-key "+filepath.Join(dir, "tls.key"))
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), `"msg":"listening"`) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("did not start: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"msg":"shutdown complete"`) {
		t.Errorf("no shutdown log:\n%s", stderr.String())
	}
}

func TestFlags(t *testing.T) {
	if _, err := parseFlags([]string{"--listen", ":1"}, io.Discard, io.Discard); err == nil {
		t.Error("missing --tls-cert accepted")
	}
	c, err := parseFlags([]string{"--tls-cert", "c", "--tls-key", "k", "--mode", "exact-parent", "--annotation-key", "a/b"}, io.Discard, io.Discard)
	if err != nil || c.mode != "exact-parent" || c.annotationKey != "a/b" || c.listen != ":8443" {
		t.Errorf("%+v %v", c, err)
	}
	if _, err := newLoader(config{mode: "nearest"}, newLogger(io.Discard), nil); err == nil {
		t.Error("unknown mode accepted")
	}
	c, err = parseFlags([]string{"--tls-cert", "c", "--tls-key", "k", "--burst", "auto,enforce", "--pull-checks=false", "--pull-secrets", "s.json"}, io.Discard, io.Discard)
	if err != nil || c.burst != "auto,enforce" || !c.skipPullChecks || c.pullSecrets != "s.json" {
		t.Errorf("%+v %v", c, err)
	}
	if c, err := parseFlags([]string{"--tls-cert", "c", "--tls-key", "k"}, io.Discard, io.Discard); err != nil || c.skipPullChecks || c.burst != "" {
		t.Errorf("pull checks are on and every pod spec rewritten by default: %+v %v", c, err)
	}
	l, err := newLoader(config{mode: "longest-prefix", burst: "enforce,auto"}, newLogger(io.Discard), nil)
	if err != nil || l.settings().opts.Burst != imgrepl.BurstAuto|imgrepl.BurstEnforce {
		t.Errorf("--burst enforce,auto: %v", err)
	}
	if _, err := newLoader(config{mode: "longest-prefix", burst: "auto, off"}, newLogger(io.Discard), nil); err == nil ||
		err.Error() != `--burst: imgrepl: unknown bursting value " off": expected "auto", "enforce" or "off"` {
		t.Errorf("a bad --burst: %v", err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "secrets.json")
	if err := os.WriteFile(bad, []byte(`{"kind": `), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := newLoader(config{mode: "longest-prefix", pullSecrets: bad}, newLogger(io.Discard), nil); err == nil || !strings.Contains(err.Error(), "secrets.json: imgrepl: not valid JSON") {
		t.Errorf("a --pull-secrets file that is not JSON: %v", err)
	}
	if _, err := newLoader(config{mode: "longest-prefix", pullSecrets: filepath.Join(dir, "missing.json")}, newLogger(io.Discard), nil); err == nil {
		t.Error("a missing --pull-secrets file accepted")
	}
}

// TestBurstAndPullSecrets runs the webhook with --burst auto,enforce and --pull-secrets over
// pods with and without the label and pull secrets.
func TestBurstAndPullSecrets(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.json")
	list := `{"apiVersion": "v1", "kind": "List", "items": [
	  {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "mirror"},
	   "stringData": {".dockerconfigjson": "{\"auths\": {\"mirror.local\": {}}}"}},
	  {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "quay"},
	   "stringData": {".dockerconfigjson": "{\"auths\": {\"quay.io\": {}}}"}},
	  {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "broken"},
	   "data": {".dockerconfigjson": "not base64!"}}]}`
	if err := os.WriteFile(secrets, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		config      config
		label       string
		pullSecrets []string
		patched     bool
		warnings    []string // substrings of the response's warnings, in order
	}{
		{"labelled auto, secret covers the mirror", config{burst: "auto,enforce", pullSecrets: secrets}, "auto", []string{"mirror"}, true, nil},
		{"labelled off: not bursting", config{burst: "auto,enforce", pullSecrets: secrets}, "off", []string{"mirror"}, false, []string{"not bursting"}},
		{"no label: not bursting", config{burst: "auto,enforce", pullSecrets: secrets}, "", nil, false, []string{"not bursting"}},
		{"no --burst: rewritten whatever the label", config{pullSecrets: secrets}, "off", []string{"mirror"}, true, nil},
		{"secret for another registry", config{burst: "enforce", pullSecrets: secrets}, "enforce", []string{"quay"}, true, []string{"none of its pull secrets (quay) covers mirror.local"}},
		{"no imagePullSecrets: anonymous pull", config{}, "", nil, true, []string{"anonymous"}},
		{"--pull-checks=false", config{skipPullChecks: true}, "", nil, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := start(t, c.config, nil)
			defer s.stop()
			meta := annotations(`[{"repositoryPrefix": "", "replaceWith": "mirror.local/hub"}]`)
			if c.label != "" {
				meta["labels"] = map[string]interface{}{"virtual-kubelet.io/burst-to-cci": c.label}
			}
			spec := map[string]interface{}{"containers": []interface{}{map[string]interface{}{"name": "web", "image": "nginx:1.27"}}}
			if c.pullSecrets != nil {
				var refs []interface{}
				for _, name := range c.pullSecrets {
					refs = append(refs, map[string]interface{}{"name": name})
				}
				spec["imagePullSecrets"] = refs
			}
			pod := map[string]interface{}{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
			code, body := s.post(t, review("u-"+c.name, pod, ""))
			var resp struct {
				Response struct {
					Allowed  bool     `json:"allowed"`
					Patch    string   `json:"patch"`
					Warnings []string `json:"warnings"`
				} `json:"response"`
			}
			if code != 200 || json.Unmarshal(body, &resp) != nil || !resp.Response.Allowed {
				t.Fatalf("%d %s", code, body)
			}
			if (resp.Response.Patch != "") != c.patched {
				t.Errorf("patched %v, want %v: %s", resp.Response.Patch != "", c.patched, body)
			}
			if len(resp.Response.Warnings) != len(c.warnings) {
				t.Fatalf("warnings %q, want %d like %q", resp.Response.Warnings, len(c.warnings), c.warnings)
			}
			all := strings.Join(resp.Response.Warnings, "\n")
			for _, w := range c.warnings {
				if !strings.Contains(all, w) {
					t.Errorf("warnings %q lack %q", resp.Response.Warnings, w)
				}
			}
			if c.config.pullSecrets != "" && !strings.Contains(s.logs.String(), `"pointer":"/items/2"`) {
				t.Errorf("the unreadable Secret is not logged:\n%s", s.logs.String())
			}
		})
	}
}

// floorReview answers like the webhook without calling imgrepl: it reads the body, finds the
// uid, and allows the object with no patch. It is the cost of HTTP, TLS and the response alone.
func floorReview(body []byte, _ bool) ([]byte, imgrepl.AdmissionInfo, error) {
	uid := ""
	if i := bytes.Index(body, []byte(`"uid":"`)); i >= 0 {
		rest := body[i+7:]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			uid = string(rest[:j])
		}
	}
	return []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"` + uid + `","allowed":true}}`), imgrepl.AdmissionInfo{}, nil
}

// percentile of sorted durations, p in [0, 100].
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return sorted[i]
}

// loadResult is the latency distribution of one load run.
type loadResult struct {
	p50, p99 time.Duration
	rps      float64
}

func load(t *testing.T, s *testServer, body []byte, requests, concurrency int) loadResult {
	t.Helper()
	lat := make([]time.Duration, requests)
	var next int64 = -1
	var mu sync.Mutex
	var wg sync.WaitGroup
	begin := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				next++
				i := next
				mu.Unlock()
				if int(i) >= requests {
					return
				}
				t0 := time.Now()
				resp, err := s.client.Post("https://"+s.addr+"/mutate", "application/json", bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("status %d", resp.StatusCode)
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return loadResult{percentile(lat, 50), percentile(lat, 99), float64(requests) / elapsed.Seconds()}
}

// TestLoad posts a typical Deployment at a fixed concurrency to the webhook (with its policy
// cache, and without it) and to the floor, interleaved in rounds so that all see the same
// machine load, and prints p50/p99 and requests/s per run with the ratios to the floor.
// IMGREPL_LOAD_REQUESTS sets the count per server and run, IMGREPL_LOAD_RUNS the runs; the
// defaults keep `go test` short.
func TestLoad(t *testing.T) {
	requests, runs := 400, 1
	if n, err := strconv.Atoi(os.Getenv("IMGREPL_LOAD_REQUESTS")); err == nil && n > 0 {
		requests = n
	}
	if n, err := strconv.Atoi(os.Getenv("IMGREPL_LOAD_RUNS")); err == nil && n > 0 {
		runs = n
	}
	const concurrency, rounds = 8, 4
	deployment := map[string]interface{}{"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]interface{}{"name": "web", "namespace": "shop", "labels": map[string]interface{}{"app": "web"}},
		"spec": map[string]interface{}{"replicas": 3, "selector": map[string]interface{}{"matchLabels": map[string]interface{}{"app": "web"}},
			"template": map[string]interface{}{"metadata": annotations(policyAnnotation), "spec": podSpec()}}}
	body := review("load", deployment, "")
	servers := []struct {
		name string
		s    *testServer
	}{
		{"imgrepl", start(t, config{}, nil)},
		{"imgrepl-nocache", start(t, config{cacheEntries: -1}, nil)},
		{"floor", start(t, config{}, floorReview)},
	}
	for _, s := range servers {
		defer s.s.stop()
		// Warm each (TLS sessions, connection pools, the cache).
		load(t, s.s, body, 100, concurrency)
	}
	med := func(rs []loadResult, get func(loadResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = get(r)
		}
		sort.Float64s(v)
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	p50 := func(r loadResult) float64 { return float64(r.p50.Microseconds()) }
	p99 := func(r loadResult) float64 { return float64(r.p99.Microseconds()) }
	rps := func(r loadResult) float64 { return r.rps }
	for run := 1; run <= runs; run++ {
		results := make([][]loadResult, len(servers))
		for r := 0; r < rounds; r++ {
			for i, s := range servers {
				results[i] = append(results[i], load(t, s.s, body, requests/rounds, concurrency))
			}
		}
		floor := results[len(servers)-1]
		for i, s := range servers {
			fmt.Printf("load run=%d server=%s requests=%d concurrency=%d p50_us=%.0f p99_us=%.0f rps=%.0f p99_ratio=%.3f rps_ratio=%.3f\n",
				run, s.name, requests, concurrency, med(results[i], p50), med(results[i], p99), med(results[i], rps),
				med(results[i], p99)/med(floor, p99), med(results[i], rps)/med(floor, rps))
		}
	}
}
