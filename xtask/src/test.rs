//! `cargo xtask test`: every test suite of the workspace, in order, stopping at the first
//! failure.
//!
//! A suite is a [`Step`] in [`STEPS`]: a name, what it checks, the toolchain components it
//! needs, and a function that runs it through [`Cmd`]. To add a suite (the C matrix, Go, WASM,
//! …), write its function, in its own module when it is more than a few commands, and add one
//! entry to [`STEPS`]. A step with `default: false` runs only when named.
//!
//! `--quick` is the contributor's loop: the steps of [`QUICK_STEPS`] (fmt, clippy, the tests,
//! docs), with nothing installed beyond the toolchain's components. Its test step is a plain
//! `cargo test --workspace`, where the few tests that need an outside tool (kubectl, python3)
//! skip themselves when it is missing. The full run installs those tools and sets
//! [`REQUIRE_TOOLS`], which makes a missing tool a failure.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::cmd::{Cmd, say};

/// One suite of `cargo xtask test`.
pub struct Step {
    /// The name given on the command line (`cargo xtask test clippy`).
    pub name: &'static str,
    /// What the step checks, for `--list`.
    pub about: &'static str,
    /// Rustup components the step needs; installed first when missing.
    pub components: &'static [Component],
    /// Whether `cargo xtask test` with no step names runs it.
    pub default: bool,
    /// Runs the step.
    pub run: fn() -> Result<(), String>,
}

/// A rustup component and the command that shows it is installed.
pub struct Component {
    /// The rustup name (`rustfmt`).
    pub name: &'static str,
    /// A cargo subcommand that succeeds when the component is installed.
    pub probe: &'static [&'static str],
}

const RUSTFMT: Component = Component {
    name: "rustfmt",
    probe: &["fmt", "--version"],
};
const CLIPPY: Component = Component {
    name: "clippy",
    probe: &["clippy", "--version"],
};

/// The environment variable that tells the tests needing kubectl or python3 to fail, not skip,
/// when the tool is missing (`cli/tests/common`, `core/tests/common`).
pub const REQUIRE_TOOLS: &str = "IMGREPL_REQUIRE_TOOLS";

/// The steps `cargo xtask test --quick` runs: only what cargo and the toolchain provide.
pub const QUICK_STEPS: &[&str] = &["fmt", "clippy", "test", "doc"];

/// Whether this run is `--quick`: steps then install nothing and skip their slow extras.
static QUICK: AtomicBool = AtomicBool::new(false);

fn quick() -> bool {
    QUICK.load(Ordering::Relaxed)
}

