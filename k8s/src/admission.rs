//! The `AdmissionReview` helper: the request body of a mutating webhook in, the response body out.
//!
//! ```
//! use imgrepl_k8s::{admission, Options};
//!
//! let request = r#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
//!   "request": {"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "operation": "CREATE",
//!     "object": {"apiVersion": "v1", "kind": "Pod",
//!       "metadata": {"annotations": {"coordinator.cci.io/image-replacement":
//!         "[{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io/hub\"}]"}},
//!       "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}"#;
//! let response = admission::review_json(request, &Options::default())?;
//! let body = &response.body.response;
//! assert_eq!(body.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
//! assert!(body.allowed);
//! assert_eq!(body.patch_type, Some("JSONPatch"));
//! // base64 of [{"op":"replace","path":"/spec/containers/0/image","value":"m.io/hub/nginx"}]
//! assert_eq!(body.patch.as_deref(), Some("W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9zcGVjL2NvbnRhaW5lcnMvMC9pbWFnZSIsInZhbHVlIjoibS5pby9odWIvbmdpbngifV0="));
//! // The body's JSON has one key order, whatever serde_json features are enabled.
//! assert!(response.to_json().starts_with(r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"705ab4f5"#));
//! # Ok::<(), imgrepl_k8s::admission::AdmissionError>(())
//! ```
//!
//! The response always allows the object (a mutating webhook that cannot rewrite should not stop
//! a deployment); what went wrong goes into `response.warnings`, which `kubectl` shows to the
//! user. Only a body that is not an `AdmissionReview` is an error, for the caller to answer with
//! HTTP 400.
//!
//! Only `CREATE` and `UPDATE` of the main resource are rewritten, and for the
//! `pods/ephemeralcontainers` subresource only the ephemeral containers (the API server ignores
//! other changes there); any other operation or subresource is allowed unchanged.
//!
//! A webhook registered with `reinvocationPolicy: IfNeeded` may see an object it already
//! patched: with a policy that has no [`chained-rule`](imgrepl::Code::ChainedRule) warning the
//! second pass changes nothing; with one, it rewrites the rewritten images again.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use base64::Engine as _;

use super::patch::push_json_str;
use super::{ContainerList, MAX_OBJECT_BYTES, Options, Patch, Report, WorkloadError};
use imgrepl::__private::any_byte;
use imgrepl::Code;

/// The largest `AdmissionReview` body accepted, in bytes: room for an object and its old object
/// of [`MAX_OBJECT_BYTES`] each, and 1 MiB for the rest.
pub const MAX_REVIEW_BYTES: usize = 2 * MAX_OBJECT_BYTES + 1024 * 1024;

/// The longest warning put in a response, in bytes: the API server may truncate longer ones.
pub const MAX_WARNING_BYTES: usize = 256;

/// The most warnings put in a response: past it, the last one says how many more there were
/// ("imgrepl: and 5358 more warnings"). With [`MAX_WARNING_BYTES`] each, all of them stay under
/// the 4,096 characters of warnings the API server passes on to the client (it drops warnings
/// past that total).
pub const MAX_WARNINGS: usize = 15;

/// The `apiVersion`s of `AdmissionReview` understood (the response echoes the request's).
const API_VERSIONS: &[&str] = &["admission.k8s.io/v1", "admission.k8s.io/v1beta1"];

/// Why a body is not an `AdmissionReview` request.
///
/// ```
/// use imgrepl_k8s::{admission::{self, AdmissionErrorKind}, Options};
///
/// let err = admission::review_json("{", &Options::default()).unwrap_err();
/// assert_eq!(err.kind(), AdmissionErrorKind::InvalidJson);
/// assert_eq!(err.code(), "review-invalid-json");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AdmissionErrorKind {
    /// The body is larger than [`MAX_REVIEW_BYTES`].
    TooLarge,
    /// The body is not valid JSON.
    InvalidJson,
    /// The body is not an `admission.k8s.io/v1` (or `v1beta1`) `AdmissionReview` with a
    /// `request` object.
    NotAReview,
    /// The request has no string `uid` to echo.
    MissingUid,
}

impl AdmissionErrorKind {
    /// The stable code.
    #[must_use]
    pub const fn code(self) -> Code {
        match self {
            AdmissionErrorKind::TooLarge => Code::ReviewTooLarge,
            AdmissionErrorKind::InvalidJson => Code::ReviewInvalidJson,
            AdmissionErrorKind::NotAReview => Code::NotAReview,
            AdmissionErrorKind::MissingUid => Code::MissingUid,
        }
    }
}

