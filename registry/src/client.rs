//! The HTTP side: requests, challenges, tokens, and what a manifest says.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use ureq::http::Response;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::{Agent, Body};

use crate::credentials::{Credentials, Login};
use crate::location::{Location, Platform};

/// The media types a manifest request accepts: OCI index and manifest, Docker manifest list and
/// v2 manifest.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// The largest manifest, image config or token response read (4 MiB).
const MAX_BODY: u64 = 4 << 20;

/// How a [`Client`] connects.
#[derive(Debug, Clone)]
pub struct Options {
    /// The timeout of each request, from connecting to the end of the body.
    pub timeout: Duration,
    /// PEM certificates to trust instead of Mozilla's roots (a private CA).
    pub ca_pem: Option<Vec<u8>>,
    /// Hosts (`host[:port]`) asked over plain HTTP; Basic credentials go to them too.
    pub insecure_http: Vec<String>,
    /// The logins to use.
    pub credentials: Credentials,
}

/// What a registry answered for one [`Location`].
///
/// Serialized as `{"result": "present", "digest": …}` and so on, the result in kebab case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Status {
    /// The manifest is there.
    Present {
        /// Its digest.
        digest: String,
    },
    /// No such repository, or no manifest with that digest.
    Missing,
    /// The repository is there, the tag is not.
    TagMissing,
    /// The registry refused (401 or 403).
    #[serde(rename_all = "camelCase")]
    Unauthorized {
        /// The HTTP status.
        status: u16,
        /// The config key of the login tried, `None` when the request was anonymous.
        tried: Option<String>,
    },
    /// The manifest is there, but an index without some of the platforms asked for (or an
    /// image of another platform).
    PlatformMissing {
        /// Its digest.
        digest: String,
        /// The platforms it lacks.
        missing: Vec<String>,
    },
    /// The registry could not be reached (connection, name resolution, TLS, timeout).
    Unreachable {
        /// Why.
        cause: String,
    },
    /// Any other failure (an unexpected HTTP status, a manifest that cannot be read).
    Error {
        /// Why.
        cause: String,
    },
}

impl Status {
    /// The result's name (`present`, `tag-missing`, …).
    ///
    /// ```
    /// assert_eq!(imgrepl_registry::Status::TagMissing.name(), "tag-missing");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Status::Present { .. } => "present",
            Status::Missing => "missing",
            Status::TagMissing => "tag-missing",
            Status::Unauthorized { .. } => "unauthorized",
            Status::PlatformMissing { .. } => "platform-missing",
            Status::Unreachable { .. } => "unreachable",
            Status::Error { .. } => "error",
        }
    }
}

/// A manifest as fetched: its digest, and the platforms of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Manifest {
    /// The digest (`Docker-Content-Digest`, or the SHA-256 of the bytes).
    digest: String,
    /// The platforms an index lists; `None` for an image manifest.
    platforms: Option<Vec<Platform>>,
    /// An image manifest's config blob digest.
    config: Option<String>,
}

/// The answer to a challenge: the `Authorization` value, the login key tried, and the cache key
/// it is kept under.
struct Answer {
    auth: String,
    tried: Option<String>,
    key: (String, String),
}

/// Why a request failed.
#[derive(Debug)]
enum Fail {
    Unreachable(String),
    Unauthorized(u16, Option<String>),
    NotFound,
    Other(String),
}

/// A blocking registry client. It is `Sync`: one client serves many threads, sharing its
/// tokens (per host and repository) and the Basic logins that hosts asked for.
#[derive(Debug)]
pub struct Client {
    agent: Agent,
    insecure_http: Vec<String>,
    credentials: Credentials,
    /// `Authorization` values known to work, by (host, repository); Basic ones by (host, "").
    auth: Mutex<HashMap<(String, String), String>>,
}

