//! The rules of a valid policy (docs/DESIGN.md §2.3), each violation reported with its position.

use std::collections::HashMap;

use super::read::{self, Element, Entry, ReadError};
use super::{Code, Diagnostic, Field, MAX_POLICY_BYTES, MatchMode, Policy, Rule, Validation};
use crate::Span;
use crate::matcher::Matcher;
use crate::reference::{DOCKER_HUB_DOMAINS, PrefixLens, name_prefix_lens, name_prefix_path_len};

/// A string field as read: its decoded value and where it stands.
struct Value<'a> {
    text: String,
    raw: &'a str,
    span: Span,
}

impl Value<'_> {
    /// The span of byte `offset` of the decoded string: the character there when the raw JSON
    /// string has no escapes (so offsets line up), the whole value otherwise.
    fn span_at(&self, offset: usize) -> Span {
        let inner = self.raw.get(1..self.raw.len().saturating_sub(1));
        if inner != Some(self.text.as_str()) {
            return self.span;
        }
        let at = self.text.floor_char_boundary(offset);
        let width = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
        let start = self.span.start + 1 + at;
        Span::new(start, (start + width).min(self.span.end))
    }
}

/// A rule object as read: each field when it is a string.
struct Fields<'a> {
    index: usize,
    span: Span,
    prefix: Option<Value<'a>>,
    replace: Option<Value<'a>>,
}

/// A rule whose two fields are strings.
struct ReadRule<'a> {
    index: usize,
    span: Span,
    prefix: Value<'a>,
    replace: Value<'a>,
}

/// A validation that stops at one diagnostic about the whole text.
fn invalid(code: Code, message: String, span: Span) -> Validation {
    Validation {
        policy: None,
        diagnostics: vec![Diagnostic::new(code, message, span)],
    }
}

/// Validates an annotation value, bounded by [`MAX_POLICY_BYTES`] when `bounded`.
pub(crate) fn validate_json(json: &str, bounded: bool) -> Validation {
    if bounded && json.len() > MAX_POLICY_BYTES {
        let start = json.floor_char_boundary(MAX_POLICY_BYTES);
        return invalid(
            Code::TooLarge,
            // One message for every size: a reader may stop at the first byte past the limit.
            format!(
                "the policy is larger than {MAX_POLICY_BYTES} bytes (256 KiB), the most an object's annotations may hold"
            ),
            Span::new(start, json.len()),
        );
    }
    let elements = match read::read(json) {
        Ok(elements) => elements,
        Err(ReadError::Syntax(message, span)) => {
            return invalid(
                Code::InvalidJson,
                format!("not valid JSON: {message}"),
                span,
            );
        }
        Err(ReadError::NotArray(kind, span)) => {
            return invalid(
                Code::NotAnArray,
                format!("the policy must be a JSON array of rules, not {kind}"),
                span,
            );
        }
    };
    let mut diags = Vec::new();
    if elements.is_empty() {
        let span = Span::new(json.len() - json.trim_start().len(), json.trim_end().len());
        diags.push(Diagnostic::new(
            Code::EmptyPolicy,
            "the policy has no rules, so it rewrites nothing".to_owned(),
            span,
        ));
    }
    let mut fields = Vec::with_capacity(elements.len());
    for (index, element) in elements.into_iter().enumerate() {
        match element {
            Element::Other { span, kind } => diags.push(
                Diagnostic::new(
                    Code::RuleNotObject,
                    format!(
                        "rule {index} is {kind}; a rule is an object with \"repositoryPrefix\" and \"replaceWith\""
                    ),
                    span,
                )
                .with_rule(index),
            ),
            Element::Object { span, entries } => {
                fields.push(read_rule(index, span, entries, &mut diags));
            }
        }
    }
    // Each field is checked even when its rule has other errors: every violation is reported.
    let mut replace_lens = Vec::with_capacity(fields.len());
    for rule in &fields {
        check_rule(rule, &mut diags, &mut replace_lens);
    }
    check_duplicates(&fields, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        // Warnings about what valid rules do wait for a valid policy, as the other rule
        // warnings do: an invalid policy's report is its errors.
        diags.retain(|d| d.is_error() || d.code() != Code::ImplicitDockerHub);
        diags.sort_by_key(|d| (d.severity, d.span.start));
        return Validation {
            policy: None,
            diagnostics: diags,
        };
    }
    // No error: every rule has both fields.
    let rules: Vec<ReadRule<'_>> = fields
        .into_iter()
        .filter_map(|f| {
            Some(ReadRule {
                index: f.index,
                span: f.span,
                prefix: f.prefix?,
                replace: f.replace?,
            })
        })
        .collect();
    let policy_rules: Vec<Rule> = rules
        .iter()
        .map(|r| Rule::new(r.prefix.text.clone(), r.replace.text.clone()))
        .collect();
    let matcher = Matcher::new(&policy_rules, &replace_lens);
    warn_docker_hub(&rules, &mut diags);
    warn_chained(&rules, &matcher, &mut diags);
    Validation {
        policy: Some(Policy {
            spans: rules.iter().map(|r| r.span).collect(),
            rules: policy_rules,
            matcher,
            mode: MatchMode::default(),
            warnings: diags.clone(),
        }),
        diagnostics: diags,
    }
}

