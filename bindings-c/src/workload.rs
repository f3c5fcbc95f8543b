//! Kubernetes objects and `AdmissionReview`s: JSON in, JSON out (`imgrepl-k8s`'s
//! serialization); the workload options beyond `imgrepl_options` (the bursting set, pull checks,
//! pull secrets).

use std::ffi::c_char;

use imgrepl_core::{Code, MatchMode};
use imgrepl_k8s::admission::{self, MAX_REVIEW_BYTES};
use imgrepl_k8s::{BurstMode, BurstSet, MAX_OBJECT_BYTES, Options, PullSecret, PullSecrets};

use crate::boundary::{
    Checked, Out, free, guard, guard_or, into_raw, object, object_mut, text, write_optional,
};
use crate::cache::imgrepl_policy_cache;
use crate::error::{fail, imgrepl_error};
use crate::policy::{imgrepl_policy, match_mode};
use crate::status::imgrepl_status;
use crate::strings::{imgrepl_str, imgrepl_string};

/// The longest annotation key accepted (Kubernetes allows 253 + 1 + 63 bytes).
const MAX_ANNOTATION_KEY_BYTES: usize = 317;

/// Options for [`imgrepl_workload_rewrite`] and [`imgrepl_admission_review`]. A zeroed struct
/// (`imgrepl_options o = {0};`) gives the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_options {
    /// A policy for every object, whatever its annotations say (it keeps its own mode), or
    /// NULL to read each object's annotation. Borrowed for the call.
    pub policy: *const imgrepl_policy,
    /// The annotation key to read the policy from; `(NULL, 0)` for
    /// `coordinator.cci.io/image-replacement`.
    pub annotation_key: *const c_char,
    /// The length of `annotation_key`.
    pub annotation_key_len: usize,
    /// The match mode (an `imgrepl_match_mode` value) of policies read from annotations.
    pub mode: u32,
}

/// The core's options for a C options pointer (NULL for the defaults).
///
/// # Safety
///
/// `options` must be NULL or point to a valid `imgrepl_options` whose pointers obey its docs
/// for `'a`.
unsafe fn options<'a>(options: *const imgrepl_options) -> Checked<Options<'a>> {
    // SAFETY: the caller's contract.
    let Some(o) = (unsafe { options.as_ref() }) else {
        return Ok(Options::new());
    };
    let mut result = Options::new().mode(match_mode(o.mode)?);
    if !o.policy.is_null() {
        // SAFETY: the caller's contract: a non-null policy is live.
        result = result.policy(unsafe { &object(o.policy)?.0 });
    }
    // SAFETY: the caller's contract on (annotation_key, annotation_key_len).
    let key = unsafe {
        text(
            o.annotation_key,
            o.annotation_key_len,
            MAX_ANNOTATION_KEY_BYTES,
        )
    }?;
    if !key.is_empty() {
        result = result.annotation_key(key);
    }
    Ok(result)
}

/// Rewrites the images of a Kubernetes object (`(json, json_len)`, UTF-8 JSON, at most
/// `IMGREPL_MAX_OBJECT_BYTES`): finds its pod spec, reads its policy, and rewrites every
/// container, init container and ephemeral container.
///
/// On `OK`, `*report_out` is a new string (free it with `imgrepl_string_free`): the core's
/// report as JSON, with a row per container and the RFC 6902 `patch`. An object that is not a
/// workload, or has no policy, is `OK` with an empty patch. An object that cannot be read
/// (not JSON, an invalid policy annotation, …) is `IMGREPL_STATUS_INVALID_WORKLOAD`, with
/// `*error_out` (when not NULL) a new error; nothing else is written.
///
/// # Safety
///
/// `(json, json_len)` must be readable; `options` NULL or valid (see `imgrepl_options`);
/// `report_out` valid for a write; `error_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_rewrite(
    json: *const c_char,
    json_len: usize,
    options: *const imgrepl_options,
    report_out: *mut imgrepl_string,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, error_out) = unsafe { (Out::new(report_out)?, Out::optional(error_out)) };
        // SAFETY: this function's contract.
        let options = unsafe { self::options(options) }?;
        // SAFETY: this function's contract.
        let json = unsafe { text(json, json_len, MAX_OBJECT_BYTES) }?;
        rewrite_report(json, &options, out, error_out)
    })
}

