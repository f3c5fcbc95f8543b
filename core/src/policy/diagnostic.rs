//! Policy diagnostics: every violation, with its code, position and message.

use std::fmt;

use serde::Serialize;

use super::{Code, Field, Policy, Severity};
use crate::Span;

/// One finding about a policy: an error that makes it invalid, or a warning.
///
/// It says what (a stable [`Code`] and a message), where (the rule index, the field, a JSON
/// pointer such as `/2/repositoryPrefix`, and the byte [`Span`] of the offending text in the
/// policy's text), and, for a duplicate, where the first occurrence is ([`related`](Self::related)).
///
/// ```
/// use imgrepl::{Code, Policy};
///
/// let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "b.io"},
///                {"repositoryPrefix": "a.io", "replaceWith": "c.io"}]"#;
/// let err = Policy::from_json(json).unwrap_err();
/// let d = &err.diagnostics()[0];
/// assert_eq!(d.code(), Code::DuplicatePrefix);
/// assert_eq!(d.pointer(), "/1/repositoryPrefix");
/// assert_eq!(&json[d.span().start..d.span().end], r#""a.io""#);
/// assert_eq!(d.related().map(|s| s.start), Some(22));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    pub(crate) code: Code,
    pub(crate) message: String,
    #[serde(rename = "index")]
    pub(crate) rule: Option<usize>,
    pub(crate) field: Option<Field>,
    pub(crate) pointer: String,
    pub(crate) span: Span,
    pub(crate) related: Option<Span>,
}

impl Diagnostic {
    /// An estimate of the bytes it holds, itself and its texts (for the byte bound of
    /// `imgrepl-k8s`'s policy cache; not part of the public API).
    #[doc(hidden)]
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Diagnostic>() + self.message.len() + self.pointer.len()
    }

    pub(crate) fn new(code: Code, message: String, span: Span) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            message,
            rule: None,
            field: None,
            pointer: String::new(),
            span,
            related: None,
        }
    }

    /// Sets the rule index (and the pointer to the rule).
    pub(crate) fn with_rule(mut self, index: usize) -> Self {
        self.rule = Some(index);
        self.pointer = format!("/{index}");
        self
    }

    /// Sets the field (and extends the pointer with it).
    pub(crate) fn with_field(mut self, field: Field) -> Self {
        self.field = Some(field);
        self.pointer.push('/');
        self.pointer.push_str(field.as_str());
        self
    }

    pub(crate) fn with_related(mut self, span: Span) -> Self {
        self.related = Some(span);
        self
    }

    /// Error or warning.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> Code {
        self.code
    }

    /// What is wrong and, where it helps, what to do, in plain words.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The index of the rule in the array, when the diagnostic is about one rule.
    #[must_use]
    pub fn rule(&self) -> Option<usize> {
        self.rule
    }

    /// The field, when the diagnostic is about one field.
    #[must_use]
    pub fn field(&self) -> Option<Field> {
        self.field
    }

    /// The JSON pointer (RFC 6901) of what the diagnostic is about: `""` for the whole
    /// policy, `/2` for a rule, `/2/repositoryPrefix` for a field (also when it is missing).
    #[must_use]
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The byte span of the offending text in the policy's text.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// The span of the other text the diagnostic is about: the first occurrence of a duplicate,
    /// the prefix of an identity rule, the prefix that matches a chained rule's results.
    #[must_use]
    pub fn related(&self) -> Option<Span> {
        self.related
    }

    /// What [`related`](Self::related) points at, in words an editor can show beside it.
    ///
    /// ```
    /// let json = r#"[{"repositoryPrefix": "a.io", "replaceWith": "a.io"}]"#;
    /// let err = imgrepl::Policy::from_json(json).unwrap_err();
    /// assert_eq!(err.diagnostics()[0].related_label(), Some("the rule's repositoryPrefix, the same text"));
    /// ```
    #[must_use]
    pub fn related_label(&self) -> Option<&'static str> {
        self.related?;
        Some(match self.code {
            Code::DuplicateField => "the field's first occurrence in this rule",
            Code::DuplicatePrefix => "the earlier rule with the same repositoryPrefix",
            Code::IdentityRule => "the rule's repositoryPrefix, the same text",
            Code::ChainedRule => "the repositoryPrefix that matches these results",
            _ => "the related text",
        })
    }

    /// Whether it is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.severity, self.code)?;
        if !self.pointer.is_empty() {
            write!(f, " at {}", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// An invalid policy: every diagnostic found, errors first. Its code is always
/// [`Code::InvalidPolicy`]; the diagnostics carry the codes of each problem.
///
/// ```
/// let err = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "a.io"}]"#).unwrap_err();
/// assert_eq!(err.code(), imgrepl::Code::InvalidPolicy);
/// assert_eq!(err.to_string(), "invalid image replacement policy: error[missing-field] at /0/replaceWith: rule 0 has no \"replaceWith\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl PolicyError {
    /// [`Code::InvalidPolicy`].
    #[must_use]
    pub const fn code(&self) -> Code {
        Code::InvalidPolicy
    }

    /// The whole message (the same as `Display`): the first error, and how many more.
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// Every diagnostic: the errors first, then the warnings, each in source order.
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The errors alone.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid image replacement policy")?;
        let mut errors = self.errors();
        if let Some(first) = errors.next() {
            write!(f, ": {first}")?;
        }
        let more = errors.count();
        if more > 0 {
            write!(f, " (and {more} more)")?;
        }
        Ok(())
    }
}

// `{"code": "invalid-policy", "message", "diagnostics": [Diagnostic…]}`.
crate::coded_error!(PolicyError {
    "diagnostics": |e| &e.diagnostics,
});

/// The result of [`Policy::validate`]: the policy when it has no error, and every diagnostic.
///
/// ```
/// use imgrepl::{Code, Policy};
///
/// let v = Policy::validate(r#"[{"repositoryPrefix": "docker.io", "replaceWith": "mirror.local"}]"#);
/// assert!(v.policy.is_some());
/// assert_eq!(v.diagnostics[0].code(), Code::DockerHubPrefix);
/// assert_eq!(
///     serde_json::to_value(&v)?,
///     serde_json::json!({"ok": true, "rules": [{"repositoryPrefix": "docker.io", "replaceWith": "mirror.local"}],
///       "diagnostics": [{"severity": "warning", "code": "docker-hub-prefix", "message": v.diagnostics[0].message(),
///         "index": 0, "field": "repositoryPrefix", "pointer": "/0/repositoryPrefix",
///         "span": {"start": 22, "end": 33}, "related": null}]})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Validation {
    /// The policy, when there is no error.
    pub policy: Option<Policy>,
    /// Every diagnostic, errors first, each group in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// `{"ok", "rules": [Rule…] | null, "diagnostics": [Diagnostic…]}`.
impl Serialize for Validation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Validation", 3)?;
        s.serialize_field("ok", &self.is_ok())?;
        s.serialize_field("rules", &self.policy.as_ref().map(Policy::rules))?;
        s.serialize_field("diagnostics", &self.diagnostics)?;
        s.end()
    }
}

impl Validation {
    /// Whether the policy is valid (it may still have warnings).
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.policy.is_some()
    }
}
