//! The Go package (placeholder while it is written).

/// The `go` step.
pub fn test() -> Result<(), String> {
    Err("the go step is not written yet".to_owned())
}

/// `cargo xtask bench-ffi`.
pub fn bench(_args: &[String]) -> Result<(), String> {
    Err("not written yet".to_owned())
}