/// The body shared by the two workload rewrites: the report, or the error.
fn rewrite_report(
    json: &str,
    options: &Options<'_>,
    out: Out<imgrepl_string>,
    error_out: Option<Out<*mut imgrepl_error>>,
) -> Checked<()> {
    match imgrepl_k8s::rewrite_json(json, options) {
        Ok(report) => {
            out.write(imgrepl_string::new(crate::to_json(&report)?));
            Ok(())
        }
        Err(e) => fail(error_out, imgrepl_error::workload(&e)),
    }
}

/// The number of patch operations the response body carries (none in audit mode).
fn patch_ops(response: &admission::Response) -> usize {
    match (&response.report, &response.body.response.patch) {
        (Some(report), Some(_)) => report.patch.len(),
        _ => 0,
    }
}

/// What an admission answer did, as [`imgrepl_admission_review`] fills it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_admission_info {
    /// The number of JSON Patch operations in the response (0: nothing was changed; always 0
    /// in audit mode).
    pub patch_ops: usize,
    /// Whether the object or one of its containers had an error (reported as a warning in the
    /// response; the object is still allowed).
    pub has_errors: bool,
}

/// Answers an `AdmissionReview` request (`(body, body_len)`, UTF-8 JSON, at most
/// `IMGREPL_MAX_REVIEW_BYTES`): the response echoes the uid, allows the object and, when
/// images change, carries the base64 JSON Patch; problems become `response.warnings`.
///
/// On `OK`, `*response_out` is a new string, the response body to send (free it with
/// `imgrepl_string_free`), and `*info_out` (when not NULL) says what it did. A body that is
/// not an `AdmissionReview` request is `IMGREPL_STATUS_INVALID_REVIEW`, with `*error_out`
/// (when not NULL) a new error; nothing else is written.
///
/// # Safety
///
/// `(body, body_len)` must be readable; `options` NULL or valid (see `imgrepl_options`);
/// `response_out` valid for a write; `info_out` and `error_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_admission_review(
    body: *const c_char,
    body_len: usize,
    options: *const imgrepl_options,
    response_out: *mut imgrepl_string,
    info_out: *mut imgrepl_admission_info,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, info_out, error_out) = unsafe {
            (
                Out::new(response_out)?,
                Out::optional(info_out),
                Out::optional(error_out),
            )
        };
        // SAFETY: this function's contract.
        let options = unsafe { self::options(options) }?;
        // SAFETY: this function's contract.
        let body = unsafe { text(body, body_len, MAX_REVIEW_BYTES) }?;
        review_response(body, &options, out, info_out, error_out)
    })
}

/// The body shared by the two admission calls: the response and its info, or the error.
fn review_response(
    body: &str,
    options: &Options<'_>,
    out: Out<imgrepl_string>,
    info_out: Option<Out<imgrepl_admission_info>>,
    error_out: Option<Out<*mut imgrepl_error>>,
) -> Checked<()> {
    match admission::review_json(body, options) {
        Ok(response) => {
            out.write(imgrepl_string::new(response.to_json()));
            write_optional(info_out, || imgrepl_admission_info {
                patch_ops: patch_ops(&response),
                has_errors: response.has_errors(),
            });
            Ok(())
        }
        Err(e) => fail(error_out, imgrepl_error::admission(&e)),
    }
}

/// A value of the bursting label (`bursting.cci.io/burst-to-cci` of CCI 2.0, which wins, or
/// `virtual-kubelet.io/burst-to-cci` of CCI 1.0), as a bit: a set of them is
/// the `uint32_t` mask [`imgrepl_workload_options_set_burst`] takes and [`imgrepl_burst_parse`]
/// makes (`IMGREPL_BURST_MODE_AUTO | IMGREPL_BURST_MODE_ENFORCE`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum imgrepl_burst_mode {
    /// `auto`: pods may burst to the serverless side.
    IMGREPL_BURST_MODE_AUTO = 1,
    /// `enforce`: pods always run on the serverless side.
    IMGREPL_BURST_MODE_ENFORCE = 2,
    /// `off`: pods never burst.
    IMGREPL_BURST_MODE_OFF = 4,
}

