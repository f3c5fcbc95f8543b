//! Statuses, strings and the library version.

use std::ffi::c_char;

use crate::boundary::guard_or;

/// The result of every fallible function. `IMGREPL_STATUS_OK` is 0.
///
/// Codes are never renumbered; a retired code stays reserved. Functions that take a status
/// as an argument take it as `uint32_t`, so any number is safe to pass.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum imgrepl_status {
    /// Success: the out-parameters are written.
    IMGREPL_STATUS_OK = 0,
    /// A required pointer was NULL, or a `(NULL, n)` string or array had `n > 0`.
    IMGREPL_STATUS_NULL_ARGUMENT = 1,
    /// A string argument was not valid UTF-8.
    IMGREPL_STATUS_INVALID_UTF8 = 2,
    /// An input was longer than its documented limit.
    IMGREPL_STATUS_INPUT_TOO_LARGE = 3,
    /// The caller's buffer was too small; the needed length was written to `*out_len`.
    IMGREPL_STATUS_BUFFER_TOO_SMALL = 4,
    /// An argument had a value outside its range (an unknown mode, an index past the end,
    /// lengths that do not add up).
    IMGREPL_STATUS_INVALID_ARGUMENT = 5,
    /// The policy is invalid; its diagnostics say why.
    IMGREPL_STATUS_INVALID_POLICY = 6,
    /// The image is not a valid reference; the error says where and why.
    IMGREPL_STATUS_INVALID_IMAGE = 7,
    /// A rule matched, but the rewritten image would not be a valid reference.
    IMGREPL_STATUS_INVALID_RESULT = 8,
    /// The Kubernetes object could not be read (not JSON, too deep, a bad policy annotation…).
    IMGREPL_STATUS_INVALID_WORKLOAD = 9,
    /// The `AdmissionReview` could not be read (not JSON, no request, no uid…).
    IMGREPL_STATUS_INVALID_REVIEW = 10,
    /// A bug in imgrepl: a panic was caught at the boundary. Nothing was written.
    IMGREPL_STATUS_PANIC = 100,
}

use imgrepl_status as S;

impl imgrepl_status {
    /// Every status, in number order (for the name and message tables and their tests).
    pub const ALL: [imgrepl_status; 12] = [
        S::IMGREPL_STATUS_OK,
        S::IMGREPL_STATUS_NULL_ARGUMENT,
        S::IMGREPL_STATUS_INVALID_UTF8,
        S::IMGREPL_STATUS_INPUT_TOO_LARGE,
        S::IMGREPL_STATUS_BUFFER_TOO_SMALL,
        S::IMGREPL_STATUS_INVALID_ARGUMENT,
        S::IMGREPL_STATUS_INVALID_POLICY,
        S::IMGREPL_STATUS_INVALID_IMAGE,
        S::IMGREPL_STATUS_INVALID_RESULT,
        S::IMGREPL_STATUS_INVALID_WORKLOAD,
        S::IMGREPL_STATUS_INVALID_REVIEW,
        S::IMGREPL_STATUS_PANIC,
    ];

    /// The status with number `n`, if there is one.
    #[must_use]
    pub fn from_u32(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as u32 == n)
    }

    /// The name as written in the header, NUL-terminated.
    const fn name_nul(self) -> &'static str {
        match self {
            S::IMGREPL_STATUS_OK => "IMGREPL_STATUS_OK\0",
            S::IMGREPL_STATUS_NULL_ARGUMENT => "IMGREPL_STATUS_NULL_ARGUMENT\0",
            S::IMGREPL_STATUS_INVALID_UTF8 => "IMGREPL_STATUS_INVALID_UTF8\0",
            S::IMGREPL_STATUS_INPUT_TOO_LARGE => "IMGREPL_STATUS_INPUT_TOO_LARGE\0",
            S::IMGREPL_STATUS_BUFFER_TOO_SMALL => "IMGREPL_STATUS_BUFFER_TOO_SMALL\0",
            S::IMGREPL_STATUS_INVALID_ARGUMENT => "IMGREPL_STATUS_INVALID_ARGUMENT\0",
            S::IMGREPL_STATUS_INVALID_POLICY => "IMGREPL_STATUS_INVALID_POLICY\0",
            S::IMGREPL_STATUS_INVALID_IMAGE => "IMGREPL_STATUS_INVALID_IMAGE\0",
            S::IMGREPL_STATUS_INVALID_RESULT => "IMGREPL_STATUS_INVALID_RESULT\0",
            S::IMGREPL_STATUS_INVALID_WORKLOAD => "IMGREPL_STATUS_INVALID_WORKLOAD\0",
            S::IMGREPL_STATUS_INVALID_REVIEW => "IMGREPL_STATUS_INVALID_REVIEW\0",
            S::IMGREPL_STATUS_PANIC => "IMGREPL_STATUS_PANIC\0",
        }
    }

    /// One sentence, NUL-terminated.
    const fn message_nul(self) -> &'static str {
        match self {
            S::IMGREPL_STATUS_OK => "success\0",
            S::IMGREPL_STATUS_NULL_ARGUMENT => "a required pointer argument was NULL\0",
            S::IMGREPL_STATUS_INVALID_UTF8 => "a string argument is not valid UTF-8\0",
            S::IMGREPL_STATUS_INPUT_TOO_LARGE => "an input is longer than its limit\0",
            S::IMGREPL_STATUS_BUFFER_TOO_SMALL => {
                "the output buffer is too small; the needed length was written\0"
            }
            S::IMGREPL_STATUS_INVALID_ARGUMENT => "an argument is out of its range\0",
            S::IMGREPL_STATUS_INVALID_POLICY => "the image replacement policy is invalid\0",
            S::IMGREPL_STATUS_INVALID_IMAGE => "the image is not a valid reference\0",
            S::IMGREPL_STATUS_INVALID_RESULT => {
                "the rewritten image would not be a valid reference\0"
            }
            S::IMGREPL_STATUS_INVALID_WORKLOAD => "the Kubernetes object cannot be read\0",
            S::IMGREPL_STATUS_INVALID_REVIEW => "the AdmissionReview cannot be read\0",
            S::IMGREPL_STATUS_PANIC => "internal error in imgrepl (a panic was caught)\0",
        }
    }

    /// The name without its NUL (`IMGREPL_STATUS_OK`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.name_nul().trim_end_matches('\0')
    }

    /// The message without its NUL.
    #[must_use]
    pub fn message(self) -> &'static str {
        self.message_nul().trim_end_matches('\0')
    }
}

