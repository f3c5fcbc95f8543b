//! The normalized view (`ParseNormalizedNamed`) and the familiar form.

use std::borrow::Cow;

use super::{NAME_TOTAL_LENGTH_MAX, ParseError, ParseErrorKind, Parts, parse_parts, slice};

/// Docker Hub's domain.
pub(crate) const DEFAULT_DOMAIN: &str = "docker.io";
/// Docker Hub's legacy domain, normalized to [`DEFAULT_DOMAIN`].
pub(crate) const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// Every domain of Docker Hub: the normalized one, the legacy one, and the registry's own host.
pub(crate) const DOCKER_HUB_DOMAINS: [&str; 3] = [
    DEFAULT_DOMAIN,
    LEGACY_DEFAULT_DOMAIN,
    "registry-1.docker.io",
];
/// The namespace of Docker Hub's official images.
pub(crate) const OFFICIAL_REPO_PREFIX: &str = "library/";

/// A reference in the normalized view: `nginx` is `docker.io/library/nginx`.
///
/// It borrows the input when normalizing adds nothing (`quay.io/team/app`), and owns the
/// normalized text otherwise.
///
/// ```
/// use imgrepl::Reference;
///
/// let n = Reference::parse_normalized("index.docker.io/team/app:2")?;
/// assert_eq!(n.domain(), Some("docker.io"));
/// assert_eq!(n.path(), "team/app");
/// assert_eq!(n.as_str(), "docker.io/team/app:2");
/// assert_eq!(n.familiar_name(), "team/app");
/// assert_eq!(n.familiar(), "team/app:2");
/// # Ok::<(), imgrepl::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Normalized<'a> {
    s: Cow<'a, str>,
    parts: Parts,
}

impl Normalized<'_> {
    /// The same reference, owning its text.
    ///
    /// ```
    /// let n: imgrepl::Normalized<'static> = imgrepl::Reference::parse_normalized("quay.io/a/b")?.into_owned();
    /// assert_eq!(n.as_str(), "quay.io/a/b");
    /// # Ok::<(), imgrepl::ParseError>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> Normalized<'static> {
        Normalized {
            s: Cow::Owned(self.s.into_owned()),
            parts: self.parts,
        }
    }

    /// The normalized reference (`docker.io/library/nginx:1`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.s
    }

    /// The normalized name: domain, `/`, path.
    #[must_use]
    pub fn name(&self) -> &str {
        slice(&self.s, 0, self.parts.name_end)
    }

    /// The domain; `None` only where the as-written grammar reads the kept first component as a
    /// path (`a_b.c/app`), as the reference implementation does.
    #[must_use]
    pub fn domain(&self) -> Option<&str> {
        (self.parts.domain_end > 0).then(|| slice(&self.s, 0, self.parts.domain_end))
    }

    /// The path (`library/nginx`).
    #[must_use]
    pub fn path(&self) -> &str {
        slice(&self.s, self.parts.path_start(), self.parts.name_end)
    }

    /// The tag, without its `:`.
    #[must_use]
    pub fn tag(&self) -> Option<&str> {
        (self.parts.tag_end > self.parts.name_end)
            .then(|| slice(&self.s, self.parts.name_end + 1, self.parts.tag_end))
    }

    /// The digest, without its `@`.
    #[must_use]
    pub fn digest(&self) -> Option<&str> {
        (self.parts.tag_end < self.s.len())
            .then(|| slice(&self.s, self.parts.tag_end + 1, self.s.len()))
    }

    /// Where the familiar form starts: after `docker.io/`, and after `library/` when a single
    /// component follows it.
    fn familiar_start(&self) -> usize {
        if self.domain() != Some(DEFAULT_DOMAIN) {
            return 0;
        }
        let path = self.path();
        let start = self.parts.path_start();
        match path.strip_prefix(OFFICIAL_REPO_PREFIX) {
            Some(rest) if !rest.contains('/') => start + OFFICIAL_REPO_PREFIX.len(),
            _ => start,
        }
    }

    /// The familiar name: the name with `docker.io/` and `library/` taken off (`nginx`).
    #[must_use]
    pub fn familiar_name(&self) -> &str {
        slice(&self.s, self.familiar_start(), self.parts.name_end)
    }

    /// The familiar form: the familiar name with its tag and digest (`nginx:1`).
    #[must_use]
    pub fn familiar(&self) -> &str {
        slice(&self.s, self.familiar_start(), self.s.len())
    }

    /// `ParseDockerRef`: `:latest` added when there is neither tag nor digest; the tag dropped
    /// when both are given.
    pub(crate) fn into_docker_ref(self) -> Self {
        let (tag, digest) = (self.tag().is_some(), self.digest().is_some());
        let s = match (tag, digest) {
            (false, false) => format!("{}:latest", self.as_str()),
            (true, true) => format!(
                "{}{}",
                self.name(),
                slice(&self.s, self.parts.tag_end, self.s.len())
            ),
            _ => return self,
        };
        let name_end = self.parts.name_end;
        let tag_end = if digest { name_end } else { s.len() };
        Normalized {
            s: Cow::Owned(s),
            parts: Parts {
                tag_end,
                ..self.parts
            },
        }
    }
}

