//! Strings across the boundary (the owned [`imgrepl_string`], the borrowed [`imgrepl_str`]),
//! the names and messages of the statuses as C strings, and the library version.

use std::ffi::c_char;

use crate::boundary::guard_or;
use crate::status::imgrepl_status;

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
