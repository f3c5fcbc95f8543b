//! The naive rewriter: the obvious implementation of docs/DESIGN.md §3, written from the text
//! of the design and not from core's matcher. It scans every rule for every image.
//!
//! It is the baseline of the `rewrite` benchmark and the differential oracle of the `rewrite`
//! fuzz target. It borrows only the reference *parser* from core (to reject invalid images and
//! to check results); the matching, the longest-prefix choice and the output are its own.
//!
//! It trusts its rules: they are expected to have passed policy validation (each prefix empty
//! or a valid name prefix, prefixes unique).

use imgrepl::Reference;

/// How a rule's prefix is compared with an image (docs/DESIGN.md §3.3, "Match modes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The longest prefix that, followed by `/`, starts the image.
    #[default]
    LongestPrefix,
    /// A non-empty prefix matches only when it equals the image's whole parent path (everything
    /// before the last `/` of the name).
    ExactParent,
}

/// The result of a rewrite that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The result image: the image itself when no rule matched.
    pub image: String,
    /// The index of the rule that matched, if any.
    pub rule: Option<usize>,
}

/// Why a rewrite failed: the code of core's `RewriteError` that the same input must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The image is not a valid reference; the code is its parse error's code.
    InvalidImage(&'static str),
    /// A rule matched but its result is not a valid reference (`invalid-result`); the rule's
    /// index.
    InvalidResult(usize),
}

impl Error {
    /// The stable code: the parse error's code, or `invalid-result`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Error::InvalidImage(code) => code,
            Error::InvalidResult(_) => "invalid-result",
        }
    }
}

/// A policy as plain `(prefix, replaceWith)` pairs, scanned in full for every image.
///
/// ```
/// use imgrepl_benches::naive::Naive;
///
/// let naive = Naive::new([
///     ("harbor.domain", "swr.cn-north-4.myhuaweicloud.com/org1"),
///     ("", "swr.cn-north-4.myhuaweicloud.com/org1"),
///     ("harbor.domain/a/b/c/d", "swr.cn-north-4.myhuaweicloud.com/org2"),
/// ]);
/// let out = |image| naive.rewrite(image).unwrap().image;
/// assert_eq!(out("harbor.domain/ubuntu:latest"), "swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest");
/// assert_eq!(out("nginx:latest"), "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest");
/// assert_eq!(out("harbor.domain/a/b/c/d/redis:latest"), "swr.cn-north-4.myhuaweicloud.com/org2/redis:latest");
/// assert_eq!(out("harbor.domain.evil/x"), "harbor.domain.evil/x");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Naive {
    rules: Vec<(String, String)>,
    mode: Mode,
}

impl Naive {
    /// A naive rewriter over `rules`, in the default longest-prefix mode.
    pub fn new<P: Into<String>, R: Into<String>>(rules: impl IntoIterator<Item = (P, R)>) -> Self {
        Naive {
            rules: rules
                .into_iter()
                .map(|(p, r)| (p.into(), r.into()))
                .collect(),
            mode: Mode::LongestPrefix,
        }
    }

    /// The same rules in another match mode.
    #[must_use]
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// The rules, in order.
    #[must_use]
    pub fn rules(&self) -> &[(String, String)] {
        &self.rules
    }

    /// The rule that rewrites `image` and the length of its prefix, by a scan over every rule.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidImage`] when `image` is not a valid reference.
    pub fn find(&self, image: &str) -> Result<Option<(usize, usize)>, Error> {
        let name = Reference::parse(image)
            .map_err(|e| Error::InvalidImage(e.code().as_str()))?
            .name();
        let parent = name.rfind('/').map(|slash| &name[..slash]);
        let mut best: Option<(usize, usize)> = None;
        for (index, (prefix, _)) in self.rules.iter().enumerate() {
            let hit = if prefix.is_empty() {
                // "" + "/" starts no valid image: the empty prefix takes the images with no `/`.
                parent.is_none()
            } else {
                match self.mode {
                    Mode::LongestPrefix => {
                        name.len() > prefix.len()
                            && name.as_bytes()[prefix.len()] == b'/'
                            && name.starts_with(prefix.as_str())
                    }
                    Mode::ExactParent => parent == Some(prefix.as_str()),
                }
            };
            if hit && best.is_none_or(|(_, len)| prefix.len() > len) {
                best = Some((index, prefix.len()));
            }
        }
        Ok(best)
    }

