//! imgrepl-manifest against Kubernetes' own YAML reading, as the oracle
//! (`tests/oracle/yamljson.go`: sigs.k8s.io/yaml over gopkg.in/yaml.v2, documents split as
//! kubectl splits them). `cargo xtask test yaml-oracle` builds the oracle and runs this with
//! `IMGREPL_YAML_ORACLE` set to it; without it, the differential test says so and passes (a plain
//! `cargo test` has no Go). The differences it found are the named tests of `tests/cases.rs`.

#[path = "oracle/differential.rs"]
#[allow(
    dead_code,
    clippy::format_push_string,
    reason = "shared with the fuzz target; the generator builds text piece by piece"
)]
mod differential;

use differential::{Oracle, Seeded, compare, stream};

/// How many generated streams: `IMGREPL_YAML_ORACLE_CASES`, or 3,000.
fn cases() -> u64 {
    std::env::var("IMGREPL_YAML_ORACLE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000)
}

#[test]
fn generated_manifests_are_read_as_kubernetes_reads_them() {
    let Ok(path) = std::env::var("IMGREPL_YAML_ORACLE") else {
        eprintln!("IMGREPL_YAML_ORACLE is not set: run `cargo xtask test yaml-oracle`");
        return;
    };
    let mut oracle = Oracle::start(&path);
    let mut failures = Vec::new();
    let cases = cases();
    for seed in 1..=cases {
        let input = stream(&mut Seeded::new(seed));
        if let Err(why) = compare(&mut oracle, &input) {
            if std::env::var_os("IMGREPL_YAML_ORACLE_SHOW").is_some() {
                println!("DIFF seed {seed}: {why}");
            }
            failures.push(format!("seed {seed}: {why}\n{input}"));
        }
    }
    eprintln!("{cases} generated streams compared with the oracle");
    assert!(
        failures.is_empty(),
        "{} of {cases} differ; the first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(usize::MAX)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n----\n")
    );
}

/// Every difference the differential test found, as a minimal document: the image Kubernetes
/// reads (the oracle's answer, recorded), which imgrepl must read too, and rewrite in place.
#[test]
fn the_differences_found_are_read_as_kubernetes_reads_them() {
    const HEAD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "a flow sequence closed at its key's indentation (the issue's manifest)",
            "spec:\n  containers:\n  - name: a\n    image: nginx\n    args: [\n        \"-a\", \"/b\",\n    ]\n",
            "/spec/containers/0/image",
        ),
        (
            "lines of a flow collection left of the block around it",
            "spec:\n  containers: [\n{name: a,\nimage: nginx}\n]\n",
            "/spec/containers/0/image",
        ),
        (
            "a tab indenting a line of a flow collection",
            "spec:\n  containers: [\n\t{name: a, image: nginx}]\n",
            "/spec/containers/0/image",
        ),
        (
            "a tab after a block mapping's colon",
            "spec:\n  containers:\n  - name: a\n    image:\tnginx\n",
            "/spec/containers/0/image",
        ),
        (
            "a double-quoted scalar continued at column 1",
            "spec:\n  containers:\n  - name: a\n    image: \"ngi\\\nnx\"\n",
            "/spec/containers/0/image",
        ),
    ];
    let policy = differential::policy();
    let options = imgrepl_k8s::Options::default()
        .policy(&policy)
        .check_pulls(false);
    for (what, body, pointer) in cases {
        let input = format!("{HEAD}{body}");
        let edited = imgrepl_manifest::edit(input.as_bytes(), &options).expect("readable");
        let document = &edited.documents[0];
        assert_eq!(document.error, None, "{what}");
        let patch = document.patch();
        assert_eq!(patch.len(), 1, "{what}");
        assert_eq!(patch[0].path, *pointer, "{what}");
        assert_eq!(patch[0].value, "m.io/hub/nginx", "{what}");
        // Only the image's bytes change: everything around it is kept as written.
        let edit = &document.edits[0];
        assert_eq!(
            format!(
                "{}{}{}",
                &input[..edit.span.start],
                edit.before,
                &input[edit.span.end..]
            ),
            input,
            "{what}"
        );
        assert!(edit.after.contains("m.io/hub/"), "{what}: {}", edit.after);
    }
}

/// What stays refused: indentation that Kubernetes refuses too (a block collection's lines).
#[test]
fn block_indentation_errors_stay_errors() {
    for body in [
        "spec:\n  containers:\n  - name: a\n   image: nginx\n",
        "spec:\n  containers:\n    - name: a\n  - name: b\n",
    ] {
        let input = format!("apiVersion: v1\nkind: Pod\n{body}");
        let edited = imgrepl_manifest::edit(input.as_bytes(), &imgrepl_k8s::Options::default())
            .expect("readable input");
        assert!(edited.documents[0].error.is_some(), "{body}");
    }
}

/// The differences that stay, each with what Kubernetes does (the oracle's answer, recorded)
/// and what imgrepl does instead; cli/README.md ("How YAML is read") lists them.
#[test]
fn the_differences_kept_are_what_the_readme_says() {
    const HEAD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n";
    let policy = differential::policy();
    let options = imgrepl_k8s::Options::default()
        .policy(&policy)
        .check_pulls(false);
    let edit = |body: &str| {
        imgrepl_manifest::edit(format!("{HEAD}{body}").as_bytes(), &options).expect("readable")
    };

    // Content after a `...` without a `---`: kubectl reads the first document and silently drops
    // the rest; imgrepl refuses the section, saying how to write it.
    let edited = edit("spec:\n  containers: [{name: a, image: nginx}]\n...\nfoo: 1\n");
    let error = edited.documents[0].error.as_ref().expect("refused");
    assert_eq!(
        error.to_string(),
        "a second document in the same section: start it with a line \"---\""
    );

    // A `%YAML` directive before the first `---`: kubectl reads the directive as a document of
    // its own and refuses it; imgrepl reads the directive with its document.
    let edited = imgrepl_manifest::edit(
        format!("%YAML 1.1\n---\n{HEAD}spec:\n  containers: [{{name: a, image: nginx}}]\n")
            .as_bytes(),
        &options,
    )
    .unwrap();
    assert_eq!(edited.documents.len(), 1);
    assert_eq!(edited.documents[0].patch()[0].value, "m.io/hub/nginx");

    // A tab after a block sequence's `-`: Kubernetes refuses it ("found character that cannot
    // start any token"); imgrepl reads it.
    let edited = edit("spec:\n  containers:\n  -\tname: a\n    image: nginx\n");
    assert_eq!(edited.documents[0].error, None);

    // `!!binary`: Kubernetes decodes the base64 (`bmdpbng=` is `nginx`); imgrepl reads the text,
    // an invalid image, reported and left as it is.
    let edited = edit("spec:\n  containers:\n  - name: a\n    image: !!binary bmdpbng=\n");
    assert!(edited.has_errors());
    assert!(edited.documents[0].edits.is_empty());
}
