//! Rewriting images by a policy: [`Policy::find`], [`Policy::rewrite_into`],
//! [`Policy::rewrite`] and [`Policy::explain`].
//!
//! `find` is the primitive (parse, then probe the image's `/` boundaries); `rewrite_into` and
//! `rewrite` are thin layers that write `replaceWith` and the rest of the image. A result is
//! checked without a second parse: the rest of the image is valid path components, and a
//! `replaceWith` that passed validation is valid before them in every view, so only lengths can
//! go wrong — the whole reference, and the path as written and as the runtime reads it
//! (normalized: `org/app` is `docker.io/org/app`), see `result_parts`.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::policy::{MatchMode, Policy, Rule, RuleId};
use crate::reference::{
    MAX_IMAGE_BYTES, NAME_TOTAL_LENGTH_MAX, ParseError, ParseErrorKind, Reference,
    parse_with_slashes,
};
use crate::{Code, Span};

/// A match: the rule, and the length of the image's prefix it matched.
///
/// `prefix_len` is 0 for the empty-prefix rule; otherwise `image[..prefix_len]` is the rule's
/// prefix and `image[prefix_len]` is a `/`.
///
/// ```
/// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "a.io/team", "replaceWith": "m.io"}]"#)?;
/// let m = policy.find("a.io/team/app:1")?.unwrap();
/// assert_eq!((m.rule.index(), m.prefix_len), (0, 9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Match {
    /// The rule that matched.
    pub rule: RuleId,
    /// The length of the matched prefix in the image.
    pub prefix_len: usize,
}

/// The result of [`Policy::rewrite`]: the image (borrowed when unchanged) and the rule applied.
///
/// Serialized as `{"image", "rule": index | null}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Rewritten<'a> {
    /// The resulting image.
    pub image: Cow<'a, str>,
    /// The rule that rewrote it, `None` when no rule matched.
    pub rule: Option<RuleId>,
}

impl Rewritten<'_> {
    /// The same result, owning its image.
    #[must_use]
    pub fn into_owned(self) -> Rewritten<'static> {
        Rewritten {
            image: Cow::Owned(self.image.into_owned()),
            rule: self.rule,
        }
    }

    /// Whether a rule rewrote the image.
    #[must_use]
    pub fn changed(&self) -> bool {
        self.rule.is_some()
    }
}

/// Why an image was not rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RewriteErrorKind {
    /// The image is not a valid reference.
    InvalidImage,
    /// A rule matched, but its result would not be a valid reference.
    InvalidResult,
}

/// An image that could not be rewritten: invalid itself, or invalid once rewritten.
///
/// ```
/// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#)?;
/// let err = policy.rewrite("Nginx").unwrap_err();
/// assert_eq!(err.code(), imgrepl::Code::Uppercase);
/// assert_eq!(err.offset(), 0);
/// assert_eq!(
///     serde_json::to_string(&err)?,
///     r#"{"code":"uppercase","message":"invalid image: repository name must be lowercase: uppercase letter in repository path at byte 0","offset":0,"rule":null}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RewriteError {
    kind: RewriteErrorKind,
    error: ParseError,
    rule: Option<RuleId>,
}

impl RewriteError {
    pub(crate) fn invalid_image(error: ParseError) -> Self {
        RewriteError {
            kind: RewriteErrorKind::InvalidImage,
            error,
            rule: None,
        }
    }

    /// Whether the image or the result is invalid.
    #[must_use]
    pub fn kind(&self) -> RewriteErrorKind {
        self.kind
    }

    /// A stable code: the [`ParseErrorKind`] code for an invalid image,
    /// [`Code::InvalidResult`] for a result that would be invalid.
    #[must_use]
    pub fn code(&self) -> Code {
        match self.kind {
            RewriteErrorKind::InvalidImage => self.error.code(),
            RewriteErrorKind::InvalidResult => Code::InvalidResult,
        }
    }

