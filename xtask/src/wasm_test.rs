//! The WASM steps of `cargo xtask test`: clippy for wasm32, the package's tests in Node, and the
//! previewer page in headless Chromium.

use crate::cmd::Cmd;
use crate::wasm::{self, TARGET};

/// `wasm-clippy`: clippy on `imgrepl-wasm` for `wasm32-unknown-unknown`, warnings denied, with
/// and without the `manifest` feature.
///
/// # Errors
///
/// A message when the target cannot be installed or clippy finds something.
pub fn clippy() -> Result<(), String> {
    wasm::tools()?;
    let clippy = Cmd::cargo().args([
        "clippy",
        "--package",
        "imgrepl-wasm",
        "--all-targets",
        "--target",
        TARGET,
    ]);
    clippy.clone().args(["--", "-D", "warnings"]).run()?;
    // The web package's core module is built without the `manifest` feature.
    clippy
        .args(["--no-default-features", "--", "-D", "warnings"])
        .run()
}

/// `wasm`: builds the package, runs the wasm-bindgen-test suite in Node
/// (`wasm-bindgen-test-runner`, the target's runner in `.cargo/config.toml`), then `node --test`
/// over `bindings-wasm/js-tests/`, which imports `bindings-wasm/pkg/node` as a user would and
/// compares the emitted `imgrepl.d.ts` with the checked-in one.
///
/// # Errors
///
/// A message naming the command that failed.
pub fn node() -> Result<(), String> {
    wasm::package()?;
    wasm::node()?;
    Cmd::cargo()
        .args(["test", "--package", "imgrepl-wasm", "--target", TARGET])
        .run()?;
    Cmd::new("node")
        .args(["--test", "--test-reporter=spec"])
        .args(test_files("bindings-wasm/js-tests")?)
        .run()
}

/// The `*.test.mjs` files of a directory (relative to the root), sorted.
fn test_files(dir: &str) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(crate::cmd::root().join(dir))
        .map_err(|e| format!("cannot read {dir}: {e}"))?;
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| format!("{dir}/{name}"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs file in {dir}"));
    }
    Ok(files)
}

/// `wasm-e2e`: serves the page ([`crate::serve::start`]) and runs `bindings-wasm/e2e/` in
/// Debian's Chromium through playwright-core (installed from `package-lock.json`).
///
/// # Errors
///
/// A message naming the command that failed.
pub fn e2e() -> Result<(), String> {
    wasm::package()?;
    let chromium = wasm::chromium()?;
    wasm::npm_ci()?;
    let url = crate::serve::start()?;
    Cmd::new("node")
        .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
        .args(test_files("bindings-wasm/e2e")?)
        .env("IMGREPL_PREVIEW_URL", url)
        .env("CHROMIUM", chromium)
        .run()
}
