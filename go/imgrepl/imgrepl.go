// Package imgrepl rewrites container image references by an image replacement policy (the
// coordinator.cci.io/image-replacement annotation: longest matching prefix wins), through
// libimgrepl's C API.
//
// A Policy is parsed once and is safe for concurrent use by any number of goroutines. Every
// rule of the grammar and the policy lives in the Rust core; this package only converts.
//
// Errors: an invalid policy is a *PolicyError with every diagnostic; an image that cannot be
// rewritten is an *Error with a stable code and a byte offset; both match the sentinel errors
// (ErrInvalidPolicy, ErrInvalidImage, ...) with errors.Is.
//
// Building: by default the package links the repository's target/release/libimgrepl.a (`cargo
// build --release -p imgrepl-c`), and stops with an #error that says what to do when it is not
// there. When cargo builds elsewhere (CARGO_TARGET_DIR), build with -tags imgrepl_ldflags and
// name the library in CGO_LDFLAGS:
//
//	CGO_LDFLAGS="$CARGO_TARGET_DIR/release/libimgrepl.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc" go build -tags imgrepl_ldflags
//
// or install it (`cargo xtask install-c --prefix DIR`) and build with -tags imgrepl_pkgconfig
// and PKG_CONFIG_PATH=DIR/lib/pkgconfig.
package imgrepl

