package imgrepl

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

const seedPolicy = `[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}]`

func mustPolicy(t testing.TB, json string) *Policy {
	t.Helper()
	p, err := ParsePolicy(json)
	if err != nil {
		t.Fatalf("ParsePolicy: %v", err)
	}
	return p
}

func TestRewriteErrorDetails(t *testing.T) {
	p := mustPolicy(t, seedPolicy)
	defer p.Close()
	_, err := p.Rewrite("team/App:1")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	want := "invalid image: repository name must be lowercase: uppercase letter in repository path at byte 5"
	if e.Code != "uppercase" || e.Offset != 5 || e.Message != want {
		t.Errorf("got %#v", e)
	}
	if _, err := p.Rewrite("nginx\xff"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("bad UTF-8: %v", err)
	}
	if _, err := p.Rewrite(strings.Repeat("a", 5000)); !errors.Is(err, ErrInputTooLarge) {
		t.Errorf("oversize: %v", err)
	}
	// A result longer than the pooled buffer takes the second path.
	long := "harbor.domain/" + strings.Repeat("abcdefgh/", 26) + "x:1"
	res, err := p.Rewrite(long)
	if err != nil || res.Image != "swr.cn-north-4.myhuaweicloud.com/org1/"+strings.TrimPrefix(long, "harbor.domain/") {
		t.Errorf("long result: %v %v", res, err)
	}
}

func TestModes(t *testing.T) {
	p := mustPolicy(t, seedPolicy)
	defer p.Close()
	exact, err := p.WithMode(ExactParent)
	if err != nil {
		t.Fatal(err)
	}
	defer exact.Close()
	if p.Mode() != LongestPrefix || exact.Mode() != ExactParent {
		t.Errorf("modes %d %d", p.Mode(), exact.Mode())
	}
	a, _ := p.Rewrite("harbor.domain/team/app:1")
	b, _ := exact.Rewrite("harbor.domain/team/app:1")
	if a.Image != "swr.cn-north-4.myhuaweicloud.com/org1/team/app:1" || b.Image != "harbor.domain/team/app:1" {
		t.Errorf("longest %q, exact %q", a.Image, b.Image)
	}
	if _, err := p.WithMode(Mode(9)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad mode: %v", err)
	}
	if m, err := ParseMode("exact-parent"); err != nil || m != ExactParent {
		t.Errorf("ParseMode: %v %v", m, err)
	}
	if _, err := ParseMode("longest"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("ParseMode(longest): %v", err)
	}
}

// TestPolicyErrors: what only Go shows. Every code, message and span of the diagnostics is
// checked by the case table (cases_test.go).
func TestPolicyErrors(t *testing.T) {
	// Spans and the related span of a duplicate.
	json := `[{"repositoryPrefix": "a.io", "replaceWith": "b.io"}, {"repositoryPrefix": "a.io", "replaceWith": "c.io"}]`
	_, err := ParsePolicy(json)
	d := err.(*PolicyError).Diagnostics[0]
	if json[d.Span.Start:d.Span.End] != `"a.io"` || d.Related == nil || d.Related.Start != 22 || d.Rule != 1 ||
		d.Pointer != "/1/repositoryPrefix" || d.Field != "repositoryPrefix" {
		t.Errorf("duplicate diagnostic %+v", d)
	}
	if _, err := ParsePolicy("[\"\xff\"]"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("bad UTF-8: %v", err)
	}
	if _, err := ParsePolicy("[" + strings.Repeat(" ", 256*1024) + "]"); !errors.Is(err, ErrInputTooLarge) {
		t.Errorf("oversize: %v", err)
	}
}

func TestRules(t *testing.T) {
	p := mustPolicy(t, `[{"repositoryPrefix": "docker.io", "replaceWith": "m.io/hub"}]`)
	defer p.Close()
	if rules := p.Rules(); len(rules) != 1 || rules[0] != [2]string{"docker.io", "m.io/hub"} {
		t.Errorf("rules %v", rules)
	}
}

// TestRewriteAllWholeCall: what the batch does as a whole; each image's outcome is checked by
// the case table (cases_test.go).
func TestRewriteAllWholeCall(t *testing.T) {
	p := mustPolicy(t, seedPolicy)
	defer p.Close()
	if empty, err := p.RewriteAll(nil); err != nil || len(empty) != 0 {
		t.Errorf("empty batch: %v %v", empty, err)
	}
	if _, err := p.RewriteAll([]string{"ok", "bad\xff"}); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("bad UTF-8 in a batch: %v", err)
	}
}

