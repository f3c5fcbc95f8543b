//! `imgrepl verify --policy FILE [IMAGE…|-f MANIFEST…|-]`: will the rewritten images pull?
//! Rewrites every image and asks the registry of the rewritten location for its manifest
//! (through `imgrepl-registry`).
//!
//! One result per distinct image: `present` (with the digest), `missing` (no such repository,
//! or no manifest with that digest), `tag-missing` (the repository is there, the tag is not),
//! `unauthorized` (401 or 403, naming the config key of the login tried), `platform-missing`
//! (an index without some `--platform`, naming which), `stale` (with `--compare-origin`: the
//! image as written resolves to another digest at its origin), `unreachable` or `error` (with
//! the cause). Images no rule rewrites are listed as `not-rewritten` and not checked; an image
//! that is not a valid reference is an `error`.
//!
//! Each distinct (registry, repository, tag or digest) is asked once, by `--concurrency`
//! threads, each request with `--timeout` and one more try after a connection error. Requests
//! go only to the registries of rewritten images (the policy's targets), and to the images'
//! origins only with `--compare-origin`. Logins come from `--docker-config` (a
//! `.dockerconfigjson`, or the Secret `imgrepl pull-secret` prints); they are never printed.
//!
//! Output: a table, or JSON Lines with `--json`; a progress line on standard error when it is a
//! terminal. Exit 0 when every checked image is present, 1 when one is not, 2 on a usage or I/O
//! error.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use imgrepl_registry::{Client, Credentials, Location, Options, Platform, Status};
use serde_json::{Map, Value, json};

use crate::corpus::CorpusArgs;
use crate::exit::{Failure, Verdict};
use crate::output::{Out, write_columns};

/// The largest `--docker-config` or `--ca-file` read (1 MiB).
const MAX_CONFIG_BYTES: usize = 1 << 20;

/// Arguments of `imgrepl verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (the annotation's value, a JSON array of rules).
    #[arg(long, short = 'p', value_name = "FILE")]
    pub policy: PathBuf,

    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Platforms every image must have (comma-separated, os/arch or os/arch/variant): an index
    /// must list each, a single image must be one of them.
    #[arg(long, value_name = "PLATFORMS", value_delimiter = ',', value_parser = parse_platform)]
    pub platform: Vec<Platform>,

    /// Also ask each image's origin (the image as written) for the same tag, and report the
    /// mirror as stale when the digests differ.
    #[arg(long)]
    pub compare_origin: bool,

    /// Logins: a .dockerconfigjson file, or the Secret `imgrepl pull-secret` prints (JSON).
    #[arg(long, value_name = "FILE")]
    pub docker_config: Option<PathBuf>,

    /// PEM certificates to trust instead of the built-in roots (a private CA).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// How many requests run at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// The timeout of each request (e.g. 10s, 500ms, 1m).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Ask this registry host (HOST or HOST:PORT) over plain HTTP, and allow Basic credentials there.
    /// Repeatable.
    #[arg(long, value_name = "HOST")]
    pub insecure_http: Vec<String>,

    /// Print one JSON object per image instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    s.parse()
}

/// `10s`, `500ms`, `2m`, or a number of seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let (number, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 10s, 500ms or 1m"))?;
    let d = match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(format!("{s:?} is not a duration such as 10s, 500ms or 1m")),
    };
    if d.is_zero() {
        return Err("the timeout must be more than zero".to_owned());
    }
    Ok(d)
}

/// What became of one distinct image before any request.
enum Plan {
    /// No rule rewrites it.
    NotRewritten,
    /// It, or its rewrite, is not a valid reference.
    Invalid(String),
    /// Ask `mirror` (index into the locations); `origin` too with `--compare-origin`.
    Check {
        rewritten: String,
        mirror: usize,
        origin: Option<usize>,
    },
}

/// Runs `imgrepl verify`.
///
/// # Errors
///
/// A failure to read the policy, the images, the docker config or the CA file, or to write
/// stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    let (policy, _) = crate::policy_file::load(&args.policy)?;
    let client = client(args)?;
    let corpus = args.corpus.load(&policy)?;
    let (images, plans, locations, origin_set) = plan(&policy, &corpus, args.compare_origin);
    let statuses = check_all(&client, &locations, &origin_set, args);
    report(args, &images, &plans, &statuses, locations.len(), out)
}

