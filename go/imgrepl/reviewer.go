package imgrepl

/*
#include "imgrepl.h"
*/
import "C"

import "runtime"

// Reviewer answers AdmissionReview requests with options prepared once, for a server that
// answers many: ReviewAdmission builds the library's options on every call (a few cgo calls
// and allocations), a Reviewer when it is made. It is safe for concurrent use.
//
// It refers to the Options' Policy, PullSecrets and Cache, which must stay open while it is
// used; it keeps them from being collected.
type Reviewer struct {
	opts   *C.imgrepl_workload_options // nil for the defaults
	o      Options
	closed bool
}

// NewReviewer prepares the options o (nil for the defaults).
func NewReviewer(o *Options) (*Reviewer, error) {
	r := &Reviewer{}
	if o != nil {
		r.o = *o
		opts, err := newWorkloadOptions(o)
		if err != nil {
			return nil, err
		}
		r.opts = opts
		runtime.SetFinalizer(r, (*Reviewer).Close)
	}
	return r, nil
}

// Review answers an AdmissionReview request body, as ReviewAdmission does with the
// Reviewer's options.
func (r *Reviewer) Review(body []byte) ([]byte, AdmissionInfo, error) {
	var out C.imgrepl_string
	var outcome *C.imgrepl_admission_outcome
	var cerr *C.imgrepl_error
	if r.closed {
		return nil, AdmissionInfo{}, ErrClosed
	}
	status := reviewCall(body, r.opts, &out, &outcome, &cerr)
	runtime.KeepAlive(r)
	return reviewAnswer(status, &out, outcome, cerr)
}

// Close frees the prepared options. It is idempotent; the Reviewer must not be in use by
// another goroutine. Later reviews return ErrClosed.
func (r *Reviewer) Close() {
	if r.closed {
		return
	}
	r.closed = true
	runtime.SetFinalizer(r, nil)
	if r.opts != nil {
		C.imgrepl_workload_options_free(r.opts)
		r.opts = nil
	}
}