func TestFindExplain(t *testing.T) {
	p := mustPolicy(t, seedPolicy)
	defer p.Close()
	m, ok, err := p.Find("harbor.domain/a/b/c/d/redis:latest")
	if err != nil || !ok || m != (Match{Rule: 2, PrefixLen: 21}) {
		t.Errorf("Find = %v %v %v", m, ok, err)
	}
	if _, ok, err := p.Find("quay.io/x"); ok || err != nil {
		t.Errorf("Find(quay.io/x) = %v %v", ok, err)
	}
	raw, err := p.Explain("harbor.domain/team/app:1")
	var e struct {
		ModesDisagree bool   `json:"modesDisagree"`
		Result        string `json:"result"`
		Reason        string `json:"reason"`
	}
	if err != nil || json.Unmarshal(raw, &e) != nil || !e.ModesDisagree || e.Result != "swr.cn-north-4.myhuaweicloud.com/org1/team/app:1" || e.Reason == "" {
		t.Errorf("Explain: %s %v", raw, err)
	}
}

func TestParseReference(t *testing.T) {
	cases := []struct {
		in   string
		view View
		want Reference
		code string
	}{
		{"library/nginx", AsWritten, Reference{Full: "library/nginx", Name: "library/nginx", Domain: "library", Path: "nginx"}, ""},
		{"nginx:1", Normalized, Reference{Full: "docker.io/library/nginx:1", Name: "docker.io/library/nginx", Domain: "docker.io", Path: "library/nginx", Tag: "1", Familiar: "nginx:1"}, ""},
		{"nginx", DockerRef, Reference{Full: "docker.io/library/nginx:latest", Name: "docker.io/library/nginx", Domain: "docker.io", Path: "library/nginx", Tag: "latest", Familiar: "nginx:latest"}, ""},
		{"registry:5000/a/b@sha256:" + strings.Repeat("c", 64), AsWritten, Reference{Full: "registry:5000/a/b@sha256:" + strings.Repeat("c", 64), Name: "registry:5000/a/b", Domain: "registry:5000", Path: "a/b", Digest: "sha256:" + strings.Repeat("c", 64)}, ""},
		{"a/B", AsWritten, Reference{}, "uppercase"},
		{"a@sha256:abc" + strings.Repeat("0", 40), AsWritten, Reference{}, "digest-length"},
		{strings.Repeat("a", 64), Normalized, Reference{}, "hex-name"},
	}
	for _, c := range cases {
		got, err := ParseReference(c.in, c.view)
		if c.code != "" {
			var e *Error
			if !errors.As(err, &e) || e.Code != c.code || !errors.Is(err, ErrInvalidImage) {
				t.Errorf("ParseReference(%q) = %v, want code %s", c.in, err, c.code)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseReference(%q, %d) = %+v, %v; want %+v", c.in, c.view, got, err, c.want)
		}
	}
	if _, err := ParseReference("a", View(7)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad view: %v", err)
	}
}

func TestWorkload(t *testing.T) {
	pod := `{"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
	  "[{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io/hub\"}]"}},
	  "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}], "initContainers": [{"name": "i", "image": "busybox"}]}}`
	report, err := RewriteWorkload([]byte(pod), nil)
	var r struct {
		Patch []struct{ Op, Path, Value string } `json:"patch"`
	}
	if err != nil || json.Unmarshal(report, &r) != nil || len(r.Patch) != 2 || r.Patch[0].Value != "m.io/hub/nginx:1.27" {
		t.Fatalf("RewriteWorkload: %s %v", report, err)
	}
	p := mustPolicy(t, seedPolicy)
	defer p.Close()
	report, err = RewriteWorkload([]byte(pod), &Options{Policy: p})
	if err != nil || !strings.Contains(string(report), "swr.cn-north-4.myhuaweicloud.com/org1/nginx:1.27") {
		t.Errorf("caller's policy: %s %v", report, err)
	}
	report, err = RewriteWorkload([]byte(pod), &Options{AnnotationKey: "example.com/other"})
	if err != nil || !strings.Contains(string(report), `"patch":[]`) {
		t.Errorf("other key: %s %v", report, err)
	}
	_, err = RewriteWorkload([]byte(`{"kind": `), nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrInvalidWorkload) || e.Code == "" {
		t.Errorf("not JSON: %v", err)
	}
	review := `{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u-1", "operation": "CREATE", "object": ` + pod + `}}`
	body, info, err := ReviewAdmission([]byte(review), nil)
	if err != nil || info.PatchOps != 2 || info.HasErrors || !strings.Contains(string(body), `"uid":"u-1"`) {
		t.Errorf("ReviewAdmission: %s %+v %v", body, info, err)
	}
	if _, _, err := ReviewAdmission([]byte(`{"kind": "Pod"}`), nil); !errors.Is(err, ErrInvalidReview) {
		t.Errorf("not a review: %v", err)
	}
}

func TestClose(t *testing.T) {
	p := mustPolicy(t, seedPolicy)
	p.Close()
	p.Close()
	if _, err := p.Rewrite("nginx"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if _, err := p.RewriteAll([]string{"nginx"}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if _, err := RewriteWorkload([]byte(`{}`), &Options{Policy: p}); !errors.Is(err, ErrClosed) {
		t.Errorf("closed policy in options: %v", err)
	}
	// Policies dropped without Close are freed by their finalizer.
	for i := 0; i < 100; i++ {
		mustPolicy(t, seedPolicy)
	}
	runtime.GC()
}

func TestConcurrentUse(t *testing.T) {
	p := mustPolicy(t, seedPolicy)
	defer p.Close()
	// The case table's rewrites of the seed policy, from many goroutines at once.
	type rewriteCase struct{ image, want string }
	var rewriteCases []rewriteCase
	for _, r := range readCases(t).Rewrite {
		var w caseWant
		if err := json.Unmarshal(r.Want, &w); err != nil {
			t.Fatal(err)
		}
		if r.Policy == "seed" && r.Mode == "" {
			c := rewriteCase{image: r.Image}
			if w.Image != nil {
				c.want = *w.Image
			}
			rewriteCases = append(rewriteCases, c)
		}
	}
	if len(rewriteCases) < 20 {
		t.Fatalf("only %d rows of the seed policy", len(rewriteCases))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				c := rewriteCases[(i+g)%len(rewriteCases)]
				got, err := p.Rewrite(c.image)
				if (c.want != "") != (err == nil) || (err == nil && got.Image != c.want) {
					errs <- fmt.Sprintf("goroutine %d: %q -> %+v %v", g, c.image, got, err)
					return
				}
				if i%20 == 0 {
					all, err := p.RewriteAll([]string{"nginx:latest", "Bad"})
					if err != nil || all[0].Image != "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest" || all[1].Err == nil {
						errs <- fmt.Sprintf("goroutine %d: batch %+v %v", g, all, err)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestVersion(t *testing.T) {
	if v := Version(); len(strings.Split(v, ".")) != 3 {
		t.Errorf("Version() = %q", v)
	}
}

func ExamplePolicy_Rewrite() {
	policy, err := ParsePolicy(`[{"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.local/org1"},
	                             {"repositoryPrefix": "", "replaceWith": "mirror.local/hub"}]`)
	if err != nil {
		panic(err)
	}
	defer policy.Close()
	for _, image := range []string{"harbor.domain/team/app:1.0", "nginx:1.27", "quay.io/x/y"} {
		r, _ := policy.Rewrite(image)
		fmt.Println(r.Image, r.Rule)
	}
	// Output:
	// mirror.local/org1/team/app:1.0 0
	// mirror.local/hub/nginx:1.27 1
	// quay.io/x/y -1
}

func ExampleParsePolicy_errors() {
	_, err := ParsePolicy(`[{"repositoryPrefix": "harbor.domain", "replacewith": "mirror.local"}]`)
	var pe *PolicyError
	if errors.As(err, &pe) {
		for _, d := range pe.Diagnostics {
			fmt.Println(d.Code, d.Pointer)
		}
	}
	// Output:
	// missing-field /0/replaceWith
	// unknown-field /0/replacewith
}

func ExamplePolicy_RewriteAll() {
	policy, _ := ParsePolicy(`[{"repositoryPrefix": "", "replaceWith": "mirror.local/hub"}]`)
	defer policy.Close()
	results, _ := policy.RewriteAll([]string{"nginx:1", "Bad", "redis"})
	for _, r := range results {
		if r.Err != nil {
			fmt.Println("error:", r.Err.(*Error).Code)
			continue
		}
		fmt.Println(r.Image)
	}
	// Output:
	// mirror.local/hub/nginx:1
	// error: uppercase
	// mirror.local/hub/redis
}