/// A body that cannot be answered with an `AdmissionReview` response.
///
/// ```
/// use imgrepl_k8s::{admission::{self, AdmissionErrorKind}, Options};
///
/// let err = admission::review_json(r#"{"kind": "Pod"}"#, &Options::default()).unwrap_err();
/// assert_eq!(err.kind(), AdmissionErrorKind::NotAReview);
/// assert_eq!(err.to_string(), "not an AdmissionReview: kind must be \"AdmissionReview\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionError {
    kind: AdmissionErrorKind,
    message: String,
}

impl AdmissionError {
    fn not_a_review(why: &str) -> Self {
        AdmissionError {
            kind: AdmissionErrorKind::NotAReview,
            message: format!("not an AdmissionReview: {why}"),
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> AdmissionErrorKind {
        self.kind
    }

    /// The stable code of the kind.
    #[must_use]
    pub fn code(&self) -> Code {
        self.kind.code()
    }

    /// What is wrong, in plain words (the same as `Display`).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

// `{"code", "message"}`.
imgrepl::coded_error!(AdmissionError = message {});

/// The `AdmissionReview` response body: `{"apiVersion", "kind", "response"}`, serialized with
/// this key order whatever `serde_json` features are enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReviewBody {
    /// The request's `apiVersion`, echoed.
    pub api_version: &'static str,
    /// `"AdmissionReview"`.
    pub kind: &'static str,
    /// The response.
    pub response: ReviewResponse,
}

/// The `response` of an `AdmissionReview`: `{"uid", "allowed", "patchType"?, "patch"?,
/// "warnings"?}` (absent fields are left out, as Kubernetes expects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReviewResponse {
    /// The request's `uid`, echoed.
    pub uid: String,
    /// Always `true`: a webhook that cannot rewrite does not stop a deployment.
    pub allowed: bool,
    /// `"JSONPatch"` when there is a patch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_type: Option<&'static str>,
    /// The base64 of the JSON Patch, when an image changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    /// What went wrong or looks wrong, one bounded line each (`kubectl` shows them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The answer to one `AdmissionReview`: the response body, and what happened to the object.
///
/// Serialized as `{"body", "report": Report | null, "error": WorkloadError | null}`.
///
/// ```
/// use imgrepl_k8s::{admission, Options};
///
/// let review = serde_json::json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
///   "request": {"uid": "u", "operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod",
///     "metadata": {"annotations": {"coordinator.cci.io/image-replacement": "not json"}},
///     "spec": {"containers": [{"image": "nginx"}]}}}});
/// let response = admission::review(&review, &Options::default())?;
/// assert!(response.has_errors());
/// assert_eq!(response.error.as_ref().map(|e| e.code()), Some(imgrepl::Code::InvalidPolicy));
/// assert!(response.body.response.allowed);
/// assert_eq!(response.warnings().len(), 1);
/// # Ok::<(), admission::AdmissionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Response {
    /// The `AdmissionReview` response body to send back.
    pub body: ReviewBody,
    /// The report of the object, when it was rewritten (the patch in `body` is its patch).
    pub report: Option<Report>,
    /// The error of the object, when it could not be rewritten (it is also among the warnings).
    pub error: Option<WorkloadError>,
    /// Why the whole object was left alone on purpose, when it was: [`Code::Excluded`] (it opts
    /// out with `imgrepl.io/exclude: "true"`) or [`Code::ExcludedNamespace`] (the request is in
    /// the namespace of [`Options::exclude_namespace`]).
    pub excluded: Option<Code>,
    /// Whether it was answered in audit mode ([`Options::audit`]): then the body carries no
    /// patch, and `report` says what would have been rewritten.
    pub audit: bool,
}

impl Response {
    /// The body as compact JSON, in a fixed key order.
    ///
    /// Byte for byte what `serde_json` writes of [`ReviewBody`], written directly: every review
    /// is answered with it, and most of its strings (the base64 patch above all) need no
    /// escaping, which `serde_json` would check byte by byte.
    #[must_use]
    pub fn to_json(&self) -> String {
        let body = &self.body;
        let response = &body.response;
        // Room for the body as it usually is (strings without escapes): seldom grown.
        let strings = response.uid.len()
            + response.patch.as_ref().map_or(0, String::len)
            + response.warnings.iter().map(|w| w.len() + 3).sum::<usize>();
        let mut json = String::with_capacity(160 + strings);
        json.push_str("{\"apiVersion\":");
        push_json_str(&mut json, body.api_version);
        json.push_str(",\"kind\":");
        push_json_str(&mut json, body.kind);
        json.push_str(",\"response\":{\"uid\":");
        push_json_str(&mut json, &response.uid);
        json.push_str(if response.allowed {
            ",\"allowed\":true"
        } else {
            ",\"allowed\":false"
        });
        if let Some(patch_type) = response.patch_type {
            json.push_str(",\"patchType\":");
            push_json_str(&mut json, patch_type);
        }
        if let Some(patch) = &response.patch {
            json.push_str(",\"patch\":");
            push_json_str(&mut json, patch);
        }
        if !response.warnings.is_empty() {
            json.push_str(",\"warnings\":[");
            for (i, warning) in response.warnings.iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                push_json_str(&mut json, warning);
            }
            json.push(']');
        }
        json.push_str("}}");
        json
    }