/*
#include <stdlib.h>
#include "imgrepl.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// Version is the version of the linked libimgrepl.
func Version() string { return C.GoString(C.imgrepl_version()) }

// Sentinel errors, one per status of the C API, for errors.Is.
var (
	ErrNullArgument    = errors.New("imgrepl: a required pointer argument was NULL")
	ErrInvalidUTF8     = errors.New("imgrepl: a string argument is not valid UTF-8")
	ErrInputTooLarge   = errors.New("imgrepl: an input is longer than its limit")
	ErrInvalidArgument = errors.New("imgrepl: an argument is out of its range")
	ErrInvalidPolicy   = errors.New("imgrepl: the image replacement policy is invalid")
	ErrInvalidImage    = errors.New("imgrepl: the image is not a valid reference")
	ErrInvalidResult   = errors.New("imgrepl: the rewritten image would not be a valid reference")
	ErrInvalidWorkload = errors.New("imgrepl: the Kubernetes object cannot be read")
	ErrInvalidReview   = errors.New("imgrepl: the AdmissionReview cannot be read")
	ErrPanic           = errors.New("imgrepl: internal error in libimgrepl (a panic was caught)")
	// ErrClosed is returned by a Policy used after Close.
	ErrClosed = errors.New("imgrepl: the policy is closed")
)

// statusError is the sentinel for a status; nil for OK.
func statusError(s uint32) error {
	switch s {
	case C.IMGREPL_STATUS_OK:
		return nil
	case C.IMGREPL_STATUS_NULL_ARGUMENT:
		return ErrNullArgument
	case C.IMGREPL_STATUS_INVALID_UTF8:
		return ErrInvalidUTF8
	case C.IMGREPL_STATUS_INPUT_TOO_LARGE:
		return ErrInputTooLarge
	case C.IMGREPL_STATUS_INVALID_ARGUMENT:
		return ErrInvalidArgument
	case C.IMGREPL_STATUS_INVALID_POLICY:
		return ErrInvalidPolicy
	case C.IMGREPL_STATUS_INVALID_IMAGE:
		return ErrInvalidImage
	case C.IMGREPL_STATUS_INVALID_RESULT:
		return ErrInvalidResult
	case C.IMGREPL_STATUS_INVALID_WORKLOAD:
		return ErrInvalidWorkload
	case C.IMGREPL_STATUS_INVALID_REVIEW:
		return ErrInvalidReview
	case C.IMGREPL_STATUS_PANIC:
		return ErrPanic
	}
	return fmt.Errorf("imgrepl: unknown status %d", int(s))
}

// Error is an image, reference, object or review that libimgrepl could not handle: the core's
// stable code (e.g. "uppercase", "invalid-result"), its message and, when known, the byte offset
// in the input (-1 otherwise).
type Error struct {
	Code    string
	Message string
	Offset  int
	// JSON is the core's serialization of the error.
	JSON   string
	status error
}

func (e *Error) Error() string { return "imgrepl: " + e.Message }

// Is reports whether target is the sentinel of this error's status (ErrInvalidImage, ...).
func (e *Error) Is(target error) bool { return target == e.status }

// takeError converts and frees a C error; status gives the sentinel when err is NULL.
func takeError(status uint32, err *C.imgrepl_error) error {
	if err == nil {
		return statusError(status)
	}
	defer C.imgrepl_error_free(err)
	return &Error{
		Code:    goStr(C.imgrepl_error_code(err)),
		Message: goStr(C.imgrepl_error_message(err)),
		Offset:  int(C.imgrepl_error_offset(err)),
		JSON:    goStr(C.imgrepl_error_json(err)),
		status:  statusError(status),
	}
}

// goStr copies a borrowed imgrepl_str into Go memory.
func goStr(s C.imgrepl_str) string {
	if s.ptr == nil {
		return ""
	}
	return C.GoStringN(s.ptr, C.int(s.len))
}

// takeString copies an owned imgrepl_string into Go memory and frees it.
func takeString(s *C.imgrepl_string) []byte {
	defer C.imgrepl_string_free(s)
	if s.ptr == nil {
		return []byte{}
	}
	return C.GoBytes(unsafe.Pointer(s.ptr), C.int(s.len))
}

// cstr passes a Go string to C without copying (the C side only reads it during the call).
func cstr(s string) (*C.char, C.size_t) {
	return C._GoStringPtr(s), C.size_t(C._GoStringLen(s))
}

// cbytes passes a Go byte slice to C without copying.
func cbytes(b []byte) (*C.char, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// Severity says whether a diagnostic makes the policy invalid.
type Severity int

const (
	// SeverityError makes the policy invalid.
	SeverityError Severity = iota
	// SeverityWarning is a likely mistake; the policy still works.
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Span is a byte range [Start, End) in the policy text.
type Span struct{ Start, End int }

// Diagnostic is one finding about a policy.
type Diagnostic struct {
	Severity Severity
	// Code is stable, e.g. "duplicate-prefix".
	Code    string
	Message string
	// Rule is the index of the rule it is about, or -1.
	Rule int
	// Field is "repositoryPrefix", "replaceWith" or "".
	Field string
	// Pointer is the JSON pointer of the offending value, e.g. "/1/repositoryPrefix".
	Pointer string
	Span    Span
	// Related is the first occurrence, for a duplicate.
	Related *Span
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s %s at %s (bytes %d..%d): %s", d.Severity, d.Code, d.Pointer, d.Span.Start, d.Span.End, d.Message)
}

// PolicyError is an invalid policy, with every diagnostic (errors and warnings).
type PolicyError struct{ Diagnostics []Diagnostic }

func (e *PolicyError) Error() string {
	var b strings.Builder
	b.WriteString("imgrepl: invalid policy")
	for _, d := range e.Diagnostics {
		if d.Severity == SeverityError {
			b.WriteString("; ")
			b.WriteString(d.Message)
		}
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidPolicy) true.
func (e *PolicyError) Is(target error) bool { return target == ErrInvalidPolicy }

// takeDiagnostics converts and frees a C diagnostics list.
func takeDiagnostics(list *C.imgrepl_diagnostics) []Diagnostic {
	defer C.imgrepl_diagnostics_free(list)
	n := int(C.imgrepl_diagnostics_len(list))
	out := make([]Diagnostic, 0, n)
	for i := 0; i < n; i++ {
		var d C.imgrepl_diagnostic
		if C.imgrepl_diagnostics_get(list, C.size_t(i), &d) != C.IMGREPL_STATUS_OK {
			continue
		}
		g := Diagnostic{
			Severity: Severity(d.severity),
			Code:     goStr(d.code),
			Message:  goStr(d.message),
			Rule:     int(d.rule),
			Field:    goStr(d.field),
			Pointer:  goStr(d.pointer),
			Span:     Span{int(d.span_start), int(d.span_end)},
		}
		if d.has_related {
			g.Related = &Span{int(d.related_start), int(d.related_end)}
		}
		out = append(out, g)
	}
	return out
}

// Mode says how a policy matches images.
type Mode uint32

const (
	// LongestPrefix: the longest rule prefix that, followed by "/", starts the image (default).
	LongestPrefix Mode = C.IMGREPL_MATCH_MODE_LONGEST_PREFIX
	// ExactParent: a non-empty prefix matches only when it equals the image's parent path.
	ExactParent Mode = C.IMGREPL_MATCH_MODE_EXACT_PARENT
)

// ParseMode reads "longest-prefix" or "exact-parent".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "longest-prefix":
		return LongestPrefix, nil
	case "exact-parent":
		return ExactParent, nil
	}
	return 0, fmt.Errorf("%w: unknown match mode %q (longest-prefix or exact-parent)", ErrInvalidArgument, s)
}

// Policy is a validated image replacement policy. It is safe for concurrent use; Close frees
// it (a finalizer does so too, as a safety net).
type Policy struct {
	p        *C.imgrepl_policy
	warnings []Diagnostic
}

// ParsePolicy reads and validates the JSON text of the annotation. An invalid policy is a
// *PolicyError listing every error and warning.
func ParsePolicy(json string) (*Policy, error) {
	ptr, n := cstr(json)
	var p *C.imgrepl_policy
	var diags *C.imgrepl_diagnostics
	status := C.imgrepl_policy_parse(ptr, n, &p, &diags)
	runtime.KeepAlive(json)
	switch status {
	case C.IMGREPL_STATUS_OK:
		return newPolicy(p, takeDiagnostics(diags)), nil
	case C.IMGREPL_STATUS_INVALID_POLICY:
		return nil, &PolicyError{Diagnostics: takeDiagnostics(diags)}
	}
	return nil, statusError(status)
}

func newPolicy(p *C.imgrepl_policy, warnings []Diagnostic) *Policy {
	policy := &Policy{p: p, warnings: warnings}
	runtime.SetFinalizer(policy, (*Policy).Close)
	return policy
}

// ptr is the C pointer, or nil after Close. With -tags debug it forces a GC first, so a
// missing runtime.KeepAlive after a C call shows up in tests.
func (p *Policy) ptr() *C.imgrepl_policy {
	if debugGC {
		runtime.GC()
	}
	return p.p
}

// Close frees the policy. It is idempotent; the policy must not be in use by another
// goroutine. Later calls on it return ErrClosed.
func (p *Policy) Close() {
	if p.p == nil {
		return
	}
	runtime.SetFinalizer(p, nil)
	C.imgrepl_policy_free(p.p)
	p.p = nil
}

// Warnings are the policy's warnings (likely mistakes that do not make it invalid).
func (p *Policy) Warnings() []Diagnostic { return p.warnings }

// Mode is the policy's match mode.
func (p *Policy) Mode() Mode {
	m := Mode(C.imgrepl_policy_mode(p.ptr()))
	runtime.KeepAlive(p)
	return m
}

// WithMode returns a new policy with the same rules and another match mode.
func (p *Policy) WithMode(mode Mode) (*Policy, error) {
	c := p.ptr()
	if c == nil {
		return nil, ErrClosed
	}
	var out *C.imgrepl_policy
	status := C.imgrepl_policy_with_mode(c, C.uint32_t(mode), &out)
	runtime.KeepAlive(p)
	if status != C.IMGREPL_STATUS_OK {
		return nil, statusError(status)
	}
	return newPolicy(out, p.warnings), nil
}

// Result is one rewritten image.
type Result struct {
	// Image is the result: the rewritten image, or the image itself when no rule matches.
	Image string
	// Rule is the index of the rule applied, or -1.
	Rule int
}

// Changed reports whether a rule rewrote the image.
func (r Result) Changed() bool { return r.Rule >= 0 }

// rewriteScratch is what one Rewrite call hands to C: the output buffer and the
// out-parameters. Pooled, so that a call allocates only its result string (locals passed to C
// would each escape to the heap).
type rewriteScratch struct {
	buf    [512]byte
	outLen C.size_t
	rule   C.int64_t
	cerr   *C.imgrepl_error
}

var scratchPool = sync.Pool{New: func() interface{} { return new(rewriteScratch) }}

// Rewrite rewrites one image. An invalid image, or a result that would be invalid, is an
// *Error (errors.Is ErrInvalidImage / ErrInvalidResult).
func (p *Policy) Rewrite(image string) (Result, error) {
	c := p.ptr()
	if c == nil {
		return Result{}, ErrClosed
	}
	s := scratchPool.Get().(*rewriteScratch)
	defer scratchPool.Put(s)
	s.cerr = nil
	ptr, n := cstr(image)
	status := C.imgrepl_policy_rewrite(c, ptr, n, (*C.char)(unsafe.Pointer(&s.buf[0])), C.size_t(len(s.buf)), &s.outLen, &s.rule, &s.cerr)
	if status == C.IMGREPL_STATUS_BUFFER_TOO_SMALL {
		// A result longer than the pooled buffer (rare: up to IMGREPL_MAX_IMAGE_BYTES and more).
		big := make([]byte, int(s.outLen))
		status = C.imgrepl_policy_rewrite(c, ptr, n, (*C.char)(unsafe.Pointer(&big[0])), C.size_t(len(big)), &s.outLen, &s.rule, &s.cerr)
		runtime.KeepAlive(p)
		runtime.KeepAlive(image)
		if status != C.IMGREPL_STATUS_OK {
			return Result{}, takeError(status, s.cerr)
		}
		return Result{Image: string(big[:s.outLen]), Rule: int(s.rule)}, nil
	}
	runtime.KeepAlive(p)
	runtime.KeepAlive(image)
	if status != C.IMGREPL_STATUS_OK {
		return Result{}, takeError(status, s.cerr)
	}
	if s.rule < 0 {
		// Unchanged: the result is the image itself; no copy.
		return Result{Image: image, Rule: -1}, nil
	}
	return Result{Image: string(s.buf[:s.outLen]), Rule: int(s.rule)}, nil
}

// Match is the rule that matches an image and the length of the prefix it matched.
type Match struct {
	Rule      int
	PrefixLen int
}

// Find returns the rule that matches image, without rewriting; ok is false when none does.
func (p *Policy) Find(image string) (m Match, ok bool, err error) {
	c := p.ptr()
	if c == nil {
		return Match{}, false, ErrClosed
	}
	ptr, n := cstr(image)
	var cm C.imgrepl_match
	var cerr *C.imgrepl_error
	status := C.imgrepl_policy_find(c, ptr, n, &cm, &cerr)
	runtime.KeepAlive(p)
	runtime.KeepAlive(image)
	if status != C.IMGREPL_STATUS_OK {
		return Match{}, false, takeError(status, cerr)
	}
	return Match{Rule: int(cm.rule), PrefixLen: int(cm.prefix_len)}, bool(cm.found), nil
}

// Explain says, as JSON, what the policy does with image and why: every "/" boundary and the
// rule there, the winner in each mode, whether the modes disagree, the result or the error,
// and a sentence (the core's serialization, "modesDisagree", "reason", ...).
func (p *Policy) Explain(image string) ([]byte, error) {
	c := p.ptr()
	if c == nil {
		return nil, ErrClosed
	}
	ptr, n := cstr(image)
	var out C.imgrepl_string
	status := C.imgrepl_policy_explain(c, ptr, n, &out)
	runtime.KeepAlive(p)
	runtime.KeepAlive(image)
	if status != C.IMGREPL_STATUS_OK {
		return nil, statusError(status)
	}
	return takeString(&out), nil
}

// Rules returns the policy's rules as (repositoryPrefix, replaceWith) pairs.
func (p *Policy) Rules() [][2]string {
	c := p.ptr()
	n := int(C.imgrepl_policy_rules_len(c))
	rules := make([][2]string, 0, n)
	for i := 0; i < n; i++ {
		var prefix, replace C.imgrepl_str
		if C.imgrepl_policy_rule(c, C.size_t(i), &prefix, &replace) == C.IMGREPL_STATUS_OK {
			rules = append(rules, [2]string{goStr(prefix), goStr(replace)})
		}
	}
	runtime.KeepAlive(p)
	return rules
}

// View says how a reference is read.
type View uint32

const (
	// AsWritten: "library/nginx" has domain "library".
	AsWritten View = C.IMGREPL_VIEW_AS_WRITTEN
	// Normalized: "nginx" is "docker.io/library/nginx".
	Normalized View = C.IMGREPL_VIEW_NORMALIZED
	// DockerRef: normalized, ":latest" added without tag or digest, tag dropped with both.
	DockerRef View = C.IMGREPL_VIEW_DOCKER_REF
)

// Reference is a parsed image reference; absent parts are "".
type Reference struct {
	Full, Name, Domain, Path, Tag, Digest string
	// Familiar is the short form ("nginx:1"), for the normalized views.
	Familiar string
}

// ParseReference parses s in view. An invalid reference is an *Error whose Code is the
// reference implementation's kind ("uppercase", "digest-length", ...).
func ParseReference(s string, view View) (Reference, error) {
	ptr, n := cstr(s)
	var r *C.imgrepl_reference
	var cerr *C.imgrepl_error
	status := C.imgrepl_reference_parse(ptr, n, C.uint32_t(view), &r, &cerr)
	runtime.KeepAlive(s)
	if status != C.IMGREPL_STATUS_OK {
		return Reference{}, takeError(status, cerr)
	}
	defer C.imgrepl_reference_free(r)
	var parts C.imgrepl_reference_parts
	if status := C.imgrepl_reference_get(r, &parts); status != C.IMGREPL_STATUS_OK {
		return Reference{}, statusError(status)
	}
	return Reference{
		Full: goStr(parts.full), Name: goStr(parts.name), Domain: goStr(parts.domain),
		Path: goStr(parts.path), Tag: goStr(parts.tag), Digest: goStr(parts.digest),
		Familiar: goStr(parts.familiar),
	}, nil
}

// Options for RewriteWorkload and ReviewAdmission; the zero value reads each object's
// coordinator.cci.io/image-replacement annotation in longest-prefix mode.
type Options struct {
	// Policy, when set, is used for every object whatever its annotations say.
	Policy *Policy
	// AnnotationKey replaces the default annotation key when not "".
	AnnotationKey string
	// Mode is the match mode of policies read from annotations.
	Mode Mode
	// Burst, when not 0, rewrites only the pod specs whose bursting label is in the set
	// (bursting.cci.io/burst-to-cci of CCI 2.0, which wins, or virtual-kubelet.io/burst-to-cci of
	// CCI 1.0); the others are reported as not bursting ("not-bursting").
	Burst BurstSet
	// SkipPullChecks turns off the warnings about pulls a rewrite may break
	// ("anonymous-pull", "pull-secret-uncovered").
	SkipPullChecks bool
	// PullSecrets, when set, are the pull secrets known to the rewrite; they must not be
	// closed while in use.
	PullSecrets *PullSecrets
	// Cache, when set, keeps the compiled policies of annotations, so that an annotation seen
	// before (in the same mode) is not compiled again; the answers are the same. It may be
	// shared by any number of Options and goroutines, and must not be closed while in use.
	Cache *PolicyCache
	// Audit, for ReviewAdmission: the answer carries no patch; each image that would be
	// rewritten is a warning instead ("imgrepl: audit: would rewrite ..."). AdmissionInfo still
	// says what would have been done.
	Audit bool
	// ExcludeNamespace, for ReviewAdmission, when not "": a request in this namespace (the
	// webhook's own) is allowed unchanged without reading its object; AdmissionInfo.Excluded
	// is then "excluded-namespace".
	ExcludeNamespace string
}

// RewriteWorkload rewrites the images of a Kubernetes object (JSON) and returns the core's
// report as JSON: a row per container and the RFC 6902 "patch". An object that is not a
// workload, or carries no policy, gives an empty patch.
func RewriteWorkload(object []byte, o *Options) ([]byte, error) {
	ptr, n := cbytes(object)
	var out C.imgrepl_string
	var cerr *C.imgrepl_error
	status, err := withOptions(o, func(co *C.imgrepl_workload_options) uint32 {
		return C.imgrepl_workload_rewrite_with_options(ptr, n, co, &out, &cerr)
	})
	runtime.KeepAlive(object)
	if err != nil {
		return nil, err
	}
	if status != C.IMGREPL_STATUS_OK {
		return nil, takeError(status, cerr)
	}
	return takeString(&out), nil
}

// AdmissionInfo says what an admission answer did.
type AdmissionInfo struct {
	// PatchOps is the number of JSON Patch operations in the response (0: nothing changed;
	// always 0 in audit mode).
	PatchOps int
	// HasErrors is true when the object or a container had an error (a warning in the
	// response; the object is still allowed). Limits of the object (too large, too deep) are
	// errors of the object.
	HasErrors bool
	// Excluded is "" or the code of why the whole object was left alone on purpose:
	// "excluded" (it opts out with the label or annotation imgrepl.io/exclude: "true") or
	// "excluded-namespace" (Options.ExcludeNamespace).
	Excluded string
	// Containers has one entry per container the review looked at (in audit mode too), in the
	// report's order: containers, initContainers, ephemeralContainers. Pod specs with no
	// policy, excluded or not bursting are not looked at.
	Containers []ContainerOutcome
}

// The values of ContainerOutcome.Outcome.
const (
	// OutcomeRewritten: the image was rewritten (in audit mode: would have been).
	OutcomeRewritten = "rewritten"
	// OutcomeUnchanged: no rule applied (or the container has no image).
	OutcomeUnchanged = "unchanged"
	// OutcomeError: the image could not be rewritten; Code says why.
	OutcomeError = "error"
)

// ContainerOutcome is what happened to one container, for metrics per rule and per outcome.
type ContainerOutcome struct {
	// Outcome is OutcomeRewritten, OutcomeUnchanged or OutcomeError.
	Outcome string
	// Code is the error's code (e.g. "uppercase") when Outcome is OutcomeError, else "".
	Code string
	// Rule is the index in its policy of the rule applied, -1 when none.
	Rule int
	// Prefix is that rule's repositoryPrefix, "" when none (or the empty prefix).
	Prefix string
}

// ReviewAdmission answers an AdmissionReview request body with the response body to send:
// the uid echoed, allowed, and the base64 JSON Patch when images change. Whatever is wrong with
// the object (an invalid policy, a limit such as its size or depth) is answered, allowed with
// a warning; only a body that is not an AdmissionReview request with a uid is an error.
func ReviewAdmission(body []byte, o *Options) ([]byte, AdmissionInfo, error) {
	var out C.imgrepl_string
	var outcome *C.imgrepl_admission_outcome
	var cerr *C.imgrepl_error
	status, err := withOptions(o, func(co *C.imgrepl_workload_options) uint32 {
		return reviewCall(body, co, &out, &outcome, &cerr)
	})
	if err != nil {
		return nil, AdmissionInfo{}, err
	}
	return reviewAnswer(status, &out, outcome, cerr)
}

// reviewCall is the one cgo call of a review.
func reviewCall(body []byte, co *C.imgrepl_workload_options, out *C.imgrepl_string,
	outcome **C.imgrepl_admission_outcome, cerr **C.imgrepl_error) uint32 {
	ptr, n := cbytes(body)
	status := C.imgrepl_admission_review_outcome(ptr, n, co, out, outcome, cerr)
	runtime.KeepAlive(body)
	return status
}

// reviewAnswer turns what reviewCall wrote into Go values, freeing the C ones.
func reviewAnswer(status uint32, out *C.imgrepl_string, outcome *C.imgrepl_admission_outcome,
	cerr *C.imgrepl_error) ([]byte, AdmissionInfo, error) {
	if status != C.IMGREPL_STATUS_OK {
		return nil, AdmissionInfo{}, takeError(status, cerr)
	}
	defer C.imgrepl_admission_outcome_free(outcome)
	return takeString(out), admissionInfo(outcome), nil
}

// admissionInfo reads an outcome (without any JSON).
func admissionInfo(outcome *C.imgrepl_admission_outcome) AdmissionInfo {
	var info C.imgrepl_admission_info
	C.imgrepl_admission_outcome_info(outcome, &info)
	a := AdmissionInfo{
		PatchOps:  int(info.patch_ops),
		HasErrors: bool(info.has_errors),
		Excluded:  goStr(C.imgrepl_admission_outcome_excluded(outcome)),
	}
	var items *C.imgrepl_container_outcome
	var n C.size_t
	if C.imgrepl_admission_outcome_containers(outcome, &items, &n) != C.IMGREPL_STATUS_OK || n == 0 {
		return a
	}
	a.Containers = make([]ContainerOutcome, int(n))
	for i, it := range unsafe.Slice(items, int(n)) {
		c := &a.Containers[i]
		c.Rule = int(it.rule)
		switch it.outcome {
		case C.IMGREPL_OUTCOME_REWRITTEN:
			c.Outcome = OutcomeRewritten
			c.Prefix = goStr(it.prefix)
		case C.IMGREPL_OUTCOME_ERROR:
			c.Outcome = OutcomeError
			c.Code = goStr(it.code)
		default:
			c.Outcome = OutcomeUnchanged
		}
	}
	return a
}