/// The C bit of each core value (the only place the two are paired).
const fn burst_bit(mode: BurstMode) -> u32 {
    (match mode {
        BurstMode::Auto => imgrepl_burst_mode::IMGREPL_BURST_MODE_AUTO,
        BurstMode::Enforce => imgrepl_burst_mode::IMGREPL_BURST_MODE_ENFORCE,
        BurstMode::Off => imgrepl_burst_mode::IMGREPL_BURST_MODE_OFF,
    }) as u32
}

/// The set of a C mask; `None` (no restriction) for 0, `INVALID_ARGUMENT` for an unknown bit.
fn burst_set(mask: u32) -> Checked<Option<BurstSet>> {
    let known = BurstMode::ALL
        .into_iter()
        .fold(0, |m, mode| m | burst_bit(mode));
    if mask & !known != 0 {
        return Err(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT);
    }
    let modes: Vec<BurstMode> = BurstMode::ALL
        .into_iter()
        .filter(|&m| mask & burst_bit(m) != 0)
        .collect();
    Ok((!modes.is_empty()).then(|| BurstSet::of(&modes)))
}

/// The longest bursting list [`imgrepl_burst_parse`] reads.
const MAX_BURST_TEXT_BYTES: usize = 256;

/// Reads a comma-separated list of bursting label values (`"auto,enforce"`, as the command
/// line's `--burst` takes it; no spaces, at most 256 bytes) into a mask of
/// [`imgrepl_burst_mode`] bits, written to `*mask_out` on `OK`. A value that is none of `auto`,
/// `enforce` and `off` (the empty string too) is `IMGREPL_STATUS_INVALID_ARGUMENT`, with
/// `*error_out` (when not NULL) a new error of code `"invalid-burst-label"` naming the value.
///
/// # Safety
///
/// `(text, text_len)` must be readable; `mask_out` valid for a write; `error_out` NULL or
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_burst_parse(
    text: *const c_char,
    text_len: usize,
    mask_out: *mut u32,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, error_out) = unsafe { (Out::new(mask_out)?, Out::optional(error_out)) };
        // SAFETY: this function's contract.
        let text = unsafe { self::text(text, text_len, MAX_BURST_TEXT_BYTES) }?;
        match text.parse::<BurstSet>() {
            Ok(set) => {
                out.write(set.modes().fold(0, |m, mode| m | burst_bit(mode)));
                Ok(())
            }
            Err(e) => fail(
                error_out,
                imgrepl_error::argument(Code::InvalidBurstLabel, e.to_string()),
            ),
        }
    })
}

/// The pull secrets a rewrite knows (the `kubernetes.io/dockerconfigjson` Secrets of the
/// cluster or the manifests), for [`imgrepl_workload_options_set_pull_secrets`]: a pod spec that
/// names pull secrets, all of them known here and none of which covers a rewritten image's new
/// registry, gets a `pull-secret-uncovered` warning (a named secret not known here is not
/// judged). Made by [`imgrepl_pull_secrets_new`], freed by
/// [`imgrepl_pull_secrets_free`].
///
/// **Thread safety:** a `const imgrepl_pull_secrets *` may be read by any number of threads at
/// once; the `_add_` functions need exclusive access.
#[derive(Debug, Default)]
pub struct imgrepl_pull_secrets(PullSecrets);

/// Makes an empty set of pull secrets, written to `*secrets_out` on `OK` (free it with
/// [`imgrepl_pull_secrets_free`]).
///
/// # Safety
///
/// `secrets_out` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_pull_secrets_new(
    secrets_out: *mut *mut imgrepl_pull_secrets,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let out = unsafe { Out::new(secrets_out) }?;
        out.write(into_raw(imgrepl_pull_secrets::default()));
        Ok(())
    })
}

/// Adds the pull secrets of one JSON document (`(json, json_len)`, UTF-8, at most
/// `IMGREPL_MAX_OBJECT_BYTES`): a `kubernetes.io/dockerconfigjson` (or `dockercfg`) Secret, or a
/// `List` of objects as `kubectl get secrets -o json` prints it. Other objects are ignored; a
/// pull secret that cannot be read is kept as a problem (`invalid-pull-secret`, in
/// [`imgrepl_pull_secrets_json`]), not an error.
///
/// Text that is not JSON is `IMGREPL_STATUS_INVALID_WORKLOAD`, with `*error_out` (when not
/// NULL) a new error (code `"object-invalid-json"`, the byte offset); nothing is added then.
///
/// # Safety
///
/// `secrets` must be NULL or live and used by no other call during this one; `(json,
/// json_len)` readable; `error_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_pull_secrets_add_objects(
    secrets: *mut imgrepl_pull_secrets,
    json: *const c_char,
    json_len: usize,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (secrets, error_out) = unsafe { (object_mut(secrets)?, Out::optional(error_out)) };
        // SAFETY: this function's contract.
        let json = unsafe { text(json, json_len, MAX_OBJECT_BYTES) }?;
        secrets
            .0
            .add_json(json)
            .or_else(|e| fail(error_out, imgrepl_error::workload(&e)))
    })
}