impl Client {
    /// A client with these options.
    ///
    /// # Errors
    ///
    /// `ca_pem` holds no certificate or one that cannot be read.
    pub fn new(options: Options) -> Result<Client, String> {
        let mut tls = TlsConfig::builder();
        if let Some(pem) = &options.ca_pem {
            let certs = parse_pem_certs(pem)?;
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .user_agent(concat!("imgrepl/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build();
        Ok(Client {
            agent: config.into(),
            insecure_http: options.insecure_http,
            credentials: options.credentials,
            auth: Mutex::new(HashMap::new()),
        })
    }

    /// What the registry says of `location`: present (with the digest), or why not. With
    /// `platforms`, an index must list each of them, and an image manifest's config must name
    /// one of them.
    pub fn check(&self, location: &Location, platforms: &[Platform]) -> Status {
        let manifest = match self.manifest(location) {
            Ok(m) => m,
            Err(Fail::NotFound) if !location.is_digest() => {
                return match self.has_tags(location) {
                    Ok(true) => Status::TagMissing,
                    Ok(false) | Err(Fail::NotFound) => Status::Missing,
                    Err(f) => status_of(f),
                };
            }
            Err(f) => return status_of(f),
        };
        if platforms.is_empty() {
            return Status::Present {
                digest: manifest.digest,
            };
        }
        let have = match (&manifest.platforms, &manifest.config) {
            (Some(list), _) => list.clone(),
            (None, Some(config)) => match self.config_platform(location, config) {
                Ok(p) => vec![p],
                Err(f) => return status_of(f),
            },
            (None, None) => Vec::new(),
        };
        let missing: Vec<String> = platforms
            .iter()
            .filter(|want| !have.iter().any(|h| want.satisfied_by(h)))
            .map(ToString::to_string)
            .collect();
        if missing.is_empty() {
            Status::Present {
                digest: manifest.digest,
            }
        } else {
            Status::PlatformMissing {
                digest: manifest.digest,
                missing,
            }
        }
    }

    /// Fetches the manifest of `location`.
    fn manifest(&self, location: &Location) -> Result<Manifest, Fail> {
        let path = format!("manifests/{}", location.reference());
        let mut response = self.get(location, &path, Some(ACCEPT))?;
        let header = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = read_body(&mut response, location)?;
        let digest = header.unwrap_or_else(|| sha256_digest(&bytes));
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Fail::Other(format!("the manifest of {location} is not JSON: {e}")))?;
        let platforms = value
            .get("manifests")
            .and_then(|m| m.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|m| platform_of(m.get("platform")?))
                    .collect()
            });
        let config = value
            .get("config")
            .and_then(|c| c.get("digest"))
            .and_then(|d| d.as_str())
            .map(str::to_owned);
        Ok(Manifest {
            digest,
            platforms,
            config,
        })
    }

