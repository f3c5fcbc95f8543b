//! `package-npm`: the npm package as a new user meets it, outside the repository and offline.
//!
//! 1. builds the package ([`wasm::package`]) and installs the pinned TypeScript compilers
//!    (`bindings-wasm/package-lock.json`: TypeScript 7 and 5, whose defaults differ);
//! 2. checks that every JavaScript or TypeScript block of the package's README
//!    (`bindings-wasm/README.md`, its npm page) is, word for word, a file of
//!    `bindings-wasm/examples/`, that every file there is in the README, and that the README
//!    shows what each example prints ([`RUNS`]);
//! 3. `npm pack`s it into a temporary directory: the tarball is `imgrepl-VERSION.tgz`, VERSION
//!    the workspace's, and holds exactly [`wasm::NPM_FILES`] and `package.json`;
//! 4. in an empty project beside it (`npm init -y`), `npm install --offline ./imgrepl-….tgz`;
//!    then runs the README's examples with Node: `require`, `import`, and
//!    the browser's module (`imgrepl/web`, its `.wasm` fetched from the installed files), and
//!    compares what they print with [`RUNS`]; checks that `package.json`'s version is what
//!    `version()` returns;
//! 5. type-checks the README's TypeScript example and the browser modules' types with each
//!    compiler's default settings (`tsc --noEmit FILE…`, no tsconfig), and again as ES modules
//!    under `--module nodenext` (which reads the `exports` map); checks that a wrong type is
//!    reported (so the types are read, not `any`), and that `using` type-checks where the
//!    library has `Symbol.dispose`.
//!
//! The temporary directory is removed when the step passes and kept, and named, when it fails.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{Cmd, root, say};
use crate::wasm;

/// The package's README: its npm page.
const README: &str = "bindings-wasm/README.md";

/// The examples the README shows.
const EXAMPLES: &str = "bindings-wasm/examples";

/// The languages of the code blocks that must be tested examples.
const CODE_LANGS: &[&str] = &[
    "js",
    "javascript",
    "mjs",
    "cjs",
    "jsx",
    "ts",
    "typescript",
    "tsx",
];

/// The examples run with Node, and what each prints (as the README shows it).
pub const RUNS: &[(&str, &str)] = &[
    ("quickstart.cjs", "mirror.example.com/hub/nginx:1.27\n"),
    (
        "quickstart.mjs",
        concat!(
            "missing-field {\"repositoryPrefix\": \"harbor.domain\", \"replacewith\": \"m.io\"}: rule 0 has no \"replaceWith\"\n",
            "unknown-field \"replacewith\": rule 0 has an unknown field \"replacewith\"; did you mean \"replaceWith\"?\n",
            "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest\n",
            "swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:22.04 0 ok\n",
            "Bad:image null uppercase\n",
            "uppercase 5\n",
        ),
    ),
    (
        "browser.mjs",
        concat!(
            "mirror.example.com/hub/nginx:1.27\n",
            "apiVersion: v1\n",
            "kind: Pod\n",
            "metadata:\n",
            "  name: web\n",
            "spec:\n",
            "  containers:\n",
            "    - name: app\n",
            "      image: mirror.example.com/hub/nginx:1.27 # the mirror's\n",
            "\n",
        ),
    ),
];

/// The README's TypeScript example, type-checked.
const TS_EXAMPLE: &str = "quickstart.ts";

/// Node has no `fetch` of `file:` URLs; a browser fetches the `.wasm` beside the module over
/// HTTP. This answers the same bytes, so the browser example runs as written.
const FILE_FETCH: &str = r#"// Loaded with `node --import`: fetch() of a file: URL answers the file, as a server would.
import { readFile } from "node:fs/promises";

const fetchOverHttp = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.protocol !== "file:") return fetchOverHttp(input, init);
  return new Response(await readFile(url), { headers: { "content-type": "application/wasm" } });
};
"#;

/// The browser modules' types, as a program that uses both (ES5 library: no `async`).
const WEB_TS: &str = r#"import init, { validatePolicy, type Validation } from "imgrepl/web";
import initFull, { rewriteWorkload, type WorkloadResult } from "imgrepl/web/full";

export function check(): Promise<boolean> {
  return init()
    .then(() => initFull())
    .then(() => {
      const valid: Validation = validatePolicy("[]");
      const result: WorkloadResult = rewriteWorkload("", { burst: ["enforce"], checkPulls: false });
      return valid.ok && result.documents.length === 0;
    });
}
"#;

/// A type error the compiler must report: the types are read, and are not `any`.
const WRONG_TS: &str = r#"import { Policy } from "imgrepl";

export const image: number = Policy.parse("[]").rewrite("nginx").image;
"#;

