//! `imgrepl_reference`: an image reference parsed in one of three views.

use std::ffi::c_char;

use imgrepl_core::Reference;

use crate::boundary::{Out, free, guard, into_raw, object, text};
use crate::error::{fail, imgrepl_error};
use crate::status::imgrepl_status;
use crate::strings::imgrepl_str;
use imgrepl_core::MAX_IMAGE_BYTES;

/// How a reference is read.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum imgrepl_view {
    /// As written (`Parse`): `library/nginx` has domain `library`.
    IMGREPL_VIEW_AS_WRITTEN = 0,
    /// Normalized (`ParseNormalizedNamed`): `nginx` is `docker.io/library/nginx`.
    IMGREPL_VIEW_NORMALIZED = 1,
    /// Normalized, with `:latest` added when there is neither tag nor digest, and the tag
    /// dropped when both are given (`ParseDockerRef`).
    IMGREPL_VIEW_DOCKER_REF = 2,
}

/// A parsed image reference (an owned copy of its parts). Free it with
/// [`imgrepl_reference_free`]. It may be read from any number of threads at once.
#[derive(Debug)]
pub struct imgrepl_reference {
    full: String,
    name: String,
    domain: Option<String>,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
    familiar: Option<String>,
    json: String,
}

/// The parts of a reference, as [`imgrepl_reference_get`] fills them: borrowed from the
/// reference and valid until it is freed. An absent part is `{NULL, 0}`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_reference_parts {
    /// The whole reference in this view (`docker.io/library/nginx:1`).
    pub full: imgrepl_str,
    /// The name: domain, `/`, path.
    pub name: imgrepl_str,
    /// The domain, when there is one.
    pub domain: imgrepl_str,
    /// The path (`library/nginx`).
    pub path: imgrepl_str,
    /// The tag, without its `:`.
    pub tag: imgrepl_str,
    /// The digest, without its `@`.
    pub digest: imgrepl_str,
    /// The familiar form (`nginx:1`), for the normalized views only.
    pub familiar: imgrepl_str,
}

/// Parses `(s, s_len)` (UTF-8, at most `IMGREPL_MAX_IMAGE_BYTES`) in view `view` (an
/// [`imgrepl_view`] value; an unknown one is `IMGREPL_STATUS_INVALID_ARGUMENT`).
///
/// On `OK`, `*reference_out` is a new reference. A string that is not a valid reference in
/// that view is `IMGREPL_STATUS_INVALID_IMAGE`, with `*error_out` (when not NULL) a new error
/// carrying the reference implementation's kind as code (`"uppercase"`, `"digest-length"`,
/// …), the reason and the byte offset.
///
/// # Safety
///
/// `(s, s_len)` must be readable; `reference_out` valid for a write; `error_out` NULL or valid
/// for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_reference_parse(
    s: *const c_char,
    s_len: usize,
    view: u32,
    reference_out: *mut *mut imgrepl_reference,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, error_out) = unsafe { (Out::new(reference_out)?, Out::optional(error_out)) };
        // SAFETY: this function's contract.
        let s = unsafe { text(s, s_len, MAX_IMAGE_BYTES) }?;
        let parsed = match view {
            0 => Reference::parse(s).map(|r| imgrepl_reference {
                full: r.as_str().to_owned(),
                name: r.name().to_owned(),
                domain: r.domain().map(str::to_owned),
                path: r.path().to_owned(),
                tag: r.tag().map(str::to_owned),
                digest: r.digest().map(str::to_owned),
                familiar: None,
                json: serde_json::to_string(&r).unwrap_or_default(),
            }),
            1 | 2 => {
                let n = if view == 1 {
                    Reference::parse_normalized(s)
                } else {
                    Reference::parse_docker_ref(s)
                };
                n.map(|n| imgrepl_reference {
                    full: n.as_str().to_owned(),
                    name: n.name().to_owned(),
                    domain: n.domain().map(str::to_owned),
                    path: n.path().to_owned(),
                    tag: n.tag().map(str::to_owned),
                    digest: n.digest().map(str::to_owned),
                    familiar: Some(n.familiar().to_owned()),
                    json: serde_json::to_string(&n).unwrap_or_default(),
                })
            }
            _ => return Err(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT),
        };
        match parsed {
            Ok(reference) => {
                out.write(into_raw(reference));
                Ok(())
            }
            Err(e) => fail(error_out, imgrepl_error::parse(&e)),
        }
    })
}

/// Fills `*parts_out` with the reference's parts (borrowed from it).
///
/// # Safety
///
/// `reference` must be NULL or a live reference; `parts_out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_reference_get(
    reference: *const imgrepl_reference,
    parts_out: *mut imgrepl_reference_parts,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (r, out) = unsafe { (object(reference)?, Out::new(parts_out)?) };
        out.write(imgrepl_reference_parts {
            full: imgrepl_str::new(&r.full),
            name: imgrepl_str::new(&r.name),
            domain: imgrepl_str::optional(r.domain.as_deref()),
            path: imgrepl_str::new(&r.path),
            tag: imgrepl_str::optional(r.tag.as_deref()),
            digest: imgrepl_str::optional(r.digest.as_deref()),
            familiar: imgrepl_str::optional(r.familiar.as_deref()),
        });
        Ok(())
    })
}

/// The reference as JSON, the core's serialization of the view it was parsed in
/// (`{"string":…,"name":…,"domain":…,"path":…,"tag":…,"digest":…}`, plus the familiar forms
/// for the normalized views). Borrowed: valid until the reference is freed. `{NULL, 0}` when
/// `reference` is NULL.
///
/// # Safety
///
/// `reference` must be NULL or a live reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_reference_json(
    reference: *const imgrepl_reference,
) -> imgrepl_str {
    crate::boundary::guard_or(imgrepl_str::ABSENT, || {
        // SAFETY: this function's contract.
        unsafe { object(reference) }.map_or(imgrepl_str::ABSENT, |r| imgrepl_str::new(&r.json))
    })
}

/// Frees a reference. NULL is a no-op.
///
/// # Safety
///
/// `reference` must be NULL or a reference from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_reference_free(reference: *mut imgrepl_reference) {
    // SAFETY: this function's contract.
    crate::boundary::guard_or((), || unsafe { free(reference) });
}
