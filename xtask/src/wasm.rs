//! `cargo xtask wasm`: the JavaScript package of `bindings-wasm/`, and the tools it needs.
//!
//! ```text
//! cargo xtask wasm [--bless] [--pack] [--compare-opt-levels] [--bench] [--screenshot]
//! ```
//!
//! 1. installs the `wasm32-unknown-unknown` target when missing, and `wasm-bindgen-cli` at
//!    exactly the version of the `wasm-bindgen` crate in `Cargo.lock` when it is missing or
//!    another version (`cargo install wasm-bindgen-cli --version V --locked`);
//! 2. builds `imgrepl-wasm` in the size-tuned `wasm` profile;
//! 3. runs `wasm-bindgen`, writing the module for Node to `bindings-wasm/pkg/node/` and for
//!    the web to `bindings-wasm/pkg/web/` (both ignored by git). The web's is the core module;
//!    `rewriteWorkload` and `reviewAdmission` (whole objects) and the toolkit (`coverage`,
//!    `diff`, `secondPass`, `manifestImages`) are in a second module, `pkg/web/full/` (see
//!    [`package`]). The emitted types are made to compile with any TypeScript `lib`
//!    ([`lib_free_types`]);
//! 4. assembles the npm package `imgrepl` in `pkg/node/`: Node's module (`require`) at its root,
//!    a copy of `pkg/web/` (which the previewer serves) as `web/`, `bindings-wasm/README.md`, the
//!    license texts, and a `package.json` ([`package_json`]) whose version is the workspace's,
//!    the one `version()` returns;
//! 5. prints the `.wasm` sizes, raw and gzipped.
//!
//! `--bless` copies the emitted `imgrepl.d.ts` over the checked-in `bindings-wasm/imgrepl.d.ts`
//! (the JS tests fail when the two differ). `--pack` runs `npm pack` and leaves
//! `target/npm/imgrepl-VERSION.tgz`, the file a user installs (`npm install ./imgrepl-….tgz`).
//! `--compare-opt-levels` builds once more with `opt-level = "s"` and prints both sizes (the
//! numbers in BENCHMARKS.md). `--bench` times the package in headless Chromium
//! (`bindings-wasm/e2e/bench.mjs`, also in BENCHMARKS.md); `--screenshot` retakes the README's
//! picture of the previewer (pngquant makes it smaller when it is installed).
//!
//! The test steps that use the package ([`crate::test`]) call [`package`] first, and the e2e
//! and npm steps install Chromium and the npm tools ([`chromium`], [`npm_ci`]).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, root, say, target_dir};

/// The Rust target of the package.
pub const TARGET: &str = "wasm32-unknown-unknown";

const USAGE: &str = "\
usage: cargo xtask wasm [--bless] [--pack] [--compare-opt-levels] [--bench] [--screenshot]

