//! Where an image reference is asked for: host, repository and tag or digest, in the normalized
//! reading of the reference (`nginx` is `docker.io/library/nginx:latest`, asked of Docker Hub's
//! `registry-1.docker.io`).

use std::fmt;
use std::str::FromStr;

use imgrepl::{ParseError, Reference};

/// The host Docker Hub's registry API answers on (`docker.io` is only its name).
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";

/// Docker Hub's name in normalized references.
const DOCKER_HUB: &str = "docker.io";

/// One manifest to ask for: a registry host, a repository in it, and a tag or digest.
///
/// ```
/// use imgrepl_registry::Location;
///
/// let l = Location::from_image("nginx")?;
/// assert_eq!((l.host(), l.repository(), l.reference()), ("registry-1.docker.io", "library/nginx", "latest"));
/// assert_eq!(l.name(), "docker.io/library/nginx");
///
/// let d = Location::from_image("m.io:5000/team/app:1@sha256:0123456789012345678901234567890123456789012345678901234567890123")?;
/// assert_eq!(d.host(), "m.io:5000");
/// assert!(d.is_digest()); // the digest wins over the tag, as a pull does
/// # Ok::<(), imgrepl::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    host: String,
    repository: String,
    reference: String,
    name: String,
}

impl Location {
    /// The location of an image reference as written (normalized first; `:latest` when it has
    /// neither tag nor digest; the digest when it has both).
    ///
    /// # Errors
    ///
    /// The reference is not valid.
    pub fn from_image(image: &str) -> Result<Location, ParseError> {
        let n = Reference::parse_docker_ref(image)?;
        let name = n.name().to_owned();
        let domain = n.domain().unwrap_or(DOCKER_HUB);
        let host = if domain == DOCKER_HUB {
            DOCKER_HUB_API_HOST
        } else {
            domain
        };
        let reference = n.digest().or(n.tag()).unwrap_or("latest");
        Ok(Location {
            host: host.to_owned(),
            repository: n.path().to_owned(),
            reference: reference.to_owned(),
            name,
        })
    }

    /// The host (with its port) the requests go to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The repository (`library/nginx`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag or digest asked for.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// Whether [`reference`](Self::reference) is a digest.
    pub fn is_digest(&self) -> bool {
        self.reference.contains(':')
    }

    /// The normalized name (`docker.io/library/nginx`), which credentials are matched against.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.is_digest() { '@' } else { ':' };
        write!(
            f,
            "{}/{}{sep}{}",
            self.host, self.repository, self.reference
        )
    }
}

/// An image platform, `os/architecture[/variant]`.
///
/// ```
/// use imgrepl_registry::Platform;
///
/// let p: Platform = "linux/arm/v7".parse()?;
/// assert_eq!((p.os.as_str(), p.architecture.as_str(), p.variant.as_deref()), ("linux", "arm", Some("v7")));
/// assert_eq!(p.to_string(), "linux/arm/v7");
/// assert!(p.satisfied_by(&"linux/arm/v7".parse()?));
/// assert!("linux/arm64".parse::<Platform>()?.satisfied_by(&"linux/arm64/v8".parse()?));
/// assert!("os".parse::<Platform>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    /// The operating system (`linux`).
    pub os: String,
    /// The architecture (`amd64`).
    pub architecture: String,
    /// The variant (`v7`), when one is named.
    pub variant: Option<String>,
}

impl Platform {
    /// Whether an image of platform `have` serves this one: the same OS and architecture, and
    /// the same variant when this one names one.
    pub fn satisfied_by(&self, have: &Platform) -> bool {
        self.os == have.os
            && self.architecture == have.architecture
            && self
                .variant
                .as_ref()
                .is_none_or(|v| have.variant.as_ref() == Some(v))
    }
}

impl FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        match parts.as_slice() {
            [os, arch] | [os, arch, _]
                if ok(os) && ok(arch) && parts.get(2).is_none_or(|v| ok(v)) =>
            {
                Ok(Platform {
                    os: (*os).to_owned(),
                    architecture: (*arch).to_owned(),
                    variant: parts.get(2).map(|v| (*v).to_owned()),
                })
            }
            _ => Err(format!("{s:?} is not os/arch[/variant]")),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_follow_the_normalized_reading() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let pinned = format!("m.io/a/b:1@{digest}");
        let cases: &[(&str, &str, &str, &str)] = &[
            ("nginx", DOCKER_HUB_API_HOST, "library/nginx", "latest"),
            (
                "docker.io/library/nginx:1",
                DOCKER_HUB_API_HOST,
                "library/nginx",
                "1",
            ),
            (
                "index.docker.io/team/app",
                DOCKER_HUB_API_HOST,
                "team/app",
                "latest",
            ),
            ("team/app:2", DOCKER_HUB_API_HOST, "team/app", "2"),
            ("localhost:5000/a", "localhost:5000", "a", "latest"),
            ("[::1]:5000/a/b:3", "[::1]:5000", "a/b", "3"),
            (&pinned, "m.io", "a/b", &digest),
        ];
        for (image, host, repository, reference) in cases {
            let l = Location::from_image(image).unwrap();
            assert_eq!(
                (l.host(), l.repository(), l.reference()),
                (*host, *repository, *reference),
                "{image}"
            );
        }
        assert!(Location::from_image("team/UPPER").is_err());
        assert_eq!(
            Location::from_image(&pinned).unwrap().to_string(),
            format!("m.io/a/b@{digest}")
        );
    }

    #[test]
    fn platforms() {
        for bad in [
            "",
            "linux",
            "linux/",
            "/amd64",
            "linux/amd64/v8/x",
            "linux/am d64",
        ] {
            assert!(bad.parse::<Platform>().is_err(), "{bad:?}");
        }
        let want: Platform = "linux/arm/v7".parse().unwrap();
        assert!(!want.satisfied_by(&"linux/arm/v6".parse().unwrap()));
        assert!(!want.satisfied_by(&"linux/arm".parse().unwrap()));
    }
}