    /// The whole message (the same as `Display`).
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The byte offset: in the image for an invalid image, in the would-be result otherwise.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.error.offset()
    }

    /// The parse error behind it.
    #[must_use]
    pub fn parse_error(&self) -> &ParseError {
        &self.error
    }

    /// The rule that matched, for an invalid result.
    #[must_use]
    pub fn rule(&self) -> Option<RuleId> {
        self.rule
    }
}

impl fmt::Display for RewriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.rule) {
            (RewriteErrorKind::InvalidResult, Some(rule)) => write!(
                f,
                "rule {} would make an invalid reference: {}",
                rule.index(),
                self.error
            ),
            _ => write!(f, "invalid image: {}", self.error),
        }
    }
}

// `{"code", "message", "offset", "rule"}`.
crate::coded_error!(RewriteError {
    "offset": |e| &e.offset(),
    "rule": |e| &e.rule,
});

/// A rule with its index, as results report the rule that rewrote an image:
/// `{"index", "repositoryPrefix", "replaceWith"}` ([`Policy::applied_rule`]).
///
/// ```
/// use imgrepl::Policy;
///
/// let policy = Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}]"#)?;
/// let id = policy.rewrite("a.io/x")?.rule.unwrap();
/// let rule = policy.applied_rule(id).unwrap();
/// assert_eq!((rule.index, rule.repository_prefix.as_str(), rule.replace_with.as_str()), (0, "a.io", "m.io/a"));
/// assert_eq!(serde_json::to_string(&rule)?, r#"{"index":0,"repositoryPrefix":"a.io","replaceWith":"m.io/a"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AppliedRule {
    /// The rule's index in the policy.
    pub index: usize,
    /// Its `repositoryPrefix`.
    pub repository_prefix: String,
    /// Its `replaceWith`.
    pub replace_with: String,
}

impl Policy {
    /// The rule `id` with its index, owned, as results report it; `None` for an id past this
    /// policy's rules.
    #[must_use]
    pub fn applied_rule(&self, id: RuleId) -> Option<AppliedRule> {
        self.rule(id).map(|rule| AppliedRule {
            index: id.index(),
            repository_prefix: rule.repository_prefix().to_owned(),
            replace_with: rule.replace_with().to_owned(),
        })
    }

    /// Finds the rule that matches `image` in this policy's mode, without allocating.
    ///
    /// # Errors
    ///
    /// A [`RewriteError`] when `image` is not a valid reference.
    pub fn find(&self, image: &str) -> Result<Option<Match>, RewriteError> {
        self.locate(image).map(|(_, m)| m)
    }