/// The client `args` ask for.
fn client(args: &Args) -> Result<Client, Failure> {
    let credentials = match &args.docker_config {
        Some(path) => {
            let text = crate::input::read_bounded(path, MAX_CONFIG_BYTES)?;
            Credentials::from_docker_config(&text)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        }
        None => Credentials::none(),
    };
    let ca_pem = match &args.ca_file {
        Some(path) => Some(crate::input::read_bytes(path, MAX_CONFIG_BYTES)?),
        None => None,
    };
    Client::new(Options {
        timeout: args.timeout,
        ca_pem,
        insecure_http: args.insecure_http.clone(),
        credentials,
    })
    .map_err(|e| {
        let file = args.ca_file.as_ref().map(|p| p.display().to_string());
        Failure::usage(format!("{}: {e}", file.unwrap_or_default()))
    })
}

/// What `plan` gives: the distinct images, their plans, the distinct locations to ask, and
/// which of those are only origins (asked without the platform check).
type Planned = (Vec<String>, Vec<Plan>, Vec<Location>, Vec<bool>);

/// The distinct images in the order first seen, and the distinct locations to ask.
fn plan(policy: &imgrepl::Policy, corpus: &crate::corpus::Corpus, compare_origin: bool) -> Planned {
    // Distinct images in the order first seen; distinct locations, each asked once.
    let mut images: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (image, _) in corpus.items() {
        if seen.insert(image) {
            images.push(image.to_owned());
        }
    }
    let mut locations: Vec<Location> = Vec::new();
    let mut index: HashMap<Location, usize> = HashMap::new();
    let mut intern = |locations: &mut Vec<Location>, l: Location| {
        *index.entry(l.clone()).or_insert_with(|| {
            locations.push(l);
            locations.len() - 1
        })
    };
    let mut plans = Vec::with_capacity(images.len());
    let mut origins = Vec::new();
    for image in &images {
        let plan = match policy.rewrite(image) {
            Err(e) => Plan::Invalid(e.message()),
            Ok(r) if !r.changed() => Plan::NotRewritten,
            Ok(r) => match Location::from_image(&r.image) {
                Err(e) => Plan::Invalid(e.message()),
                Ok(mirror) => {
                    // A digest is its own identity: only a tag can be stale.
                    if compare_origin
                        && !mirror.is_digest()
                        && let Ok(origin) = Location::from_image(image)
                    {
                        origins.push((plans.len(), origin));
                    }
                    Plan::Check {
                        rewritten: r.image.into_owned(),
                        mirror: intern(&mut locations, mirror),
                        origin: None,
                    }
                }
            },
        };
        plans.push(plan);
    }
    // Origins after every mirror; a location that is only an origin is asked without the
    // platform check.
    let mirrors = locations.len();
    for (i, location) in origins {
        let o = intern(&mut locations, location);
        if let Some(Plan::Check { origin, .. }) = plans.get_mut(i) {
            *origin = Some(o);
        }
    }
    let origin_set: Vec<bool> = (0..locations.len()).map(|i| i >= mirrors).collect();
    (images, plans, locations, origin_set)
}

/// Prints one result per image; whether every checked image is present.
fn report(
    args: &Args,
    images: &[String],
    plans: &[Plan],
    statuses: &[Status],
    asked: usize,
    out: &mut Out,
) -> Result<Verdict, Failure> {
    let mut all_present = true;
    let mut rows = vec![["RESULT", "IMAGE", "REWRITTEN", "DETAIL"].map(str::to_owned)];
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for (image, plan) in images.iter().zip(plans) {
        let (result, rewritten, fields, detail) = match plan {
            Plan::NotRewritten => (
                "not-rewritten",
                None,
                Map::new(),
                "no rule rewrites it; not checked".to_owned(),
            ),
            Plan::Invalid(cause) => {
                let mut m = Map::new();
                m.insert("cause".into(), json!(cause));
                ("error", None, m, cause.clone())
            }
            Plan::Check {
                rewritten,
                mirror,
                origin,
            } => {
                let status = &statuses[*mirror];
                let origin = origin.map(|o| &statuses[o]);
                let (name, fields, detail) = describe(status, origin);
                (name, Some(rewritten.as_str()), fields, detail)
            }
        };
        if result != "present" && result != "not-rewritten" {
            all_present = false;
        }
        match counts.iter_mut().find(|(n, _)| *n == result) {
            Some((_, c)) => *c += 1,
            None => counts.push((result, 1)),
        }
        if args.json {
            let mut m = Map::new();
            m.insert("image".into(), json!(image));
            m.insert("rewritten".into(), json!(rewritten));
            m.insert("result".into(), json!(result));
            m.extend(fields);
            out.json_line(&Value::Object(m))?;
        } else {
            rows.push([
                result.to_owned(),
                image.clone(),
                rewritten.unwrap_or("-").to_owned(),
                detail,
            ]);
        }
    }
    if !args.json {
        write_columns(out, &rows)?;
        let summary: Vec<String> = counts.iter().map(|(n, c)| format!("{c} {n}")).collect();
        writeln!(
            out,
            "\n{} image{}, {} location{} asked: {}",
            images.len(),
            crate::output::plural(images.len()),
            asked,
            crate::output::plural(asked),
            if summary.is_empty() {
                "none".to_owned()
            } else {
                summary.join(", ")
            }
        )?;
    }
    out.flush()?;
    Ok(Verdict::Valid.and(all_present))
}

