//! The CEL expression that rewrites one image by a policy compiled into it ([`expression`]).
//!
//! # The expression
//!
//! Over a string `image`, the expression's value is what `Policy::rewrite` gives: the rewritten
//! image, or `image` unchanged when no rule matches, when `image` is not a valid reference, or
//! when the result would not be valid (as written or as the runtime reads it). Its shape:
//!
//! ```text
//! VALID(image)
//!   ? [ image.startsWith('P1/') && OK1 ? 'R1' + image.substring(len(P1)) : '',   longest prefix first
//!       …,
//!       !image.contains('/') && OK0 ? 'R0/' + image : '',                         the empty prefix
//!       image ].filter(x, x != '')[0]
//!   : image
//! ```
//!
//! - `VALID` is [`crate::grammar::valid`]: the size, the anchored reference grammar and the
//!   path length.
//! - The candidates are in a flat list, longest prefix first, so the first non-empty one is the
//!   longest match (prefixes are unique, so two matches never have the same length), and the
//!   expression nests no deeper with 100 rules than with one. When the longest match's result
//!   would be invalid its element is `image` itself: a shorter prefix is not tried, as in
//!   `Policy::rewrite`.
//! - In exact-parent mode a non-empty prefix must be followed by one component only:
//!   `image.matches('^P/[^/]*$')`.
//! - `OK` checks the result's lengths with constants computed per rule from core's parser
//!   (`Reference::parse` and `Reference::parse_normalized` of `R/x` and `R/x/x`): the result at
//!   most 4096 bytes, its path at most 255 bytes as written and as the runtime reads it
//!   (docs/DESIGN.md §3.5). The part that moves behind `R` is made of path characters, so
//!   "more than `k` bytes move" is the regular expression `^P/[a-z0-9._/-]{k+1}`.
//!
//! # Functions used
//!
//! Only functions of Kubernetes' CEL environment, all with the same meaning in cel-go (what the
//! API server runs) and in the implementation the differential test evaluates with: `size`
//! (string), `startsWith`, `contains`, `matches` (standard CEL), `substring(int)` (the strings
//! extension; indices in code points, equal to bytes here since a valid reference is ASCII),
//! string `+`, `!`, `&&`, `||`, `? :`, list literals, the `filter` macro and list indexing.
//! The regular expressions use only ASCII classes, groups, alternation and repetitions of at
//! most 256, read alike by RE2 and by Rust's `regex`.

use std::fmt::Write as _;

use imgrepl::{MAX_IMAGE_BYTES, MatchMode, Policy, Reference, Rule};

use crate::grammar::{self, PATH_CHARS};

/// The longest path the reference grammar allows, in bytes.
const PATH_MAX: usize = 255;

/// `s` as a CEL string literal in single quotes (`\` and `'` escaped; control characters as
/// `\xHH`, although a valid policy has none).
///
/// ```
/// assert_eq!(imgrepl_export::cel::string(r"a\.b'c"), r"'a\\.b\'c'");
/// ```
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c) & 0xff);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// What a rule's `replaceWith` contributes to the path of its results, in bytes: as written,
/// and as the runtime reads them with one or with several components after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lens {
    written: usize,
    one: usize,
    many: usize,
}

/// The [`Lens`] of a valid `replaceWith`, through core's parser: the path of `R/x` less the
/// `x`, in both views (`R/x/x` for several components).
fn lens(replace_with: &str) -> Lens {
    let path_len = |probe: String, tail: usize| -> usize {
        Reference::parse(&probe).map_or(0, |r| r.path().len().saturating_sub(tail))
    };
    let normalized_len = |probe: String, tail: usize| -> usize {
        Reference::parse_normalized(&probe).map_or(0, |n| n.path().len().saturating_sub(tail))
    };
    let written = path_len(format!("{replace_with}/x"), 1);
    let one = normalized_len(format!("{replace_with}/x"), 1).max(written);
    let many = normalized_len(format!("{replace_with}/x/x"), 3).max(written);
    Lens { written, one, many }
}