    /// Parses `image` and finds its match in this policy's mode, in one pass over the image:
    /// the parser's fast path hands the `/` of the name to the matcher.
    #[inline]
    fn locate<'i>(&self, image: &'i str) -> Result<(Reference<'i>, Option<Match>), RewriteError> {
        let (reference, slashes) =
            parse_with_slashes(image).map_err(RewriteError::invalid_image)?;
        let name = reference.name();
        let found = match slashes {
            Some(slashes) => self.matcher.find_slashes(name, slashes, self.mode),
            None => self.matcher.find(name, self.mode),
        };
        let m = found.map(|(rule, prefix_len)| Match { rule, prefix_len });
        Ok((reference, m))
    }

    fn find_in(&self, reference: &Reference<'_>, mode: MatchMode) -> Option<Match> {
        self.matcher
            .find(reference.name(), mode)
            .map(|(rule, prefix_len)| Match { rule, prefix_len })
    }

    /// Whether the result of match `m` on `image` would be valid.
    pub(crate) fn check_result(
        &self,
        image: &str,
        name_len: usize,
        m: Match,
    ) -> Result<(), RewriteError> {
        self.result_parts(image, name_len, m).map(|_| ())
    }

    /// The two parts of the result, `replaceWith` (with a `/` for the empty prefix) and the rest
    /// of the image; an error when the result would not be valid as the runtime reads it.
    ///
    /// No second parse: the rest of the image is valid path components (and its tag and
    /// digest), and a validated `replaceWith` is valid before them in every view, so only the
    /// lengths can go wrong — the whole reference (at most `MAX_IMAGE_BYTES`) and the path (at
    /// most 255 bytes) as written and as normalized, whose difference depends only on the rule
    /// and on whether one or more components follow (`PrefixLens`). `tests/prop_rewrite.rs`
    /// checks this argument by parsing every result in all three views.
    fn result_parts<'p, 'i>(
        &'p self,
        image: &'i str,
        name_len: usize,
        m: Match,
    ) -> Result<(&'p str, &'static str, &'i str), RewriteError> {
        let replace = self.rule(m.rule).map_or("", Rule::replace_with);
        let (sep, rest) = if m.prefix_len == 0 {
            ("/", image)
        } else {
            ("", image.get(m.prefix_len..).unwrap_or_default())
        };
        // The components after the prefix, which follow `replaceWith` and a '/'.
        let moved_from = if m.prefix_len == 0 {
            0
        } else {
            m.prefix_len + 1
        };
        let moved = name_len - moved_from;
        let lens = self.matcher.replace_lens(m.rule);
        let invalid = |kind, detail, offset| RewriteError {
            kind: RewriteErrorKind::InvalidResult,
            error: ParseError::new(kind, detail, offset),
            rule: Some(m.rule),
        };
        let total = replace.len() + sep.len() + rest.len();
        if total > MAX_IMAGE_BYTES {
            return Err(invalid(
                ParseErrorKind::TooLong,
                "the rewritten image would be longer than 4096 bytes",
                MAX_IMAGE_BYTES,
            ));
        }
        let result_name_len = replace.len() + 1 + moved;
        if lens.written + moved > NAME_TOTAL_LENGTH_MAX {
            return Err(invalid(
                ParseErrorKind::NameTooLong,
                "the rewritten path would be longer than 255 bytes",
                result_name_len - (lens.written + moved - NAME_TOTAL_LENGTH_MAX),
            ));
        }
        // Only a rule whose two normalized lengths differ (`docker.io` alone) needs to know
        // whether one component follows: a short scan of the name, no parse.
        let runtime = if lens.one == lens.many
            || image
                .as_bytes()
                .get(moved_from..name_len)
                .is_some_and(|moved| moved.contains(&b'/'))
        {
            lens.many
        } else {
            lens.one
        };
        if runtime + moved > NAME_TOTAL_LENGTH_MAX {
            // The runtime's reading adds text before the path, so the offset in the result as
            // written is where its 255 bytes of normalized path end.
            return Err(invalid(
                ParseErrorKind::NameTooLong,
                "the rewritten path would be longer than 255 bytes as the runtime reads it \
                 (normalized under docker.io)",
                result_name_len - (runtime + moved - NAME_TOTAL_LENGTH_MAX),
            ));
        }
        Ok((replace, sep, rest))
    }

    /// Rewrites `image` into `out`, returning the rule that matched.
    ///
    /// On success `out` is cleared and receives the result: the rewritten image, or the image
    /// itself when no rule matches. **On error `out` is left exactly as it was** (outputs are
    /// written only on success, the contract of the C layer too). A loop over many images can
    /// reuse one buffer and allocate nothing once it is large enough.
    ///
    /// # Errors
    ///
    /// A [`RewriteError`] when the image, or the result, is not a valid reference.
    ///
    /// ```
    /// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let mut out = String::with_capacity(256);
    /// for image in ["nginx:1", "quay.io/a/b"] {
    ///     policy.rewrite_into(image, &mut out)?;
    ///     println!("{out}");
    /// }
    /// assert_eq!(out, "quay.io/a/b");
    /// assert!(policy.rewrite_into("Bad", &mut out).is_err());
    /// assert_eq!(out, "quay.io/a/b"); // untouched
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rewrite_into(
        &self,
        image: &str,
        out: &mut String,
    ) -> Result<Option<RuleId>, RewriteError> {
        let (reference, m) = self.locate(image)?;
        let Some(m) = m else {
            out.clear();
            out.push_str(image);
            return Ok(None);
        };
        let (replace, sep, rest) = self.result_parts(image, reference.name().len(), m)?;
        out.clear();
        out.reserve(replace.len() + sep.len() + rest.len());
        out.push_str(replace);
        out.push_str(sep);
        out.push_str(rest);
        Ok(Some(m.rule))
    }

    /// Appends the result for `image` to `out` (the image itself when no rule matches or on
    /// error), and returns what happened.
    fn append(&self, image: &str, out: &mut String) -> Result<Option<RuleId>, RewriteError> {
        let found = self.locate(image).and_then(|(r, m)| {
            m.map(|m| {
                self.result_parts(image, r.name().len(), m)
                    .map(|parts| (m.rule, parts))
            })
            .transpose()
        });
        match found {
            Ok(Some((rule, (replace, sep, rest)))) => {
                out.push_str(replace);
                out.push_str(sep);
                out.push_str(rest);
                Ok(Some(rule))
            }
            Ok(None) => {
                out.push_str(image);
                Ok(None)
            }
            Err(e) => {
                out.push_str(image);
                Err(e)
            }
        }
    }

    /// Rewrites many images into one owned result: one output string holding every result
    /// back to back, and per image its range in it and what happened. The only allocations are
    /// the output and the list of items, whatever the number of images; this is what the C
    /// `imgrepl_rewrite_batch`, the Go batch call and JS `rewriteAll` wrap.
    ///
    /// An image that no rule matches, or that cannot be rewritten, keeps its range holding the
    /// image as it was (what a caller leaves in place); its item says why.
    ///
    /// ```
    /// use imgrepl::{Code, Policy};
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
    /// let batch = policy.rewrite_batch(["nginx:1", "quay.io/a/b", "Bad"]);
    /// assert_eq!(batch.output(), "m.io/hub/nginx:1quay.io/a/bBad");
    /// assert_eq!(batch.len(), 3);
    /// assert_eq!(batch.image(0), Some("m.io/hub/nginx:1"));
    /// assert_eq!(batch.items()[0].result.map(|r| r.map(|id| id.index())), Ok(Some(0)));
    /// assert_eq!(batch.items()[1].result, Ok(None));
    /// assert_eq!(batch.items()[2].result.unwrap_err().code(), Code::Uppercase);
    /// # Ok::<(), imgrepl::PolicyError>(())
    /// ```
    #[must_use]
    pub fn rewrite_batch<'i, I>(&self, images: I) -> RewriteBatch
    where
        I: IntoIterator<Item = &'i str>,
    {
        let images = images.into_iter();
        let mut batch = RewriteBatch {
            output: String::new(),
            items: Vec::with_capacity(images.size_hint().0),
        };
        for image in images {
            let start = batch.output.len();
            let result = self.append(image, &mut batch.output);
            batch.items.push(BatchItem {
                span: Span::new(start, batch.output.len()),
                result,
            });
        }
        batch
    }

    /// Rewrites `image`; one allocation when a rule applies, none otherwise.
    ///
    /// # Errors
    ///
    /// A [`RewriteError`] when the image, or the result, is not a valid reference.
    ///
    /// ```
    /// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"}]"#)?;
    /// let r = policy.rewrite("harbor.domain/ubuntu:latest")?;
    /// assert_eq!(r.image, "m.io/org1/ubuntu:latest");
    /// assert_eq!(r.rule.map(|id| id.index()), Some(0));
    /// assert!(!policy.rewrite("quay.io/x/y")?.changed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rewrite<'a>(&self, image: &'a str) -> Result<Rewritten<'a>, RewriteError> {
        let (reference, m) = self.locate(image)?;
        let Some(m) = m else {
            return Ok(Rewritten {
                image: Cow::Borrowed(image),
                rule: None,
            });
        };
        let (replace, sep, rest) = self.result_parts(image, reference.name().len(), m)?;
        let mut out = String::with_capacity(replace.len() + sep.len() + rest.len());
        out.push_str(replace);
        out.push_str(sep);
        out.push_str(rest);
        Ok(Rewritten {
            image: Cow::Owned(out),
            rule: Some(m.rule),
        })
    }

    /// Explains what the policy does with `image`: the candidate rule at each `/` boundary, the
    /// winner in each mode, the result, and why an image is not rewritten — as data
    /// ([`Explanation::outcome`]), with one sentence rendered from it
    /// ([`Explanation::reason`]).
    ///
    /// ```
    /// use imgrepl::rewrite::{Outcome, Via};
    ///
    /// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io"}]"#)?;
    /// let e = policy.explain("harbor.domain/team/app:1");
    /// assert_eq!(e.result.as_deref(), Some("m.io/team/app:1"));
    /// assert_eq!(e.outcome, Outcome::Rewritten { via: Via::LongestPrefix });
    /// assert!(e.modes_disagree); // exact-parent would need the prefix "harbor.domain/team"
    /// assert_eq!(e.candidates.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn explain<'a>(&self, image: &'a str) -> Explanation<'a> {
        let mut e = Explanation {
            image: Cow::Borrowed(image),
            mode: self.mode,
            candidates: Vec::new(),
            rule: None,
            longest_prefix_rule: None,
            exact_parent_rule: None,
            modes_disagree: false,
            result: None,
            error: None,
            outcome: Outcome::InvalidImage,
            reason: String::new(),
        };
        match Reference::parse(image) {
            Err(err) => e.error = Some(RewriteError::invalid_image(err)),
            Ok(reference) => self.explain_valid(image, &reference, &mut e),
        }
        e.reason = e.render_reason();
        e
    }

    /// The data of [`Policy::explain`] for a valid image.
    fn explain_valid<'a>(
        &self,
        image: &'a str,
        reference: &Reference<'a>,
        e: &mut Explanation<'a>,
    ) {
        let name = reference.name();
        let last = name.rfind('/');
        for (k, _) in name.rmatch_indices('/') {
            let prefix = name.get(..k).unwrap_or_default();
            e.candidates.push(Candidate {
                prefix: Cow::Borrowed(prefix),
                rule: self.matcher.lookup(prefix),
                parent: Some(k) == last,
            });
        }
        if last.is_none() {
            e.candidates.push(Candidate {
                prefix: Cow::Borrowed(""),
                rule: self.matcher.empty_rule(),
                parent: true,
            });
        }
        let longest = self.find_in(reference, MatchMode::LongestPrefix);
        let exact = self.find_in(reference, MatchMode::ExactParent);
        e.longest_prefix_rule = longest.map(|m| m.rule);
        e.exact_parent_rule = exact.map(|m| m.rule);
        e.modes_disagree = e.longest_prefix_rule != e.exact_parent_rule;
        let winner = match self.mode {
            MatchMode::LongestPrefix => longest,
            MatchMode::ExactParent => exact,
        };
        e.rule = winner.map(|m| m.rule);
        let Some(m) = winner else {
            e.outcome = if last.is_none() {
                Outcome::NoEmptyPrefixRule
            } else {
                Outcome::NoMatch
            };
            return;
        };
        let via = if m.prefix_len == 0 {
            Via::EmptyPrefix
        } else {
            match self.mode {
                MatchMode::LongestPrefix => Via::LongestPrefix,
                MatchMode::ExactParent => Via::ExactParent,
            }
        };
        match self.result_parts(image, name.len(), m) {
            Ok((replace, sep, rest)) => {
                e.result = Some([replace, sep, rest].concat());
                e.outcome = Outcome::Rewritten { via };
            }
            Err(err) => {
                e.error = Some(err);
                e.outcome = Outcome::InvalidResult { via };
            }
        }
    }
}

