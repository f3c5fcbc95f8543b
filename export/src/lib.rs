//! Export an image replacement policy to the forms that need no webhook.
//!
//! - [`cel::expression`]: the CEL expression that rewrites one image exactly as
//!   `imgrepl::Policy::rewrite` does, the policy compiled into it; [`map`] wraps it in a
//!   Kubernetes `MutatingAdmissionPolicy` and its binding.
//! - [`node`]: containers/image `registries.conf` (CRI-O, Podman) and containerd `hosts.toml`,
//!   with a diagnostic for every rule those formats cannot express exactly.
//!
//! No I/O: every function returns text. [`grammar`] holds the reference grammar as RE2 regular
//! expressions, written once and proven against `imgrepl::Reference::parse`.

#![forbid(unsafe_code)]

pub mod cel;
pub mod grammar;
pub mod map;
pub mod node;