    /// The platform an image config names.
    fn config_platform(&self, location: &Location, digest: &str) -> Result<Platform, Fail> {
        let mut response = self.get(location, &format!("blobs/{digest}"), None)?;
        let bytes = read_body(&mut response, location)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Fail::Other(format!("the image config of {location} is not JSON: {e}")))?;
        platform_of(&value)
            .ok_or_else(|| Fail::Other(format!("the image config of {location} names no platform")))
    }

    /// Whether the repository lists any tag (to tell a missing tag from a missing repository).
    fn has_tags(&self, location: &Location) -> Result<bool, Fail> {
        let mut response = self.get(location, "tags/list", None)?;
        let bytes = read_body(&mut response, location)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        Ok(value
            .get("tags")
            .and_then(|t| t.as_array())
            .is_some_and(|t| !t.is_empty()))
    }

    /// Whether requests to `host` may go over plain HTTP (and carry Basic credentials there).
    fn plain_http(&self, host: &str) -> bool {
        self.insecure_http.iter().any(|h| h == host)
    }

    /// `GET /v2/<repository>/<path>`, answering one authentication challenge.
    fn get(
        &self,
        location: &Location,
        path: &str,
        accept: Option<&str>,
    ) -> Result<Response<Body>, Fail> {
        let host = location.host();
        let scheme = if self.plain_http(host) {
            "http"
        } else {
            "https"
        };
        let url = format!("{scheme}://{host}/v2/{}/{path}", location.repository());
        let known = self.known_auth(location);
        let response = send(host, || {
            let mut r = self.agent.get(&url);
            if let Some(a) = accept {
                r = r.header("Accept", a);
            }
            if let Some(auth) = &known {
                r = r.header("Authorization", auth.as_str());
            }
            r
        })?;
        let status = response.status().as_u16();
        let response = if status == 401 {
            let challenge = response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .map(Challenge::parse);
            let Some(challenge) = challenge else {
                return Err(Fail::Unauthorized(status, None));
            };
            let Answer { auth, tried, key } = self.answer(&challenge, location)?;
            let retried = send(host, || {
                let mut r = self.agent.get(&url).header("Authorization", auth.as_str());
                if let Some(a) = accept {
                    r = r.header("Accept", a);
                }
                r
            })?;
            let status = retried.status().as_u16();
            if status == 401 || status == 403 {
                return Err(Fail::Unauthorized(status, tried));
            }
            if let Ok(mut cache) = self.auth.lock() {
                cache.insert(key, auth);
            }
            retried
        } else {
            response
        };
        match response.status().as_u16() {
            200..=299 => Ok(response),
            s @ (401 | 403) => Err(Fail::Unauthorized(
                s,
                known
                    .and_then(|_| self.credentials.login_for(location.name()))
                    .map(|l| l.key().to_owned()),
            )),
            404 => Err(Fail::NotFound),
            s => Err(Fail::Other(format!(
                "{host} answered HTTP {s}{}",
                error_code(response)
            ))),
        }
    }

    /// The `Authorization` value that worked before for this host and repository.
    fn known_auth(&self, location: &Location) -> Option<String> {
        let cache = self.auth.lock().ok()?;
        let host = location.host().to_owned();
        cache
            .get(&(host.clone(), location.repository().to_owned()))
            .or_else(|| cache.get(&(host, String::new())))
            .cloned()
    }

    /// The login for `location`, when it may be sent to `host` over `https`/`http`.
    fn login(&self, location: &Location, secure: bool) -> Result<Option<&Login>, Fail> {
        match self.credentials.login_for(location.name()) {
            Some(login) if !secure => Err(Fail::Other(format!(
                "Basic credentials ({}) are not sent over plain HTTP to {}; name the host with --insecure-http",
                login.key(),
                location.host()
            ))),
            login => Ok(login),
        }
    }

    /// The `Authorization` value that answers `challenge`, the login key tried, and the cache
    /// key it is kept under.
    fn answer(&self, challenge: &Challenge, location: &Location) -> Result<Answer, Fail> {
        let host = location.host().to_owned();
        match challenge.scheme.as_str() {
            "basic" => {
                // Over TLS, or plain HTTP to a host --insecure-http names: the only two ways
                // `get` asks a registry.
                let Some(login) = self.login(location, true)? else {
                    return Err(Fail::Unauthorized(401, None));
                };
                Ok(Answer {
                    auth: login.basic(),
                    tried: Some(login.key().to_owned()),
                    key: (host, String::new()),
                })
            }
            "bearer" => {
                let (token, tried) = self.token(challenge, location)?;
                Ok(Answer {
                    auth: format!("Bearer {token}"),
                    tried,
                    key: (host, location.repository().to_owned()),
                })
            }
            other => Err(Fail::Other(format!(
                "{host} asks for {other:?} authentication, which is not supported"
            ))),
        }
    }

    /// A token from the challenge's realm, for pulling `location`'s repository.
    fn token(
        &self,
        challenge: &Challenge,
        location: &Location,
    ) -> Result<(String, Option<String>), Fail> {
        let realm = challenge.param("realm").ok_or_else(|| {
            Fail::Other(format!(
                "{}: a Bearer challenge without a realm",
                location.host()
            ))
        })?;
        let realm_host = realm
            .strip_prefix("https://")
            .map(|r| (r, true))
            .or_else(|| realm.strip_prefix("http://").map(|r| (r, false)));
        let Some((rest, https)) = realm_host else {
            return Err(Fail::Other(format!(
                "{}: the token realm is not an http(s) URL",
                location.host()
            )));
        };
        let realm_host = rest.split(['/', '?']).next().unwrap_or_default();
        let secure = https || self.plain_http(realm_host);
        let login = self.login(location, secure)?;
        let scope = challenge.param("scope").map_or_else(
            || format!("repository:{}:pull", location.repository()),
            str::to_owned,
        );
        let mut response = send(realm_host, || {
            let mut r = self.agent.get(realm).query("scope", &scope);
            if let Some(service) = challenge.param("service") {
                r = r.query("service", service);
            }
            if let Some(login) = login {
                r = r.header("Authorization", login.basic());
            }
            r
        })?;
        let tried = login.map(|l| l.key().to_owned());
        match response.status().as_u16() {
            200..=299 => {}
            s @ (401 | 403) => return Err(Fail::Unauthorized(s, tried)),
            s => {
                return Err(Fail::Other(format!(
                    "the token realm of {} answered HTTP {s}",
                    location.host()
                )));
            }
        }
        let bytes = read_body(&mut response, location)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let token = ["token", "access_token"]
            .iter()
            .find_map(|k| value.get(k)?.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Fail::Other(format!(
                    "the token realm of {} gave no token",
                    location.host()
                ))
            })?;
        Ok((token.to_owned(), tried))
    }
}