/// What happened to an image in [`Policy::explain`], as data: the sentence
/// [`Explanation::reason`] is rendered from it.
///
/// Serialized as `{"kind": "rewritten", "via": "longest-prefix"}` and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// The image is not a valid reference ([`Explanation::error`] says why).
    InvalidImage,
    /// The image has no `/`, and no rule has the empty prefix.
    NoEmptyPrefixRule,
    /// No rule's prefix is one of the candidates (longest-prefix mode), or the parent path
    /// (exact-parent mode).
    NoMatch,
    /// [`Explanation::rule`] rewrote the image into [`Explanation::result`].
    Rewritten {
        /// Why that rule.
        via: Via,
    },
    /// [`Explanation::rule`] matches, but its result would be invalid ([`Explanation::error`]).
    InvalidResult {
        /// Why that rule.
        via: Via,
    },
}

/// Why a rule is the one that matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Via {
    /// The image has no `/`, so the rule with the empty prefix applies.
    EmptyPrefix,
    /// Its prefix is the longest that starts the image at a `/`.
    LongestPrefix,
    /// Its prefix is the image's parent path.
    ExactParent,
}

impl Explanation<'_> {
    /// The same explanation, owning its text.
    #[must_use]
    pub fn into_owned(self) -> Explanation<'static> {
        Explanation {
            image: Cow::Owned(self.image.into_owned()),
            candidates: self
                .candidates
                .into_iter()
                .map(|c| Candidate {
                    prefix: Cow::Owned(c.prefix.into_owned()),
                    rule: c.rule,
                    parent: c.parent,
                })
                .collect(),
            mode: self.mode,
            rule: self.rule,
            longest_prefix_rule: self.longest_prefix_rule,
            exact_parent_rule: self.exact_parent_rule,
            modes_disagree: self.modes_disagree,
            result: self.result,
            error: self.error,
            outcome: self.outcome,
            reason: self.reason,
        }
    }

    /// The prefix of the candidate that `rule` has (each rule has one prefix).
    fn prefix_of(&self, rule: Option<RuleId>) -> &str {
        self.candidates
            .iter()
            .find(|c| c.rule.is_some() && c.rule == rule)
            .map_or("", |c| &c.prefix)
    }

    /// The one sentence of [`Explanation::reason`], from the data alone.
    fn render_reason(&self) -> String {
        let error = || self.error.map(|e| e.to_string()).unwrap_or_default();
        let why = |via: Via| match via {
            Via::EmptyPrefix => {
                "the image has no '/', so the rule with the empty prefix applies".to_owned()
            }
            Via::LongestPrefix => format!(
                "its prefix {:?} is the longest that starts the image at a '/'",
                self.prefix_of(self.rule)
            ),
            Via::ExactParent => format!(
                "its prefix {:?} is the image's parent path",
                self.prefix_of(self.rule)
            ),
        };
        let index = self.rule.map(RuleId::index).unwrap_or_default();
        let mut reason = match self.outcome {
            Outcome::InvalidImage => return format!("left as it is: {}", error()),
            Outcome::NoEmptyPrefixRule => {
                "not rewritten: the image has no '/', and no rule has the empty prefix".to_owned()
            }
            Outcome::NoMatch => match self.mode {
                MatchMode::LongestPrefix => format!(
                    "not rewritten: no rule's prefix is one of {}",
                    quoted_list(self.candidates.iter().map(|c| &*c.prefix))
                ),
                MatchMode::ExactParent => format!(
                    "not rewritten: no rule's prefix is the image's parent path {:?}",
                    self.candidates
                        .iter()
                        .find(|c| c.parent)
                        .map_or("", |c| &c.prefix)
                ),
            },
            Outcome::Rewritten { via } => format!("rewritten by rule {index}: {}", why(via)),
            Outcome::InvalidResult { via } => format!(
                "rule {index} matches ({}), but left as it is: {}",
                why(via),
                error()
            ),
        };
        if self.modes_disagree {
            let (other, rule) = match self.mode {
                MatchMode::LongestPrefix => (MatchMode::ExactParent, self.exact_parent_rule),
                MatchMode::ExactParent => (MatchMode::LongestPrefix, self.longest_prefix_rule),
            };
            let by = rule.map_or_else(|| "no rule".to_owned(), |id| format!("rule {}", id.index()));
            let _ = write!(reason, "; in {other} mode {by} would apply");
        }
        reason
    }
}

