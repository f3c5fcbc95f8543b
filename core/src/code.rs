//! The one registry of stable codes, and severities.
//!
//! Every error and warning the crate produces — a rejected reference, an image that cannot be
//! rewritten, a policy diagnostic, a finding over a corpus of images, and those of the companion crate
//! `imgrepl-k8s` (an object or container a workload rewrite leaves alone, an `AdmissionReview`
//! that cannot be answered) — carries a [`Code`] from this registry. A code is
//! globally unique (no two meanings share a string), kebab-case, and never changes meaning;
//! new codes may be added. The C and JS layers hand these strings on unchanged. The registry is one list for
//! both crates, so that the C statuses, the JS codes and docs/CODES.md share one numbering.

use std::fmt;

use serde::Serialize;

/// How serious a finding is.
///
/// ```
/// assert_eq!(imgrepl::Severity::Warning.as_str(), "warning");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Something is invalid: a policy is not used, an image or an object is left as it is.
    Error,
    /// A likely mistake that does not stop anything.
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

/// What part of the crate a [`Code`] comes from.
///
/// ```
/// use imgrepl::{Code, Scope};
/// assert_eq!(Code::Uppercase.scope(), Scope::Reference);
/// assert_eq!(Scope::Admission.as_str(), "admission");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Scope {
    /// A rejected reference ([`ParseError`](crate::ParseError)).
    Reference,
    /// An image that cannot be rewritten ([`RewriteError`](crate::RewriteError)).
    Rewrite,
    /// A policy diagnostic ([`Diagnostic`](crate::Diagnostic), [`PolicyError`](crate::PolicyError)).
    Policy,
    /// A whole object (`imgrepl_k8s::WorkloadError`, `imgrepl_k8s::Warning`).
    Workload,
    /// One container of an object (`imgrepl_k8s::ContainerError`).
    Container,
    /// An `AdmissionReview` body (`imgrepl_k8s::admission::AdmissionError`).
    Admission,
    /// A finding about a policy over a corpus of images ([`Coverage`](crate::corpus::Coverage),
    /// [`SecondPass`](crate::corpus::SecondPass)).
    Corpus,
}

impl Scope {
    /// The lowercase name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Reference => "reference",
            Scope::Rewrite => "rewrite",
            Scope::Policy => "policy",
            Scope::Workload => "workload",
            Scope::Container => "container",
            Scope::Admission => "admission",
            Scope::Corpus => "corpus",
        }
    }
}

macro_rules! codes {
    ($( $doc:literal $variant:ident = $code:literal, $scope:ident, $severity:ident; )*) => {
        /// The stable code of every error and warning of the crate: one registry, globally
        /// unique, kebab-case.
        ///
        /// Codes never change meaning; new ones may be added. A `Code` compares equal to its
        /// string, serializes as it, and [`Code::from_code`] reads it back.
        ///
        /// ```
        /// use imgrepl::{Code, Scope, Severity};
        ///
        /// assert_eq!(Code::DuplicatePrefix.as_str(), "duplicate-prefix");
        /// assert_eq!(Code::DuplicatePrefix.severity(), Severity::Error);
        /// assert_eq!(Code::DuplicatePrefix.scope(), Scope::Policy);
        /// assert_eq!(Code::from_code("chained-rule"), Some(Code::ChainedRule));
        /// assert_eq!(Code::Uppercase, "uppercase");
        /// assert_eq!(serde_json::to_string(&Code::InvalidResult)?, r#""invalid-result""#);
        /// # Ok::<(), serde_json::Error>(())
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( #[doc = $doc] $variant, )*
        }

        impl Code {
            /// Every code: the errors first, then the warnings; within each, by scope.
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

            /// Where it comes from.
            #[must_use]
            pub const fn scope(self) -> Scope {
                match self { $(Code::$variant => Scope::$scope,)* }
            }

            /// What it means, in one sentence (the code table of docs/CODES.md).
            #[must_use]
            pub const fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc.trim_ascii(),)* }
            }
        }
    };
}

