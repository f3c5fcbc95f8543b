//! The imgrepl package for JavaScript: a thin wasm-bindgen layer over the `imgrepl` core.
//!
//! Every rule (the reference grammar, policy validation, matching, workload rewriting) lives
//! in core; this crate only gives it a JavaScript shape:
//!
//! | JavaScript | core |
//! |---|---|
//! | `validatePolicy(text)` | [`imgrepl::Policy::validate`] |
//! | `Policy.parse(text, { mode })` | [`imgrepl::Policy::from_json`], [`imgrepl::Policy::with_mode`] |
//! | `policy.rewrite(image)` | [`imgrepl::Policy::rewrite`] |
//! | `policy.rewriteAll(images)` | [`imgrepl::Policy::rewrite_batch`] |
//! | `policy.explain(image)` | [`imgrepl::Policy::explain`] |
//! | `parseReference(text)` | [`imgrepl::Reference::parse`], `parse_normalized`, `parse_docker_ref` |
//! | `rewriteWorkload(text, options)` | `imgrepl_manifest::edit` (YAML and JSON, in place) |
//! | `reviewAdmission(text, options)` | [`imgrepl_k8s::admission::review_json`] |
//! | `coverage(policy, images)` | [`imgrepl::Policy::coverage`] |
//! | `diff(oldPolicy, newPolicy, images)` | [`imgrepl::diff::diff`] |
//! | `secondPass(policy, images)` | [`imgrepl::Policy::second_pass`] |
//! | `manifestImages(text)` | `imgrepl_manifest::edit` (the container images and their workloads) |
//! | `exportPolicy(policy, to, options)` | `imgrepl_export` (admission policy, CEL, registries.conf, hosts.toml) |
//!
//! `rewriteWorkload` and `reviewAdmission` handle whole Kubernetes objects and are built only
//! with the `workload` feature; the last four, the operators' toolkit, only with the `toolkit`
//! feature (both on by default), and so is `exportPolicy`. The web package's core module leaves them out to stay within
//! its size budget, and the previewer loads the module that has them after its first results.
//!
//! Values cross as plain objects (serde-wasm-bindgen, JSON-compatible), positions count UTF-16
//! code units as JavaScript strings do, and errors are thrown as `Error` objects with a `code`
//! property. The TypeScript interfaces are in [`types`]; the checked-in `imgrepl.d.ts` is what
//! wasm-bindgen emits from them, with `Policy`'s `[Symbol.dispose]` declared only where the
//! TypeScript library has `Symbol.dispose` (`cargo xtask wasm` does that, so that the types
//! compile with `tsc`'s default settings).
//!
//! The functions are plain Rust functions too, so the crate builds and is linted on the host;
//! its tests run on `wasm32-unknown-unknown` (`cargo xtask test wasm`).

#![allow(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen exports take owned arguments (Option<T>, Vec<String>): JS values cross by value"
)]

#[cfg(feature = "toolkit")]
mod export;
mod js;
#[cfg(feature = "workload")]
mod manifest;
mod reference;
#[cfg(feature = "workload")]
mod report;
#[cfg(feature = "toolkit")]
mod toolkit;
pub mod types;

#[cfg(feature = "toolkit")]
pub use export::export_policy;
#[cfg(all(feature = "toolkit", feature = "workload"))]
pub use toolkit::manifest_images;
#[cfg(feature = "toolkit")]
pub use toolkit::{coverage, diff, second_pass};

use std::str::FromStr;

use imgrepl::MatchMode;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use js::{JsDiagnostic, JsImageError, error, invalid_argument, rule_index, set, throw, to_js};

/// The package version (the workspace version).
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[derive(Serialize)]
struct ValidationJs {
    ok: bool,
    rules: usize,
    diagnostics: Vec<JsDiagnostic>,
}

/// Validates an annotation value and returns every diagnostic, errors and warnings, with spans
/// in UTF-16 code units of `text`.
///
/// # Errors
///
/// Never, in practice: an `Error` with code `internal` if a value cannot be converted.
#[wasm_bindgen(js_name = validatePolicy, unchecked_return_type = "Validation")]
pub fn validate_policy(text: &str) -> Result<JsValue, JsValue> {
    let v = imgrepl::Policy::validate(text);
    to_js(&ValidationJs {
        ok: v.is_ok(),
        rules: v.policy.as_ref().map_or(0, |p| p.rules().len()),
        diagnostics: JsDiagnostic::all(text, &v.diagnostics),
    })
}

