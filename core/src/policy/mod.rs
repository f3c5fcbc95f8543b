//! The image replacement policy: rules, validation with diagnostics, and the compiled policy.
//!
//! The annotation value is a JSON array of rules:
//!
//! ```json
//! [ {"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
//!   {"repositoryPrefix": "",              "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"} ]
//! ```
//!
//! [`Policy::validate`] reports every violation as a [`Diagnostic`] with its position;
//! [`Policy::from_json`] and [`Policy::from_rules`] build the policy (the matcher is compiled once
//! here), and the methods in [`rewrite`](crate::rewrite) use it.

mod diagnostic;
mod read;
mod validate;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use crate::code::{Code, Severity};
pub use diagnostic::{Diagnostic, PolicyError, Validation};

use crate::matcher::Matcher;

/// A field of a rule.
///
/// ```
/// assert_eq!(imgrepl::Field::ReplaceWith.as_str(), "replaceWith");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Field {
    /// `repositoryPrefix`: what an image must start with.
    #[serde(rename = "repositoryPrefix")]
    RepositoryPrefix,
    /// `replaceWith`: what the prefix is replaced with.
    #[serde(rename = "replaceWith")]
    ReplaceWith,
}

impl Field {
    /// The field's JSON name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::RepositoryPrefix => "repositoryPrefix",
            Field::ReplaceWith => "replaceWith",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The default annotation key that carries the policy.
pub const ANNOTATION_KEY: &str = "coordinator.cci.io/image-replacement";

/// The largest annotation accepted, in bytes: 256 KiB, the Kubernetes limit for all of an
/// object's annotations together.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;

/// One rule: images starting with `repositoryPrefix` (at a `/` boundary) get it replaced with
/// `replaceWith`.
///
/// ```
/// let rule = imgrepl::Rule::new("harbor.domain", "mirror.local/org1");
/// assert_eq!(rule.repository_prefix(), "harbor.domain");
/// assert_eq!(serde_json::to_string(&rule)?, r#"{"repositoryPrefix":"harbor.domain","replaceWith":"mirror.local/org1"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    repository_prefix: String,
    replace_with: String,
}

impl Rule {
    /// A rule replacing `prefix` with `replace_with` (validated when the policy is built).
    pub fn new(prefix: impl Into<String>, replace_with: impl Into<String>) -> Rule {
        Rule {
            repository_prefix: prefix.into(),
            replace_with: replace_with.into(),
        }
    }

    /// The prefix an image must start with (empty: images with no `/`).
    #[must_use]
    pub fn repository_prefix(&self) -> &str {
        &self.repository_prefix
    }

    /// What the prefix is replaced with.
    #[must_use]
    pub fn replace_with(&self) -> &str {
        &self.replace_with
    }
}

/// The position of a rule in its policy.
///
/// ```
/// let policy = imgrepl::Policy::from_rules([imgrepl::Rule::new("", "mirror.local")])?;
/// let m = policy.find("nginx")?.unwrap();
/// assert_eq!(m.rule.index(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RuleId(pub(crate) u32);

impl RuleId {
    /// The index of the rule in the policy's array.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// How a rule's prefix matches an image.
///
/// ```
/// use imgrepl::{MatchMode, Policy};
///
/// let policy = Policy::from_json(r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org"}]"#)?;
/// assert_eq!(policy.rewrite("harbor.domain/team/app:1")?.image, "m.io/org/team/app:1");
/// let exact = policy.with_mode(MatchMode::ExactParent);
/// assert_eq!(exact.rewrite("harbor.domain/team/app:1")?.image, "harbor.domain/team/app:1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MatchMode {
    /// The longest prefix that, followed by `/`, starts the image (the default).
    #[default]
    LongestPrefix,
    /// A non-empty prefix matches only when it equals the image's whole parent path
    /// (everything before the last `/` of the name).
    ExactParent,
}

impl MatchMode {
    /// `"longest-prefix"` or `"exact-parent"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MatchMode::LongestPrefix => "longest-prefix",
            MatchMode::ExactParent => "exact-parent",
        }
    }
}

