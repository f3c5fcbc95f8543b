//! A policy over a corpus of images: which rules win, which are dead, which images nothing covers
//! ([`Policy::coverage`]), and what a second pass would change ([`Policy::second_pass`]).
//!
//! Both read each distinct image once and probe only its own `/` boundaries in the policy's
//! prefix index, so their cost is linear in the number of images times their path depth, and
//! does not grow with the number of rules.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::Serialize;

use crate::rewrite::RewriteError;
use crate::{Code, MatchMode, Policy, Reference, RuleId};

/// How many example workloads are kept per image and per registry.
pub const EXAMPLES: usize = 3;

/// One image of a corpus, and the workload it was found in (for examples in reports).
///
/// ```
/// use imgrepl::corpus::CorpusItem;
///
/// let item = CorpusItem::from(("nginx:1", "Deployment/web"));
/// assert_eq!((item.image, item.workload), ("nginx:1", Some("Deployment/web")));
/// assert_eq!(CorpusItem::from("nginx:1").workload, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CorpusItem<'a> {
    /// The image reference, as written.
    pub image: &'a str,
    /// Where it was found (e.g. `Deployment/web`), when known.
    pub workload: Option<&'a str>,
}

impl<'a> From<&'a str> for CorpusItem<'a> {
    fn from(image: &'a str) -> Self {
        CorpusItem {
            image,
            workload: None,
        }
    }
}

impl<'a> From<&'a String> for CorpusItem<'a> {
    fn from(image: &'a String) -> Self {
        CorpusItem::from(image.as_str())
    }
}

impl<'a> From<(&'a str, &'a str)> for CorpusItem<'a> {
    fn from((image, workload): (&'a str, &'a str)) -> Self {
        CorpusItem {
            image,
            workload: Some(workload),
        }
    }
}

impl<'a> From<(&'a str, Option<&'a str>)> for CorpusItem<'a> {
    fn from((image, workload): (&'a str, Option<&'a str>)) -> Self {
        CorpusItem { image, workload }
    }
}

/// The distinct images of a corpus, in first-seen order, with their counts and examples.
pub(crate) struct Distinct<'a> {
    pub(crate) items: Vec<(&'a str, usize, Vec<&'a str>)>,
    pub(crate) total: usize,
}

impl<'a> Distinct<'a> {
    pub(crate) fn new<I>(images: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<CorpusItem<'a>>,
    {
        let mut index: HashMap<&'a str, usize> = HashMap::new();
        let mut items: Vec<(&'a str, usize, Vec<&'a str>)> = Vec::new();
        let mut total = 0;
        for item in images {
            let item: CorpusItem<'a> = item.into();
            total += 1;
            let slot = match index.entry(item.image) {
                Entry::Occupied(e) => *e.get(),
                Entry::Vacant(e) => {
                    items.push((item.image, 0, Vec::new()));
                    *e.insert(items.len() - 1)
                }
            };
            if let Some((_, count, examples)) = items.get_mut(slot) {
                *count += 1;
                if let Some(w) = item.workload
                    && examples.len() < EXAMPLES
                    && !examples.contains(&w)
                {
                    examples.push(w);
                }
            }
        }
        Distinct { items, total }
    }
}

fn owned(examples: &[&str]) -> Vec<String> {
    examples.iter().map(|s| (*s).to_owned()).collect()
}

/// Whether a rule wins images of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RuleStatus {
    /// It wins at least one image.
    Wins,
    /// It wins none, but matches some: a longer prefix wins each ([`Code::ShadowedRule`]).
    Shadowed,
    /// It matches no image at all ([`Code::DeadRule`]).
    Dead,
}

/// One rule over the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RuleCoverage {
    /// The rule's index in the policy.
    pub index: usize,
    /// Its `repositoryPrefix`.
    pub repository_prefix: String,
    /// Its `replaceWith`.
    pub replace_with: String,
    /// The images (occurrences) it wins.
    pub wins: usize,
    /// The images (occurrences) it matches but another rule wins.
    pub shadowed: usize,
    /// Whether it wins, is shadowed or is dead.
    pub status: RuleStatus,
    /// [`Code::ShadowedRule`] or [`Code::DeadRule`] for a rule that never wins.
    pub code: Option<Code>,
}

impl RuleCoverage {
    /// Whether the rule wins no image of the corpus (shadowed or dead).
    #[must_use]
    pub fn never_wins(&self) -> bool {
        self.wins == 0
    }
}

/// A distinct image, how often it occurs, and example workloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageCount {
    /// The image, as written.
    pub image: String,
    /// Its occurrences.
    pub count: usize,
    /// Up to [`EXAMPLES`] workloads it is in.
    pub workloads: Vec<String>,
}

