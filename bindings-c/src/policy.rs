//! `imgrepl_policy` and its diagnostics.

use std::ffi::c_char;

use imgrepl_core::{Diagnostic, MAX_POLICY_BYTES, MatchMode, Policy, Severity};

use crate::boundary::{Checked, Out, free, guard, guard_or, into_raw, object, text};
use crate::status::imgrepl_status;
use crate::strings::imgrepl_str;

/// A validated image replacement policy, ready to rewrite images.
///
/// **Thread safety:** a `const imgrepl_policy *` is immutable and may be used by any number of
/// threads at once, with no locking. Only [`imgrepl_policy_free`] needs exclusive access: call
/// it once no other thread uses the policy.
#[derive(Debug)]
pub struct imgrepl_policy(pub(crate) Policy);

/// How a policy matches images.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum imgrepl_match_mode {
    /// The longest rule prefix that, followed by `/`, starts the image (the default).
    IMGREPL_MATCH_MODE_LONGEST_PREFIX = 0,
    /// A non-empty prefix matches only when it equals the image's whole parent path.
    IMGREPL_MATCH_MODE_EXACT_PARENT = 1,
}

/// The core's mode for a C mode number, or `INVALID_ARGUMENT`.
pub(crate) fn match_mode(mode: u32) -> Checked<MatchMode> {
    match mode {
        0 => Ok(MatchMode::LongestPrefix),
        1 => Ok(MatchMode::ExactParent),
        _ => Err(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT),
    }
}

/// Error or warning.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum imgrepl_severity {
    /// The policy is invalid.
    IMGREPL_SEVERITY_ERROR = 0,
    /// A likely mistake; the policy still works.
    IMGREPL_SEVERITY_WARNING = 1,
}

/// A list of policy diagnostics (errors and warnings), read by count and index. Owned by the
/// caller: free it with [`imgrepl_diagnostics_free`].
#[derive(Debug)]
pub struct imgrepl_diagnostics(Vec<Diagnostic>);

/// One diagnostic, as [`imgrepl_diagnostics_get`] fills it. Every `imgrepl_str` in it is
/// borrowed from the list and valid until the list is freed.
///
/// Spans are byte ranges `[start, end)` in the policy text that was parsed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct imgrepl_diagnostic {
    /// Error or warning.
    pub severity: imgrepl_severity,
    /// The stable code, e.g. `"duplicate-prefix"`, `"unknown-field"`.
    pub code: imgrepl_str,
    /// A sentence for people.
    pub message: imgrepl_str,
    /// The index of the rule it is about, or -1 when it is about the whole policy.
    pub rule: i64,
    /// The field it is about (`"repositoryPrefix"`, `"replaceWith"`), or `{NULL, 0}`.
    pub field: imgrepl_str,
    /// The JSON pointer of the offending value (`"/2/repositoryPrefix"`; `""` for the root).
    pub pointer: imgrepl_str,
    /// Start of the offending text.
    pub span_start: usize,
    /// End of the offending text (exclusive).
    pub span_end: usize,
    /// Whether `related_start`/`related_end` are set (the first occurrence of a duplicate).
    pub has_related: bool,
    /// Start of the related text, when `has_related`.
    pub related_start: usize,
    /// End of the related text, when `has_related`.
    pub related_end: usize,
}

impl imgrepl_diagnostic {
    fn new(d: &Diagnostic) -> Self {
        let related = d.related();
        imgrepl_diagnostic {
            severity: match d.severity() {
                Severity::Error => imgrepl_severity::IMGREPL_SEVERITY_ERROR,
                _ => imgrepl_severity::IMGREPL_SEVERITY_WARNING,
            },
            code: imgrepl_str::new(d.code().as_str()),
            message: imgrepl_str::new(d.message()),
            rule: d.rule().and_then(|r| i64::try_from(r).ok()).unwrap_or(-1),
            field: imgrepl_str::optional(d.field().map(imgrepl_core::Field::as_str)),
            pointer: imgrepl_str::new(d.pointer()),
            span_start: d.span().start,
            span_end: d.span().end,
            has_related: related.is_some(),
            related_start: related.map_or(0, |s| s.start),
            related_end: related.map_or(0, |s| s.end),
        }
    }
}

/// Reads and validates a policy: the JSON text of the `coordinator.cci.io/image-replacement`
/// annotation, `(json, json_len)` UTF-8, at most 256 KiB.
///
/// - `IMGREPL_STATUS_OK`: `*policy_out` is a new policy (free it with
///   [`imgrepl_policy_free`]) and, when `diagnostics_out` is not NULL, `*diagnostics_out` is a
///   new list of its warnings (possibly empty; free it with [`imgrepl_diagnostics_free`]).
/// - `IMGREPL_STATUS_INVALID_POLICY`: `*policy_out` is not written; when `diagnostics_out` is
///   not NULL, `*diagnostics_out` is a new list of every error and warning.
/// - otherwise (`NULL_ARGUMENT`, `INVALID_UTF8`, `INPUT_TOO_LARGE`): nothing is written.
///
/// The policy matches in longest-prefix mode; see [`imgrepl_policy_with_mode`].
///
/// # Safety
///
/// `(json, json_len)` must be readable bytes (or `(NULL, 0)`); `policy_out` must be valid for
/// a write; `diagnostics_out` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_parse(
    json: *const c_char,
    json_len: usize,
    policy_out: *mut *mut imgrepl_policy,
    diagnostics_out: *mut *mut imgrepl_diagnostics,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy_out, diagnostics_out) =
            unsafe { (Out::new(policy_out)?, Out::optional(diagnostics_out)) };
        // SAFETY: this function's contract.
        let json = unsafe { text(json, json_len, MAX_POLICY_BYTES) }?;
        let validation = Policy::validate(json);
        // With a policy, the diagnostics are its warnings; without, every error and warning.
        if let Some(out) = diagnostics_out {
            out.write(into_raw(imgrepl_diagnostics(validation.diagnostics)));
        }
        let policy = validation
            .policy
            .ok_or(imgrepl_status::IMGREPL_STATUS_INVALID_POLICY)?;
        policy_out.write(into_raw(imgrepl_policy(policy)));
        Ok(())
    })
}

