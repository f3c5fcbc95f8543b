//! The README's C and Go examples are the files the tests build: each code block that follows a
//! `<!-- file: PATH -->` marker must equal that file, byte for byte.

use std::path::Path;

#[test]
fn readme_code_blocks_are_the_tested_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut checked = Vec::new();
    let mut rest = readme.as_str();
    while let Some(at) = rest.find("<!-- file: ") {
        rest = &rest[at + "<!-- file: ".len()..];
        let (path, after) = rest
            .split_once(" -->\n")
            .expect("a marker ends with ` -->`");
        let fence_end = after.find('\n').expect("a code fence follows the marker");
        assert!(
            after.starts_with("```"),
            "no code block after the marker for {path}"
        );
        let body = &after[fence_end + 1..];
        let block = &body[..body.find("```\n").expect("the code block is closed")];
        let file =
            std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            block == file,
            "the README's block for {path} differs from the file; copy the file into the README"
        );
        checked.push(path.to_owned());
        rest = body;
    }
    assert_eq!(
        checked,
        [
            "bindings-c/ctests/example.c",
            "bindings-c/ctests/conventions.c",
            "go/imgrepl/example_readme_test.go"
        ]
    );
}
