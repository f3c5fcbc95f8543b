//! The C library: `cargo xtask gen` (the header), `cargo xtask install-c --prefix DIR`, and
//! the `c` step of `cargo xtask test` (the C matrix).
//!
//! The `c` step builds `libimgrepl` (release: static and shared) and then, for every program
//! in `bindings-c/ctests/`:
//!
//! | build | compiler | run |
//! |---|---|---|
//! | against `libimgrepl.a` | `cc -std=c11 -Wall -Wextra -Werror` | `prove` under `valgrind --leak-check=full --errors-for-leak-kinds=all --error-exitcode=1` |
//! | against `libimgrepl.so` | the same | the same |
//! | against `libimgrepl.a` with `-fsanitize=address,undefined` | `clang` | `prove` (never under valgrind) |
//!
//! It also checks that every symbol the shared library exports starts with `imgrepl_` and is
//! declared in the header (and the reverse), installs into a scratch prefix and builds the
//! README example with `pkg-config`, and runs the Rust ABI tests with the test-only panic
//! export. gcc, clang, valgrind, prove and pkg-config are installed with apt when missing.

use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, root, say, target_dir};

/// The C test programs, in `bindings-c/ctests/`; all print TAP except `example`.
const TAP_PROGRAMS: &[&str] = &[
    "test_api",
    "test_toolkit",
    "test_threads",
    "test_admission",
    "conventions",
];

/// The README's C example (`bindings-c/ctests/example.c`), whose output is checked against
/// `example.out`.
const EXAMPLE: &str = "example";

/// Warnings are errors for every C build.
const CFLAGS: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-O1"];

/// Something a step needs, how to tell it is there, and the Debian packages that provide it.
pub struct Tool {
    /// What it is, for messages (`clang`, `the ASAN runtime`).
    pub name: &'static str,
    /// A command that succeeds quietly when it is installed.
    pub probe: &'static [&'static str],
    /// The Debian packages to install when it is not.
    pub packages: &'static [&'static str],
}

/// The tools of the C matrix. Packages that are only "recommended" by another (the C library
/// headers by gcc, the sanitizer runtimes by clang) are named, since apt installs without
/// recommendations here.
pub const C_TOOLS: &[Tool] = &[
    Tool {
        name: "cc",
        probe: &["cc", "--version"],
        packages: &["gcc", "libc6-dev"],
    },
    Tool {
        name: "clang",
        probe: &["clang", "--version"],
        packages: &["clang"],
    },
    Tool {
        name: "the ASAN runtime of clang",
        probe: &[
            "sh",
            "-c",
            "test -f \"$(clang -print-file-name=libclang_rt.asan-x86_64.a)\"",
        ],
        packages: &["libclang-rt-dev"],
    },
    Tool {
        name: "valgrind",
        probe: &["valgrind", "--version"],
        packages: &["valgrind"],
    },
    Tool {
        name: "prove",
        probe: &["prove", "--version"],
        packages: &["perl"],
    },
    Tool {
        name: "pkg-config",
        probe: &["pkg-config", "--version"],
        packages: &["pkg-config"],
    },
    Tool {
        name: "nm",
        probe: &["nm", "--version"],
        packages: &["binutils"],
    },
];

/// Whether `tool` is installed.
fn present(tool: &Tool) -> bool {
    tool.probe
        .split_first()
        .is_some_and(|(program, args)| Cmd::new(program).args(args).probe())
}

