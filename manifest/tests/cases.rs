//! Every hard case of `testdata/manifests/` (collected by trying `imgrepl apply` on real
//! manifests), each with what it must do; and the byte and value properties on each.

mod common;

use common::{check_bytes, check_values};
use std::fmt::Write as _;

use imgrepl::{Code, Policy};
use imgrepl_k8s::{FoundBy, Options, PodSpecTable, WorkloadKind};
use imgrepl_manifest::{DocumentErrorKind, Edited, InputErrorKind, Syntax, edit};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/manifests/");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}{name}")).expect("the case file")
}

fn mirror() -> Policy {
    Policy::from_json(&read("mirror-policy.json")).expect("a valid policy")
}

/// Edits `input` and checks the byte and value properties.
#[track_caller]
fn run(input: &str, options: &Options<'_>) -> Edited {
    let edited = edit(input.as_bytes(), options).expect("readable input");
    check_bytes(input, &edited);
    check_values(input, &edited);
    edited
}

#[track_caller]
fn case(name: &str) -> (String, Edited) {
    let input = read(name);
    // The hard cases are about reading and editing; pull warnings are tested in core.
    let edited = run(&input, &Options::default().check_pulls(false));
    (input, edited)
}

/// Every code of every error in the edit (documents, objects, containers).
fn error_codes(edited: &Edited) -> Vec<String> {
    let mut codes = Vec::new();
    for d in &edited.documents {
        if let Some(e) = &d.error {
            codes.push(e.code().to_owned());
        }
        for o in &d.objects {
            match &o.outcome {
                Err(e) => codes.push(e.code().to_string()),
                Ok(r) => codes.extend(
                    r.errors()
                        .filter_map(|row| row.error.as_ref())
                        .map(|e| e.code().to_string()),
                ),
            }
        }
    }
    codes
}

#[test]
fn numbers_are_never_retyped() {
    for name in ["octal_mode.yaml", "numbers.yaml", "numbers2.yaml"] {
        let (input, edited) = case(name);
        let expected = input.replacen("image: nginx", "image: m.io/hub/nginx", 1);
        assert_eq!(edited.output, expected, "{name}");
        assert!(!edited.has_errors(), "{name}");
    }
    let (input, edited) = case("octal_mode.yaml");
    assert!(edited.output.contains("defaultMode: 0400") && edited.output.contains("mode: 0440"));
    assert_eq!(input.len() + "m.io/hub/".len(), edited.output.len());
    for name in ["directive11.yaml", "numbers_yaml11.yaml"] {
        let (input, edited) = case(name);
        assert_eq!(edited.output, input, "{name}");
    }
    // With a policy given, numbers_yaml11's Pod is rewritten, its numbers kept.
    let policy = mirror();
    let input = read("numbers_yaml11.yaml");
    let edited = run(&input, &Options::default().policy(&policy));
    assert_eq!(
        edited.output,
        input.replacen("image: nginx", "image: mirror.example.com/lib/nginx", 1)
    );
}

#[test]
fn everything_else_is_kept_byte_for_byte() {
    for name in [
        "eof_no_newline.yaml",
        "fidelity.yaml",
        "strings.yaml",
        "crlf.yaml",
        "tags.yaml",
        "tags2.yaml",
        "collide_keys.yaml",
        "nonstring_keys.yaml",
        "flow_yaml.yaml",
        "directive11.yaml",
        "binary_nonutf8.yaml",
        "crd_list.yaml",
    ] {
        let (input, edited) = case(name);
        assert_eq!(edited.output, input, "{name}");
        assert!(
            error_codes(&edited).is_empty(),
            "{name}: {:?}",
            error_codes(&edited)
        );
    }
    // A final block scalar without a newline keeps having none.
    let (_, edited) = case("eof_no_newline.yaml");
    assert!(edited.output.ends_with("    y"));
}

#[test]
fn an_image_shared_by_an_anchor_is_changed_once_for_all_its_places() {
    let (input, edited) = case("anchors.yaml");
    assert_eq!(
        edited.output,
        input.replacen("image: nginx", "image: m.io/hub/nginx", 1)
    );
    let edits = &edited.documents[0].edits;
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0].pointers,
        [
            "/spec/template/spec/containers/0/image",
            "/spec/template/spec/containers/1/image"
        ]
    );
    assert_eq!((edits[0].line, edits[0].column), (22, 16));
}