/// Adds one secret from the text of its `.dockerconfigjson` (`{"auths": {…}}`) or `.dockercfg`
/// (`(config, config_len)`, at most `IMGREPL_MAX_OBJECT_BYTES`), named `(name, name_len)` in
/// namespace `(namespace, namespace_len)` (`(NULL, 0)` for any namespace); names are at most
/// 253 bytes. The registries are its `auths` keys, kept as the kubelet keeps them.
///
/// Text that is not such a JSON object is `IMGREPL_STATUS_INVALID_ARGUMENT`, with `*error_out`
/// (when not NULL) a new error of code `"invalid-pull-secret"`; nothing is added then.
///
/// # Safety
///
/// `secrets` must be NULL or live and used by no other call during this one; the three
/// strings readable; `error_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_pull_secrets_add_docker_config(
    secrets: *mut imgrepl_pull_secrets,
    name: *const c_char,
    name_len: usize,
    namespace: *const c_char,
    namespace_len: usize,
    config: *const c_char,
    config_len: usize,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (secrets, error_out) = unsafe { (object_mut(secrets)?, Out::optional(error_out)) };
        // SAFETY: this function's contract.
        let (name, namespace, config) = unsafe {
            (
                text(name, name_len, MAX_NAME_BYTES)?,
                text(namespace, namespace_len, MAX_NAME_BYTES)?,
                text(config, config_len, MAX_OBJECT_BYTES)?,
            )
        };
        let namespace = (!namespace.is_empty()).then_some(namespace);
        match PullSecret::from_docker_config(name, namespace, config) {
            Ok(secret) => {
                secrets.0.add(secret);
                Ok(())
            }
            Err(why) => fail(
                error_out,
                imgrepl_error::argument(
                    Code::InvalidPullSecret,
                    format!("the pull secret {name:?} cannot be read: {why}"),
                ),
            ),
        }
    })
}

/// The longest Kubernetes object name or namespace (a DNS subdomain).
const MAX_NAME_BYTES: usize = 253;

/// The pull secrets as JSON (`imgrepl-k8s`'s serialization: `{"secrets": [{"name", "namespace",
/// "registries"}], "problems": [{"code", "message", "pointer"}]}`), written to `*json_out` on
/// `OK` (free it with `imgrepl_string_free`).
///
/// # Safety
///
/// `secrets` must be NULL or live; `json_out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_pull_secrets_json(
    secrets: *const imgrepl_pull_secrets,
    json_out: *mut imgrepl_string,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (secrets, out) = unsafe { (object(secrets)?, Out::new(json_out)?) };
        out.write(imgrepl_string::new(crate::to_json(&secrets.0)?));
        Ok(())
    })
}

/// Frees a set of pull secrets. NULL is a no-op. No options object may still refer to it.
///
/// # Safety
///
/// `secrets` must be NULL or from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_pull_secrets_free(secrets: *mut imgrepl_pull_secrets) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(secrets) });
}

/// Options for [`imgrepl_workload_rewrite_with_options`] and
/// [`imgrepl_admission_review_with_options`]: those of `imgrepl_options`, plus the bursting
/// set, the pull checks and the pull secrets, each set by its own function (so new options can
/// be added without changing a struct). Made by [`imgrepl_workload_options_new`], freed by
/// [`imgrepl_workload_options_free`].
///
/// It refers to the policy and the pull secrets given to it without copying them: they must
/// stay alive, unfreed, while the options are used.
///
/// **Thread safety:** a `const imgrepl_workload_options *` may be used by any number of
/// threads at once; the `_set_` functions need exclusive access.
#[derive(Debug)]
pub struct imgrepl_workload_options {
    policy: *const imgrepl_policy,
    key: String,
    mode: MatchMode,
    burst: Option<BurstSet>,
    check_pulls: bool,
    secrets: *const imgrepl_pull_secrets,
    cache: *const imgrepl_policy_cache,
    audit: bool,
    exclude_namespace: String,
}

