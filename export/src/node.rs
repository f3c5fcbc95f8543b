//! Node-level mirror configurations: containers/image `registries.conf` (CRI-O, Podman,
//! Skopeo) and containerd `hosts.toml`, with a diagnostic for every rule they cannot express
//! exactly.
//!
//! # How exactness is decided
//!
//! Each format is modelled as its reader resolves an image: both read the image *normalized*
//! (`nginx` is `docker.io/library/nginx`); `registries.conf` takes the longest `prefix` that
//! equals the name or starts it at a `/` and puts `location` in its place; containerd takes
//! the `hosts.toml` of the image's registry and sends the whole path to the mirror (under the
//! mirror's path with `override_path`). Every rule gets probe images (`P/x:1`, `P/x/y:1`,
//! `P:1`, and each one's normalized and familiar forms; `x:1` and `library/x:1` for the empty
//! prefix), and the result of the written file on each probe is compared with
//! `Policy::rewrite`'s (normalized, as the runtime pulls it). A rule that any probe tells apart
//! is not written (it stays in the file as a comment) and gets an [`Inexact`] diagnostic with
//! that probe; this repeats until the written rules agree on every probe.
//!
//! What neither format can say: the empty prefix (images written without a `/`), matching as
//! written (`docker.io/…` prefixes and prefixes without a registry, read under `docker.io`),
//! the exact-parent mode. `registries.conf` also matches a prefix's repository itself (`P:1`);
//! containerd maps whole registries only, so a prefix with a path cannot be written, and it
//! falls back to the registry itself when the mirror fails, which a rewrite never does.

use std::fmt::Write as _;

use imgrepl::{MatchMode, Policy, Reference};
use serde::Serialize;

/// A rule a format cannot express exactly: the rule, why, and an image whose result differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inexact {
    /// The rule's index in the policy.
    pub rule: usize,
    /// Its `repositoryPrefix`.
    pub repository_prefix: String,
    /// Its `replaceWith`.
    pub replace_with: String,
    /// A stable word for the cause: `empty-prefix`, `path-prefix`, `docker-hub`,
    /// `implicit-docker-hub`, `exact-parent`, `repository-itself` or `other-rule`.
    pub cause: &'static str,
    /// The cause in a sentence.
    pub difference: String,
    /// An image whose result would differ.
    pub image: String,
    /// What imgrepl makes of it, normalized (as the runtime pulls it).
    pub imgrepl: String,
    /// What the format makes of it, normalized.
    pub format: String,
}

impl std::fmt::Display for Inexact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rule {} ({:?} -> {:?}) is not exact: {}; e.g. {} becomes {} with imgrepl, {} with the exported file",
            self.rule,
            self.repository_prefix,
            self.replace_with,
            self.difference,
            self.image,
            self.imgrepl,
            self.format
        )
    }
}

/// The result of an export: the text (or files) written, and the rules not written exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    /// The files: `(path, text)`; `registries.conf` alone, or `<host>/hosts.toml` per host.
    pub files: Vec<(String, String)>,
    /// Every rule not written exactly, by rule index.
    pub inexact: Vec<Inexact>,
}

