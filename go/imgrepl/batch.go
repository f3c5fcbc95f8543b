package imgrepl

/*
#include <stdint.h>
#include "imgrepl.h"

// The batch call with the policy as an integer. cgo checks every pointer to an incomplete C
// type passed to C as if it could be Go memory, boxing it first (an allocation per call);
// the policy is C memory, and an integer needs no check.
static imgrepl_status rewrite_batch_into(uintptr_t policy, const char *images, size_t images_len,
                                         const size_t *lens, size_t count, imgrepl_batch_entry *entries,
                                         char *buf, size_t buf_cap, size_t *out_len) {
    return imgrepl_policy_rewrite_batch_into((const imgrepl_policy *)policy, images, images_len, lens,
                                             count, entries, buf, buf_cap, out_len);
}
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// BatchResult is one image of RewriteAll: its Result, or the error that left it unchanged.
type BatchResult struct {
	Result
	// Err is nil, or an *Error (errors.Is ErrInvalidImage / ErrInvalidResult); Image is then
	// the image itself.
	Err error
}

// RewriteAll rewrites many images in one call into the library, which costs less per image
// than Rewrite in a loop. The error is for the call as a whole (ErrInputTooLarge for more than
// 65,536 images or an image over 4,096 bytes, ErrInvalidUTF8); per-image errors are in each
// result, the same as Rewrite returns.
//
// A call allocates the results, one string that the rewritten images share, and an *Error
// per invalid image; an image that no rule matches is returned as it was given (the same
// string, not a copy).
func (p *Policy) RewriteAll(images []string) ([]BatchResult, error) {
	c := p.ptr()
	if c == nil {
		return nil, ErrClosed
	}
	n := len(images)
	if n == 0 {
		return []BatchResult{}, nil
	}
	s := batchPool.Get().(*batchScratch)
	defer s.release()
	total := s.fill(images)
	status := s.call(c, total, n)
	if status == C.IMGREPL_STATUS_BUFFER_TOO_SMALL {
		// Results longer than fill's guess (long replaceWith values): once more, with the
		// size the library asked for.
		s.out = make([]byte, int(s.outLen))
		status = s.call(c, total, n)
	}
	if status != C.IMGREPL_STATUS_OK {
		runtime.KeepAlive(p)
		return nil, statusError(uint32(status))
	}
	var output string
	if s.outLen > 0 {
		output = string(s.out[:s.outLen]) // the one copy of every rewritten image
	}
	out := make([]BatchResult, n)
	entries, images := s.entries[:len(out)], images[:len(out)]
	for i := range out {
		e, r := &entries[i], &out[i]
		r.Rule = int(e.rule)
		switch {
		case e.status != C.IMGREPL_STATUS_OK:
			r.Image = images[i]
			r.Err = batchError(c, images[i], uint32(e.status))
		case e.rule >= 0:
			r.Image = output[e.start:e.end]
		default:
			r.Image = images[i]
		}
	}
	runtime.KeepAlive(p)
	return out, nil
}

// batchScratch is what one RewriteAll call hands to C: the images end to end, their lengths,
// the entries and the output buffer. Pooled, so that a call allocates only what it returns.
type batchScratch struct {
	in      []byte
	lens    []C.size_t
	entries []C.imgrepl_batch_entry
	out     []byte
	outLen  C.size_t
}

var batchPool = sync.Pool{New: func() interface{} { return new(batchScratch) }}

// maxPooledBatchBytes is the largest scratch kept for the next call; a larger one (a huge
// batch) is left to the garbage collector.
const maxPooledBatchBytes = 1 << 20

// fill lays images out for the C call, makes room for the entries and the output (a guess:
// the images' bytes plus 64 per image; the call says when it needs more) and returns the
// images' total length. There is at least one image.
func (s *batchScratch) fill(images []string) int {
	n := len(images)
	if cap(s.lens) < n {
		s.lens = make([]C.size_t, n)
		s.entries = make([]C.imgrepl_batch_entry, n)
	}
	s.lens, s.entries = s.lens[:n], s.entries[:n]
	in, lens := s.in[:0], s.lens
	for i, image := range images {
		in = append(in, image...) // grows the pooled buffer only past its largest batch yet
		lens[i] = C.size_t(len(image))
	}
	s.in = in
	if want := len(in) + 64*n; len(s.out) < want {
		s.out = make([]byte, want)
	}
	return len(in)
}

// call runs the batch call over the n images filled in (total bytes) into s.entries and s.out.
func (s *batchScratch) call(c *C.imgrepl_policy, total, n int) C.imgrepl_status {
	var in *C.char
	if total > 0 {
		in = (*C.char)(unsafe.Pointer(&s.in[0]))
	}
	status := C.rewrite_batch_into(C.uintptr_t(uintptr(unsafe.Pointer(c))), in, C.size_t(total),
		&s.lens[0], C.size_t(n), &s.entries[0],
		(*C.char)(unsafe.Pointer(&s.out[0])), C.size_t(len(s.out)), &s.outLen)
	runtime.KeepAlive(s)
	return status
}

// release puts s back in the pool unless it grew too large to keep.
func (s *batchScratch) release() {
	size := cap(s.in) + len(s.out) + cap(s.lens)*int(unsafe.Sizeof(C.size_t(0))+unsafe.Sizeof(C.imgrepl_batch_entry{}))
	if size <= maxPooledBatchBytes {
		batchPool.Put(s)
	}
}

// batchError is the *Error of an image that the batch call reported with status: that of
// Rewrite's call on the image, which runs the same code, so the error is the one Rewrite
// returns.
func batchError(c *C.imgrepl_policy, image string, status uint32) error {
	ptr, n := cstr(image)
	var outLen C.size_t
	var cerr *C.imgrepl_error
	s := C.imgrepl_policy_rewrite(c, ptr, n, nil, 0, &outLen, nil, &cerr)
	runtime.KeepAlive(image)
	if s == C.IMGREPL_STATUS_OK || s == C.IMGREPL_STATUS_BUFFER_TOO_SMALL {
		return statusError(status) // not reached: both calls judge the image alike
	}
	return takeError(s, cerr)
}