/// The two known fields.
const FIELDS: [Field; 2] = [Field::RepositoryPrefix, Field::ReplaceWith];

/// Reads one rule object: every duplicate, unknown, missing or mistyped field is reported.
fn read_rule<'a>(
    index: usize,
    span: Span,
    entries: Vec<Entry<'a>>,
    diags: &mut Vec<Diagnostic>,
) -> Fields<'a> {
    // Per field: whether it was seen (its key span), and its value when it is a string.
    let mut seen: [Option<Span>; 2] = [None, None];
    let mut values: [Option<Value<'a>>; 2] = [None, None];
    for entry in entries {
        let Some(slot) = FIELDS.iter().position(|f| f.as_str() == entry.key) else {
            diags.push(unknown_field(index, &entry));
            continue;
        };
        let field = FIELDS[slot];
        if let Some(first) = seen[slot] {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    format!("rule {index} gives \"{field}\" twice"),
                    Span::new(entry.key_span.start, entry.value_span.end),
                )
                .with_rule(index)
                .with_field(field)
                .with_related(first),
            );
            continue;
        }
        seen[slot] = Some(entry.key_span);
        match serde_json::from_str::<String>(entry.value) {
            Ok(text) => {
                values[slot] = Some(Value {
                    text,
                    raw: entry.value,
                    span: entry.value_span,
                });
            }
            Err(_) if entry.value.starts_with('"') => {
                // A string that does not decode: an escape is wrong.
                let escape = read::lone_surrogate(entry.value).unwrap_or(0..entry.value.len());
                let start = entry.value_span.start + escape.start;
                diags.push(
                    Diagnostic::new(
                        Code::InvalidJson,
                        format!(
                            "\"{field}\" of rule {index} is not valid JSON: {}",
                            read::lone_surrogate_message(entry.value, escape.clone())
                        ),
                        Span::new(start, start + escape.len()),
                    )
                    .with_rule(index)
                    .with_field(field),
                );
            }
            Err(_) => diags.push(
                Diagnostic::new(
                    Code::WrongType,
                    format!(
                        "\"{field}\" of rule {index} must be a string, not {}",
                        read::json_type(entry.value)
                    ),
                    entry.value_span,
                )
                .with_rule(index)
                .with_field(field),
            ),
        }
    }
    for (slot, field) in FIELDS.iter().enumerate() {
        if seen[slot].is_none() {
            diags.push(
                Diagnostic::new(
                    Code::MissingField,
                    format!("rule {index} has no \"{field}\""),
                    span,
                )
                .with_rule(index)
                .with_field(*field),
            );
        }
    }
    let [prefix, replace] = values;
    Fields {
        index,
        span,
        prefix,
        replace,
    }
}