    /// Writes the rewritten `image` into `out` (clearing it first; the image itself when no rule
    /// matches) and returns the index of the rule that matched.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidImage`] for an invalid image, [`Error::InvalidResult`] when the result would
    /// not be a valid reference as written and as the runtime reads it (normalized); `out` then holds nothing useful.
    pub fn rewrite_into(&self, image: &str, out: &mut String) -> Result<Option<usize>, Error> {
        out.clear();
        let Some((index, prefix_len)) = self.find(image)? else {
            out.push_str(image);
            return Ok(None);
        };
        let replace = &self.rules[index].1;
        out.push_str(replace);
        if prefix_len == 0 {
            out.push('/');
        }
        out.push_str(&image[prefix_len..]);
        // Valid as written and as the runtime reads it (normalized, and as a Docker reference).
        let valid = Reference::parse(out).is_ok()
            && Reference::parse_normalized(out).is_ok()
            && Reference::parse_docker_ref(out).is_ok();
        if valid {
            Ok(Some(index))
        } else {
            Err(Error::InvalidResult(index))
        }
    }

    /// The rewritten `image`, as a new `String`.
    ///
    /// # Errors
    ///
    /// As [`Naive::rewrite_into`].
    pub fn rewrite(&self, image: &str) -> Result<Rewrite, Error> {
        let mut out = String::new();
        let rule = self.rewrite_into(image, &mut out)?;
        Ok(Rewrite { image: out, rule })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Naive {
        Naive::new([
            ("harbor.domain", "swr.cn-north-4.myhuaweicloud.com/org1"),
            ("", "swr.cn-north-4.myhuaweicloud.com/org1"),
            (
                "harbor.domain/a/b/c/d",
                "swr.cn-north-4.myhuaweicloud.com/org2",
            ),
            ("[::1]:5000", "mirror.local/v6"),
        ])
    }

    #[track_caller]
    fn rewrites(naive: &Naive, image: &str, want: &str, rule: Option<usize>) {
        assert_eq!(
            naive.rewrite(image),
            Ok(Rewrite {
                image: want.to_owned(),
                rule
            }),
            "{image}"
        );
    }

    #[test]
    fn seed_table() {
        let n = seed();
        rewrites(
            &n,
            "harbor.domain/ubuntu:latest",
            "swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:latest",
            Some(0),
        );
        rewrites(
            &n,
            "nginx:latest",
            "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest",
            Some(1),
        );
        rewrites(
            &n,
            "harbor.domain/a/b/c/d/redis:latest",
            "swr.cn-north-4.myhuaweicloud.com/org2/redis:latest",
            Some(2),
        );
    }

    #[test]
    fn boundaries_and_ports() {
        let n = seed();
        rewrites(
            &n,
            "harbor.domain/a/b/cd/x",
            "swr.cn-north-4.myhuaweicloud.com/org1/a/b/cd/x",
            Some(0),
        );
        rewrites(&n, "harbor.domainx/app", "harbor.domainx/app", None);
        rewrites(&n, "harbor.domain:5000/app", "harbor.domain:5000/app", None);
        rewrites(&n, "[::1]:5000/app:1", "mirror.local/v6/app:1", Some(3));
        // A prefix equal to the whole name does not match: prefix + "/" must start the image.
        rewrites(
            &n,
            "harbor.domain/a/b/c/d",
            "swr.cn-north-4.myhuaweicloud.com/org1/a/b/c/d",
            Some(0),
        );
    }

    #[test]
    fn exact_parent() {
        let n = seed().with_mode(Mode::ExactParent);
        rewrites(
            &n,
            "harbor.domain/team/app:1",
            "harbor.domain/team/app:1",
            None,
        );
        rewrites(
            &n,
            "harbor.domain/app:1",
            "swr.cn-north-4.myhuaweicloud.com/org1/app:1",
            Some(0),
        );
        rewrites(
            &n,
            "nginx",
            "swr.cn-north-4.myhuaweicloud.com/org1/nginx",
            Some(1),
        );
    }

    #[test]
    fn errors() {
        let n = seed();
        assert_eq!(
            n.rewrite("Nginx/App"),
            Err(Error::InvalidImage("uppercase"))
        );
        let long = format!("harbor.domain/{}", "a".repeat(252));
        assert_eq!(n.rewrite(&long), Err(Error::InvalidResult(0)));
        assert_eq!(Error::InvalidResult(0).code(), "invalid-result");
    }
}