    /// The warnings of the response, as sent.
    #[must_use]
    pub fn warnings(&self) -> &[String] {
        &self.body.response.warnings
    }

    /// Whether something was wrong with the object: an error of the whole object or of a
    /// container.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.error.is_some()
            || self
                .report
                .as_ref()
                .is_some_and(|r| r.errors().next().is_some())
    }
}

/// Answers the JSON text of an `AdmissionReview` request; see [`review`].
///
/// Only what the answer needs is read into memory: the envelope's few fields, and the object,
/// as a lean tree whose strings are borrowed from `body` (about a third of the memory of a
/// `serde_json::Value`; its keys are read in the text's order, where a `Value` may sort them).
/// `request.oldObject` and every other field are skipped without being stored, by a reader
/// that does not recurse, so their size and depth cost no memory (see `BENCHMARKS.md`, "Memory
/// of one `AdmissionReview`"). A body of at most 512 KiB is read in one pass, its object into
/// the tree on the way; a larger one (or one that this pass cannot read) in two, the object's
/// text skipped, then read.
///
/// # Errors
///
/// An [`AdmissionError`] when the body is larger than [`MAX_REVIEW_BYTES`], is not JSON, or is
/// not an `AdmissionReview` request with a uid. Whatever is wrong with the object itself (too
/// large, too deep, not readable as an object) is answered: allowed, with a warning.
///
/// ```
/// use imgrepl_k8s::{admission, Options};
///
/// // 200 levels deep: more than an object may nest, answered with a warning.
/// let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
/// let body = format!(r#"{{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
///   "request": {{"uid": "u", "operation": "CREATE", "object": {{"kind": "Pod", "x": {deep}}}}}}}"#);
/// let response = admission::review_json(&body, &Options::default())?;
/// assert!(response.body.response.allowed && response.body.response.patch.is_none());
/// assert_eq!(response.error.as_ref().map(|e| e.code()), Some(imgrepl::Code::ObjectTooDeep));
/// assert!(response.warnings()[0].starts_with("imgrepl: left as it is: the object nests deeper than 127 levels"));
/// # Ok::<(), admission::AdmissionError>(())
/// ```
pub fn review_json(body: &str, options: &Options<'_>) -> Result<Response, AdmissionError> {
    if body.len() > MAX_REVIEW_BYTES {
        return Err(AdmissionError {
            kind: AdmissionErrorKind::TooLarge,
            // One message for every size: a reader may stop at the first byte past the limit.
            message: format!(
                "the AdmissionReview is larger than {MAX_REVIEW_BYTES} bytes, the most accepted"
            ),
        });
    }
    // A byte order mark before the JSON is skipped.
    let json = body.strip_prefix('\u{feff}').unwrap_or(body);
    // A body short enough that its object needs no size count (see `too_large`) is read in one
    // pass, its object into its tree on the way. When that fails (not JSON, or an object too
    // deep to read inside the envelope), the body is read again as before, its object as text:
    // that reading tells what is wrong, and whether it is the body's or the object's.
    let one_pass = json.len().saturating_mul(MAX_EXPANSION) <= MAX_OBJECT_BYTES;
    let fields = match one_pass.then(|| envelope::read(json, envelope::ReadObject::Tree)) {
        Some(Ok(fields)) => fields,
        Some(Err(_)) | None => {
            envelope::read(json, envelope::ReadObject::Raw).map_err(|e| AdmissionError {
                kind: AdmissionErrorKind::InvalidJson,
                message: format!(
                    "the AdmissionReview is not valid JSON: {}",
                    imgrepl::__private::json_error_message(body, json, &e)
                ),
            })?
        }
    };
    answer(fields, options)
}

