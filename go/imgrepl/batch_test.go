package imgrepl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// sameAsRewrite checks that RewriteAll(images) gives, image by image, what Rewrite gives: the
// result, the rule, and for an invalid image the image itself, the rule that matched and the
// same *Error.
func sameAsRewrite(t *testing.T, p *Policy, images []string) []BatchResult {
	t.Helper()
	got, err := p.RewriteAll(images)
	if err != nil || len(got) != len(images) {
		t.Fatalf("RewriteAll: %d results for %d images, %v", len(got), len(images), err)
	}
	for i, image := range images {
		one, oneErr := p.Rewrite(image)
		short := image
		if len(short) > 40 {
			short = short[:40] + "…"
		}
		if oneErr == nil {
			if got[i].Err != nil || got[i].Result != one {
				t.Errorf("%d %q: batch %+v, single %+v", i, short, got[i], one)
			}
			continue
		}
		want, ok := oneErr.(*Error)
		e, isErr := got[i].Err.(*Error)
		if !ok || !isErr || *e != *want || !errors.Is(got[i].Err, want.status) {
			t.Errorf("%d %q: batch error %#v, single %#v", i, short, got[i].Err, oneErr)
		}
		if got[i].Image != image {
			t.Errorf("%d %q: an invalid image's result is %q", i, short, got[i].Image)
		}
	}
	return got
}

// stringData is where a string's bytes are (Go 1.19 has no unsafe.StringData).
func stringData(s string) uintptr {
	return (*reflect.StringHeader)(unsafe.Pointer(&s)).Data
}

func TestRewriteAllEdgeCases(t *testing.T) {
	p := mustPolicy(t, seedPolicy)
	defer p.Close()
	// A path of 252 bytes: valid, but 257 under "org1/" (invalid-result, rule 0).
	longPath := "harbor.domain/" + strings.Repeat("a", 250) + "/x:1"
	// The longest valid path, with a 128-byte tag and a sha512 digest: rewritten by "" into a
	// path too long; under harbor.domain, a long result.
	longest := strings.Repeat("b", 255) + ":" + strings.Repeat("t", 128) + "@sha512:" + strings.Repeat("0", 128)
	long := "harbor.domain/" + strings.Repeat("b", 200) + ":" + strings.Repeat("t", 128) + "@sha512:" + strings.Repeat("0", 128)
	cases := []struct {
		name   string
		images []string
		// rules is each result's Rule, and codes each error's code ("" for none).
		rules []int
		codes []string
	}{
		{"one image", []string{"nginx:1"}, []int{1}, []string{""}},
		{"an empty string", []string{""}, []int{-1}, []string{"empty"}},
		{"only empty strings", []string{"", "", ""}, []int{-1, -1, -1}, []string{"empty", "empty", "empty"}},
		{"empty strings around images", []string{"", "nginx:1", "", "quay.io/x/y", ""},
			[]int{-1, 1, -1, -1, -1}, []string{"empty", "", "empty", "", "empty"}},
		{"unchanged only", []string{"quay.io/x/y", "ghcr.io/a/b:1"}, []int{-1, -1}, []string{"", ""}},
		{"invalid images", []string{"Bad", "a//b", ":tag", "nginx@sha256:abc"},
			[]int{-1, -1, -1, -1}, []string{"uppercase", "invalid-format", "invalid-format", "invalid-format"}},
		{"valid UTF-8 that is not a reference", []string{"é", "nginx:1", "ü/x"},
			[]int{-1, 1, -1}, []string{"invalid-format", "", "invalid-format"}},
		{"an invalid result keeps its rule", []string{longPath, "harbor.domain/ok"}, []int{0, 0},
			[]string{"invalid-result", ""}},
		{"long images", []string{longest, long}, []int{1, 0}, []string{"invalid-result", ""}},
		{"an image of the size limit", []string{strings.Repeat("c", 4096)}, []int{-1}, []string{"name-too-long"}},
		{"mixed", []string{"harbor.domain/a/b/c/d/redis:7", "Bad", "quay.io/x/y", "", "nginx"},
			[]int{2, -1, -1, -1, 1}, []string{"", "uppercase", "", "empty", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := sameAsRewrite(t, p, c.images)
			for i, r := range got {
				code := ""
				var e *Error
				if errors.As(r.Err, &e) {
					code = e.Code
				}
				if r.Rule != c.rules[i] || code != c.codes[i] {
					t.Errorf("image %d: rule %d code %q, want rule %d code %q", i, r.Rule, code, c.rules[i], c.codes[i])
				}
				// An image left as it is, is the caller's string, not a copy.
				if !r.Changed() && len(r.Image) > 0 && stringData(r.Image) != stringData(c.images[i]) {
					t.Errorf("image %d: unchanged but copied", i)
				}
			}
		})
	}
}

