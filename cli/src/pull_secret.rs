//! `imgrepl pull-secret`: prints a `kubernetes.io/dockerconfigjson` Secret, the same as
//! `kubectl create secret docker-registry … --dry-run=client -o json` (or `-o yaml`) makes, for
//! one or more registries in one Secret:
//!
//! - `--server HOST --username USER` (repeatable, in pairs), the passwords read from standard
//!   input (`--password-stdin`, one line per server, in order) or from files
//!   (`--password-file FILE`, one per server) — never from a flag;
//! - `--swr-address HOST --project-name PROJECT` (repeatable, in pairs) with `--access-key AK`:
//!   SWR's long-term login, user `PROJECT@AK` and password the lowercase hex of
//!   HMAC-SHA256(key = SK, message = AK), the secret key read from an environment variable
//!   (`--secret-key-env`, `SWR_SECRET_KEY` by default) or a file (`--secret-key-file`) — never
//!   from a flag.
//!
//! Nothing secret is written anywhere but standard output: error messages name the variable or
//! the file, never what it holds.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::exit::{Failure, Verdict};
use crate::output::Out;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// As `kubectl … -o json` prints it.
    Json,
    /// As `kubectl … -o yaml` prints it.
    Yaml,
}

/// Arguments of `imgrepl pull-secret`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Secret's name.
    #[arg(long, value_name = "NAME")]
    pub secret_name: String,

    /// The Secret's namespace.
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// A registry to log in to with a user name and password. Repeatable; one --username each.
    #[arg(long, value_name = "HOST")]
    pub server: Vec<String>,

    /// The user name for each --server, in order.
    #[arg(long, value_name = "USER")]
    pub username: Vec<String>,

    /// Read the password of each --server from standard input, one line each, in order.
    #[arg(long, conflicts_with = "password_file")]
    pub password_stdin: bool,

    /// A file holding the password of a --server (one file per server, in order).
    #[arg(long, value_name = "FILE")]
    pub password_file: Vec<PathBuf>,

    /// An SWR registry address (e.g. swr.cn-north-4.myhuaweicloud.com). Repeatable; one
    /// --project-name each.
    #[arg(long, value_name = "HOST")]
    pub swr_address: Vec<String>,

    /// The project (region) name for each --swr-address, in order (e.g. cn-north-4).
    #[arg(long, value_name = "PROJECT")]
    pub project_name: Vec<String>,

    /// The access key (AK) for SWR.
    #[arg(long, value_name = "AK")]
    pub access_key: Option<String>,

    /// The environment variable holding the secret key (SK).
    #[arg(long, value_name = "VAR", default_value = "SWR_SECRET_KEY")]
    pub secret_key_env: String,

    /// A file holding the secret key (SK), instead of the environment variable.
    #[arg(long, value_name = "FILE")]
    pub secret_key_file: Option<PathBuf>,

    /// The output format.
    #[arg(long, short = 'o', value_enum, default_value = "json")]
    pub output: Format,
}

/// The lowercase hex of HMAC-SHA256(`key`, `message`).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
            hex
        })
}

/// The SWR long-term login of an access key pair: (`PROJECT@AK`, hex HMAC-SHA256(SK, AK)).
pub fn swr_login(project: &str, access_key: &str, secret_key: &str) -> (String, String) {
    (
        format!("{project}@{access_key}"),
        hmac_sha256_hex(secret_key.as_bytes(), access_key.as_bytes()),
    )
}

/// One entry of `auths`, in the order and with the fields kubectl writes.
#[derive(Serialize)]
#[allow(
    clippy::struct_field_names,
    reason = "the field names are the format's own"
)]
struct Auth {
    username: String,
    password: String,
    auth: String,
}

/// The `.dockerconfigjson` of `logins` (server → user, password), byte for byte as kubectl
/// (Go's `encoding/json`) writes it: servers sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub fn docker_config_json(logins: &BTreeMap<String, (String, String)>) -> String {
    let auths: BTreeMap<&str, Auth> = logins
        .iter()
        .map(|(server, (user, password))| {
            let auth =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            (
                server.as_str(),
                Auth {
                    username: user.clone(),
                    password: password.clone(),
                    auth,
                },
            )
        })
        .collect();
    let json = serde_json::to_string(&serde_json::json!({ "auths": auths })).unwrap_or_default();
    // These characters only occur inside strings, so replacing them keeps the JSON the same.
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Whether `name` is a DNS-1123 subdomain (what Kubernetes names must be).
fn dns_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// The Secret, as kubectl prints it.
pub fn secret(name: &str, namespace: Option<&str>, config: &str, format: Format) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(config);
    match format {
        Format::Json => {
            let mut metadata = serde_json::Map::new();
            metadata.insert("name".into(), name.into());
            if let Some(ns) = namespace {
                metadata.insert("namespace".into(), ns.into());
            }
            metadata.insert("creationTimestamp".into(), serde_json::Value::Null);
            let value = serde_json::json!({
                "kind": "Secret",
                "apiVersion": "v1",
                "metadata": metadata,
                "data": {".dockerconfigjson": data},
                "type": "kubernetes.io/dockerconfigjson",
            });
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
            let _ = value.serialize(&mut ser);
            let mut text = String::from_utf8(out).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Yaml => {
            let namespace = namespace
                .map(|ns| format!("  namespace: {ns}\n"))
                .unwrap_or_default();
            format!(
                "apiVersion: v1\ndata:\n  .dockerconfigjson: {data}\nkind: Secret\nmetadata:\n  creationTimestamp: null\n  name: {name}\n{namespace}type: kubernetes.io/dockerconfigjson\n"
            )
        }
    }
}

