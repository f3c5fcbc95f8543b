package imgrepl

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

const toolkitPolicy = `[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
 {"repositoryPrefix": "harbor.domain/team", "replaceWith": "m.io/team"},
 {"repositoryPrefix": "harbour.domain", "replaceWith": "m.io/typo"}]`

// toolkitImages are found in two workloads; "Bad" is not a valid reference.
var toolkitImages = map[string][]string{
	"Deployment/shop/web": {"harbor.domain/team/app:1", "nginx", "harbor.domain/db"},
	"Pod/shop/db":         {"quay.io/a/b", "Bad", "nginx"},
}

func mustCorpus(t testing.TB, images map[string][]string) *Corpus {
	t.Helper()
	c, err := NewCorpus()
	if err != nil {
		t.Fatal(err)
	}
	workloads := make([]string, 0, len(images))
	for w := range images {
		workloads = append(workloads, w)
	}
	sort.Strings(workloads)
	for _, w := range workloads {
		if err := c.Add(w, images[w]...); err != nil {
			t.Fatalf("Add(%q): %v", w, err)
		}
	}
	return c
}

func intp(i int) *int { return &i }

// TestCoverageDead: Dead(), a Go helper. The coverage itself is checked by the case table
// (cases_test.go).
func TestCoverageDead(t *testing.T) {
	// The details: examples, errors, the dead rules.
	p := mustPolicy(t, toolkitPolicy)
	defer p.Close()
	corpus := mustCorpus(t, toolkitImages)
	defer corpus.Close()
	got, err := p.Coverage(corpus)
	if err != nil {
		t.Fatal(err)
	}
	hub := got.Uncovered[0]
	if hub.Registry != "" || hub.Count != 2 || !reflect.DeepEqual(hub.Workloads, []string{"Deployment/shop/web", "Pod/shop/db"}) ||
		!reflect.DeepEqual(hub.Images, []ImageCount{{"nginx", 2, []string{"Deployment/shop/web", "Pod/shop/db"}}}) {
		t.Errorf("Docker Hub group: %+v", hub)
	}
	if len(got.Invalid) != 1 || got.Invalid[0].Image != "Bad" || got.Invalid[0].Error.Code != "uppercase" || got.Invalid[0].Error.Offset != 0 {
		t.Errorf("invalid: %+v", got.Invalid)
	}
	if dead := got.Dead(); len(dead) != 1 || dead[0].RepositoryPrefix != "harbour.domain" {
		t.Errorf("Dead() = %+v", dead)
	}
}

func TestCorpusErrors(t *testing.T) {
	c, err := NewCorpus()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Add("Pod/p", "nginx", "ngin\xc3\x28"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("bad UTF-8 image: %v", err)
	}
	if err := c.Add("Pod/\xff", "nginx"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("bad UTF-8 workload: %v", err)
	}
	if err := c.Add("", strings.Repeat("a", 4097)); !errors.Is(err, ErrInputTooLarge) {
		t.Errorf("an image over the limit: %v", err)
	}
	if c.Len() != 0 {
		t.Errorf("failed adds added %d images", c.Len())
	}
	if err := c.Add(""); err != nil || c.Len() != 0 {
		t.Errorf("adding nothing: %v", err)
	}
	p := mustPolicy(t, toolkitPolicy)
	c.Close()
	c.Close()
	if _, err := p.Coverage(c); !errors.Is(err, ErrClosed) {
		t.Errorf("closed corpus: %v", err)
	}
	if _, err := p.CoverageSummary(c); !errors.Is(err, ErrClosed) {
		t.Errorf("closed corpus: %v", err)
	}
	if err := c.Add("", "nginx"); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	open := mustCorpus(t, toolkitImages)
	defer open.Close()
	p.Close()
	if _, err := Diff(mustPolicy(t, toolkitPolicy), p, open); !errors.Is(err, ErrClosed) {
		t.Errorf("closed new policy: %v", err)
	}
	if _, err := p.SecondPass(open); !errors.Is(err, ErrClosed) {
		t.Errorf("closed policy: %v", err)
	}
}

