package imgrepl

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The front-door case table (testdata/frontdoor/cases.json): the rows every binding must
// agree on, run here through the Go package. The Rust, C and JS tests run the same rows.

type caseWant struct {
	Image *string `json:"image"`
	Rule  *int    `json:"rule"`
	Error *struct {
		Code   string `json:"code"`
		Offset int    `json:"offset"`
		Rule   *int   `json:"rule"`
		Status string `json:"status"`
	} `json:"error"`
}

type caseItem struct {
	Image    string
	Workload string
}

func (i *caseItem) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &i.Image)
	}
	var o struct{ Image, Workload string }
	err := json.Unmarshal(b, &o)
	i.Image, i.Workload = o.Image, o.Workload
	return err
}

type caseRow struct {
	Name    string          `json:"name"`
	Text    string          `json:"text"`
	Policy  string          `json:"policy"`
	Mode    string          `json:"mode"`
	Old     string          `json:"old"`
	OldMode string          `json:"oldMode"`
	New     string          `json:"new"`
	NewMode string          `json:"newMode"`
	Image   string          `json:"image"`
	Images  []string        `json:"images"`
	Corpus  []caseItem      `json:"corpus"`
	Want    json.RawMessage `json:"want"`
}

type caseTable struct {
	Policies   map[string]string `json:"policies"`
	Policy     []caseRow         `json:"policy"`
	Rewrite    []caseRow         `json:"rewrite"`
	Batch      []caseRow         `json:"batch"`
	Explain    []caseRow         `json:"explain"`
	Coverage   []caseRow         `json:"coverage"`
	Diff       []caseRow         `json:"diff"`
	SecondPass []caseRow         `json:"secondPass"`
}

func readCases(t *testing.T) *caseTable {
	t.Helper()
	b, err := os.ReadFile("../../testdata/frontdoor/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var table caseTable
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatal(err)
	}
	return &table
}