/// Text read from a secret source, without one trailing line ending.
fn strip_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

/// Reads a file of secret text (`-`: standard input); errors name the file only.
fn read_secret_file(path: &PathBuf, what: &str) -> Result<String, Failure> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(1 << 20)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::io(format_args!("reading the {what} from standard input"), &e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Failure::usage(format!("the {what} on standard input is not UTF-8")))?;
        return Ok(strip_newline(text));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::io(
            format_args!("reading the {what} file {}", path.display()),
            &e,
        )
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("the {what} file {} is not UTF-8", path.display())))?;
    Ok(strip_newline(text))
}

/// The passwords of the `--server`s, in order.
fn passwords(args: &Args) -> Result<Vec<String>, Failure> {
    if args.server.is_empty() {
        return Ok(Vec::new());
    }
    if args.password_stdin {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(1 << 20)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::io("reading the passwords from standard input", &e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Failure::usage("the passwords on standard input are not UTF-8"))?;
        let lines: Vec<String> = text
            .lines()
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
            .collect();
        if lines.len() < args.server.len() {
            return Err(Failure::usage(format!(
                "standard input holds {} password lines for {} --server",
                lines.len(),
                args.server.len()
            )));
        }
        return Ok(lines.into_iter().take(args.server.len()).collect());
    }
    if args.password_file.len() != args.server.len() {
        return Err(Failure::usage(format!(
            "{} --server need as many --password-file (or --password-stdin), not {}",
            args.server.len(),
            args.password_file.len()
        )));
    }
    args.password_file
        .iter()
        .map(|p| read_secret_file(p, "password"))
        .collect()
}

/// The SWR secret key, from its file or its environment variable.
fn secret_key(args: &Args) -> Result<String, Failure> {
    if let Some(path) = &args.secret_key_file {
        return read_secret_file(path, "secret key");
    }
    match std::env::var(&args.secret_key_env) {
        Ok(sk) if !sk.is_empty() => Ok(sk),
        _ => Err(Failure::usage(format!(
            "the secret key is read from the environment variable {} (or --secret-key-file), which is not set",
            args.secret_key_env
        ))),
    }
}

/// Refuses a user name (or a part of one) holding `:`: the `auth` of a login is
/// base64(`USER:PASSWORD`), which the container runtime splits at the first `:`, so the user it
/// would log in as is not the one given.
fn colon(flag: &str, value: &str) -> Result<(), Failure> {
    match value.split_once(':') {
        Some((before, _)) => Err(Failure::usage(format!(
            "{flag} {value:?} holds a ':': the registry login is USER:PASSWORD, split at the first ':', so the runtime would log in as {before:?}; no SWR project name, access key or registry user name holds one"
        ))),
        None => Ok(()),
    }
}

/// Every login of the arguments: server → (user, password).
fn logins(args: &Args) -> Result<BTreeMap<String, (String, String)>, Failure> {
    if args.server.len() != args.username.len() {
        return Err(Failure::usage(format!(
            "each --server needs one --username: {} --server, {} --username",
            args.server.len(),
            args.username.len()
        )));
    }
    if args.swr_address.len() != args.project_name.len() {
        return Err(Failure::usage(format!(
            "each --swr-address needs one --project-name: {} --swr-address, {} --project-name",
            args.swr_address.len(),
            args.project_name.len()
        )));
    }
    if args.server.is_empty() && args.swr_address.is_empty() {
        return Err(Failure::usage(
            "give at least one --server (with --username) or --swr-address (with --project-name and --access-key)",
        ));
    }
    let mut logins = BTreeMap::new();
    let mut add = |server: &str, login: (String, String)| {
        if server.is_empty() || login.0.is_empty() || login.1.is_empty() {
            return Err(Failure::usage(format!(
                "the login for {server:?} needs a server, a user name and a password, none empty"
            )));
        }
        match logins.insert(server.to_owned(), login) {
            Some(_) => Err(Failure::usage(format!(
                "the registry {server} is given twice"
            ))),
            None => Ok(()),
        }
    };
    for user in &args.username {
        colon("--username", user)?;
    }
    for ((server, user), password) in args.server.iter().zip(&args.username).zip(passwords(args)?) {
        add(server, (user.clone(), password))?;
    }
    if !args.swr_address.is_empty() {
        let Some(ak) = args.access_key.as_deref().filter(|ak| !ak.is_empty()) else {
            return Err(Failure::usage("--swr-address needs --access-key"));
        };
        colon("--access-key", ak)?;
        for project in &args.project_name {
            colon("--project-name", project)?;
        }
        let sk = secret_key(args)?;
        for (address, project) in args.swr_address.iter().zip(&args.project_name) {
            add(address, swr_login(project, ak, &sk))?;
        }
    }
    Ok(logins)
}