codes! {
    " The reference is empty (\"repository name must have at least one component\")."
    Empty = "empty", Reference, Error;
    " The reference does not match the grammar (\"invalid reference format\")."
    InvalidFormat = "invalid-format", Reference, Error;
    " The reference would match if it were lowercase (\"repository name must be lowercase\")."
    Uppercase = "uppercase", Reference, Error;
    " The path is longer than 255 bytes (\"repository name must not be more than 255 characters\")."
    NameTooLong = "name-too-long", Reference, Error;
    " The digest algorithm is not sha256, sha384 or sha512 (\"unsupported digest algorithm\")."
    DigestUnsupported = "digest-unsupported", Reference, Error;
    " The digest has the wrong number of hex digits (\"invalid checksum digest length\")."
    DigestLength = "digest-length", Reference, Error;
    " The digest is not lowercase hex (\"invalid checksum digest format\")."
    DigestFormat = "digest-format", Reference, Error;
    " The normalized view was given a 64-hex-digit identifier (\"cannot specify 64-byte hexadecimal strings\")."
    HexName = "hex-name", Reference, Error;
    " The input is longer than `MAX_IMAGE_BYTES`, refused before parsing."
    ImageTooLong = "image-too-long", Reference, Error;
    " A rule matched, but the rewritten image would not be a valid reference."
    InvalidResult = "invalid-result", Rewrite, Error;
    " The annotation is larger than 256 KiB, the Kubernetes limit for all annotations."
    TooLarge = "too-large", Policy, Error;
    " The annotation is not valid JSON."
    InvalidJson = "invalid-json", Policy, Error;
    " The annotation is JSON but not an array."
    NotAnArray = "not-an-array", Policy, Error;
    " An element of the array is not an object."
    RuleNotObject = "rule-not-object", Policy, Error;
    " A rule lacks `repositoryPrefix` or `replaceWith`."
    MissingField = "missing-field", Policy, Error;
    " A rule has a field that is not a string."
    WrongType = "wrong-type", Policy, Error;
    " A rule gives the same field twice."
    DuplicateField = "duplicate-field", Policy, Error;
    " A rule has a field other than the two (often a typo such as `replacewith`)."
    UnknownField = "unknown-field", Policy, Error;
    " `repositoryPrefix` is not empty and not a valid name prefix."
    InvalidPrefix = "invalid-prefix", Policy, Error;
    " `replaceWith` is not a valid name prefix."
    InvalidReplacement = "invalid-replacement", Policy, Error;
    " `replaceWith` equals `repositoryPrefix`."
    IdentityRule = "identity-rule", Policy, Error;
    " Two rules have the same `repositoryPrefix`."
    DuplicatePrefix = "duplicate-prefix", Policy, Error;
    " The policy has an error (the whole policy; its diagnostics say which)."
    InvalidPolicy = "invalid-policy", Policy, Error;
    " The object's JSON text is larger than `MAX_OBJECT_BYTES` (3 MiB)."
    ObjectTooLarge = "object-too-large", Workload, Error;
    " The object nests deeper than `imgrepl_k8s::MAX_DEPTH` (127) levels, the most a reader takes: left as it is."
    ObjectTooDeep = "object-too-deep", Workload, Error;
    " The object's text is not valid JSON."
    ObjectInvalidJson = "object-invalid-json", Workload, Error;
    " The JSON value given as a Kubernetes object is not an object."
    NotAnObject = "not-an-object", Workload, Error;
    " A key that the rewrite reads is there more than once in the object (which one counts is not clear)."
    ObjectDuplicateKey = "object-duplicate-key", Workload, Error;
    " A part of the object has the wrong JSON type (e.g. `containers` is not an array)."
    ObjectWrongType = "object-wrong-type", Workload, Error;
    " A patch does not fit the object it is applied to: a path does not exist there."
    PatchPathMissing = "patch-path-missing", Workload, Error;
    " An entry of a container list is not a JSON object."
    ContainerNotObject = "container-not-object", Container, Error;
    " A container's `image` is not a string."
    ImageNotString = "image-not-string", Container, Error;
    " A container's `image` or `name` is there more than once."
    ContainerDuplicateKey = "container-duplicate-key", Container, Error;
    " A manifest editor cannot change the image's text in place (e.g. a YAML anchor shared with a value that would not change the same way)."
    ImageNotEditable = "image-not-editable", Container, Error;
    " The `AdmissionReview` body is larger than `MAX_REVIEW_BYTES`."
    ReviewTooLarge = "review-too-large", Admission, Error;
    " The `AdmissionReview` body is not valid JSON."
    ReviewInvalidJson = "review-invalid-json", Admission, Error;
    " The body is not an `AdmissionReview` request."
    NotAReview = "not-a-review", Admission, Error;
    " The `AdmissionReview` request has no string `uid`."
    MissingUid = "missing-uid", Admission, Error;
    " The policy has no rules."
    EmptyPolicy = "empty-policy", Policy, Warning;
    " A prefix on Docker Hub's domain, which images written in the familiar form never carry."
    DockerHubPrefix = "docker-hub-prefix", Policy, Warning;
    " A rule's results are matched by another rule's prefix, but rewriting is never chained."
    ChainedRule = "chained-rule", Policy, Warning;
    " `replaceWith` names no registry (`org`): the runtime reads its results under `docker.io`."
    ImplicitDockerHub = "implicit-docker-hub", Policy, Warning;
    " The policy was read from the workload's own annotations: its pods will not carry it."
    WorkloadAnnotation = "workload-annotation", Workload, Warning;
    " The workload's own annotation differs from its pod template's, and is ignored."
    IgnoredAnnotation = "ignored-annotation", Workload, Warning;
    " A kind of the table has none of its pod specs (a partial object, such as a patch): passed through."
    NoPodSpec = "no-pod-spec", Workload, Warning;
    " A document is not an object (a JSON Patch file, a list of values, a string): passed through."
    DocumentNotObject = "document-not-object", Workload, Warning;
    " The object or its pod template opts out with the label or annotation `imgrepl.io/exclude: \"true\"`: left as it is."
    Excluded = "excluded", Workload, Warning;
    " The bursting label (`bursting.cci.io/burst-to-cci` or `virtual-kubelet.io/burst-to-cci`) has a value other than `auto`, `enforce` or `off`."
    InvalidBurstLabel = "invalid-burst-label", Workload, Warning;
    " Both bursting labels (`bursting.cci.io/burst-to-cci`, CCI 2.0, and `virtual-kubelet.io/burst-to-cci`, CCI 1.0) are set, to different values: the CCI 2.0 label applies."
    BurstLabelConflict = "burst-label-conflict", Workload, Warning;
    " The pod spec's bursting label is not one that `Options::burst` rewrites: left as it is (not bursting)."
    NotBursting = "not-bursting", Workload, Warning;
    " An image moves to another registry and the pod spec has no `imagePullSecrets`: the pull will be anonymous."
    AnonymousPull = "anonymous-pull", Workload, Warning;
    " The pod spec names pull secrets, all of them given, and none covers the image's new registry (a named secret that is not given is not judged)."
    PullSecretUncovered = "pull-secret-uncovered", Workload, Warning;
    " A `kubernetes.io/dockerconfigjson` Secret whose `.dockerconfigjson` cannot be read: it covers nothing."
    InvalidPullSecret = "invalid-pull-secret", Workload, Warning;
    " The request is in the namespace `Options::exclude_namespace` names (the webhook's own): allowed unchanged."
    ExcludedNamespace = "excluded-namespace", Admission, Warning;
    " A rule wins no image of the corpus and matches none either: often a typo in its prefix."
    DeadRule = "dead-rule", Corpus, Warning;
    " A rule wins no image of the corpus: every image it matches, a longer prefix wins."
    ShadowedRule = "shadowed-rule", Corpus, Warning;
    " No rule matches an image of the corpus."
    UncoveredImage = "uncovered-image", Corpus, Warning;
    " The longest-prefix and exact-parent modes pick different rules for an image of the corpus."
    ModesDisagree = "modes-disagree", Corpus, Warning;
    " A second pass (a reinvoked webhook) would rewrite a result again: the rules chain."
    SecondPassChange = "second-pass-change", Corpus, Warning;
}

impl Code {
    /// The code whose [`as_str`](Code::as_str) is `code`.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Code> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}
