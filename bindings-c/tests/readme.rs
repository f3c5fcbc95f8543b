//! The READMEs' C and JavaScript examples are the files the tests build: each code block that follows a
//! `<!-- file: PATH -->` marker (PATH from the repository root) must equal that file, byte for
//! byte.

use std::path::Path;

/// The repository root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// Checks every marked block of `readme` (a path from the root) and returns the files named.
fn checked_blocks(readme: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(readme)).unwrap();
    let mut checked = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("<!-- file: ") {
        rest = &rest[at + "<!-- file: ".len()..];
        let (path, after) = rest
            .split_once(" -->\n")
            .expect("a marker ends with ` -->`");
        let fence_end = after.find('\n').expect("a code fence follows the marker");
        assert!(
            after.starts_with("```"),
            "{readme}: no code block after the marker for {path}"
        );
        let body = &after[fence_end + 1..];
        let block = &body[..body.find("```\n").expect("the code block is closed")];
        let file =
            std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            block == file,
            "{readme}'s block for {path} differs from the file; copy the file into the README"
        );
        checked.push(path.to_owned());
        rest = body;
    }
    checked
}

#[test]
fn c_readme_blocks_are_the_tested_files() {
    assert_eq!(
        checked_blocks("bindings-c/README.md"),
        [
            "bindings-c/ctests/example.c",
            "bindings-c/ctests/example.out",
            "bindings-c/ctests/conventions.c",
        ]
    );
}

#[test]
fn root_readme_blocks_are_the_tested_files() {
    assert_eq!(
        checked_blocks("README.md"),
        ["bindings-wasm/examples/quickstart.cjs"]
    );
}