/// `"a", "b" or "c"`.
fn quoted_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(|s| format!("{s:?}")).collect();
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The result of [`Policy::rewrite_batch`]: one output string, and per image its range in it
/// and what happened.
///
/// Serialized as `{"output", "items": [{"span": {"start", "end"}, "rule": index | null,
/// "error": RewriteError | null}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RewriteBatch {
    output: String,
    items: Vec<BatchItem>,
}

/// One image of a [`RewriteBatch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct BatchItem {
    /// The byte range of this image's result in [`RewriteBatch::output`].
    pub span: Span,
    /// The rule that rewrote it (`None`: no rule matched), or why it is left as it is.
    pub result: Result<Option<RuleId>, RewriteError>,
}

impl RewriteBatch {
    /// Every result, back to back.
    #[must_use]
    pub fn output(&self) -> &str {
        &self.output
    }

    /// One item per image, in the order given.
    #[must_use]
    pub fn items(&self) -> &[BatchItem] {
        &self.items
    }

    /// The number of images.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no images.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The result of image `i`: the rewritten image, or the image as it was.
    #[must_use]
    pub fn image(&self, i: usize) -> Option<&str> {
        let span = self.items.get(i)?.span;
        self.output.get(span.start..span.end)
    }

    /// Each image's result text and outcome, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &BatchItem)> {
        self.items.iter().map(|item| {
            (
                self.output
                    .get(item.span.start..item.span.end)
                    .unwrap_or_default(),
                item,
            )
        })
    }

    /// The output and the items, taken apart.
    #[must_use]
    pub fn into_parts(self) -> (String, Vec<BatchItem>) {
        (self.output, self.items)
    }
}