/// Installs, with apt, the packages of the tools that are missing (in order, so a tool whose
/// probe needs an earlier one is checked after it is installed).
///
/// # Errors
///
/// When apt fails or a tool is still missing afterwards.
pub fn ensure_tools(tools: &[Tool]) -> Result<(), String> {
    let missing: Vec<&Tool> = tools.iter().filter(|t| !present(t)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut packages: Vec<&str> = missing
        .iter()
        .flat_map(|t| t.packages.iter().copied())
        .collect();
    packages.sort_unstable();
    packages.dedup();
    say(format_args!(
        "missing: {}; installing {} with apt",
        missing
            .iter()
            .map(|t| t.name)
            .collect::<Vec<_>>()
            .join(", "),
        packages.join(" ")
    ));
    Cmd::new("apt-get").args(["update", "-q"]).run()?;
    Cmd::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
        .map_err(|e| format!("{e}\ninstall {} by hand", packages.join(" ")))?;
    // Probed again, all of them: a package may have been needed by a probe that ran too early.
    if let Some(t) = tools.iter().find(|t| !present(t)) {
        return Err(format!(
            "{} is still missing after installing {}",
            t.name,
            t.packages.join(" ")
        ));
    }
    Ok(())
}

/// `bindings-c/`.
fn crate_dir() -> PathBuf {
    root().join("bindings-c")
}

/// Where the release library is built.
pub fn lib_dir() -> PathBuf {
    target_dir().join("release")
}

/// Scratch space of this module.
fn scratch() -> PathBuf {
    target_dir().join("xtask").join("c")
}

/// Builds `libimgrepl.a` and `libimgrepl.so` (release profile: LTO, `panic = "unwind"`).
///
/// # Errors
///
/// When cargo fails.
pub fn build_lib() -> Result<(), String> {
    Cmd::cargo()
        .args(["build", "--release", "--package", "imgrepl-c", "--lib"])
        .run()
}

/// The libraries a program linking `libimgrepl.a` needs besides it, as rustc prints them
/// (`--print native-static-libs`). The library depends on no native library of its own, so
/// these are the standard library's; they are read from an empty static library, which takes a
/// second, rather than from a rebuild of the real one.
///
/// # Errors
///
/// When rustc fails or prints nothing.
pub fn native_static_libs() -> Result<String, String> {
    let dir = scratch();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let src = dir.join("empty.rs");
    std::fs::write(&src, "//! empty\n").map_err(|e| format!("{}: {e}", src.display()))?;
    let out = dir.join("native-static-libs.txt");
    Cmd::new("rustc")
        .args([
            "--crate-type",
            "staticlib",
            "--crate-name",
            "empty",
            "--edition",
            "2024",
        ])
        .arg(format!("--print=native-static-libs={}", out.display()))
        .arg("-o")
        .arg(dir.join("libempty.a"))
        .arg(&src)
        .read()?;
    let libs = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let libs = libs.trim().to_owned();
    if libs.is_empty() {
        return Err("rustc printed no native-static-libs".to_owned());
    }
    Ok(libs)
}

/// The library's version, from Cargo.
fn version() -> Result<String, String> {
    let id = Cmd::cargo()
        .args(["pkgid", "--package", "imgrepl-c"])
        .read()?;
    id.rsplit(['@', '#'])
        .next()
        .map(str::to_owned)
        .ok_or_else(|| format!("cannot read a version in `{id}`"))
}

/// `cargo xtask gen`: regenerates the checked-in header (through `tests/header.rs`).
///
/// # Errors
///
/// When the generation fails.
pub fn generate(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(format!(
            "`cargo xtask gen` takes no argument, got `{}`",
            args.join(" ")
        ));
    }
    Cmd::cargo()
        .args(["test", "--package", "imgrepl-c", "--test", "header"])
        .env("IMGREPL_BLESS", "1")
        .run()?;
    say("wrote bindings-c/include/imgrepl.h");
    Ok(())
}

/// `cargo xtask install-c --prefix DIR`: builds the library and installs `lib/libimgrepl.a`,
/// `lib/libimgrepl.so`, `include/imgrepl.h` and `lib/pkgconfig/imgrepl.pc` under `DIR`.
///
/// # Errors
///
/// On a wrong argument, a failed build or a file that cannot be written.
pub fn install_c(args: &[String]) -> Result<(), String> {
    let prefix = match args {
        [flag, dir] if flag == "--prefix" => PathBuf::from(dir),
        _ => return Err("usage: cargo xtask install-c --prefix DIR".to_owned()),
    };
    build_lib()?;
    install(&root().join(prefix))
}

/// Installs the built library into `xtask/c/<name>` in the target directory and returns that
/// prefix.
///
/// # Errors
///
/// When a file cannot be written.
pub fn install_scratch(name: &str) -> Result<PathBuf, String> {
    let prefix = scratch().join(name);
    install(&prefix)?;
    Ok(prefix)
}

/// Builds `ctests/bench.c` (optimized) against `libimgrepl.a`, returning the executable.
///
/// # Errors
///
/// When the compiler fails.
pub fn compile_bench() -> Result<PathBuf, String> {
    let out = scratch().join("bench");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let exe = out.join("bench");
    Cmd::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-I"])
        .arg(crate_dir().join("include"))
        .arg(crate_dir().join("ctests").join("bench.c"))
        .arg("-o")
        .arg(&exe)
        .arg(lib_dir().join("libimgrepl.a"))
        .args(native_static_libs()?.split_whitespace())
        .run()?;
    Ok(exe)
}

