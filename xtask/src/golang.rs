//! The Go package over cgo (`go/imgrepl`, module `github.com/imgrepl/imgrepl/go/imgrepl`) and the
//! webhook (`webhook`, its own module, which requires the package with a `replace` to
//! `../go/imgrepl`): the `go` and `package-go` steps of `cargo xtask test`, and `cargo xtask
//! bench-ffi`.
//!
//! The `go` step builds `libimgrepl.a` and runs, in both modules with the Go module proxy off
//! (they use the standard library only): `go vet`, `go test` (package and webhook, with the
//! loopback TLS tests and a short load test), `go test -race`, `go test -tags debug`
//! (every C call preceded by a forced GC), each benchmark once, and the package built against
//! an installed library through pkg-config (`-tags imgrepl_pkgconfig`) and, with a library named
//! in `CGO_LDFLAGS`, `-tags imgrepl_ldflags`. When cargo builds elsewhere than the repository's
//! `target/` (`CARGO_TARGET_DIR`), every `go` command links the library there that way, since
//! the default link names `target/release/libimgrepl.a` (`link_default.go`). Go comes from Debian's
//! `golang-go` (Go 1.19, the oldest version the module supports), installed with apt when
//! missing, with gcc for cgo.
//!
//! The `package-go` step consumes the package as its README (`go/imgrepl/README.md`) tells a
//! user to: the library installed to a prefix with its pkg-config file, a new module in a
//! temporary directory outside the repository that requires the package through a `replace` to
//! this checkout (`go mod edit -replace`, `go mod tidy`, offline), built with `-tags
//! imgrepl_pkgconfig`; it runs the README's example program there and compares its output with
//! the output the README shows.
//!
//! `cargo xtask bench-ffi` measures, in one run and over one corpus
//! (`bindings-c/testdata/bench-*.{json,txt}`): one rewrite through the Rust API, through the C
//! API from C, and through cgo; the batch call per image from C and from Go; and the webhook's
//! p50/p99 latency and requests/s beside the floor server (the same HTTPS server answering
//! without calling imgrepl). Every engine first prints the total length of its results, and
//! the run fails unless they agree.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::capi;
use crate::cmd::{Cmd, root, say};

/// The Go package's module path.
const MODULE: &str = "github.com/imgrepl/imgrepl/go/imgrepl";

/// `go/imgrepl`: the Go package's module.
fn package_dir() -> PathBuf {
    root().join("go").join("imgrepl")
}

/// `webhook`: the server's module, which requires the package with a `replace` to
/// `../go/imgrepl`.
pub fn webhook_dir() -> PathBuf {
    root().join("webhook")
}

/// A `go` command in the module in `dir`, offline, with cgo on.
pub fn go(dir: &Path) -> Cmd {
    Cmd::new("go")
        .dir(dir)
        .env("GOPROXY", "off")
        .env("CGO_ENABLED", "1")
}

/// How the Go package links `libimgrepl.a` in this run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Link {
    /// The build tag that selects the way, when not the default (`link_default.go`, which
    /// links the repository's `target/release/libimgrepl.a`).
    tag: Option<&'static str>,
    /// `CGO_LDFLAGS`, for that tag.
    ldflags: Option<String>,
}

impl Link {
    /// `-tags imgrepl_ldflags` (`link_ldflags.go`), with the library in `lib_dir` and
    /// `native_libs` in `CGO_LDFLAGS`.
    fn ldflags(lib_dir: &Path, native_libs: &str) -> Link {
        let lib = lib_dir.join("libimgrepl.a").display().to_string();
        // CGO_LDFLAGS is split at spaces, with quotes for a path that has one.
        let lib = if lib.contains(char::is_whitespace) {
            format!("'{lib}'")
        } else {
            lib
        };
        Link {
            tag: Some(LDFLAGS_TAG),
            ldflags: Some(format!("{lib} {native_libs}")),
        }
    }

