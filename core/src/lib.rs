//! imgrepl rewrites container image references by an *image replacement policy*: a JSON array
//! of `{"repositoryPrefix", "replaceWith"}` rules in which the longest matching prefix wins.
//!
//! It is a small, exact, no-I/O library: the image reference grammar of the distribution
//! project, exactly ([`Reference`]); policy validation that reports every mistake with its
//! position ([`Policy::validate`], [`Diagnostic`]); and a rewriter whose cost per image does not
//! grow with the number of rules ([`Policy::rewrite`]). Whole Kubernetes objects and
//! `AdmissionReview`s are the business of the companion crate `imgrepl-k8s`, built on this one.
//!
//! # Parse a reference
//!
//! ```
//! use imgrepl::Reference;
//!
//! let r = Reference::parse("registry:5000/team/app:1.0")?;
//! assert_eq!((r.domain(), r.path(), r.tag()), (Some("registry:5000"), "team/app", Some("1.0")));
//!
//! let err = Reference::parse("team/App").unwrap_err();
//! assert_eq!(err.code(), "uppercase");
//! assert_eq!(err.to_string(), "repository name must be lowercase: uppercase letter in repository path at byte 5");
//!
//! let n = Reference::parse_normalized("nginx")?;
//! assert_eq!(n.as_str(), "docker.io/library/nginx");
//! # Ok::<(), imgrepl::ParseError>(())
//! ```
//!
//! # Validate a policy
//!
//! ```
//! use imgrepl::{Code, Policy};
//!
//! let json = r#"[{"repositoryPrefix": "harbor.domain", "replacewith": "m.io/org1"}]"#;
//! let v = Policy::validate(json);
//! assert!(v.policy.is_none());
//! let codes: Vec<Code> = v.diagnostics.iter().map(|d| d.code()).collect();
//! assert_eq!(codes, [Code::MissingField, Code::UnknownField]);
//! let typo = &v.diagnostics[1];
//! assert_eq!(typo.message(), "rule 0 has an unknown field \"replacewith\"; did you mean \"replaceWith\"?");
//! assert_eq!(&json[typo.span().start..typo.span().end], "\"replacewith\"");
//! ```
//!
//! # Rewrite images
//!
//! ```
//! use imgrepl::Policy;
//!
//! let policy = Policy::from_json(r#"[
//!   {"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
//!   {"repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
//!   {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}
//! ]"#)?;
//! assert_eq!(
//!     policy.rewrite("harbor.domain/a/b/c/d/redis:latest")?.image,
//!     "swr.cn-north-4.myhuaweicloud.com/org2/redis:latest"
//! );
//!
//! // Many images, one reused buffer, no allocation once it is large enough.
//! let mut out = String::with_capacity(128);
//! for image in ["nginx:latest", "harbor.domain/ubuntu:latest", "quay.io/x/y"] {
//!     let rule = policy.rewrite_into(image, &mut out)?;
//!     println!("{image} -> {out} ({rule:?})");
//! }
//!
//! // Why an image is (not) rewritten, and whether the exact-parent mode would differ.
//! let e = policy.explain("harbor.domain/team/app:1");
//! assert!(e.modes_disagree);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Many images at once
//!
//! [`Policy::rewrite_batch`] is what the C, Go and JS batch calls wrap: one owned
//! [`RewriteBatch`] holding one output string, and per image its [`Span`] in it and
//! `Result<Option<RuleId>, RewriteError>`.
//!
//! ```
//! use imgrepl::{Code, Policy};
//!
//! let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
//! let batch = policy.rewrite_batch(["nginx", "Bad"]);
//! assert_eq!(batch.output(), "m.io/hub/nginxBad");
//! assert_eq!(batch.image(0), Some("m.io/hub/nginx"));
//! assert_eq!(batch.items()[1].result.unwrap_err().code(), Code::Uppercase);
//! # Ok::<(), imgrepl::PolicyError>(())
//! ```
//!
//! # Over a corpus: coverage, diff, second pass
//!
//! [`Policy::coverage`] says which rules win, which are dead, and which images no rule covers;
//! [`diff::diff`] what changes from one policy to another, image by image;
//! [`Policy::second_pass`] which results the policy would rewrite again if it were applied to its
//! own output. All are data with codes ([`corpus`], [`diff`]). An image may carry a label of
//! where it was found (any string: a file, a workload), which the reports keep as examples.
//!
//! ```
//! use imgrepl::{Code, Policy};
//!
//! let policy = Policy::from_json(r#"[{"repositoryPrefix": "harbour.domain", "replaceWith": "m.io"}]"#)?;
//! let coverage = policy.coverage(["harbor.domain/app", "nginx"]);
//! assert_eq!(coverage.rules[0].code, Some(Code::DeadRule)); // a typo: it matches nothing
//! assert_eq!(coverage.uncovered_count, 2);
//! # Ok::<(), imgrepl::PolicyError>(())
//! ```
//!
//! # Errors, codes, positions and JSON
//!
//! Every error and warning carries a [`Code`] from one registry: stable, kebab-case, globally
//! unique ([`Code::ALL`] lists them, with their [`Scope`] and [`Severity`]). Every error type
//! has `code()`, a message (`Display`), and where it applies a byte `offset()` or `span()`:
//! - [`ParseError`]: a [`ParseErrorKind`] (the reference implementation's error), a reason, and
//!   the byte offset where the input stopped being valid;
//! - [`RewriteError`]: an invalid image or an invalid result, with the rule;
//! - [`Diagnostic`]s of a policy, with the rule index, a JSON pointer and the byte [`Span`] in
//!   the policy's text; [`PolicyError`] holds them all.
//!
//! Every public result and error implements `Serialize` (`{"code", "message", …}` for errors),
//! with one key order whatever `serde_json` features are enabled, so the CLI, the C layer and the
//! JS layer print the same JSON. [`Utf16Index`] converts byte spans to UTF-16 for editors.
//! Inputs are bounded ([`MAX_IMAGE_BYTES`], [`MAX_POLICY_BYTES`]); nothing here panics on any
//! input.
//!
//! ```
//! use imgrepl::{Reference, span::Utf16Index};
//!
//! let err = Reference::parse("é/App").unwrap_err();
//! assert_eq!(err.code().as_str(), "invalid-format");
//! assert_eq!(serde_json::to_value(err)?["offset"], 0);
//! let text = "[\"é\", 1]";
//! assert_eq!(Utf16Index::new(text).offset(text.find('1').unwrap()), 6);
//! # Ok::<(), serde_json::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bytes;
pub mod code;
mod coded;
pub mod corpus;
pub mod diff;
mod matcher;
mod pointer;
pub mod policy;
pub mod reference;
pub mod rewrite;
mod rule;
pub mod span;

pub use code::{Code, Scope, Severity};
pub use policy::{Diagnostic, Field, MAX_POLICY_BYTES, Policy, PolicyError, Validation};
pub use reference::{
    MAX_IMAGE_BYTES, Normalized, ParseError, ParseErrorKind, Reference, ReferenceBuf,
};
pub use rewrite::{
    AppliedRule, BatchItem, Candidate, Explanation, Match, RewriteBatch, RewriteError,
    RewriteErrorKind, Rewritten,
};
pub use rule::{MatchMode, Rule, RuleId, UnknownMatchMode};
pub use span::{Span, Utf16Index};

/// What `imgrepl-k8s` shares with this crate: the byte scan, the RFC 6901 pointer writers, the
/// positions of `serde_json` errors and the helper of the error types (`coded_error!`), written
/// once here because core uses them too. Not part of the public API: no stability promise; the
/// two crates are released together.
#[doc(hidden)]
pub mod __private {
    pub use crate::bytes::any_byte;
    pub use crate::coded::DisplayStr;
    pub use crate::pointer::{escape_pointer_token, pointer_at, push_index, push_token};
    pub use crate::span::{json_error_message, json_error_offset};
    pub use serde;
}
