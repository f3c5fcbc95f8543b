//! The operators' toolkit over a corpus of images: coverage of a policy, the diff of two
//! policies, and what a second pass would change. Each answer is the core's JSON, plus a
//! `#[repr(C)]` summary of its counts for programs that only need those (a CI gate).

use std::ffi::c_char;
use std::ops::Range;

use imgrepl_core::MAX_IMAGE_BYTES;
use imgrepl_core::corpus::{ChainEnd, CorpusItem, RuleStatus};

use crate::boundary::{
    Checked, Out, array, bytes, free, guard, guard_or, into_raw, object, object_mut, text,
    write_optional,
};
use crate::policy::imgrepl_policy;
use crate::rewrite::split_images;
use crate::status::imgrepl_status;
use crate::strings::imgrepl_string;

/// The most images a corpus holds (`IMGREPL_MAX_CORPUS_IMAGES`).
pub(crate) const MAX_CORPUS_IMAGES: usize = 1 << 20;

/// A corpus of images, each with the workload it was found in (optional), for
/// [`imgrepl_policy_coverage`], [`imgrepl_policy_diff`] and [`imgrepl_policy_second_pass`].
/// Made by [`imgrepl_corpus_new`], filled by [`imgrepl_corpus_add`], freed by
/// [`imgrepl_corpus_free`].
///
/// **Thread safety:** a `const imgrepl_corpus *` may be read by any number of threads at once;
/// [`imgrepl_corpus_add`] needs exclusive access.
#[derive(Debug, Default)]
pub struct imgrepl_corpus {
    /// Every image and workload name, concatenated.
    text: String,
    /// Each image's range in `text`, and its workload's (an empty range for none).
    items: Vec<(Range<usize>, Range<usize>)>,
}

impl imgrepl_corpus {
    /// The images, as the core's analyses take them.
    fn items(&self) -> impl Iterator<Item = CorpusItem<'_>> {
        self.items.iter().map(|(image, workload)| CorpusItem {
            image: self.text.get(image.clone()).unwrap_or_default(),
            workload: self.text.get(workload.clone()).filter(|w| !w.is_empty()),
        })
    }
}

/// Makes an empty corpus, written to `*corpus_out` on `OK` (free it with
/// [`imgrepl_corpus_free`]).
///
/// # Safety
///
/// `corpus_out` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_corpus_new(
    corpus_out: *mut *mut imgrepl_corpus,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let out = unsafe { Out::new(corpus_out) }?;
        out.write(into_raw(imgrepl_corpus::default()));
        Ok(())
    })
}

/// Adds `count` images to the corpus, found in one workload, passed as the batch call takes
/// them: concatenated in `(images, images_len)`, with `lens[i]` the length of image `i`
/// (`(NULL, 0)` for none). `(workload, workload_len)` names where they were found (e.g.
/// `"Deployment/shop/web"`, at most `IMGREPL_MAX_IMAGE_BYTES`), shown as an example in the
/// reports; `(NULL, 0)` for none.
///
/// Each image must be valid UTF-8 and at most `IMGREPL_MAX_IMAGE_BYTES`; an image that is not
/// a valid reference is kept (the reports list it as invalid). The lengths must add up to
/// `images_len` (else `INVALID_ARGUMENT`), and the corpus holds at most
/// `IMGREPL_MAX_CORPUS_IMAGES` images (else `INPUT_TOO_LARGE`). The call adds all the images
/// or, on any error, none.
///
/// # Safety
///
/// `corpus` must be NULL or a live corpus used by no other call during this one;
/// `(images, images_len)`, `(lens, count)` and `(workload, workload_len)` readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_corpus_add(
    corpus: *mut imgrepl_corpus,
    images: *const c_char,
    images_len: usize,
    lens: *const usize,
    count: usize,
    workload: *const c_char,
    workload_len: usize,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let corpus = unsafe { object_mut(corpus) }?;
        let room = MAX_CORPUS_IMAGES.saturating_sub(corpus.items.len());
        // SAFETY: this function's contract.
        let lens = unsafe { array(lens, count, room) }?;
        // SAFETY: this function's contract.
        let all = unsafe { bytes(images, images_len, count.saturating_mul(MAX_IMAGE_BYTES)) }?;
        // SAFETY: this function's contract.
        let workload = unsafe { text(workload, workload_len, MAX_IMAGE_BYTES) }?;
        let split = split_images(all, lens)?;
        corpus.text.reserve(images_len + workload.len());
        let w_start = corpus.text.len();
        corpus.text.push_str(workload);
        let w = w_start..corpus.text.len();
        corpus.items.reserve(split.len());
        for image in split {
            let start = corpus.text.len();
            corpus.text.push_str(image);
            corpus.items.push((start..corpus.text.len(), w.clone()));
        }
        Ok(())
    })
}

