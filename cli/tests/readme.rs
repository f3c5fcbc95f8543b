//! The Rust examples of README.md are `tests/readme/example.rs` and `tests/readme/batch.rs`:
//! compiled and run here, and compared with the README's copies, so the README cannot drift from
//! the API. (The table of codes is in docs/CODES.md, compared with the code by
//! `xtask/tests/docs.rs`.)

mod example {
    include!("readme/example.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

mod batch {
    include!("readme/batch.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

const README: &str = include_str!("../../README.md");

#[test]
fn the_examples_run() {
    example::run().unwrap();
    batch::run().unwrap();
}

#[test]
fn the_readme_shows_the_examples_word_for_word() {
    for (file, example) in [
        ("example.rs", include_str!("readme/example.rs")),
        ("batch.rs", include_str!("readme/batch.rs")),
    ] {
        assert!(
            README.contains(&format!("```rust\n{example}```\n")),
            "README.md's Rust example differs from cli/tests/readme/{file}: copy the file into it"
        );
    }
}
