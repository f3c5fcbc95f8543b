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
