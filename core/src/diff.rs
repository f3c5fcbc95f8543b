//! What changes between two policies: rule by rule, and image by image over a corpus
//! ([`diff`]).
//!
//! Rules are compared by `repositoryPrefix` (unique in a valid policy): a prefix only in the new
//! policy is *added*, only in the old one *removed*, in both with another `replaceWith`
//! *changed*. A rule that only moves is not a change: the order of the rules never matters.
//! An image changes when its result, its error, or the prefix of its winning rule differs; the
//! rule changes that cause it are those of its old and its new winning prefix.

use std::collections::HashMap;

use serde::Serialize;

use crate::corpus::{CorpusItem, Distinct};
use crate::{Code, Policy, RuleId, Span};

/// How a rule changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// The prefix is only in the new policy.
    Added,
    /// The prefix is only in the old policy.
    Removed,
    /// The prefix is in both, with another `replaceWith`.
    Changed,
}

/// A rule as it stands in one of the two policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RuleAt {
    /// Its index.
    pub index: usize,
    /// Its `replaceWith`.
    pub replace_with: String,
    /// The byte span of its object in that policy's text ([`Policy::rule_span`]).
    pub span: Span,
}

/// One rule-level change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RuleChange {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The prefix the rule has in both policies.
    pub repository_prefix: String,
    /// The rule in the old policy (`None` when added).
    pub old: Option<RuleAt>,
    /// The rule in the new policy (`None` when removed).
    pub new: Option<RuleAt>,
}

/// What one policy does with an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiffOutcome {
    /// The resulting image (the image itself when no rule matches); `None` on error.
    pub result: Option<String>,
    /// The winning rule's index.
    pub rule: Option<RuleId>,
    /// The winning rule's prefix.
    pub prefix: Option<String>,
    /// Why the image is left as it is, when it or its result is invalid.
    pub error: Option<Code>,
}

impl DiffOutcome {
    fn of(policy: &Policy, image: &str) -> DiffOutcome {
        match policy.rewrite(image) {
            Ok(r) => DiffOutcome {
                prefix: r
                    .rule
                    .and_then(|id| policy.rule(id))
                    .map(|rule| rule.repository_prefix().to_owned()),
                rule: r.rule,
                result: Some(r.image.into_owned()),
                error: None,
            },
            Err(e) => DiffOutcome {
                result: None,
                prefix: e
                    .rule()
                    .and_then(|id| policy.rule(id))
                    .map(|rule| rule.repository_prefix().to_owned()),
                rule: e.rule(),
                error: Some(e.code()),
            },
        }
    }

    /// Equal results, errors and winning prefixes (the index may move).
    fn same(&self, other: &DiffOutcome) -> bool {
        self.result == other.result && self.error == other.error && self.prefix == other.prefix
    }
}

/// An image whose outcome changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageChange {
    /// The image, as written.
    pub image: String,
    /// Its occurrences in the corpus.
    pub count: usize,
    /// What the old policy does with it.
    pub old: DiffOutcome,
    /// What the new policy does with it.
    pub new: DiffOutcome,
    /// The indexes in [`PolicyDiff::rules`] of the rule changes that cause it (empty only when
    /// the two policies differ in match mode alone).
    pub causes: Vec<usize>,
    /// Up to [`EXAMPLES`](crate::corpus::EXAMPLES) workloads it is in.
    pub workloads: Vec<String>,
}

/// The counts of a [`PolicyDiff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiffSummary {
    /// Rules added.
    pub added: usize,
    /// Rules removed.
    pub removed: usize,
    /// Rules changed.
    pub changed: usize,
    /// Rules in both, unchanged.
    pub unchanged: usize,
    /// Images of the corpus (occurrences).
    pub images: usize,
    /// Images whose outcome changes (occurrences).
    pub images_changed: usize,
    /// Distinct images whose outcome changes.
    pub distinct_changed: usize,
}

/// What changes from one policy to another ([`diff`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PolicyDiff {
    /// Rule-level changes: removed and changed in the old policy's order, then added in the
    /// new policy's order.
    pub rules: Vec<RuleChange>,
    /// Every distinct image whose outcome changes, in the corpus's order.
    pub images: Vec<ImageChange>,
    /// The counts.
    pub summary: DiffSummary,
}

impl PolicyDiff {
    /// Whether nothing changes: no rule, no image.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.images.is_empty()
    }
}

