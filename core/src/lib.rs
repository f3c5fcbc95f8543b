//! imgrepl rewrites container image references by an image replacement policy.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod reference;

pub use reference::{Normalized, ParseError, ParseErrorKind, Reference, ReferenceBuf};
