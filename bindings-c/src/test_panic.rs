//! Test-only (feature `test-panic`): an export that panics, so the ABI tests can prove that the
//! boundary turns a panic into `IMGREPL_STATUS_PANIC` and writes no output.

use crate::boundary::{Out, guard};
use crate::status::imgrepl_status;

/// Panics inside the boundary guard, after checking `out`; `*out` is never written.
///
/// # Panics
///
/// Always, inside the guard: the panic never reaches the caller, who gets
/// `IMGREPL_STATUS_PANIC`.
///
/// # Safety
///
/// `out` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn imgrepl_test_panic(out: *mut u32) -> imgrepl_status {
    guard(|| {
        // SAFETY: this function's contract.
        let out = unsafe { Out::new(out) }?;
        let value: Option<u32> = "not a number".parse().ok();
        let Some(value) = value else {
            panic!("forced panic for the ABI tests");
        };
        out.write(value);
        Ok(())
    })
}