/// The diagnostic for a field that is neither of the two, with a suggestion for a likely typo.
fn unknown_field(index: usize, entry: &Entry<'_>) -> Diagnostic {
    let suggestion = FIELDS.iter().find(|f| {
        f.as_str().eq_ignore_ascii_case(&entry.key) || edit_distance(f.as_str(), &entry.key) <= 2
    });
    let message = match suggestion {
        Some(f) => format!(
            "rule {index} has an unknown field {:?}; did you mean \"{f}\"?",
            entry.key
        ),
        None => format!(
            "rule {index} has an unknown field {:?}; a rule has only \"repositoryPrefix\" and \"replaceWith\"",
            entry.key
        ),
    };
    let mut d = Diagnostic::new(Code::UnknownField, message, entry.key_span).with_rule(index);
    crate::pointer::push_token(&mut d.pointer, &entry.key);
    d
}

/// Levenshtein distance, for typo suggestions between short field names.
fn edit_distance(a: &str, b: &str) -> usize {
    if b.len() > 64 {
        return usize::MAX;
    }
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(ca != cb));
            diag = above;
        }
    }
    row[b.len()]
}

/// Checks one rule's values: prefixes valid, replacement not empty, not an identity, and what
/// the runtime reads its results as. Pushes what the replacement contributes to a result's path
/// (zeros when it is missing or invalid) to `replace_lens`.
fn check_rule(rule: &Fields<'_>, diags: &mut Vec<Diagnostic>, replace_lens: &mut Vec<PrefixLens>) {
    let i = rule.index;
    if let Some(prefix) = &rule.prefix
        && !prefix.text.is_empty()
        && let Err(e) = name_prefix_path_len(&prefix.text)
    {
        diags.push(
            Diagnostic::new(
                Code::InvalidPrefix,
                format!(
                    "repositoryPrefix {:?} is not a registry, a registry and path, or a path: {e}",
                    prefix.text
                ),
                prefix.span_at(e.offset()),
            )
            .with_rule(i)
            .with_field(Field::RepositoryPrefix),
        );
    }
    let Some(replace) = &rule.replace else {
        replace_lens.push(PrefixLens::default());
        return;
    };
    let invalid = if replace.text.is_empty() {
        Some((
            "replaceWith must not be empty: it is the registry (and path) that images move to"
                .to_owned(),
            replace.span,
        ))
    } else {
        match name_prefix_lens(&replace.text) {
            Ok((lens, implicit_hub)) => {
                replace_lens.push(lens);
                if implicit_hub {
                    diags.push(implicit_docker_hub(i, replace));
                }
                None
            }
            Err(e) => Some((
                format!(
                    "replaceWith {:?} is not a registry, a registry and path, or a path: {e}",
                    replace.text
                ),
                replace.span_at(e.offset()),
            )),
        }
    };
    if let Some((message, span)) = invalid {
        replace_lens.push(PrefixLens::default());
        diags.push(
            Diagnostic::new(Code::InvalidReplacement, message, span)
                .with_rule(i)
                .with_field(Field::ReplaceWith),
        );
    }
    if let Some(prefix) = &rule.prefix
        && prefix.text == replace.text
    {
        diags.push(
            Diagnostic::new(
                Code::IdentityRule,
                format!("rule {i} replaces {:?} with itself", prefix.text),
                replace.span,
            )
            .with_rule(i)
            .with_field(Field::ReplaceWith)
            .with_related(prefix.span),
        );
    }
}

/// The warning for a `replaceWith` whose results the runtime reads under `docker.io`: its
/// first component is not a registry (no `.` or `:`, not `localhost`).
fn implicit_docker_hub(index: usize, replace: &Value<'_>) -> Diagnostic {
    let r = &replace.text;
    Diagnostic::new(
        Code::ImplicitDockerHub,
        format!(
            "replaceWith {r:?} names no registry: the runtime reads its results as \"docker.io/{r}/…\" \
             (Docker Hub); write the registry first (\"registry.example.com/{r}\"), or \"docker.io/{r}\" \
             if Docker Hub is meant"
        ),
        replace.span,
    )
    .with_rule(index)
    .with_field(Field::ReplaceWith)
}

