//! `cargo xtask wasm`: the JavaScript package of `bindings-wasm/`, and the tools it needs.
//!
//! ```text
//! cargo xtask wasm [--bless] [--compare-opt-levels] [--bench] [--screenshot]
//! ```
//!
//! 1. installs the `wasm32-unknown-unknown` target when missing, and `wasm-bindgen-cli` at
//!    exactly the version of the `wasm-bindgen` crate in `Cargo.lock` when it is missing or
//!    another version (`cargo install wasm-bindgen-cli --version V --locked`);
//! 2. builds `imgrepl-wasm` in the size-tuned `wasm` profile;
//! 3. runs `wasm-bindgen`, writing the package for Node to `bindings-wasm/pkg/node/` and for
//!    the web to `bindings-wasm/pkg/web/` (both ignored by git), each with a `package.json`.
//!    The web package is the core module; `rewriteWorkload` and `reviewAdmission` (whole
//!    objects) and the toolkit (`coverage`, `diff`, `secondPass`, `manifestImages`) are in a
//!    second module, `pkg/web/full/` (see [`package`]);
//! 4. prints the `.wasm` sizes, raw and gzipped.
//!
//! `--bless` copies the emitted `imgrepl.d.ts` over the checked-in `bindings-wasm/imgrepl.d.ts`
//! (the JS tests fail when the two differ). `--compare-opt-levels` builds once more with
//! `opt-level = "s"` and prints both sizes (the numbers in BENCHMARKS.md). `--bench` times the
//! package in headless Chromium (`bindings-wasm/e2e/bench.mjs`, also in BENCHMARKS.md);
//! `--screenshot` retakes the README's picture of the previewer (pngquant makes it smaller when
//! it is installed).
//!
//! The test steps that use the package ([`crate::test`]) call [`package`] first, and the e2e
//! step installs Chromium and the npm packages ([`chromium`], [`npm_ci`]).

use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, root, say, target_dir};

/// The Rust target of the package.
pub const TARGET: &str = "wasm32-unknown-unknown";

const USAGE: &str = "\
usage: cargo xtask wasm [--bless] [--compare-opt-levels] [--bench] [--screenshot]

Builds the imgrepl package for Node (bindings-wasm/pkg/node) and the web (bindings-wasm/pkg/web),
installing the wasm32 target and the pinned wasm-bindgen-cli when missing, and prints its size.
  --bless               copy the emitted imgrepl.d.ts over bindings-wasm/imgrepl.d.ts
  --compare-opt-levels  also build with opt-level \"s\" and print both sizes
  --bench               time the package in headless Chromium (bindings-wasm/e2e/bench.mjs)
  --screenshot          retake bindings-wasm/www/screenshot.png, the README's picture";

/// `cargo xtask wasm`.
///
/// # Errors
///
/// A message when a tool cannot be installed or a build fails.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut bless = false;
    let mut compare = false;
    let mut bench = false;
    let mut screenshot = false;
    for arg in args {
        match arg.as_str() {
            "--bless" => bless = true,
            "--compare-opt-levels" => compare = true,
            "--bench" => bench = true,
            "--screenshot" => screenshot = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let shipped = package()?;
    if bless {
        let emitted = pkg_dir("node").join("imgrepl.d.ts");
        let checked_in = root().join("bindings-wasm/imgrepl.d.ts");
        fs::copy(&emitted, &checked_in)
            .map_err(|e| format!("cannot copy {}: {e}", emitted.display()))?;
        say("bindings-wasm/imgrepl.d.ts updated from the emitted types");
    }
    if compare {
        let module = build_module(Some("s"), false)?;
        let dir = root().join("target/xtask/wasm-opt-level/s/pkg");
        bindgen(&module, "web", "imgrepl", &dir)?;
        let s = Size::of(&dir.join("imgrepl_bg.wasm"))?;
        say(format_args!(
            "core module after wasm-bindgen: opt-level \"z\" (the profile's): {shipped} | opt-level \"s\": {s}"
        ));
    }
    for (wanted, script) in [(bench, "bench.mjs"), (screenshot, "screenshot.mjs")] {
        if !wanted {
            continue;
        }
        let chromium = chromium()?;
        npm_ci()?;
        let url = crate::preview::start()?;
        Cmd::new("node")
            .arg(format!("bindings-wasm/e2e/{script}"))
            .env("IMGREPL_PREVIEW_URL", url)
            .env("CHROMIUM", chromium)
            .run()?;
    }
    if screenshot {
        // Smaller for the repository: 256 colours are plenty for a page of text.
        let png = "bindings-wasm/www/screenshot.png";
        if Cmd::new("pngquant").arg("--version").probe() {
            Cmd::new("pngquant")
                .args(["--force", "--skip-if-larger", "--output", png, "256", png])
                .run()?;
        }
    }
    Ok(())
}

/// Raw and gzipped size of a file.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    raw: u64,
    gzipped: u64,
}

