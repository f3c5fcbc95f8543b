package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// readmeReview is the AdmissionReview that README.md's five-minute trial writes with a heredoc.
func readmeReview(t *testing.T) []byte {
	t.Helper()
	text, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const open = "cat > target/review.json <<'EOF'\n"
	_, rest, ok := strings.Cut(string(text), open)
	if !ok {
		t.Fatalf("README.md has no %q", open)
	}
	body, _, ok := strings.Cut(rest, "\nEOF\n")
	if !ok {
		t.Fatal("README.md's heredoc has no closing EOF line")
	}
	return []byte(body)
}

// TestReadmeTrial posts the README's review to the real server and checks the answer is the
// one the README describes: allowed, one patch operation replacing the image, and the
// warning about pull secrets.
func TestReadmeTrial(t *testing.T) {
	s := start(t, config{}, nil)
	defer s.stop()
	code, body := s.post(t, readmeReview(t))
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var resp struct {
		Response struct {
			UID       string   `json:"uid"`
			Allowed   bool     `json:"allowed"`
			PatchType string   `json:"patchType"`
			Patch     []byte   `json:"patch"`
			Warnings  []string `json:"warnings"`
		} `json:"response"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	r := resp.Response
	if r.UID != "705ab4f5-6393-11e8-b7cc-42010a800002" || !r.Allowed || r.PatchType != "JSONPatch" {
		t.Errorf("response %s", body)
	}
	want := `[{"op":"replace","path":"/spec/containers/0/image","value":"swr.cn-north-4.myhuaweicloud.com/org1/nginx:1.27"}]`
	if string(r.Patch) != want {
		t.Errorf("patch\n%s\nwant\n%s", r.Patch, want)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "imagePullSecrets") {
		t.Errorf("warnings %q, want one about imagePullSecrets", r.Warnings)
	}
}
