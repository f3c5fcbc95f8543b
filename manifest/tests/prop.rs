//! Property tests: on generated YAML and JSON manifests (comments, anchors and aliases, flow
//! style, block scalars, octal- and boolean-looking scalars, CRLF, a byte order mark, with and
//! without a final newline), the output is the input but for the rewritten image values (byte
//! preservation) and reads as the input with the patch applied (value preservation); every
//! changed image has exactly one edit.

mod common;

use common::{check_bytes, check_values};
use imgrepl::Policy;
use imgrepl_k8s::Options;
use proptest::prelude::*;

const IMAGES: &[&str] = &[
    "nginx",
    "nginx:1.27",
    "harbor.domain/a/b:1",
    "quay.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "registry:5000/team/app",
    "Bad",
    "library/redis:7",
];

/// Scalars that a re-serializer would change: octal-, boolean-, null- and number-looking, and
/// quoted ones.
const TRICKY: &[&str] = &[
    "0400",
    "0755",
    "08",
    "yes",
    "on",
    "Off",
    "y",
    "~",
    "null",
    "1e3",
    "0x1F",
    "1_000",
    ".inf",
    "12345678901234567890123",
    "2001-12-14",
    "1:20",
    "'0644'",
    "\"yes\"",
    "\"a\\tb\"",
    "'it''s'",
    "!!str 0644",
    "!Ref x",
    "[a, 0400, {b: yes}]",
    "{k: 'v', n: 010}",
    "\"\"",
    "''",
];

const POLICIES: &[&str] = &[
    r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}, {"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/h"}]"#,
    r#"[{"repositoryPrefix": "", "replaceWith": "[::1]:5000/hub"}]"#,
    r#"[{"repositoryPrefix": "quay.io", "replaceWith": "mirror.example.com/quay"}]"#,
];

#[derive(Debug, Clone)]
enum Style {
    Plain,
    Single,
    Double,
    Flow,
    Folded,
    Tagged,
}

#[derive(Debug, Clone)]
struct Container {
    image: usize,
    style: Style,
    comment: bool,
    anchor: bool,
}

#[derive(Debug, Clone)]
struct Doc {
    containers: Vec<Container>,
    noise: Vec<(usize, bool)>,
    block_scalar: Option<(u8, bool)>,
    alias: bool,
    flow_spec: bool,
}

fn container() -> impl Strategy<Value = Container> {
    (
        0..IMAGES.len(),
        prop_oneof![
            Just(Style::Plain),
            Just(Style::Single),
            Just(Style::Double),
            Just(Style::Flow),
            Just(Style::Folded),
            Just(Style::Tagged)
        ],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(image, style, comment, anchor)| Container {
            image,
            style,
            comment,
            anchor,
        })
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        prop::collection::vec(container(), 0..4),
        prop::collection::vec((0..TRICKY.len(), any::<bool>()), 0..6),
        prop::option::of((0u8..4, any::<bool>())),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(containers, noise, block_scalar, alias, flow_spec)| Doc {
            containers,
            noise,
            block_scalar,
            alias,
            flow_spec,
        })
}

/// A YAML document (lines without their ends).
fn yaml(doc: &Doc, n: usize) -> Vec<String> {
    let mut lines = vec![
        "# a generated manifest".to_owned(),
        "apiVersion: v1".to_owned(),
        "kind: Pod".to_owned(),
        format!("metadata: {{name: p{n}}}  # name"),
        "data:".to_owned(),
    ];
    for (i, (t, comment)) in doc.noise.iter().enumerate() {
        let anchor = if i == 0 && doc.alias { "&noise " } else { "" };
        let c = if *comment { " # note" } else { "" };
        lines.push(format!("  k{i}: {anchor}{}{c}", TRICKY[*t]));
    }
    if doc.alias && !doc.noise.is_empty() {
        lines.push("  again: *noise".to_owned());
    }
    if doc.flow_spec {
        let items: Vec<String> = doc
            .containers
            .iter()
            .map(|c| format!("{{name: c, image: {}}}", quoted(IMAGES[c.image], &c.style)))
            .collect();
        lines.push(format!("spec: {{containers: [{}]}}", items.join(", ")));
    } else {
        lines.push("spec:".to_owned());
        lines.push("  containers:".to_owned());
        for (i, c) in doc.containers.iter().enumerate() {
            let image = IMAGES[c.image];
            let anchor = if c.anchor {
                format!("&img{i} ")
            } else {
                String::new()
            };
            let comment = if c.comment { "   # the image" } else { "" };
            match c.style {
                Style::Flow => lines.push(format!(
                    "  - {{name: c{i}, image: {anchor}{}}}{comment}",
                    quoted(image, &Style::Double)
                )),
                Style::Folded => {
                    lines.push(format!("  - name: c{i}"));
                    lines.push(format!("    image: {anchor}>-{comment}"));
                    lines.push(format!("      {image}"));
                }
                _ => {
                    lines.push(format!("  - name: c{i}"));
                    lines.push(format!(
                        "    image: {anchor}{}{comment}",
                        quoted(image, &c.style)
                    ));
                }
            }
        }
    }
    if let Some((chomp, trailing_blank)) = doc.block_scalar {
        let indicator = ["|", "|-", "|+", ">"][usize::from(chomp)];
        lines.push(format!("script: {indicator}"));
        lines.push("  #!/bin/sh".to_owned());
        lines.push("  echo 0400 yes".to_owned());
        if trailing_blank {
            lines.push(String::new());
        }
    }
    lines
}