impl Size {
    fn of(path: &Path) -> Result<Size, String> {
        let raw = fs::metadata(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        let gz = Cmd::new("gzip").args(["-9", "-c"]).arg(path).output_len()?;
        Ok(Size { raw, gzipped: gz })
    }
}

impl std::fmt::Display for Size {
    #[allow(
        clippy::cast_precision_loss,
        reason = "file sizes far below 2^52 bytes"
    )]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes raw ({:.1} KiB), {} bytes gzipped ({:.1} KiB)",
            self.raw,
            self.raw as f64 / 1024.0,
            self.gzipped,
            self.gzipped as f64 / 1024.0
        )
    }
}

/// `bindings-wasm/pkg/<flavour>`.
pub fn pkg_dir(flavour: &str) -> PathBuf {
    root().join("bindings-wasm/pkg").join(flavour)
}

/// Installs the tools, builds both modules and writes the packages; prints the sizes and
/// returns the core module's.
///
/// - the core module (`--no-default-features`: policies, images and references, without
///   `rewriteWorkload`, `reviewAdmission` and the toolkit) is the web package,
///   `pkg/web/imgrepl.js`: it is what the previewer loads first;
/// - the full module (the default features `workload` and `toolkit`: whole Kubernetes objects,
///   manifests read by `imgrepl-manifest`, coverage, diff and second pass) is the Node package,
///   `pkg/node/`, and the web's second module, `pkg/web/full/`, which the previewer loads after
///   its first results (for the manifest box and the toolkit views).
///
/// # Errors
///
/// A message when a tool cannot be installed or a build fails.
pub fn package() -> Result<Size, String> {
    tools()?;
    for flavour in ["node", "web"] {
        let dir = pkg_dir(flavour);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    let core = build_module(None, false)?;
    bindgen(&core, "web", "imgrepl", &pkg_dir("web"))?;
    let full = build_module(None, true)?;
    bindgen(&full, "nodejs", "imgrepl", &pkg_dir("node"))?;
    bindgen(&full, "web", "imgrepl_full", &pkg_dir("web").join("full"))?;
    for flavour in ["node", "web"] {
        let dir = pkg_dir(flavour);
        fs::write(dir.join("package.json"), package_json(flavour))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let shipped = Size::of(&pkg_dir("web").join("imgrepl_bg.wasm"))?;
    let full = Size::of(&pkg_dir("node").join("imgrepl_bg.wasm"))?;
    say(format_args!("core module, imgrepl_bg.wasm: {shipped}"));
    say(format_args!(
        "full module (workloads, manifests and the toolkit), imgrepl_full_bg.wasm: {full}"
    ));
    Ok(shipped)
}

fn bindgen(module: &Path, target: &str, name: &str, dir: &Path) -> Result<(), String> {
    Cmd::new("wasm-bindgen")
        .args(["--target", target, "--out-name", name, "--out-dir"])
        .arg(dir)
        .arg(module)
        .run()
}

/// The `package.json` written beside each flavour, so that `require`/`import` of the directory
/// finds the module and TypeScript finds the types.
fn package_json(flavour: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let (kind, main) = if flavour == "web" {
        (
            "module",
            "\"module\": \"imgrepl.js\",\n  \"main\": \"imgrepl.js\"",
        )
    } else {
        ("commonjs", "\"main\": \"imgrepl.js\"")
    };
    format!(
        "{{\n  \"name\": \"imgrepl\",\n  \"version\": \"{version}\",\n  \"description\": \"Validate image replacement policies and rewrite container image references (WebAssembly)\",\n  \"license\": \"MIT OR Apache-2.0\",\n  \"type\": \"{kind}\",\n  {main},\n  \"types\": \"imgrepl.d.ts\",\n  \"files\": [\"imgrepl.js\", \"imgrepl_bg.wasm\", \"imgrepl.d.ts\", \"imgrepl_bg.wasm.d.ts\"]\n}}\n"
    )
}

/// Builds the module, with the `workload` feature when `full`; `opt_level` overrides the
/// profile's (for measuring).
fn build_module(opt_level: Option<&str>, full: bool) -> Result<PathBuf, String> {
    let mut cmd = Cmd::cargo().args([
        "build",
        "--package",
        "imgrepl-wasm",
        "--lib",
        "--target",
        TARGET,
        "--profile",
        "wasm",
    ]);
    if !full {
        cmd = cmd.arg("--no-default-features");
    }
    let mut dir = target_dir();
    if let Some(level) = opt_level {
        dir = root().join("target/xtask/wasm-opt-level").join(level);
        cmd = cmd
            .env("CARGO_PROFILE_WASM_OPT_LEVEL", level)
            .arg("--target-dir")
            .arg(&dir);
    }
    cmd.run()?;
    Ok(dir.join(TARGET).join("wasm/imgrepl_wasm.wasm"))
}

/// Installs the Rust target and the pinned wasm-bindgen CLI when missing.
///
/// # Errors
///
/// A message when rustup or cargo install fails, or `Cargo.lock` has no `wasm-bindgen`.
pub fn tools() -> Result<(), String> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .read()?;
    if !installed.lines().any(|l| l.trim() == TARGET) {
        say(format_args!(
            "the {TARGET} target is missing; installing it"
        ));
        Cmd::new("rustup").args(["target", "add", TARGET]).run()?;
    }
    let lock = fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let want = locked_version(&lock, "wasm-bindgen")
        .ok_or("Cargo.lock has no wasm-bindgen package; build the workspace once")?;
    let have = Cmd::new("wasm-bindgen").arg("--version").read().ok();
    let runner = Cmd::new("wasm-bindgen-test-runner")
        .arg("--version")
        .read()
        .ok();
    let wanted = format!("wasm-bindgen {want}");
    let runner_ok = runner.as_deref().is_some_and(|r| r.ends_with(&want));
    if have.as_deref() != Some(wanted.as_str()) || !runner_ok {
        say(format_args!(
            "wasm-bindgen-cli {want} is needed (found {}); installing it",
            have.as_deref().unwrap_or("none")
        ));
        Cmd::cargo()
            .args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &want,
                "--locked",
            ])
            .run()?;
    }
    Ok(())
}