/// Images no rule matches, from one registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RegistryGroup {
    /// The domain as written (`None` when the image has none, e.g. `nginx`; the grammar as
    /// written reads `team/app`'s first component as its domain, `team`).
    pub registry: Option<String>,
    /// The domain as the runtime reads it (`docker.io` for `nginx`); `None` when the
    /// normalized view rejects the image.
    pub normalized: Option<String>,
    /// The images (occurrences).
    pub count: usize,
    /// Every distinct image, most frequent first.
    pub images: Vec<ImageCount>,
    /// Up to [`EXAMPLES`] workloads with such images.
    pub workloads: Vec<String>,
    /// [`Code::UncoveredImage`].
    pub code: Code,
    /// A rule whose prefix names this registry another way (the port trap): left out when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near: Option<NearRule>,
}

/// How a rule's prefix and an uncovered registry differ while naming what users take for one
/// registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NearKind {
    /// Only by the port (`harbor.domain` and `harbor.domain:5000`): two registries by the
    /// grammar, and to the runtime.
    Port,
    /// Another spelling of Docker Hub (`docker.io`, `index.docker.io`, `registry-1.docker.io`,
    /// or no domain): the prefix is matched as written.
    DockerHub,
}

/// A rule near an uncovered registry: what `coverage` says beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NearRule {
    /// The rule's index.
    pub rule: usize,
    /// Its prefix.
    pub repository_prefix: String,
    /// How it differs.
    pub kind: NearKind,
    /// What to say beside the registry ([`NearRule::message`]), so every front door says the
    /// same.
    pub message: String,
}

impl NearRule {
    fn new(rule: usize, repository_prefix: &str, kind: NearKind) -> NearRule {
        let mut near = NearRule {
            rule,
            repository_prefix: repository_prefix.to_owned(),
            kind,
            message: String::new(),
        };
        near.message = near.message();
        near
    }

    /// What to say beside the registry.
    ///
    /// ```
    /// use imgrepl::Policy;
    ///
    /// let policy = Policy::from_json(r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/h"}]"#)?;
    /// let c = policy.coverage(["harbor.domain:5000/team/app"]);
    /// let near = c.uncovered[0].near.as_ref().unwrap();
    /// assert_eq!(near.message(), "rule 0 (\"harbor.domain\") differs only by the port: another registry to the runtime");
    /// # Ok::<(), imgrepl::PolicyError>(())
    /// ```
    #[must_use]
    pub fn message(&self) -> String {
        let why = match self.kind {
            NearKind::Port => "differs only by the port: another registry to the runtime",
            NearKind::DockerHub => "spells Docker Hub another way: prefixes match as written",
        };
        format!("rule {} ({:?}) {why}", self.rule, self.repository_prefix)
    }
}

/// The domain of a prefix or an image as written: its first component when it reads as one
/// (a `.` or `:`, or `localhost`), else `None` (Docker Hub's short form).
fn domain_of(text: &str) -> Option<&str> {
    let first = text.split('/').next()?;
    (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
}

/// Whether a domain as written (`None`: none) is a spelling of Docker Hub.
fn is_docker_hub(domain: Option<&str>) -> bool {
    matches!(
        domain,
        None | Some("docker.io" | "index.docker.io" | "registry-1.docker.io")
    )
}

/// A host without its port.
fn host(domain: &str) -> &str {
    match domain.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => domain,
    }
}

/// An image that is invalid, or whose rewrite would be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InvalidImage {
    /// The image, as written.
    pub image: String,
    /// Its occurrences.
    pub count: usize,
    /// Why it is left as it is.
    pub error: RewriteError,
    /// Up to [`EXAMPLES`] workloads it is in.
    pub workloads: Vec<String>,
}

/// An image for which the two match modes pick different rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Disagreement {
    /// The image, as written.
    pub image: String,
    /// Its occurrences.
    pub count: usize,
    /// The winner in longest-prefix mode.
    pub longest_prefix_rule: Option<RuleId>,
    /// The winner in exact-parent mode.
    pub exact_parent_rule: Option<RuleId>,
    /// Up to [`EXAMPLES`] workloads it is in.
    pub workloads: Vec<String>,
    /// [`Code::ModesDisagree`].
    pub code: Code,
}