/// A new policy with the rules of `policy` and match mode `mode` (an
/// [`imgrepl_match_mode`] value). `*policy_out` is written on `OK`; an unknown mode is
/// `IMGREPL_STATUS_INVALID_ARGUMENT`. `policy` is unchanged and still owned by the caller.
///
/// # Safety
///
/// `policy` must be NULL or a live policy; `policy_out` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_with_mode(
    policy: *const imgrepl_policy,
    mode: u32,
    policy_out: *mut *mut imgrepl_policy,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, out) = unsafe { (object(policy)?, Out::new(policy_out)?) };
        let mode = match_mode(mode)?;
        out.write(into_raw(imgrepl_policy(policy.0.clone().with_mode(mode))));
        Ok(())
    })
}

/// The policy's match mode (an [`imgrepl_match_mode`] value); longest-prefix when `policy`
/// is NULL.
///
/// # Safety
///
/// `policy` must be NULL or a live policy.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_mode(policy: *const imgrepl_policy) -> imgrepl_match_mode {
    guard_or(
        imgrepl_match_mode::IMGREPL_MATCH_MODE_LONGEST_PREFIX,
        || {
            // SAFETY: this function's contract.
            match unsafe { object(policy) }.map(|p| p.0.mode()) {
                Ok(MatchMode::ExactParent) => imgrepl_match_mode::IMGREPL_MATCH_MODE_EXACT_PARENT,
                _ => imgrepl_match_mode::IMGREPL_MATCH_MODE_LONGEST_PREFIX,
            }
        },
    )
}

/// The number of rules in the policy; 0 when `policy` is NULL.
///
/// # Safety
///
/// `policy` must be NULL or a live policy.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_rules_len(policy: *const imgrepl_policy) -> usize {
    guard_or(0, || {
        // SAFETY: this function's contract.
        unsafe { object(policy) }.map_or(0, |p| p.0.rules().len())
    })
}

/// The rule at `index` (as rule indexes elsewhere count): its `repositoryPrefix` and
/// `replaceWith`, borrowed from the policy and valid while it lives. An index past the end is
/// `IMGREPL_STATUS_INVALID_ARGUMENT`. Both outputs are written on `OK` only.
///
/// # Safety
///
/// `policy` must be NULL or a live policy; `prefix_out` and `replace_with_out` must be NULL or
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_rule(
    policy: *const imgrepl_policy,
    index: usize,
    prefix_out: *mut imgrepl_str,
    replace_with_out: *mut imgrepl_str,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, prefix_out, replace_out) = unsafe {
            (
                object(policy)?,
                Out::new(prefix_out)?,
                Out::new(replace_with_out)?,
            )
        };
        let rule = policy
            .0
            .rules()
            .get(index)
            .ok_or(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT)?;
        prefix_out.write(imgrepl_str::new(rule.repository_prefix()));
        replace_out.write(imgrepl_str::new(rule.replace_with()));
        Ok(())
    })
}

/// The policy's warnings (a new list, possibly empty; free it with
/// [`imgrepl_diagnostics_free`]), written to `*diagnostics_out` on `OK`.
///
/// # Safety
///
/// `policy` must be NULL or a live policy; `diagnostics_out` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_warnings(
    policy: *const imgrepl_policy,
    diagnostics_out: *mut *mut imgrepl_diagnostics,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, out) = unsafe { (object(policy)?, Out::new(diagnostics_out)?) };
        out.write(into_raw(imgrepl_diagnostics(policy.0.warnings().to_vec())));
        Ok(())
    })
}

/// Frees a policy. NULL is a no-op. No other thread may be using it.
///
/// # Safety
///
/// `policy` must be NULL or a policy from this library, not yet freed, used by no other thread
/// now or later.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_free(policy: *mut imgrepl_policy) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(policy) });
}

/// The number of diagnostics in the list; 0 when `diagnostics` is NULL.
///
/// # Safety
///
/// `diagnostics` must be NULL or a live list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_diagnostics_len(diagnostics: *const imgrepl_diagnostics) -> usize {
    guard_or(0, || {
        // SAFETY: this function's contract.
        unsafe { object(diagnostics) }.map_or(0, |d| d.0.len())
    })
}

/// Fills `*out` with diagnostic `index` (its strings borrowed from the list). An index past the
/// end is `IMGREPL_STATUS_INVALID_ARGUMENT`; `*out` is written on `OK` only.
///
/// # Safety
///
/// `diagnostics` must be NULL or a live list; `out` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_diagnostics_get(
    diagnostics: *const imgrepl_diagnostics,
    index: usize,
    out: *mut imgrepl_diagnostic,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (list, out) = unsafe { (object(diagnostics)?, Out::new(out)?) };
        let d = list
            .0
            .get(index)
            .ok_or(imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT)?;
        out.write(imgrepl_diagnostic::new(d));
        Ok(())
    })
}

/// Frees a diagnostics list. NULL is a no-op.
///
/// # Safety
///
/// `diagnostics` must be NULL or a list from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_diagnostics_free(diagnostics: *mut imgrepl_diagnostics) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(diagnostics) });
}
