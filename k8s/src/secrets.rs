//! Image pull secrets: which registries a `kubernetes.io/dockerconfigjson` Secret covers, matched
//! as the kubelet's credential keyring matches them.
//!
//! The kubelet reads each key of `auths` as a URL (a scheme is optional), drops a `/v1/` or
//! `/v2/` path, and keeps host (with port) and path. A key covers an image — the image's
//! normalized name, `docker.io/library/nginx` for `nginx` — when the ports are equal, the
//! hosts have as many dot-separated labels and each label matches (a key's label may be a glob
//! with `*` and `?`), and the key's path is a prefix of the image's path (a plain string
//! prefix, as the kubelet does). A key for `index.docker.io` also covers Docker Hub images.

use serde::Serialize;

use super::node::{Lookup, Node, ValueType};
use base64::Engine as _;

use super::{Warning, WorkloadError};
use imgrepl::{Code, Reference};

/// One Secret's registries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PullSecret {
    /// Its `metadata.name`.
    pub name: String,
    /// Its `metadata.namespace`, when given.
    pub namespace: Option<String>,
    /// Its registry keys, as the kubelet keeps them (`host[:port][/path]`).
    pub registries: Vec<String>,
}

impl PullSecret {
    /// A secret from the text of a `.dockerconfigjson` (`{"auths": {…}}`) or a `.dockercfg`
    /// (the map itself).
    ///
    /// # Errors
    ///
    /// A message when the text is not such a JSON object.
    ///
    /// ```
    /// use imgrepl_k8s::PullSecret;
    ///
    /// let s = PullSecret::from_docker_config("regcred", None, r#"{"auths": {"https://index.docker.io/v1/": {}, "swr.example.com:443/team": {}}}"#)?;
    /// assert_eq!(s.registries, ["index.docker.io", "swr.example.com:443/team"]);
    /// assert!(s.covers("nginx"));
    /// assert!(s.covers("swr.example.com:443/team/app:1"));
    /// assert!(!s.covers("swr.example.com/team/app"));
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_docker_config(
        name: &str,
        namespace: Option<&str>,
        json: &str,
    ) -> Result<PullSecret, String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
        let auths = match value.get("auths") {
            Some(auths) => auths,
            None => &value,
        };
        let auths = auths
            .as_object()
            .ok_or_else(|| "\"auths\" is not an object".to_owned())?;
        let mut registries: Vec<String> = auths.keys().map(|k| registry_key(k)).collect();
        registries.sort_unstable();
        registries.dedup();
        Ok(PullSecret {
            name: name.to_owned(),
            namespace: namespace.map(str::to_owned),
            registries,
        })
    }

    /// Whether one of its keys covers `image` (as written; it is normalized first). An invalid
    /// image is covered by nothing.
    #[must_use]
    pub fn covers(&self, image: &str) -> bool {
        let Ok(normalized) = Reference::parse_normalized(image) else {
            return false;
        };
        let name = normalized.name();
        if self.registries.iter().any(|key| key_matches(key, name)) {
            return true;
        }
        default_registry_match(name) && self.registries.iter().any(|k| k == DEFAULT_REGISTRY_HOST)
    }
}

/// The host the kubelet files Docker Hub credentials under.
const DEFAULT_REGISTRY_HOST: &str = "index.docker.io";

/// A key of `auths` as the kubelet keeps it: no scheme, no `/v1/` or `/v2/`, no trailing `/`.
///
/// ```
/// use imgrepl_k8s::registry_key;
/// assert_eq!(registry_key("https://index.docker.io/v1/"), "index.docker.io");
/// assert_eq!(registry_key("http://r.io:5000/v2/team"), "r.io:5000/team");
/// assert_eq!(registry_key("*.example.com"), "*.example.com");
/// ```
#[must_use]
pub fn registry_key(location: &str) -> String {
    let rest = location
        .strip_prefix("https://")
        .or_else(|| location.strip_prefix("http://"))
        .unwrap_or(location);
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = path
        .strip_prefix("/v1/")
        .or_else(|| path.strip_prefix("/v2/"))
        .unwrap_or(path)
        .trim_start_matches('/');
    if path.is_empty() {
        host.to_owned()
    } else {
        format!("{host}/{path}")
    }
}