/// Every suite, in the order they run: the cheap checks first.
pub const STEPS: &[Step] = &[
    Step {
        name: "fmt",
        about: "cargo fmt --all --check",
        components: &[RUSTFMT],
        default: true,
        run: || Cmd::cargo().args(["fmt", "--all", "--check"]).run(),
    },
    Step {
        name: "clippy",
        about: "cargo clippy on every target, warnings denied",
        components: &[CLIPPY],
        default: true,
        run: || {
            Cmd::cargo()
                .args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ])
                .run()
        },
    },
    Step {
        name: "manifest-wasm",
        about: "imgrepl-manifest builds and lints for wasm32-unknown-unknown (the browser previewer reads YAML with it)",
        components: &[CLIPPY],
        default: true,
        run: || {
            Cmd::new("rustup")
                .args(["target", "add", "wasm32-unknown-unknown"])
                .run()?;
            Cmd::cargo()
                .args([
                    "clippy",
                    "-p",
                    "imgrepl-manifest",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--",
                    "-D",
                    "warnings",
                ])
                .run()
        },
    },
    Step {
        name: "test",
        about: "cargo test --workspace (unit, integration and doc tests; installs kubectl, python3 and skopeo, which some tests need, and requires them); the JSON shapes of core and imgrepl-k8s again without the CLI's serde_json features",
        components: &[],
        default: true,
        run: || {
            if quick() {
                // Nothing installed, nothing required: what a plain `cargo test` does.
                return Cmd::cargo().args(["test", "--workspace"]).run();
            }
            // `imgrepl pull-secret` is compared with what a real kubectl makes, and the
            // reference oracle (python3) checks the recorded sample and regenerates the corpus.
            crate::tools::ensure(crate::tools::TEST)?;
            Cmd::cargo()
                .args(["test", "--workspace"])
                .env(REQUIRE_TOOLS, "1")
                .run()?;
            // Alone, core and imgrepl-k8s are built without serde_json's `preserve_order` (which
            // the CLI turns on through feature unification): their JSON must not change.
            for package in ["imgrepl", "imgrepl-k8s"] {
                Cmd::cargo()
                    .args(["test", "-p", package, "--test", "json_shape"])
                    .run()?;
            }
            Ok(())
        },
    },
    Step {
        name: "doc",
        about: "cargo doc --no-deps --workspace (and the CLI's and libimgrepl's own docs), rustdoc warnings denied",
        components: &[],
        default: true,
        run: || {
            Cmd::cargo()
                .args(["doc", "--no-deps", "--workspace"])
                .env("RUSTDOCFLAGS", "-Dwarnings")
                .run()?;
            // The `imgrepl` binary shares its name with the library, so it has `doc = false`
            // and is checked apart, in its own target dir, not to overwrite the library's docs.
            Cmd::cargo()
                .args([
                    "doc",
                    "--no-deps",
                    "--package",
                    "imgrepl-cli",
                    "--bin",
                    "imgrepl",
                ])
                .args(["--target-dir", "target/xtask/cli-doc"])
                .env("RUSTDOCFLAGS", "-Dwarnings")
                .run()?;
            // libimgrepl's Rust library is also named `imgrepl` (as C links it), so it has
            // `doc = false` too and is documented apart.
            Cmd::cargo()
                .args(["rustdoc", "--package", "imgrepl-c", "--lib"])
                .args(["--target-dir", "target/xtask/c-doc"])
                .env("RUSTDOCFLAGS", "-Dwarnings")
                .run()
        },
    },
    Step {
        name: "registry",
        about: "imgrepl verify against real registries on 127.0.0.1 (docker-registry with TLS, htpasswd and token auth, images pushed by skopeo; installs them), every result, and 1,000 images timed",
        components: &[],
        default: true,
        run: || {
            crate::tools::ensure(crate::tools::REGISTRY)?;
            Cmd::cargo()
                .args(["test", "-p", "imgrepl-cli", "--test", "verify_registry"])
                .args(["--", "--ignored", "--nocapture", "--test-threads", "2"])
                .env(REQUIRE_TOOLS, "1")
                .run()
        },
    },
    Step {
        name: "yaml-oracle",
        about: "imgrepl-manifest against Kubernetes' YAML reader (sigs.k8s.io/yaml over yaml.v2, Go from Debian's packages): 30,000 generated manifests, the same documents readable and the same images at the same places",
        components: &[],
        default: true,
        run: crate::yaml_oracle::test,
    },
    Step {
        name: "c",
        about: "libimgrepl: ABI tests, exported symbols, SONAME, C tests static/shared under valgrind and with ASAN+UBSAN",
        components: &[],
        default: true,
        run: crate::capi::test,
    },
    Step {
        name: "package-c",
        about: "libimgrepl as a user installs it: install-c into a temporary prefix outside the repository, bindings-c/README.md's example built there with pkg-config (shared with an rpath, checked with ldd; without, with LD_LIBRARY_PATH; static) and run",
        components: &[],
        default: true,
        run: crate::capi_package::test,
    },
    Step {
        name: "go",
        about: "the Go package and webhook over cgo: go vet, go test, -race, -tags debug, benchmarks once",
        components: &[],
        default: true,
        run: crate::golang::test,
    },
    Step {
        name: "package-go",
        about: "the Go package as a user outside the repository consumes it: libimgrepl installed to a prefix, a new module requiring the package with a replace to the checkout (offline), the Go README's example built with -tags imgrepl_pkgconfig, run, its output checked",
        components: &[],
        default: true,
        run: crate::golang::package,
    },
    Step {
        name: "image",
        about: "the imgrepl-webhook OCI image: built static, checked with skopeo and umoci, deploy/ rendered with kubectl kustomize, the unpacked image serving /healthz and /mutate over TLS",
        components: &[],
        default: true,
        run: crate::image::test,
    },
    Step {
        name: "package",
        about: "the imgrepl and imgrepl-k8s crates are publishable as they stand: cargo package (list, then build the packaged sources)",
        components: &[],
        default: true,
        run: package,
    },
    Step {
        name: "wasm-clippy",
        about: "cargo clippy on imgrepl-wasm for wasm32-unknown-unknown (installs the target)",
        components: &[CLIPPY],
        default: true,
        run: crate::wasm_test::clippy,
    },
    Step {
        name: "wasm",
        about: "the JS package: wasm-bindgen-test in Node, node --test over pkg/node, d.ts freshness",
        components: &[],
        default: true,
        run: crate::wasm_test::node,
    },
    Step {
        name: "package-npm",
        about: "the npm package as a user installs it: npm pack, npm install of the tarball in an empty project (offline), the README's examples run (require, import, the browser module) and type-checked with TypeScript 7 and 5 defaults",
        components: &[],
        default: true,
        run: crate::wasm_npm::test,
    },
    Step {
        name: "wasm-e2e",
        about: "the previewer page in headless Chromium (installs chromium via apt, npm ci)",
        components: &[],
        default: true,
        run: crate::wasm_test::e2e,
    },
    Step {
        name: "bench-test",
        about: "every benchmark once, untimed, its answers checked (cargo xtask bench --test)",
        components: &[],
        default: true,
        run: || crate::bench::run(&["--test".to_owned()]),
    },
    Step {
        name: "fuzz-smoke",
        about: "a short run of every fuzz target (installs cargo-fuzz; nightly or RUSTC_BOOTSTRAP)",
        components: &[],
        default: true,
        run: crate::fuzz::smoke,
    },
];