/// `using` where the library declares `Symbol.dispose`.
const DISPOSE_TS: &str = r#"import { Policy } from "imgrepl";

export function rewrite(image: string): string {
  using policy = Policy.parse(`[{"repositoryPrefix": "", "replaceWith": "m.io"}]`);
  return policy.rewrite(image).image;
}
"#;

/// `cargo xtask test package-npm`.
///
/// # Errors
///
/// A message saying what a user would have met: a file missing from the tarball, an example
/// that fails or prints something else, a type error.
pub fn test() -> Result<(), String> {
    let meta = wasm::meta()?;
    wasm::package()?;
    wasm::npm_ci()?;
    let readme = read(&root().join(README))?;
    let examples = examples()?;
    check_readme(&readme, &examples)?;
    check_versions(README, &readme, &meta.version)?;
    check_versions(
        "README.md",
        &read(&root().join("README.md"))?,
        &meta.version,
    )?;

    let dir = std::env::temp_dir().join(format!("imgrepl-npm-{}", std::process::id()));
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let project = dir.join("project");
    fs::create_dir_all(&project).map_err(|e| format!("{}: {e}", project.display()))?;
    match as_a_user(&dir, &project, &meta, &examples) {
        Ok(()) => fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display())),
        Err(e) => Err(format!("{e}\n(the project is kept in {})", dir.display())),
    }
}

fn as_a_user(
    dir: &Path,
    project: &Path,
    meta: &wasm::Meta,
    examples: &[(String, String)],
) -> Result<(), String> {
    let packed = wasm::pack(dir)?;
    check_packed(&packed, meta)?;
    say(format_args!(
        "{}: {} files, {} bytes",
        packed.tarball.display(),
        packed.files.len(),
        packed.size
    ));

    Cmd::new("npm")
        .args(["init", "-y"])
        .dir(project)
        .run_captured()?;
    Cmd::new("npm")
        .args(["install", "--offline", "--no-audit", "--no-fund"])
        .arg(&packed.tarball)
        .dir(project)
        .run()?;
    for (name, text) in examples {
        write(&project.join(name), text)?;
    }
    write(&project.join("file-fetch.mjs"), FILE_FETCH)?;

    for (name, expected) in RUNS {
        let mut node = Cmd::new("node");
        if name.starts_with("browser") {
            node = node.args(["--import", "./file-fetch.mjs"]);
        }
        let (out, _) = node.arg(name).dir(project).run_captured()?;
        if out != *expected {
            return Err(format!("{name} printed\n{out}\ninstead of\n{expected}"));
        }
    }
    let (out, _) = Cmd::new("node")
        .args([
            "-e",
            r#"console.log(require("imgrepl/package.json").version, require("imgrepl").version())"#,
        ])
        .dir(project)
        .run_captured()?;
    let want = format!("{0} {0}\n", meta.version);
    if out != want {
        return Err(format!(
            "package.json's version and version() differ from the workspace's {}: {out}",
            meta.version
        ));
    }

    type_check(project)
}

/// Every file of `bindings-wasm/examples/`, sorted: (name, text).
fn examples() -> Result<Vec<(String, String)>, String> {
    let dir = root().join(EXAMPLES);
    let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| format!("{EXAMPLES}: {} is not UTF-8", n.display()))?;
        files.push((name, read(&entry.path())?));
    }
    files.sort();
    Ok(files)
}

/// The fenced code blocks of a Markdown text, at the start of a line: (language, body).
fn code_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in markdown.split_inclusive('\n') {
        let fence = line.trim_end().starts_with("```");
        match (&mut open, fence) {
            (None, true) => {
                let lang = line.trim_end()[3..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                open = Some((lang, String::new()));
            }
            (Some(_), true) => blocks.extend(open.take()),
            (Some((_, body)), false) => body.push_str(line),
            (None, false) => {}
        }
    }
    blocks
}

