//! `cargo xtask bench …`: the benchmark suites. Not built yet: this placeholder is replaced by
//! the real module, which keeps the same entry point.

/// Runs the benchmarks.
///
/// # Errors
///
/// Always, for now: the bench task is not built yet.
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not built yet".to_owned())
}