/// The files each published crate (`imgrepl`, `imgrepl-k8s`) must hold.
const PACKAGE_FILES: &[&str] = &[
    "Cargo.toml",
    "README.md",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    "src/lib.rs",
];

/// The published crates: core, and the Kubernetes layer built on it.
const PUBLISHED: [&str; 2] = ["imgrepl", "imgrepl-k8s"];

/// `cargo package` of the libraries: each file list holds the README and the license texts (and
/// no repository data), and the packaged sources build on their own: `imgrepl` as `cargo package`
/// verifies it, and `imgrepl-k8s` against the packaged `imgrepl` (see [`build_packaged_k8s`]).
/// `cargo publish --dry-run` would also ask the registry's index, which a machine without
/// network cannot; `cargo package` resolves from the local cache (`--offline`) and does the same
/// build.
fn package() -> Result<(), String> {
    for crate_name in PUBLISHED {
        let list = Cmd::cargo()
            .args([
                "package",
                "-p",
                crate_name,
                "--list",
                "--allow-dirty",
                "--offline",
            ])
            .read()?;
        let files: Vec<&str> = list.lines().map(str::trim).collect();
        if let Some(missing) = PACKAGE_FILES.iter().find(|f| !files.contains(f)) {
            return Err(format!("the {crate_name} package lacks {missing}:\n{list}"));
        }
        if let Some(stray) = files
            .iter()
            .find(|f| f.starts_with("tests/") || f.contains("testdata"))
        {
            return Err(format!(
                "the {crate_name} package holds {stray}, which needs the repository"
            ));
        }
    }
    Cmd::cargo()
        .args(["package", "-p", "imgrepl", "--allow-dirty", "--offline"])
        .run()?;
    build_packaged_k8s()
}

