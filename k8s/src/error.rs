//! Errors of whole objects ([`WorkloadError`]) and of single containers ([`ContainerError`]).

use std::fmt::{self, Write as _};

use super::{MAX_DEPTH, MAX_OBJECT_BYTES, PolicySource, ValueType};
use imgrepl::{Code, Diagnostic, RewriteError, RewriteErrorKind};

/// What is wrong with an object as a whole.
///
/// ```
/// use imgrepl_k8s::{Options, WorkloadErrorKind};
///
/// let err = imgrepl_k8s::rewrite_json("[]", &Options::default()).unwrap_err();
/// assert_eq!(err.kind(), WorkloadErrorKind::NotAnObject);
/// assert_eq!(WorkloadErrorKind::NotAnObject.code(), "not-an-object");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WorkloadErrorKind {
    /// The JSON text is larger than [`MAX_OBJECT_BYTES`].
    TooLarge,
    /// The JSON text nests deeper than [`MAX_DEPTH`] levels.
    TooDeep,
    /// The text is not valid JSON.
    InvalidJson,
    /// The JSON value is not an object.
    NotAnObject,
    /// A part of the object has the wrong JSON type (e.g. `containers` is not an array, or the
    /// annotation is not a string).
    WrongType,
    /// The policy in the annotation is invalid; its diagnostics say why.
    InvalidPolicy,
    /// A key the rewrite reads is there twice (Kubernetes would keep the last one, silently).
    DuplicateKey,
}

impl WorkloadErrorKind {
    /// The stable code.
    #[must_use]
    pub const fn code(self) -> Code {
        match self {
            WorkloadErrorKind::TooLarge => Code::ObjectTooLarge,
            WorkloadErrorKind::TooDeep => Code::ObjectTooDeep,
            WorkloadErrorKind::InvalidJson => Code::ObjectInvalidJson,
            WorkloadErrorKind::NotAnObject => Code::NotAnObject,
            WorkloadErrorKind::WrongType => Code::ObjectWrongType,
            WorkloadErrorKind::InvalidPolicy => Code::InvalidPolicy,
            WorkloadErrorKind::DuplicateKey => Code::ObjectDuplicateKey,
        }
    }
}

impl fmt::Display for WorkloadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code().as_str())
    }
}

/// An object that cannot be rewritten: too large, not JSON, malformed where the rewrite needs
/// it, or carrying an invalid policy. Nothing of it is rewritten.
///
/// The [`pointer`](Self::pointer) says where in the object (RFC 6901); for an invalid policy,
/// [`policy`](Self::policy) holds the annotation's text and every diagnostic, whose spans are
/// byte ranges in that text.
///
/// ```
/// use imgrepl_k8s::{Options, WorkloadErrorKind};
///
/// let pod = r#"{"apiVersion": "v1", "kind": "Pod",
///   "metadata": {"annotations": {"coordinator.cci.io/image-replacement": "[{\"repositoryPrefix\": \"a.io\"}]"}},
///   "spec": {"containers": [{"name": "app", "image": "a.io/x/app"}]}}"#;
/// let err = imgrepl_k8s::rewrite_json(pod, &Options::default()).unwrap_err();
/// assert_eq!(err.kind(), WorkloadErrorKind::InvalidPolicy);
/// assert_eq!(err.pointer(), "/metadata/annotations/coordinator.cci.io~1image-replacement");
/// let source = err.policy().unwrap();
/// let d = &source.diagnostics[0];
/// assert_eq!(d.code().as_str(), "missing-field");
/// assert_eq!(&source.annotation.as_deref().unwrap()[d.span().start..d.span().end], r#"{"repositoryPrefix": "a.io"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadError {
    kind: WorkloadErrorKind,
    pointer: String,
    message: String,
    offset: Option<usize>,
    policy: Option<Box<PolicySource>>,
}

impl WorkloadError {
    pub(crate) fn too_large(len: usize) -> Self {
        WorkloadError {
            kind: WorkloadErrorKind::TooLarge,
            pointer: String::new(),
            message: format!(
                "the object is {len} bytes; at most {MAX_OBJECT_BYTES} bytes (3 MiB, the Kubernetes request limit) are accepted"
            ),
            offset: Some(MAX_OBJECT_BYTES),
            policy: None,
        }
    }

    /// The error of a JSON text `serde_json` could not read: [`WorkloadErrorKind::TooDeep`]
    /// when it nests deeper than [`MAX_DEPTH`], else [`WorkloadErrorKind::InvalidJson`].
    pub(crate) fn unreadable(error: &serde_json::Error, text: &str) -> Self {
        if is_too_deep(error) {
            WorkloadError::too_deep(imgrepl::__private::json_error_offset(text, error))
        } else {
            WorkloadError::invalid_json(error, text)
        }
    }