func TestParseBurst(t *testing.T) {
	cases := []struct {
		in   string
		want BurstSet
		msg  string // the error message, when it fails
	}{
		{"auto", BurstAuto, ""},
		{"auto,enforce", BurstAuto | BurstEnforce, ""},
		{"off,auto,off", BurstAuto | BurstOff, ""},
		{"enforce,off,auto", BurstAuto | BurstEnforce | BurstOff, ""},
		{"", 0, `unknown bursting value "": expected "auto", "enforce" or "off"`},
		{"auto, off", 0, `unknown bursting value " off": expected "auto", "enforce" or "off"`},
		{"AUTO", 0, `unknown bursting value "AUTO": expected "auto", "enforce" or "off"`},
	}
	for _, c := range cases {
		got, err := ParseBurst(c.in)
		if c.msg == "" {
			if err != nil || got != c.want {
				t.Errorf("ParseBurst(%q) = %d, %v; want %d", c.in, got, err, c.want)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != "invalid-burst-label" || e.Message != c.msg || !errors.Is(err, ErrInvalidArgument) || got != 0 {
			t.Errorf("ParseBurst(%q) = %d, %#v", c.in, got, err)
		}
	}
	if _, err := ParseBurst("\xff"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("bad UTF-8: %v", err)
	}
	if _, err := RewriteWorkload([]byte(`{}`), &Options{Burst: 8}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("an unknown burst bit: %v", err)
	}
}

// deployment is a Deployment with the policy annotation, the bursting label (none when "") and
// imagePullSecrets (none when nil).
func deployment(label string, pullSecrets []string) []byte {
	template := map[string]interface{}{
		"annotations": map[string]string{"coordinator.cci.io/image-replacement": `[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]`},
	}
	if label != "" {
		template["labels"] = map[string]string{"virtual-kubelet.io/burst-to-cci": label}
	}
	spec := map[string]interface{}{"containers": []interface{}{map[string]string{"name": "web", "image": "nginx:1.27"}}}
	if pullSecrets != nil {
		var refs []map[string]string
		for _, s := range pullSecrets {
			refs = append(refs, map[string]string{"name": s})
		}
		spec["imagePullSecrets"] = refs
	}
	object, _ := json.Marshal(map[string]interface{}{
		"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]string{"name": "web", "namespace": "shop"},
		"spec": map[string]interface{}{"template": map[string]interface{}{"metadata": template, "spec": spec}},
	})
	return object
}

// workloadReport is the part of the core's report these tests read.
type workloadReport struct {
	Patch    []struct{ Op, Path, Value string } `json:"patch"`
	Warnings []Warning                          `json:"warnings"`
	PodSpecs []struct {
		NotBursting bool `json:"notBursting"`
		Burst       *struct {
			Value string  `json:"value"`
			Mode  *string `json:"mode"`
		} `json:"burst"`
	} `json:"podSpecs"`
}

func codes(ws []Warning) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func TestBurstOptions(t *testing.T) {
	cases := []struct {
		label       string
		burst       BurstSet
		patchOps    int
		notBursting bool
		codes       []string
	}{
		{"auto", BurstAuto | BurstEnforce, 1, false, []string{"anonymous-pull"}},
		{"enforce", BurstEnforce, 1, false, []string{"anonymous-pull"}},
		{"off", BurstAuto | BurstEnforce, 0, true, []string{"not-bursting"}},
		{"", BurstAuto, 0, true, []string{"not-bursting"}},
		{"off", 0, 1, false, []string{"anonymous-pull"}},
		{"sometimes", 0, 1, false, []string{"invalid-burst-label", "anonymous-pull"}},
		{"sometimes", BurstAuto, 0, true, []string{"invalid-burst-label", "not-bursting"}},
	}
	for _, c := range cases {
		name := fmt.Sprintf("label %q, set %d", c.label, c.burst)
		object := deployment(c.label, nil)
		out, err := RewriteWorkload(object, &Options{Burst: c.burst})
		var r workloadReport
		if err != nil || json.Unmarshal(out, &r) != nil {
			t.Fatalf("%s: %s %v", name, out, err)
		}
		if len(r.Patch) != c.patchOps || len(r.PodSpecs) != 1 || r.PodSpecs[0].NotBursting != c.notBursting {
			t.Errorf("%s: %d ops, pod specs %+v", name, len(r.Patch), r.PodSpecs)
		}
		if got := codes(r.Warnings); !reflect.DeepEqual(got, c.codes) {
			t.Errorf("%s: warnings %v, want %v", name, got, c.codes)
		}
		if b := r.PodSpecs[0].Burst; (b == nil) != (c.label == "") || (b != nil && b.Value != c.label) {
			t.Errorf("%s: burst %+v", name, b)
		}
		review := `{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u", "operation": "CREATE", "object": ` + string(object) + `}}`
		body, info, err := ReviewAdmission([]byte(review), &Options{Burst: c.burst})
		if err != nil || info.PatchOps != c.patchOps || strings.Contains(string(body), "not bursting") != c.notBursting {
			t.Errorf("%s: review %s %+v %v", name, body, info, err)
		}
	}
}

func TestPullChecks(t *testing.T) {
	secrets, err := NewPullSecrets()
	if err != nil {
		t.Fatal(err)
	}
	defer secrets.Close()
	list := `{"apiVersion": "v1", "kind": "List", "items": [
	  {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "mirror", "namespace": "shop"},
	   "stringData": {".dockerconfigjson": "{\"auths\": {\"https://m.io/v1/\": {}}}"}},
	  {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "broken"},
	   "data": {".dockerconfigjson": "not base64!"}},
	  {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder", "namespace": "shop"},
	   "imagePullSecrets": [{"name": "mirror"}]}]}`
	if err := secrets.AddObjects([]byte(list)); err != nil {
		t.Fatal(err)
	}
	if err := secrets.AddDockerConfig("quay", "", []byte(`{"auths": {"quay.io": {}}}`)); err != nil {
		t.Fatal(err)
	}
	info, err := secrets.Info()
	shop := "shop"
	want := PullSecretsInfo{
		Secrets:         []PullSecret{{"mirror", &shop, []string{"m.io"}}, {"quay", nil, []string{"quay.io"}}},
		ServiceAccounts: []ServiceAccount{{"builder", &shop, []string{"mirror"}}},
		Problems:        []Warning{{"invalid-pull-secret", `the pull secret "broken" cannot be read (data..dockerconfigjson is not base64 of UTF-8 text): it covers nothing`, "/items/1"}},
	}
	if err != nil || !reflect.DeepEqual(info, want) {
		t.Errorf("Info() = %+v, %v\nwant %+v", info, err, want)
	}

	cases := []struct {
		name        string
		pullSecrets []string
		options     Options
		codes       []string
	}{
		{"no imagePullSecrets", nil, Options{PullSecrets: secrets}, []string{"anonymous-pull"}},
		{"checks off", nil, Options{PullSecrets: secrets, SkipPullChecks: true}, []string{}},
		{"a secret for the new registry", []string{"mirror"}, Options{PullSecrets: secrets}, []string{}},
		{"a secret for another registry", []string{"quay"}, Options{PullSecrets: secrets}, []string{"pull-secret-uncovered"}},
		{"checks off, secret uncovered", []string{"quay"}, Options{PullSecrets: secrets, SkipPullChecks: true}, []string{}},
		{"secrets not given", []string{"quay"}, Options{}, []string{}},
	}
	for _, c := range cases {
		opts := c.options
		out, err := RewriteWorkload(deployment("", c.pullSecrets), &opts)
		var r workloadReport
		if err != nil || json.Unmarshal(out, &r) != nil {
			t.Fatalf("%s: %s %v", c.name, out, err)
		}
		if got := codes(r.Warnings); !reflect.DeepEqual(got, c.codes) || len(r.Patch) != 1 {
			t.Errorf("%s: warnings %v (want %v), %d ops", c.name, got, c.codes, len(r.Patch))
		}
	}

	var e *Error
	if err := secrets.AddObjects([]byte(`{"kind": x}`)); !errors.As(err, &e) || !errors.Is(err, ErrInvalidWorkload) || e.Code != "object-invalid-json" || e.Offset != 9 {
		t.Errorf("not JSON: %#v", err)
	}
	if err := secrets.AddDockerConfig("bad", "", []byte(`[1]`)); !errors.As(err, &e) || !errors.Is(err, ErrInvalidArgument) || e.Code != "invalid-pull-secret" {
		t.Errorf("a config that is not an object: %#v", err)
	}
	if info, _ := secrets.Info(); len(info.Secrets) != 2 || len(info.Problems) != 1 {
		t.Errorf("the failures added something: %+v", info)
	}
	closed, _ := NewPullSecrets()
	closed.Close()
	closed.Close()
	if _, err := RewriteWorkload(deployment("", nil), &Options{PullSecrets: closed}); !errors.Is(err, ErrClosed) {
		t.Errorf("closed secrets in options: %v", err)
	}
	if err := closed.AddObjects([]byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("AddObjects after Close: %v", err)
	}
}

func TestToolkitConcurrentUse(t *testing.T) {
	p := mustPolicy(t, toolkitPolicy)
	defer p.Close()
	corpus := mustCorpus(t, toolkitImages)
	defer corpus.Close()
	secrets, _ := NewPullSecrets()
	defer secrets.Close()
	if err := secrets.AddDockerConfig("mirror", "", []byte(`{"auths": {"m.io": {}}}`)); err != nil {
		t.Fatal(err)
	}
	want, _ := p.Coverage(corpus)
	var wg sync.WaitGroup
	errs := make(chan string, 32)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				got, err := p.Coverage(corpus)
				if err != nil || !reflect.DeepEqual(got, want) {
					errs <- fmt.Sprintf("goroutine %d: coverage %v", g, err)
					return
				}
				out, err := RewriteWorkload(deployment("auto", []string{"mirror"}), &Options{Burst: BurstAuto, PullSecrets: secrets})
				if err != nil || !strings.Contains(string(out), `"value":"m.io/hub/nginx:1.27"`) || strings.Contains(string(out), "pull-secret-uncovered") {
					errs <- fmt.Sprintf("goroutine %d: %s %v", g, out, err)
					return
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

func ExamplePolicy_Coverage() {
	p, _ := ParsePolicy(`[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
	  {"repositoryPrefix": "harbour.domain", "replaceWith": "m.io/typo"}]`)
	defer p.Close()
	corpus, _ := NewCorpus()
	defer corpus.Close()
	_ = corpus.Add("Deployment/shop/web", "harbor.domain/web:1", "nginx:1.27")
	c, _ := p.Coverage(corpus)
	for _, r := range c.Dead() {
		fmt.Printf("dead rule %d: %s\n", r.Index, r.RepositoryPrefix)
	}
	for _, g := range c.Uncovered {
		fmt.Printf("uncovered: %d image(s) from %s, e.g. in %s\n", g.Count, g.Normalized, g.Workloads[0])
	}
	// Output:
	// dead rule 1: harbour.domain
	// uncovered: 1 image(s) from docker.io, e.g. in Deployment/shop/web
}