Builds the imgrepl npm package (bindings-wasm/pkg/node: Node's module, and the web's under web/,
also in bindings-wasm/pkg/web for the previewer), installing the wasm32 target and the pinned
wasm-bindgen-cli when missing, and prints its size.
  --bless               copy the emitted imgrepl.d.ts over bindings-wasm/imgrepl.d.ts
  --pack                npm pack it: target/npm/imgrepl-VERSION.tgz, the file to npm install
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
    let mut pack_it = false;
    let mut compare = false;
    let mut bench = false;
    let mut screenshot = false;
    for arg in args {
        match arg.as_str() {
            "--bless" => bless = true,
            "--pack" => pack_it = true,
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
    if pack_it {
        let dest = root().join("target/npm");
        fs::create_dir_all(&dest).map_err(|e| format!("{}: {e}", dest.display()))?;
        let packed = pack(&dest)?;
        say(format_args!(
            "{} ({} files); install it with `npm install {}`",
            packed.tarball.display(),
            packed.files.len(),
            packed.tarball.display()
        ));
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
        let url = crate::serve::start()?;
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

/// Installs the tools, builds both modules and assembles the npm package; prints the sizes and
/// returns the core module's.
///
/// - the core module (`--no-default-features`: policies, images and references, without
///   `rewriteWorkload`, `reviewAdmission` and the toolkit) is the web's first module,
///   `pkg/web/imgrepl.js`: it is what the previewer loads first;
/// - the full module (the default features `workload` and `toolkit`: whole Kubernetes objects,
///   manifests read by `imgrepl-manifest`, coverage, diff and second pass) is Node's,
///   `pkg/node/imgrepl.js`, and the web's second module, `pkg/web/full/`, which the previewer
///   loads after its first results (for the manifest box and the toolkit views).
///
/// `pkg/node/` is then the npm package `imgrepl`: [`NPM_FILES`], `web/` being a copy of
/// `pkg/web/`.
///
/// # Errors
///
/// A message when a tool cannot be installed or a build fails.
pub fn package() -> Result<Size, String> {
    tools()?;
    let meta = meta()?;
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
    for (dir, name) in [
        (pkg_dir("node"), "imgrepl"),
        (pkg_dir("web"), "imgrepl"),
        (pkg_dir("web").join("full"), "imgrepl_full"),
    ] {
        let dts = dir.join(format!("{name}.d.ts"));
        let text = read(&dts)?;
        write(
            &dts,
            &lib_free_types(&text).map_err(|e| format!("{}: {e}", dts.display()))?,
        )?;
        // The types of the raw `.wasm`'s exports: wasm-bindgen's bundler target imports them,
        // the `nodejs` and `web` targets do not, and no user should.
        let raw = dir.join(format!("{name}_bg.wasm.d.ts"));
        fs::remove_file(&raw).map_err(|e| format!("{}: {e}", raw.display()))?;
    }
    write(
        &pkg_dir("web").join("package.json"),
        &web_package_json("imgrepl"),
    )?;
    write(
        &pkg_dir("web").join("full/package.json"),
        &web_package_json("imgrepl_full"),
    )?;
    let node = pkg_dir("node");
    copy_tree(&pkg_dir("web"), &node.join("web"))?;
    for (from, to) in [
        ("bindings-wasm/README.md", "README.md"),
        ("LICENSE-MIT", "LICENSE-MIT"),
        ("LICENSE-APACHE", "LICENSE-APACHE"),
    ] {
        fs::copy(root().join(from), node.join(to)).map_err(|e| format!("{from}: {e}"))?;
    }
    write(&node.join("package.json"), &package_json(&meta))?;
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

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Copies the files of `from` into `to`, recursively, creating `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            fs::copy(&path, &target).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The npm package's name.
pub const NPM_NAME: &str = "imgrepl";

/// Every file of the npm package (`pkg/node/`) but `package.json`, which npm always adds: its
/// `files`, and what `npm pack` must list.
pub const NPM_FILES: &[&str] = &[
    "LICENSE-APACHE",
    "LICENSE-MIT",
    "README.md",
    "imgrepl.d.ts",
    "imgrepl.js",
    "imgrepl_bg.wasm",
    "web/full/imgrepl_full.d.ts",
    "web/full/imgrepl_full.js",
    "web/full/imgrepl_full_bg.wasm",
    "web/full/package.json",
    "web/imgrepl.d.ts",
    "web/imgrepl.js",
    "web/imgrepl_bg.wasm",
    "web/package.json",
];

/// What the npm package takes from the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// `imgrepl-wasm`'s version, the workspace's: what `version()` returns.
    pub version: String,
    /// The repository's URL (`https://github.com/…`).
    pub repository: String,
}

/// [`Meta`] from `cargo metadata`.
///
/// # Errors
///
/// A message when cargo fails or `imgrepl-wasm` has no version or repository.
pub fn meta() -> Result<Meta, String> {
    let text = crate::cmd::cargo_metadata()?;
    meta_from(&text)
}

fn meta_from(metadata: &str) -> Result<Meta, String> {
    let value: serde_json::Value = serde_json::from_str(metadata)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let package = value["packages"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == "imgrepl-wasm"))
        .ok_or("cargo metadata lists no imgrepl-wasm package")?;
    let field = |name: &str| {
        package[name]
            .as_str()
            .map(str::to_owned)
            .ok_or(format!("imgrepl-wasm has no {name} in cargo metadata"))
    };
    Ok(Meta {
        version: field("version")?,
        repository: field("repository")?,
    })
}

/// The npm package's `package.json`. Node's module is a `commonjs` one (`require`, and `import`
/// through the names Node finds in its `exports.NAME = …` lines); the browser's ES modules are `imgrepl/web` and
/// `imgrepl/web/full`. `types` comes first in each condition, as TypeScript requires.
fn package_json(meta: &Meta) -> String {
    let Meta {
        version,
        repository,
    } = meta;
    let files: Vec<String> = NPM_FILES.iter().map(|f| format!("\"{f}\"")).collect();
    let git = repository.trim_end_matches('/');
    format!(
        r#"{{
  "name": "{NPM_NAME}",
  "version": "{version}",
  "description": "Validate image replacement policies and rewrite container image references in Kubernetes manifests (WebAssembly, for Node and browsers)",
  "keywords": ["kubernetes", "container-image", "image-reference", "admission-webhook", "webassembly"],
  "license": "MIT OR Apache-2.0",
  "repository": {{
    "type": "git",
    "url": "git+{git}.git",
    "directory": "bindings-wasm"
  }},
  "homepage": "{git}/tree/HEAD/bindings-wasm#readme",
  "type": "commonjs",
  "main": "imgrepl.js",
  "types": "imgrepl.d.ts",
  "exports": {{
    ".": {{
      "types": "./imgrepl.d.ts",
      "default": "./imgrepl.js"
    }},
    "./web": {{
      "types": "./web/imgrepl.d.ts",
      "default": "./web/imgrepl.js"
    }},
    "./web/full": {{
      "types": "./web/full/imgrepl_full.d.ts",
      "default": "./web/full/imgrepl_full.js"
    }},
    "./web/imgrepl_bg.wasm": "./web/imgrepl_bg.wasm",
    "./web/full/imgrepl_full_bg.wasm": "./web/full/imgrepl_full_bg.wasm",
    "./package.json": "./package.json"
  }},
  "files": [
    {}
  ],
  "engines": {{
    "node": ">=20"
  }}
}}
"#,
        files.join(",\n    ")
    )
}