    /// An object that nests deeper than [`MAX_DEPTH`], found at byte `offset` of its text.
    pub(crate) fn too_deep(offset: usize) -> Self {
        WorkloadError {
            kind: WorkloadErrorKind::TooDeep,
            pointer: String::new(),
            message: format!(
                "the object nests deeper than {MAX_DEPTH} levels, the most that is read"
            ),
            offset: Some(offset),
            policy: None,
        }
    }

    pub(crate) fn invalid_json(error: &serde_json::Error, text: &str) -> Self {
        WorkloadError {
            kind: WorkloadErrorKind::InvalidJson,
            pointer: String::new(),
            message: format!(
                "not valid JSON: {}",
                imgrepl::__private::json_error_message(text, text, error)
            ),
            offset: Some(imgrepl::__private::json_error_offset(text, error)),
            policy: None,
        }
    }

    pub(crate) fn not_an_object(found: ValueType) -> Self {
        WorkloadError {
            kind: WorkloadErrorKind::NotAnObject,
            pointer: String::new(),
            message: format!(
                "a Kubernetes object is a JSON object, not {}",
                found.type_name()
            ),
            offset: None,
            policy: None,
        }
    }

    pub(crate) fn duplicate_key(pointer: String) -> Self {
        WorkloadError {
            kind: WorkloadErrorKind::DuplicateKey,
            message: format!(
                "{pointer} is there more than once: which one counts is not clear, so the object is left as it is"
            ),
            pointer,
            offset: None,
            policy: None,
        }
    }

    pub(crate) fn wrong_type(pointer: String, expected: &str, found: ValueType) -> Self {
        WorkloadError {
            kind: WorkloadErrorKind::WrongType,
            message: format!("{pointer} must be {expected}, not {}", found.type_name()),
            pointer,
            offset: None,
            policy: None,
        }
    }

    pub(crate) fn invalid_policy(source: PolicySource) -> Self {
        let pointer = source.pointer.clone().unwrap_or_default();
        let mut errors = source.diagnostics.iter().filter(|d| d.is_error());
        let mut message = format!("invalid image replacement policy in {pointer}");
        if let Some(first) = errors.next() {
            message.push_str(": ");
            message.push_str(&first.to_string());
        }
        let more = errors.count();
        if more > 0 {
            let _ = write!(message, " (and {more} more)");
        }
        WorkloadError {
            kind: WorkloadErrorKind::InvalidPolicy,
            pointer,
            message,
            offset: None,
            policy: Some(Box::new(source)),
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> WorkloadErrorKind {
        self.kind
    }

    /// The stable code of the kind, e.g. `"object-wrong-type"`.
    #[must_use]
    pub fn code(&self) -> Code {
        self.kind.code()
    }

    /// What is wrong, in plain words (the same as `Display`).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The RFC 6901 pointer of the offending part (`""` for the whole object).
    #[must_use]
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// For [`TooLarge`](WorkloadErrorKind::TooLarge), [`TooDeep`](WorkloadErrorKind::TooDeep)
    /// and [`InvalidJson`](WorkloadErrorKind::InvalidJson), the byte offset in the text where it
    /// stopped being acceptable.
    #[must_use]
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// For [`InvalidPolicy`](WorkloadErrorKind::InvalidPolicy), where the policy was read and
    /// every diagnostic (errors first, then warnings) with spans in the annotation's text.
    #[must_use]
    pub fn policy(&self) -> Option<&PolicySource> {
        self.policy.as_deref()
    }

    /// The policy's diagnostics (empty for the other kinds).
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.policy.as_deref().map_or(&[], |p| &p.diagnostics)
    }
}

// `{"code", "message", "pointer", "offset", "policy"}`.
imgrepl::coded_error!(WorkloadError = message {
    "pointer": |e| &e.pointer,
    "offset": |e| &e.offset,
    "policy": |e| &e.policy,
});

/// Whether `serde_json` stopped at its recursion limit (it has no error kind of its own for
/// it, only its message; a test pins the message).
pub(crate) fn is_too_deep(error: &serde_json::Error) -> bool {
    error.to_string().starts_with("recursion limit exceeded")
}

/// Why one container's image was left as it is.
///
/// See [`ContainerError`] for an example of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContainerErrorKind {
    /// The image is not a valid reference.
    InvalidImage,
    /// A rule matched, but the result would not be a valid reference.
    InvalidResult,
    /// The entry of the container list is not a JSON object.
    NotAnObject,
    /// The container's `image` is not a string.
    ImageNotString,
    /// The container's `image` or `name` is there more than once.
    DuplicateKey,
    /// The image would be rewritten, but its text cannot be changed in place (a manifest
    /// editor's finding, e.g. a YAML anchor shared with a value that would not change the same
    /// way).
    NotEditable,
}