#[test]
fn an_anchor_shared_with_a_value_that_would_not_change_is_left_and_reported() {
    let input = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: &i nginx\n    env: [{name: I, value: *i}]\n";
    let policy = mirror();
    let edited = run(input, &Options::default().policy(&policy));
    assert_eq!(edited.output, input);
    assert_eq!(error_codes(&edited), ["image-not-editable"]);
    assert!(edited.documents[0].patch().is_empty());
}

#[test]
fn documents_are_numbered_as_the_files_sections() {
    let (input, edited) = case("multidoc_edge.yaml");
    assert_eq!(edited.output, input);
    let kinds: Vec<(usize, Option<&str>)> = edited
        .documents
        .iter()
        .map(|d| (d.number, d.objects.first().and_then(|o| o.kind.as_deref())))
        .collect();
    assert_eq!(
        kinds,
        [
            (1, None),
            (2, Some("ConfigMap")),
            (3, None),
            (4, None),
            (5, None),
            (6, None),
            (7, None),
            (8, Some("ConfigMap"))
        ]
    );
    let lines: Vec<usize> = edited.documents.iter().map(|d| d.line).collect();
    assert_eq!(lines, [1, 3, 7, 8, 10, 12, 15, 17]);
    // A string and a list are passed through with a note; empty and null documents silently.
    let notes: Vec<(usize, Code)> = edited
        .documents
        .iter()
        .flat_map(|d| d.objects.iter().map(move |o| (d.number, o)))
        .filter_map(|(n, o)| {
            let r = o.outcome.as_ref().ok()?;
            Some((n, r.warnings.first()?.code))
        })
        .collect();
    assert_eq!(
        notes,
        [(5, Code::DocumentNotObject), (6, Code::DocumentNotObject)]
    );
    assert!(!edited.has_errors());
}

#[test]
fn a_duplicate_key_is_an_error_of_its_container_or_object_only() {
    // In a document nothing reads: not even reported, the Pod before it is rewritten.
    let (input, edited) = case("dup_in_other_doc.yaml");
    assert_eq!(
        edited.output,
        input.replacen("image: nginx", "image: m.io/hub/nginx", 0)
    );
    let policy = mirror();
    let edited = run(&input, &Options::default().policy(&policy));
    assert_eq!(
        edited.output,
        input.replacen("image: nginx", "image: mirror.example.com/lib/nginx", 1)
    );
    assert!(!edited.has_errors());

    // On the image itself: an error of that container, with its place.
    for (name, syntax, line, column) in [
        ("dupkey.yaml", Syntax::Yaml, 9, 5),
        ("dupkey_bignum.json", Syntax::Json, 1, 198),
        ("dupkey_bignum2.json", Syntax::Json, 1, 198),
    ] {
        let (input, edited) = case(name);
        assert_eq!(edited.output, input, "{name}");
        assert_eq!(error_codes(&edited), ["container-duplicate-key"], "{name}");
        let document = &edited.documents[0];
        assert_eq!(document.syntax, syntax);
        let report = document.objects[0].outcome.as_ref().unwrap();
        assert_eq!(
            report.containers[0].error.as_ref().unwrap().to_string(),
            "/spec/containers/0/image is there more than once: which one counts is not clear, so it is left as it is"
        );
        let at = document.position("/spec/containers/0/image").unwrap();
        assert_eq!((at.line, at.column), (line, column), "{name}");
    }

    // On a path to the pod spec: an error of the object.
    let input = "apiVersion: v1\nkind: Pod\nspec:\n  containers: []\nspec: {}\n";
    let edited = run(input, &Options::default());
    assert_eq!(error_codes(&edited), ["object-duplicate-key"]);
}