impl imgrepl_workload_options {
    /// The core's options.
    ///
    /// # Safety
    ///
    /// The policy and pull secrets it refers to, when not NULL, are alive (its contract).
    unsafe fn core(&self) -> Checked<Options<'_>> {
        let mut options = Options::new().mode(self.mode).check_pulls(self.check_pulls);
        if !self.key.is_empty() {
            options = options.annotation_key(&self.key);
        }
        if !self.policy.is_null() {
            // SAFETY: the caller's contract: a policy given to the options is alive.
            options = options.policy(unsafe { &object(self.policy)?.0 });
        }
        if !self.secrets.is_null() {
            // SAFETY: the caller's contract: pull secrets given to the options are alive.
            options = options.pull_secrets(unsafe { &object(self.secrets)?.0 });
        }
        if let Some(set) = self.burst {
            options = options.burst(set);
        }
        if !self.cache.is_null() {
            // SAFETY: the caller's contract: a cache given to the options is alive.
            options = options.policy_cache(unsafe { crate::cache::cache(self.cache) }?);
        }
        if !self.exclude_namespace.is_empty() {
            options = options.exclude_namespace(&self.exclude_namespace);
        }
        Ok(options.audit(self.audit))
    }
}

/// Makes workload options from `base` (NULL for the defaults: each object's annotation, in
/// longest-prefix mode, every pod spec rewritten, pull checks on), written to `*options_out` on
/// `OK` (free it with [`imgrepl_workload_options_free`]). The annotation key of `base` is
/// copied; its policy is referred to (it must outlive the options). An unknown mode is
/// `INVALID_ARGUMENT`.
///
/// # Safety
///
/// `base` must be NULL or a valid `imgrepl_options` (see its fields); `options_out` NULL or
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_options_new(
    base: *const imgrepl_options,
    options_out: *mut *mut imgrepl_workload_options,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let out = unsafe { Out::new(options_out) }?;
        let mut options = imgrepl_workload_options {
            policy: std::ptr::null(),
            key: String::new(),
            mode: MatchMode::LongestPrefix,
            burst: None,
            check_pulls: true,
            secrets: std::ptr::null(),
            cache: std::ptr::null(),
            audit: false,
            exclude_namespace: String::new(),
        };
        // SAFETY: this function's contract.
        if let Some(base) = unsafe { base.as_ref() } {
            options.mode = match_mode(base.mode)?;
            options.policy = base.policy;
            // SAFETY: this function's contract on (annotation_key, annotation_key_len).
            let key = unsafe {
                text(
                    base.annotation_key,
                    base.annotation_key_len,
                    MAX_ANNOTATION_KEY_BYTES,
                )
            }?;
            key.clone_into(&mut options.key);
        }
        out.write(into_raw(options));
        Ok(())
    })
}

/// Rewrites only the pod specs whose bursting label is in `mask` (a set of
/// [`imgrepl_burst_mode`] bits, e.g. from [`imgrepl_burst_parse`]); the others are reported as
/// `not-bursting` and left as they are. 0 (the default) rewrites every pod spec whatever its
/// label. An unknown bit is `INVALID_ARGUMENT`, and the options are unchanged.
///
/// # Safety
///
/// `options` must be NULL or live and used by no other call during this one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_options_set_burst(
    options: *mut imgrepl_workload_options,
    mask: u32,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let options = unsafe { object_mut(options) }?;
        options.burst = burst_set(mask)?;
        Ok(())
    })
}

/// Whether to warn about pulls a rewrite may break (`anonymous-pull` when images move to
/// another registry and the pod spec has no `imagePullSecrets`, `pull-secret-uncovered` when
/// none of its secrets that are known covers the new registry); on by default.
///
/// # Safety
///
/// `options` must be NULL or live and used by no other call during this one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_options_set_check_pulls(
    options: *mut imgrepl_workload_options,
    on: bool,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let options = unsafe { object_mut(options) }?;
        options.check_pulls = on;
        Ok(())
    })
}