/// The error on one container's row: the other containers are still rewritten.
///
/// ```
/// use imgrepl_k8s::{ContainerErrorKind, Options};
/// use imgrepl::Policy;
///
/// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [
///     {"name": "a", "image": "Nginx"}, {"name": "b", "image": 7}, {"name": "c", "image": "redis"}]}});
/// let report = imgrepl_k8s::rewrite(&pod, &Options::default().policy(&policy))?;
/// let a = report.containers[0].error.as_ref().unwrap();
/// assert_eq!((a.kind(), a.code(), a.offset()), (ContainerErrorKind::InvalidImage, imgrepl::Code::Uppercase, Some(0)));
/// let b = report.containers[1].error.as_ref().unwrap();
/// assert_eq!(b.to_string(), "/spec/containers/1/image must be a string, not a number");
/// assert_eq!(report.containers[2].after.as_deref(), Some("m.io/hub/redis"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerError {
    kind: ContainerErrorKind,
    rewrite: Option<RewriteError>,
    message: String,
}

impl ContainerError {
    pub(crate) fn rewrite(error: RewriteError) -> Self {
        let kind = match error.kind() {
            RewriteErrorKind::InvalidResult => ContainerErrorKind::InvalidResult,
            _ => ContainerErrorKind::InvalidImage,
        };
        ContainerError {
            kind,
            message: error.to_string(),
            rewrite: Some(error),
        }
    }

    pub(crate) fn not_an_object(pointer: &str, found: ValueType) -> Self {
        ContainerError {
            kind: ContainerErrorKind::NotAnObject,
            rewrite: None,
            message: format!("{pointer} must be an object, not {}", found.type_name()),
        }
    }

    pub(crate) fn image_not_string(pointer: &str, found: ValueType) -> Self {
        ContainerError {
            kind: ContainerErrorKind::ImageNotString,
            rewrite: None,
            message: format!("{pointer} must be a string, not {}", found.type_name()),
        }
    }

    /// An image that a manifest editor cannot change in place, and why
    /// ([`Code::ImageNotEditable`]).
    ///
    /// ```
    /// use imgrepl::Code;
    /// use imgrepl_k8s::{ContainerError, ContainerErrorKind};
    ///
    /// let e = ContainerError::not_editable("the image is shared through an anchor");
    /// assert_eq!((e.kind(), e.code()), (ContainerErrorKind::NotEditable, Code::ImageNotEditable));
    /// assert_eq!(e.to_string(), "the image is shared through an anchor");
    /// ```
    #[must_use]
    pub fn not_editable(reason: impl Into<String>) -> Self {
        ContainerError {
            kind: ContainerErrorKind::NotEditable,
            rewrite: None,
            message: reason.into(),
        }
    }

    pub(crate) fn duplicate_key(pointer: &str) -> Self {
        ContainerError {
            kind: ContainerErrorKind::DuplicateKey,
            rewrite: None,
            message: format!(
                "{pointer} is there more than once: which one counts is not clear, so it is left as it is"
            ),
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> ContainerErrorKind {
        self.kind
    }

    /// A stable code: the [`RewriteError::code`] for an image that is or would become invalid
    /// (e.g. `"uppercase"`, `"invalid-result"`), `"container-not-object"`,
    /// `"image-not-string"`, `"container-duplicate-key"` or `"image-not-editable"`.
    #[must_use]
    pub fn code(&self) -> Code {
        match (&self.rewrite, self.kind) {
            (Some(e), _) => e.code(),
            (None, ContainerErrorKind::NotAnObject) => Code::ContainerNotObject,
            (None, ContainerErrorKind::DuplicateKey) => Code::ContainerDuplicateKey,
            (None, ContainerErrorKind::NotEditable) => Code::ImageNotEditable,
            (None, _) => Code::ImageNotString,
        }
    }

    /// What is wrong, in plain words (the same as `Display`).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte offset in the image (or in the would-be result) for an invalid image.
    #[must_use]
    pub fn offset(&self) -> Option<usize> {
        self.rewrite.map(|e| e.offset())
    }

    /// The rewrite error behind it, for an invalid image or result.
    #[must_use]
    pub fn rewrite_error(&self) -> Option<&RewriteError> {
        self.rewrite.as_ref()
    }
}

// `{"code", "message", "offset"}`.
imgrepl::coded_error!(ContainerError = message {
    "offset": |e| &e.offset(),
});