#[test]
fn json_is_read_as_yaml() {
    let (input, edited) = case("flow_yaml.yaml");
    assert_eq!(edited.output, input);
    assert_eq!(
        edited.documents[0].objects[0].kind.as_deref(),
        Some("ConfigMap")
    );
    assert_eq!(edited.documents[0].syntax, Syntax::Yaml);

    for name in ["kinds.yaml", "kinds_nocomment.yaml"] {
        let (input, edited) = case(name);
        let first = &edited.documents[0];
        assert_eq!(first.objects[0].name.as_deref(), Some("jsonpod"));
        assert_eq!(
            first.patch()[0].value,
            "m.io/hub/nginx",
            "{name}: the JSON document's image"
        );
        assert!(edited.output.contains(r#""image": "m.io/hub/nginx"}"#));
        assert_eq!(edited.documents.len(), 9, "{name}");
        let expected_syntax = if name == "kinds.yaml" {
            Syntax::Yaml
        } else {
            Syntax::Json
        };
        assert_eq!(first.syntax, expected_syntax, "{name}");
        assert!(input.len() < edited.output.len());
    }
}

#[test]
fn the_kinds_case_in_full() {
    let (_, edited) = case("kinds.yaml");
    let rows: Vec<(usize, Option<&str>, Vec<usize>, String)> = edited
        .documents
        .iter()
        .flat_map(|d| d.objects.iter().map(move |o| (d.number, o)))
        .map(|(n, o)| {
            let what = match &o.outcome {
                Err(e) => format!("error {}", e.code()),
                Ok(r) => {
                    let mut parts: Vec<String> = r
                        .containers
                        .iter()
                        .map(|c| match (&c.error, &c.after) {
                            (Some(e), _) => format!("!{}", e.code()),
                            (None, Some(a)) => a.clone(),
                            (None, None) => "-".into(),
                        })
                        .collect();
                    parts.extend(r.warnings.iter().map(|w| format!("warning {}", w.code)));
                    parts.join(" ")
                }
            };
            (n, o.name.as_deref(), o.items.clone(), what)
        })
        .collect();
    let expected: Vec<(usize, Option<&str>, Vec<usize>, &str)> = vec![
        (1, Some("jsonpod"), vec![], "m.io/hub/nginx"),
        (2, Some("inlist"), vec![0], "m.io/hub/redis"),
        (2, Some("nested"), vec![1, 0], "m.io/hub/busybox"),
        (3, Some("crd-deploy"), vec![], "m.io/hub/nginx"),
        (4, Some("rollout"), vec![], "m.io/hub/nginx"),
        (5, Some("noc"), vec![], ""),
        (6, Some("nospec"), vec![], "warning no-pod-spec"),
        (
            7,
            Some("odd-containers"),
            vec![],
            "- - !image-not-string !image-not-string !container-not-object - !invalid-format m.io/hub/busybox:1 m.io/hub/alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ),
        (
            8,
            Some("both-annotations"),
            vec![],
            "template.io/x/nginx warning ignored-annotation",
        ),
        (
            9,
            Some("bad-annotation-type"),
            vec![],
            "error object-wrong-type",
        ),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(n, name, items, what)| (n, name, items, what.to_owned()))
        .collect();
    assert_eq!(rows, expected);
    let crd = &edited.documents[2].objects[0].outcome.as_ref().unwrap();
    assert_eq!(
        crd.kind.as_ref().map(WorkloadKind::found_by),
        Some(FoundBy::Shape)
    );
}

#[test]
fn a_byte_order_mark_is_skipped_and_kept() {
    for name in ["bom.json", "bom.yaml"] {
        let (input, edited) = case(name);
        assert!(edited.output.starts_with('\u{feff}'), "{name}");
        assert_eq!(
            edited.output,
            input
                .replacen("image: nginx", "image: m.io/hub/nginx", 1)
                .replacen("\"image\":\"nginx\"", "\"image\":\"m.io/hub/nginx\"", 1),
            "{name}"
        );
        assert_eq!(edited.documents[0].edits.len(), 1, "{name}");
    }
}

#[test]
fn utf16_and_other_encodings_are_named() {
    let utf16: Vec<u8> = "\u{feff}kind: Pod\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let err = edit(&utf16, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), InputErrorKind::Utf16);
    let no_bom: Vec<u8> = "kind: Pod\n"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    assert_eq!(
        edit(&no_bom, &Options::default()).unwrap_err().kind(),
        InputErrorKind::Utf16
    );
    let err = edit(b"kind: Pod\nx: \xc3(\n", &Options::default()).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (InputErrorKind::NotUtf8, 13));
}

#[test]
fn limits_follow_the_input_limit() {
    let (_, edited) = case("docs1025.yaml");
    assert_eq!(edited.documents.len(), 1025);
    assert!(!edited.has_errors());

    // 1,000 documents of 251 values each: no count limit below the input limit.
    let mut many = String::new();
    for d in 0..1000 {
        let _ = write!(
            many,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{d}}}\ndata: ["
        );
        many.push_str(&"1,".repeat(250));
        many.push_str("1]\n");
    }
    let edited = run(&many, &Options::default());
    assert_eq!(edited.documents.len(), 1000);
    assert!(!edited.has_errors());

    // Deep nesting, flow and block, well past 64 levels.
    let flow = format!("a: {}{}\n", "[".repeat(250), "]".repeat(250));
    assert!(!run(&flow, &Options::default()).has_errors());
    let mut block = String::new();
    for depth in 0..300 {
        block.push_str(&" ".repeat(depth));
        block.push_str("a:\n");
    }
    assert!(!run(&block, &Options::default()).has_errors());
    let compact = format!("{}1\n", "- ".repeat(10_000));
    assert!(
        !edit(compact.as_bytes(), &Options::default())
            .unwrap()
            .has_errors()
    );

    // Past the limits: refused for that document, with its position.
    let deep = format!(
        "kind: ConfigMap\n---\na: {}{}\n---\n{}1\n",
        "[".repeat(300),
        "]".repeat(300),
        "- ".repeat(10_001)
    );
    let edited = edit(deep.as_bytes(), &Options::default()).unwrap();
    check_bytes(&deep, &edited);
    for (document, line) in [(1, 3), (2, 5)] {
        let error = edited.documents[document].error.as_ref().unwrap();
        assert_eq!(error.kind(), DocumentErrorKind::TooDeep, "{error}");
        assert_eq!(error.position().line, line);
    }
    assert!(edited.documents[0].error.is_none());
    assert_eq!(edited.output, deep);
}

#[test]
fn alias_bombs_are_refused_for_their_document() {
    for name in ["billion_laughs.yaml", "laughs_small.yaml"] {
        let (input, edited) = case(name);
        assert_eq!(edited.output, input);
        let error = edited.documents[0].error.as_ref().unwrap();
        assert_eq!(error.kind(), DocumentErrorKind::AliasExpansion, "{name}");
        assert_eq!(
            error.to_string(),
            "its aliases expand it to more than 100000 values (at most 4 per byte of the document, and at least 100,000)"
        );
    }
}

#[test]
fn lists_are_entered_and_a_list_of_strings_is_not_a_list() {
    let (input, edited) = case("nested_list.yaml");
    assert_eq!(
        edited.output,
        input.replacen("image: busybox", "image: m.io/hub/busybox", 1)
    );
    let object = &edited.documents[0].objects[0];
    assert_eq!(
        (object.items.as_slice(), object.pointer.as_str()),
        (&[0, 0][..], "/items/0/items/0")
    );

    let (input, edited) = case("crd_list.yaml");
    assert_eq!(edited.output, input);
    let objects = &edited.documents[0].objects;
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].kind.as_deref(), Some("IPAllowList"));
    assert!(!objects[0].outcome.as_ref().unwrap().is_workload());
}