/// The pull secrets known to the rewrite (NULL for none, the default). They are referred to,
/// not copied: they must outlive the options' use, and not be added to meanwhile.
///
/// # Safety
///
/// `options` must be NULL or live and used by no other call during this one; `secrets` NULL
/// or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_options_set_pull_secrets(
    options: *mut imgrepl_workload_options,
    secrets: *const imgrepl_pull_secrets,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let options = unsafe { object_mut(options) }?;
        options.secrets = secrets;
        Ok(())
    })
}

/// Compiles policy annotations through `cache` (NULL for none, the default): an annotation
/// seen before, in the same mode, is not compiled again. The answers are the same with and
/// without a cache. The cache is referred to, not copied: it must outlive the options' use; it
/// may be shared by any number of options and threads.
///
/// # Safety
///
/// `options` must be NULL or live and used by no other call during this one; `cache` NULL or
/// live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_options_set_cache(
    options: *mut imgrepl_workload_options,
    cache: *const imgrepl_policy_cache,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let options = unsafe { object_mut(options) }?;
        options.cache = cache;
        Ok(())
    })
}

/// Audit mode for admission reviews (off by default): the answer is computed as usual but the
/// response carries no patch; each image that would be rewritten is a warning instead
/// (`imgrepl: audit: would rewrite containers[0] "web" from "nginx" to "m.io/hub/nginx" (rule 0,
/// prefix "")`). Workload rewrites are not affected.
///
/// # Safety
///
/// `options` must be NULL or live and used by no other call during this one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_options_set_audit(
    options: *mut imgrepl_workload_options,
    on: bool,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let options = unsafe { object_mut(options) }?;
        options.audit = on;
        Ok(())
    })
}

/// A namespace (`(namespace, namespace_len)`, at most 253 bytes; `(NULL, 0)` for none, the
/// default) whose admission requests are allowed unchanged without reading their object: the
/// webhook's own. The outcome says `excluded-namespace`. The text is copied.
///
/// # Safety
///
/// `options` must be NULL or live and used by no other call during this one; `(namespace,
/// namespace_len)` readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_options_set_exclude_namespace(
    options: *mut imgrepl_workload_options,
    namespace: *const c_char,
    namespace_len: usize,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let options = unsafe { object_mut(options) }?;
        // SAFETY: this function's contract.
        let namespace = unsafe { text(namespace, namespace_len, MAX_NAME_BYTES) }?;
        namespace.clone_into(&mut options.exclude_namespace);
        Ok(())
    })
}

/// Frees workload options (not the policy or pull secrets they refer to). NULL is a no-op.
///
/// # Safety
///
/// `options` must be NULL or from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_options_free(options: *mut imgrepl_workload_options) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(options) });
}

/// [`imgrepl_workload_rewrite`] with workload options (NULL for the defaults): the same
/// statuses and outputs. The report's pod specs carry their bursting label and whether the
/// options excluded them (`notBursting`), and its warnings the `not-bursting`,
/// `anonymous-pull` and `pull-secret-uncovered` codes.
///
/// # Safety
///
/// As for [`imgrepl_workload_rewrite`]; `options` NULL or live, with the policy and pull
/// secrets it refers to alive.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_workload_rewrite_with_options(
    json: *const c_char,
    json_len: usize,
    options: *const imgrepl_workload_options,
    report_out: *mut imgrepl_string,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, error_out) = unsafe { (Out::new(report_out)?, Out::optional(error_out)) };
        let defaults = Options::new();
        // SAFETY: this function's contract.
        let options = match unsafe { options.as_ref() } {
            // SAFETY: this function's contract: what the options refer to is alive.
            Some(o) => unsafe { o.core() }?,
            None => defaults,
        };
        // SAFETY: this function's contract.
        let json = unsafe { text(json, json_len, MAX_OBJECT_BYTES) }?;
        rewrite_report(json, &options, out, error_out)
    })
}

/// [`imgrepl_admission_review`] with workload options (NULL for the defaults): the same
/// statuses and outputs. Pod specs the bursting set excludes, and pulls a rewrite may break,
/// are among the response's warnings.
///
/// # Safety
///
/// As for [`imgrepl_admission_review`]; `options` NULL or live, with the policy and pull
/// secrets it refers to alive.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_admission_review_with_options(
    body: *const c_char,
    body_len: usize,
    options: *const imgrepl_workload_options,
    response_out: *mut imgrepl_string,
    info_out: *mut imgrepl_admission_info,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, info_out, error_out) = unsafe {
            (
                Out::new(response_out)?,
                Out::optional(info_out),
                Out::optional(error_out),
            )
        };
        let defaults = Options::new();
        // SAFETY: this function's contract.
        let options = match unsafe { options.as_ref() } {
            // SAFETY: this function's contract: what the options refer to is alive.
            Some(o) => unsafe { o.core() }?,
            None => defaults,
        };
        // SAFETY: this function's contract.
        let body = unsafe { text(body, body_len, MAX_REVIEW_BYTES) }?;
        review_response(body, &options, out, info_out, error_out)
    })
}