    /// This run's: the default when cargo builds into the repository's `target/`; otherwise
    /// (`CARGO_TARGET_DIR`, `build.target-dir`) the library there through `CGO_LDFLAGS`.
    fn for_this_run() -> Result<Link, String> {
        let lib_dir = capi::lib_dir();
        if lib_dir == root().join("target").join("release") {
            return Ok(Link::default());
        }
        let link = Link::ldflags(&lib_dir, &capi::native_static_libs()?);
        say(format_args!(
            "cargo builds into {} (CARGO_TARGET_DIR or build.target-dir), so the Go package links {} with \
             `-tags {LDFLAGS_TAG}` and CGO_LDFLAGS (see go/imgrepl/link_default.go); by hand: \
             CGO_LDFLAGS={:?} go build -tags {LDFLAGS_TAG}",
            lib_dir.parent().unwrap_or(&lib_dir).display(),
            lib_dir.join("libimgrepl.a").display(),
            link.ldflags.as_deref().unwrap_or_default(),
        ));
        Ok(link)
    }

    /// A `go SUBCOMMAND` in the module in `dir`, offline, with cgo on, linking this way, with
    /// `tags` besides the link's.
    fn go(&self, dir: &Path, subcommand: &str, tags: &[&str]) -> Cmd {
        let mut cmd = go(dir).arg(subcommand);
        if let Some(ldflags) = &self.ldflags {
            cmd = cmd.env("CGO_LDFLAGS", ldflags);
        }
        let tags: Vec<&str> = tags.iter().copied().chain(self.tag).collect();
        if !tags.is_empty() {
            cmd = cmd.args(["-tags", &tags.join(",")]);
        }
        cmd
    }
}

/// The build tag under which the package adds no linker flag and `CGO_LDFLAGS` names the
/// library.
const LDFLAGS_TAG: &str = "imgrepl_ldflags";

/// The `go` step of `cargo xtask test`.
///
/// # Errors
///
/// When Go cannot be installed, the library does not build, or a Go check fails.
pub fn test() -> Result<(), String> {
    crate::tools::ensure(crate::tools::GO_CGO)?;
    say(Cmd::new("go").arg("version").read()?);
    capi::build_lib()?;
    let link = Link::for_this_run()?;
    let (package, webhook) = (package_dir(), webhook_dir());
    for dir in [&package, &webhook] {
        link.go(dir, "vet", &[]).arg("./...").run()?;
    }
    for dir in [&package, &webhook] {
        link.go(dir, "test", &[])
            .args(["-count=1", "./..."])
            .run()?;
    }
    for dir in [&package, &webhook] {
        link.go(dir, "test", &[])
            .args(["-count=1", "-race", "./..."])
            .run()?;
    }
    link.go(&package, "test", &["debug"])
        .args(["-count=1", "."])
        .run()?;
    link.go(&package, "test", &[])
        .args([
            "-count=1",
            "-run",
            "^$",
            "-bench",
            ".",
            "-benchtime",
            "1x",
            ".",
        ])
        .run()?;
    if link == Link::default() {
        // The way for a library built elsewhere (CARGO_TARGET_DIR), here with this one.
        Link::ldflags(&capi::lib_dir(), &capi::native_static_libs()?)
            .go(&package, "test", &[])
            .args(["-count=1", "-run", "RewriteAll", "."])
            .run()?;
    }
    // The package against an installed library, found through pkg-config.
    let prefix = capi::install_scratch("go-prefix")?;
    let lib = prefix.join("lib");
    Link::default()
        .go(&package, "test", &["imgrepl_pkgconfig"])
        .args(["-count=1", "."])
        .env("PKG_CONFIG_PATH", lib.join("pkgconfig"))
        .env("LD_LIBRARY_PATH", &lib)
        .run()
}

/// The marker before the Go README's example program, and the one before its output.
const EXAMPLE_MARKER: &str = "<!-- package-go: main.go -->";
const OUTPUT_MARKER: &str = "<!-- package-go: output -->";

/// The code block that follows `marker` in `readme`.
fn block_after<'a>(readme: &'a str, marker: &str) -> Result<&'a str, String> {
    let after = readme
        .split_once(marker)
        .map(|(_, after)| after.trim_start_matches('\n'))
        .ok_or_else(|| format!("go/imgrepl/README.md has no `{marker}`"))?;
    let body = after
        .starts_with("```")
        .then(|| after.split_once('\n'))
        .flatten()
        .map(|(_, body)| body)
        .ok_or_else(|| format!("no code block follows `{marker}` in go/imgrepl/README.md"))?;
    body.find("```\n")
        .map(|end| &body[..end])
        .ok_or_else(|| format!("the code block after `{marker}` is not closed"))
}