/// Installs the built library, header and `.pc` under `prefix` (absolute).
fn install(prefix: &Path) -> Result<(), String> {
    let lib = prefix.join("lib");
    let include = prefix.join("include");
    let pkgconfig = lib.join("pkgconfig");
    for dir in [&lib, &include, &pkgconfig] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let copy = |from: PathBuf, to: PathBuf| {
        std::fs::copy(&from, &to)
            .map(|_| ())
            .map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
    };
    copy(lib_dir().join("libimgrepl.a"), lib.join("libimgrepl.a"))?;
    copy(lib_dir().join("libimgrepl.so"), lib.join("libimgrepl.so"))?;
    copy(
        crate_dir().join("include").join("imgrepl.h"),
        include.join("imgrepl.h"),
    )?;
    let template = std::fs::read_to_string(crate_dir().join("imgrepl.pc.in"))
        .map_err(|e| format!("imgrepl.pc.in: {e}"))?;
    let pc = template
        .replace("@PREFIX@", &prefix.display().to_string())
        .replace("@VERSION@", &version()?)
        .replace("@LIBS_PRIVATE@", &native_static_libs()?);
    std::fs::write(pkgconfig.join("imgrepl.pc"), pc).map_err(|e| format!("imgrepl.pc: {e}"))?;
    say(format_args!(
        "installed libimgrepl under {}",
        prefix.display()
    ));
    Ok(())
}

/// How one C program is built and run.
#[derive(Clone, Copy)]
enum Variant {
    Static,
    Shared,
    Sanitized,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Static => "static",
            Variant::Shared => "shared",
            Variant::Sanitized => "asan-ubsan",
        }
    }
}

/// Compiles `ctests/<program>.c` in `variant`, returning the executable.
fn compile(program: &str, variant: Variant, libs: &str) -> Result<PathBuf, String> {
    let out_dir = scratch().join(variant.name());
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let exe = out_dir.join(program);
    let compiler = match variant {
        Variant::Sanitized => "clang",
        _ => "cc",
    };
    let mut cmd = Cmd::new(compiler)
        .args(CFLAGS)
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(crate_dir().join("ctests").join(format!("{program}.c")))
        .arg("-o")
        .arg(&exe);
    cmd = match variant {
        Variant::Static => cmd.arg(lib_dir().join("libimgrepl.a")),
        Variant::Shared => cmd
            .arg("-L")
            .arg(lib_dir())
            .arg("-limgrepl")
            .arg(format!("-Wl,-rpath,{}", lib_dir().display())),
        Variant::Sanitized => cmd
            .args([
                "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all",
                "-fno-omit-frame-pointer",
            ])
            .arg(lib_dir().join("libimgrepl.a")),
    };
    cmd.args(libs.split_whitespace()).run()?;
    Ok(exe)
}

/// The `c` step of `cargo xtask test`.
///
/// # Errors
///
/// When a tool cannot be installed, a build fails or a test fails.
pub fn test() -> Result<(), String> {
    ensure_tools(C_TOOLS)?;
    // The Rust ABI tests, with the test-only export that panics.
    Cmd::cargo()
        .args([
            "test",
            "--package",
            "imgrepl-c",
            "--features",
            "test-panic",
            "--test",
            "abi",
        ])
        .run()?;
    build_lib()?;
    check_symbols()?;
    let libs = native_static_libs()?;
    let valgrind = "valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=1";
    for variant in [Variant::Static, Variant::Shared, Variant::Sanitized] {
        let mut tap = Vec::new();
        for program in TAP_PROGRAMS {
            tap.push(compile(program, variant, &libs)?);
        }
        let example = compile(EXAMPLE, variant, &libs)?;
        let (exec, env): (&str, &[(&str, &str)]) = match variant {
            Variant::Sanitized => {
                check_sanitizer_linked(&tap)?;
                (
                    "env",
                    &[
                        ("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0"),
                        ("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1"),
                    ],
                )
            }
            _ => (valgrind, &[]),
        };
        say(format_args!("C tests, {} build", variant.name()));
        let mut prove = Cmd::new("prove")
            .args(["--verbose", "--exec", exec])
            .args(&tap);
        for (k, v) in env {
            prove = prove.env(k, v);
        }
        prove.run()?;
        check_example(&example, exec, env)?;
    }
    check_pkg_config(&libs)
}

/// Runs the README example (under `exec`) and compares its output with `example.out`.
fn check_example(exe: &Path, exec: &str, env: &[(&str, &str)]) -> Result<(), String> {
    let mut words = exec.split_whitespace();
    let mut cmd = Cmd::new(words.next().unwrap_or("env")).args(words).arg(exe);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    let got = cmd.read()?;
    let expected_path = crate_dir().join("ctests").join("example.out");
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|e| format!("{}: {e}", expected_path.display()))?;
    if got.trim() != expected.trim() {
        return Err(format!(
            "the README example printed\n{got}\ninstead of (ctests/example.out)\n{expected}"
        ));
    }
    say(format_args!(
        "README example output matches ({})",
        exe.display()
    ));
    Ok(())
}

