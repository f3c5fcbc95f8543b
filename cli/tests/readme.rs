//! The Rust example of README.md is `tests/readme/example.rs`: compiled and run here, and
//! compared with the README's copy, so the README cannot drift from the API.

mod example {
    include!("readme/example.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

#[test]
fn the_example_runs() {
    example::run().unwrap();
}

#[test]
fn the_readme_shows_the_example_word_for_word() {
    let readme = include_str!("../../README.md");
    let example = include_str!("readme/example.rs");
    assert!(
        readme.contains(&format!("```rust\n{example}```\n")),
        "README.md's Rust example differs from cli/tests/readme/example.rs: copy the file into it"
    );
}