/// A property of an options object: absent, `undefined` and `null` are `None`.
fn option_value(options: Option<&JsValue>, key: &str) -> Result<Option<JsValue>, JsValue> {
    let Some(options) = options else {
        return Ok(None);
    };
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() {
        return Err(invalid_argument("options must be an object"));
    }
    let value = js_sys::Reflect::get(options, &JsValue::from_str(key))
        .map_err(|_| invalid_argument(&format!("options.{key} cannot be read")))?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    Ok(Some(value))
}

/// A string property of an options object: absent, `undefined` and `null` are `None`.
fn option_str(options: Option<&JsValue>, key: &str) -> Result<Option<String>, JsValue> {
    option_value(options, key)?
        .map(|value| {
            value
                .as_string()
                .ok_or_else(|| invalid_argument(&format!("options.{key} must be a string")))
        })
        .transpose()
}

/// The `mode` option, read by core's [`MatchMode::from_str`].
fn option_mode(options: Option<&JsValue>) -> Result<Option<MatchMode>, JsValue> {
    option_str(options, "mode")?
        .map(|m| MatchMode::from_str(&m).map_err(|e| invalid_argument(&e.to_string())))
        .transpose()
}

/// A compiled image replacement policy.
///
/// Build it once with `Policy.parse` and use it for many images; call `free()` when done (a
/// `FinalizationRegistry` frees forgotten ones, eventually).
#[wasm_bindgen]
#[derive(Debug)]
pub struct Policy {
    inner: imgrepl::Policy,
    /// The warnings, with spans in UTF-16 code units of the text the policy was read from.
    warnings: Vec<JsDiagnostic>,
    /// The text it was read from: the toolkit's rule positions are given in its UTF-16 units.
    #[cfg(feature = "toolkit")]
    text: String,
}

#[derive(Serialize)]
struct RewrittenJs<'a> {
    image: &'a str,
    changed: bool,
    rule: Option<usize>,
}

#[derive(Serialize)]
struct BatchRowJs<'a> {
    image: &'a str,
    rule: Option<usize>,
    error: Option<JsImageError>,
}

#[wasm_bindgen]
impl Policy {
    /// Reads and validates an annotation value.
    ///
    /// # Errors
    ///
    /// An `Error` with code `invalid-policy` and a `diagnostics` array when the policy has an
    /// error; code `invalid-argument` for an unknown `mode`.
    #[wasm_bindgen(js_name = parse)]
    pub fn parse(text: &str, options: Option<types::PolicyOptions>) -> Result<Policy, JsValue> {
        let mode = option_mode(options.as_deref())?.unwrap_or_default();
        match imgrepl::Policy::from_json(text) {
            Ok(policy) => Ok(Policy {
                warnings: JsDiagnostic::all(text, policy.warnings()),
                inner: policy.with_mode(mode),
                #[cfg(feature = "toolkit")]
                text: text.to_owned(),
            }),
            Err(e) => {
                let thrown = error("invalid-policy", &e.to_string());
                set(
                    &thrown,
                    "diagnostics",
                    &to_js(&JsDiagnostic::all(text, e.diagnostics()))?,
                );
                Err(throw(thrown))
            }
        }
    }

    /// Rewrites one image.
    ///
    /// # Errors
    ///
    /// An `Error` with the image error's `code` and `offset` (UTF-16) when the image, or the
    /// result, is not a valid reference.
    #[wasm_bindgen(unchecked_return_type = "Rewritten")]
    pub fn rewrite(&self, image: &str) -> Result<JsValue, JsValue> {
        match self.inner.rewrite(image) {
            Ok(r) => to_js(&RewrittenJs {
                image: &r.image,
                changed: r.changed(),
                rule: rule_index(r.rule),
            }),
            Err(e) => Err(JsImageError::new(image, &e).throw()),
        }
    }

