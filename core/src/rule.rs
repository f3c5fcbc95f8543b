//! Rules, rule ids and match modes: the plain data a policy is made of (a leaf module, so that
//! the matcher and the policy both use it without using each other).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