/// `{"string", "name", "domain", "path", "tag", "digest", "familiar", "familiarName"}`; absent
/// parts are `null`.
///
/// ```
/// let n = imgrepl::Reference::parse_normalized("nginx:1")?;
/// assert_eq!(serde_json::to_string(&n)?, r#"{"string":"docker.io/library/nginx:1","name":"docker.io/library/nginx","domain":"docker.io","path":"library/nginx","tag":"1","digest":null,"familiar":"nginx:1","familiarName":"nginx"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl serde::Serialize for Normalized<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Normalized", 8)?;
        s.serialize_field("string", self.as_str())?;
        s.serialize_field("name", self.name())?;
        s.serialize_field("domain", &self.domain())?;
        s.serialize_field("path", self.path())?;
        s.serialize_field("tag", &self.tag())?;
        s.serialize_field("digest", &self.digest())?;
        s.serialize_field("familiar", self.familiar())?;
        s.serialize_field("familiarName", self.familiar_name())?;
        s.end()
    }
}

impl std::fmt::Display for Normalized<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.s)
    }
}

/// The length `prefix` contributes to the normalized path of `prefix + tail` (`tail` is `/x`
/// or `/x/x`), and whether the normalized domain is Docker Hub's though `prefix` does not start
/// with one of its domains.
pub(crate) fn normalize_probe(prefix: &str, tail: &str) -> Result<(usize, bool), ParseError> {
    let probe = format!("{prefix}{tail}");
    let n = normalize(&probe).map_err(|e| e.map_offset(|o| o.min(prefix.len())))?;
    let first = prefix.split('/').next().unwrap_or_default();
    let implicit_hub = n.domain() == Some(DEFAULT_DOMAIN) && !DOCKER_HUB_DOMAINS.contains(&first);
    Ok((n.path().len().saturating_sub(tail.len() - 1), implicit_hub))
}

/// Whether lowercasing `c` changes it (the reference implementation's `ToLower(s) != s`).
fn changes_when_lowercased(c: char) -> bool {
    let mut lower = c.to_lowercase();
    lower.next() != Some(c) || lower.next().is_some()
}

/// `ParseNormalizedNamed`.
pub(crate) fn normalize(s: &str) -> Result<Normalized<'_>, ParseError> {
    if let Some(n) = normalize_fast(s) {
        return Ok(n);
    }
    normalize_general(s)
}