/// The `version` of `[workspace.package]` in the root `Cargo.toml`: the published crates'.
fn workspace_version() -> Result<String, String> {
    let path = crate::cmd::root().join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .skip_while(|line| line.trim() != "[workspace.package]")
        .take_while(|line| !line.starts_with("[workspace.") || line.trim() == "[workspace.package]")
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| format!("{} has no [workspace.package] version", path.display()))
}

/// Builds the packaged `imgrepl-k8s` against the packaged `imgrepl`: both `.crate` files
/// unpacked side by side under a workspace of their own whose `[patch.crates-io]` points
/// `imgrepl` at its package. (`cargo package -p imgrepl -p imgrepl-k8s` verifies through a local
/// registry of the new packages, but cargo unpacks a registry's crate once per version and keeps
/// it: an unpublished 0.1.0 that changes would be verified against its first copy.)
fn build_packaged_k8s() -> Result<(), String> {
    Cmd::cargo()
        .args(["package", "-p", PUBLISHED[0], "-p", PUBLISHED[1]])
        .args(["--no-verify", "--allow-dirty", "--offline"])
        .run()?;
    let packages = crate::cmd::target_dir().join("package");
    let dir = crate::cmd::target_dir().join("xtask").join("packaged");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let version = workspace_version()?;
    for crate_name in PUBLISHED {
        let file = packages.join(format!("{crate_name}-{version}.crate"));
        Cmd::new("tar")
            .arg("-xzf")
            .arg(&file)
            .arg("-C")
            .arg(&dir)
            .run()?;
    }
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [\"imgrepl-k8s-{version}\"]\n\n\
         [patch.crates-io]\nimgrepl = {{ path = \"imgrepl-{version}\" }}\n"
    );
    let manifest_path = dir.join("Cargo.toml");
    std::fs::write(&manifest_path, manifest)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    Cmd::cargo()
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest_path)
        .arg("--target-dir")
        .arg(
            crate::cmd::target_dir()
                .join("xtask")
                .join("packaged-target"),
        )
        .arg("--offline")
        .run()
}

const USAGE: &str = "\
usage: cargo xtask test [--list] [--quick] [STEP...]

Runs every default step in order, stopping at the first failure; with STEP names, runs those.
--quick runs fmt, clippy, test and doc (or the STEPs named) with nothing installed beyond the
toolchain's components: the tests that need kubectl or python3 skip themselves when those are
missing, and the test step leaves out its second, feature-reduced run of the JSON shape tests.";

/// `cargo xtask test [--list] [STEP...]`.
///
/// # Errors
///
/// A message naming the step that failed and the command that failed in it, or an unknown step.
pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(());
    }
    if args.iter().any(|a| a == "--list") {
        for step in STEPS {
            let note = if step.default {
                ""
            } else {
                " (not run by default)"
            };
            let quick = if QUICK_STEPS.contains(&step.name) {
                " [--quick]"
            } else {
                ""
            };
            println!("{:<12} {}{note}{quick}", step.name, step.about);
        }
        return Ok(());
    }
    let is_quick = args.iter().any(|a| a == "--quick");
    QUICK.store(is_quick, Ordering::Relaxed);
    let names: Vec<String> = args.iter().filter(|a| *a != "--quick").cloned().collect();
    let steps = if is_quick && names.is_empty() {
        select_quick()
    } else {
        select(&names)?
    };

    let started = Instant::now();
    toolchain(&steps)?;
    for step in &steps {
        say(format_args!("step {}: {}", step.name, step.about));
        let t = Instant::now();
        (step.run)().map_err(|e| format!("step `{}` failed: {e}", step.name))?;
        say(format_args!(
            "step {} passed ({:.1}s)",
            step.name,
            t.elapsed().as_secs_f64()
        ));
    }
    let names: Vec<_> = steps.iter().map(|s| s.name).collect();
    say(format_args!(
        "all {} steps passed ({}){} in {:.1}s",
        steps.len(),
        names.join(", "),
        if is_quick { ", quick" } else { "" },
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// The steps of [`QUICK_STEPS`], in [`STEPS`] order.
fn select_quick() -> Vec<&'static Step> {
    STEPS
        .iter()
        .filter(|s| QUICK_STEPS.contains(&s.name))
        .collect()
}

/// The steps named in `args`, in [`STEPS`] order, or the default ones when none is named.
fn select(args: &[String]) -> Result<Vec<&'static Step>, String> {
    if let Some(unknown) = args
        .iter()
        .find(|a| !STEPS.iter().any(|s| s.name == a.as_str()))
    {
        let names: Vec<_> = STEPS.iter().map(|s| s.name).collect();
        return Err(format!(
            "unknown step `{unknown}`; the steps are: {}\n{USAGE}",
            names.join(", ")
        ));
    }
    Ok(STEPS
        .iter()
        .filter(|s| {
            if args.is_empty() {
                s.default
            } else {
                args.iter().any(|a| a == s.name)
            }
        })
        .collect())
}

