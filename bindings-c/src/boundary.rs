//! The boundary between C and Rust: the panic guard every export runs in, and the helpers that
//! turn raw pointers into references, slices and strings — checked for NULL, length and UTF-8.
//!
//! All the `unsafe` of the crate is here, or in a one-line call of these helpers whose
//! contract is the export's own `# Safety` section. The rules (`bindings-c/README.md`,
//! "Conventions"):
//!
//! - a panic never crosses the boundary: [`guard`] turns it into [`imgrepl_status::IMGREPL_STATUS_PANIC`],
//!   [`guard_or`] into the export's documented default;
//! - `(NULL, 0)` is the empty string, `(NULL, n > 0)` is `NULL_ARGUMENT`, a length past the
//!   input's limit is `INPUT_TOO_LARGE` (checked before the memory is read), invalid UTF-8 is
//!   `INVALID_UTF8`;
//! - an out-parameter is checked for NULL first and written last, only on success: [`Out`].

use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;

use crate::status::imgrepl_status;

/// The status of a failed check, so helpers compose with `?`.
pub(crate) type Checked<T> = Result<T, imgrepl_status>;

/// Runs an export's body: `Ok(())` is `OK`, `Err(status)` is that status, and a panic is
/// `PANIC` (its message goes to the panic hook, stderr by default).
///
/// `AssertUnwindSafe` is sound here because after a panic nothing the body touched is
/// observed: outputs are written only at the end of a successful body, and the caller's
/// objects are immutable behind `const` pointers.
pub(crate) fn guard(body: impl FnOnce() -> Checked<()>) -> imgrepl_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => imgrepl_status::IMGREPL_STATUS_OK,
        Ok(Err(status)) => status,
        Err(_) => imgrepl_status::IMGREPL_STATUS_PANIC,
    }
}

/// Runs the body of an export that returns a value rather than a status; a panic returns
/// `default`, the value its documentation gives for that case.
pub(crate) fn guard_or<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

/// The bytes `(ptr, len)`: empty for `(NULL, 0)`, `NULL_ARGUMENT` for `(NULL, n > 0)`,
/// `INPUT_TOO_LARGE` when `len > max` (before any byte is read).
///
/// # Safety
///
/// Unless `ptr` is NULL or `len` is 0, `ptr` must point to `len` readable bytes that stay
/// unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const c_char, len: usize, max: usize) -> Checked<&'a [u8]> {
    if len > max {
        return Err(imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE);
    }
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT);
    }
    // SAFETY: `ptr` is non-null and, by the caller's contract, points to `len` readable bytes
    // that live for 'a; `len <= max`, and every `max` used is far below `isize::MAX`.
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// The UTF-8 text `(ptr, len)`, with the checks of [`bytes`] and then `INVALID_UTF8`.
///
/// # Safety
///
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const c_char, len: usize, max: usize) -> Checked<&'a str> {
    // SAFETY: the caller's contract is the one `bytes` needs.
    let bytes = unsafe { bytes(ptr, len, max) }?;
    std::str::from_utf8(bytes).map_err(|_| imgrepl_status::IMGREPL_STATUS_INVALID_UTF8)
}

/// The object behind a `const` pointer, or `NULL_ARGUMENT`.
///
/// # Safety
///
/// Unless NULL, `ptr` must come from this library's constructor for `T` and not be freed yet.
pub(crate) unsafe fn object<'a, T>(ptr: *const T) -> Checked<&'a T> {
    // SAFETY: by the caller's contract a non-null `ptr` is a live object made by `Box::into_raw`.
    unsafe { ptr.as_ref() }.ok_or(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT)
}

/// The object behind a `mut` pointer, for the few functions that change an object (adding to a
/// corpus or a set of pull secrets), or `NULL_ARGUMENT`.
///
/// # Safety
///
/// Unless NULL, `ptr` must come from this library's constructor for `T`, not be freed yet, and
/// not be in use by any other call while this one runs.
pub(crate) unsafe fn object_mut<'a, T>(ptr: *mut T) -> Checked<&'a mut T> {
    // SAFETY: by the caller's contract a non-null `ptr` is a live object made by
    // `Box::into_raw`, used by no one else during the call.
    unsafe { ptr.as_mut() }.ok_or(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT)
}

/// An array of `len` values of `T`: empty for `(NULL, 0)`, `NULL_ARGUMENT` for `(NULL, n > 0)`,
/// `INPUT_TOO_LARGE` when `len > max`.
///
/// # Safety
///
/// Unless `ptr` is NULL or `len` is 0, `ptr` must point to `len` initialized, aligned values
/// that stay unchanged for `'a`.
pub(crate) unsafe fn array<'a, T>(ptr: *const T, len: usize, max: usize) -> Checked<&'a [T]> {
    if len > max {
        return Err(imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE);
    }
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT);
    }
    // SAFETY: non-null, and by the caller's contract `len` valid values of T for 'a; `max` keeps
    // the size far below `isize::MAX`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Moves `value` to the heap and gives C its pointer; [`free`] takes it back.
