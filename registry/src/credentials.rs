//! Registry logins from a `dockerconfigjson`, matched to an image as the kubelet matches pull
//! secrets (the rules of `imgrepl-k8s`'s pull-secret keys, reused: `registry_key`,
//! `key_matches`, and a key for `index.docker.io` covering Docker Hub images).
//!
//! This module is the crate's only use of `imgrepl-k8s`.

use std::fmt;

use base64::Engine as _;
use imgrepl_k8s::{key_matches, registry_key};

/// Docker Hub's key in a docker config; it covers every `docker.io/…` image.
const DOCKER_HUB_KEY: &str = "index.docker.io";

/// One login: the config key it is filed under, a user name and a password. Its `Debug` shows
/// the key only.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    key: String,
    username: String,
    password: String,
}

impl Login {
    /// The key of `auths` it came from, as the kubelet keeps it (`m.io:5000`), which is what
    /// messages name: never the user name or password.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The `Authorization: Basic …` value.
    pub(crate) fn basic(&self) -> String {
        let pair = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// The logins of a docker config.
///
/// ```
/// use imgrepl_registry::Credentials;
///
/// let c = Credentials::from_docker_config(r#"{"auths": {
///     "https://index.docker.io/v1/": {"auth": "dTpw"},
///     "m.io:5000": {"username": "u", "password": "p"},
///     "m.io:5000/team": {"auth": "dDpx"}}}"#)?;
/// assert_eq!(c.login_for("docker.io/library/nginx").map(|l| l.key()), Some("index.docker.io"));
/// assert_eq!(c.login_for("m.io:5000/team/app").map(|l| l.key()), Some("m.io:5000/team")); // the longest key
/// assert_eq!(c.login_for("m.io:5000/other").map(|l| l.key()), Some("m.io:5000"));
/// assert!(c.login_for("m.io/other").is_none());
/// assert!(!format!("{c:?}").contains("dTpw"));
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    logins: Vec<Login>,
}

impl Credentials {
    /// No logins: every request is anonymous.
    pub fn none() -> Credentials {
        Credentials::default()
    }

    /// The logins of a `.dockerconfigjson` (`{"auths": {…}}`), a `.dockercfg` (the map
    /// itself), or a `kubernetes.io/dockerconfigjson` Secret in JSON holding one (as
    /// `imgrepl pull-secret` prints it: `data` in base64, or `stringData`). Each entry gives
    /// `auth` (base64 of `user:password`) or `username` and `password`; entries with neither
    /// are skipped.
    ///
    /// # Errors
    ///
    /// A message, naming no secret, when the text is none of these.
    pub fn from_docker_config(text: &str) -> Result<Credentials, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let config;
        let value = if value.get("kind").and_then(|k| k.as_str()) == Some("Secret") {
            config = secret_config(&value)?;
            &config
        } else {
            &value
        };
        let auths = value.get("auths").unwrap_or(value);
        let auths = auths
            .as_object()
            .ok_or_else(|| "\"auths\" is not an object".to_owned())?;
        let mut logins = Vec::new();
        for (key, entry) in auths {
            let field = |name: &str| entry.get(name).and_then(|v| v.as_str()).unwrap_or("");
            let (username, password) = match field("auth") {
                "" => (field("username").to_owned(), field("password").to_owned()),
                auth => {
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(auth)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .ok_or_else(|| {
                            format!("the \"auth\" of {key:?} is not base64 of user:password")
                        })?;
                    let (u, p) = decoded.split_once(':').ok_or_else(|| {
                        format!("the \"auth\" of {key:?} is not base64 of user:password")
                    })?;
                    (u.to_owned(), p.to_owned())
                }
            };
            if username.is_empty() && password.is_empty() {
                continue;
            }
            logins.push(Login {
                key: registry_key(key),
                username,
                password,
            });
        }
        Ok(Credentials { logins })
    }

    /// The login for an image's normalized name (`docker.io/library/nginx`): of the keys that
    /// cover it, the longest.
    pub fn login_for(&self, name: &str) -> Option<&Login> {
        let hub = name.starts_with("docker.io/");
        self.logins
            .iter()
            .filter(|l| key_matches(&l.key, name) || (hub && l.key == DOCKER_HUB_KEY))
            .max_by_key(|l| l.key.len())
    }

    /// Whether there are no logins.
    pub fn is_empty(&self) -> bool {
        self.logins.is_empty()
    }
}

/// The docker config a Secret object holds.
fn secret_config(secret: &serde_json::Value) -> Result<serde_json::Value, String> {
    const KEYS: [&str; 2] = [".dockerconfigjson", ".dockercfg"];
    let text = if let Some(s) = KEYS
        .iter()
        .find_map(|k| secret.get("stringData")?.get(k)?.as_str())
    {
        s.to_owned()
    } else {
        let encoded = KEYS
            .iter()
            .find_map(|k| secret.get("data")?.get(k)?.as_str())
            .ok_or_else(|| "the Secret holds no .dockerconfigjson".to_owned())?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| "the Secret's .dockerconfigjson is not base64 of UTF-8".to_owned())?
    };
    serde_json::from_str(&text).map_err(|e| format!("the Secret's docker config is not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_configs_and_secrets() {
        let config = r#"{"auths":{"m.io:5000":{"username":"u","password":"p","auth":"dTpw"}}}"#;
        let data = base64::engine::general_purpose::STANDARD.encode(config);
        let secret_data =
            serde_json::json!({"kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": data}})
            .to_string();
        let secret_string = serde_json::json!({"kind": "Secret",
            "stringData": {".dockerconfigjson": config}})
        .to_string();
        let dockercfg = r#"{"https://m.io:5000/v1/": {"auth": "dTpw"}}"#;
        for text in [config, &secret_data, &secret_string, dockercfg] {
            let c = Credentials::from_docker_config(text).unwrap();
            let login = c.login_for("m.io:5000/team/app").unwrap();
            assert_eq!(login.key(), "m.io:5000", "{text}");
            assert_eq!(login.basic(), "Basic dTpw", "{text}");
        }
        let bad = [
            ("[]", "\"auths\" is not an object"),
            ("{", "not JSON"),
            (r#"{"auths":{"m.io":{"auth":"!!"}}}"#, "not base64"),
            (
                r#"{"auths":{"m.io":{"auth":"dXNlcg=="}}}"#,
                "not base64 of user:password",
            ),
            (
                r#"{"kind":"Secret","data":{}}"#,
                "holds no .dockerconfigjson",
            ),
        ];
        for (text, message) in bad {
            let e = Credentials::from_docker_config(text).unwrap_err();
            assert!(e.contains(message), "{text}: {e}");
            assert!(!e.contains("dXNlcg"), "no secret in {e}");
        }
        // Entries without a login are skipped; they cover nothing.
        let empty = Credentials::from_docker_config(r#"{"auths":{"m.io":{}}}"#).unwrap();
        assert!(empty.is_empty() && empty.login_for("m.io/a").is_none());
    }
}