/// The `go` commands a user runs in a new module, as the Go README gives them: the `replace`
/// to the checkout (followed by `MODULE=CHECKOUT/go/imgrepl`), `go mod tidy`, which adds the
/// `require`, then the build with pkg-config.
const USER_COMMANDS: [&str; 3] = [
    "go mod edit -replace",
    "go mod tidy",
    "go run -tags imgrepl_pkgconfig .",
];

/// The `package-go` step of `cargo xtask test` (see the module doc).
///
/// # Errors
///
/// When Go cannot be installed, the library does not build or install, a `go` command fails,
/// or the example's output differs from the README's.
pub fn package() -> Result<(), String> {
    crate::tools::ensure(crate::tools::GO_CGO)?;
    capi::build_lib()?;
    let prefix = capi::install_scratch("go-package")?;
    let readme_path = package_dir().join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .map_err(|e| format!("{}: {e}", readme_path.display()))?;
    let program = block_after(&readme, EXAMPLE_MARKER)?;
    let expected = block_after(&readme, OUTPUT_MARKER)?;
    let dir = std::env::temp_dir().join(format!("imgrepl-go-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let outcome = consume(&dir, &prefix, program, expected);
    match outcome {
        Ok(()) => std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display())),
        Err(e) => Err(format!("{e} (the module is left in {})", dir.display())),
    }
}

/// In `dir`, a new module that requires the package as the README says, builds the example
/// program against the library installed under `prefix`, and checks what it prints.
fn consume(dir: &Path, prefix: &Path, program: &str, expected: &str) -> Result<(), String> {
    let main = dir.join("main.go");
    std::fs::write(&main, program).map_err(|e| format!("{}: {e}", main.display()))?;
    let lib = prefix.join("lib");
    // Offline, with no workspace: the package is the checkout, and it needs no other module.
    let user = |line: &str| {
        let mut words = line.split_whitespace();
        let mut cmd = Cmd::new(words.next().unwrap_or("go"))
            .dir(dir)
            .env("GOPROXY", "off")
            .env("GOWORK", "off")
            .env("CGO_ENABLED", "1")
            .env("PKG_CONFIG_PATH", lib.join("pkgconfig"))
            .env("LD_LIBRARY_PATH", &lib);
        for word in words {
            cmd = cmd.arg(word);
        }
        cmd
    };
    user("go mod init example.com/hello").run()?;
    let [replace, tidy, run] = USER_COMMANDS;
    user(replace)
        .arg(format!("{MODULE}={}", package_dir().display()))
        .run()?;
    user(tidy).run()?;
    let go_mod = std::fs::read_to_string(dir.join("go.mod")).map_err(|e| format!("go.mod: {e}"))?;
    if !go_mod.contains(&format!(
        "require {MODULE} v0.0.0-00010101000000-000000000000"
    )) {
        return Err(format!(
            "`go mod tidy` did not require {MODULE} through the replace:\n{go_mod}"
        ));
    }
    let output = user(run).read()?;
    say(format_args!("the README's example prints:\n{output}"));
    if output.trim_end() != expected.trim_end() {
        return Err(format!(
            "the README's example printed\n{output}\nbut the README shows\n{expected}"
        ));
    }
    // The binary links the installed library, not the checkout's target/.
    let binary = dir.join("hello");
    user("go build -tags imgrepl_pkgconfig -o hello .").run()?;
    let needed = Cmd::new("ldd")
        .arg(&binary)
        .env("LD_LIBRARY_PATH", &lib)
        .read()?;
    if !needed.contains(&lib.join("libimgrepl.so").display().to_string()) {
        return Err(format!(
            "the example does not load libimgrepl.so from {}:\n{needed}",
            lib.display()
        ));
    }
    Ok(())
}

/// One measured figure: what, nanoseconds per image.
struct Figure {
    name: String,
    ns: f64,
}

/// Reads `check N` and `name ns` lines.
fn parse_lines(
    text: &str,
    check: &mut Vec<(String, u64)>,
    figures: &mut Vec<Figure>,
    engine: &str,
) {
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("check"), Some(n)) => {
                if let Ok(n) = n.parse() {
                    check.push((engine.to_owned(), n));
                }
            }
            (Some(name), Some(ns)) if name.contains('/') => {
                if let Ok(ns) = ns.parse() {
                    figures.push(Figure {
                        name: name.to_owned(),
                        ns,
                    });
                }
            }
            _ => {}
        }
    }
}