/// Host, port and path of a schemeless URL.
fn split(url: &str) -> (&str, &str, &str) {
    let (authority, path) = url.split_at(url.find('/').unwrap_or(url.len()));
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':').unwrap_or_default()),
            None => (authority, ""),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => (authority, ""),
        }
    };
    (host, port, path)
}

/// The kubelet's `URLsMatch`: equal ports, as many host labels each matching (globs in the
/// key's), and the key's path a prefix of the image's.
///
/// ```
/// use imgrepl_k8s::key_matches;
/// assert!(key_matches("*.example.com", "eu.example.com/app"));
/// assert!(!key_matches("*.example.com", "example.com/app"));
/// assert!(key_matches("quay.io/core", "quay.io/coreos/etcd")); // a string prefix, as the kubelet
/// assert!(!key_matches("r.io:5000", "r.io/app"));
/// ```
#[must_use]
pub fn key_matches(key: &str, image_name: &str) -> bool {
    let (key_host, key_port, key_path) = split(key);
    let (host, port, path) = split(image_name);
    if key_port != port || !path.starts_with(key_path) {
        return false;
    }
    let key_labels: Vec<&str> = key_host.split('.').collect();
    let labels: Vec<&str> = host.split('.').collect();
    key_labels.len() == labels.len()
        && key_labels
            .iter()
            .zip(&labels)
            .all(|(k, l)| glob(k.as_bytes(), l.as_bytes()))
}

/// `filepath.Match` for one host label: `*` any run, `?` one character, the rest literal.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// The kubelet's `isDefaultRegistryMatch` for a normalized name.
fn default_registry_match(name: &str) -> bool {
    name.starts_with("docker.io/")
}

/// The pull secrets known to a rewrite: the `kubernetes.io/dockerconfigjson` (and
/// `kubernetes.io/dockercfg`) Secrets of the manifests, given through
/// [`Options::pull_secrets`](super::Options::pull_secrets).
///
/// ```
/// use imgrepl_k8s::PullSecrets;
///
/// let secret = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
///   "metadata": {"name": "regcred"},
///   "stringData": {".dockerconfigjson": r#"{"auths": {"m.io": {"auth": "dTpw"}}}"#}});
/// let mut secrets = PullSecrets::default();
/// secrets.add_objects(&secret);
/// assert_eq!(secrets.secrets()[0].registries, ["m.io"]);
/// assert!(secrets.problems().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PullSecrets {
    secrets: Vec<PullSecret>,
    #[serde(rename = "serviceAccounts")]
    service_accounts: Vec<ServiceAccount>,
    problems: Vec<Warning>,
}

/// A `ServiceAccount`'s `imagePullSecrets`. The API server's `ServiceAccount` admission plugin copies
/// them into a pod that names none of its own, before any webhook sees the pod; so a pod
/// template without `imagePullSecrets` pulls with its service account's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServiceAccount {
    /// Its `metadata.name`.
    pub name: String,
    /// Its `metadata.namespace`, when given.
    pub namespace: Option<String>,
    /// The names of its `imagePullSecrets`.
    pub image_pull_secrets: Vec<String>,
}

impl PullSecrets {
    /// Adds a secret.
    pub fn add(&mut self, secret: PullSecret) {
        self.secrets.push(secret);
    }

    /// The secrets.
    #[must_use]
    pub fn secrets(&self) -> &[PullSecret] {
        &self.secrets
    }

    /// The service accounts.
    #[must_use]
    pub fn service_accounts(&self) -> &[ServiceAccount] {
        &self.service_accounts
    }

