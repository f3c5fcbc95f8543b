//! The operators' toolkit over a corpus of images: `coverage` ([`imgrepl::Policy::coverage`]),
//! `diff` ([`imgrepl::diff::diff`]) and `secondPass` ([`imgrepl::Policy::second_pass`]), and
//! `manifestImages`, the corpus of a manifest. Only in the `toolkit` build (the Node package
//! and the web's second module).
//!
//! Every answer is core's; this module only gives positions in UTF-16 code units (the rules'
//! spans in the text each policy was read from, an invalid image's error offset in the image).

use imgrepl::corpus::{ChainEnd, ChainStep, Disagreement, RegistryGroup, RuleCoverage, RuleStatus};
use imgrepl::diff::{ChangeKind, DiffSummary, ImageChange, RuleAt};
use imgrepl::span::Utf16Index;
use imgrepl::{Code, MatchMode};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::Policy;
use crate::js::{self, JsImageError, Utf16Span, invalid_argument, rule_index};

/// The images of a corpus, each with the workload it was found in.
type Corpus = Vec<(String, Option<String>)>;

/// Reads `images`: an array of strings, or of `{ image, workload }` objects (`workload` may be
/// left out or `null`). Anything else is an `invalid-argument` error naming the element.
///
/// The array is checked before any of its methods is called: a call that throws inside the
/// module would leave the borrowed policies borrowed.
fn corpus(images: &JsValue) -> Result<Corpus, JsValue> {
    if !js_sys::Array::is_array(images) {
        return Err(invalid_argument("images must be an array"));
    }
    let images: &js_sys::Array = images.unchecked_ref();
    if images.every(&mut |v, _, _| v.is_string()) {
        return Ok(js::strings(images)?
            .into_iter()
            .map(|i| (i, None))
            .collect());
    }
    let field = |v: &JsValue, key: &str| js_sys::Reflect::get(v, &JsValue::from_str(key));
    images
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if let Some(image) = v.as_string() {
                return Ok((image, None));
            }
            let wrong = || {
                invalid_argument(&format!(
                    "images[{i}] must be a string or an object {{ image: string, workload?: string }}"
                ))
            };
            if !v.is_object() {
                return Err(wrong());
            }
            let image = field(&v, "image")
                .ok()
                .and_then(|x| x.as_string())
                .ok_or_else(wrong)?;
            let workload = match field(&v, "workload") {
                Ok(w) if w.is_undefined() || w.is_null() => None,
                Ok(w) => Some(w.as_string().ok_or_else(wrong)?),
                Err(_) => return Err(wrong()),
            };
            Ok((image, workload))
        })
        .collect()
}

fn items(corpus: &Corpus) -> impl Iterator<Item = (&str, Option<&str>)> {
    corpus.iter().map(|(i, w)| (i.as_str(), w.as_deref()))
}

/// A rule's span in UTF-16 code units of its policy's text.
fn rule_span(policy: &Policy, index: &Utf16Index<'_>, rule: usize) -> Option<Utf16Span> {
    let id = policy.inner.rule_id(rule)?;
    policy
        .inner
        .rule_span(id)
        .map(|span| Utf16Span::new(index, span))
}

/// One rule over the corpus, and where it is in the policy's text.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleCoverageJs<'a> {
    index: usize,
    repository_prefix: &'a str,
    replace_with: &'a str,
    wins: usize,
    shadowed: usize,
    status: RuleStatus,
    code: Option<Code>,
    span: Option<Utf16Span>,
}

impl<'a> RuleCoverageJs<'a> {
    fn new(rule: &'a RuleCoverage, span: Option<Utf16Span>) -> Self {
        RuleCoverageJs {
            index: rule.index,
            repository_prefix: &rule.repository_prefix,
            replace_with: &rule.replace_with,
            wins: rule.wins,
            shadowed: rule.shadowed,
            status: rule.status,
            code: rule.code,
            span,
        }
    }
}

/// An invalid image (or one whose rewrite would be invalid): the error's offset counts UTF-16
/// code units of the image.
#[derive(Serialize)]
struct InvalidImageJs<'a> {
    image: &'a str,
    count: usize,
    error: JsImageError,
    rule: Option<usize>,
    workloads: &'a [String],
}