/// Sends a request, once more after a connection error.
fn send(
    host: &str,
    request: impl Fn() -> ureq::RequestBuilder<ureq::typestate::WithoutBody>,
) -> Result<Response<Body>, Fail> {
    match request().call() {
        Ok(r) => Ok(r),
        Err(e) if retryable(&e) => request().call().map_err(|e| failure(host, &e)),
        Err(e) => Err(failure(host, &e)),
    }
}

/// A connection error worth one more try.
fn retryable(e: &ureq::Error) -> bool {
    matches!(e, ureq::Error::Io(_) | ureq::Error::ConnectionFailed)
}

/// A transport error as a failure naming the host (never a header).
fn failure(host: &str, e: &ureq::Error) -> Fail {
    match e {
        ureq::Error::Io(_)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::Timeout(_)
        | ureq::Error::Tls(_)
        | ureq::Error::Rustls(_) => Fail::Unreachable(format!("{host}: {e}")),
        _ => Fail::Other(format!("{host}: {e}")),
    }
}

fn status_of(f: Fail) -> Status {
    match f {
        Fail::Unreachable(cause) => Status::Unreachable { cause },
        Fail::Unauthorized(status, tried) => Status::Unauthorized { status, tried },
        Fail::NotFound => Status::Missing,
        Fail::Other(cause) => Status::Error { cause },
    }
}

fn read_body(response: &mut Response<Body>, location: &Location) -> Result<Vec<u8>, Fail> {
    response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| failure(location.host(), &e))
}

/// ` (CODE: message)` from a registry error body, when it has one.
fn error_code(mut response: Response<Body>) -> String {
    let bytes = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_vec()
        .unwrap_or_default();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    value
        .get("errors")
        .and_then(|e| e.get(0))
        .and_then(|e| e.get("code"))
        .and_then(|c| c.as_str())
        .map(|c| format!(" ({c})"))
        .unwrap_or_default()
}

