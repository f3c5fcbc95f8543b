package imgrepl

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// TestReviewerAnswersAsReviewAdmission compares a prepared Reviewer with ReviewAdmission over
// options and bodies, and shares one Reviewer between goroutines.
func TestReviewerAnswersAsReviewAdmission(t *testing.T) {
	policy, err := ParsePolicy(`[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]`)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := NewPolicyCache(8, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	pod := func(ns, annotation, image string) []byte {
		return []byte(fmt.Sprintf(`{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u", "operation": "CREATE", "namespace": %q,
		  "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": {"coordinator.cci.io/image-replacement": %q}},
		  "spec": {"containers": [{"name": "c", "image": %q}]}}}}`, ns, annotation, image))
	}
	bodies := [][]byte{
		pod("default", `[{"repositoryPrefix": "", "replaceWith": "a.io/x"}]`, "nginx"),
		pod("default", `not json`, "nginx"),
		pod("imgrepl-system", `[{"repositoryPrefix": "", "replaceWith": "a.io/x"}]`, "nginx"),
		pod("default", `[]`, "Bad Image"),
		[]byte(`{"kind": "Pod"}`),
	}
	for _, o := range []*Options{nil, {}, {Policy: policy}, {Cache: cache, Audit: true}, {Cache: cache, ExcludeNamespace: "imgrepl-system", SkipPullChecks: true}} {
		r, err := NewReviewer(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, body := range bodies {
			want, wantInfo, wantErr := ReviewAdmission(body, o)
			got, gotInfo, gotErr := r.Review(body)
			if !bytes.Equal(got, want) || fmt.Sprint(gotInfo) != fmt.Sprint(wantInfo) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("%+v, %s:\n got %s %+v %v\nwant %s %+v %v", o, body, got, gotInfo, gotErr, want, wantInfo, wantErr)
			}
		}
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					if _, _, err := r.Review(bodies[0]); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		r.Close()
		r.Close()
		if _, _, err := r.Review(bodies[0]); !errors.Is(err, ErrClosed) {
			t.Errorf("after Close: %v", err)
		}
	}
	closed, _ := ParsePolicy(`[]`)
	closed.Close()
	if _, err := NewReviewer(&Options{Policy: closed}); !errors.Is(err, ErrClosed) {
		t.Errorf("a closed policy: %v", err)
	}
}