/// The condition that the result of `rule` on `image` is valid, given that the rule matches.
fn result_ok(var: &str, rule: &Rule) -> String {
    let prefix = rule.repository_prefix();
    let replace = rule.replace_with();
    let lens = lens(replace);
    // The image grows by `R` (and a `/` for the empty prefix) and loses the prefix.
    let (grow, head) = if prefix.is_empty() {
        (replace.len() + 1, "^".to_owned())
    } else {
        (replace.len(), format!("^{}/", grammar::quote(prefix)))
    };
    let mut conds = Vec::new();
    if grow > prefix.len() {
        let max = (MAX_IMAGE_BYTES + prefix.len()).saturating_sub(grow);
        conds.push(format!("size({var}) <= {max}"));
    }
    // Too many bytes moving behind `R`, whatever follows (the path as written, and as read
    // with several components: `many` is at least `written`).
    match (PATH_MAX + 1).checked_sub(lens.many) {
        Some(k) if k > 0 => conds.push(format!(
            "!{var}.matches({})",
            string(&format!("{head}{PATH_CHARS}{{{k}}}"))
        )),
        _ => return "false".to_owned(),
    }
    // One component moving, read with more in front of it (`docker.io/x` → `library/x`).
    if lens.one > lens.many {
        match (PATH_MAX + 1).checked_sub(lens.one) {
            Some(k) if k > 0 => conds.push(format!(
                "!{var}.matches({})",
                string(&format!("{head}[a-z0-9._-]{{{k},}}(?:[:@].*)?$"))
            )),
            _ => conds.push(format!(
                "!{var}.matches({})",
                string(&format!("{head}[a-z0-9._-]*(?:[:@].*)?$"))
            )),
        }
    }
    conds.join(" && ")
}

/// The candidate element of `rule`: its result when it matches `var`, `''` otherwise.
fn candidate(var: &str, rule: &Rule, mode: MatchMode) -> String {
    let prefix = rule.repository_prefix();
    let replace = rule.replace_with();
    let ok = result_ok(var, rule);
    if prefix.is_empty() {
        return format!(
            "!{var}.contains('/') ? ({ok} ? {} + {var} : {var}) : ''",
            string(&format!("{replace}/"))
        );
    }
    let matches = match mode {
        MatchMode::ExactParent => format!(
            "{var}.matches({})",
            string(&format!("^{}/[^/]*$", grammar::quote(prefix)))
        ),
        _ => format!("{var}.startsWith({})", string(&format!("{prefix}/"))),
    };
    format!(
        "{matches} ? ({ok} ? {} + {var}.substring({}) : {var}) : ''",
        string(replace),
        prefix.chars().count()
    )
}

/// The CEL expression whose value, for a string variable `var`, is `policy.rewrite(var)`'s
/// image: the result, or `var` unchanged when no rule matches or on any error (module docs).
///
/// Lines are separated by `\n` (one candidate per line), so the expression reads in a YAML
/// block scalar.
///
/// ```
/// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}]"#)?;
/// let cel = imgrepl_export::cel::expression(&policy, "image");
/// assert!(cel.contains("image.startsWith('a.io/') ? ("));
/// assert!(cel.ends_with("].filter(x, x != '')[0]\n  : image"));
/// # Ok::<(), imgrepl::PolicyError>(())
/// ```
pub fn expression(policy: &Policy, var: &str) -> String {
    let mut rules: Vec<&Rule> = policy.rules().iter().collect();
    // Longest prefix first; the empty prefix (disjoint from the others) last.
    rules.sort_by(|a, b| {
        b.repository_prefix()
            .len()
            .cmp(&a.repository_prefix().len())
            .then_with(|| a.repository_prefix().cmp(b.repository_prefix()))
    });
    let mut out = String::new();
    let _ = writeln!(out, "{}", grammar::valid(var));
    out.push_str("  ? [\n");
    for rule in rules {
        let _ = writeln!(out, "      {},", candidate(var, rule, policy.mode()));
    }
    let _ = write!(out, "      {var}\n    ].filter(x, x != '')[0]\n  : {var}");
    out
}
