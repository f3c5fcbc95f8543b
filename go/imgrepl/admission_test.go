package imgrepl

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const hubPolicy = `[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}, {"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/h"}]`

// podReview is an AdmissionReview of a Pod in namespace ns with the annotation policy and the
// metadata labels (JSON), and these containers (JSON).
func podReview(ns, policy, labels, containers string) []byte {
	return []byte(fmt.Sprintf(`{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u-1",
	  "operation": "CREATE", "namespace": %q, "object": {"apiVersion": "v1", "kind": "Pod",
	  "metadata": {"labels": %s, "annotations": {"coordinator.cci.io/image-replacement": %q}},
	  "spec": {"imagePullSecrets": [{"name": "m"}], "containers": %s}}}}`, ns, labels, policy, containers))
}

const fourContainers = `[{"name": "web", "image": "nginx"}, {"name": "h", "image": "harbor.domain/x/y:1"},
  {"name": "q", "image": "quay.io/a/b"}, {"name": "bad", "image": "Bad"}]`

var fourOutcomes = []ContainerOutcome{
	{Outcome: OutcomeRewritten, Rule: 0, Prefix: ""},
	{Outcome: OutcomeRewritten, Rule: 1, Prefix: "harbor.domain"},
	{Outcome: OutcomeUnchanged, Rule: -1},
	{Outcome: OutcomeError, Code: "uppercase", Rule: -1},
}

func TestAdmissionOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		o        Options
		ns       string
		labels   string
		patchOps int
		excluded string
		errors   bool
		audit    int // audit warnings in the response
		outcomes []ContainerOutcome
	}{
		{"plain", Options{}, "shop", `{}`, 2, "", true, 0, fourOutcomes},
		{"audit", Options{Audit: true}, "shop", `{}`, 0, "", true, 2, fourOutcomes},
		{"another namespace excluded", Options{ExcludeNamespace: "imgrepl-system"}, "shop", `{}`, 2, "", true, 0, fourOutcomes},
		{"its namespace excluded", Options{ExcludeNamespace: "shop"}, "shop", `{}`, 0, "excluded-namespace", false, 0, nil},
		{"opts out", Options{}, "shop", `{"imgrepl.io/exclude": "true"}`, 0, "excluded", false, 0, nil},
		{"opts out with false: no", Options{}, "shop", `{"imgrepl.io/exclude": "false"}`, 2, "", true, 0, fourOutcomes},
		{"CCI 2.0 label off", Options{Burst: BurstAuto | BurstEnforce}, "shop", `{"bursting.cci.io/burst-to-cci": "off"}`, 0, "", false, 0, nil},
		{"CCI 2.0 label wins", Options{Burst: BurstEnforce}, "shop",
			`{"bursting.cci.io/burst-to-cci": "enforce", "virtual-kubelet.io/burst-to-cci": "off"}`, 2, "", true, 0, fourOutcomes},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			body, info, err := ReviewAdmission(podReview(c.ns, hubPolicy, c.labels, fourContainers), &o)
			if err != nil {
				t.Fatal(err)
			}
			if info.PatchOps != c.patchOps || info.Excluded != c.excluded || info.HasErrors != c.errors {
				t.Errorf("info = %+v", info)
			}
			if !reflect.DeepEqual(info.Containers, c.outcomes) {
				t.Errorf("containers = %+v, want %+v", info.Containers, c.outcomes)
			}
			if got := bytes.Count(body, []byte("imgrepl: audit: would rewrite")); got != c.audit {
				t.Errorf("%d audit warnings in %s", got, body)
			}
			if bytes.Contains(body, []byte(`"patch"`)) != (c.patchOps > 0) {
				t.Errorf("patch in %s", body)
			}
		})
	}
}

func TestAdmissionLimitsAreAnswered(t *testing.T) {
	deep := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	body := []byte(`{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u",
	  "operation": "UPDATE", "object": {"kind": "Pod", "x": ` + deep + `}, "oldObject": ` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}}`)
	resp, info, err := ReviewAdmission(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !info.HasErrors || info.PatchOps != 0 || !bytes.Contains(resp, []byte(`"uid":"u","allowed":true`)) ||
		!bytes.Contains(resp, []byte("nests deeper than 127 levels")) {
		t.Errorf("%+v %s", info, resp)
	}
	// Not a review at all: an error.
	if _, _, err := ReviewAdmission([]byte(`{"kind": "Pod"}`), nil); !errors.Is(err, ErrInvalidReview) {
		t.Errorf("err = %v", err)
	}
}

func TestPolicyCache(t *testing.T) {
	for _, bounds := range [][2]int64{{0, 1}, {1, 0}, {-1, 10}} {
		if _, err := NewPolicyCache(int(bounds[0]), bounds[1]); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("NewPolicyCache(%v): %v", bounds, err)
		}
	}
	cache, err := NewPolicyCache(2, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	plain, cached := &Options{}, &Options{Cache: cache}
	for _, policy := range []string{hubPolicy, hubPolicy, "not json", "[]", hubPolicy} {
		body := podReview("shop", policy, `{}`, fourContainers)
		a, ia, err := ReviewAdmission(body, plain)
		if err != nil {
			t.Fatal(err)
		}
		b, ib, err := ReviewAdmission(body, cached)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) || !reflect.DeepEqual(ia, ib) {
			t.Errorf("%s: %s != %s", policy, a, b)
		}
	}
	s := cache.Stats()
	if (s != CacheStats{Hits: 1, Misses: 4, Evictions: 2, Entries: 2, Bytes: s.Bytes}) || s.Bytes == 0 {
		t.Errorf("stats = %+v", s)
	}
	cache.Close()
	cache.Close()
	if _, _, err := ReviewAdmission(podReview("shop", hubPolicy, `{}`, fourContainers), cached); !errors.Is(err, ErrClosed) {
		t.Errorf("closed cache: %v", err)
	}
	if (cache.Stats() != CacheStats{}) {
		t.Errorf("stats after Close")
	}
}

func TestPolicyCacheConcurrentUse(t *testing.T) {
	cache, err := NewPolicyCache(16, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	o := &Options{Cache: cache, Audit: true}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				policy := fmt.Sprintf(`[{"repositoryPrefix": "", "replaceWith": "m.io/p%d"}]`, (g+i)%4)
				_, info, err := ReviewAdmission(podReview("shop", policy, `{}`, fourContainers), o)
				if err != nil || len(info.Containers) != 4 || info.Containers[0].Outcome != OutcomeRewritten {
					t.Errorf("%v %+v", err, info)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	s := cache.Stats()
	if s.Hits+s.Misses != 400 || s.Entries != 4 || s.Misses < 4 {
		t.Errorf("stats = %+v", s)
	}
}