/// Answers an `AdmissionReview` request: `response.uid` echoed, `allowed: true`, and, when the
/// object's images change, `patchType: "JSONPatch"` with the base64 patch; warnings in
/// `response.warnings`.
///
/// # Errors
///
/// An [`AdmissionError`] when `review` is not an `AdmissionReview` with a `request` that has a
/// `uid`.
///
/// ```
/// use imgrepl_k8s::{admission, Options};
///
/// let review = serde_json::json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
///   "request": {"uid": "u1", "operation": "CREATE", "object": {"apiVersion": "v1", "kind": "ConfigMap"}}});
/// let response = admission::review(&review, &Options::default())?;
/// assert_eq!(response.to_json(), r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true}}"#);
/// # Ok::<(), admission::AdmissionError>(())
/// ```
pub fn review(review: &Value, options: &Options<'_>) -> Result<Response, AdmissionError> {
    let root = review.as_object();
    let request = root
        .and_then(|r| r.get("request"))
        .and_then(Value::as_object);
    let field = |key: &str| {
        request
            .and_then(|r| r.get(key))
            .and_then(Value::as_str)
            .map(Cow::Borrowed)
    };
    let fields = envelope::Fields {
        is_object: root.is_some(),
        kind: root
            .and_then(|r| r.get("kind"))
            .and_then(Value::as_str)
            .map(Cow::Borrowed),
        api_version: root
            .and_then(|r| r.get("apiVersion"))
            .and_then(Value::as_str)
            .map(Cow::Borrowed),
        request: request.map(|r| envelope::Request {
            uid: field("uid"),
            operation: field("operation"),
            sub_resource: field("subResource"),
            namespace: field("namespace"),
            object: r
                .get("object")
                .filter(|o| !o.is_null())
                .map(envelope::Object::Value),
        }),
    };
    answer(fields, options)
}

/// The answer to a request read into `fields`.
fn answer(fields: envelope::Fields<'_>, options: &Options<'_>) -> Result<Response, AdmissionError> {
    if !fields.is_object {
        return Err(AdmissionError::not_a_review(
            "the body must be a JSON object",
        ));
    }
    if fields.kind.as_deref() != Some("AdmissionReview") {
        return Err(AdmissionError::not_a_review(
            "kind must be \"AdmissionReview\"",
        ));
    }
    let Some(api_version) = fields
        .api_version
        .as_deref()
        .and_then(|v| API_VERSIONS.iter().copied().find(|known| *known == v))
    else {
        return Err(AdmissionError::not_a_review(
            "apiVersion must be \"admission.k8s.io/v1\" or \"admission.k8s.io/v1beta1\"",
        ));
    };
    let Some(request) = fields.request else {
        return Err(AdmissionError::not_a_review("it has no request object"));
    };
    let Some(uid) = request.uid else {
        return Err(AdmissionError {
            kind: AdmissionErrorKind::MissingUid,
            message: "the AdmissionReview request has no string uid".to_owned(),
        });
    };

    let mut response = ReviewResponse {
        uid: uid.into_owned(),
        allowed: true,
        patch_type: None,
        patch: None,
        warnings: Vec::new(),
    };
    let mut report = None;
    let mut failure = None;
    let mut excluded = None;

    let sub_resource = request.sub_resource.as_deref().unwrap_or_default();
    let ephemeral_only = sub_resource == "ephemeralcontainers";
    let in_excluded_namespace = options
        .exclude_namespace
        .is_some_and(|ns| request.namespace.as_deref() == Some(ns));
    if in_excluded_namespace {
        excluded = Some(Code::ExcludedNamespace);
    } else if let (Some("CREATE" | "UPDATE"), "" | "ephemeralcontainers", Some(object)) =
        (request.operation.as_deref(), sub_resource, request.object)
    {
        match object.rewrite(options) {
            Ok(mut rewritten) => {
                if ephemeral_only {
                    keep_only_ephemeral(&mut rewritten);
                }
                if rewritten.is_excluded() {
                    excluded = Some(Code::Excluded);
                }
                if !options.audit && !rewritten.patch.is_empty() {
                    response.patch_type = Some("JSONPatch");
                    let mut json = String::new();
                    rewritten.patch.write_json(&mut json);
                    response.patch = Some(base64::engine::general_purpose::STANDARD.encode(json));
                }
                let audit_lines = (rewritten.containers.iter())
                    .filter(|_| options.audit)
                    .filter_map(audit_line);
                let warnings = audit_lines.map(Cow::Owned).chain(rewritten.message_parts());
                response.warnings = capped(warnings);
                report = Some(rewritten);
            }
            Err(error) => {
                let at = error.pointer();
                let diagnostics = error.diagnostics().iter().skip(1);
                let warnings = std::iter::once(format!("left as it is: {error}"))
                    .chain(diagnostics.map(|d| format!("policy in {at}: {d}")));
                response.warnings = capped(warnings);
                failure = Some(error);
            }
        }
    }
    Ok(Response {
        body: ReviewBody {
            api_version,
            kind: "AdmissionReview",
            response,
        },
        report,
        error: failure,
        excluded,
        audit: options.audit,
    })
}

