//! What `imgrepl` prints with no arguments: the example policy of docs/DESIGN.md §3.2 and its
//! three example images, rewritten, as a table `image → result (rule)`.

use std::io::Write;

use imgrepl::Policy;

use crate::exit::{Failure, Verdict};
use crate::output::Out;

/// The example policy (the seed table of docs/DESIGN.md §3.2).
pub const POLICY: &str = r#"[
  {"repositoryPrefix": "harbor.domain",         "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "",                      "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}
]"#;

/// The example images.
pub const IMAGES: [&str; 3] = [
    "harbor.domain/ubuntu:latest",
    "nginx:latest",
    "harbor.domain/a/b/c/d/redis:latest",
];

/// Prints the demo.
///
/// # Errors
///
/// A failure to write stdout (the embedded policy is valid: a test checks it).
pub fn run(out: &mut Out) -> Result<Verdict, Failure> {
    let policy = Policy::from_json(POLICY)
        .map_err(|e| Failure::usage(format!("the embedded example policy: {e}")))?;
    writeln!(out, "imgrepl: the example policy")?;
    for (i, rule) in policy.rules().iter().enumerate() {
        writeln!(
            out,
            "  rule {i}: {:?} → {:?}",
            rule.repository_prefix(),
            rule.replace_with()
        )?;
    }
    writeln!(
        out,
        "rewrites the example images (longest matching prefix wins):"
    )?;
    let width = IMAGES.iter().map(|i| i.len()).max().unwrap_or(0);
    let mut buf = String::new();
    let mut verdict = Verdict::Valid;
    for image in IMAGES {
        let outcome = policy.rewrite_into(image, &mut buf);
        verdict = verdict.and(outcome.is_ok());
        let rule = match &outcome {
            Ok(Some(id)) => format!("rule {}", id.index()),
            Ok(None) => "no rule".to_owned(),
            Err(e) => format!("error: {e}"),
        };
        writeln!(out, "  {image:<width$}  →  {buf}  ({rule})")?;
    }
    writeln!(
        out,
        "Try `imgrepl check POLICY`, `imgrepl rewrite --policy POLICY IMAGE…`, `imgrepl --help`."
    )?;
    out.flush()?;
    Ok(verdict)
}