/// The `package.json` of a web module's directory (`pkg/web/`, `pkg/web/full/`, and so
/// `web/` and `web/full/` in the npm package): its `.js` is an ES module, and TypeScript's
/// `node10` resolution, which reads no `exports`, finds its types.
fn web_package_json(name: &str) -> String {
    format!(
        "{{\n  \"private\": true,\n  \"type\": \"module\",\n  \"main\": \"{name}.js\",\n  \"types\": \"{name}.d.ts\"\n}}\n"
    )
}

/// The member wasm-bindgen declares on each class, which only TypeScript's `esnext` library
/// (or `@types/node`) knows: with the default `lib`, `tsc` rejects the whole file.
const DISPOSE: &str = "    [Symbol.dispose](): void;\n";

/// What replaces [`DISPOSE`]: the same member, declared only when `Symbol.dispose` exists in
/// the program's library. `typeof globalThis` needs no library.
const MAYBE_DISPOSABLE: &str = "
/**
 * `[Symbol.dispose]()`, the same as `free()` (`using policy = Policy.parse(text)` frees the
 * policy at the end of the block). It is declared where TypeScript's library declares
 * `Symbol.dispose` (`lib: [\"esnext\"]`, or `@types/node`); with other settings the types
 * compile without it.
 */
export type MaybeDisposable = typeof globalThis extends { Symbol: { readonly dispose: infer D extends symbol } }
    ? { [K in D]: () => void }
    : {};
";