    /// Adds a service account.
    pub fn add_service_account(&mut self, account: ServiceAccount) {
        self.service_accounts.push(account);
    }

    /// The known service account called `name` (in `namespace`, when both namespaces are
    /// known).
    ///
    /// ```
    /// use imgrepl_k8s::PullSecrets;
    ///
    /// let account = serde_json::json!({"apiVersion": "v1", "kind": "ServiceAccount",
    ///   "metadata": {"name": "builder", "namespace": "ci"},
    ///   "imagePullSecrets": [{"name": "regcred"}]});
    /// let mut secrets = PullSecrets::default();
    /// secrets.add_objects(&account);
    /// let found = secrets.service_account("builder", Some("ci")).unwrap();
    /// assert_eq!(found.image_pull_secrets, ["regcred"]);
    /// assert!(secrets.service_account("builder", Some("prod")).is_none());
    /// ```
    #[must_use]
    pub fn service_account(&self, name: &str, namespace: Option<&str>) -> Option<&ServiceAccount> {
        self.service_accounts
            .iter()
            .find(|a| a.name == name && same_namespace(namespace, a.namespace.as_deref()))
    }

    /// The Secrets that could not be read ([`Code::InvalidPullSecret`]).
    #[must_use]
    pub fn problems(&self) -> &[Warning] {
        &self.problems
    }

    /// The known secret called `name` (in `namespace`, when both namespaces are known).
    #[must_use]
    pub fn get(&self, name: &str, namespace: Option<&str>) -> Option<&PullSecret> {
        self.secrets
            .iter()
            .find(|s| s.name == name && same_namespace(namespace, s.namespace.as_deref()))
    }

