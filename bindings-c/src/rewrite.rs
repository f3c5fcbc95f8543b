//! Rewriting images: one into the caller's buffer, one allocated, a batch, `find` and
//! `explain`.

use std::cell::RefCell;
use std::ffi::c_char;

use imgrepl_core::RuleId;

use crate::boundary::{
    Checked, Out, OutSlice, array, copy_to_buffer, free, guard, guard_or, into_raw, object, text,
    write_optional,
};
use crate::error::{fail, imgrepl_error, rewrite_status};
use crate::policy::imgrepl_policy;
use crate::status::imgrepl_status;
use crate::strings::{imgrepl_str, imgrepl_string};
use imgrepl_core::MAX_IMAGE_BYTES;

thread_local! {
    /// The buffer `imgrepl_policy_rewrite` rewrites into before copying to the caller's, so
    /// that call allocates nothing once it has grown to the longest result seen on the thread.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A rule index for C: the index, or -1 for none.
pub(crate) fn rule_index(rule: Option<RuleId>) -> i64 {
    rule.and_then(|r| i64::try_from(r.index()).ok())
        .unwrap_or(-1)
}

/// Rewrites one image by `policy` into the caller's buffer `(buf, buf_cap)`.
///
/// `(image, image_len)` is UTF-8, at most `IMGREPL_MAX_IMAGE_BYTES`. The result is written
/// without a NUL terminator.
///
/// - `IMGREPL_STATUS_OK`: `buf[0..*out_len]` holds the result — the rewritten image, or the
///   image itself when no rule matches — and `*rule_out` (when `rule_out` is not NULL) the
///   index of the rule applied, or -1.
/// - `IMGREPL_STATUS_BUFFER_TOO_SMALL`: the result needs `*out_len` bytes; nothing else is
///   written (`buf` is untouched). `(NULL, 0)` as the buffer asks for the size.
/// - `IMGREPL_STATUS_INVALID_IMAGE` / `IMGREPL_STATUS_INVALID_RESULT`: the image, or its
///   rewrite, is not a valid reference; when `error_out` is not NULL, `*error_out` is a new
///   error (code, message, offset; free it with `imgrepl_error_free`). Nothing else is written.
/// - `NULL_ARGUMENT`, `INVALID_UTF8`, `INPUT_TOO_LARGE`: nothing is written.
///
/// This call allocates nothing once the thread has seen a result as long as this one.
///
/// # Safety
///
/// `policy` must be NULL or a live policy; `(image, image_len)` readable; `(buf, buf_cap)`
/// writable (or `(NULL, 0)`); `out_len` valid for a write; `rule_out` and `error_out` NULL or
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_rewrite(
    policy: *const imgrepl_policy,
    image: *const c_char,
    image_len: usize,
    buf: *mut c_char,
    buf_cap: usize,
    out_len: *mut usize,
    rule_out: *mut i64,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, out_len, rule_out, error_out) = unsafe {
            (
                object(policy)?,
                Out::new(out_len)?,
                Out::optional(rule_out),
                Out::optional(error_out),
            )
        };
        if buf.is_null() && buf_cap > 0 {
            return Err(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT);
        }
        // SAFETY: this function's contract.
        let image = unsafe { text(image, image_len, MAX_IMAGE_BYTES) }?;
        SCRATCH.with_borrow_mut(|scratch| {
            let rule = match policy.0.rewrite_into(image, scratch) {
                Ok(rule) => rule,
                Err(e) => return fail(error_out, imgrepl_error::rewrite(&e)),
            };
            // SAFETY: this function's contract on (buf, buf_cap).
            match unsafe { copy_to_buffer(scratch.as_bytes(), buf, buf_cap) } {
                Err(imgrepl_status::IMGREPL_STATUS_BUFFER_TOO_SMALL) => {
                    out_len.write(scratch.len());
                    Err(imgrepl_status::IMGREPL_STATUS_BUFFER_TOO_SMALL)
                }
                Err(status) => Err(status),
                Ok(()) => {
                    out_len.write(scratch.len());
                    write_optional(rule_out, || rule_index(rule));
                    Ok(())
                }
            }
        })
    })
}