/// The result name, its JSON fields and the table's detail for a mirror's status and, with
/// `--compare-origin`, its origin's.
fn describe(
    status: &Status,
    origin: Option<&Status>,
) -> (&'static str, Map<String, Value>, String) {
    let mut fields = match serde_json::to_value(status) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    fields.shift_remove("result");
    let detail = match status {
        Status::Present { digest } => digest.clone(),
        Status::Missing => "no such repository or manifest".to_owned(),
        Status::TagMissing => "the repository is there, the tag is not".to_owned(),
        Status::Unauthorized { status, tried } => match tried {
            Some(key) => format!("HTTP {status} with the login for {key}"),
            None => format!("HTTP {status}, anonymous (no login for it)"),
        },
        Status::PlatformMissing { digest, missing } => {
            format!("lacks {} ({digest})", missing.join(", "))
        }
        Status::Unreachable { cause } | Status::Error { cause } => cause.clone(),
    };
    let (Status::Present { digest }, Some(origin)) = (status, origin) else {
        return (status.name(), fields, detail);
    };
    match origin {
        Status::Present {
            digest: origin_digest,
        }
        | Status::PlatformMissing {
            digest: origin_digest,
            ..
        } => {
            fields.insert("originDigest".into(), json!(origin_digest));
            if origin_digest == digest {
                ("present", fields, format!("{digest}, as at the origin"))
            } else {
                let detail = format!("{digest}, the origin has {origin_digest}");
                ("stale", fields, detail)
            }
        }
        other => {
            let mut o = match serde_json::to_value(other) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            };
            let name = other.name();
            o.insert("result".into(), json!(name));
            fields.insert("origin".into(), Value::Object(o));
            (
                "present",
                fields,
                format!("{digest}; origin not compared: {name}"),
            )
        }
    }
}

/// Asks every location, `--concurrency` at a time; origins without the platform check.
fn check_all(client: &Client, locations: &[Location], origin: &[bool], args: &Args) -> Vec<Status> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Status>>> = Mutex::new(vec![None; locations.len()]);
    let progress = std::io::stderr().is_terminal() && locations.len() > 1;
    let threads = usize::from(args.concurrency).min(locations.len()).max(1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(location) = locations.get(i) else {
                        break;
                    };
                    let platforms = if origin.get(i) == Some(&true) {
                        &[][..]
                    } else {
                        &args.platform[..]
                    };
                    let status = client.check(location, platforms);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(status);
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if progress {
                        // A failure to draw the progress line is no reason to stop.
                        let _ =
                            write!(std::io::stderr(), "\rverify: {n}/{} asked", locations.len());
                    }
                }
            });
        }
    });
    if progress {
        let _ = write!(std::io::stderr(), "\r\x1b[K");
    }
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            s.unwrap_or(Status::Error {
                cause: "not asked".to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let cases = [
            ("10s", Some(10_000)),
            ("10", Some(10_000)),
            ("500ms", Some(500)),
            ("2m", Some(120_000)),
            ("0s", None),
            ("1h", None),
            ("s", None),
        ];
        for (text, ms) in cases {
            assert_eq!(
                parse_duration(text).ok().map(|d| d.as_millis()),
                ms.map(|ms: u32| u128::from(ms)),
                "{text}"
            );
        }
    }

    #[test]
    fn stale_only_when_the_origin_differs() {
        let present = |d: &str| Status::Present {
            digest: d.to_owned(),
        };
        let cases = [
            (present("sha256:a"), None, "present"),
            (present("sha256:a"), Some(present("sha256:a")), "present"),
            (present("sha256:a"), Some(present("sha256:b")), "stale"),
            (present("sha256:a"), Some(Status::Missing), "present"),
            (Status::TagMissing, Some(present("sha256:b")), "tag-missing"),
        ];
        for (mirror, origin, want) in cases {
            assert_eq!(
                describe(&mirror, origin.as_ref()).0,
                want,
                "{mirror:?} {origin:?}"
            );
        }
    }
}