/// Shows the toolchain in the log and installs the components the steps need.
fn toolchain(steps: &[&Step]) -> Result<(), String> {
    for version in [
        Cmd::cargo().arg("--version"),
        Cmd::new("rustc").arg("--version"),
    ] {
        match version.read() {
            Ok(v) => say(v),
            Err(e) => say(format_args!("warning: {e}")),
        }
    }
    let mut done: Vec<&str> = Vec::new();
    for component in steps.iter().flat_map(|s| s.components) {
        if done.contains(&component.name) {
            continue;
        }
        done.push(component.name);
        if Cmd::cargo().args(component.probe).probe() {
            continue;
        }
        say(format_args!(
            "the {} component is missing; installing it",
            component.name
        ));
        Cmd::new("rustup")
            .args(["component", "add", component.name])
            .run()
            .map_err(|e| {
                format!(
                    "{e}\nthe `{}` component of the Rust toolchain is needed: install it with \
                     `rustup component add {}` (or your distribution's package)",
                    component.name, component.name
                )
            })?;
        if !Cmd::cargo().args(component.probe).probe() {
            return Err(format!(
                "`cargo {}` still fails after installing {}",
                component.probe.join(" "),
                component.name
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(steps: &[&Step]) -> Vec<&'static str> {
        steps.iter().map(|s| s.name).collect()
    }

    #[test]
    fn default_steps_in_order() {
        assert_eq!(
            names(&select(&[]).unwrap()),
            [
                "fmt",
                "clippy",
                "manifest-wasm",
                "test",
                "doc",
                "registry",
                "yaml-oracle",
                "c",
                "package-c",
                "go",
                "package-go",
                "image",
                "package",
                "wasm-clippy",
                "wasm",
                "package-npm",
                "wasm-e2e",
                "bench-test",
                "fuzz-smoke"
            ]
        );
    }

    #[test]
    fn quick_steps_are_steps_in_order() {
        assert_eq!(names(&select_quick()), ["fmt", "clippy", "test", "doc"]);
        assert_eq!(names(&select_quick()).len(), QUICK_STEPS.len());
    }

    #[test]
    fn named_steps_keep_the_suite_order() {
        let args = ["doc".to_owned(), "fuzz-smoke".to_owned(), "fmt".to_owned()];
        assert_eq!(names(&select(&args).unwrap()), ["fmt", "doc", "fuzz-smoke"]);
    }

    #[test]
    fn unknown_step_is_an_error() {
        let err = select(&["lint".to_owned()]).err().unwrap();
        assert!(
            err.starts_with("unknown step `lint`; the steps are: fmt, clippy"),
            "{err}"
        );
    }

    #[test]
    fn step_names_are_unique() {
        for (i, a) in STEPS.iter().enumerate() {
            assert!(
                STEPS[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }
}