/// Rewrites one image by `policy` into a new string.
///
/// On `IMGREPL_STATUS_OK`, `*out` is the result (the image itself when no rule matches; free
/// it with `imgrepl_string_free`) and `*rule_out` (when not NULL) the rule index or -1. Errors
/// are those of [`imgrepl_policy_rewrite`], and on error nothing but `*error_out` is written.
///
/// # Safety
///
/// As for [`imgrepl_policy_rewrite`]; `out` must be valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_rewrite_alloc(
    policy: *const imgrepl_policy,
    image: *const c_char,
    image_len: usize,
    out: *mut imgrepl_string,
    rule_out: *mut i64,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, out, rule_out, error_out) = unsafe {
            (
                object(policy)?,
                Out::new(out)?,
                Out::optional(rule_out),
                Out::optional(error_out),
            )
        };
        // SAFETY: this function's contract.
        let image = unsafe { text(image, image_len, MAX_IMAGE_BYTES) }?;
        match policy.0.rewrite(image) {
            Ok(rewritten) => {
                out.write(imgrepl_string::new(rewritten.image.into_owned()));
                write_optional(rule_out, || rule_index(rewritten.rule));
                Ok(())
            }
            Err(e) => fail(error_out, imgrepl_error::rewrite(&e)),
        }
    })
}

/// The match of one image, as [`imgrepl_policy_find`] fills it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_match {
    /// Whether a rule matches.
    pub found: bool,
    /// The rule's index, when `found`.
    pub rule: usize,
    /// The length of the image's prefix the rule matched (0 for the empty prefix), when
    /// `found`.
    pub prefix_len: usize,
}

/// Finds the rule that matches `image`, without rewriting or allocating.
///
/// On `OK`, `*out` says whether a rule matches, which, and the length of the matched prefix.
/// An invalid image is `IMGREPL_STATUS_INVALID_IMAGE` (with `*error_out` as for
/// [`imgrepl_policy_rewrite`]).
///
/// # Safety
///
/// `policy` must be NULL or a live policy; `(image, image_len)` readable; `out` valid for a
/// write; `error_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_find(
    policy: *const imgrepl_policy,
    image: *const c_char,
    image_len: usize,
    out: *mut imgrepl_match,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, out, error_out) =
            unsafe { (object(policy)?, Out::new(out)?, Out::optional(error_out)) };
        // SAFETY: this function's contract.
        let image = unsafe { text(image, image_len, MAX_IMAGE_BYTES) }?;
        match policy.0.find(image) {
            Ok(found) => {
                out.write(imgrepl_match {
                    found: found.is_some(),
                    rule: found.map_or(0, |m| m.rule.index()),
                    prefix_len: found.map_or(0, |m| m.prefix_len),
                });
                Ok(())
            }
            Err(e) => fail(error_out, imgrepl_error::rewrite(&e)),
        }
    })
}

/// Explains what `policy` does with `image` and why, as JSON (the core's serialization of
/// its explanation: every `/` boundary and the rule there, the winner in each match mode,
/// whether the modes disagree, the result or the error, and a sentence). An invalid image is
/// explained, not an error. On `OK`, `*json_out` is a new string (free it with
/// `imgrepl_string_free`).
///
/// # Safety
///
/// `policy` must be NULL or a live policy; `(image, image_len)` readable; `json_out` valid for
/// a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_explain(
    policy: *const imgrepl_policy,
    image: *const c_char,
    image_len: usize,
    json_out: *mut imgrepl_string,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, out) = unsafe { (object(policy)?, Out::new(json_out)?) };
        // SAFETY: this function's contract.
        let image = unsafe { text(image, image_len, MAX_IMAGE_BYTES) }?;
        let json = crate::to_json(&policy.0.explain(image))?;
        out.write(imgrepl_string::new(json));
        Ok(())
    })
}

/// The most images one batch call takes.
pub(crate) const MAX_BATCH_IMAGES: usize = 1 << 16;

/// One image of a batch, as [`imgrepl_batch_items`] exposes it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_batch_item {
    /// `OK`, `INVALID_IMAGE` or `INVALID_RESULT`.
    pub status: imgrepl_status,
    /// The result (the image itself when unchanged or on error), borrowed from the batch.
    pub image: imgrepl_str,
    /// Where `image` starts in the batch's output ([`imgrepl_batch_output`]).
    pub start: usize,
    /// Where it ends (exclusive).
    pub end: usize,
    /// The index of the rule applied (or, for `INVALID_RESULT`, the rule that matched), or -1.
    pub rule: i64,
    /// The error code when `status` is not `OK` (static), else `{NULL, 0}`.
    pub code: imgrepl_str,
    /// The byte offset of the error, when `status` is not `OK`.
    pub offset: usize,
}