/// What a policy does over a corpus of images ([`Policy::coverage`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Coverage {
    /// The policy's match mode (wins and shadows are counted in it).
    pub mode: MatchMode,
    /// The images of the corpus (occurrences).
    pub images: usize,
    /// The distinct images.
    pub distinct: usize,
    /// The images a rule rewrites.
    pub rewritten: usize,
    /// The valid images no rule matches.
    pub uncovered_count: usize,
    /// The images left as they are because they, or their rewrite, are invalid.
    pub invalid_count: usize,
    /// Every rule, in the policy's order.
    pub rules: Vec<RuleCoverage>,
    /// The images no rule matches, by registry, largest group first.
    pub uncovered: Vec<RegistryGroup>,
    /// The invalid images, most frequent first.
    pub invalid: Vec<InvalidImage>,
    /// The images where exact-parent and longest-prefix disagree, most frequent first.
    pub disagreements: Vec<Disagreement>,
}

impl Coverage {
    /// The rules that win no image (shadowed or dead).
    pub fn never_winning(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.rules.iter().filter(|r| r.never_wins())
    }
}

/// The uncovered images by (domain as written, normalized domain).
type Groups<'a> = HashMap<(Option<&'a str>, Option<String>), RegistryGroup>;

/// Adds an image no rule matches to its registry's group.
fn add_uncovered<'a>(
    groups: &mut Groups<'a>,
    image: &str,
    reference: &Reference<'a>,
    count: usize,
    examples: &[&str],
) {
    let normalized = Reference::parse_normalized(image)
        .ok()
        .and_then(|n| n.domain().map(str::to_owned));
    let group = groups
        .entry((reference.domain(), normalized.clone()))
        .or_insert_with(|| RegistryGroup {
            registry: reference.domain().map(str::to_owned),
            normalized,
            count: 0,
            images: Vec::new(),
            workloads: Vec::new(),
            code: Code::UncoveredImage,
            near: None,
        });
    group.count += count;
    for w in examples {
        if group.workloads.len() < EXAMPLES && !group.workloads.iter().any(|g| g == w) {
            group.workloads.push((*w).to_owned());
        }
    }
    group.images.push(ImageCount {
        image: image.to_owned(),
        count,
        workloads: owned(examples),
    });
}

/// The winners of one valid image, and every rule it matches.
struct Probe {
    longest: Option<(RuleId, usize)>,
    exact: Option<(RuleId, usize)>,
    /// Every rule whose prefix is a boundary of the image (at most its depth + 1).
    hits: Vec<RuleId>,
}

impl Policy {
    fn probe(&self, name: &str) -> Probe {
        let mut probe = Probe {
            longest: None,
            exact: None,
            hits: Vec::new(),
        };
        let mut first = true;
        for (k, _) in name.rmatch_indices('/') {
            if let Some(id) = name.get(..k).and_then(|p| self.matcher.lookup(p)) {
                probe.hits.push(id);
                if probe.longest.is_none() {
                    probe.longest = Some((id, k));
                }
                if first {
                    probe.exact = Some((id, k));
                }
            }
            first = false;
        }
        if first && let Some(id) = self.matcher.empty_rule() {
            probe.hits.push(id);
            probe.longest = Some((id, 0));
            probe.exact = Some((id, 0));
        }
        probe
    }