/// [`normalize`] for the references the fast path is sure of, from its parts: no second parse,
/// and the normalized text built with one reservation. `None` when not sure (then
/// [`normalize_general`] reads and diagnoses the input).
///
/// The fast path is sure only of names without uppercase letters (outside a bracketed host,
/// left to the general reading here), so the general reading's uppercase checks cannot fail, and the
/// first component is a domain exactly by the rule below. Moved under `docker.io/`, the
/// components of the name stay valid path components (the fast path checked every component
/// by the path rules); only the path's length can go wrong, which is left to the general
/// reading to report.
#[inline]
fn normalize_fast(s: &str) -> Option<Normalized<'_>> {
    if s.len() > super::MAX_IMAGE_BYTES || s.len() == 64 || s.starts_with('[') {
        // Too long, possibly a 64-hex-digit identifier, or a bracketed host (a domain for the
        // normalized view only with a `:` or an uppercase letter): the general reading decides.
        return None;
    }
    let scan = super::fast::scan::<false>(s.as_bytes())?;
    let parts = scan.parts;
    let name = slice(s, 0, parts.name_end);
    // splitDockerDomain: the first component is a domain if it has a `.` or a `:`, or is
    // `localhost`.
    let (written_domain, rem_start) = match scan.first_slash {
        0 => (None, 0),
        slash => {
            let first = slice(s, 0, slash);
            if first.bytes().any(|b| b == b'.' || b == b':') || first == "localhost" {
                (Some(first), slash + 1)
            } else {
                (None, 0)
            }
        }
    };
    let domain = match written_domain {
        Some(LEGACY_DEFAULT_DOMAIN) | None => DEFAULT_DOMAIN,
        Some(d) => d,
    };
    // With no domain written, the first `/` is in the rest.
    let official = domain == DEFAULT_DOMAIN
        && if rem_start == 0 {
            scan.first_slash == 0
        } else {
            !slice(name, rem_start, name.len()).contains('/')
        };
    if written_domain == Some(domain) && !official {
        return Some(Normalized {
            s: Cow::Borrowed(s),
            parts,
        });
    }
    let lib = if official { OFFICIAL_REPO_PREFIX } else { "" };
    let rem = slice(s, rem_start, s.len());
    let added = DEFAULT_DOMAIN.len() + 1 + lib.len();
    let name_end = parts.name_end - rem_start + added;
    if name_end - (DEFAULT_DOMAIN.len() + 1) > NAME_TOTAL_LENGTH_MAX {
        return None;
    }
    let mut owned = String::with_capacity(added + rem.len());
    owned.push_str(DEFAULT_DOMAIN);
    owned.push('/');
    owned.push_str(lib);
    owned.push_str(rem);
    Some(Normalized {
        s: Cow::Owned(owned),
        parts: Parts {
            domain_end: DEFAULT_DOMAIN.len(),
            name_end,
            tag_end: parts.tag_end - rem_start + added,
        },
    })
}