pub(crate) fn into_raw<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Drops an object made by [`into_raw`]; NULL is a no-op.
///
/// # Safety
///
/// Unless NULL, `ptr` must come from [`into_raw`] for the same `T` and not be freed yet.
pub(crate) unsafe fn free<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: by the caller's contract, `ptr` came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// A checked out-parameter: non-null, written once at the end of a successful call.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// A required out-parameter: `NULL_ARGUMENT` when NULL.
    ///
    /// # Safety
    ///
    /// Unless NULL, `ptr` must be valid for a write of one `T` (aligned; it need not be
    /// initialized) until the call returns.
    pub(crate) unsafe fn new(ptr: *mut T) -> Checked<Self> {
        NonNull::new(ptr)
            .map(Out)
            .ok_or(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT)
    }

    /// An optional out-parameter: `None` when NULL (the caller does not want it).
    ///
    /// # Safety
    ///
    /// As for [`Out::new`].
    pub(crate) unsafe fn optional(ptr: *mut T) -> Option<Self> {
        NonNull::new(ptr).map(Out)
    }

    /// Writes `value` without reading or dropping what was there (C memory may be
    /// uninitialized).
    pub(crate) fn write(self, value: T) {
        // SAFETY: `Out` is only made from a non-null pointer that the export's contract says is
        // valid and aligned for a write of one T.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Writes `value` to an optional out-parameter, if there is one.
pub(crate) fn write_optional<T>(out: Option<Out<T>>, value: impl FnOnce() -> T) {
    if let Some(out) = out {
        out.write(value());
    }
}

/// Copies `src` into the caller's buffer `(buf, cap)`.
///
/// # Safety
///
/// Unless `buf` is NULL or `cap` is 0, `buf` must be valid for writes of `cap` bytes.
pub(crate) unsafe fn copy_to_buffer(src: &[u8], buf: *mut c_char, cap: usize) -> Checked<()> {
    if buf.is_null() && cap > 0 {
        return Err(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT);
    }
    if src.len() > cap {
        return Err(imgrepl_status::IMGREPL_STATUS_BUFFER_TOO_SMALL);
    }
    if src.is_empty() {
        return Ok(());
    }
    // SAFETY: `buf` is non-null and valid for `cap >= src.len()` bytes by the caller's
    // contract; `src` is Rust memory, so the two cannot overlap unless the caller passed our
    // own output back, which no function hands out as writable.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), buf.cast::<u8>(), src.len()) };
    Ok(())
}

/// A caller's array of `len` values of `T` for a call to fill (C memory, which need not be
/// initialized), written one element at a time and never read.
pub(crate) struct OutSlice<T> {
    ptr: *mut T,
    len: usize,
}

impl<T> OutSlice<T> {
    /// The array `(ptr, len)`: empty for `(NULL, 0)`, `NULL_ARGUMENT` for `(NULL, n > 0)`.
    ///
    /// # Safety
    ///
    /// Unless `ptr` is NULL or `len` is 0, `ptr` must be aligned and valid for writes of `len`
    /// values of `T` until the call returns, and overlap none of the call's inputs.
    pub(crate) unsafe fn new(ptr: *mut T, len: usize) -> Checked<Self> {
        if ptr.is_null() && len > 0 {
            return Err(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT);
        }
        Ok(OutSlice { ptr, len })
    }

    /// Writes `value` at `index` without reading or dropping what was there; false (nothing
    /// written) when `index` is past the end.
    pub(crate) fn write(&mut self, index: usize, value: T) -> bool {
        if index >= self.len {
            return false;
        }
        // SAFETY: `index < len`, so `ptr` is non-null (a NULL pointer has `len == 0`) and, by the
        // contract of `new`, valid and aligned for a write of one T at `index`.
        unsafe { self.ptr.add(index).write(value) };
        true
    }
}

impl OutSlice<u8> {
    /// Copies `src` to `[at, at + src.len())`; false (nothing written) when it does not fit.
    pub(crate) fn write_bytes(&mut self, at: usize, src: &[u8]) -> bool {
        if at.checked_add(src.len()).is_none_or(|end| end > self.len) {
            return false;
        }
        if src.is_empty() {
            return true;
        }
        // SAFETY: `at + src.len() <= len` and `src` is not empty, so `ptr` is non-null and, by
        // the contract of `new`, valid for these writes; `src` is Rust memory or an input of
        // the call, which the contract says the array does not overlap.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), self.ptr.add(at), src.len()) };
        true
    }
}