/// What happened to one container in an admission answer
/// ([`imgrepl_container_outcome::outcome`]).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum imgrepl_outcome {
    /// Its image was rewritten (in audit mode: would have been).
    IMGREPL_OUTCOME_REWRITTEN = 0,
    /// No rule applied to its image (or it has none): left as it is.
    IMGREPL_OUTCOME_UNCHANGED = 1,
    /// Its image could not be rewritten: `code` says why.
    IMGREPL_OUTCOME_ERROR = 2,
}

/// One container an admission answer looked at, for metrics (per rule, per outcome). Its
/// strings are borrowed from the [`imgrepl_admission_outcome`] it came from.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_container_outcome {
    /// An [`imgrepl_outcome`] value.
    pub outcome: u32,
    /// The error's stable code (e.g. `"uppercase"`) for `IMGREPL_OUTCOME_ERROR`; `{NULL, 0}`
    /// otherwise.
    pub code: imgrepl_str,
    /// The index in its policy of the rule that rewrote the image; -1 when none did.
    pub rule: i64,
    /// That rule's `repositoryPrefix` (`""` for the empty prefix); `{NULL, 0}` when no rule
    /// did.
    pub prefix: imgrepl_str,
}

/// What an admission answer did, in full: the counts of [`imgrepl_admission_info`], why the
/// whole object was left alone (if it was), and one [`imgrepl_container_outcome`] per
/// container looked at (in audit mode too). Made by
/// [`imgrepl_admission_review_outcome`], freed by [`imgrepl_admission_outcome_free`]; it may be
/// read and freed on any thread.
#[derive(Debug)]
pub struct imgrepl_admission_outcome {
    info: imgrepl_admission_info,
    excluded: Option<&'static str>,
    /// The rules' prefixes the items point into; never changed after the items are made.
    #[expect(dead_code, reason = "read through the items' pointers only")]
    prefixes: String,
    items: Vec<imgrepl_container_outcome>,
}

// SAFETY: the raw pointers of `items` point into `prefixes` (owned, never changed after they
// are made) or to static strings; the object is read-only after construction.
unsafe impl Send for imgrepl_admission_outcome {}
// SAFETY: as for `Send`: nothing is mutated through a shared reference.
unsafe impl Sync for imgrepl_admission_outcome {}

impl imgrepl_admission_outcome {
    fn new(response: &admission::Response) -> Self {
        let rows = response
            .report
            .as_ref()
            .map_or(&[][..], |r| r.containers.as_slice());
        let mut prefixes = String::new();
        // (outcome, code, rule, prefix's range in `prefixes`)
        let mut parts = Vec::with_capacity(rows.len());
        for row in rows {
            let part = match (&row.error, &row.rule) {
                (Some(error), _) => (
                    imgrepl_outcome::IMGREPL_OUTCOME_ERROR,
                    Some(error.code().as_str()),
                    -1,
                    None,
                ),
                (None, Some(rule)) if row.changed() => {
                    let start = prefixes.len();
                    prefixes.push_str(&rule.repository_prefix);
                    (
                        imgrepl_outcome::IMGREPL_OUTCOME_REWRITTEN,
                        None,
                        i64::try_from(rule.index).unwrap_or(i64::MAX),
                        Some(start..prefixes.len()),
                    )
                }
                _ => (imgrepl_outcome::IMGREPL_OUTCOME_UNCHANGED, None, -1, None),
            };
            parts.push(part);
        }
        let items = parts
            .into_iter()
            .map(|(outcome, code, rule, prefix)| imgrepl_container_outcome {
                outcome: outcome as u32,
                code: imgrepl_str::optional(code),
                rule,
                prefix: imgrepl_str::optional(prefix.and_then(|r| prefixes.get(r))),
            })
            .collect();
        imgrepl_admission_outcome {
            info: imgrepl_admission_info {
                patch_ops: patch_ops(response),
                has_errors: response.has_errors(),
            },
            excluded: response.excluded.map(Code::as_str),
            prefixes,
            items,
        }
    }
}