/// `nm` shows the sanitizer runtime in each sanitized program, so the run really used it.
fn check_sanitizer_linked(programs: &[PathBuf]) -> Result<(), String> {
    for exe in programs {
        let symbols = Cmd::new("nm").arg(exe).read()?;
        if !symbols.contains("__asan_init") || !symbols.contains("__ubsan_") {
            return Err(format!(
                "{} is not linked with ASAN and UBSAN",
                exe.display()
            ));
        }
    }
    Ok(())
}

/// The functions the header declares.
fn header_functions() -> Result<Vec<String>, String> {
    let path = crate_dir().join("include").join("imgrepl.h");
    let header = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut names: Vec<String> = header
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '/', '}']))
        .filter_map(|l| {
            let before = l.split('(').next()?;
            let name = before.rsplit([' ', '*']).next()?;
            (l.contains('(') && name.starts_with("imgrepl_")).then(|| name.to_owned())
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Every symbol `libimgrepl.so` exports starts with `imgrepl_`, and the exports are exactly
/// the functions the header declares.
fn check_symbols() -> Result<(), String> {
    let so = lib_dir().join("libimgrepl.so");
    let nm = Cmd::new("nm")
        .args(["--dynamic", "--defined-only", "--format=posix"])
        .arg(&so)
        .read()?;
    let mut exported: Vec<String> = nm
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    exported.sort();
    if let Some(bad) = exported.iter().find(|s| !s.starts_with("imgrepl_")) {
        return Err(format!(
            "libimgrepl.so exports `{bad}`, which lacks the imgrepl_ prefix"
        ));
    }
    let declared = header_functions()?;
    if exported != declared {
        let only_lib: Vec<_> = exported.iter().filter(|s| !declared.contains(s)).collect();
        let only_header: Vec<_> = declared.iter().filter(|s| !exported.contains(s)).collect();
        return Err(format!(
            "exports and header differ: only exported {only_lib:?}, only declared {only_header:?}"
        ));
    }
    say(format_args!(
        "libimgrepl.so exports {} symbols, all imgrepl_* and all in the header",
        exported.len()
    ));
    Ok(())
}

/// Installs into a scratch prefix and builds the example with `pkg-config`, statically and
/// dynamically, as a user would.
fn check_pkg_config(libs: &str) -> Result<(), String> {
    let prefix = install_scratch("prefix")?;
    let pc_dir = prefix.join("lib").join("pkgconfig");
    let pc = |args: &[&str]| {
        Cmd::new("pkg-config")
            .args(args)
            .arg("imgrepl")
            .env("PKG_CONFIG_PATH", &pc_dir)
            .read()
    };
    let cflags = pc(&["--cflags"])?;
    let shared = pc(&["--libs"])?;
    let private = pc(&["--libs", "--static"])?;
    if !private.contains(libs.split_whitespace().next().unwrap_or("-l")) {
        return Err(format!(
            "imgrepl.pc's Libs.private lacks the native libs: {private}"
        ));
    }
    let example = crate_dir().join("ctests").join(format!("{EXAMPLE}.c"));
    let out = scratch().join("pkg-config");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    // Dynamic: `cc $(pkg-config --cflags --libs imgrepl)`.
    let dynamic = out.join("example-shared");
    Cmd::new("cc")
        .args(CFLAGS)
        .args(cflags.split_whitespace())
        .arg(&example)
        .arg("-o")
        .arg(&dynamic)
        .args(shared.split_whitespace())
        .run()?;
    check_example_env(&dynamic, &prefix.join("lib"))?;
    // Static: the archive by name, then `pkg-config --libs --static` for what it needs.
    let static_exe = out.join("example-static");
    Cmd::new("cc")
        .args(CFLAGS)
        .args(cflags.split_whitespace())
        .arg(&example)
        .arg("-o")
        .arg(&static_exe)
        .arg(prefix.join("lib").join("libimgrepl.a"))
        .args(private.split_whitespace().filter(|f| *f != "-limgrepl"))
        .run()?;
    check_example_env(&static_exe, &prefix.join("lib"))
}

/// Runs an example built against the installed library.
fn check_example_env(exe: &Path, lib: &Path) -> Result<(), String> {
    let lib = lib.display().to_string();
    check_example(exe, "env", &[("LD_LIBRARY_PATH", lib.as_str())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_functions_are_read() {
        let names = header_functions().unwrap();
        assert!(
            names.contains(&"imgrepl_policy_parse".to_owned()),
            "{names:?}"
        );
        assert!(names.contains(&"imgrepl_version".to_owned()), "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("imgrepl_")));
    }
}