/// Compares two policies rule by rule, and image by image over `images` (each policy in its own
/// match mode). Each distinct image is rewritten once by each policy.
///
/// ```
/// use imgrepl::{Policy, diff::{self, ChangeKind}};
///
/// let old = Policy::from_json(r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"}]"#)?;
/// let new = Policy::from_json(r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
///   {"repositoryPrefix": "harbor.domain/team", "replaceWith": "m.io/team"}]"#)?;
/// let d = diff::diff(&old, &new, ["harbor.domain/team/app:1", "harbor.domain/db", "nginx"]);
/// assert_eq!(d.rules[0].kind, ChangeKind::Added);
/// assert_eq!(d.images.len(), 1);
/// assert_eq!(d.images[0].old.result.as_deref(), Some("m.io/org1/team/app:1"));
/// assert_eq!(d.images[0].new.result.as_deref(), Some("m.io/team/app:1"));
/// assert_eq!(d.images[0].causes, [0]);
/// assert!(diff::diff(&old, &old, ["harbor.domain/x"]).is_empty());
/// # Ok::<(), imgrepl::PolicyError>(())
/// ```
#[must_use]
pub fn diff<'a, I>(old: &Policy, new: &Policy, images: I) -> PolicyDiff
where
    I: IntoIterator,
    I::Item: Into<CorpusItem<'a>>,
{
    let mut summary = DiffSummary::default();
    let rules = rule_changes(old, new, &mut summary);
    let by_prefix: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, c)| (c.repository_prefix.as_str(), i))
        .collect();
    let distinct = Distinct::new(images);
    summary.images = distinct.total;
    let mut changes = Vec::new();
    for (image, count, examples) in &distinct.items {
        let before = DiffOutcome::of(old, image);
        let after = DiffOutcome::of(new, image);
        if before.same(&after) {
            continue;
        }
        let mut causes: Vec<usize> = [&before.prefix, &after.prefix]
            .into_iter()
            .filter_map(|p| by_prefix.get(p.as_deref()?).copied())
            .collect();
        causes.sort_unstable();
        causes.dedup();
        summary.images_changed += count;
        summary.distinct_changed += 1;
        changes.push(ImageChange {
            image: (*image).to_owned(),
            count: *count,
            old: before,
            new: after,
            causes,
            workloads: examples.iter().map(|s| (*s).to_owned()).collect(),
        });
    }
    PolicyDiff {
        rules,
        images: changes,
        summary,
    }
}

fn rule_changes(old: &Policy, new: &Policy, summary: &mut DiffSummary) -> Vec<RuleChange> {
    let at = |policy: &Policy, index: usize| {
        let id = RuleId(u32::try_from(index).unwrap_or(u32::MAX));
        RuleAt {
            index,
            replace_with: policy
                .rule(id)
                .map(|r| r.replace_with().to_owned())
                .unwrap_or_default(),
            span: policy.rule_span(id).unwrap_or_default(),
        }
    };
    let new_index: HashMap<&str, usize> = new
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.repository_prefix(), i))
        .collect();
    let old_index: HashMap<&str, usize> = old
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.repository_prefix(), i))
        .collect();
    let mut out = Vec::new();
    for (i, rule) in old.rules().iter().enumerate() {
        let prefix = rule.repository_prefix();
        match new_index.get(prefix) {
            None => {
                summary.removed += 1;
                out.push(RuleChange {
                    kind: ChangeKind::Removed,
                    repository_prefix: prefix.to_owned(),
                    old: Some(at(old, i)),
                    new: None,
                });
            }
            Some(&j) => {
                if new.rules().get(j).map(crate::Rule::replace_with) == Some(rule.replace_with()) {
                    summary.unchanged += 1;
                } else {
                    summary.changed += 1;
                    out.push(RuleChange {
                        kind: ChangeKind::Changed,
                        repository_prefix: prefix.to_owned(),
                        old: Some(at(old, i)),
                        new: Some(at(new, j)),
                    });
                }
            }
        }
    }
    for (j, rule) in new.rules().iter().enumerate() {
        let prefix = rule.repository_prefix();
        if !old_index.contains_key(prefix) {
            summary.added += 1;
            out.push(RuleChange {
                kind: ChangeKind::Added,
                repository_prefix: prefix.to_owned(),
                old: None,
                new: Some(at(new, j)),
            });
        }
    }
    out
}
