package imgrepl

import (
	"os"
	"strings"
	"testing"
	"time"
)

// benchCorpus is the corpus every engine of `cargo xtask bench-ffi` times: the same policy and
// images through Rust, C and cgo.
func benchCorpus(b *testing.B) (*Policy, []string, int) {
	b.Helper()
	json, err := os.ReadFile("../testdata/bench-policy.json")
	if err != nil {
		b.Fatal(err)
	}
	text, err := os.ReadFile("../testdata/bench-images.txt")
	if err != nil {
		b.Fatal(err)
	}
	p, err := ParsePolicy(string(json))
	if err != nil {
		b.Fatal(err)
	}
	var images []string
	for _, l := range strings.Split(string(text), "\n") {
		if l != "" {
			images = append(images, l)
		}
	}
	// The answers first (the same check as the Rust and C programs print).
	check := 0
	for _, image := range images {
		r, err := p.Rewrite(image)
		if err != nil {
			b.Fatal(err)
		}
		check += len(r.Image)
	}
	return p, images, check
}

// BenchmarkRewrite is one Rewrite through cgo, per image.
func BenchmarkRewrite(b *testing.B) {
	p, images, check := benchCorpus(b)
	defer p.Close()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now() // testing.B.Elapsed needs Go 1.20
	for i := 0; i < b.N; i++ {
		for _, image := range images {
			if _, err := p.Rewrite(image); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*len(images)), "ns/image")
	// Reported last: ResetTimer clears user metrics.
	b.ReportMetric(float64(check), "check")
}

// BenchmarkRewriteAll is the batch call over the corpus, per image.
func BenchmarkRewriteAll(b *testing.B) {
	p, images, check := benchCorpus(b)
	defer p.Close()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now() // testing.B.Elapsed needs Go 1.20
	for i := 0; i < b.N; i++ {
		if _, err := p.RewriteAll(images); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*len(images)), "ns/image")
	// Reported last: ResetTimer clears user metrics.
	b.ReportMetric(float64(check), "check")
}