/// `coverage(policy, images)`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CoverageJs<'a> {
    mode: MatchMode,
    images: usize,
    distinct: usize,
    rewritten: usize,
    uncovered_count: usize,
    invalid_count: usize,
    rules: Vec<RuleCoverageJs<'a>>,
    uncovered: &'a [RegistryGroup],
    invalid: Vec<InvalidImageJs<'a>>,
    disagreements: &'a [Disagreement],
}

/// Runs `policy` over a corpus of images: per rule the images it wins and those it matches but
/// loses to a longer prefix (`dead-rule`, `shadowed-rule`), with the rule's span in the
/// policy's text; the images no rule matches by registry, with counts and example workloads;
/// the invalid images; and where the two match modes disagree.
///
/// `images` holds strings, or `{ image, workload }` objects (as `manifestImages` gives them).
///
/// # Errors
///
/// An `Error` with code `invalid-argument` when an element of `images` is neither. An invalid
/// image is not an error: it is listed in `invalid`, with its code and offset.
#[wasm_bindgen(unchecked_return_type = "Coverage")]
pub fn coverage(
    policy: &Policy,
    #[wasm_bindgen(unchecked_param_type = "(string | CorpusImage)[]")] images: JsValue,
) -> Result<JsValue, JsValue> {
    let corpus = corpus(&images)?;
    let c = policy.inner.coverage(items(&corpus));
    let index = Utf16Index::new(&policy.text);
    js::to_js_via_json(&CoverageJs {
        mode: c.mode,
        images: c.images,
        distinct: c.distinct,
        rewritten: c.rewritten,
        uncovered_count: c.uncovered_count,
        invalid_count: c.invalid_count,
        rules: c
            .rules
            .iter()
            .map(|rule| RuleCoverageJs::new(rule, rule_span(policy, &index, rule.index)))
            .collect(),
        uncovered: &c.uncovered,
        invalid: c
            .invalid
            .iter()
            .map(|i| InvalidImageJs {
                image: &i.image,
                count: i.count,
                error: JsImageError::new(&i.image, &i.error),
                rule: rule_index(i.error.rule()),
                workloads: &i.workloads,
            })
            .collect(),
        disagreements: &c.disagreements,
    })
}

/// A rule as it stands in one of the two policies, its span in UTF-16 code units of that
/// policy's text.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleAtJs<'a> {
    index: usize,
    replace_with: &'a str,
    span: Utf16Span,
}

impl<'a> RuleAtJs<'a> {
    fn new(at: &'a RuleAt, index: &Utf16Index<'_>) -> Self {
        RuleAtJs {
            index: at.index,
            replace_with: &at.replace_with,
            span: Utf16Span::new(index, at.span),
        }
    }
}

/// One rule-level change.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleChangeJs<'a> {
    kind: ChangeKind,
    repository_prefix: &'a str,
    old: Option<RuleAtJs<'a>>,
    new: Option<RuleAtJs<'a>>,
}

/// `diff(oldPolicy, newPolicy, images)`.
#[derive(Serialize)]
struct PolicyDiffJs<'a> {
    rules: Vec<RuleChangeJs<'a>>,
    images: &'a [ImageChange],
    summary: &'a DiffSummary,
}

/// Compares two policies rule by rule (added, removed, changed, with their spans in UTF-16 code
/// units of each policy's text) and image by image over `images`: every image whose result,
/// error or winning prefix changes, and the rule changes that cause it (indexes in `rules`).
/// Each policy is applied in its own match mode.
///
/// # Errors
///
/// An `Error` with code `invalid-argument` when an element of `images` is neither a string nor
/// a `{ image, workload }` object.
#[wasm_bindgen(unchecked_return_type = "PolicyDiff")]
pub fn diff(
    #[wasm_bindgen(js_name = oldPolicy)] old: &Policy,
    #[wasm_bindgen(js_name = newPolicy)] new: &Policy,
    #[wasm_bindgen(unchecked_param_type = "(string | CorpusImage)[]")] images: JsValue,
) -> Result<JsValue, JsValue> {
    let corpus = corpus(&images)?;
    let d = imgrepl::diff::diff(&old.inner, &new.inner, items(&corpus));
    let (old_index, new_index) = (Utf16Index::new(&old.text), Utf16Index::new(&new.text));
    js::to_js_via_json(&PolicyDiffJs {
        rules: d
            .rules
            .iter()
            .map(|c| RuleChangeJs {
                kind: c.kind,
                repository_prefix: &c.repository_prefix,
                old: c.old.as_ref().map(|at| RuleAtJs::new(at, &old_index)),
                new: c.new.as_ref().map(|at| RuleAtJs::new(at, &new_index)),
            })
            .collect(),
        images: &d.images,
        summary: &d.summary,
    })
}

