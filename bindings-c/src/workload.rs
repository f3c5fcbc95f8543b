//! Kubernetes objects and `AdmissionReview`s: JSON in, JSON out (the core's serialization).

use std::ffi::c_char;

use imgrepl_core::workload::admission::{self, MAX_REVIEW_BYTES};
use imgrepl_core::workload::{self, MAX_OBJECT_BYTES, Options};

use crate::boundary::{Checked, Out, guard, object, text, write_optional};
use crate::error::{fail, imgrepl_error};
use crate::policy::{imgrepl_policy, match_mode};
use crate::status::{imgrepl_status, imgrepl_string};

/// The longest annotation key accepted (Kubernetes allows 253 + 1 + 63 bytes).
const MAX_ANNOTATION_KEY_BYTES: usize = 317;

/// Options for [`imgrepl_workload_rewrite`] and [`imgrepl_admission_review`]. A zeroed struct
/// (`imgrepl_options o = {0};`) gives the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_options {
    /// A policy for every object, whatever its annotations say (it keeps its own mode), or
    /// NULL to read each object's annotation. Borrowed for the call.
    pub policy: *const imgrepl_policy,
    /// The annotation key to read the policy from; `(NULL, 0)` for
    /// `coordinator.cci.io/image-replacement`.
    pub annotation_key: *const c_char,
    /// The length of `annotation_key`.
    pub annotation_key_len: usize,
    /// The match mode (an `imgrepl_match_mode` value) of policies read from annotations.
    pub mode: u32,
}

/// The core's options for a C options pointer (NULL for the defaults).
///
/// # Safety
///
/// `options` must be NULL or point to a valid `imgrepl_options` whose pointers obey its docs
/// for `'a`.
unsafe fn options<'a>(options: *const imgrepl_options) -> Checked<Options<'a>> {
    // SAFETY: the caller's contract.
    let Some(o) = (unsafe { options.as_ref() }) else {
        return Ok(Options::new());
    };
    let mut result = Options::new().mode(match_mode(o.mode)?);
    if !o.policy.is_null() {
        // SAFETY: the caller's contract: a non-null policy is live.
        result = result.policy(unsafe { &object(o.policy)?.0 });
    }
    // SAFETY: the caller's contract on (annotation_key, annotation_key_len).
    let key = unsafe {
        text(
            o.annotation_key,
            o.annotation_key_len,
            MAX_ANNOTATION_KEY_BYTES,
        )
    }?;
    if !key.is_empty() {
        result = result.annotation_key(key);
    }
    Ok(result)
}

/// Rewrites the images of a Kubernetes object (`(json, json_len)`, UTF-8 JSON, at most
/// `IMGREPL_MAX_OBJECT_BYTES`): finds its pod spec, reads its policy, and rewrites every
/// container, init container and ephemeral container.
///
/// On `OK`, `*report_out` is a new string (free it with `imgrepl_string_free`): the core's
/// report as JSON, with a row per container and the RFC 6902 `patch`. An object that is not a
/// workload, or has no policy, is `OK` with an empty patch. An object that cannot be read
/// (not JSON, an invalid policy annotation, …) is `IMGREPL_STATUS_INVALID_WORKLOAD`, with
/// `*error_out` (when not NULL) a new error; nothing else is written.
///
/// # Safety
///
/// `(json, json_len)` must be readable; `options` NULL or valid (see `imgrepl_options`);
/// `report_out` valid for a write; `error_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_rewrite(
    json: *const c_char,
    json_len: usize,
    options: *const imgrepl_options,
    report_out: *mut imgrepl_string,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, error_out) = unsafe { (Out::new(report_out)?, Out::optional(error_out)) };
        // SAFETY: this function's contract.
        let options = unsafe { self::options(options) }?;
        // SAFETY: this function's contract.
        let json = unsafe { text(json, json_len, MAX_OBJECT_BYTES) }?;
        match workload::rewrite_json(json, &options) {
            Ok(report) => {
                out.write(imgrepl_string::new(crate::to_json(&report)?));
                Ok(())
            }
            Err(e) => fail(error_out, imgrepl_error::workload(&e)),
        }
    })
}

/// What an admission answer did, as [`imgrepl_admission_review`] fills it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_admission_info {
    /// The number of JSON Patch operations in the response (0: nothing was changed).
    pub patch_ops: usize,
    /// Whether the object or one of its containers had an error (reported as a warning in the
    /// response; the object is still allowed).
    pub has_errors: bool,
}

/// Answers an `AdmissionReview` request (`(body, body_len)`, UTF-8 JSON, at most
/// `IMGREPL_MAX_REVIEW_BYTES`): the response echoes the uid, allows the object and, when
/// images change, carries the base64 JSON Patch; problems become `response.warnings`.
///
/// On `OK`, `*response_out` is a new string, the response body to send (free it with
/// `imgrepl_string_free`), and `*info_out` (when not NULL) says what it did. A body that is
/// not an `AdmissionReview` request is `IMGREPL_STATUS_INVALID_REVIEW`, with `*error_out`
/// (when not NULL) a new error; nothing else is written.
///
/// # Safety
///
/// `(body, body_len)` must be readable; `options` NULL or valid (see `imgrepl_options`);
/// `response_out` valid for a write; `info_out` and `error_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_admission_review(
    body: *const c_char,
    body_len: usize,
    options: *const imgrepl_options,
    response_out: *mut imgrepl_string,
    info_out: *mut imgrepl_admission_info,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, info_out, error_out) = unsafe {
            (
                Out::new(response_out)?,
                Out::optional(info_out),
                Out::optional(error_out),
            )
        };
        // SAFETY: this function's contract.
        let options = unsafe { self::options(options) }?;
        // SAFETY: this function's contract.
        let body = unsafe { text(body, body_len, MAX_REVIEW_BYTES) }?;
        match admission::review_json(body, &options) {
            Ok(response) => {
                out.write(imgrepl_string::new(response.to_json()));
                write_optional(info_out, || imgrepl_admission_info {
                    patch_ops: response.report.as_ref().map_or(0, |r| r.patch.len()),
                    has_errors: response.has_errors(),
                });
                Ok(())
            }
            Err(e) => fail(error_out, imgrepl_error::admission(&e)),
        }
    })
}