    /// Rewrites many images in one call: one row per image, in order, with the result (or the
    /// image itself when it is left as it is), the rule and the error.
    ///
    /// # Errors
    ///
    /// Never, in practice: an `Error` with code `internal` if a value cannot be converted.
    #[wasm_bindgen(js_name = rewriteAll, unchecked_return_type = "BatchRow[]")]
    pub fn rewrite_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] images: js_sys::Array,
    ) -> Result<JsValue, JsValue> {
        let images = js::strings(&images)?;
        let batch = self.inner.rewrite_batch(images.iter().map(String::as_str));
        let rows: Vec<BatchRowJs<'_>> = batch
            .items()
            .iter()
            .zip(&images)
            .map(|(item, image)| {
                let result = batch
                    .output()
                    .get(item.span.start..item.span.end)
                    .unwrap_or(image);
                match &item.result {
                    Ok(rule) => BatchRowJs {
                        image: result,
                        rule: rule_index(*rule),
                        error: None,
                    },
                    Err(e) => BatchRowJs {
                        image: result,
                        rule: rule_index(e.rule()),
                        error: Some(JsImageError::new(image, e)),
                    },
                }
            })
            .collect();
        js::to_js_via_json(&rows)
    }

    /// Why the policy does what it does with `image`.
    ///
    /// # Errors
    ///
    /// Never, in practice: an `Error` with code `internal` if a value cannot be converted.
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(&self, image: &str) -> Result<JsValue, JsValue> {
        to_js(&reference::ExplanationJs::new(
            image,
            &self.inner.explain(image),
        ))
    }

    /// The rules, in the order given.
    ///
    /// # Errors
    ///
    /// Never, in practice.
    #[wasm_bindgen(getter, unchecked_return_type = "Rule[]")]
    pub fn rules(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.rules())
    }

    /// The warnings found when the policy was read (spans in UTF-16 code units of its text).
    ///
    /// # Errors
    ///
    /// Never, in practice.
    #[wasm_bindgen(getter, unchecked_return_type = "Diagnostic[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        to_js(&self.warnings)
    }

    /// The match mode.
    #[wasm_bindgen(getter, unchecked_return_type = "MatchMode")]
    pub fn mode(&self) -> String {
        self.inner.mode().as_str().to_owned()
    }

    /// The rules as plain objects, for `JSON.stringify(policy)` (the annotation's JSON).
    ///
    /// # Errors
    ///
    /// Never, in practice.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Rule[]")]
    #[allow(clippy::wrong_self_convention, reason = "JSON.stringify calls toJSON")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        self.rules()
    }
}

/// Parses an image reference in the three views of the reference implementation: as written,
/// normalized, and as `ParseDockerRef` gives it.
///
/// # Errors
///
/// Never, in practice: an invalid reference is a result with `ok: false`, not an error.
#[wasm_bindgen(js_name = parseReference, unchecked_return_type = "ParsedReference")]
pub fn parse_reference(text: &str) -> Result<JsValue, JsValue> {
    to_js(&reference::ParsedJs::new(text))
}

/// The options `rewriteWorkload` and `reviewAdmission` share: `mode`, `annotationKey`, `burst`
/// and `checkPulls`.
#[cfg(feature = "workload")]
struct WorkloadCommon {
    mode: Option<MatchMode>,
    key: Option<String>,
    burst: Option<imgrepl_k8s::BurstSet>,
    check_pulls: bool,
}

#[cfg(feature = "workload")]
impl WorkloadCommon {
    fn read(options: Option<&JsValue>) -> Result<Self, JsValue> {
        let check_pulls = match option_value(options, "checkPulls")? {
            None => true,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| invalid_argument("options.checkPulls must be a boolean"))?,
        };
        Ok(WorkloadCommon {
            mode: option_mode(options)?,
            key: option_str(options, "annotationKey")?,
            burst: option_burst(options)?,
            check_pulls,
        })
    }

    /// Core's options with these set.
    fn options(&self) -> imgrepl_k8s::Options<'_> {
        let mut o = imgrepl_k8s::Options::new().check_pulls(self.check_pulls);
        if let Some(key) = self.key.as_deref() {
            o = o.annotation_key(key);
        }
        if let Some(mode) = self.mode {
            o = o.mode(mode);
        }
        if let Some(burst) = self.burst {
            o = o.burst(burst);
        }
        o
    }
}

