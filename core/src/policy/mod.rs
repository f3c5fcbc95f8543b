//! The image replacement policy: rules, validation with diagnostics, and the compiled policy.
//!
//! A policy's text is a JSON array of rules:
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

use serde::Serialize;

use crate::Span;

pub use crate::code::{Code, Severity};
pub use diagnostic::{Diagnostic, PolicyError, Validation};

use crate::matcher::Matcher;
pub use crate::rule::{MatchMode, Rule, RuleId, UnknownMatchMode};

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

/// The largest annotation accepted, in bytes: 256 KiB, the Kubernetes limit for all of an
/// object's annotations together.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;

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
    /// Per rule: the byte span of its object in the text it was read from.
    pub(crate) spans: Vec<Span>,
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
    /// An estimate of the bytes a policy holds, itself and its heap: per rule its two strings,
    /// its span, its index entry (the prefix again, and the hash table's slot) and its lengths;
    /// and its warnings. For the byte bound of `imgrepl-k8s`'s policy cache; not part of the
    /// public API.
    #[doc(hidden)]
    pub fn approx_heap_bytes(&self) -> usize {
        /// A hash table slot (a boxed prefix and a rule id, with the table's load factor).
        const INDEX_SLOT: usize = 32;
        let rules: usize = self
            .rules
            .iter()
            .map(|r| {
                std::mem::size_of::<Rule>()
                    + 2 * r.repository_prefix().len()
                    + r.replace_with().len()
                    + std::mem::size_of::<Span>()
                    + std::mem::size_of::<crate::reference::PrefixLens>()
                    + INDEX_SLOT
            })
            .sum();
        std::mem::size_of::<Policy>()
            + rules
            + self
                .warnings
                .iter()
                .map(Diagnostic::approx_bytes)
                .sum::<usize>()
    }
}

impl Policy {
    /// Reads and validates a policy's JSON text; fails when there is any error.
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

    /// Reads and validates a policy's JSON text, returning every diagnostic (errors and
    /// warnings), and the policy when there is no error.
    pub fn validate(json: &str) -> Validation {
        validate::validate_json(json, true)
    }

    /// Builds a policy from rules (for Rust callers). Spans in its diagnostics refer to the
    /// canonical JSON of the same rules ([`Policy::to_json`]). Unlike a policy's text, the rules
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

    /// The byte span of rule `id`'s object in the text the policy was read from (for
    /// [`Policy::from_rules`], in [`Policy::to_json`]); `None` for an id past the rules.
    ///
    /// ```
    /// let json = r#"[ {"repositoryPrefix": "", "replaceWith": "m.io"} ]"#;
    /// let policy = imgrepl::Policy::from_json(json)?;
    /// let span = policy.rule_span(policy.find("nginx")?.unwrap().rule).unwrap();
    /// assert_eq!(&json[span.start..span.end], r#"{"repositoryPrefix": "", "replaceWith": "m.io"}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn rule_span(&self, id: RuleId) -> Option<Span> {
        self.spans.get(id.index()).copied()
    }

    /// The id of the rule at `index` in the array; `None` past the rules. For bindings and
    /// reports that hold an index (such as [`RuleCoverage::index`](crate::corpus::RuleCoverage))
    /// and need [`Policy::rule_span`] or [`Policy::rule`].
    ///
    /// ```
    /// let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}, {"repositoryPrefix": "", "replaceWith": "m.io"}]"#;
    /// let policy = imgrepl::Policy::from_json(json)?;
    /// let id = policy.rule_id(1).unwrap();
    /// assert_eq!(id.index(), 1);
    /// assert_eq!(policy.rule(id).map(|r| r.replace_with()), Some("m.io"));
    /// assert_eq!(policy.rule_id(2), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn rule_id(&self, index: usize) -> Option<RuleId> {
        if index < self.rules.len() {
            u32::try_from(index).ok().map(RuleId)
        } else {
            None
        }
    }

    /// The warnings found when the policy was read.
    #[must_use]
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The canonical JSON text of the rules.
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
