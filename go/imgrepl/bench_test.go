package imgrepl

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// benchCorpus is the corpus every engine of `cargo xtask bench-ffi` times: the same policy and
// images through Rust, C and cgo.
func benchCorpus(b *testing.B) (*Policy, []string, int) {
	b.Helper()
	json, err := os.ReadFile("../../bindings-c/testdata/bench-policy.json")
	if err != nil {
		b.Fatal(err)
	}
	text, err := os.ReadFile("../../bindings-c/testdata/bench-images.txt")
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

// toolkitBenchCorpus is 100,000 distinct images over 50 registries, 200 teams and 1,000 apps, in 1,000
// workloads of 100 images each, and a policy of 10 rules that covers 8 of the registries and
// never matches with its tenth rule.
func toolkitBenchCorpus(b *testing.B) (string, [][]string) {
	b.Helper()
	var rules []string
	for r := 0; r < 8; r++ {
		rules = append(rules, fmt.Sprintf(`{"repositoryPrefix": "registry%d.example.com", "replaceWith": "mirror.example.com/r%d"}`, r, r))
	}
	rules = append(rules, `{"repositoryPrefix": "registry0.example.com/team0", "replaceWith": "mirror.example.com/t0"}`,
		`{"repositoryPrefix": "registy1.example.com", "replaceWith": "mirror.example.com/typo"}`)
	workloads := make([][]string, 1000)
	for i := 0; i < 100000; i++ {
		image := fmt.Sprintf("registry%d.example.com/team%d/app%d:%d", i%50, i%200, i%1000, i)
		workloads[i/100] = append(workloads[i/100], image)
	}
	return "[" + strings.Join(rules, ",") + "]", workloads
}

// BenchmarkToolkit100k is, per 100,000-image corpus: filling a Corpus (1,000 Add calls);
// Coverage, Diff (against the policy with one replaceWith changed) and SecondPass with their
// JSON decoded into Go structs; and CoverageSummary (no JSON).
func BenchmarkToolkit100k(b *testing.B) {
	text, workloads := toolkitBenchCorpus(b)
	p := mustPolicy(b, text)
	defer p.Close()
	changed := mustPolicy(b, strings.Replace(text, "mirror.example.com/r1", "mirror.example.com/new1", 1))
	defer changed.Close()
	var fill, coverage, summary, diff, second time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		c, err := NewCorpus()
		if err != nil {
			b.Fatal(err)
		}
		for w, images := range workloads {
			if err := c.Add(fmt.Sprintf("Deployment/ns/w%d", w), images...); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		cov, err := p.Coverage(c)
		if err != nil || cov.Images != 100000 || cov.Rewritten != 16000 || len(cov.Dead()) != 1 {
			b.Fatalf("coverage: %v %+v", err, cov.Rules)
		}
		t2 := time.Now()
		if s, err := p.CoverageSummary(c); err != nil || s.Rewritten != cov.Rewritten || s.DeadRules != 1 {
			b.Fatalf("coverage summary: %v %+v", err, s)
		}
		t2s := time.Now()
		d, err := Diff(p, changed, c)
		if err != nil || d.Summary.Images != 100000 || d.Summary.ImagesChanged != 2000 || d.Summary.Changed != 1 {
			b.Fatalf("diff: %v", err)
		}
		t3 := time.Now()
		if s, err := p.SecondPass(c); err != nil || len(s) != 0 {
			b.Fatalf("second pass: %v %d", err, len(s))
		}
		t4 := time.Now()
		c.Close()
		fill, coverage, summary = fill+t1.Sub(t0), coverage+t2.Sub(t1), summary+t2s.Sub(t2)
		diff, second = diff+t3.Sub(t2s), second+t4.Sub(t3)
	}
	n := float64(b.N) * 1e6
	b.ReportMetric(float64(fill.Nanoseconds())/n, "ms-fill")
	b.ReportMetric(float64(coverage.Nanoseconds())/n, "ms-coverage")
	b.ReportMetric(float64(summary.Nanoseconds())/n, "ms-coverage-summary")
	b.ReportMetric(float64(diff.Nanoseconds())/n, "ms-diff")
	b.ReportMetric(float64(second.Nanoseconds())/n, "ms-second-pass")
}