/// Reads `go test -bench` lines: `BenchmarkRewrite-2  N  T ns/op  C check  X ns/image …`.
fn parse_go_bench(text: &str, check: &mut Vec<(String, u64)>, figures: &mut Vec<Figure>) {
    for line in text.lines().filter(|l| l.starts_with("Benchmark")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let name = words[0].split('-').next().unwrap_or(words[0]);
        let value = |unit: &str| {
            words
                .windows(2)
                .find(|w| w[1] == unit)
                .and_then(|w| w[0].parse::<f64>().ok())
        };
        if let Some(ns) = value("ns/image") {
            figures.push(Figure {
                name: format!("go/{}", name.trim_start_matches("Benchmark")),
                ns,
            });
        }
        if let Some(c) = value("check") {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a byte count printed as a float metric"
            )]
            check.push(("go".to_owned(), c as u64));
        }
    }
}

/// `cargo xtask bench-ffi [--requests N]`.
///
/// # Errors
///
/// When a tool is missing, a program fails, or the engines disagree on the answers.
pub fn bench(args: &[String]) -> Result<(), String> {
    let requests = match args {
        [] => 4000,
        [flag, n] if flag == "--requests" => n
            .parse::<u32>()
            .map_err(|_| format!("--requests: `{n}` is not a count"))?,
        _ => return Err("usage: cargo xtask bench-ffi [--requests N]".to_owned()),
    };
    crate::tools::ensure(crate::tools::GO_CGO)?;
    capi::build_lib()?;
    let link = Link::for_this_run()?;
    let (mut check, mut figures) = (Vec::new(), Vec::new());
    let rust = Cmd::cargo()
        .args([
            "run",
            "--release",
            "--package",
            "imgrepl-c",
            "--example",
            "bench_rust",
        ])
        .read()?;
    parse_lines(&rust, &mut check, &mut figures, "rust");
    let data = root().join("bindings-c").join("testdata");
    let c_bench = capi::compile_bench()?;
    let c = Cmd::new(&c_bench)
        .arg(data.join("bench-policy.json"))
        .arg(data.join("bench-images.txt"))
        .read()?;
    parse_lines(&c, &mut check, &mut figures, "c");
    let go_out = link
        .go(&package_dir(), "test", &[])
        .args([
            "-count=1",
            "-run",
            "^$",
            "-bench",
            ".",
            "-benchtime",
            "2s",
            "-benchmem",
            ".",
        ])
        .read()?;
    parse_go_bench(&go_out, &mut check, &mut figures);
    let engines = ["rust", "c", "go"];
    let all_ran = engines
        .iter()
        .all(|e| check.iter().any(|(name, _)| name == e));
    if !all_ran || check.iter().any(|(_, n)| *n != check[0].1) {
        return Err(format!("the engines disagree on the results: {check:?}"));
    }
    say(format_args!(
        "every engine gives the same results ({} bytes over the corpus)",
        check[0].1
    ));
    let base = figures
        .iter()
        .find(|f| f.name == "rust/rewrite_into")
        .map_or(1.0, |f| f.ns);
    println!("\n| path | ns per image | × Rust rewrite_into |\n|---|---:|---:|");
    for f in &figures {
        println!("| `{}` | {:.1} | {:.2} |", f.name, f.ns, f.ns / base);
    }
    let load = link
        .go(&webhook_dir(), "test", &[])
        .args(["-count=1", "-run", "^TestLoad$", "-v", "."])
        .env("IMGREPL_LOAD_REQUESTS", requests.to_string())
        .env("IMGREPL_LOAD_RUNS", "3")
        .read()?;
    println!("\n{}", load_table(&load));
    Ok(())
}