/// The emitted `.d.ts` with each class's `[Symbol.dispose](): void;` replaced by an interface
/// merged into the class ([`MAYBE_DISPOSABLE`]), so that the types compile under `tsc`'s
/// defaults, whatever the TypeScript version and `lib`.
///
/// # Errors
///
/// A message when no class declares the member: wasm-bindgen's output changed, and this needs
/// a look.
pub fn lib_free_types(dts: &str) -> Result<String, String> {
    let mut out = String::with_capacity(dts.len() + MAYBE_DISPOSABLE.len());
    let mut class: Option<&str> = None;
    let mut classes = Vec::new();
    for line in dts.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("export class ") {
            class = rest.split([' ', '{', '<']).next();
        }
        if line == DISPOSE {
            classes.push(class.ok_or("`[Symbol.dispose]` outside a class")?);
        } else {
            out.push_str(line);
        }
    }
    if classes.is_empty() {
        return Err(
            "no class declares `[Symbol.dispose](): void;`: wasm-bindgen's output changed \
             (see lib_free_types in xtask/src/wasm.rs)"
                .to_owned(),
        );
    }
    out.push_str(MAYBE_DISPOSABLE);
    for class in classes {
        let _ = writeln!(
            out,
            "\nexport interface {class} extends MaybeDisposable {{}}"
        );
    }
    Ok(out)
}

/// A packed npm package.
#[derive(Debug)]
pub struct Packed {
    /// The `.tgz` file.
    pub tarball: PathBuf,
    /// The name npm read from `package.json`.
    pub name: String,
    /// The version npm read from `package.json`.
    pub version: String,
    /// The paths it holds, sorted.
    pub files: Vec<String>,
    /// Its size in bytes.
    pub size: u64,
}

/// `npm pack` of the package [`package`] assembled (`pkg/node/`) into `dest`.
///
/// # Errors
///
/// A message when npm fails or prints something else than its JSON report.
pub fn pack(dest: &Path) -> Result<Packed, String> {
    node()?;
    let (json, _) = Cmd::new("npm")
        .args(["pack", "--json", "--pack-destination"])
        .arg(dest)
        .dir(pkg_dir("node"))
        .run_captured()?;
    let mut packed = packed_from(&json)?;
    packed.tarball = dest.join(&packed.tarball);
    Ok(packed)
}

fn packed_from(json: &str) -> Result<Packed, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("npm pack printed no JSON: {e}\n{json}"))?;
    let report = &value[0];
    let text = |name: &str| {
        report[name]
            .as_str()
            .map(str::to_owned)
            .ok_or(format!("npm pack's report has no {name}:\n{json}"))
    };
    let mut files: Vec<String> = report["files"]
        .as_array()
        .ok_or(format!("npm pack's report has no files:\n{json}"))?
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_owned))
        .collect();
    files.sort();
    Ok(Packed {
        tarball: PathBuf::from(text("filename")?),
        name: text("name")?,
        version: text("version")?,
        files,
        size: report["size"].as_u64().unwrap_or(0),
    })
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
    crate::tools::ensure(&[crate::tools::CHROMIUM])?;
    Cmd::new("sh").args(["-c", "command -v chromium"]).read()
}