fn sha256_digest(bytes: &[u8]) -> String {
    let mut s = String::from("sha256:");
    for b in Sha256::digest(bytes) {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The platform of an index entry's `platform` or an image config.
fn platform_of(v: &serde_json::Value) -> Option<Platform> {
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    Some(Platform {
        os: field("os")?,
        architecture: field("architecture")?,
        variant: field("variant"),
    })
}

/// The certificates of a PEM file.
fn parse_pem_certs(pem: &[u8]) -> Result<Vec<Certificate<'static>>, String> {
    let text = std::str::from_utf8(pem).map_err(|_| "the CA file is not PEM text".to_owned())?;
    let mut certs = Vec::new();
    let begin = "-----BEGIN CERTIFICATE-----";
    let mut rest = text;
    while let Some(start) = rest.find(begin) {
        let after = &rest[start..];
        let end = after
            .find("-----END CERTIFICATE-----")
            .ok_or_else(|| "the CA file has an unterminated certificate".to_owned())?
            + "-----END CERTIFICATE-----".len();
        let cert = Certificate::from_pem(&after.as_bytes()[..end])
            .map_err(|e| format!("the CA file has a certificate that cannot be read: {e}"))?;
        certs.push(cert);
        rest = &after[end..];
    }
    if certs.is_empty() {
        return Err("the CA file holds no PEM certificate".to_owned());
    }
    Ok(certs)
}

/// A `WWW-Authenticate` challenge: its scheme (lowercase) and parameters.
#[derive(Debug, PartialEq, Eq)]
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    /// Reads `Scheme k="v", k2=v2`; quoted values may hold commas and `\"`.
    fn parse(header: &str) -> Challenge {
        let header = header.trim();
        let (scheme, mut rest) = header.split_at(header.find(' ').unwrap_or(header.len()));
        let mut params = Vec::new();
        loop {
            rest = rest.trim_start_matches([' ', ',']);
            let Some(eq) = rest.find('=') else { break };
            let key = rest[..eq].trim().to_ascii_lowercase();
            rest = &rest[eq + 1..];
            let mut value = String::new();
            if let Some(quoted) = rest.strip_prefix('"') {
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                value.push(n);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                rest = &quoted[end.min(quoted.len())..];
            } else {
                let end = rest.find(',').unwrap_or(rest.len());
                value.push_str(rest[..end].trim());
                rest = &rest[end..];
            }
            params.push((key, value));
        }
        Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params,
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        type Params = &'static [(&'static str, &'static str)];
        let cases: &[(&str, &str, Params)] = &[
            (
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#,
                "bearer",
                &[
                    ("realm", "https://auth.docker.io/token"),
                    ("service", "registry.docker.io"),
                    ("scope", "repository:library/nginx:pull"),
                ],
            ),
            (
                r#"Basic realm="Registry Realm""#,
                "basic",
                &[("realm", "Registry Realm")],
            ),
            (
                r#"Bearer realm="http://t/x", scope="a:b,c:pull", error=invalid_token"#,
                "bearer",
                &[
                    ("realm", "http://t/x"),
                    ("scope", "a:b,c:pull"),
                    ("error", "invalid_token"),
                ],
            ),
            (r#"bearer Realm="q\"x""#, "bearer", &[("realm", "q\"x")]),
            ("Basic", "basic", &[]),
        ];
        for (header, scheme, params) in cases {
            let c = Challenge::parse(header);
            assert_eq!(c.scheme, *scheme, "{header}");
            let got: Vec<(&str, &str)> = c
                .params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            assert_eq!(got, *params, "{header}");
        }
    }

    #[test]
    fn digests_and_platforms() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let v = serde_json::json!({"os": "linux", "architecture": "arm", "variant": "v7"});
        assert_eq!(
            platform_of(&v).map(|p| p.to_string()).as_deref(),
            Some("linux/arm/v7")
        );
        assert_eq!(platform_of(&serde_json::json!({"os": "linux"})), None);
    }

    #[test]
    fn ca_files() {
        assert!(parse_pem_certs(b"nothing").is_err());
        assert!(parse_pem_certs(b"-----BEGIN CERTIFICATE-----\nAAAA").is_err());
    }
}