/// The number of images in the corpus (occurrences, not distinct); 0 when `corpus` is NULL.
///
/// # Safety
///
/// `corpus` must be NULL or a live corpus.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_corpus_len(corpus: *const imgrepl_corpus) -> usize {
    // SAFETY: this function's contract.
    guard_or(0, || unsafe { object(corpus) }.map_or(0, |c| c.items.len()))
}

/// Frees a corpus. NULL is a no-op.
///
/// # Safety
///
/// `corpus` must be NULL or a corpus from this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_corpus_free(corpus: *mut imgrepl_corpus) {
    // SAFETY: this function's contract.
    guard_or((), || unsafe { free(corpus) });
}

/// The two outputs of an analysis, each optional: the JSON and the summary.
type Outputs<S> = (Option<Out<imgrepl_string>>, Option<Out<S>>);

/// The two outputs of an analysis: the JSON and the summary, each optional, not both absent.
///
/// # Safety
///
/// Each pointer must be NULL or valid for a write.
unsafe fn outputs<S>(json_out: *mut imgrepl_string, summary_out: *mut S) -> Checked<Outputs<S>> {
    // SAFETY: the caller's contract.
    let (json, summary) = unsafe { (Out::optional(json_out), Out::optional(summary_out)) };
    if json.is_none() && summary.is_none() {
        return Err(imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT);
    }
    Ok((json, summary))
}

/// Writes the JSON of `value`, when it is wanted (serialized only then).
fn write_json(out: Option<Out<imgrepl_string>>, value: &impl serde::Serialize) -> Checked<()> {
    if let Some(out) = out {
        out.write(imgrepl_string::new(crate::to_json(value)?));
    }
    Ok(())
}

/// The counts of a coverage report, as [`imgrepl_policy_coverage`] fills them. Images are
/// counted as occurrences unless the field says "distinct".
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct imgrepl_coverage_summary {
    /// The images of the corpus.
    pub images: usize,
    /// The distinct images.
    pub distinct: usize,
    /// The images a rule rewrites.
    pub rewritten: usize,
    /// The valid images no rule matches.
    pub uncovered: usize,
    /// The images left as they are because they, or their rewrite, are invalid.
    pub invalid: usize,
    /// The rules that match no image (`dead-rule`).
    pub dead_rules: usize,
    /// The rules that match images but win none (`shadowed-rule`).
    pub shadowed_rules: usize,
    /// The registries of the uncovered images (groups by domain as written and normalized).
    pub uncovered_registries: usize,
    /// The distinct images on which the two match modes pick different rules.
    pub disagreements: usize,
}

/// Runs `policy` over the corpus: per rule the images it wins and those it matches but loses
/// to a longer prefix (`dead-rule`, `shadowed-rule`), the images no rule matches grouped by
/// registry, the invalid images, and where the two match modes disagree.
///
/// On `OK`, `*json_out` (when not NULL) is a new string (free it with `imgrepl_string_free`),
/// the core's serialization of the coverage (`{"mode", "images", "distinct", "rewritten",
/// "uncoveredCount", "invalidCount", "rules", "uncovered", "invalid", "disagreements"}`), and
/// `*summary_out` (when not NULL) its counts. Either may be NULL, not both
/// (`NULL_ARGUMENT`): with `json_out` NULL the JSON is not made, which saves most of the time
/// on a large corpus.
///
/// # Safety
///
/// `policy` and `corpus` must be NULL or live; `json_out` and `summary_out` NULL or valid for
/// a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_coverage(
    policy: *const imgrepl_policy,
    corpus: *const imgrepl_corpus,
    json_out: *mut imgrepl_string,
    summary_out: *mut imgrepl_coverage_summary,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, corpus, (out, summary_out)) = unsafe {
            (
                object(policy)?,
                object(corpus)?,
                outputs(json_out, summary_out)?,
            )
        };
        let coverage = policy.0.coverage(corpus.items());
        let rules = |status| coverage.rules.iter().filter(|r| r.status == status).count();
        write_optional(summary_out, || imgrepl_coverage_summary {
            images: coverage.images,
            distinct: coverage.distinct,
            rewritten: coverage.rewritten,
            uncovered: coverage.uncovered_count,
            invalid: coverage.invalid_count,
            dead_rules: rules(RuleStatus::Dead),
            shadowed_rules: rules(RuleStatus::Shadowed),
            uncovered_registries: coverage.uncovered.len(),
            disagreements: coverage.disagreements.len(),
        });
        write_json(out, &coverage)
    })
}