/// The `burst` option: the bursting label values whose pod specs are rewritten, each read by
/// core's [`imgrepl_k8s::BurstMode::from_str`].
#[cfg(feature = "workload")]
fn option_burst(options: Option<&JsValue>) -> Result<Option<imgrepl_k8s::BurstSet>, JsValue> {
    use imgrepl_k8s::{BurstMode, BurstSet};
    let Some(value) = option_value(options, "burst")? else {
        return Ok(None);
    };
    let wrong =
        || invalid_argument("options.burst must be an array of \"auto\", \"enforce\", \"off\"");
    if !js_sys::Array::is_array(&value) {
        return Err(wrong());
    }
    let modes = js::strings(&js_sys::Array::from(&value)).map_err(|_| wrong())?;
    if modes.is_empty() {
        return Err(invalid_argument(
            "options.burst is empty: name the label values to rewrite, or leave it out to rewrite every pod spec",
        ));
    }
    let modes = modes
        .iter()
        .map(|m| BurstMode::from_str(m).map_err(|e| invalid_argument(&e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(BurstSet::of(&modes)))
}

#[cfg(feature = "workload")]
/// Rewrites the images of every workload in a manifest (JSON or YAML, one or several
/// documents): one report per document with its rows and its JSON Patch.
///
/// The `kubernetes.io/dockerconfigjson` Secrets of the manifest itself are read
/// (`imgrepl_manifest::pull_secrets`), so that a rewritten image whose new registry none of its
/// pod's `imagePullSecrets` covers is reported, as `imgrepl apply` does.
///
/// # Errors
///
/// An `Error` with code `invalid-argument` for a bad option, or `invalid-policy` (with
/// `diagnostics`) when `options.policy` is given and invalid. A problem in one document is
/// reported in that document, not thrown.
#[wasm_bindgen(js_name = rewriteWorkload, unchecked_return_type = "WorkloadResult")]
pub fn rewrite_workload(
    text: &str,
    options: Option<types::WorkloadOptions>,
) -> Result<JsValue, JsValue> {
    let common = WorkloadCommon::read(options.as_deref())?;
    let policy = option_str(options.as_deref(), "policy")?
        .map(|p| Policy::parse(&p, None).map(|p| p.inner))
        .transpose()?;
    let mut o = common.options();
    let with_mode;
    if let Some(policy) = policy {
        with_mode = match common.mode {
            Some(mode) => policy.with_mode(mode),
            None => policy,
        };
        o = o.policy(&with_mode);
    }
    let secrets = if common.check_pulls {
        Some(
            imgrepl_manifest::pull_secrets(text.as_bytes())
                .map_err(|e| JsValue::from(js::error(e.code(), &e.to_string())))?,
        )
    } else {
        None
    };
    if let Some(secrets) = &secrets {
        o = o.pull_secrets(secrets);
    }
    manifest::rewrite(text, &o, secrets.as_ref())
}

#[cfg(feature = "workload")]
/// Answers the JSON text of an `AdmissionReview` request as a mutating webhook would.
///
/// # Errors
///
/// An `Error` with the admission error's code when the text is not an `AdmissionReview`
/// request; `invalid-argument` for a bad option.
#[wasm_bindgen(js_name = reviewAdmission, unchecked_return_type = "AdmissionResult")]
pub fn review_admission(
    text: &str,
    options: Option<types::AdmissionOptions>,
) -> Result<JsValue, JsValue> {
    let common = WorkloadCommon::read(options.as_deref())?;
    let audit = match option_value(options.as_deref(), "audit")? {
        None => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| invalid_argument("options.audit must be a boolean"))?,
    };
    let exclude = option_str(options.as_deref(), "excludeNamespace")?;
    let mut o = common.options().audit(audit);
    if let Some(namespace) = exclude.as_deref() {
        o = o.exclude_namespace(namespace);
    }
    match imgrepl_k8s::admission::review_json(text, &o) {
        Ok(r) => to_js(&report::AdmissionJs::new(&r)),
        Err(e) => Err(throw(error(e.code().as_str(), &e.to_string()))),
    }
}

#[cfg(feature = "console-panic")]
mod panic_hook {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = console)]
        fn error(message: &str);
    }

    /// Prints panics to the console (debug builds with `--features console-panic` only).
    #[wasm_bindgen(start)]
    fn start() {
        std::panic::set_hook(Box::new(|info| error(&info.to_string())));
    }
}