/// The table of `TestLoad`'s `load run=N server=NAME … p99_ratio=R rps_ratio=R` lines: each
/// run's webhook (with its policy cache and without) beside the floor of the same run.
fn load_table(output: &str) -> String {
    let mut table = String::from(
        "| webhook (loopback HTTPS, concurrency 8) | p50 µs | p99 µs | requests/s | p99 ÷ floor | requests/s ÷ floor |\n|---|---:|---:|---:|---:|---:|",
    );
    for line in output.lines().filter(|l| l.starts_with("load ")) {
        let field = |key: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .unwrap_or("?")
        };
        let _ = write!(
            table,
            "\n| run {}, {} ({} requests) | {} | {} | {} | {} | {} |",
            field("run="),
            field("server="),
            field("requests="),
            field("p50_us="),
            field("p99_us="),
            field("rps="),
            field("p99_ratio="),
            field("rps_ratio=")
        );
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_lines_are_tabled() {
        let out = "=== RUN TestLoad\nload run=2 server=imgrepl requests=4000 concurrency=8 p50_us=194 p99_us=4871 rps=21605 p99_ratio=0.870 rps_ratio=0.957\n--- PASS\n";
        assert_eq!(
            load_table(out).lines().nth(2),
            Some("| run 2, imgrepl (4000 requests) | 194 | 4871 | 21605 | 0.870 | 0.957 |")
        );
    }

    #[test]
    fn go_bench_lines_are_read() {
        let out = "goos: linux\nBenchmarkRewrite-2   \t  27139\t 8897 ns/op\t 732.0 check\t 556.0 ns/image\t 1248 B/op\nPASS\n";
        let (mut check, mut figures) = (Vec::new(), Vec::new());
        parse_go_bench(out, &mut check, &mut figures);
        assert_eq!(check, [("go".to_owned(), 732)]);
        assert_eq!(figures.len(), 1);
        assert_eq!(figures[0].name, "go/Rewrite");
        assert!((figures[0].ns - 556.0).abs() < 1e-9);
    }

    #[test]
    fn a_library_elsewhere_is_linked_through_cgo_ldflags() {
        let link = Link::ldflags(Path::new("/t/x/release"), "-lm -lc");
        assert_eq!(link.tag, Some("imgrepl_ldflags"));
        assert_eq!(
            link.ldflags.as_deref(),
            Some("/t/x/release/libimgrepl.a -lm -lc")
        );
        let cmd = link
            .go(Path::new("go/imgrepl"), "test", &["debug"])
            .arg(".")
            .to_string();
        assert!(
            cmd.ends_with("CGO_LDFLAGS='/t/x/release/libimgrepl.a -lm -lc' go test -tags debug,imgrepl_ldflags ."),
            "{cmd}"
        );
        let spaced = Link::ldflags(Path::new("/t/a b/release"), "-lm");
        assert_eq!(
            spaced.ldflags.as_deref(),
            Some("'/t/a b/release/libimgrepl.a' -lm")
        );
        // The default link adds nothing.
        assert_eq!(
            Link::default()
                .go(Path::new("webhook"), "vet", &[])
                .arg("./...")
                .to_string(),
            "GOPROXY=off CGO_ENABLED=1 go vet ./..."
        );
    }

    #[test]
    fn the_go_readme_has_the_example_and_the_commands_the_step_runs() {
        let readme = std::fs::read_to_string(package_dir().join("README.md")).unwrap();
        let program = block_after(&readme, EXAMPLE_MARKER).unwrap();
        assert!(program.starts_with("package main\n"), "{program}");
        assert!(program.contains(&format!("\t\"{MODULE}\"\n")), "{program}");
        let output = block_after(&readme, OUTPUT_MARKER).unwrap();
        assert_eq!(
            output.lines().next(),
            Some("mirror.local/org1/team/app:1.0 0")
        );
        let replace = format!("{} {MODULE}=", USER_COMMANDS[0]);
        for command in [replace.as_str(), USER_COMMANDS[1], USER_COMMANDS[2]] {
            assert!(
                readme.contains(command),
                "the README does not say `{command}`"
            );
        }
        assert!(block_after("no marker", EXAMPLE_MARKER).is_err());
        assert!(block_after("<!-- package-go: main.go -->\ntext\n", EXAMPLE_MARKER).is_err());
        assert!(block_after("<!-- package-go: main.go -->\n```go\nx\n", EXAMPLE_MARKER).is_err());
        assert_eq!(
            block_after(
                "<!-- package-go: main.go -->\n```go\nx\n```\n",
                EXAMPLE_MARKER
            ),
            Ok("x\n")
        );
    }

    #[test]
    fn program_lines_are_read() {
        let (mut check, mut figures) = (Vec::new(), Vec::new());
        parse_lines(
            "check 10\nrust/rewrite 12.5\nnoise\n",
            &mut check,
            &mut figures,
            "rust",
        );
        assert_eq!(check, [("rust".to_owned(), 10)]);
        assert_eq!(figures[0].name, "rust/rewrite");
    }
}
