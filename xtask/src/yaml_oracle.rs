//! The `yaml-oracle` step: imgrepl-manifest read against Kubernetes' own YAML reading.
//!
//! [`build`] compiles `manifest/tests/oracle/yamljson.go` (sigs.k8s.io/yaml over
//! gopkg.in/yaml.v2, from Debian's packages, in GOPATH mode: no module is fetched) into
//! `target/xtask/yamljson`; [`test()`] runs `manifest/tests/oracle.rs` with it, over
//! [`CASES`] generated streams. The `yaml_oracle` fuzz target uses the same binary.

use std::path::PathBuf;

use crate::cmd::{Cmd, root, say};

/// Generated streams compared by the step (about 30 seconds).
const CASES: u32 = 30_000;

/// Builds the oracle; its path.
///
/// # Errors
///
/// A message when Go or the packages cannot be installed, or the build fails.
pub fn build() -> Result<PathBuf, String> {
    crate::tools::ensure(crate::tools::YAML_ORACLE)?;
    let out = root().join("target/xtask/yamljson");
    Cmd::new("go")
        .args(["build", "-o"])
        .arg(&out)
        .arg("manifest/tests/oracle/yamljson.go")
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .run()?;
    Ok(out)
}

/// The step: the oracle built, the differential test run with it.
///
/// # Errors
///
/// As [`build`], or the test's failure (every difference found, with its input).
pub fn test() -> Result<(), String> {
    let oracle = build()?;
    Cmd::cargo()
        .args([
            "test",
            "-p",
            "imgrepl-manifest",
            "--test",
            "oracle",
            "--",
            "--nocapture",
        ])
        .env("IMGREPL_YAML_ORACLE", &oracle)
        .env("IMGREPL_YAML_ORACLE_CASES", CASES.to_string())
        .run()?;
    say(format_args!(
        "yaml-oracle: {CASES} generated streams read alike by imgrepl and Kubernetes' reader"
    ));
    Ok(())
}