impl Serialize for BatchItem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("BatchItem", 3)?;
        s.serialize_field("span", &self.span)?;
        match &self.result {
            Ok(rule) => {
                s.serialize_field("rule", rule)?;
                s.serialize_field("error", &None::<RewriteError>)?;
            }
            Err(e) => {
                s.serialize_field("rule", &e.rule())?;
                s.serialize_field("error", e)?;
            }
        }
        s.end()
    }
}

impl Serialize for RewriteBatch {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("RewriteBatch", 2)?;
        s.serialize_field("output", &self.output)?;
        s.serialize_field("items", &self.items)?;
        s.end()
    }
}

/// One `/` boundary of an image and the rule whose prefix it is, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Candidate<'a> {
    /// The image up to this boundary (`""` for an image without `/`: the empty prefix).
    pub prefix: Cow<'a, str>,
    /// The rule with exactly this prefix.
    pub rule: Option<RuleId>,
    /// Whether this boundary is the image's parent path (what exact-parent mode compares).
    pub parent: bool,
}

/// What a policy does with one image, and why ([`Policy::explain`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Explanation<'a> {
    /// The image.
    pub image: Cow<'a, str>,
    /// The policy's mode.
    pub mode: MatchMode,
    /// Every `/` boundary, longest first, with the rule whose prefix it is.
    pub candidates: Vec<Candidate<'a>>,
    /// The winning rule in the policy's mode.
    pub rule: Option<RuleId>,
    /// The winner in longest-prefix mode.
    pub longest_prefix_rule: Option<RuleId>,
    /// The winner in exact-parent mode.
    pub exact_parent_rule: Option<RuleId>,
    /// Whether the two modes pick different rules.
    pub modes_disagree: bool,
    /// The rewritten image, when a rule applies.
    pub result: Option<String>,
    /// Why the image was left as it is, when it is invalid or the result would be.
    pub error: Option<RewriteError>,
    /// What happened, as data.
    pub outcome: Outcome,
    /// One sentence that says what happens and why, rendered from the data above.
    pub reason: String,
}