/// The warning of audit mode for a row that would be rewritten.
fn audit_line(row: &super::ContainerReport) -> Option<String> {
    if !row.changed() {
        return None;
    }
    let rule = row.rule.as_ref()?;
    let name = row
        .name
        .as_deref()
        .map(|n| format!(" {n:?}"))
        .unwrap_or_default();
    Some(format!(
        "audit: would rewrite {}[{}]{name} from {:?} to {:?} (rule {}, prefix {:?})",
        row.list,
        row.index,
        row.before.as_deref().unwrap_or_default(),
        row.after.as_deref().unwrap_or_default(),
        rule.index,
        rule.repository_prefix
    ))
}

/// The parts of an `AdmissionReview` an answer reads, read from its text without storing the
/// rest: a `serde` visitor per level that keeps the few fields it needs and skips every other
/// value with [`IgnoredAny`](serde::de::IgnoredAny) (which `serde_json` skips in a loop, without
/// recursion or allocation), and the object as a [`RawValue`](serde_json::value::RawValue),
/// its text borrowed from the body, or read into its tree on the way ([`ReadObject`]).
///
/// Duplicate keys are read as `serde_json::Value` reads them: the last one counts.
mod envelope {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{
        self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
    };
    use serde_json::Value;
    use serde_json::value::RawValue;

    use super::super::tree::{Json, Scratch};
    use super::super::{Options, Report, WorkloadError};