/// The counts of a policy diff, as [`imgrepl_policy_diff`] fills them.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct imgrepl_diff_summary {
    /// Rules only in the new policy.
    pub rules_added: usize,
    /// Rules only in the old policy.
    pub rules_removed: usize,
    /// Rules in both with another `replaceWith`.
    pub rules_changed: usize,
    /// Rules in both, unchanged.
    pub rules_unchanged: usize,
    /// The images of the corpus (occurrences).
    pub images: usize,
    /// The images whose outcome changes (occurrences).
    pub images_changed: usize,
    /// The distinct images whose outcome changes.
    pub distinct_changed: usize,
}

/// Compares two policies rule by rule (by `repositoryPrefix`: added, removed, changed, with
/// their positions in both texts) and image by image over the corpus (every image whose result,
/// error or winning rule changes, and the rule changes that cause it), each policy in its own
/// match mode.
///
/// On `OK`, `*json_out` (when not NULL) is a new string (free it with `imgrepl_string_free`),
/// the core's serialization of the diff (`{"rules", "images", "summary"}`), and `*summary_out`
/// (when not NULL) its counts; either may be NULL, not both (`NULL_ARGUMENT`). Nothing changes
/// when `rules_added + rules_removed + rules_changed + distinct_changed` is 0.
///
/// # Safety
///
/// `old_policy`, `new_policy` and `corpus` must be NULL or live; `json_out` and `summary_out`
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_diff(
    old_policy: *const imgrepl_policy,
    new_policy: *const imgrepl_policy,
    corpus: *const imgrepl_corpus,
    json_out: *mut imgrepl_string,
    summary_out: *mut imgrepl_diff_summary,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (old, new, corpus, (out, summary_out)) = unsafe {
            (
                object(old_policy)?,
                object(new_policy)?,
                object(corpus)?,
                outputs(json_out, summary_out)?,
            )
        };
        let diff = imgrepl_core::diff::diff(&old.0, &new.0, corpus.items());
        let s = diff.summary;
        write_optional(summary_out, || imgrepl_diff_summary {
            rules_added: s.added,
            rules_removed: s.removed,
            rules_changed: s.changed,
            rules_unchanged: s.unchanged,
            images: s.images,
            images_changed: s.images_changed,
            distinct_changed: s.distinct_changed,
        });
        write_json(out, &diff)
    })
}

/// The counts of a second pass, as [`imgrepl_policy_second_pass`] fills them.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct imgrepl_second_pass_summary {
    /// The distinct images whose first result a second pass would change (or make invalid).
    pub images: usize,
    /// Their occurrences in the corpus.
    pub occurrences: usize,
    /// Chains that reach a fixed point.
    pub stable: usize,
    /// Chains that come back to an earlier result: every pass changes the image.
    pub cycles: usize,
    /// Chains whose next rewrite would be invalid.
    pub invalid_results: usize,
    /// Chains still changing after the most passes followed.
    pub limits: usize,
    /// The most passes in one chain, the first included (0 when `images` is 0).
    pub longest_chain: usize,
}

/// The images whose result a second pass of `policy` (a reinvoked webhook, under
/// `reinvocationPolicy: IfNeeded`) would change, each with its chain of rules and how the chain
/// ends (`stable`, `cycle`, `invalid-result`, `limit`).
///
/// On `OK`, `*json_out` (when not NULL) is a new string (free it with `imgrepl_string_free`),
/// the core's serialization (an array of `{"image", "count", "first", "chain": [{"rule",
/// "result"}], "end", "error", "workloads", "code"}`; `[]` when no result changes), and
/// `*summary_out` (when not NULL) its counts; either may be NULL, not both (`NULL_ARGUMENT`).
///
/// # Safety
///
/// `policy` and `corpus` must be NULL or live; `json_out` and `summary_out` NULL or valid for
/// a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_policy_second_pass(
    policy: *const imgrepl_policy,
    corpus: *const imgrepl_corpus,
    json_out: *mut imgrepl_string,
    summary_out: *mut imgrepl_second_pass_summary,
) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let (policy, corpus, (out, summary_out)) = unsafe {
            (
                object(policy)?,
                object(corpus)?,
                outputs(json_out, summary_out)?,
            )
        };
        let passes = policy.0.second_pass(corpus.items());
        let ends = |end| passes.iter().filter(|p| p.end == end).count();
        write_optional(summary_out, || imgrepl_second_pass_summary {
            images: passes.len(),
            occurrences: passes.iter().map(|p| p.count).sum(),
            stable: ends(ChainEnd::Stable),
            cycles: ends(ChainEnd::Cycle),
            invalid_results: ends(ChainEnd::InvalidResult),
            limits: ends(ChainEnd::Limit),
            longest_chain: passes.iter().map(|p| p.chain.len()).max().unwrap_or(0),
        });
        write_json(out, &passes)
    })
}
