//! `cargo xtask fuzz …`: the fuzz targets. Not built yet: this placeholder is replaced by the
//! real module, which keeps the same entry points.

/// Runs the fuzz task.
///
/// # Errors
///
/// Always, for now: the fuzz task is not built yet.
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not built yet".to_owned())
}

/// A short run of every fuzz target: the `fuzz-smoke` step of `cargo xtask test`.
///
/// # Errors
///
/// Always, for now: the fuzz task is not built yet.
pub fn smoke() -> Result<(), String> {
    Err("not built yet".to_owned())
}