    /// The pull secrets that the pod specs of `reports` name and that are not known, each once,
    /// sorted: what the pull checks could not judge (a caller says so once, plainly, rather
    /// than warning for every pod spec).
    ///
    /// ```
    /// use imgrepl_k8s::{Options, PullSecrets};
    ///
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
    ///   "spec": {"imagePullSecrets": [{"name": "swr-pull"}], "containers": [{"name": "a", "image": "nginx"}]}});
    /// let secrets = PullSecrets::default();
    /// let report = imgrepl_k8s::rewrite(&pod, &Options::default().pull_secrets(&secrets))?;
    /// assert_eq!(secrets.not_given([&report]), ["swr-pull"]);
    /// # Ok::<(), imgrepl_k8s::WorkloadError>(())
    /// ```
    #[must_use]
    pub fn not_given<'r>(
        &self,
        reports: impl IntoIterator<Item = &'r super::Report>,
    ) -> Vec<String> {
        let mut names: Vec<String> = reports
            .into_iter()
            .flat_map(|r| &r.pod_specs)
            .flat_map(|spec| &spec.image_pull_secrets)
            .filter(|name| self.get(name, None).is_none())
            .cloned()
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Adds the pull secrets of one JSON document (a Secret, or a `List` of objects, as
    /// `kubectl get secrets -o json` prints it), as [`add_objects`](Self::add_objects) does for
    /// a parsed one; what the bindings take.
    ///
    /// # Errors
    ///
    /// A [`WorkloadError`] when the text is larger than
    /// [`MAX_OBJECT_BYTES`](super::MAX_OBJECT_BYTES) or is not JSON (with its byte offset);
    /// nothing is added then. A Secret that cannot be read is not an error: it is kept as a
    /// problem.
    ///
    /// ```
    /// use imgrepl_k8s::{PullSecrets, WorkloadErrorKind};
    ///
    /// let mut secrets = PullSecrets::default();
    /// secrets.add_json(r#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1",
    ///   "kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "regcred"},
    ///   "stringData": {".dockerconfigjson": "{\"auths\": {\"m.io\": {}}}"}}]}"#)?;
    /// assert_eq!(secrets.secrets()[0].name, "regcred");
    /// let err = secrets.add_json("{\"kind\": x}").unwrap_err();
    /// assert_eq!((err.kind(), err.offset()), (WorkloadErrorKind::InvalidJson, Some(9)));
    /// # Ok::<(), imgrepl_k8s::WorkloadError>(())
    /// ```
    pub fn add_json(&mut self, json: &str) -> Result<(), WorkloadError> {
        if json.len() > super::MAX_OBJECT_BYTES {
            return Err(WorkloadError::too_large(json.len()));
        }
        let document: serde_json::Value =
            serde_json::from_str(json).map_err(|e| WorkloadError::invalid_json(&e, json))?;
        self.add_objects(&document);
        Ok(())
    }

    /// Adds the pull secrets and service accounts of a document: the object itself, or the
    /// items of its `List`s. Other objects are ignored; a pull secret that cannot be read is kept as a problem.
    pub fn add_objects<'a, N: Node<'a>>(&mut self, document: N) {
        let mut work = vec![(document, String::new())];
        while let Some((node, pointer)) = work.pop() {
            if let Some(items) = super::kind::is_list(node) {
                let items: Vec<N> = items.items().collect();
                for (i, item) in items.into_iter().enumerate().rev() {
                    work.push((item, format!("{pointer}/items/{i}")));
                }
                continue;
            }
            self.add_object(node, &pointer);
        }
    }

    fn add_object<'a, N: Node<'a>>(&mut self, node: N, pointer: &str) {
        let text = |n: N, key: &str| match n.get(key) {
            Lookup::Found(v) => v.as_str(),
            _ => None,
        };
        if node.value_type() != ValueType::Object {
            return;
        }
        let (name, namespace) = match node.get("metadata") {
            Lookup::Found(m) => (text(m, "name"), text(m, "namespace")),
            _ => (None, None),
        };
        let name = name.unwrap_or_default();
        match text(node, "kind") {
            Some("Secret") => {}
            Some("ServiceAccount") if text(node, "apiVersion") == Some("v1") => {
                self.service_accounts.push(ServiceAccount {
                    name: name.to_owned(),
                    namespace: namespace.map(str::to_owned),
                    image_pull_secrets: pull_secret_names(node),
                });
                return;
            }
            _ => return,
        }
        let file = match text(node, "type") {
            Some("kubernetes.io/dockerconfigjson") => ".dockerconfigjson",
            Some("kubernetes.io/dockercfg") => ".dockercfg",
            _ => return,
        };
        let encoded = match node.get("data") {
            Lookup::Found(d) => text(d, file),
            _ => None,
        };
        let plain = match node.get("stringData") {
            Lookup::Found(d) => text(d, file),
            _ => None,
        };
        let json = match (plain, encoded) {
            (Some(plain), _) => Ok(plain.to_owned()),
            (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| format!("data.{file} is not base64 of UTF-8 text")),
            (None, None) => Err(format!("it has no data.{file}")),
        };
        match json.and_then(|json| PullSecret::from_docker_config(name, namespace, &json)) {
            Ok(secret) => self.secrets.push(secret),
            Err(why) => self.problems.push(Warning {
                code: Code::InvalidPullSecret,
                message: format!(
                    "the pull secret {name:?} cannot be read ({why}): it covers nothing"
                ),
                pointer: pointer.to_owned(),
            }),
        }
    }
}

/// Whether an object in `b` can be the one named from `a`: equal namespaces, or one unknown.
fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}
/// The names of a pod spec's `imagePullSecrets` (entries without a string `name` are skipped:
/// the API server rejects them, and this is not the place to validate them).
pub(super) fn pull_secret_names<'a, N: Node<'a>>(spec: N) -> Vec<String> {
    let Lookup::Found(list) = spec.get("imagePullSecrets") else {
        return Vec::new();
    };
    list.items()
        .filter_map(|item| match item.get("name") {
            Lookup::Found(name) => name.as_str().map(str::to_owned),
            _ => None,
        })
        .collect()
}
