//! `libimgrepl`: the C ABI of imgrepl, a thin layer over the core crate.
//!
//! Programs in C (and Go, through cgo) link `libimgrepl.a` or `libimgrepl.so` and include
//! `include/imgrepl.h`, which is generated from this crate by `cargo xtask gen`. Every rule of
//! the policy and the grammar lives in the core; this crate only checks what crosses the
//! boundary (NULL, lengths, UTF-8, panics) and translates.
//!
//! How to install and link it, and the conventions every function follows, are in
//! `bindings-c/README.md` (its "Conventions"): statuses with fixed numbers, `(ptr, len)` UTF-8
//! strings in, outputs written only on success, owned `imgrepl_string` versus borrowed
//! `imgrepl_str`, `_parse`/`_new` paired with `_free`, and a `const imgrepl_policy *` that any
//! number of threads may share. The shared library's SONAME is `libimgrepl.so.MAJOR`
//! (`build.rs`).
//!
//! The functions can be called from Rust too, as the ABI tests and the `c_abi` fuzz target do:
//!
//! ```
//! use imgrepl::*; // this crate: the library is named `imgrepl`, as C links it
//!
//! let json = r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#;
//! let mut policy = std::ptr::null_mut();
//! // SAFETY: valid pointers and lengths; the policy is freed below.
//! unsafe {
//!     let status = imgrepl_policy_parse(json.as_ptr().cast(), json.len(), &mut policy, std::ptr::null_mut());
//!     assert_eq!(status, imgrepl_status::IMGREPL_STATUS_OK);
//!     let (mut buf, mut len, mut rule) = ([0u8; 64], 0usize, 0i64);
//!     let image = "nginx:1";
//!     let status = imgrepl_policy_rewrite(policy, image.as_ptr().cast(), image.len(),
//!         buf.as_mut_ptr().cast(), buf.len(), &mut len, &mut rule, std::ptr::null_mut());
//!     assert_eq!(status, imgrepl_status::IMGREPL_STATUS_OK);
//!     assert_eq!(&buf[..len], b"m.io/hub/nginx:1");
//!     assert_eq!(rule, 0);
//!     imgrepl_policy_free(policy);
//! }
//! ```
#![allow(
    non_camel_case_types,
    reason = "the C names (imgrepl_policy, imgrepl_status) are the Rust names, so the header and the code read the same"
)]

mod boundary;
mod cache;
mod error;
mod policy;
mod reference;
mod rewrite;
mod status;
mod strings;
#[cfg(feature = "test-panic")]
mod test_panic;
mod toolkit;
mod workload;

pub use cache::*;
pub use error::*;
pub use policy::*;
pub use reference::*;
pub use rewrite::*;
pub use status::*;
pub use strings::*;
#[cfg(feature = "test-panic")]
pub use test_panic::*;
pub use toolkit::*;
pub use workload::*;

/// The limits the header states as macros, with their values: `(name, value)`.
pub const LIMITS: [(&str, usize); 6] = [
    ("IMGREPL_MAX_IMAGE_BYTES", imgrepl_core::MAX_IMAGE_BYTES),
    ("IMGREPL_MAX_POLICY_BYTES", imgrepl_core::MAX_POLICY_BYTES),
    ("IMGREPL_MAX_OBJECT_BYTES", imgrepl_k8s::MAX_OBJECT_BYTES),
    (
        "IMGREPL_MAX_REVIEW_BYTES",
        imgrepl_k8s::admission::MAX_REVIEW_BYTES,
    ),
    ("IMGREPL_MAX_BATCH_IMAGES", rewrite::MAX_BATCH_IMAGES),
    ("IMGREPL_MAX_CORPUS_IMAGES", toolkit::MAX_CORPUS_IMAGES),
];

/// The core's JSON for a result; serialization of these plain-data types cannot fail, and if
/// it ever did the call would report `IMGREPL_STATUS_PANIC` (an internal error) rather than
/// hand out a partial string.
fn to_json(value: &impl serde::Serialize) -> Result<String, imgrepl_status> {
    serde_json::to_string(value).map_err(|_| imgrepl_status::IMGREPL_STATUS_PANIC)
}