    /// The fields the answer reads, wherever they were read from; strings are borrowed when
    /// they have no escapes.
    pub(super) struct Fields<'a> {
        /// Whether the body is a JSON object.
        pub(super) is_object: bool,
        /// `kind`, when it is a string.
        pub(super) kind: Option<Cow<'a, str>>,
        /// `apiVersion`, when it is a string.
        pub(super) api_version: Option<Cow<'a, str>>,
        /// `request`, when it is an object.
        pub(super) request: Option<Request<'a>>,
    }

    /// The fields of `request` the answer reads (each when it is a string).
    pub(super) struct Request<'a> {
        pub(super) uid: Option<Cow<'a, str>>,
        pub(super) operation: Option<Cow<'a, str>>,
        pub(super) sub_resource: Option<Cow<'a, str>>,
        pub(super) namespace: Option<Cow<'a, str>>,
        /// `object`, unless missing or `null`.
        pub(super) object: Option<Object<'a>>,
    }

    /// `request.object`: a value already read, the text of one, or its tree read with the body.
    pub(super) enum Object<'a> {
        Value(&'a Value),
        Raw(&'a RawValue),
        /// Read from a text of at most `bound` bytes.
        Tree {
            tree: Json<'a>,
            bound: usize,
        },
    }

    impl Object<'_> {
        /// The object's report, or why it cannot be rewritten (its size and depth limits too).
        pub(super) fn rewrite(self, options: &Options<'_>) -> Result<Report, WorkloadError> {
            match self {
                Object::Value(value) => {
                    if let Some(size) = super::too_large(value, None) {
                        return Err(WorkloadError::too_large(size));
                    }
                    super::super::rewrite(value, options)
                }
                Object::Raw(raw) => {
                    let text = raw.get();
                    let tree =
                        Json::parse(text).map_err(|e| WorkloadError::unreadable(&e, text))?;
                    if let Some(size) = super::too_large(&tree, Some(text.len())) {
                        return Err(WorkloadError::too_large(size));
                    }
                    super::super::rewrite_node(&tree, options)
                }
                Object::Tree { tree, bound } => {
                    if let Some(size) = super::too_large(&tree, Some(bound)) {
                        return Err(WorkloadError::too_large(size));
                    }
                    super::super::rewrite_node(&tree, options)
                }
            }
        }
    }

    /// How `request.object` is read.
    #[derive(Clone, Copy)]
    pub(super) enum ReadObject {
        /// As its text ([`Object::Raw`]), to be read into a tree when it is rewritten: its own
        /// errors (too deep, …) are then answered as the object's, not the body's.
        Raw,
        /// Into its tree ([`Object::Tree`]) on the way: one pass over the body instead of
        /// two. Any error is the body's, so a caller that gets one reads again with `Raw`.
        Tree,
    }

    /// Reads the fields of `json` (the same grammar and errors as `serde_json::from_str`).
    pub(super) fn read(json: &str, object: ReadObject) -> Result<Fields<'_>, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(json);
        let fields = RootSeed {
            object,
            bound: json.len(),
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok(fields)
    }

    /// Skips the rest of a sequence.
    fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    /// Skips the rest of a map.
    fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    /// Implements the visits of a value that is not the expected one: skipped, `$none`.
    macro_rules! other_values {
        ($none:expr) => {
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok($none)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok($none)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok($none)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok($none)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok($none)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok($none)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                skip_seq(seq)?;
                Ok($none)
            }
        };
    }

    /// A value kept when it is a string (borrowed when it has no escapes), skipped otherwise.
    struct MaybeString;

    impl<'de> DeserializeSeed<'de> for MaybeString {
        type Value = Option<Cow<'de, str>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for MaybeString {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            skip_map(map)?;
            Ok(None)
        }
        other_values!(None);
    }

    /// A key, as one of the names a level reads (without allocating) or another.
    struct Key<const N: usize>([&'static str; N]);

    /// Reads a key among `names`.
    struct KeySeed<const N: usize>([&'static str; N]);

    impl<'de, const N: usize> DeserializeSeed<'de> for KeySeed<N> {
        type Value = Option<usize>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(Key(self.0))
        }
    }

    impl<const N: usize> Visitor<'_> for Key<N> {
        type Value = Option<usize>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a key")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(self.0.iter().position(|name| *name == v))
        }
    }

    /// The body: its fields when it is an object, `is_object: false` (skipped) otherwise;
    /// `request.object` read as `object` says, from a body of `bound` bytes.
    #[derive(Clone, Copy)]
    struct RootSeed {
        object: ReadObject,
        bound: usize,
    }

    /// `request`: its fields when it is an object, `None` (skipped) otherwise.
    struct RequestSeed(RootSeed);

    impl<'de> DeserializeSeed<'de> for RequestSeed {
        type Value = Option<Request<'de>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for RequestSeed {
        type Value = Option<Request<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            const NAMES: [&str; 5] = ["uid", "operation", "subResource", "namespace", "object"];
            let mut r = Request {
                uid: None,
                operation: None,
                sub_resource: None,
                namespace: None,
                object: None,
            };
            while let Some(key) = map.next_key_seed(KeySeed(NAMES))? {
                match key {
                    Some(0) => r.uid = map.next_value_seed(MaybeString)?,
                    Some(1) => r.operation = map.next_value_seed(MaybeString)?,
                    Some(2) => r.sub_resource = map.next_value_seed(MaybeString)?,
                    Some(3) => r.namespace = map.next_value_seed(MaybeString)?,
                    Some(_) => {
                        r.object = match self.0.object {
                            ReadObject::Raw => {
                                let raw: &'de RawValue = map.next_value()?;
                                (raw.get() != "null").then_some(Object::Raw(raw))
                            }
                            ReadObject::Tree => {
                                let mut scratch = Scratch::default();
                                let tree = map.next_value_seed(scratch.seed())?;
                                (!matches!(tree, Json::Null)).then_some(Object::Tree {
                                    tree,
                                    bound: self.0.bound,
                                })
                            }
                        };
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(Some(r))
        }
        other_values!(None);
    }

    impl<'de> DeserializeSeed<'de> for RootSeed {
        type Value = Fields<'de>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for RootSeed {
        type Value = Fields<'de>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(not_an_object())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            const NAMES: [&str; 3] = ["kind", "apiVersion", "request"];
            let mut fields = Fields {
                is_object: true,
                kind: None,
                api_version: None,
                request: None,
            };
            while let Some(key) = map.next_key_seed(KeySeed(NAMES))? {
                match key {
                    Some(0) => fields.kind = map.next_value_seed(MaybeString)?,
                    Some(1) => fields.api_version = map.next_value_seed(MaybeString)?,
                    Some(_) => fields.request = map.next_value_seed(RequestSeed(self))?,
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(fields)
        }
        other_values!(not_an_object());
    }

    fn not_an_object<'a>() -> Fields<'a> {
        Fields {
            is_object: false,
            kind: None,
            api_version: None,
            request: None,
        }
    }
}

/// Keeps the rows and patch operations of `ephemeralContainers` only.
fn keep_only_ephemeral(report: &mut Report) {
    report
        .containers
        .retain(|row| row.list == ContainerList::EphemeralContainers);
    report.patch = Patch::from(
        report
            .containers
            .iter()
            .filter(|row| row.changed())
            .filter_map(|row| {
                row.after
                    .as_ref()
                    .map(|after| super::PatchOp::replace(row.pointer.clone(), after.clone()))
            })
            .collect::<Vec<_>>(),
    );
}

/// How many times longer than its text a JSON value can become when `serde_json` writes it back
/// compactly: strings never grow (an escape it writes is one the text had to hold, at least as
/// long; `\uXXXX` and `\/` shrink), whitespace goes, integers stay, and a float grows at most
/// from 3 or 4 bytes to 18 (`9e15` is written `9000000000000000.0`) — 4.5 times, plus its
/// separator. 6 leaves room.
const MAX_EXPANSION: usize = 6;

/// The object's length as compact JSON when it is larger than [`MAX_OBJECT_BYTES`]; `None` when
/// it is not. When it was read from a text of `text_len` bytes so short that even
/// [`MAX_EXPANSION`] cannot take it past the limit (every real review), it is not counted: the
/// count is a whole serialization, an eighth of the review's time.
fn too_large(object: &impl Serialize, text_len: Option<usize>) -> Option<usize> {
    if text_len.is_some_and(|n| n.saturating_mul(MAX_EXPANSION) <= MAX_OBJECT_BYTES) {
        return None;
    }
    Some(json_len(object)).filter(|&size| size > MAX_OBJECT_BYTES)
}

/// The length of `value` as compact JSON, counted without writing it anywhere.
fn json_len(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a `Value` to a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// At most [`MAX_WARNINGS`] warnings, each made by [`warning_text`]; past that many, the last
/// one says how many more there were.
fn capped<S: AsRef<str>>(warnings: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut out = Vec::new();
    let mut count = 0;
    for warning in warnings {
        count += 1;
        if out.len() < MAX_WARNINGS {
            out.push(warning_text(warning.as_ref()));
        }
    }
    if count > MAX_WARNINGS {
        let kept = MAX_WARNINGS - 1;
        out.truncate(kept);
        out.push(warning_text(&format!("and {} more warnings", count - kept)));
    }
    out
}

/// One warning as Kubernetes accepts it: prefixed `imgrepl: `, control characters replaced by
/// spaces, at most [`MAX_WARNING_BYTES`] bytes (cut with `...`).
fn warning_text(message: &str) -> String {
    const PREFIX: &str = "imgrepl: ";
    // A space for a control character is never longer: the capacity is exact before the cut.
    let mut text = String::with_capacity(PREFIX.len() + message.len());
    text.push_str(PREFIX);
    // The control characters are U+0000 to U+001F, U+007F, and U+0080 to U+009F (whose UTF-8
    // starts with 0xC2): a message without those bytes has none, and is copied whole.
    if any_byte(message, |b| b < 0x20 || b == 0x7f || b == 0xc2) {
        let mut runs = message.split(char::is_control);
        if let Some(first) = runs.next() {
            text.push_str(first);
        }
        for run in runs {
            text.push(' ');
            text.push_str(run);
        }
    } else {
        text.push_str(message);
    }
    if text.len() > MAX_WARNING_BYTES {
        let cut = text.floor_char_boundary(MAX_WARNING_BYTES - 3);
        text.truncate(cut);
        text.push_str("...");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_capped_with_a_count() {
        let few: Vec<String> = (0..MAX_WARNINGS).map(|i| i.to_string()).collect();
        assert_eq!(capped(&few).len(), MAX_WARNINGS);
        let many: Vec<String> = (0..100).map(|i| "x".repeat(i * 10)).collect();
        let out = capped(&many);
        assert_eq!(out.len(), MAX_WARNINGS);
        assert_eq!(out[MAX_WARNINGS - 1], "imgrepl: and 86 more warnings");
        assert!(out.iter().map(String::len).sum::<usize>() <= 4096);
    }

    #[test]
    fn compact_json_grows_at_most_max_expansion_times() {
        // The texts that grow the most when written back: short floats with large exponents,
        // integers past u64 (read as floats), and escapes.
        for text in [
            "9e15",
            "[9e15,9e15,1e15,1e2]",
            "{\"a\":9e15}",
            "-9e15",
            "1e-7",
            "123456789012345678901234567890",
            "[1.5e300,-0.0,0,-0]",
            r#""\u0041\/\n\u001f\ud83d\ude00""#,
            "[ 1 , 2 ]",
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            let grown = json_len(&value);
            assert!(grown <= MAX_EXPANSION * text.len(), "{text}: {grown} bytes");
        }
        let worst: Value = serde_json::from_str("9e15").unwrap();
        assert_eq!(serde_json::to_string(&worst).unwrap(), "9000000000000000.0");
    }

    #[test]
    fn one_pass_and_two_passes_answer_the_same() {
        let object = |depth: usize| {
            format!(
                r#"{{"apiVersion": "v1", "kind": "Pod", "x": {}{},
                "metadata": {{"annotations": {{"coordinator.cci.io/image-replacement":
                  "[{{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io/hub\"}}]"}}}},
                "spec": {{"containers": [{{"name": "web\n", "image": "nginx"}}]}}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )
        };
        let body = |object: &str, padding: usize| {
            format!(
                r#"{{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                "request": {{"uid": "u", "operation": "CREATE", "pad": "{}", "object": {object}}}}}"#,
                "p".repeat(padding)
            )
        };
        // Past 512 KiB the body is read in two passes; nested this deep, the object cannot be
        // read inside the envelope, and is read again on its own (it is not too deep itself).
        let two_passes = MAX_OBJECT_BYTES / MAX_EXPANSION;
        for depth in [1, crate::MAX_DEPTH - 3, crate::MAX_DEPTH - 1] {
            let object = object(depth);
            let one = review_json(&body(&object, 0), &Options::default()).unwrap();
            let two = review_json(&body(&object, two_passes), &Options::default()).unwrap();
            assert!(
                one.error.is_none() && one.body.response.patch.is_some(),
                "{depth}"
            );
            assert_eq!(one.to_json(), two.to_json(), "{depth}");
            assert_eq!(one.report, two.report, "{depth}");
        }
        let deep = object(crate::MAX_DEPTH);
        let one = review_json(&body(&deep, 0), &Options::default()).unwrap();
        let two = review_json(&body(&deep, two_passes), &Options::default()).unwrap();
        assert_eq!(
            one.error.as_ref().map(WorkloadError::code),
            Some(Code::ObjectTooDeep)
        );
        assert_eq!(one.error, two.error);
    }

    #[test]
    fn short_texts_are_not_counted() {
        let object = serde_json::json!({"kind": "Pod"});
        assert_eq!(
            too_large(&object, Some(MAX_OBJECT_BYTES / MAX_EXPANSION)),
            None
        );
        assert_eq!(too_large(&object, Some(MAX_OBJECT_BYTES)), None);
        assert_eq!(too_large(&object, None), None);
        let big = Value::String("x".repeat(MAX_OBJECT_BYTES));
        assert_eq!(too_large(&big, None), Some(MAX_OBJECT_BYTES + 2));
        assert_eq!(
            too_large(&big, Some(MAX_OBJECT_BYTES + 2)),
            Some(MAX_OBJECT_BYTES + 2)
        );
    }

    #[test]
    fn to_json_writes_what_serde_json_writes() {
        let mut response = ReviewResponse {
            uid: "u".to_owned(),
            allowed: true,
            patch_type: None,
            patch: None,
            warnings: Vec::new(),
        };
        let check = |response: &ReviewResponse| {
            for api_version in API_VERSIONS {
                let answer = Response {
                    body: ReviewBody {
                        api_version,
                        kind: "AdmissionReview",
                        response: response.clone(),
                    },
                    report: None,
                    error: None,
                    excluded: None,
                    audit: false,
                };
                let want = serde_json::to_string(&answer.body).unwrap();
                assert_eq!(answer.to_json(), want);
            }
        };
        check(&response);
        response.uid = "\"é\\\u{0}\u{1f}\u{7f}\u{85}\u{2028}</".to_owned();
        response.allowed = false;
        check(&response);
        response.patch_type = Some("JSONPatch");
        response.patch = Some("W3sib3AiOi+/=".to_owned());
        check(&response);
        response.warnings = vec!["imgrepl: a \"b\"".to_owned(), "\u{1f600}\n".to_owned()];
        check(&response);
        response.patch_type = None;
        response.patch = None;
        check(&response);
    }

    #[test]
    fn warnings_are_one_bounded_line() {
        assert_eq!(warning_text("a\nb"), "imgrepl: a b");
        let long = warning_text(&"é".repeat(300));
        assert!(long.len() <= MAX_WARNING_BYTES && long.ends_with("..."));
    }
}