/// No two rules with the same prefix; the first one is the related span.
fn check_duplicates(rules: &[Fields<'_>], diags: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, (usize, Span)> = HashMap::with_capacity(rules.len());
    for (index, prefix) in rules
        .iter()
        .filter_map(|r| Some((r.index, r.prefix.as_ref()?)))
    {
        match first.get(prefix.text.as_str()) {
            Some(&(earlier, earlier_span)) => diags.push(
                Diagnostic::new(
                    Code::DuplicatePrefix,
                    format!(
                        "rule {index} has the same repositoryPrefix {:?} as rule {earlier}",
                        prefix.text
                    ),
                    prefix.span,
                )
                .with_rule(index)
                .with_field(Field::RepositoryPrefix)
                .with_related(earlier_span),
            ),
            None => {
                first.insert(&prefix.text, (index, prefix.span));
            }
        }
    }
}

fn warn_docker_hub(rules: &[ReadRule<'_>], diags: &mut Vec<Diagnostic>) {
    for rule in rules {
        let text = &rule.prefix.text;
        let first = text.split('/').next().unwrap_or_default();
        // Images written in the familiar form (`nginx`, `team/app`) never carry these domains,
        // and matching is on the image as written.
        if DOCKER_HUB_DOMAINS.contains(&first) {
            diags.push(
                Diagnostic::new(
                    Code::DockerHubPrefix,
                    format!(
                        "images are matched as written, and Docker Hub images are usually written without {first:?} \
                         (\"nginx\", \"team/app\"), so {text:?} never matches them; match those with the empty \
                         prefix (single names) or with their path (\"team\")"
                    ),
                    rule.prefix.span,
                )
                .with_rule(rule.index)
                .with_field(Field::RepositoryPrefix),
            );
        }
    }
}

/// A rule whose results another rule would match: rewriting is applied once, never chained.
fn warn_chained(rules: &[ReadRule<'_>], matcher: &Matcher, diags: &mut Vec<Diagnostic>) {
    // Every proper '/'-boundary prefix of every prefix, so that a prefix that extends a
    // replacement (`R/team` for `R`) is found without a scan.
    let mut extends: HashMap<&str, usize> = HashMap::new();
    for (j, rule) in rules.iter().enumerate() {
        let p = rule.prefix.text.as_str();
        for (k, _) in p.match_indices('/') {
            extends.entry(p.get(..k).unwrap_or_default()).or_insert(j);
        }
    }
    for (i, rule) in rules.iter().enumerate() {
        let r = rule.replace.text.as_str();
        // A rule whose prefix is `r` or a boundary prefix of `r` (the longest wins) …
        let by_prefix = std::iter::once(r.len())
            .chain(r.rmatch_indices('/').map(|(k, _)| k))
            .find_map(|k| r.get(..k).and_then(|p| matcher.lookup(p)))
            .map(super::RuleId::index);
        // … or a rule whose prefix continues `r` with more components.
        let by_extension = extends.get(r).copied();
        let Some(j) = by_prefix.or(by_extension) else {
            continue;
        };
        let Some(other) = rules.get(j) else { continue };
        let by = if i == j {
            "its own prefix".to_owned()
        } else {
            format!("rule {j} ({:?})", other.prefix.text)
        };
        diags.push(
            Diagnostic::new(
                Code::ChainedRule,
                format!(
                    "results of rule {i} ({r:?}/…) are matched by {by}, but rewriting is applied once: \
                     they are not rewritten again (a webhook that is invoked again would rewrite them again)"
                ),
                rule.replace.span,
            )
            .with_rule(rule.index)
            .with_field(Field::ReplaceWith)
            .with_related(other.prefix.span),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("replaceWith", "replaceWith"), 0);
        assert_eq!(edit_distance("replaceWith", "replaceWit"), 1);
        assert_eq!(edit_distance("replaceWith", "replacWiht"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