const UNKNOWN_NAME: &str = "IMGREPL_STATUS_UNKNOWN\0";
const UNKNOWN_MESSAGE: &str = "unknown status\0";

/// A sentence describing `status`: a static NUL-terminated string, never NULL and never to be
/// freed. An unknown number gives `"unknown status"`.
#[unsafe(no_mangle)]
pub extern "C" fn imgrepl_status_message(status: u32) -> *const c_char {
    guard_or(UNKNOWN_MESSAGE.as_ptr().cast(), || {
        imgrepl_status::from_u32(status)
            .map_or(UNKNOWN_MESSAGE, imgrepl_status::message_nul)
            .as_ptr()
            .cast()
    })
}

/// The name of `status` as the header spells it (`"IMGREPL_STATUS_INVALID_UTF8"`): a static
/// NUL-terminated string, never NULL and never to be freed. An unknown number gives
/// `"IMGREPL_STATUS_UNKNOWN"`.
#[unsafe(no_mangle)]
pub extern "C" fn imgrepl_status_name(status: u32) -> *const c_char {
    guard_or(UNKNOWN_NAME.as_ptr().cast(), || {
        imgrepl_status::from_u32(status)
            .map_or(UNKNOWN_NAME, imgrepl_status::name_nul)
            .as_ptr()
            .cast()
    })
}

/// The library's version, `"MAJOR.MINOR.PATCH"`: a static NUL-terminated string, never to be
/// freed. It equals the `IMGREPL_VERSION` macro of the header the program was built with when
/// header and library match.
#[unsafe(no_mangle)]
pub extern "C" fn imgrepl_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// A string owned by the caller: UTF-8, `len` bytes, followed by a NUL that `len` does not
/// count (so `ptr` can be used as a C string). Free it with [`imgrepl_string_free`].
///
/// An empty `imgrepl_string` is `{NULL, 0}`.
#[repr(C)]
#[derive(Debug)]
pub struct imgrepl_string {
    /// The bytes, NUL-terminated; NULL for the empty value.
    pub ptr: *mut c_char,
    /// The length in bytes, not counting the NUL.
    pub len: usize,
}

impl imgrepl_string {
    /// Hands `s` to C, with a NUL after it.
    pub(crate) fn new(s: String) -> Self {
        let mut bytes = s.into_bytes();
        bytes.push(0);
        let len = bytes.len() - 1;
        let ptr = Box::into_raw(bytes.into_boxed_slice()).cast::<c_char>();
        imgrepl_string { ptr, len }
    }
}

/// Frees the bytes of `*s` and sets it to `{NULL, 0}`, so a second call is a no-op. `s` may be
/// NULL, and `*s` may be `{NULL, 0}`.
///
/// # Safety
///
/// Unless NULL, `s` must point to an `imgrepl_string` that this library wrote (or to
/// `{NULL, 0}`), not modified by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_string_free(s: *mut imgrepl_string) {
    guard_or((), || {
        // SAFETY: by this function's contract, a non-null `s` points to a valid imgrepl_string.
        let Some(s) = (unsafe { s.as_mut() }) else {
            return;
        };
        if !s.ptr.is_null() {
            let whole = std::ptr::slice_from_raw_parts_mut(s.ptr.cast::<u8>(), s.len + 1);
            // SAFETY: `ptr` and `len + 1` are the boxed slice made by `imgrepl_string::new`.
            drop(unsafe { Box::from_raw(whole) });
        }
        s.ptr = std::ptr::null_mut();
        s.len = 0;
    });
}

/// A string borrowed from an imgrepl object: UTF-8, `len` bytes, *not* NUL-terminated. It is
/// valid while the object it came from lives (each function says which); do not free it.
///
/// An absent value (no tag, no field…) is `{NULL, 0}`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_str {
    /// The first byte; NULL for an absent value.
    pub ptr: *const c_char,
    /// The length in bytes.
    pub len: usize,
}

impl imgrepl_str {
    /// Borrows `s`.
    pub(crate) fn new(s: &str) -> Self {
        imgrepl_str {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        }
    }

    /// `{NULL, 0}` for `None`.
    pub(crate) fn optional(s: Option<&str>) -> Self {
        s.map_or(Self::ABSENT, Self::new)
    }

    /// `{NULL, 0}`.
    pub(crate) const ABSENT: Self = imgrepl_str {
        ptr: std::ptr::null(),
        len: 0,
    };
}
