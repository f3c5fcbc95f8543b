//! The pull checks of a rewritten pod spec ([`Options::check_pulls`](super::Options::check_pulls)):
//! images moved to another registry that will be pulled anonymously
//! ([`Code::AnonymousPull`]), or with pull secrets none of which covers the new registry
//! ([`Code::PullSecretUncovered`]).

use std::borrow::Cow;
use std::fmt::Write as _;

use super::node::{Lookup, Node};
use super::secrets::PullSecrets;
use super::{ContainerReport, Warning};
use imgrepl::{Code, Normalized};

/// An image's normalized reference, to read the registry it is pulled from (its domain).
fn normalized(image: &str) -> Option<Normalized<'_>> {
    imgrepl::Reference::parse_normalized(image).ok()
}

/// The name of a pod spec's service account: `serviceAccountName`, the deprecated
/// `serviceAccount`, or `default`, as the API server reads it.
pub(super) fn service_account_name<'a, N: Node<'a>>(spec: N) -> &'a str {
    ["serviceAccountName", "serviceAccount"]
        .into_iter()
        .find_map(|key| match spec.get(key) {
            Lookup::Found(v) => v.as_str().filter(|name| !name.is_empty()),
            _ => None,
        })
        .unwrap_or("default")
}

/// Appends `text` as `{text:?}` writes it (quoted, escaped as Rust escapes it), without the
/// formatting machinery when it has nothing to escape: printable ASCII but `"` and `\\`.
fn push_debug_str(out: &mut String, text: &str) {
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{text:?}");
    }
}

/// What one pod spec pulls with.
pub(super) struct Pulls<'r> {
    /// The pod spec's pointer.
    pub(super) spec: &'r str,
    /// Its own `imagePullSecrets`.
    pub(super) names: &'r [String],
    /// Its service account's name.
    pub(super) account: &'r str,
    /// The object's namespace.
    pub(super) namespace: Option<&'r str>,
    /// The secrets and service accounts given, if any.
    pub(super) known: Option<&'r PullSecrets>,
}

impl Pulls<'_> {
    /// The pull warnings of the pod spec, one per new registry: images that move to another
    /// registry with no `imagePullSecrets`, or with secrets that were all given and none of
    /// which covers it (a named secret that was not given is not judged). A pod spec with no secrets of its own pulls with its service account's (the
    /// API server's `ServiceAccount` admission plugin copies them), when that account is given.
    pub(super) fn check(&self, rows: &[ContainerReport], warnings: &mut Vec<Warning>) {
        let namespace = self.namespace;
        let account = match self.known {
            Some(known) if self.names.is_empty() => known.service_account(self.account, namespace),
            _ => None,
        };
        let names = account.map_or(self.names, |a| a.image_pull_secrets.as_slice());
        let known = self.known;
        // (new registry, the containers that move there, listed with `, `)
        let mut moves: Vec<(String, String)> = Vec::new();
        for row in rows.iter().filter(|r| r.changed()) {
            let (Some(before), Some(after)) = (row.before.as_deref(), row.after.as_deref()) else {
                continue;
            };
            let after_reference = normalized(after);
            let to = after_reference.as_ref().and_then(Normalized::domain);
            if normalized(before).as_ref().and_then(Normalized::domain) == to {
                continue;
            }
            // Only what was read is checked: a named secret that is not given may cover the
            // registry, so the pod spec is then trusted (the caller may note which are missing).
            let covered = known.is_none_or(|known| {
                names
                    .iter()
                    .any(|n| known.get(n, namespace).is_none_or(|s| s.covers(after)))
            });
            if !names.is_empty() && covered {
                continue;
            }
            let to = to.unwrap_or_default();
            let at = moves.iter().position(|(r, _)| r == to).unwrap_or_else(|| {
                moves.push((to.to_owned(), String::new()));
                moves.len() - 1
            });
            let who = &mut moves[at].1;
            let name = row.name.as_deref().unwrap_or_default();
            who.reserve(", [] \"\"".len() + row.list.as_str().len() + 20 + name.len());
            if !who.is_empty() {
                who.push_str(", ");
            }
            who.push_str(row.list.as_str());
            who.push('[');
            // Writing to a `String` cannot fail.
            let _ = write!(who, "{}]", row.index);
            if let Some(name) = &row.name {
                who.push(' ');
                push_debug_str(who, name);
            }
        }
        for (to, who) in moves {
            let (code, why): (Code, Cow<'_, str>) = match account {
                _ if !names.is_empty() => {
                    let whose = match account {
                        Some(a) => format!("its service account {:?}'s pull secrets", a.name),
                        None => "its pull secrets".to_owned(),
                    };
                    (
                        Code::PullSecretUncovered,
                        format!("none of {whose} ({}) covers {to}", names.join(", ")).into(),
                    )
                }
                Some(a) => (
                    Code::AnonymousPull,
                    format!(
                        "neither the pod spec nor its service account {:?} has imagePullSecrets: \
                         the pull will be anonymous",
                        a.name
                    )
                    .into(),
                ),
                None => (
                    Code::AnonymousPull,
                    "the pod spec has no imagePullSecrets: the pull will be anonymous".into(),
                ),
            };
            warnings.push(Warning {
                code,
                // `format!` without its formatting machinery (this runs for most reviews).
                message: ["images move to ", &to, " (", &who, "), but ", &why].concat(),
                pointer: self.spec.to_owned(),
            });
        }
    }
}