/// [`imgrepl_admission_review_with_options`], and what the answer did in full: when
/// `outcome_out` is not NULL, `*outcome_out` is a new [`imgrepl_admission_outcome`] on `OK`
/// (free it with [`imgrepl_admission_outcome_free`]), read without parsing any JSON. The same
/// statuses; on failure nothing is written but `*error_out`.
///
/// # Safety
///
/// As for [`imgrepl_admission_review_with_options`]; `outcome_out` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_admission_review_outcome(
    body: *const c_char,
    body_len: usize,
    options: *const imgrepl_workload_options,
    response_out: *mut imgrepl_string,
    outcome_out: *mut *mut imgrepl_admission_outcome,
    error_out: *mut *mut imgrepl_error,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (out, outcome_out, error_out) = unsafe {
            (
                Out::new(response_out)?,
                Out::optional(outcome_out),
                Out::optional(error_out),
            )
        };
        let defaults = Options::new();
        // SAFETY: this function's contract.
        let options = match unsafe { options.as_ref() } {
            // SAFETY: this function's contract: what the options refer to is alive.
            Some(o) => unsafe { o.core() }?,
            None => defaults,
        };
        // SAFETY: this function's contract.
        let body = unsafe { text(body, body_len, MAX_REVIEW_BYTES) }?;
        match admission::review_json(body, &options) {
            Ok(response) => {
                let outcome = outcome_out
                    .as_ref()
                    .map(|_| imgrepl_admission_outcome::new(&response));
                out.write(imgrepl_string::new(response.to_json()));
                if let (Some(o), Some(outcome)) = (outcome_out, outcome) {
                    o.write(into_raw(outcome));
                }
                Ok(())
            }
            Err(e) => fail(error_out, imgrepl_error::admission(&e)),
        }
    })
}

/// The counts of the answer, written to `*info_out` on `OK`.
///
/// # Safety
///
/// `outcome` must be NULL or live; `info_out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_admission_outcome_info(
    outcome: *const imgrepl_admission_outcome,
    info_out: *mut imgrepl_admission_info,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (outcome, out) = unsafe { (object(outcome)?, Out::new(info_out)?) };
        out.write(outcome.info);
        Ok(())
    })
}

/// Why the whole object was left alone on purpose: `"excluded"` (it opts out with the label or
/// annotation `imgrepl.io/exclude: "true"`) or `"excluded-namespace"` (the request is in the
/// namespace of [`imgrepl_workload_options_set_exclude_namespace`]); `{NULL, 0}` when it was
/// not (or `outcome` is NULL). A static string.
///
/// # Safety
///
/// `outcome` must be NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_admission_outcome_excluded(
    outcome: *const imgrepl_admission_outcome,
) -> imgrepl_str {
    guard_or(imgrepl_str::ABSENT, || {
        // SAFETY: this function's contract.
        unsafe { object(outcome) }
            .map_or(imgrepl_str::ABSENT, |o| imgrepl_str::optional(o.excluded))
    })
}

/// The containers the answer looked at, one [`imgrepl_container_outcome`] each in the report's
/// order (`containers`, `initContainers`, `ephemeralContainers`), as one borrowed array valid
/// until the outcome is freed: written to `*items_out` and `*len_out` on `OK` (`len` 0 when
/// none were looked at: no policy, excluded, not bursting, not a workload, an error of the
/// whole object).
///
/// # Safety
///
/// `outcome` must be NULL or live; `items_out` and `len_out` valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_admission_outcome_containers(
    outcome: *const imgrepl_admission_outcome,
    items_out: *mut *const imgrepl_container_outcome,
    len_out: *mut usize,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (outcome, items_out, len_out) =
            unsafe { (object(outcome)?, Out::new(items_out)?, Out::new(len_out)?) };
        items_out.write(outcome.items.as_ptr());
        len_out.write(outcome.items.len());
        Ok(())
    })
}

/// Frees an admission outcome. NULL is a no-op.
///
/// # Safety
///
/// `outcome` must be NULL or from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_admission_outcome_free(outcome: *mut imgrepl_admission_outcome) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(outcome) });
}