/// The result of [`imgrepl_policy_rewrite_batch`]: one output string holding every result,
/// and one item per image. Owned by the caller: free it with [`imgrepl_batch_free`].
#[derive(Debug)]
pub struct imgrepl_batch {
    output: String,
    items: Vec<imgrepl_batch_item>,
    errors: Vec<Option<imgrepl_core::RewriteError>>,
}

/// Rewrites many images in one call, following cgo's pointer rules: the images are
/// concatenated in `(images, images_len)`, and `lens[i]` is the length of image `i`, for
/// `count` images (`(NULL, 0)` for none). The lengths must add up to `images_len`, else
/// `IMGREPL_STATUS_INVALID_ARGUMENT`. Every image must be valid UTF-8 and at most
/// `IMGREPL_MAX_IMAGE_BYTES`, and `count` at most `IMGREPL_MAX_BATCH_IMAGES`, else the whole
/// call fails (`INVALID_UTF8`, `INPUT_TOO_LARGE`) and writes nothing.
///
/// On `OK`, `*batch_out` is a new batch: an image that is invalid, or whose result would be,
/// is an item with that status (the call itself succeeds).
///
/// # Safety
///
/// `policy` must be NULL or a live policy; `(images, images_len)` readable; `(lens, count)`
/// readable `size_t`s; `batch_out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_rewrite_batch(
    policy: *const imgrepl_policy,
    images: *const c_char,
    images_len: usize,
    lens: *const usize,
    count: usize,
    batch_out: *mut *mut imgrepl_batch,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, out) = unsafe { (object(policy)?, Out::new(batch_out)?) };
        // SAFETY: this function's contract.
        let lens = unsafe { array(lens, count, MAX_BATCH_IMAGES) }?;
        let max_total = count.saturating_mul(MAX_IMAGE_BYTES);
        // SAFETY: this function's contract.
        let all = unsafe { crate::boundary::bytes(images, images_len, max_total) }?;
        let split = split_images(all, lens)?;
        out.write(into_raw(batch(&policy.0, &split)));
        Ok(())
    })
}

/// Splits the concatenated images by their lengths, checking each.
pub(crate) fn split_images<'a>(all: &'a [u8], lens: &[usize]) -> Checked<Vec<&'a str>> {
    let mut images = Vec::with_capacity(lens.len());
    let mut rest = all;
    for &len in lens {
        if len > MAX_IMAGE_BYTES {
            return Err(imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE);
        }
        let (image, tail) = rest
            .split_at_checked(len)
            .ok_or(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT)?;
        images.push(
            std::str::from_utf8(image).map_err(|_| imgrepl_status::IMGREPL_STATUS_INVALID_UTF8)?,
        );
        rest = tail;
    }
    if rest.is_empty() {
        Ok(images)
    } else {
        Err(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT)
    }
}

/// One image of [`imgrepl_policy_rewrite_batch_into`], written into the caller's array.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct imgrepl_batch_entry {
    /// `OK`, `INVALID_IMAGE` or `INVALID_RESULT`.
    pub status: imgrepl_status,
    /// The index of the rule that rewrote the image (for `INVALID_RESULT`, the rule that
    /// matched), or -1: no rule matched, or the image is invalid.
    pub rule: i64,
    /// Where the result starts in the caller's buffer, when a rule rewrote the image (`status`
    /// is `OK` and `rule` is not -1). Otherwise the result is the image itself, nothing of it is
    /// in the buffer, and `start == end`.
    pub start: usize,
    /// Where the result ends in the caller's buffer (exclusive).
    pub end: usize,
}