/// The version of `package` in the text of a `Cargo.lock`.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name {
            let version = lines.next()?.trim();
            return version
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_owned);
        }
    }
    None
}

/// Installs Debian's `chromium` when no Chromium is on `PATH`; returns its path.
///
/// # Errors
///
/// A message when apt cannot install it.
pub fn chromium() -> Result<String, String> {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(path) = Cmd::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .read()
            && !path.is_empty()
        {
            return Ok(path);
        }
    }
    say("chromium is missing; installing Debian's package");
    Cmd::new("apt-get").arg("update").run()?;
    Cmd::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "chromium"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    Cmd::new("sh").args(["-c", "command -v chromium"]).read()
}

/// Installs Node.js and npm from Debian when `node` is not on `PATH`.
///
/// # Errors
///
/// A message when apt cannot install them.
pub fn node() -> Result<(), String> {
    if Cmd::new("node").arg("--version").probe() && Cmd::new("npm").arg("--version").probe() {
        return Ok(());
    }
    say("node or npm is missing; installing Debian's nodejs and npm");
    Cmd::new("apt-get").arg("update").run()?;
    Cmd::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "nodejs", "npm"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}

/// `npm ci` in `bindings-wasm/` when its `node_modules` is missing or older than the lockfile.
///
/// # Errors
///
/// A message when npm fails.
pub fn npm_ci() -> Result<(), String> {
    node()?;
    let dir = root().join("bindings-wasm");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (fs::metadata(&lock), fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => match (l.modified(), i.modified()) {
            (Ok(l), Ok(i)) => i >= l,
            _ => false,
        },
        _ => false,
    };
    if !fresh {
        Cmd::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .dir("bindings-wasm")
            .run()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.129\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.129")
        );
        assert_eq!(locked_version(lock, "js-sys"), None);
    }

    #[test]
    fn package_json_names_the_module() {
        let node = package_json("node");
        assert!(node.contains("\"type\": \"commonjs\""), "{node}");
        assert!(node.contains("\"main\": \"imgrepl.js\""), "{node}");
        let web = package_json("web");
        assert!(web.contains("\"type\": \"module\""), "{web}");
    }
}
