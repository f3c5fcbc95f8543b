//! imgrepl rewrites container image references by an *image replacement policy*.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod matcher;
pub mod policy;
pub mod reference;
pub mod rewrite;
pub mod span;

pub use policy::{
    ANNOTATION_KEY, Code, Diagnostic, Field, MAX_POLICY_BYTES, MatchMode, Policy, PolicyError,
    Rule, RuleId, Severity, Validation,
};
pub use reference::{Normalized, ParseError, ParseErrorKind, Reference, ReferenceBuf};
pub use rewrite::{Candidate, Explanation, Match, RewriteError, RewriteErrorKind, Rewritten};
pub use span::Span;