func TestRewriteAllWholeCallErrors(t *testing.T) {
	p := mustPolicy(t, seedPolicy)
	defer p.Close()
	cases := []struct {
		name   string
		images []string
		want   error
	}{
		{"bad UTF-8", []string{"ok", "bad\xff"}, ErrInvalidUTF8},
		{"a character cut between two images", []string{"x\xc3", "\xa9"}, ErrInvalidUTF8},
		{"an image past the size limit", []string{"nginx", strings.Repeat("c", 4097)}, ErrInputTooLarge},
		// The first failing image decides, as image by image.
		{"bad UTF-8 before an image too large", []string{"\xff", strings.Repeat("c", 4097)}, ErrInvalidUTF8},
		{"an image too large before bad UTF-8", []string{strings.Repeat("c", 4097), "\xff"}, ErrInputTooLarge},
		{"more images than a batch takes", make([]string, 1<<16+1), ErrInputTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := p.RewriteAll(c.images)
			if !errors.Is(err, c.want) || got != nil {
				t.Errorf("RewriteAll: %d results, %v; want %v", len(got), err, c.want)
			}
		})
	}
	// The most images a batch takes, all of them empty strings.
	if got, err := p.RewriteAll(make([]string, 1<<16)); err != nil || len(got) != 1<<16 || got[0].Err == nil {
		t.Errorf("a full batch: %d results, %v", len(got), err)
	}
	// Nothing, and a closed policy.
	if got, err := p.RewriteAll(nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no image: %v %v", got, err)
	}
	closed := mustPolicy(t, seedPolicy)
	closed.Close()
	if _, err := closed.RewriteAll([]string{"nginx"}); !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v", err)
	}
}

// Results that outgrow the first guess of the output's size (64 bytes more per image) make a
// second call with the size the library asks for; a large batch then a small one reuse the
// pooled scratch without leaking the first batch's results into the second's.
func TestRewriteAllOutgrowsItsBuffer(t *testing.T) {
	long := strings.Repeat("m", 200) + ".io/" + strings.Repeat("p", 200)
	p := mustPolicy(t, `[{"repositoryPrefix": "", "replaceWith": "`+long+`"}]`)
	defer p.Close()
	images := []string{"a", "b:1", "Bad", "c/d", "quay.io/e"}
	got := sameAsRewrite(t, p, images)
	if got[0].Image != long+"/a" || got[1].Image != long+"/b:1" || got[3].Image != "c/d" || got[4].Image != "quay.io/e" {
		t.Errorf("grown results: %q, %q", got[0].Image, got[4].Image)
	}
	// Over 1 MiB of results from 84 KB of images: more than any pooled buffer holds.
	var many []string
	for i := 0; i < 3000; i++ {
		many = append(many, "app"+strings.Repeat("x", i%50))
	}
	sameAsRewrite(t, p, many)
	sameAsRewrite(t, p, images[:2])
	sameAsRewrite(t, p, images[3:])
}
