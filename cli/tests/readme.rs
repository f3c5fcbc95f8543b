//! The READMEs' Rust examples and the CLI README's command lines, against the code.
//!
//! The Rust examples are files here: `tests/readme/example.rs` and `tests/readme/batch.rs`, which
//! the crate's README (`core/README.md`, its crates.io page) shows, and `tests/readme/short.rs`,
//! which README.md shows. They are compiled and run here, and compared with the READMEs' copies,
//! so no README can drift from the API. Every command line of `cli/README.md` (a `console` code block
//! whose first line is `$ COMMAND`) is run, and what it prints must be what the README shows.
//! (The table of codes is in docs/CODES.md, compared with the code by `xtask/tests/docs.rs`.)

mod common;

use common::shell;

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

mod short {
    include!("readme/short.rs");

    pub fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

const README: &str = include_str!("../../README.md");
const CORE_README: &str = include_str!("../../core/README.md");
const CLI_README: &str = include_str!("../README.md");

#[test]
fn the_examples_run() {
    example::run().unwrap();
    batch::run().unwrap();
    short::run().unwrap();
}

#[test]
fn the_readmes_show_the_examples_word_for_word() {
    for (readme, text, file, example) in [
        (
            "core/README.md",
            CORE_README,
            "example.rs",
            include_str!("readme/example.rs"),
        ),
        (
            "core/README.md",
            CORE_README,
            "batch.rs",
            include_str!("readme/batch.rs"),
        ),
        (
            "README.md",
            README,
            "short.rs",
            include_str!("readme/short.rs"),
        ),
    ] {
        assert!(
            text.contains(&format!("```rust\n{example}```\n")),
            "{readme}'s Rust example differs from cli/tests/readme/{file}: copy the file into it"
        );
    }
}

/// The crate's README gives every dependency its examples use.
#[test]
fn the_crate_readme_lists_the_examples_dependencies() {
    let toml = &CORE_README[CORE_README.find("```toml\n").unwrap()..];
    let toml = &toml[..toml.find("```\n").unwrap()];
    for dependency in ["\nimgrepl = ", "\nserde_json = "] {
        assert!(
            toml.contains(dependency),
            "core/README.md's dependencies lack `{}`",
            dependency.trim()
        );
    }
    assert!(include_str!("readme/batch.rs").contains("serde_json::"));
}

#[test]
fn every_cli_readme_command_prints_what_it_shows() {
    let mut checked = Vec::new();
    for block in CLI_README.split("```console\n").skip(1) {
        let block = &block[..block.find("```\n").unwrap()];
        let (command, shown) = block.split_once('\n').unwrap();
        let command = command.strip_prefix("$ ").unwrap();
        if command.contains("| diff ") {
            // The byte-preserving example shows the changed lines one by one, as
            // `tests/apply.rs` (`the_readme_shows_the_real_output`) checks them.
            continue;
        }
        assert_eq!(
            shell(command),
            shown,
            "cli/README.md: the output of `{command}` differs"
        );
        checked.push(command.to_owned());
    }
    // The demo, parse, check, rewrite twice, apply twice, admission-review, the toolkit's
    // five, and the two pull secrets of the mapping from CCI's imagepull-secret-generator.
    assert_eq!(checked.len(), 15);
}