// policy is the named policy of the table in mode ("" for the default); closed with the test.
func (c *caseTable) policy(t *testing.T, name, mode string) *Policy {
	t.Helper()
	text, ok := c.Policies[name]
	if !ok {
		t.Fatalf("no policy %q in the table", name)
	}
	p := mustPolicy(t, text)
	t.Cleanup(p.Close)
	if mode == "" {
		return p
	}
	m, err := ParseMode(mode)
	if err != nil {
		t.Fatal(err)
	}
	q, err := p.WithMode(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	return q
}

func (r *caseRow) corpus(t *testing.T) *Corpus {
	t.Helper()
	c, err := NewCorpus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	for _, item := range r.Corpus {
		if err := c.Add(item.Workload, item.Image); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// checkRewrite compares a result, or an error, with a row's want.
func checkRewrite(t *testing.T, what string, got Result, err error, w caseWant) {
	t.Helper()
	if w.Error != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: error %v, want code %q", what, err, w.Error.Code)
		}
		if e.Code != w.Error.Code || e.Offset != w.Error.Offset {
			t.Errorf("%s: code %q offset %d, want %q %d", what, e.Code, e.Offset, w.Error.Code, w.Error.Offset)
		}
		if e.Message == "" || !strings.HasPrefix(e.JSON, "{") {
			t.Errorf("%s: an error without its message or JSON: %#v", what, e)
		}
		number, ok := statusNumbers[w.Error.Status]
		if !ok || !errors.Is(err, statusError(number)) {
			t.Errorf("%s: %v is not the sentinel of %s", what, err, w.Error.Status)
		}
		return
	}
	rule := -1
	if w.Rule != nil {
		rule = *w.Rule
	}
	if err != nil || got.Image != *w.Image || got.Rule != rule || got.Changed() != (rule >= 0) {
		t.Errorf("%s: %+v, %v; want %q rule %d", what, got, err, *w.Image, rule)
	}
}

// wantDiagnostics is a policy row's want as the package's Diagnostics.
func wantDiagnostics(t *testing.T, raw []byte) (bool, []Diagnostic) {
	t.Helper()
	var w struct {
		Ok          bool
		Diagnostics []struct {
			Severity, Code, Message, Pointer string
			Index                            *int
			Field                            *string
			Span                             Span
			Related                          *Span
		}
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	out := []Diagnostic{}
	for _, d := range w.Diagnostics {
		g := Diagnostic{Code: d.Code, Message: d.Message, Rule: -1, Pointer: d.Pointer, Span: d.Span, Related: d.Related}
		if d.Severity == "warning" {
			g.Severity = SeverityWarning
		}
		if d.Index != nil {
			g.Rule = *d.Index
		}
		if d.Field != nil {
			g.Field = *d.Field
		}
		out = append(out, g)
	}
	return w.Ok, out
}

func TestCaseTable(t *testing.T) {
	c := readCases(t)
	for _, r := range c.Policy {
		ok, want := wantDiagnostics(t, r.Want)
		p, err := ParsePolicy(r.Text)
		got := []Diagnostic{}
		var pe *PolicyError
		switch {
		case ok && err == nil:
			got = append(got, p.Warnings()...)
			p.Close()
		case !ok && errors.As(err, &pe) && errors.Is(err, ErrInvalidPolicy):
			got = append(got, pe.Diagnostics...)
		default:
			t.Errorf("policy: %s: ParsePolicy error %v, want valid %v", r.Name, err, ok)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("policy: %s:\n got %+v\nwant %+v", r.Name, got, want)
		}
	}
	for _, r := range c.Rewrite {
		var w caseWant
		if err := json.Unmarshal(r.Want, &w); err != nil {
			t.Fatal(err)
		}
		got, err := c.policy(t, r.Policy, r.Mode).Rewrite(r.Image)
		checkRewrite(t, "rewrite: "+r.Name, got, err, w)
	}
	for _, r := range c.Batch {
		var w []caseWant
		if err := json.Unmarshal(r.Want, &w); err != nil {
			t.Fatal(err)
		}
		got, err := c.policy(t, r.Policy, r.Mode).RewriteAll(r.Images)
		if err != nil || len(got) != len(w) {
			t.Fatalf("batch: %s: %d results, %v; want %d", r.Name, len(got), err, len(w))
		}
		for i := range got {
			checkRewrite(t, "batch: "+r.Name, got[i].Result, got[i].Err, w[i])
			if w[i].Error != nil && got[i].Image != r.Images[i] {
				t.Errorf("batch: %s: %q, want the image kept", r.Name, got[i].Image)
			}
		}
	}
	for _, r := range c.Explain {
		got, err := c.policy(t, r.Policy, r.Mode).Explain(r.Image)
		var want bytes.Buffer
		if err := json.Compact(&want, r.Want); err != nil {
			t.Fatal(err)
		}
		if err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Errorf("explain: %s:\n got %s (%v)\nwant %s", r.Name, got, err, want.Bytes())
		}
	}
	// The toolkit: the package's types, decoded from the library and from the table, agree.
	compare := func(section, name string, got interface{}, err error, want []byte, into interface{}) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %s: %v", section, name, err)
		}
		if err := json.Unmarshal(want, into); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, into) {
			t.Errorf("%s: %s:\n got %+v\nwant %+v", section, name, got, into)
		}
	}
	for _, r := range c.Coverage {
		p, corpus := c.policy(t, r.Policy, r.Mode), r.corpus(t)
		got, err := p.Coverage(corpus)
		compare("coverage", r.Name, got, err, r.Want, &Coverage{})
		// The summary counts what the coverage lists.
		want := CoverageSummary{Images: got.Images, Distinct: got.Distinct, Rewritten: got.Rewritten,
			Uncovered: got.UncoveredCount, Invalid: got.InvalidCount, UncoveredRegistries: len(got.Uncovered),
			Disagreements: len(got.Disagreements)}
		for _, rule := range got.Rules {
			switch rule.Status {
			case "dead":
				want.DeadRules++
			case "shadowed":
				want.ShadowedRules++
			}
		}
		if s, err := p.CoverageSummary(corpus); err != nil || s != want {
			t.Errorf("coverage: %s: CoverageSummary = %+v, %v; want %+v", r.Name, s, err, want)
		}
	}
	for _, r := range c.Diff {
		got, err := Diff(c.policy(t, r.Old, r.OldMode), c.policy(t, r.New, r.NewMode), r.corpus(t))
		compare("diff", r.Name, got, err, r.Want, &PolicyDiff{})
	}
	for _, r := range c.SecondPass {
		got, err := c.policy(t, r.Policy, r.Mode).SecondPass(r.corpus(t))
		want := []SecondPass{}
		compare("second pass", r.Name, &got, err, r.Want, &want)
	}
	for _, section := range [][]caseRow{c.Policy, c.Rewrite, c.Batch, c.Explain, c.Coverage, c.Diff, c.SecondPass} {
		if len(section) == 0 {
			t.Error("a section of the table is empty (renamed?)")
		}
	}
}

func TestStatusesMatchTheHeader(t *testing.T) {
	if statusError(statusNumbers["IMGREPL_STATUS_OK"]) != nil {
		t.Error("IMGREPL_STATUS_OK is not nil")
	}
	for name, n := range statusNumbers {
		if name != "IMGREPL_STATUS_OK" && statusErrors[n] == nil {
			t.Errorf("%s (%d) has no sentinel", name, n)
		}
	}
	if len(statusErrors) != len(statusNumbers)-1 {
		t.Errorf("%d sentinels for %d statuses", len(statusErrors), len(statusNumbers))
	}
}