fn quoted(image: &str, style: &Style) -> String {
    match style {
        Style::Single => format!("'{image}'"),
        Style::Double | Style::Flow | Style::Folded => format!("\"{image}\""),
        Style::Tagged => format!("!!str {image}"),
        Style::Plain => image.to_owned(),
    }
}

/// A JSON document, indented or compact.
fn json(doc: &Doc, n: usize, pretty: bool) -> String {
    let containers: Vec<serde_json::Value> = doc
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| serde_json::json!({"name": format!("c{i}"), "image": IMAGES[c.image]}))
        .collect();
    let mut data = serde_json::Map::new();
    for (i, (t, _)) in doc.noise.iter().enumerate() {
        data.insert(format!("k{i}"), serde_json::Value::from(TRICKY[*t]));
    }
    let value = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("p{n}")},
        "data": data, "big": "__BIG__", "float": 1.0, "spec": {"containers": containers}});
    let text = if pretty {
        serde_json::to_string_pretty(&value).unwrap_or_default()
    } else {
        value.to_string()
    };
    // Numbers a JSON re-serializer would change.
    text.replace("\"__BIG__\"", "12345678901234567890123")
}

#[derive(Debug, Clone)]
struct Input {
    docs: Vec<(Doc, u8)>,
    crlf: bool,
    bom: bool,
    final_newline: bool,
    policy: usize,
}

fn input() -> impl Strategy<Value = Input> {
    (
        prop::collection::vec((doc(), 0u8..3), 1..4),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0..POLICIES.len(),
    )
        .prop_map(|(docs, crlf, bom, final_newline, policy)| Input {
            docs,
            crlf,
            bom,
            final_newline,
            policy,
        })
}

fn render(input: &Input) -> String {
    let eol = if input.crlf { "\r\n" } else { "\n" };
    let mut parts = Vec::new();
    for (n, (doc, syntax)) in input.docs.iter().enumerate() {
        let text = match syntax {
            0 => yaml(doc, n).join(eol),
            1 => json(doc, n, true).replace('\n', eol),
            _ => json(doc, n, false),
        };
        parts.push(text);
    }
    let mut text = parts.join(&format!("{eol}---{eol}"));
    if input.final_newline {
        text.push_str(eol);
    }
    if input.bom {
        text.insert(0, '\u{feff}');
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn bytes_and_values_are_preserved(input in input()) {
        let text = render(&input);
        let policy = Policy::from_json(POLICIES[input.policy]).unwrap();
        let edited = imgrepl_manifest::edit(text.as_bytes(), &Options::default().policy(&policy)).unwrap();
        check_bytes(&text, &edited);
        let checked = check_values(&text, &edited);
        prop_assert_eq!(edited.documents.len(), input.docs.len());
        // The independent reader reads every document without a scalar it cannot hold (a
        // custom tag, an integer past 64 bits); those are checked for bytes only.
        let unreadable = input.docs.iter().filter(|(d, _)| d.noise.iter().any(|(t, _)| matches!(TRICKY[*t], "!Ref x" | "12345678901234567890123" | ".inf"))).count();
        let json_big = input.docs.iter().filter(|(_, s)| *s != 0).count();
        prop_assert!(checked + unreadable + json_big >= input.docs.len(), "{checked} of {}", input.docs.len());
        for document in &edited.documents {
            prop_assert!(document.error.is_none(), "{:?}", document.error);
            let changed: usize = document.objects.iter().filter_map(|o| o.outcome.as_ref().ok())
                .map(|r| r.containers.iter().filter(|c| c.changed()).count()).sum();
            let pointers: usize = document.edits.iter().map(|e| e.pointers.len()).sum();
            prop_assert_eq!(changed, pointers);
            prop_assert_eq!(document.patch().len(), changed);
        }
        // Editing the output again with the same policy changes nothing for policies without
        // chained rules (the second pass sees only rewritten or untouched images).
        if input.policy != 0 {
            let again = imgrepl_manifest::edit(edited.output.as_bytes(), &Options::default().policy(&policy)).unwrap();
            prop_assert_eq!(again.output, edited.output);
        }
    }

    #[test]
    fn any_text_is_read_or_refused_without_panic(text in "(?s).{0,200}") {
        match imgrepl_manifest::edit(text.as_bytes(), &Options::default()) {
            Ok(edited) => {
                check_bytes(&text, &edited);
                prop_assert_eq!(edited.output, text);
            }
            // Only text that looks like UTF-16 (NUL bytes between ASCII ones) is refused.
            Err(e) => prop_assert!(e.code() == "utf-16" && text.as_bytes()[..4].contains(&0), "{e}"),
        }
    }
}
