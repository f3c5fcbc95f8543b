//! One way to read a policy file, for every subcommand that takes one (`rewrite`, `apply`,
//! `coverage`, `diff`): bounded to the annotation limit, and an invalid policy is a usage
//! failure (exit 2) that names the file and shows every diagnostic with its source line.

use imgrepl::Policy;

use crate::apply::diagnostic_lines;
use crate::exit::Failure;
use crate::output::TextIndex;

/// Reads a policy file (`-` for standard input), and keeps its text (for positions).
///
/// # Errors
///
/// A failure to read the file, or an invalid policy.
pub fn load(path: &std::path::Path) -> Result<(Policy, String), Failure> {
    // Past 256 KiB the library's `too-large` diagnostic reports it, one message for any size.
    let text = crate::input::read_bounded(path, imgrepl::MAX_POLICY_BYTES)?;
    let policy = Policy::from_json(&text).map_err(|e| {
        let mut message = format!("{}: {e}", path.display());
        let index = TextIndex::new(&text);
        for d in e.diagnostics() {
            message.push('\n');
            message.push_str(&diagnostic_lines(d, &index));
        }
        Failure::usage(message)
    })?;
    Ok((policy, text))
}