    /// Runs the policy over a corpus of images: per rule the images it wins and those it
    /// matches but loses to a longer prefix; the images no rule matches, grouped by registry
    /// (as written and normalized); the invalid images; and where the two match modes disagree.
    ///
    /// Each distinct image is parsed once and only its own `/` boundaries are probed: the cost
    /// is linear in images × path depth, whatever the number of rules.
    ///
    /// ```
    /// use imgrepl::{Code, Policy, corpus::RuleStatus};
    ///
    /// let policy = Policy::from_json(r#"[
    ///   {"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
    ///   {"repositoryPrefix": "harbor.domain/team", "replaceWith": "m.io/team"},
    ///   {"repositoryPrefix": "harbour.domain", "replaceWith": "m.io/typo"}
    /// ]"#)?;
    /// let c = policy.coverage([("harbor.domain/team/app:1", "Deployment/web"), ("nginx", "Pod/p"), ("harbor.domain/db", "Pod/q")]);
    /// assert_eq!((c.rules[0].wins, c.rules[0].shadowed), (1, 1));
    /// assert_eq!(c.rules[1].status, RuleStatus::Wins);
    /// assert_eq!(c.rules[2].code, Some(Code::DeadRule));
    /// assert_eq!(c.uncovered[0].normalized.as_deref(), Some("docker.io"));
    /// assert_eq!(c.uncovered[0].workloads, ["Pod/p"]);
    /// assert!(c.disagreements.is_empty()); // each image's winner is its parent path
    /// # Ok::<(), imgrepl::PolicyError>(())
    /// ```
    #[must_use]
    pub fn coverage<'a, I>(&self, images: I) -> Coverage
    where
        I: IntoIterator,
        I::Item: Into<CorpusItem<'a>>,
    {
        let distinct = Distinct::new(images);
        let mut wins = vec![0usize; self.rules.len()];
        let mut shadowed = vec![0usize; self.rules.len()];
        let mut coverage = Coverage {
            mode: self.mode,
            images: distinct.total,
            distinct: distinct.items.len(),
            rewritten: 0,
            uncovered_count: 0,
            invalid_count: 0,
            rules: Vec::new(),
            uncovered: Vec::new(),
            invalid: Vec::new(),
            disagreements: Vec::new(),
        };
        let mut groups: Groups<'_> = HashMap::new();
        for (image, count, examples) in &distinct.items {
            let (image, count) = (*image, *count);
            let reference = match Reference::parse(image) {
                Ok(r) => r,
                Err(e) => {
                    coverage.invalid_count += count;
                    coverage.invalid.push(InvalidImage {
                        image: image.to_owned(),
                        count,
                        error: RewriteError::invalid_image(e),
                        workloads: owned(examples),
                    });
                    continue;
                }
            };
            let probe = self.probe(reference.name());
            let winner = match self.mode {
                MatchMode::LongestPrefix => probe.longest,
                MatchMode::ExactParent => probe.exact,
            };
            for &hit in &probe.hits {
                let slot = if Some(hit) == winner.map(|w| w.0) {
                    &mut wins
                } else {
                    &mut shadowed
                };
                if let Some(n) = slot.get_mut(hit.index()) {
                    *n += count;
                }
            }
            if probe.longest.map(|w| w.0) != probe.exact.map(|w| w.0) {
                coverage.disagreements.push(Disagreement {
                    image: image.to_owned(),
                    count,
                    longest_prefix_rule: probe.longest.map(|w| w.0),
                    exact_parent_rule: probe.exact.map(|w| w.0),
                    workloads: owned(examples),
                    code: Code::ModesDisagree,
                });
            }
            let Some((rule, prefix_len)) = winner else {
                coverage.uncovered_count += count;
                add_uncovered(&mut groups, image, &reference, count, examples);
                continue;
            };
            let m = crate::Match { rule, prefix_len };
            match self.check_result(image, reference.name().len(), m) {
                Ok(()) => coverage.rewritten += count,
                Err(error) => {
                    coverage.invalid_count += count;
                    coverage.invalid.push(InvalidImage {
                        image: image.to_owned(),
                        count,
                        error,
                        workloads: owned(examples),
                    });
                }
            }
        }
        self.finish(&mut coverage, &wins, &shadowed, groups);
        coverage
    }

    /// The first rule whose prefix names `registry` (a domain as written) another way: only by
    /// the port, or another spelling of Docker Hub.
    fn near_rule(&self, registry: Option<&str>) -> Option<NearRule> {
        let registry = registry.and_then(domain_of);
        self.rules.iter().enumerate().find_map(|(index, rule)| {
            let prefix = rule.repository_prefix();
            let domain = domain_of(prefix);
            let kind = match (registry, domain) {
                (a, b) if a == b => return None,
                (a, b) if is_docker_hub(a) && is_docker_hub(b) => NearKind::DockerHub,
                (Some(a), Some(b)) if host(a) == host(b) => NearKind::Port,
                _ => return None,
            };
            Some(NearRule::new(index, prefix, kind))
        })
    }