#[test]
fn partial_objects_pass_with_a_note() {
    let (input, edited) = case("partial.yaml");
    assert_eq!(edited.output, input);
    assert!(!edited.has_errors());
    let report = edited.documents[0].objects[0].outcome.as_ref().unwrap();
    assert_eq!(report.warnings[0].code, Code::NoPodSpec);
    // A JSON 6902 patch file: a top-level array.
    let patch = r#"[{"op": "replace", "path": "/spec/replicas", "value": 3}]"#;
    let edited = run(patch, &Options::default());
    assert!(!edited.has_errors());
    assert_eq!(edited.output, patch);
}

#[test]
fn custom_resources_and_shapes() {
    let policy = mirror();
    let input = read("crds.yaml");
    let edited = run(&input, &Options::default().policy(&policy));
    let images = [
        (
            "harbor.domain/shop/checkout:4.1",
            "mirror.example.com/harbor/shop/checkout:4.1",
        ),
        (
            "ghcr.io/acme/hello:1.0",
            "mirror.example.com/ghcr/acme/hello:1.0",
        ),
        (
            "quay.io/acme/legacy:7",
            "mirror.example.com/quay/acme/legacy:7",
        ),
        ("busybox:1.36", "mirror.example.com/lib/busybox:1.36"),
        (
            "harbor.domain/a/b/c/d/init:1",
            "mirror.example.com/deep/init:1",
        ),
        ("nginx:1.27", "mirror.example.com/lib/nginx:1.27"),
        (
            "harbor.domain/tools/curl:8",
            "mirror.example.com/harbor/tools/curl:8",
        ),
        (
            "harbor.domain/widgets/w:2",
            "mirror.example.com/harbor/widgets/w:2",
        ),
    ];
    let expected = images
        .iter()
        .fold(input.clone(), |text, (a, b)| text.replacen(a, b, 1));
    assert_eq!(edited.output, expected);
    let found: Vec<FoundBy> = edited
        .documents
        .iter()
        .map(|d| {
            d.objects[0]
                .outcome
                .as_ref()
                .unwrap()
                .kind
                .as_ref()
                .unwrap()
                .found_by()
        })
        .collect();
    assert_eq!(found[..6], [FoundBy::Table; 6]);
    assert_eq!(found[6], FoundBy::Shape);

    // Shape-finding off: the Widget is not a workload; a --pod-spec entry makes it one.
    let off = run(
        &input,
        &Options::default().policy(&policy).find_by_shape(false),
    );
    assert!(
        !off.documents[6].objects[0]
            .outcome
            .as_ref()
            .unwrap()
            .is_workload()
    );
    let mut table = PodSpecTable::new();
    table
        .add_spec("example.com/Widget=spec.podTemplate.spec")
        .unwrap();
    let user = run(
        &input,
        &Options::default()
            .policy(&policy)
            .find_by_shape(false)
            .pod_specs(&table),
    );
    let widget = user.documents[6].objects[0].outcome.as_ref().unwrap();
    assert_eq!(
        widget.kind.as_ref().map(WorkloadKind::found_by),
        Some(FoundBy::User)
    );
    assert_eq!(user.output, expected);
}

