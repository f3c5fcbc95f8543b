//! The READMEs' Rust examples and the CLI README's command lines, against the code.
//!
//! The Rust examples are files here: `tests/readme/example.rs` and `tests/readme/batch.rs`, which
//! the crate's README (`core/README.md`, its crates.io page) shows, and `tests/readme/short.rs`,
//! which README.md shows. They are compiled and run here, and compared with the READMEs' copies,
//! so no README can drift from the API. Every command line of `cli/README.md` and `README.md` (a
//! `console` code block whose first line is `$ COMMAND`) is run, and what it prints must be what
//! the README shows.
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

/// The command lines of a README's `console` blocks (first line `$ COMMAND`), each with what the
/// block shows it printing.
fn console_blocks(readme: &str) -> Vec<(&str, &str)> {
    readme
        .split("```console\n")
        .skip(1)
        .map(|block| {
            let block = &block[..block.find("```\n").unwrap()];
            let (command, shown) = block.split_once('\n').unwrap();
            (command.strip_prefix("$ ").unwrap(), shown)
        })
        .collect()
}

#[test]
fn the_readme_command_prints_what_it_shows() {
    let blocks = console_blocks(README);
    assert_eq!(blocks.len(), 1, "README.md shows one command line");
    for (command, shown) in blocks {
        assert_eq!(
            shell(command),
            shown,
            "README.md: the output of `{command}` differs"
        );
    }
}

#[test]
fn every_cli_readme_command_prints_what_it_shows() {
    let mut checked = Vec::new();
    for (command, shown) in console_blocks(CLI_README) {
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

/// The commands `imgrepl --help` lists (but `help`).
fn commands() -> Vec<String> {
    let help = common::imgrepl(&["--help"], b"").stdout;
    let list = help
        .split_once("Commands:\n")
        .expect("the help lists the commands")
        .1;
    list.lines()
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn both_command_tables_list_every_command() {
    let commands = commands();
    assert!(commands.len() >= 10, "{commands:?}");
    for name in &commands {
        assert!(
            README.contains(&format!("| `imgrepl {name}` |")),
            "README.md's command table lacks `imgrepl {name}`"
        );
        assert!(
            CLI_README.contains(&format!("| `imgrepl {name}")),
            "cli/README.md's command table lacks `imgrepl {name}`"
        );
    }
}