/// Rewrites many images in one call into the caller's memory, allocating nothing: the batch
/// call for bindings (cgo) that copy the results into their own memory anyway.
///
/// The images are those of [`imgrepl_policy_rewrite_batch`] (concatenated in `(images,
/// images_len)`, `lens[i]` the length of image `i`, `count` images), with the same checks, in
/// the same order, before anything is written. `entries` has room for `count` entries
/// (`NULL` when `count` is 0).
///
/// - `IMGREPL_STATUS_OK`: `entries[i]` says what happened to image `i`; the results of the
///   images a rule rewrote are back to back in `buf[0..*out_len]` (`entries[i].start` and
///   `.end`), and the others are not copied: an unchanged or invalid image's result is the
///   image itself. An image that is invalid, or whose result would be, is an entry with that
///   status (the call itself succeeds); `imgrepl_policy_rewrite` on that image gives its
///   error.
/// - `IMGREPL_STATUS_BUFFER_TOO_SMALL`: the results need `*out_len` bytes of `buf`; `buf`
///   and `entries` may have been written in part (call again with a buffer that large).
///   `(NULL, 0)` as the buffer asks for the size.
/// - `NULL_ARGUMENT`, `INVALID_UTF8`, `INPUT_TOO_LARGE`, `INVALID_ARGUMENT`: nothing is
///   written.
///
/// # Safety
///
/// `policy` must be NULL or a live policy; `(images, images_len)` readable; `(lens, count)`
/// readable `size_t`s; `(entries, count)` writable entries and `(buf, buf_cap)` writable bytes
/// (either may be NULL when its size is 0), overlapping no input; `out_len` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_rewrite_batch_into(
    policy: *const imgrepl_policy,
    images: *const c_char,
    images_len: usize,
    lens: *const usize,
    count: usize,
    entries: *mut imgrepl_batch_entry,
    buf: *mut c_char,
    buf_cap: usize,
    out_len: *mut usize,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, out_len) = unsafe { (object(policy)?, Out::new(out_len)?) };
        // SAFETY: this function's contract.
        let lens = unsafe { array(lens, count, MAX_BATCH_IMAGES) }?;
        let max_total = count.saturating_mul(MAX_IMAGE_BYTES);
        // SAFETY: this function's contract.
        let all = unsafe { crate::boundary::bytes(images, images_len, max_total) }?;
        // SAFETY: this function's contract.
        let (mut entries, mut buf) = unsafe {
            (
                OutSlice::new(entries, count)?,
                OutSlice::new(buf.cast::<u8>(), buf_cap)?,
            )
        };
        let text = checked_images(all, lens)?;
        SCRATCH.with_borrow_mut(|scratch| {
            let (mut at, mut used) = (0usize, 0usize);
            for (i, &len) in lens.iter().enumerate() {
                let image = text
                    .get(at..at.saturating_add(len))
                    .ok_or(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT)?;
                at += len;
                let (status, rule, start) = match policy.0.rewrite_into(image, scratch) {
                    Ok(Some(rule)) => {
                        let start = used;
                        buf.write_bytes(start, scratch.as_bytes());
                        used += scratch.len();
                        (
                            imgrepl_status::IMGREPL_STATUS_OK,
                            rule_index(Some(rule)),
                            start,
                        )
                    }
                    Ok(None) => (imgrepl_status::IMGREPL_STATUS_OK, -1, used),
                    Err(e) => (rewrite_status(&e), rule_index(e.rule()), used),
                };
                entries.write(
                    i,
                    imgrepl_batch_entry {
                        status,
                        rule,
                        start,
                        end: used,
                    },
                );
            }
            out_len.write(used);
            if used > buf_cap {
                Err(imgrepl_status::IMGREPL_STATUS_BUFFER_TOO_SMALL)
            } else {
                Ok(())
            }
        })
    })
}

/// The concatenated images as one text, with the checks of [`split_images`] in its order, but
/// one UTF-8 validation over the whole input rather than one per image, and no allocation.
///
/// When the whole input is valid UTF-8, image `i` is valid exactly when its end is a char
/// boundary (its start is the end of the image before), which is checked where
/// `split_images` would check that image.
fn checked_images<'a>(all: &'a [u8], lens: &[usize]) -> Checked<&'a str> {
    let Ok(text) = std::str::from_utf8(all) else {
        // Some image is not valid UTF-8, or the lengths leave bytes out: the checks image by
        // image say which status comes first.
        return Err(split_images(all, lens)
            .err()
            .unwrap_or(imgrepl_status::IMGREPL_STATUS_INVALID_UTF8));
    };
    let mut at = 0usize;
    for &len in lens {
        if len > MAX_IMAGE_BYTES {
            return Err(imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE);
        }
        let end = at
            .checked_add(len)
            .filter(|&end| end <= text.len())
            .ok_or(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT)?;
        if !text.is_char_boundary(end) {
            return Err(imgrepl_status::IMGREPL_STATUS_INVALID_UTF8);
        }
        at = end;
    }
    if at == text.len() {
        Ok(text)
    } else {
        Err(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT)
    }
}

