//! The JavaScript shapes of a parsed reference (`ParsedReference`) and of an explanation
//! (`Explanation`).

use imgrepl::rewrite::Outcome;
use imgrepl::{Explanation, MatchMode, Normalized, ParseError, Reference};
use serde::Serialize;

use imgrepl::Code;
use imgrepl::span::Utf16Index;

use crate::js::{JsImageError, rule_index};

/// A parse error: code, the full message, and the offset in UTF-16 code units of the input.
#[derive(Serialize)]
pub(crate) struct ParseErrorJs {
    code: Code,
    message: String,
    offset: usize,
}

impl ParseErrorJs {
    fn new(index: &Utf16Index<'_>, e: &ParseError) -> Self {
        ParseErrorJs {
            code: e.code(),
            message: e.to_string(),
            offset: index.offset(e.offset()),
        }
    }
}

/// The reference as written.
#[derive(Serialize)]
struct WrittenJs<'a> {
    name: &'a str,
    domain: Option<&'a str>,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

/// The normalized view (`ParseNormalizedNamed`).
#[derive(Serialize)]
struct NormalizedJs {
    name: String,
    domain: Option<String>,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
    familiar: String,
    string: String,
}

impl NormalizedJs {
    fn new(n: &Normalized<'_>) -> Self {
        NormalizedJs {
            name: n.name().to_owned(),
            domain: n.domain().map(str::to_owned),
            path: n.path().to_owned(),
            tag: n.tag().map(str::to_owned),
            digest: n.digest().map(str::to_owned),
            familiar: n.familiar().to_owned(),
            string: n.as_str().to_owned(),
        }
    }
}

/// One view: its value, or its error.
#[derive(Serialize)]
struct View<T> {
    ok: bool,
    value: Option<T>,
    error: Option<ParseErrorJs>,
}

impl<T> View<T> {
    fn new<U>(index: &Utf16Index<'_>, r: Result<U, ParseError>, f: impl FnOnce(U) -> T) -> Self {
        match r {
            Ok(v) => View {
                ok: true,
                value: Some(f(v)),
                error: None,
            },
            Err(e) => View {
                ok: false,
                value: None,
                error: Some(ParseErrorJs::new(index, &e)),
            },
        }
    }
}

/// `parseReference(text)`: the three views of one input.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ParsedJs<'a> {
    input: &'a str,
    written: View<WrittenJs<'a>>,
    normalized: View<NormalizedJs>,
    docker_ref: View<String>,
}

impl<'a> ParsedJs<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let index = Utf16Index::new(text);
        ParsedJs {
            input: text,
            written: View::new(&index, Reference::parse(text), |r| WrittenJs {
                name: r.name(),
                domain: r.domain(),
                path: r.path(),
                tag: r.tag(),
                digest: r.digest(),
            }),
            normalized: View::new(&index, Reference::parse_normalized(text), |n| {
                NormalizedJs::new(&n)
            }),
            docker_ref: View::new(&index, Reference::parse_docker_ref(text), |n| {
                n.as_str().to_owned()
            }),
        }
    }
}

/// One `/` boundary of an image and the rule whose prefix it is.
#[derive(Serialize)]
struct CandidateJs<'a> {
    prefix: &'a str,
    rule: Option<usize>,
    parent: bool,
}

/// `policy.explain(image)`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExplanationJs<'a> {
    image: &'a str,
    mode: MatchMode,
    candidates: Vec<CandidateJs<'a>>,
    rule: Option<usize>,
    longest_prefix_rule: Option<usize>,
    exact_parent_rule: Option<usize>,
    modes_disagree: bool,
    result: Option<String>,
    error: Option<JsImageError>,
    outcome: Outcome,
    reason: &'a str,
}

impl<'a> ExplanationJs<'a> {
    pub(crate) fn new(image: &'a str, e: &'a Explanation<'_>) -> Self {
        ExplanationJs {
            image,
            mode: e.mode,
            candidates: e
                .candidates
                .iter()
                .map(|c| CandidateJs {
                    prefix: &c.prefix,
                    rule: rule_index(c.rule),
                    parent: c.parent,
                })
                .collect(),
            rule: rule_index(e.rule),
            longest_prefix_rule: rule_index(e.longest_prefix_rule),
            exact_parent_rule: rule_index(e.exact_parent_rule),
            modes_disagree: e.modes_disagree,
            result: e.result.clone(),
            error: e.error.as_ref().map(|err| JsImageError::new(image, err)),
            outcome: e.outcome,
            reason: &e.reason,
        }
    }
}
