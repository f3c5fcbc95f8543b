//! `imgrepl export --to FORMAT --policy FILE [--mode M]`: the policy in a form that needs no
//! webhook (the `imgrepl-export` crate).
//!
//! - `mutating-admission-policy` (with `--static`): a `MutatingAdmissionPolicy` and its
//!   binding (`--api-version v1beta1|v1`, `--name`), on stdout;
//! - `cel`: the CEL expression that rewrites one image, over a variable `image`;
//! - `registries-conf`: a containers/image `registries.conf`, on stdout;
//! - `containerd-hosts`: `DIR/<host>/hosts.toml` per registry (`--dir DIR`).
//!
//! For the two node formats every rule they cannot express exactly is named on stderr with an
//! image whose result would differ, and the exit code is 1. `--annotation-key` is refused:
//! Kubernetes' CEL cannot parse JSON, so no admission policy can read a pod's annotation.

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use imgrepl::MatchMode;
use imgrepl_export::map::{ApiVersion, Options};

use crate::exit::{Failure, Verdict};
use crate::output::{Out, Stderr};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum To {
    /// A Kubernetes `MutatingAdmissionPolicy` and its binding (needs --static).
    MutatingAdmissionPolicy,
    /// The CEL expression that rewrites one image (a variable `image`).
    Cel,
    /// A containers/image registries.conf (CRI-O, Podman).
    RegistriesConf,
    /// containerd hosts.toml files under --dir.
    ContainerdHosts,
}

/// The API versions of `--api-version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Version {
    /// admissionregistration.k8s.io/v1beta1 (Kubernetes 1.34).
    V1beta1,
    /// admissionregistration.k8s.io/v1.
    V1,
}

/// Arguments of `imgrepl export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The format to write.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub to: To,

    /// The policy file (the annotation's value, a JSON array of rules); `-` for stdin.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub policy: PathBuf,

    /// How a rule's prefix matches: `longest-prefix` or `exact-parent`.
    #[arg(long, value_name = "MODE", default_value = "longest-prefix", value_parser = MatchMode::from_str)]
    pub mode: MatchMode,

    /// Compile the policy's rules into the CEL of the admission policy (required: Kubernetes'
    /// CEL cannot read a policy from a pod's annotation).
    #[arg(long = "static")]
    pub static_: bool,

    /// Refused, with the reason: Kubernetes' CEL environment has no function that parses JSON.
    #[arg(long, value_name = "KEY")]
    pub annotation_key: Option<String>,

    /// The API version of the admission policy.
    #[arg(long, value_enum, default_value = "v1beta1")]
    pub api_version: Version,

    /// The name of the admission policy and of its binding.
    #[arg(long, default_value = "imgrepl")]
    pub name: String,

    /// The directory for containerd's `<host>/hosts.toml` files.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Runs `imgrepl export`.
///
/// # Errors
///
/// Usage (an invalid policy, `--annotation-key`, a missing `--static` or `--dir`) and I/O
/// failures.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    if args.annotation_key.is_some() {
        return Err(Failure::usage(
            "--annotation-key: a MutatingAdmissionPolicy cannot read the policy from a pod's \
             annotation, because Kubernetes' CEL environment has no function that parses JSON; \
             compile the policy in with --static (it then applies to every pod the binding selects)",
        ));
    }
    let (policy, _) = crate::policy_file::load(&args.policy)?;
    let policy = policy.with_mode(args.mode);
    let write = |out: &mut Out, text: &str| {
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Failure::io("stdout", &e))
    };
    let export = match args.to {
        To::MutatingAdmissionPolicy => {
            if !args.static_ {
                return Err(Failure::usage(
                    "--to mutating-admission-policy needs --static: the rules are compiled into \
                     the policy's CEL (Kubernetes' CEL cannot parse a pod's annotation)",
                ));
            }
            let options = Options {
                name: args.name.clone(),
                api_version: match args.api_version {
                    Version::V1beta1 => ApiVersion::V1beta1,
                    Version::V1 => ApiVersion::V1,
                },
            };
            write(
                out,
                &imgrepl_export::map::mutating_admission_policy(&policy, &options),
            )?;
            return Ok(Verdict::Valid);
        }
        To::Cel => {
            write(out, &imgrepl_export::cel::expression(&policy, "image"))?;
            write(out, "\n")?;
            return Ok(Verdict::Valid);
        }
        To::RegistriesConf => {
            let export = imgrepl_export::node::registries_conf(&policy);
            for (_, text) in &export.files {
                write(out, text)?;
            }
            export
        }
        To::ContainerdHosts => {
            let Some(dir) = &args.dir else {
                return Err(Failure::usage("--to containerd-hosts needs --dir DIR"));
            };
            let export = imgrepl_export::node::containerd_hosts(&policy);
            for (path, text) in &export.files {
                let path = dir.join(path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| Failure::io(parent.display(), &e))?;
                }
                std::fs::write(&path, text).map_err(|e| Failure::io(path.display(), &e))?;
                write(out, &format!("{}\n", path.display()))?;
            }
            export
        }
    };
    let mut err = Stderr::new();
    for d in &export.inexact {
        err.line(d)?;
    }
    Ok(Verdict::Valid.and(export.exact()))
}