#[test]
fn an_empty_image_is_no_image() {
    let (input, edited) = case("empty_image.yaml");
    assert!(!edited.has_errors());
    assert_eq!(
        edited.output,
        input.replacen("image: nginx", "image: m.io/hub/nginx", 1)
    );
    let report = edited.documents[0].objects[0].outcome.as_ref().unwrap();
    assert_eq!(
        (
            report.containers[0].before.as_deref(),
            report.containers[0].after.as_deref()
        ),
        (None, None)
    );
}

#[test]
fn each_style_is_kept_or_quoted_when_it_must_be() {
    let policy = Policy::from_json(
        r#"[{"repositoryPrefix": "", "replaceWith": "[::1]:5000/hub"},
        {"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}]"#,
    )
    .unwrap();
    let options = Options::default().policy(&policy);
    let cases = [
        ("image: a.io/x", "image: m.io/a/x"),
        ("image: 'a.io/x'", "image: 'm.io/a/x'"),
        ("image: \"a.io/x\"", "image: \"m.io/a/x\""),
        ("image: !!str a.io/x", "image: !!str m.io/a/x"),
        ("image: &img a.io/x", "image: &img m.io/a/x"),
        ("image: |-\n      a.io/x\n", "image: |-\n      m.io/a/x\n"),
        (
            "image: >-\n      a.io/x\n    name: n",
            "image: >-\n      m.io/a/x\n    name: n",
        ),
        // A plain scalar that would read as a flow sequence is double-quoted.
        ("image: nginx", "image: \"[::1]:5000/hub/nginx\""),
        ("image: 'nginx'", "image: '[::1]:5000/hub/nginx'"),
        (
            "image: nginx   # keep",
            "image: \"[::1]:5000/hub/nginx\"   # keep",
        ),
    ];
    for (before, after) in cases {
        let input = format!("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {before}\n");
        let edited = run(&input, &options);
        assert_eq!(
            edited.output,
            format!("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {after}\n"),
            "{before}"
        );
    }
    // In a flow mapping, '[' and ',' cannot be plain either.
    let input =
        "{apiVersion: v1, kind: Pod, spec: {containers: [{image: a.io/x}, {image: nginx}]}}";
    let edited = run(input, &options);
    assert_eq!(
        edited.output,
        "{apiVersion: v1, kind: Pod, spec: {containers: [{image: m.io/a/x}, {image: \"[::1]:5000/hub/nginx\"}]}}"
    );
    // A literal block image keeps its trailing newline as part of the value: not a valid image.
    let input = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: |\n      a.io/x\n";
    let edited = run(input, &options);
    assert_eq!(edited.output, input);
    assert_eq!(error_codes(&edited), ["invalid-format"]);
}

#[test]
fn crlf_and_no_final_newline_are_kept_around_an_edit() {
    let policy = mirror();
    let options = Options::default().policy(&policy);
    let input = "apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - image: nginx";
    let edited = run(input, &options);
    assert_eq!(
        edited.output,
        input.replace("nginx", "mirror.example.com/lib/nginx")
    );
    let input = "apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - image: 'nginx'\r\n";
    let edited = run(input, &options);
    assert_eq!(
        edited.output,
        input.replace("'nginx'", "'mirror.example.com/lib/nginx'")
    );
}

#[test]
fn non_string_images_are_errors_of_their_container() {
    let policy = mirror();
    let options = Options::default().policy(&policy);
    let input = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: 1.0\n  - image: yes\n  - image: !!str 1.0\n  - image: ~\n";
    let edited = run(input, &options);
    assert_eq!(
        edited.output,
        input.replace("!!str 1.0", "!!str mirror.example.com/lib/1.0")
    );
    assert_eq!(
        error_codes(&edited),
        ["image-not-string", "image-not-string"]
    );
}
