//! imgrepl-manifest against Kubernetes' own YAML reading, as the oracle
//! (`tests/oracle/yamljson.go`: sigs.k8s.io/yaml over gopkg.in/yaml.v2, documents split as
//! kubectl splits them). `cargo xtask test yaml-oracle` builds the oracle and runs this with
//! `IMGREPL_YAML_ORACLE` set to it; without it, the differential test says so and passes (a plain
//! `cargo test` has no Go). The differences it found are the named tests of `tests/cases.rs`.

#[path = "oracle/differential.rs"]
#[allow(dead_code)]
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