/// Installs Node.js and npm from Debian when they are not on `PATH`.
///
/// # Errors
///
/// A message when apt cannot install them.
pub fn node() -> Result<(), String> {
    crate::tools::ensure(crate::tools::JS)
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

    fn meta() -> Meta {
        Meta {
            version: "1.2.3".to_owned(),
            repository: "https://github.com/imgrepl/imgrepl".to_owned(),
        }
    }

    #[test]
    fn package_json_is_the_npm_package() {
        let text = package_json(&meta());
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["name"], "imgrepl");
        assert_eq!(json["version"], "1.2.3");
        assert_eq!(json["type"], "commonjs");
        assert_eq!(json["main"], "imgrepl.js");
        assert_eq!(
            json["repository"]["url"],
            "git+https://github.com/imgrepl/imgrepl.git"
        );
        assert_eq!(json["repository"]["directory"], "bindings-wasm");
        let files: Vec<&str> = json["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(files, NPM_FILES);
        for (entry, types, module) in [
            (".", "./imgrepl.d.ts", "./imgrepl.js"),
            ("./web", "./web/imgrepl.d.ts", "./web/imgrepl.js"),
            (
                "./web/full",
                "./web/full/imgrepl_full.d.ts",
                "./web/full/imgrepl_full.js",
            ),
        ] {
            let condition = &json["exports"][entry];
            assert_eq!(condition["types"], types, "{entry}");
            assert_eq!(condition["default"], module, "{entry}");
            for path in [types, module] {
                assert!(NPM_FILES.contains(&&path[2..]), "{path} is not shipped");
            }
        }
        // TypeScript takes the first condition that matches: `types` must come before
        // `default`, which serde_json's map (sorted) would not show.
        let types = text.find("\"types\": \"./imgrepl.d.ts\"").unwrap();
        let default = text.find("\"default\": \"./imgrepl.js\"").unwrap();
        assert!(types < default, "{text}");
    }

    #[test]
    fn web_package_json_is_an_es_module_with_types() {
        let json: serde_json::Value =
            serde_json::from_str(&web_package_json("imgrepl_full")).unwrap();
        assert_eq!(json["type"], "module");
        assert_eq!(json["main"], "imgrepl_full.js");
        assert_eq!(json["types"], "imgrepl_full.d.ts");
        assert!(NPM_FILES.contains(&"web/full/package.json"));
        assert!(NPM_FILES.contains(&"web/package.json"));
    }

    #[test]
    fn dispose_is_declared_only_where_the_library_has_it() {
        let dts = "/** A policy. */\nexport class Policy {\n    private constructor();\n    free(): void;\n    [Symbol.dispose](): void;\n    rewrite(image: string): string;\n}\n\nexport function version(): string;\n";
        let out = lib_free_types(dts).unwrap();
        assert!(!out.contains(DISPOSE), "{out}");
        assert!(
            out.contains("export class Policy {\n    private constructor();\n    free(): void;\n    rewrite(image: string): string;\n}\n"),
            "{out}"
        );
        assert!(
            out.ends_with("\nexport interface Policy extends MaybeDisposable {}\n"),
            "{out}"
        );
        assert!(out.contains(
            "typeof globalThis extends { Symbol: { readonly dispose: infer D extends symbol } }"
        ));
        let err = lib_free_types("export function version(): string;\n").unwrap_err();
        assert!(err.contains("wasm-bindgen's output changed"), "{err}");
    }

    #[test]
    fn reads_the_version_and_repository_of_cargo_metadata() {
        let metadata = r#"{"packages": [
            {"name": "imgrepl", "version": "9.9.9", "repository": "x"},
            {"name": "imgrepl-wasm", "version": "1.2.3", "repository": "https://github.com/imgrepl/imgrepl"}
        ]}"#;
        assert_eq!(meta_from(metadata).unwrap(), meta());
        let err = meta_from(
            r#"{"packages": [{"name": "imgrepl-wasm", "version": "1.2.3", "repository": null}]}"#,
        )
        .unwrap_err();
        assert_eq!(err, "imgrepl-wasm has no repository in cargo metadata");
        assert!(meta_from(r#"{"packages": []}"#).is_err());
    }

    #[test]
    fn reads_npm_pack_json() {
        let json = r#"[{"id": "imgrepl@1.2.3", "name": "imgrepl", "version": "1.2.3", "size": 4096,
            "filename": "imgrepl-1.2.3.tgz",
            "files": [{"path": "package.json", "size": 1}, {"path": "imgrepl.js", "size": 2}]}]"#;
        let packed = packed_from(json).unwrap();
        assert_eq!(packed.tarball, PathBuf::from("imgrepl-1.2.3.tgz"));
        assert_eq!(
            (packed.name.as_str(), packed.version.as_str()),
            ("imgrepl", "1.2.3")
        );
        assert_eq!(packed.files, ["imgrepl.js", "package.json"]);
        assert_eq!(packed.size, 4096);
        assert!(packed_from("npm warn something\n").is_err());
    }
}
