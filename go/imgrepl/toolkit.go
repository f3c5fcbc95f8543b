package imgrepl

/*
#include <stdlib.h>
#include "imgrepl.h"
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"unsafe"
)

// Corpus is a list of images, each with the workload it was found in, for Coverage, Diff and
// SecondPass. It is safe for concurrent reads; Add needs exclusive use. Close frees it (a
// finalizer does so too).
type Corpus struct{ c *C.imgrepl_corpus }

// NewCorpus returns an empty corpus.
func NewCorpus() (*Corpus, error) {
	var c *C.imgrepl_corpus
	if s := C.imgrepl_corpus_new(&c); s != C.IMGREPL_STATUS_OK {
		return nil, statusError(s)
	}
	corpus := &Corpus{c: c}
	runtime.SetFinalizer(corpus, (*Corpus).Close)
	return corpus, nil
}

func (c *Corpus) ptr() *C.imgrepl_corpus {
	if debugGC {
		runtime.GC()
	}
	return c.c
}

// Add adds images found in workload (e.g. "Deployment/shop/web", or "" for none), in one call
// into the library. An image that is not a valid reference is kept: the reports list it. The
// error is for the call as a whole (invalid UTF-8, an image or corpus past its limit), and
// then nothing is added.
func (c *Corpus) Add(workload string, images ...string) error {
	cc := c.ptr()
	if cc == nil {
		return ErrClosed
	}
	all, lens := concat(images)
	allPtr, allLen := cbytes(all)
	var lensPtr *C.size_t
	if len(lens) > 0 {
		lensPtr = &lens[0]
	}
	w, wn := cstr(workload)
	status := C.imgrepl_corpus_add(cc, allPtr, allLen, lensPtr, C.size_t(len(lens)), w, wn)
	runtime.KeepAlive(c)
	runtime.KeepAlive(all)
	runtime.KeepAlive(lens)
	runtime.KeepAlive(workload)
	return statusError(status)
}

// concat lays images out as the batch calls take them: one buffer and the lengths.
func concat(images []string) ([]byte, []C.size_t) {
	total := 0
	for _, s := range images {
		total += len(s)
	}
	all := make([]byte, 0, total)
	lens := make([]C.size_t, len(images))
	for i, s := range images {
		all = append(all, s...)
		lens[i] = C.size_t(len(s))
	}
	return all, lens
}

// Len is the number of images added (occurrences, not distinct).
func (c *Corpus) Len() int {
	n := int(C.imgrepl_corpus_len(c.ptr()))
	runtime.KeepAlive(c)
	return n
}

// Close frees the corpus. It is idempotent; later calls on it return ErrClosed.
func (c *Corpus) Close() {
	if c.c == nil {
		return
	}
	runtime.SetFinalizer(c, nil)
	C.imgrepl_corpus_free(c.c)
	c.c = nil
}

// RewriteError is why an image, or its rewrite, is invalid: the core's code, message, byte
// offset and, for an invalid result, the rule that matched.
type RewriteError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Offset  int    `json:"offset"`
	Rule    *int   `json:"rule"`
}

// RuleCoverage is one rule over a corpus.
type RuleCoverage struct {
	Index            int    `json:"index"`
	RepositoryPrefix string `json:"repositoryPrefix"`
	ReplaceWith      string `json:"replaceWith"`
	// Wins is the images it rewrites; Shadowed those it matches but a longer prefix wins.
	Wins     int `json:"wins"`
	Shadowed int `json:"shadowed"`
	// Status is "wins", "shadowed" or "dead".
	Status string `json:"status"`
	// Code is "dead-rule" or "shadowed-rule" for a rule that never wins, else "".
	Code string `json:"code"`
}

// ImageCount is a distinct image, its occurrences and example workloads.
type ImageCount struct {
	Image     string   `json:"image"`
	Count     int      `json:"count"`
	Workloads []string `json:"workloads"`
}

// RegistryGroup is the images no rule matches, from one registry.
type RegistryGroup struct {
	// Registry is the domain as written, "" when the image has none ("nginx").
	Registry string `json:"registry"`
	// Normalized is the domain as the runtime reads it ("docker.io" for "nginx").
	Normalized string       `json:"normalized"`
	Count      int          `json:"count"`
	Images     []ImageCount `json:"images"`
	Workloads  []string     `json:"workloads"`
	Code       string       `json:"code"`
}

// InvalidImage is an image left as it is because it, or its rewrite, is invalid.
type InvalidImage struct {
	Image     string       `json:"image"`
	Count     int          `json:"count"`
	Error     RewriteError `json:"error"`
	Workloads []string     `json:"workloads"`
}

// Disagreement is an image for which the two match modes pick different rules (nil: none).
type Disagreement struct {
	Image             string   `json:"image"`
	Count             int      `json:"count"`
	LongestPrefixRule *int     `json:"longestPrefixRule"`
	ExactParentRule   *int     `json:"exactParentRule"`
	Workloads         []string `json:"workloads"`
	Code              string   `json:"code"`
}

// Coverage is what a policy does over a corpus (Policy.Coverage). Images are counted as
// occurrences, Distinct excepted.
type Coverage struct {
	// Mode is "longest-prefix" or "exact-parent": wins and shadows are counted in it.
	Mode           string          `json:"mode"`
	Images         int             `json:"images"`
	Distinct       int             `json:"distinct"`
	Rewritten      int             `json:"rewritten"`
	UncoveredCount int             `json:"uncoveredCount"`
	InvalidCount   int             `json:"invalidCount"`
	Rules          []RuleCoverage  `json:"rules"`
	Uncovered      []RegistryGroup `json:"uncovered"`
	Invalid        []InvalidImage  `json:"invalid"`
	Disagreements  []Disagreement  `json:"disagreements"`
}

// Dead returns the rules that match no image of the corpus (often a typo in a prefix).
func (c *Coverage) Dead() []RuleCoverage {
	var out []RuleCoverage
	for _, r := range c.Rules {
		if r.Status == "dead" {
			out = append(out, r)
		}
	}
	return out
}

// Coverage runs the policy over the corpus: per rule the images it wins and those it matches
// but loses to a longer prefix, the images no rule matches grouped by registry, the invalid
// images, and where the two match modes disagree.
func (p *Policy) Coverage(corpus *Corpus) (*Coverage, error) {
	var out Coverage
	err := toolkitCall(p, nil, corpus, &out, func(a, _ *C.imgrepl_policy, c *C.imgrepl_corpus, s *C.imgrepl_string) uint32 {
		return C.imgrepl_policy_coverage(a, c, s, nil)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CoverageSummary is the counts of a Coverage, without the lists: images as occurrences
// (Distinct excepted), rules that are dead or shadowed, the registries of the uncovered images,
// and the distinct images the match modes disagree on.
type CoverageSummary struct {
	Images, Distinct, Rewritten, Uncovered, Invalid int
	DeadRules, ShadowedRules, UncoveredRegistries   int
	Disagreements                                   int
}

// CoverageSummary runs the policy over the corpus as Coverage does, and returns only the counts
// (a CI gate on dead rules or uncovered images). The library then makes no JSON: over 100,000
// distinct images, most of Coverage's time is the JSON of the uncovered ones and its decoding.
func (p *Policy) CoverageSummary(corpus *Corpus) (CoverageSummary, error) {
	pc, c := p.ptr(), corpus.ptr()
	if pc == nil || c == nil {
		return CoverageSummary{}, ErrClosed
	}
	var s C.imgrepl_coverage_summary
	status := C.imgrepl_policy_coverage(pc, c, nil, &s)
	runtime.KeepAlive(p)
	runtime.KeepAlive(corpus)
	if status != C.IMGREPL_STATUS_OK {
		return CoverageSummary{}, statusError(status)
	}
	return CoverageSummary{
		Images: int(s.images), Distinct: int(s.distinct), Rewritten: int(s.rewritten),
		Uncovered: int(s.uncovered), Invalid: int(s.invalid), DeadRules: int(s.dead_rules),
		ShadowedRules: int(s.shadowed_rules), UncoveredRegistries: int(s.uncovered_registries),
		Disagreements: int(s.disagreements),
	}, nil
}

// RuleAt is a rule as it stands in one of two policies, with its byte span in that text.
type RuleAt struct {
	Index       int    `json:"index"`
	ReplaceWith string `json:"replaceWith"`
	Span        Span   `json:"span"`
}

// RuleChange is one rule-level change: Kind is "added", "removed" or "changed"; Old is nil
// when added, New when removed.
type RuleChange struct {
	Kind             string  `json:"kind"`
	RepositoryPrefix string  `json:"repositoryPrefix"`
	Old              *RuleAt `json:"old"`
	New              *RuleAt `json:"new"`
}

// Outcome is what one policy does with an image: the result (nil on error), the winning rule
// and its prefix (nil for none), and the error code when it is left as it is.
type Outcome struct {
	Result *string `json:"result"`
	Rule   *int    `json:"rule"`
	Prefix *string `json:"prefix"`
	Error  *string `json:"error"`
}

// ImageChange is an image whose outcome changes; Causes are indexes in PolicyDiff.Rules.
type ImageChange struct {
	Image     string   `json:"image"`
	Count     int      `json:"count"`
	Old       Outcome  `json:"old"`
	New       Outcome  `json:"new"`
	Causes    []int    `json:"causes"`
	Workloads []string `json:"workloads"`
}

// DiffSummary counts a PolicyDiff.
type DiffSummary struct {
	Added           int `json:"added"`
	Removed         int `json:"removed"`
	Changed         int `json:"changed"`
	Unchanged       int `json:"unchanged"`
	Images          int `json:"images"`
	ImagesChanged   int `json:"imagesChanged"`
	DistinctChanged int `json:"distinctChanged"`
}

// PolicyDiff is what changes from one policy to another (Diff).
type PolicyDiff struct {
	Rules   []RuleChange  `json:"rules"`
	Images  []ImageChange `json:"images"`
	Summary DiffSummary   `json:"summary"`
}

// Empty reports whether nothing changes: no rule, no image.
func (d *PolicyDiff) Empty() bool { return len(d.Rules) == 0 && len(d.Images) == 0 }

// Diff compares two policies rule by rule (by repositoryPrefix) and image by image over the
// corpus, each policy in its own match mode.
func Diff(oldPolicy, newPolicy *Policy, corpus *Corpus) (*PolicyDiff, error) {
	var out PolicyDiff
	err := toolkitCall(oldPolicy, newPolicy, corpus, &out, func(a, b *C.imgrepl_policy, c *C.imgrepl_corpus, s *C.imgrepl_string) uint32 {
		return C.imgrepl_policy_diff(a, b, c, s, nil)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ChainStep is one pass of a chain: the rule that matched and its result.
type ChainStep struct {
	Rule   int    `json:"rule"`
	Result string `json:"result"`
}

// SecondPass is an image whose first result a second pass would change.
type SecondPass struct {
	Image string `json:"image"`
	Count int    `json:"count"`
	// First is the result of the first pass (what the webhook writes).
	First string `json:"first"`
	// Chain is every pass, the first included.
	Chain []ChainStep `json:"chain"`
	// End is "stable", "cycle", "invalid-result" or "limit".
	End string `json:"end"`
	// Error is why the chain stops, for "invalid-result".
	Error     *RewriteError `json:"error"`
	Workloads []string      `json:"workloads"`
	Code      string        `json:"code"`
}

// SecondPass returns the images whose result a second pass of the policy (a reinvoked
// webhook, reinvocationPolicy: IfNeeded) would change, with the chain of rules; empty when no
// result changes.
func (p *Policy) SecondPass(corpus *Corpus) ([]SecondPass, error) {
	out := []SecondPass{}
	err := toolkitCall(p, nil, corpus, &out, func(a, _ *C.imgrepl_policy, c *C.imgrepl_corpus, s *C.imgrepl_string) uint32 {
		return C.imgrepl_policy_second_pass(a, c, s, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// toolkitCall runs one analysis over the corpus (b nil for one policy) and decodes its JSON.
func toolkitCall(a, b *Policy, corpus *Corpus, out interface{}, f func(a, b *C.imgrepl_policy, c *C.imgrepl_corpus, s *C.imgrepl_string) uint32) error {
	pa := a.ptr()
	var pb *C.imgrepl_policy
	if b != nil {
		pb = b.ptr()
	}
	c := corpus.ptr()
	if pa == nil || (b != nil && pb == nil) || c == nil {
		return ErrClosed
	}
	var s C.imgrepl_string
	status := f(pa, pb, c, &s)
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(corpus)
	if status != C.IMGREPL_STATUS_OK {
		return statusError(status)
	}
	return json.Unmarshal(takeString(&s), out)
}

// BurstSet is a set of values of the bursting label (Options.Burst): bursting.cci.io/burst-to-cci
// of CCI 2.0, which wins, or virtual-kubelet.io/burst-to-cci of CCI 1.0:
// BurstAuto|BurstEnforce rewrites only pod specs that may run on the serverless side. The zero
// value rewrites every pod spec whatever its label.
type BurstSet uint32

const (
	// BurstAuto is "auto": pods may burst to the serverless side.
	BurstAuto BurstSet = C.IMGREPL_BURST_MODE_AUTO
	// BurstEnforce is "enforce": pods always run on the serverless side.
	BurstEnforce BurstSet = C.IMGREPL_BURST_MODE_ENFORCE
	// BurstOff is "off": pods never burst.
	BurstOff BurstSet = C.IMGREPL_BURST_MODE_OFF
)

// ParseBurst reads a comma-separated list of label values, "auto,enforce", as the command
// line's --burst does (no spaces). An unknown value is an *Error with code
// "invalid-burst-label" (errors.Is ErrInvalidArgument).
func ParseBurst(s string) (BurstSet, error) {
	ptr, n := cstr(s)
	var mask C.uint32_t
	var cerr *C.imgrepl_error
	status := C.imgrepl_burst_parse(ptr, n, &mask, &cerr)
	runtime.KeepAlive(s)
	if status != C.IMGREPL_STATUS_OK {
		return 0, takeError(status, cerr)
	}
	return BurstSet(mask), nil
}

// PullSecrets are the image pull secrets a rewrite knows (Options.PullSecrets): a pod spec that
// names pull secrets, all of them known here and none of which covers a rewritten image's new
// registry, gets a "pull-secret-uncovered" warning (a named secret not known here is not judged). Safe for concurrent use once filled; the Add methods need
// exclusive use. Close frees them (a finalizer does so too).
type PullSecrets struct{ s *C.imgrepl_pull_secrets }

// NewPullSecrets returns an empty set of pull secrets.
func NewPullSecrets() (*PullSecrets, error) {
	var s *C.imgrepl_pull_secrets
	if st := C.imgrepl_pull_secrets_new(&s); st != C.IMGREPL_STATUS_OK {
		return nil, statusError(st)
	}
	secrets := &PullSecrets{s: s}
	runtime.SetFinalizer(secrets, (*PullSecrets).Close)
	return secrets, nil
}

func (s *PullSecrets) ptr() *C.imgrepl_pull_secrets {
	if debugGC {
		runtime.GC()
	}
	return s.s
}

// AddObjects adds the pull secrets of one JSON document: a kubernetes.io/dockerconfigjson
// Secret, or a List as "kubectl get secrets -o json" prints it. Other objects are ignored; a
// Secret that cannot be read is kept as a problem (Info). Text that is not JSON is an *Error
// (errors.Is ErrInvalidWorkload) with its byte offset.
func (s *PullSecrets) AddObjects(document []byte) error {
	c := s.ptr()
	if c == nil {
		return ErrClosed
	}
	ptr, n := cbytes(document)
	var cerr *C.imgrepl_error
	status := C.imgrepl_pull_secrets_add_objects(c, ptr, n, &cerr)
	runtime.KeepAlive(s)
	runtime.KeepAlive(document)
	if status != C.IMGREPL_STATUS_OK {
		return takeError(status, cerr)
	}
	return nil
}

// AddDockerConfig adds the secret name (in namespace, "" for any) from the text of its
// .dockerconfigjson ({"auths": {...}}) or .dockercfg. Text that is not such an object is an
// *Error with code "invalid-pull-secret" (errors.Is ErrInvalidArgument).
func (s *PullSecrets) AddDockerConfig(name, namespace string, config []byte) error {
	c := s.ptr()
	if c == nil {
		return ErrClosed
	}
	np, nn := cstr(name)
	sp, sn := cstr(namespace)
	cp, cn := cbytes(config)
	var cerr *C.imgrepl_error
	status := C.imgrepl_pull_secrets_add_docker_config(c, np, nn, sp, sn, cp, cn, &cerr)
	runtime.KeepAlive(s)
	runtime.KeepAlive(name)
	runtime.KeepAlive(namespace)
	runtime.KeepAlive(config)
	if status != C.IMGREPL_STATUS_OK {
		return takeError(status, cerr)
	}
	return nil
}

// PullSecret is one secret's registries, as the kubelet keeps its keys (host[:port][/path]).
type PullSecret struct {
	Name       string   `json:"name"`
	Namespace  *string  `json:"namespace"`
	Registries []string `json:"registries"`
}

// Warning is a problem found with a stable code, e.g. "invalid-pull-secret", at a JSON pointer.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Pointer string `json:"pointer"`
}

// ServiceAccount is a ServiceAccount's imagePullSecrets: a pod spec that names none of its own
// pulls with them (the API server copies them into the pod).
type ServiceAccount struct {
	Name             string   `json:"name"`
	Namespace        *string  `json:"namespace"`
	ImagePullSecrets []string `json:"imagePullSecrets"`
}

// PullSecretsInfo is what a PullSecrets holds: the secrets, the service accounts, and the
// Secrets that could not be read.
type PullSecretsInfo struct {
	Secrets         []PullSecret     `json:"secrets"`
	ServiceAccounts []ServiceAccount `json:"serviceAccounts"`
	Problems        []Warning        `json:"problems"`
}

// Info returns the secrets and problems.
func (s *PullSecrets) Info() (PullSecretsInfo, error) {
	var info PullSecretsInfo
	c := s.ptr()
	if c == nil {
		return info, ErrClosed
	}
	var out C.imgrepl_string
	status := C.imgrepl_pull_secrets_json(c, &out)
	runtime.KeepAlive(s)
	if status != C.IMGREPL_STATUS_OK {
		return info, statusError(status)
	}
	err := json.Unmarshal(takeString(&out), &info)
	return info, err
}

// Close frees the pull secrets; no call using them may be running. It is idempotent.
func (s *PullSecrets) Close() {
	if s.s == nil {
		return
	}
	runtime.SetFinalizer(s, nil)
	C.imgrepl_pull_secrets_free(s.s)
	s.s = nil
}

// withOptions calls f with C workload options made from o (nil for nil o: the defaults),
// keeping what they refer to alive, and frees them.
func withOptions(o *Options, f func(*C.imgrepl_workload_options) uint32) (uint32, error) {
	if o == nil {
		return f(nil), nil
	}
	opts, err := newWorkloadOptions(o)
	if err != nil {
		return 0, err
	}
	defer C.imgrepl_workload_options_free(opts)
	status := f(opts)
	runtime.KeepAlive(o.Policy)
	runtime.KeepAlive(o.PullSecrets)
	runtime.KeepAlive(o.Cache)
	return status, nil
}

// newWorkloadOptions makes the C workload options of o (not nil), for the caller to free with
// imgrepl_workload_options_free. They refer to o's policy, pull secrets and cache, which must
// stay open while they are used.
func newWorkloadOptions(o *Options) (*C.imgrepl_workload_options, error) {
	// Go memory that holds only C pointers, as cgo's rules allow.
	var base C.imgrepl_options
	if o.Policy != nil {
		base.policy = o.Policy.ptr()
		if base.policy == nil {
			return nil, ErrClosed
		}
	}
	// The key is copied to C memory: a C struct must not hold a Go pointer.
	if o.AnnotationKey != "" {
		key := C.CString(o.AnnotationKey)
		defer C.free(unsafe.Pointer(key))
		base.annotation_key = key
		base.annotation_key_len = C.size_t(len(o.AnnotationKey))
	}
	base.mode = C.uint32_t(o.Mode)
	var opts *C.imgrepl_workload_options
	if s := C.imgrepl_workload_options_new(&base, &opts); s != C.IMGREPL_STATUS_OK {
		return nil, statusError(s)
	}
	fail := func(err error) (*C.imgrepl_workload_options, error) {
		C.imgrepl_workload_options_free(opts)
		return nil, err
	}
	if s := C.imgrepl_workload_options_set_burst(opts, C.uint32_t(o.Burst)); s != C.IMGREPL_STATUS_OK {
		return fail(statusError(s))
	}
	if o.SkipPullChecks {
		C.imgrepl_workload_options_set_check_pulls(opts, false)
	}
	if o.PullSecrets != nil {
		secrets := o.PullSecrets.ptr()
		if secrets == nil {
			return fail(ErrClosed)
		}
		C.imgrepl_workload_options_set_pull_secrets(opts, secrets)
	}
	if o.Cache != nil {
		cache := o.Cache.ptr()
		if cache == nil {
			return fail(ErrClosed)
		}
		C.imgrepl_workload_options_set_cache(opts, cache)
	}
	if o.Audit {
		C.imgrepl_workload_options_set_audit(opts, true)
	}
	if o.ExcludeNamespace != "" {
		ns, n := cstr(o.ExcludeNamespace)
		s := C.imgrepl_workload_options_set_exclude_namespace(opts, ns, n)
		runtime.KeepAlive(o.ExcludeNamespace)
		if s != C.IMGREPL_STATUS_OK {
			return fail(statusError(s))
		}
	}
	return opts, nil
}