/// Every JavaScript or TypeScript block of the README is an example file, every example file
/// is in the README, and the README shows what each run example prints.
fn check_readme(readme: &str, examples: &[(String, String)]) -> Result<(), String> {
    let blocks = code_blocks(readme);
    let mut shown = Vec::new();
    for (lang, body) in &blocks {
        if !CODE_LANGS.contains(&lang.as_str()) {
            continue;
        }
        let Some((name, _)) = examples.iter().find(|(_, text)| text == body) else {
            return Err(format!(
                "{README} has a ```{lang} block that is no file of {EXAMPLES} (each must be one, \
                 word for word, so that it is tested):\n{body}"
            ));
        };
        shown.push(name.as_str());
    }
    for (name, _) in examples {
        if !shown.contains(&name.as_str()) {
            return Err(format!("{README} does not show {EXAMPLES}/{name}"));
        }
        let tested = name == TS_EXAMPLE || RUNS.iter().any(|(run, _)| run == name);
        if !tested {
            return Err(format!(
                "{EXAMPLES}/{name} is neither run nor type-checked by package-npm"
            ));
        }
    }
    let tested = RUNS.iter().map(|(name, _)| *name).chain([TS_EXAMPLE]);
    for name in tested {
        if !examples.iter().any(|(file, _)| file == name) {
            return Err(format!(
                "package-npm tests {name}, which is no file of {EXAMPLES}"
            ));
        }
    }
    for (name, output) in RUNS {
        let printed = format!("{}\n", output.trim_end());
        if !blocks
            .iter()
            .any(|(lang, body)| lang == "text" && *body == printed)
        {
            return Err(format!(
                "{README} does not show what {name} prints, in a ```text block:\n{printed}"
            ));
        }
    }
    Ok(())
}