/// The C view of the core's batch: an item per image, pointing into the output.
fn batch(policy: &imgrepl_core::Policy, images: &[&str]) -> imgrepl_batch {
    let (output, core_items) = policy.rewrite_batch(images.iter().copied()).into_parts();
    let items = core_items
        .iter()
        .map(|item| {
            let (start, end) = (item.span.start, item.span.end);
            let image = imgrepl_str::new(output.get(start..end).unwrap_or_default());
            match &item.result {
                Ok(rule) => imgrepl_batch_item {
                    status: imgrepl_status::IMGREPL_STATUS_OK,
                    image,
                    start,
                    end,
                    rule: rule_index(*rule),
                    code: imgrepl_str::ABSENT,
                    offset: 0,
                },
                Err(e) => imgrepl_batch_item {
                    status: rewrite_status(e),
                    image,
                    start,
                    end,
                    rule: rule_index(e.rule()),
                    code: imgrepl_str::new(e.code().as_str()),
                    offset: e.offset(),
                },
            }
        })
        .collect();
    let errors = core_items.iter().map(|item| item.result.err()).collect();
    imgrepl_batch {
        output,
        items,
        errors,
    }
}

/// The number of images in the batch; 0 when `batch` is NULL.
///
/// # Safety
///
/// `batch` must be NULL or a live batch.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_batch_len(batch: *const imgrepl_batch) -> usize {
    // SAFETY: this function's contract.
    guard_or(0, || unsafe { object(batch) }.map_or(0, |b| b.items.len()))
}

/// Every result, concatenated: item `i` is `[items[i].start, items[i].end)` in it. Borrowed:
/// valid until the batch is freed. `{NULL, 0}` when `batch` is NULL.
///
/// # Safety
///
/// `batch` must be NULL or a live batch.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_batch_output(batch: *const imgrepl_batch) -> imgrepl_str {
    guard_or(imgrepl_str::ABSENT, || {
        // SAFETY: this function's contract.
        unsafe { object(batch) }.map_or(imgrepl_str::ABSENT, |b| imgrepl_str::new(&b.output))
    })
}

/// The batch's items as one array of `imgrepl_batch_len(batch)` entries, borrowed: valid until
/// the batch is freed. Written to `*items_out` and `*len_out` on `OK`.
///
/// # Safety
///
/// `batch` must be NULL or a live batch; `items_out` and `len_out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_batch_items(
    batch: *const imgrepl_batch,
    items_out: *mut *const imgrepl_batch_item,
    len_out: *mut usize,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (batch, items_out, len_out) =
            unsafe { (object(batch)?, Out::new(items_out)?, Out::new(len_out)?) };
        items_out.write(batch.items.as_ptr());
        len_out.write(batch.items.len());
        Ok(())
    })
}

/// The full error of item `index` (a new `imgrepl_error` with its message; free it with
/// `imgrepl_error_free`), written to `*error_out` on `OK`. An index past the end, or an item
/// whose status is `OK`, is `IMGREPL_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `batch` must be NULL or a live batch; `error_out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_batch_error(
    batch: *const imgrepl_batch,
    index: usize,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (batch, out) = unsafe { (object(batch)?, Out::new(error_out)?) };
        let error = batch
            .errors
            .get(index)
            .copied()
            .flatten()
            .ok_or(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT)?;
        out.write(into_raw(imgrepl_error::rewrite(&error)));
        Ok(())
    })
}

/// Frees a batch. NULL is a no-op.
///
/// # Safety
///
/// `batch` must be NULL or a batch from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_batch_free(batch: *mut imgrepl_batch) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(batch) });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way of cutting some inputs into images, and lengths that do not add up or pass
    /// the limit: the one-validation check gives what the check image by image gives.
    #[test]
    fn checked_images_agrees_with_split_images() {
        let inputs: [&[u8]; 8] = [
            b"",
            b"abc",
            "aé".as_bytes(),
            "€x€".as_bytes(),
            b"a\xffb",
            b"\xc3\xa9\xe2\x82",
            b"\x80abc",
            b"ab\xc3",
        ];
        for all in inputs {
            let n = all.len();
            let mut cases: Vec<Vec<usize>> = vec![vec![], vec![n], vec![n + 1], vec![0, n, 0]];
            for i in 0..=n {
                cases.push(vec![i, n - i]);
                cases.push(vec![i]);
                for j in i..=n {
                    cases.push(vec![i, j - i, n - j]);
                }
            }
            cases.push(vec![MAX_IMAGE_BYTES + 1, n]);
            cases.push(vec![n, MAX_IMAGE_BYTES + 1]);
            cases.push(vec![usize::MAX, 1]);
            for lens in cases {
                let want = split_images(all, &lens).map(|images| images.concat());
                let got = checked_images(all, &lens).map(str::to_owned);
                assert_eq!(got, want, "{all:?} cut at {lens:?}");
            }
        }
    }
}
