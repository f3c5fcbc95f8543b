package imgrepl

import "testing"

// reviewBody is a Deployment with three containers and its policy annotation, as the
// webhook's load test posts it.
const reviewBody = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"group":"","kind":"Deployment","version":"v1"},"object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},"name":"web","namespace":"shop"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"annotations":{"coordinator.cci.io/image-replacement":"[{\"repositoryPrefix\": \"harbor.domain\", \"replaceWith\": \"mirror.local/org1\"}, {\"repositoryPrefix\": \"\", \"replaceWith\": \"mirror.local/hub\"}]"}},"spec":{"containers":[{"image":"harbor.domain/team/web:2.1","name":"web"},{"image":"quay.io/x/y:1","name":"side"}],"initContainers":[{"image":"busybox:1.36","name":"init"}]}}}},"operation":"CREATE","uid":"load"}}`

// BenchmarkReview is one review of reviewBody: through ReviewAdmission (options built per
// call), with and without the policy cache, and through a prepared Reviewer.
func BenchmarkReview(b *testing.B) {
	body := []byte(reviewBody)
	cache, err := NewPolicyCache(64, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	defer cache.Close()
	check := func(b *testing.B, out []byte, info AdmissionInfo, err error) {
		if err != nil || info.PatchOps != 2 || len(out) == 0 {
			b.Fatalf("%s %+v %v", out, info, err)
		}
	}
	b.Run("ReviewAdmission/no-cache", func(b *testing.B) {
		o := &Options{}
		for i := 0; i < b.N; i++ {
			out, info, err := ReviewAdmission(body, o)
			check(b, out, info, err)
		}
	})
	b.Run("ReviewAdmission/cache", func(b *testing.B) {
		o := &Options{Cache: cache}
		for i := 0; i < b.N; i++ {
			out, info, err := ReviewAdmission(body, o)
			check(b, out, info, err)
		}
	})
	b.Run("Reviewer/cache", func(b *testing.B) {
		r, err := NewReviewer(&Options{Cache: cache})
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		for i := 0; i < b.N; i++ {
			out, info, err := r.Review(body)
			check(b, out, info, err)
		}
	})
}