impl fmt::Display for MatchMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`MatchMode::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown match mode {0:?}: expected \"longest-prefix\" or \"exact-parent\"")]
pub struct UnknownMatchMode(String);

impl FromStr for MatchMode {
    type Err = UnknownMatchMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "longest-prefix" => Ok(MatchMode::LongestPrefix),
            "exact-parent" => Ok(MatchMode::ExactParent),
            _ => Err(UnknownMatchMode(s.to_owned())),
        }
    }
}

/// A valid, compiled policy: immutable, cheap to share between threads (`Send + Sync`).
///
/// ```
/// use imgrepl::Policy;
///
/// let policy = Policy::from_json(r#"[
///   {"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
///   {"repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
///   {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}
/// ]"#)?;
/// assert_eq!(policy.rewrite("nginx:latest")?.image, "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest");
/// assert_eq!(
///     policy.rewrite("harbor.domain/a/b/c/d/redis:latest")?.image,
///     "swr.cn-north-4.myhuaweicloud.com/org2/redis:latest"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Policy {
    pub(crate) rules: Vec<Rule>,
    pub(crate) matcher: Matcher,
    pub(crate) mode: MatchMode,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("mode", &self.mode)
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Reads and validates an annotation value; fails when there is any error.
    ///
    /// Warnings do not fail it; they are kept in [`Policy::warnings`].
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] with every diagnostic when the policy has an error.
    pub fn from_json(json: &str) -> Result<Policy, PolicyError> {
        let validation = Policy::validate(json);
        match validation.policy {
            Some(policy) => Ok(policy),
            None => Err(PolicyError {
                diagnostics: validation.diagnostics,
            }),
        }
    }

    /// Reads and validates an annotation value, returning every diagnostic (errors and
    /// warnings), and the policy when there is no error.
    pub fn validate(json: &str) -> Validation {
        validate::validate_json(json, true)
    }

    /// Builds a policy from rules (for Rust callers). Spans in its diagnostics refer to the
    /// canonical JSON of the same rules ([`Policy::to_json`]). Unlike an annotation, the rules
    /// are not bounded by [`MAX_POLICY_BYTES`]: a program may hold a policy of any size.
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] when a rule is invalid.
    ///
    /// ```
    /// use imgrepl::{Policy, Rule};
    ///
    /// let policy = Policy::from_rules([Rule::new("harbor.domain", "mirror.local/org1")])?;
    /// assert_eq!(policy.to_json(), r#"[{"repositoryPrefix":"harbor.domain","replaceWith":"mirror.local/org1"}]"#);
    /// # Ok::<(), imgrepl::PolicyError>(())
    /// ```
    pub fn from_rules(rules: impl IntoIterator<Item = Rule>) -> Result<Policy, PolicyError> {
        let rules: Vec<Rule> = rules.into_iter().collect();
        let validation = validate::validate_json(&rules_json(&rules), false);
        match validation.policy {
            Some(policy) => Ok(policy),
            None => Err(PolicyError {
                diagnostics: validation.diagnostics,
            }),
        }
    }

    /// The same policy with another match mode.
    #[must_use]
    pub fn with_mode(mut self, mode: MatchMode) -> Policy {
        self.mode = mode;
        self
    }

    /// The match mode.
    #[must_use]
    pub fn mode(&self) -> MatchMode {
        self.mode
    }

    /// The rules, in the order given.
    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule `id` refers to; `None` when `id` is past this policy's rules (an id of another,
    /// larger policy). An id that came from this policy always gives its rule.
    ///
    /// ```
    /// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#)?;
    /// let id = policy.find("nginx")?.unwrap().rule;
    /// assert_eq!(policy.rule(id).map(|r| r.replace_with()), Some("m.io"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn rule(&self, id: RuleId) -> Option<&Rule> {
        self.rules.get(id.index())
    }

    /// The warnings found when the policy was read.
    #[must_use]
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The canonical annotation JSON of the rules.
    #[must_use]
    pub fn to_json(&self) -> String {
        rules_json(&self.rules)
    }
}

/// The canonical JSON of `rules`.
fn rules_json(rules: &[Rule]) -> String {
    serde_json::to_string(rules).unwrap_or_else(|_| String::from("[]"))
}

impl Serialize for Policy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.rules.serialize(serializer)
    }
}

impl FromStr for Policy {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Policy::from_json(s)
    }
}
