//! Differential test against the generated oracle corpus.
//!
//! `testdata/reference-oracle.jsonl` holds 14,000 inputs chosen to reach every branch of
//! every grammar rule and both sides of every limit, each with the answers of
//! `testdata/oracle/reference.py`, a port of the reference implementation that reproduces every
//! record of the recorded sample (`reference.py --check testdata/reference-sample.jsonl`).
//! Regenerate it with
//!
//! ```text
//! python3 testdata/oracle/reference.py --generate 14000 --seed 1 -o testdata/reference-oracle.jsonl
//! ```
//!
//! Every record must agree exactly (the same comparison as `conformance.rs`); there is no
//! expected-failures list for the corpus.

mod common;

const CORPUS: &str = include_str!("../../testdata/reference-oracle.jsonl");

#[test]
fn every_oracle_record_matches() {
    let report = common::check_corpus(CORPUS, &[]);
    assert_eq!(report.count, 14_000, "the corpus has 14,000 records");
    report.assert_clean("reference-oracle.jsonl");
}

/// Runs the oracle (python3, 3.11 or later) with `args` from the workspace root; `None` when
/// python3 is missing under a plain `cargo test` (`cargo xtask test` installs it and requires
/// it: see [`common::tool_output`]).
fn oracle(args: &[&str]) -> Option<std::process::Output> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    common::tool_output(
        std::process::Command::new("python3")
            .arg("testdata/oracle/reference.py")
            .args(args)
            .current_dir(root),
        "python3",
    )
}

/// The port reproduces every record of the reference implementation's recorded sample, every
/// view and every message: what makes it an oracle.
#[test]
fn the_oracle_reproduces_the_recorded_sample() {
    let Some(out) = oracle(&["--check", "testdata/reference-sample.jsonl"]) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("506 records, 0 differences"),
        "reference.py --check testdata/reference-sample.jsonl:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The checked-in corpus is what the oracle writes today.
#[test]
fn the_corpus_is_fresh() {
    let Some(out) = oracle(&["--generate", "14000", "--seed", "1"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout == CORPUS.as_bytes(),
        "testdata/reference-oracle.jsonl is stale; regenerate it with\n  python3 \
         testdata/oracle/reference.py --generate 14000 --seed 1 -o testdata/reference-oracle.jsonl"
    );
}

/// A larger or differently seeded corpus, for a hunt that is not worth running every time:
///
/// ```text
/// python3 testdata/oracle/reference.py --generate 200000 --seed 7 -o /tmp/big.jsonl
/// IMGREPL_ORACLE_CORPUS=/tmp/big.jsonl cargo test -p imgrepl --test oracle_corpus -- --ignored
/// ```
#[test]
#[ignore = "reads the corpus named by IMGREPL_ORACLE_CORPUS"]
fn external_oracle_corpus_matches() {
    let path = std::env::var("IMGREPL_ORACLE_CORPUS")
        .expect("set IMGREPL_ORACLE_CORPUS to a JSONL file written by reference.py --generate");
    let corpus = std::fs::read_to_string(&path).expect("the corpus is readable");
    let report = common::check_corpus(&corpus, &[]);
    assert!(report.count > 0, "{path} has no records");
    report.assert_clean(&path);
}