/// An image whose first result a second pass would change.
#[derive(Serialize)]
struct SecondPassJs<'a> {
    image: &'a str,
    count: usize,
    first: &'a str,
    chain: &'a [ChainStep],
    end: ChainEnd,
    /// Why the chain stops, for `invalid-result`: offset in the last result of the chain.
    error: Option<JsImageError>,
    workloads: &'a [String],
    code: Code,
}

/// The images whose result a second pass of `policy` (a reinvoked webhook,
/// `reinvocationPolicy: IfNeeded`) would change, each with its chain of rules and results and
/// how the chain ends (`stable`, `cycle`, `invalid-result`, `limit`).
///
/// # Errors
///
/// An `Error` with code `invalid-argument` when an element of `images` is neither a string nor
/// a `{ image, workload }` object.
#[wasm_bindgen(js_name = secondPass, unchecked_return_type = "SecondPass[]")]
pub fn second_pass(
    policy: &Policy,
    #[wasm_bindgen(unchecked_param_type = "(string | CorpusImage)[]")] images: JsValue,
) -> Result<JsValue, JsValue> {
    let corpus = corpus(&images)?;
    let passes = policy.inner.second_pass(items(&corpus));
    let rows: Vec<SecondPassJs<'_>> = passes
        .iter()
        .map(|p| SecondPassJs {
            image: &p.image,
            count: p.count,
            first: &p.first,
            chain: &p.chain,
            end: p.end,
            error: p.error.as_ref().map(|e| {
                let last = p
                    .chain
                    .last()
                    .map_or(p.first.as_str(), |s| s.result.as_str());
                JsImageError::new(last, e)
            }),
            workloads: &p.workloads,
            code: p.code,
        })
        .collect();
    js::to_js_via_json(&rows)
}

/// One image of a manifest and its workload (`Kind/name`).
#[cfg(feature = "workload")]
#[derive(Serialize)]
struct CorpusImageJs<'a> {
    image: &'a str,
    workload: String,
}

/// The container images of every workload of a manifest (YAML or JSON, one or several
/// documents), in order, each with its workload as `Kind/name`: the corpus `coverage`, `diff`
/// and `secondPass` take, as `imgrepl coverage -f` reads it. Every pod spec is read, whatever
/// policy the objects carry; documents that cannot be read give no image.
///
/// # Errors
///
/// An `Error` with the input's code when the manifest as a whole cannot be read (too large).
#[cfg(feature = "workload")]
#[wasm_bindgen(js_name = manifestImages, unchecked_return_type = "CorpusImage[]")]
pub fn manifest_images(text: &str) -> Result<JsValue, JsValue> {
    // A policy of the caller stands in for every annotation, so that every pod spec's
    // containers are listed; an empty one rewrites nothing.
    let stand_in = imgrepl::Policy::from_json("[]")
        .map_err(|e| JsValue::from(js::error("internal", &e.to_string())))?;
    let options = imgrepl_k8s::Options::new()
        .policy(&stand_in)
        .check_pulls(false);
    let edited = imgrepl_manifest::edit(text.as_bytes(), &options)
        .map_err(|e| JsValue::from(js::error(e.code(), &e.to_string())))?;
    let mut out = Vec::new();
    for object in edited.documents.iter().flat_map(|d| &d.objects) {
        let Ok(report) = &object.outcome else {
            continue;
        };
        let workload = object.label();
        for image in report.containers.iter().filter_map(|c| c.before.as_deref()) {
            out.push(CorpusImageJs {
                image,
                workload: workload.clone(),
            });
        }
    }
    js::to_js_via_json(&out)
}