/// Every tarball a README names (`imgrepl-X.Y.Z.tgz`) is the one the build makes, and it names
/// one.
fn check_versions(path: &str, readme: &str, version: &str) -> Result<(), String> {
    let want = format!("{}-{version}.tgz", wasm::NPM_NAME);
    let prefix = format!("{}-", wasm::NPM_NAME);
    let mut named = 0;
    for (at, _) in readme.match_indices(&prefix) {
        let rest = &readme[at + prefix.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        if let Some(v) = word.strip_suffix(".tgz")
            && v.starts_with(|c: char| c.is_ascii_digit())
        {
            named += 1;
            if format!("{prefix}{word}") != want {
                return Err(format!(
                    "{path} names {prefix}{word}; the build makes {want}"
                ));
            }
        }
    }
    if named == 0 {
        return Err(format!("{path} does not say how to install {want}"));
    }
    Ok(())
}

fn check_packed(packed: &wasm::Packed, meta: &wasm::Meta) -> Result<(), String> {
    if packed.name != wasm::NPM_NAME || packed.version != meta.version {
        return Err(format!(
            "npm packed {}@{}, not {}@{} (the workspace's version)",
            packed.name,
            packed.version,
            wasm::NPM_NAME,
            meta.version
        ));
    }
    let file_name = format!("{}-{}.tgz", wasm::NPM_NAME, meta.version);
    if packed.tarball.file_name().and_then(|n| n.to_str()) != Some(file_name.as_str()) {
        return Err(format!(
            "npm pack wrote {}, not {file_name}",
            packed.tarball.display()
        ));
    }
    let mut want: Vec<&str> = wasm::NPM_FILES.to_vec();
    want.push("package.json");
    want.sort_unstable();
    if packed.files != want {
        return Err(format!(
            "the tarball holds\n  {}\ninstead of\n  {}",
            packed.files.join("\n  "),
            want.join("\n  ")
        ));
    }
    Ok(())
}

/// The TypeScript compilers of `bindings-wasm/node_modules` (pinned by its lockfile): TypeScript
/// 7 (default target and library ES2025-ish, `module` preserved, bundler resolution) and 5
/// (default target ES5 and its library, `module: commonjs`, `node10` resolution).
fn compilers() -> Vec<PathBuf> {
    ["typescript", "typescript-5"]
        .iter()
        .map(|p| {
            root()
                .join("bindings-wasm/node_modules")
                .join(p)
                .join("bin/tsc")
        })
        .collect()
}

fn type_check(project: &Path) -> Result<(), String> {
    write(&project.join("web.ts"), WEB_TS)?;
    write(&project.join("wrong.ts"), WRONG_TS)?;
    let example = project.join(TS_EXAMPLE);
    fs::copy(&example, project.join("quickstart.mts"))
        .map_err(|e| format!("{}: {e}", example.display()))?;
    write(&project.join("web.mts"), WEB_TS)?;
    write(&project.join("dispose.mts"), DISPOSE_TS)?;
    for tsc in compilers() {
        let version = Cmd::new(&tsc).arg("--version").dir(project).read()?;
        say(format_args!("{version}: default settings"));
        Cmd::new(&tsc)
            .args(["--noEmit", TS_EXAMPLE, "web.ts"])
            .dir(project)
            .run()?;
        say(format_args!("{version}: ES modules, --module nodenext"));
        Cmd::new(&tsc)
            .args([
                "--noEmit",
                "--module",
                "nodenext",
                "quickstart.mts",
                "web.mts",
            ])
            .dir(project)
            .run()?;
        say(format_args!("{version}: `using` with --lib esnext"));
        Cmd::new(&tsc)
            .args(["--noEmit", "--module", "nodenext", "--target", "esnext"])
            .args(["--lib", "esnext", "dispose.mts"])
            .dir(project)
            .run()?;
        let report = fails(&tsc, project, &["--noEmit", "wrong.ts"])?;
        if !(report.contains("wrong.ts(3,14)") && report.contains("TS2322")) {
            return Err(format!(
                "{version} did not report wrong.ts's type error (TS2322 at 3,14):\n{report}"
            ));
        }
    }
    Ok(())
}

/// Runs a compiler that must fail; returns what it printed.
fn fails(tsc: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    say(format_args!(
        "$ {} {} (must fail)",
        tsc.display(),
        args.join(" ")
    ));
    let output = Command::new(tsc)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("{} could not be started: {e}", tsc.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        return Err(format!(
            "{} {} succeeded: {text}",
            tsc.display(),
            args.join(" ")
        ));
    }
    Ok(text)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_names_the_tarball_of_the_version() {
        let md = "cargo xtask wasm --pack # target/npm/imgrepl-0.1.0.tgz\nnpm install ./imgrepl-0.1.0.tgz\n";
        check_versions(README, md, "0.1.0").unwrap();
        assert_eq!(
            check_versions(README, md, "0.2.0").unwrap_err(),
            "bindings-wasm/README.md names imgrepl-0.1.0.tgz; the build makes imgrepl-0.2.0.tgz"
        );
        assert_eq!(
            check_versions("README.md", "imgrepl-wasm and imgrepl-x.tgz", "0.1.0").unwrap_err(),
            "README.md does not say how to install imgrepl-0.1.0.tgz"
        );
    }

    #[test]
    fn code_blocks_with_their_languages() {
        let md = "# T\n\n```sh\nnpm i\n```\n\ntext\n```JS title\nconst a = 1;\n\nf(a);\n```\n```\nplain\n```\n";
        assert_eq!(
            code_blocks(md),
            [
                ("sh".to_owned(), "npm i\n".to_owned()),
                ("js".to_owned(), "const a = 1;\n\nf(a);\n".to_owned()),
                (String::new(), "plain\n".to_owned()),
            ]
        );
    }

    fn files() -> Vec<(String, String)> {
        vec![
            ("quickstart.cjs".to_owned(), "require(1);\n".to_owned()),
            ("quickstart.ts".to_owned(), "let a: number;\n".to_owned()),
        ]
    }

    /// A README showing `blocks`, and every output of [`RUNS`].
    fn readme(blocks: &[(&str, &str)]) -> String {
        use std::fmt::Write as _;
        let mut md = String::from("# imgrepl\n");
        for (lang, body) in blocks {
            let _ = write!(md, "\n```{lang}\n{body}```\n");
        }
        for (_, out) in RUNS {
            let _ = write!(md, "\n```text\n{}\n```\n", out.trim_end());
        }
        md
    }

    #[test]
    fn the_readme_must_show_the_examples_and_only_them() {
        let both = [("js", "require(1);\n"), ("ts", "let a: number;\n")];
        let err = check_readme(&readme(&both), &files()).unwrap_err();
        assert!(err.contains("quickstart.mjs"), "{err}");
        let mut all = files();
        for (name, _) in RUNS.iter().skip(1) {
            all.push(((*name).to_owned(), format!("// {name}\n")));
        }
        let blocks: Vec<(&str, String)> = RUNS
            .iter()
            .skip(1)
            .map(|(name, _)| ("js", format!("// {name}\n")))
            .collect();
        let mut shown: Vec<(&str, &str)> = both.to_vec();
        shown.extend(blocks.iter().map(|(l, b)| (*l, b.as_str())));
        check_readme(&readme(&shown), &all).unwrap();

        // A block that is no file.
        let mut edited = shown.clone();
        edited[0] = ("js", "require(2);\n");
        let err = check_readme(&readme(&edited), &all).unwrap_err();
        assert!(
            err.contains("is no file of bindings-wasm/examples"),
            "{err}"
        );
        // A file the README leaves out.
        let err = check_readme(&readme(&shown[1..]), &all).unwrap_err();
        assert_eq!(
            err,
            "bindings-wasm/README.md does not show bindings-wasm/examples/quickstart.cjs"
        );
        // An output the README does not show.
        let mut md = readme(&shown);
        md = md.replacen("```text\nmirror.example.com/hub/nginx:1.27\n```", "", 1);
        let err = check_readme(&md, &all).unwrap_err();
        assert!(
            err.contains("does not show what quickstart.cjs prints"),
            "{err}"
        );
        // A block in another language is not an example.
        let mut other = shown.clone();
        other.push(("sh", "npm install ./imgrepl-0.1.0.tgz\n"));
        check_readme(&readme(&other), &all).unwrap();
    }
}