    /// Per-rule statuses, and every list in its order.
    fn finish(
        &self,
        coverage: &mut Coverage,
        wins: &[usize],
        shadowed: &[usize],
        groups: Groups<'_>,
    ) {
        coverage.rules = self
            .rules
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                let (w, s) = (
                    wins.get(index).copied().unwrap_or_default(),
                    shadowed.get(index).copied().unwrap_or_default(),
                );
                let (status, code) = match (w, s) {
                    (0, 0) => (RuleStatus::Dead, Some(Code::DeadRule)),
                    (0, _) => (RuleStatus::Shadowed, Some(Code::ShadowedRule)),
                    _ => (RuleStatus::Wins, None),
                };
                RuleCoverage {
                    index,
                    repository_prefix: rule.repository_prefix().to_owned(),
                    replace_with: rule.replace_with().to_owned(),
                    wins: w,
                    shadowed: s,
                    status,
                    code,
                }
            })
            .collect();
        let mut uncovered: Vec<RegistryGroup> = groups.into_values().collect();
        for group in &mut uncovered {
            group.near = self.near_rule(group.registry.as_deref());
            group
                .images
                .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.image.cmp(&b.image)));
        }
        uncovered.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.registry.cmp(&b.registry))
                .then_with(|| a.normalized.cmp(&b.normalized))
        });
        coverage.uncovered = uncovered;
        coverage
            .invalid
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.image.cmp(&b.image)));
        coverage
            .disagreements
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.image.cmp(&b.image)));
    }

    /// The images whose result a second pass of this policy (a reinvoked webhook) would change,
    /// with the chain of rules: the result is rewritten again and again until no rule matches,
    /// a result repeats (a cycle), a rewrite would be invalid, or [`MAX_PASSES`] passes.
    ///
    /// Rewriting is applied once, never chained, so this is what the `chained-rule` warning
    /// means for real images.
    ///
    /// ```
    /// use imgrepl::{Policy, corpus::ChainEnd};
    ///
    /// let policy = Policy::from_json(r#"[
    ///   {"repositoryPrefix": "", "replaceWith": "mirror.io/hub"},
    ///   {"repositoryPrefix": "mirror.io", "replaceWith": "cache.io/m"}
    /// ]"#)?;
    /// let passes = policy.second_pass(["nginx:1", "quay.io/a/b"]);
    /// assert_eq!(passes.len(), 1);
    /// let p = &passes[0];
    /// assert_eq!(p.first, "mirror.io/hub/nginx:1");
    /// let chain: Vec<(usize, &str)> = p.chain.iter().map(|s| (s.rule.index(), s.result.as_str())).collect();
    /// assert_eq!(chain, [(0, "mirror.io/hub/nginx:1"), (1, "cache.io/m/hub/nginx:1")]);
    /// assert_eq!(p.end, ChainEnd::Stable);
    /// # Ok::<(), imgrepl::PolicyError>(())
    /// ```
    #[must_use]
    pub fn second_pass<'a, I>(&self, images: I) -> Vec<SecondPass>
    where
        I: IntoIterator,
        I::Item: Into<CorpusItem<'a>>,
    {
        let distinct = Distinct::new(images);
        let mut out = Vec::new();
        for (image, count, examples) in &distinct.items {
            let Ok(first) = self.rewrite(image) else {
                continue;
            };
            let Some(first_rule) = first.rule else {
                continue;
            };
            let first = first.image.into_owned();
            let mut chain = vec![ChainStep {
                rule: first_rule,
                result: first.clone(),
            }];
            let mut end = ChainEnd::Limit;
            let mut error = None;
            while chain.len() <= MAX_PASSES {
                let current = chain.last().map_or("", |s| s.result.as_str());
                match self.rewrite(current) {
                    Ok(next) => match next.rule {
                        None => {
                            end = ChainEnd::Stable;
                            break;
                        }
                        Some(rule) => {
                            let result = next.image.into_owned();
                            let seen =
                                result == **image || chain.iter().any(|s| s.result == result);
                            chain.push(ChainStep { rule, result });
                            if seen {
                                end = ChainEnd::Cycle;
                                break;
                            }
                        }
                    },
                    Err(e) => {
                        end = ChainEnd::InvalidResult;
                        error = Some(e);
                        break;
                    }
                }
            }
            if chain.len() < 2 && error.is_none() {
                continue;
            }
            out.push(SecondPass {
                image: (*image).to_owned(),
                count: *count,
                first,
                chain,
                end,
                error,
                workloads: owned(examples),
                code: Code::SecondPassChange,
            });
        }
        out
    }
}

/// The most passes [`Policy::second_pass`] follows after the first.
pub const MAX_PASSES: usize = 4;

/// One pass of a chain: the rule that matched and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ChainStep {
    /// The rule.
    pub rule: RuleId,
    /// The image after it.
    pub result: String,
}

/// How a chain of passes ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChainEnd {
    /// A pass changes nothing: a fixed point.
    Stable,
    /// A result came back: every pass changes the image, forever.
    Cycle,
    /// The next rewrite would be invalid (e.g. the path grows past 255 bytes).
    InvalidResult,
    /// Still changing after [`MAX_PASSES`] passes.
    Limit,
}

/// An image whose first result a second pass would change ([`Policy::second_pass`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SecondPass {
    /// The image, as written.
    pub image: String,
    /// Its occurrences.
    pub count: usize,
    /// The result of the first pass (what the webhook writes).
    pub first: String,
    /// Every pass, the first included: the rule and its result.
    pub chain: Vec<ChainStep>,
    /// How the chain ends.
    pub end: ChainEnd,
    /// Why the chain stops, for [`ChainEnd::InvalidResult`].
    pub error: Option<RewriteError>,
    /// Up to [`EXAMPLES`] workloads it is in.
    pub workloads: Vec<String>,
    /// [`Code::SecondPassChange`].
    pub code: Code,
}
