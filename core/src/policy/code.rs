//! Diagnostic codes, severities and rule fields.

use std::fmt;

use serde::Serialize;

/// How serious a diagnostic is.
///
/// ```
/// assert_eq!(imgrepl::Severity::Warning.as_str(), "warning");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The policy is invalid and is not used.
    Error,
    /// A likely mistake; the policy is still valid.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $severity:ident; )*) => {
        /// The stable code of a policy diagnostic.
        ///
        /// Codes never change meaning; new ones may be added.
        ///
        /// ```
        /// use imgrepl::{Code, Severity};
        ///
        /// assert_eq!(Code::DuplicatePrefix.as_str(), "duplicate-prefix");
        /// assert_eq!(Code::DuplicatePrefix.severity(), Severity::Error);
        /// assert_eq!(Code::from_code("chained-rule"), Some(Code::ChainedRule));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* #[serde(rename = $code)] $variant, )*
        }

        impl Code {
            /// Every code, errors first.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case code.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// Whether it is an error or a warning.
            #[must_use]
            pub const fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The code whose [`as_str`](Code::as_str) is `code`.
            #[must_use]
            pub fn from_code(code: &str) -> Option<Code> {
                Self::ALL.iter().copied().find(|c| c.as_str() == code)
            }
        }
    };
}

codes! {
    /// The annotation is larger than 256 KiB, the Kubernetes limit for all annotations.
    TooLarge = "too-large", Error;
    /// The annotation is not valid JSON.
    InvalidJson = "invalid-json", Error;
    /// The annotation is JSON but not an array.
    NotAnArray = "not-an-array", Error;
    /// An element of the array is not an object.
    RuleNotObject = "rule-not-object", Error;
    /// A rule lacks `repositoryPrefix` or `replaceWith`.
    MissingField = "missing-field", Error;
    /// A rule has a field that is not a string.
    WrongType = "wrong-type", Error;
    /// A rule gives the same field twice.
    DuplicateField = "duplicate-field", Error;
    /// A rule has a field other than the two (often a typo such as `replacewith`).
    UnknownField = "unknown-field", Error;
    /// `repositoryPrefix` is not empty and not a valid name prefix.
    InvalidPrefix = "invalid-prefix", Error;
    /// `replaceWith` is not a valid name prefix.
    InvalidReplacement = "invalid-replacement", Error;
    /// `replaceWith` equals `repositoryPrefix`.
    IdentityRule = "identity-rule", Error;
    /// Two rules have the same `repositoryPrefix`.
    DuplicatePrefix = "duplicate-prefix", Error;
    /// The policy has no rules.
    EmptyPolicy = "empty-policy", Warning;
    /// A prefix on Docker Hub's domain, which images written in the familiar form never carry.
    DockerHubPrefix = "docker-hub-prefix", Warning;
    /// A rule's results are matched by another rule's prefix, but rewriting is never chained.
    ChainedRule = "chained-rule", Warning;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