/// `ParseNormalizedNamed` read by the grammar, for any input, with its diagnostics.
pub(crate) fn normalize_general(s: &str) -> Result<Normalized<'_>, ParseError> {
    super::check_len(s)?;
    if s.is_empty() {
        // The reference implementation parses `docker.io/library/`, which ends too early.
        return Err(ParseError::new(
            ParseErrorKind::InvalidFormat,
            "empty reference",
            0,
        ));
    }
    if s.len() == 64 && super::parse::all_lower_hex(s.as_bytes()) {
        return Err(ParseError::new(
            ParseErrorKind::HexName,
            "a 64-hex-digit identifier cannot be used as a name",
            0,
        ));
    }
    // splitDockerDomain
    let first = s.split_once('/').map(|(first, _)| first);
    let (written_domain, rem_start) = match first {
        Some(first)
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(changes_when_lowercased) =>
        {
            (Some(first), first.len() + 1)
        }
        _ => (None, 0),
    };
    let domain = match written_domain {
        Some(LEGACY_DEFAULT_DOMAIN) | None => DEFAULT_DOMAIN,
        Some(d) => d,
    };
    let rem = slice(s, rem_start, s.len());
    let official = domain == DEFAULT_DOMAIN && !rem.contains('/');
    let remote = rem.split(':').next().unwrap_or_default();
    if let Some((i, _)) = remote
        .char_indices()
        .find(|&(_, c)| changes_when_lowercased(c))
    {
        // The reference implementation checks everything up to the first `:`, so a digest
        // algorithm (`nginx@SHA256:…`) is checked as part of the repository name.
        let in_digest = remote.get(..i).is_some_and(|before| before.contains('@'));
        return Err(ParseError::new(
            ParseErrorKind::Uppercase,
            if in_digest {
                "uppercase letter in the digest algorithm, read as part of the repository name"
            } else {
                "uppercase letter in repository path"
            },
            rem_start + i,
        ));
    }
    if written_domain == Some(domain) && !official {
        let parts = parse_parts(s)?;
        return Ok(Normalized {
            s: Cow::Borrowed(s),
            parts,
        });
    }
    let lib = if official { OFFICIAL_REPO_PREFIX } else { "" };
    let owned = format!("{domain}/{lib}{rem}");
    let added = owned.len() - rem.len();
    match parse_parts(&owned) {
        Ok(parts) => Ok(Normalized {
            s: Cow::Owned(owned),
            parts,
        }),
        // The path is 8 bytes longer than written: say so, or the offset looks wrong.
        Err(e) if official && e.kind() == ParseErrorKind::NameTooLong => Err(ParseError::new(
            ParseErrorKind::NameTooLong,
            "repository path longer than 255 bytes once \"library/\" is added",
            rem_start + NAME_TOTAL_LENGTH_MAX - OFFICIAL_REPO_PREFIX.len(),
        )),
        Err(e) => Err(e.map_offset(|o| rem_start + o.saturating_sub(added))),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{normalize_fast, normalize_general};

    fn agree(s: &str) -> Result<(), TestCaseError> {
        if let Some(fast) = normalize_fast(s) {
            prop_assert_eq!(Ok(fast), normalize_general(s), "{:?}", s);
        }
        Ok(())
    }

    #[test]
    fn common_shapes_are_normalized_without_the_grammar() {
        let hex = "0123456789abcdef".repeat(4);
        for (s, normalized, borrowed) in [
            ("nginx", "docker.io/library/nginx", false),
            ("nginx:1.27", "docker.io/library/nginx:1.27", false),
            ("bitnami/redis:7", "docker.io/bitnami/redis:7", false),
            ("docker.io/nginx", "docker.io/library/nginx", false),
            ("index.docker.io/team/app:2", "docker.io/team/app:2", false),
            ("docker.io/library/nginx", "docker.io/library/nginx", true),
            ("quay.io/team/app", "quay.io/team/app", true),
            ("localhost/app", "localhost/app", true),
            ("localhost:5000/app", "localhost:5000/app", true),
            ("a_b.c/app", "a_b.c/app", true),
            ("localhostx/app", "docker.io/localhostx/app", false),
        ] {
            let fast = normalize_fast(s);
            assert_eq!(
                fast.as_ref().map(super::Normalized::as_str),
                Some(normalized),
                "{s:?}"
            );
            assert_eq!(
                fast.as_ref()
                    .map(|n| matches!(n.s, std::borrow::Cow::Borrowed(_))),
                Some(borrowed),
                "{s:?}"
            );
            assert_eq!(
                fast.ok_or(()),
                normalize_general(s).map_err(|_| ()),
                "{s:?}"
            );
        }
        let with_digest = format!("team/app@sha256:{hex}");
        assert_eq!(
            normalize_fast(&with_digest).ok_or(()),
            normalize_general(&with_digest).map_err(|_| ())
        );
        // Left to the general reading: a 64-hex name, a path too long once moved.
        assert_eq!(normalize_fast(&hex), None);
        for bracketed in ["[::1]:5000/app", "[abcd]/app", "[ABCD]/app"] {
            assert_eq!(normalize_fast(bracketed), None);
        }
        let long = format!("{}/a", "b".repeat(254));
        assert_eq!(normalize_fast(&long), None);
        assert!(normalize_general(&long).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        /// Whenever the fast normalization answers, the general one gives the same result.
        #[test]
        fn fast_and_general_normalization_agree(s in "[a-zA-Z0-9._:/@\\[\\]-]{0,40}") {
            agree(&s)?;
        }

        #[test]
        fn they_agree_on_reference_shaped_inputs(
            first in "(localhost|index\\.docker\\.io|docker\\.io|[a-z0-9]{1,4}([._-][a-z0-9]{1,3})?)(:[0-9]{1,4})?",
            rest in "(/[a-z0-9_.-]{1,4}){0,3}(:[A-Za-z0-9_.-]{1,4})?",
            long in 0..300usize,
        ) {
            agree(&format!("{first}{rest}"))?;
            agree(&format!("{first}/{}{rest}", "a".repeat(long)))?;
            agree(&format!("{}{rest}", "a".repeat(long)))?;
        }
    }
}