/// Runs `imgrepl pull-secret`.
///
/// # Errors
///
/// A usage error (a missing or unmatched argument, a name Kubernetes would refuse), a failure
/// to read a password or the secret key, or a failure to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    if !dns_subdomain(&args.secret_name) {
        return Err(Failure::usage(format!(
            "--secret-name {:?} is not a valid Kubernetes name (lowercase letters, digits, '-' and '.')",
            args.secret_name
        )));
    }
    if let Some(ns) = &args.namespace
        && (ns.len() > 63 || ns.contains('.') || !dns_subdomain(ns))
    {
        return Err(Failure::usage(format!(
            "--namespace {ns:?} is not a valid namespace name"
        )));
    }
    let stdin: Vec<&str> = [
        args.password_stdin
            .then_some("the passwords (--password-stdin)"),
        args.password_file
            .iter()
            .any(|p| p.as_os_str() == "-")
            .then_some("a password (--password-file -)"),
        (args
            .secret_key_file
            .as_ref()
            .is_some_and(|p| p.as_os_str() == "-"))
        .then_some("the secret key (--secret-key-file -)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let dashes = args
        .password_file
        .iter()
        .filter(|p| p.as_os_str() == "-")
        .count();
    if stdin.len() > 1 || dashes > 1 {
        let names = if dashes > 1 {
            "two passwords (--password-file - twice)".to_owned()
        } else {
            stdin.join(" and ")
        };
        return Err(Failure::usage(format!(
            "{names} cannot both be read from standard input: give one of them as a file"
        )));
    }
    let logins = logins(args)?;
    let config = docker_config_json(&logins);
    out.write_all(
        secret(
            &args.secret_name,
            args.namespace.as_deref(),
            &config,
            args.output,
        )
        .as_bytes(),
    )?;
    out.flush()?;
    Ok(Verdict::Valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 §4: the HMAC-SHA256 test vectors (case 5 truncates its output, so it is
    /// checked as a prefix).
    #[test]
    fn rfc_4231_vectors() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 6] = [
            (vec![0x0b; 20], b"Hi There".to_vec(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            (vec![0xaa; 20], vec![0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            ((1..=25).collect(), vec![0xcd; 50], "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            (vec![0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            (vec![0xaa; 131], b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ];
        for (key, data, expected) in cases {
            assert_eq!(hmac_sha256_hex(&key, &data), expected);
        }
        let truncated = hmac_sha256_hex(&[0x0c; 20], b"Test With Truncation");
        assert!(
            truncated.starts_with("a3b6167473100ee06e0c796c2955552b"),
            "{truncated}"
        );
    }

    #[test]
    fn swr_login_is_project_at_ak_and_the_hmac_of_ak() {
        let (user, password) = swr_login("cn-north-4", "AKEXAMPLE", "SKEXAMPLE");
        assert_eq!(user, "cn-north-4@AKEXAMPLE");
        assert_eq!(password, hmac_sha256_hex(b"SKEXAMPLE", b"AKEXAMPLE"));
        assert_eq!(password.len(), 64);
        assert!(
            password
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn docker_config_escapes_as_go_does_and_sorts_servers() {
        let mut logins = BTreeMap::new();
        logins.insert("z.io".to_owned(), ("u".to_owned(), "p<&>".to_owned()));
        logins.insert("a.io".to_owned(), ("v".to_owned(), "q".to_owned()));
        assert_eq!(
            docker_config_json(&logins),
            r#"{"auths":{"a.io":{"username":"v","password":"q","auth":"djpx"},"z.io":{"username":"u","password":"p\u003c\u0026\u003e","auth":"dTpwPCY+"}}}"#
        );
    }

    #[test]
    fn names_are_checked() {
        for good in ["regcred", "a.b-c", "x1"] {
            assert!(dns_subdomain(good), "{good}");
        }
        for bad in ["", "Reg", "a..b", "-a", "a-", "a b", "a_b"] {
            assert!(!dns_subdomain(bad), "{bad}");
        }
    }
}