impl Export {
    /// Whether every rule is written exactly.
    pub fn exact(&self) -> bool {
        self.inexact.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    RegistriesConf,
    Containerd,
}

/// One rule as the format writes it: the normalized prefix and location.
#[derive(Clone)]
struct Entry {
    rule: usize,
    prefix: String,
    location: String,
}

/// The normalized name prefix of a name prefix `p` (`library` → `docker.io/library`,
/// `docker.io` → `docker.io`); `None` for the empty prefix.
fn normalized_prefix(p: &str) -> Option<String> {
    if p.is_empty() {
        return None;
    }
    let probe = format!("{p}/x/y");
    let n = Reference::parse_normalized(&probe).ok()?;
    n.name().strip_suffix("/x/y").map(str::to_owned)
}

/// The normalized reference of an image, as the runtime pulls it.
fn normalized(image: &str) -> Option<String> {
    Reference::parse_normalized(image)
        .ok()
        .map(|n| n.as_str().to_owned())
}

/// What the policy makes of `image`, normalized (`None` for an invalid image).
fn imgrepl_result(policy: &Policy, image: &str) -> Option<(String, Option<usize>)> {
    match policy.rewrite(image) {
        Ok(r) => Some((normalized(&r.image)?, r.rule.map(imgrepl::RuleId::index))),
        Err(e) if e.kind() == imgrepl::RewriteErrorKind::InvalidResult => {
            Some((normalized(image)?, None))
        }
        Err(_) => None,
    }
}

/// What the written entries make of `image`, normalized, and the rule of the entry applied.
fn format_result(
    format: Format,
    entries: &[Entry],
    image: &str,
) -> Option<(String, Option<usize>)> {
    let n = Reference::parse_normalized(image).ok()?;
    let name = n.name();
    let suffix = &n.as_str()[name.len()..];
    let domain = n.domain().unwrap_or_default();
    let hit = entries
        .iter()
        .filter(|e| match format {
            Format::RegistriesConf => {
                name == e.prefix
                    || name
                        .strip_prefix(e.prefix.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            }
            Format::Containerd => domain == e.prefix,
        })
        .max_by_key(|e| e.prefix.len());
    Some(match hit {
        None => (n.as_str().to_owned(), None),
        Some(e) => {
            let rest = match format {
                Format::RegistriesConf => &name[e.prefix.len()..],
                Format::Containerd => &name[domain.len()..],
            };
            (format!("{}{rest}{suffix}", e.location), Some(e.rule))
        }
    })
}

/// The probe images of a rule.
fn probes(prefix: &str) -> Vec<String> {
    let bases: Vec<String> = if prefix.is_empty() {
        vec!["x:1".into(), "library/x:1".into(), "x/y:1".into()]
    } else {
        vec![
            format!("{prefix}/x:1"),
            format!("{prefix}/x/y:1"),
            format!("{prefix}:1"),
        ]
    };
    let mut out: Vec<String> = Vec::new();
    for b in bases {
        let Ok(n) = Reference::parse_normalized(&b) else {
            continue;
        };
        for v in [b.clone(), n.as_str().to_owned(), n.familiar().to_owned()] {
            if Reference::parse(&v).is_ok() && !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// Why a rule differs, from its shape.
fn cause(format: Format, policy: &Policy, prefix: &str, image: &str) -> (&'static str, String) {
    let hub = |p: &str| {
        ["docker.io", "index.docker.io", "registry-1.docker.io"]
            .iter()
            .any(|h| p == *h || p.starts_with(&format!("{h}/")))
    };
    let first = prefix.split('/').next().unwrap_or_default();
    let registry_like = first.contains(['.', ':'])
        || first == "localhost"
        || first.chars().any(|c| c.is_ascii_uppercase());
    if prefix.is_empty() {
        return ("empty-prefix", "the empty prefix takes images written without a '/', which the format can only name as docker.io/library/…, where images written library/x and docker.io/library/x also are".into());
    }
    if format == Format::Containerd && normalized_prefix(prefix).is_some_and(|n| n.contains('/')) {
        return (
            "path-prefix",
            "containerd's hosts.toml maps a whole registry, never a path under it".into(),
        );
    }
    if hub(prefix) {
        return ("docker-hub", "imgrepl matches the image as written, the format matches it normalized: images written without docker.io (nginx, team/app) are Docker Hub images to the format".into());
    }
    if !registry_like {
        return (
            "implicit-docker-hub",
            format!(
                "'{first}' is not a registry to the runtime: the format reads the prefix under docker.io, where images written docker.io/{prefix}/… also are"
            ),
        );
    }
    if policy.mode() == MatchMode::ExactParent
        && image.matches('/').count() > prefix.matches('/').count() + 1
    {
        return ("exact-parent", "the exact-parent mode takes only images one component below the prefix; the format takes every image under it".into());
    }
    if format == Format::RegistriesConf && image.starts_with(&format!("{prefix}:"))
        || image.starts_with(&format!("{prefix}@"))
    {
        return ("repository-itself", "registries.conf's prefix also matches the repository it names (P:tag); imgrepl's only images under it (P/…)".into());
    }
    (
        "other-rule",
        "another rule the format cannot write takes part of its images".into(),
    )
}

fn export(policy: &Policy, format: Format) -> (Vec<Entry>, Vec<Inexact>) {
    let rules = policy.rules();
    // The rules the format can write at all.
    let mut written: Vec<Entry> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let prefix = normalized_prefix(r.repository_prefix())?;
            if format == Format::Containerd && prefix.contains('/') {
                return None;
            }
            let location = normalized_prefix(r.replace_with())?;
            Some(Entry {
                rule: i,
                prefix,
                location,
            })
        })
        .collect();
    let probes: Vec<String> = rules
        .iter()
        .flat_map(|r| probes(r.repository_prefix()))
        .collect();
    let mut inexact: Vec<Inexact> = Vec::new();
    loop {
        let mut found = false;
        for image in &probes {
            let (Some((want, rule_a)), Some((got, rule_b))) = (
                imgrepl_result(policy, image),
                format_result(format, &written, image),
            ) else {
                continue;
            };
            if want == got {
                continue;
            }
            // Blame the rule imgrepl applies when the file lacks it, else the rule the file
            // applies wrongly, else the rule imgrepl applies.
            let lacks = |r: usize| !written.iter().any(|e| e.rule == r);
            let Some(rule) = (match (rule_a, rule_b) {
                (Some(a), _) if lacks(a) => Some(a),
                (_, Some(b)) => Some(b),
                (a, None) => a,
            }) else {
                continue;
            };
            if inexact.iter().any(|d| d.rule == rule) {
                continue;
            }
            let r = &rules[rule];
            let (cause, difference) = cause(format, policy, r.repository_prefix(), image);
            inexact.push(Inexact {
                rule,
                repository_prefix: r.repository_prefix().to_owned(),
                replace_with: r.replace_with().to_owned(),
                cause,
                difference,
                image: image.clone(),
                imgrepl: want,
                format: got,
            });
            written.retain(|e| e.rule != rule);
            found = true;
        }
        if !found {
            break;
        }
    }
    // A rule the format cannot write, which no probe tells apart, is covered by others.
    inexact.sort_by_key(|d| d.rule);
    (written, inexact)
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn header(out: &mut String, policy: &Policy, inexact: &[Inexact], what: &str) {
    let _ = writeln!(
        out,
        "# {what}, exported by imgrepl from a policy of {} rules ({}).",
        policy.rules().len(),
        policy.mode()
    );
    for d in inexact {
        let _ = writeln!(out, "# Not written: {d}");
    }
}

/// The policy as a containers/image `registries.conf` (version 2): a `[[registry]]` table
/// with `prefix` and `location` per rule it expresses exactly.
///
/// ```
/// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}, {"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
/// let e = imgrepl_export::node::registries_conf(&policy);
/// assert!(e.files[0].1.contains("[[registry]]\nprefix = \"a.io\"\nlocation = \"m.io/a\"\n"));
/// assert_eq!(e.inexact.len(), 1);
/// assert_eq!((e.inexact[0].rule, e.inexact[0].cause), (1, "empty-prefix"));
/// # Ok::<(), imgrepl::PolicyError>(())
/// ```
pub fn registries_conf(policy: &Policy) -> Export {
    let (written, inexact) = export(policy, Format::RegistriesConf);
    let mut out = String::new();
    header(&mut out, policy, &inexact, "registries.conf");
    for e in &written {
        let _ = write!(
            out,
            "\n[[registry]]\nprefix = {}\nlocation = {}\n",
            toml_string(&e.prefix),
            toml_string(&e.location)
        );
    }
    Export {
        files: vec![("registries.conf".to_owned(), out)],
        inexact,
    }
}

/// The policy as containerd `hosts.toml` files, one per registry: `<host>/hosts.toml` with the
/// mirror as a `[host]` (its path through `override_path`).
///
/// ```
/// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}, {"repositoryPrefix": "b.io/team", "replaceWith": "m.io/b"}]"#)?;
/// let e = imgrepl_export::node::containerd_hosts(&policy);
/// assert_eq!(e.files[0].0, "a.io/hosts.toml");
/// assert!(e.files[0].1.contains("[host.\"https://m.io/v2/a\"]\n  capabilities = [\"pull\", \"resolve\"]\n  override_path = true\n"));
/// assert_eq!((e.inexact[0].rule, e.inexact[0].cause), (1, "path-prefix"));
/// # Ok::<(), imgrepl::PolicyError>(())
/// ```
pub fn containerd_hosts(policy: &Policy) -> Export {
    let (written, inexact) = export(policy, Format::Containerd);
    let mut files = Vec::new();
    for e in &written {
        let mut out = String::new();
        header(
            &mut out,
            policy,
            &inexact,
            &format!("hosts.toml of {}", e.prefix),
        );
        let server = if e.prefix == "docker.io" {
            "registry-1.docker.io"
        } else {
            e.prefix.as_str()
        };
        let _ = writeln!(
            out,
            "\nserver = {}",
            toml_string(&format!("https://{server}"))
        );
        let (host, path) = e
            .location
            .split_once('/')
            .unwrap_or((e.location.as_str(), ""));
        let host = if host == "docker.io" {
            "registry-1.docker.io"
        } else {
            host
        };
        if path.is_empty() {
            let _ = write!(
                out,
                "\n[host.{}]\n  capabilities = [\"pull\", \"resolve\"]\n",
                toml_string(&format!("https://{host}"))
            );
        } else {
            let _ = write!(
                out,
                "\n[host.{}]\n  capabilities = [\"pull\", \"resolve\"]\n  override_path = true\n",
                toml_string(&format!("https://{host}/v2/{path}"))
            );
        }
        files.push((format!("{}/hosts.toml", e.prefix), out));
    }
    Export { files, inexact }
}
