//! `imgrepl_error`: the owned error object an `error_out` parameter receives.

use imgrepl_core::ParseError;
use imgrepl_core::rewrite::RewriteError;
use imgrepl_k8s::WorkloadError;
use imgrepl_k8s::admission::AdmissionError;

use crate::boundary::{Checked, Out, free, guard_or, into_raw, object};
use crate::status::imgrepl_status;
use crate::strings::imgrepl_str;

/// Why a call failed, beyond its status: a stable code (the core's, e.g. `"uppercase"` or
/// `"invalid-result"`), a message and, where there is one, a byte offset in the input.
///
/// Returned through an optional `imgrepl_error **error_out` parameter, written only when the
/// call fails with the status that function documents. Owned by the caller: free it with
/// [`imgrepl_error_free`]. It may be used from any thread.
#[derive(Debug)]
pub struct imgrepl_error {
    status: imgrepl_status,
    code: &'static str,
    message: String,
    offset: Option<usize>,
    json: String,
}

impl imgrepl_error {
    fn new(
        status: imgrepl_status,
        code: &'static str,
        message: String,
        offset: Option<usize>,
        json: String,
    ) -> Self {
        imgrepl_error {
            status,
            code,
            message,
            offset,
            json,
        }
    }

    /// The error of an image that could not be parsed.
    pub(crate) fn parse(e: &ParseError) -> Self {
        Self::new(
            imgrepl_status::IMGREPL_STATUS_INVALID_IMAGE,
            e.code().as_str(),
            e.message(),
            Some(e.offset()),
            serde_json::to_string(e).unwrap_or_default(),
        )
    }

    /// The error of an image that could not be rewritten.
    pub(crate) fn rewrite(e: &RewriteError) -> Self {
        Self::new(
            rewrite_status(e),
            e.code().as_str(),
            e.message(),
            Some(e.offset()),
            serde_json::to_string(e).unwrap_or_default(),
        )
    }

    /// The error of a Kubernetes object that could not be read.
    pub(crate) fn workload(e: &WorkloadError) -> Self {
        Self::new(
            imgrepl_status::IMGREPL_STATUS_INVALID_WORKLOAD,
            e.code().as_str(),
            e.to_string(),
            e.offset(),
            serde_json::to_string(e).unwrap_or_default(),
        )
    }

    /// The error of an `AdmissionReview` that could not be read.
    pub(crate) fn admission(e: &AdmissionError) -> Self {
        Self::new(
            imgrepl_status::IMGREPL_STATUS_INVALID_REVIEW,
            e.code().as_str(),
            e.to_string(),
            None,
            serde_json::to_string(e).unwrap_or_default(),
        )
    }

    /// An argument that is out of its range (`INVALID_ARGUMENT`), with the core's code for it.
    pub(crate) fn argument(code: imgrepl_core::Code, message: String) -> Self {
        let json = serde_json::json!({ "code": code, "message": message }).to_string();
        Self::new(
            imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT,
            code.as_str(),
            message,
            None,
            json,
        )
    }

    /// An argument that is out of its range (`INVALID_ARGUMENT`) where the core has no code for
    /// it: code `"invalid-argument"`, as the JavaScript package names such errors.
    pub(crate) fn invalid_argument(message: String) -> Self {
        let json =
            serde_json::json!({ "code": "invalid-argument", "message": message }).to_string();
        Self::new(
            imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT,
            "invalid-argument",
            message,
            None,
            json,
        )
    }

    /// The status this error goes with.
    pub(crate) fn status(&self) -> imgrepl_status {
        self.status
    }
}

/// The status for a rewrite error: the image, or the result, is invalid.
pub(crate) fn rewrite_status(e: &RewriteError) -> imgrepl_status {
    match e.kind() {
        imgrepl_core::RewriteErrorKind::InvalidResult => {
            imgrepl_status::IMGREPL_STATUS_INVALID_RESULT
        }
        _ => imgrepl_status::IMGREPL_STATUS_INVALID_IMAGE,
    }
}

/// Fails with the error's status, handing the error to `error_out` when the caller wants it.
pub(crate) fn fail<T>(
    error_out: Option<Out<*mut imgrepl_error>>,
    error: imgrepl_error,
) -> Checked<T> {
    let status = error.status();
    if let Some(out) = error_out {
        out.write(into_raw(error));
    }
    Err(status)
}

/// The status that goes with `error` (`IMGREPL_STATUS_INVALID_IMAGE`, …); `error` NULL gives
/// `IMGREPL_STATUS_NULL_ARGUMENT`.
///
/// # Safety
///
/// Unless NULL, `error` must be an `imgrepl_error` from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_error_status(error: *const imgrepl_error) -> imgrepl_status {
    guard_or(imgrepl_status::IMGREPL_STATUS_PANIC, || {
        // SAFETY: this function's contract.
        unsafe { object(error) }.map_or_else(|status| status, |e| e.status)
    })
}

/// The error's stable code, e.g. `"uppercase"`, `"invalid-result"`, `"invalid-json"`. The
/// string is static (valid for the life of the program). `{NULL, 0}` when `error` is NULL.
///
/// # Safety
///
/// Unless NULL, `error` must be an `imgrepl_error` from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_error_code(error: *const imgrepl_error) -> imgrepl_str {
    guard_or(imgrepl_str::ABSENT, || {
        // SAFETY: this function's contract.
        unsafe { object(error) }.map_or(imgrepl_str::ABSENT, |e| imgrepl_str::new(e.code))
    })
}

/// The error's message, e.g. `"invalid image: repository name must be lowercase: uppercase
/// letter in repository path at byte 5"`. Borrowed: valid until `error` is freed. `{NULL, 0}`
/// when `error` is NULL.
///
/// # Safety
///
/// Unless NULL, `error` must be an `imgrepl_error` from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_error_message(error: *const imgrepl_error) -> imgrepl_str {
    guard_or(imgrepl_str::ABSENT, || {
        // SAFETY: this function's contract.
        unsafe { object(error) }.map_or(imgrepl_str::ABSENT, |e| imgrepl_str::new(&e.message))
    })
}

/// The byte offset in the input where it stopped being valid, or -1 when the error has none
/// (or `error` is NULL).
///
/// # Safety
///
/// Unless NULL, `error` must be an `imgrepl_error` from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_error_offset(error: *const imgrepl_error) -> i64 {
    guard_or(-1, || {
        // SAFETY: this function's contract.
        unsafe { object(error) }
            .ok()
            .and_then(|e| e.offset)
            .and_then(|o| i64::try_from(o).ok())
            .unwrap_or(-1)
    })
}

/// The error as JSON, the core's serialization (`{"code":…,"message":…,…}`). Borrowed: valid
/// until `error` is freed. `{NULL, 0}` when `error` is NULL.
///
/// # Safety
///
/// Unless NULL, `error` must be an `imgrepl_error` from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_error_json(error: *const imgrepl_error) -> imgrepl_str {
    guard_or(imgrepl_str::ABSENT, || {
        // SAFETY: this function's contract.
        unsafe { object(error) }.map_or(imgrepl_str::ABSENT, |e| imgrepl_str::new(&e.json))
    })
}

/// Frees an error. NULL is a no-op.
///
/// # Safety
///
/// Unless NULL, `error` must be an `imgrepl_error` from this library, not yet freed; it must
/// not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_error_free(error: *mut imgrepl_error) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(error) });
}
