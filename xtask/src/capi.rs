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
//! The shared builds link the library installed into a scratch prefix (as `install-c` lays it
//! out), since a program linked against `libimgrepl.so` loads it by its SONAME,
//! `libimgrepl.so.0`, which only the installed layout provides.
//!
//! It also checks that every symbol the shared library exports starts with `imgrepl_` and is
//! declared in the header (and the reverse), that the shared library's SONAME is
//! `libimgrepl.so.MAJOR` (`readelf -d`), and runs the Rust ABI tests with the test-only panic
//! export. gcc, clang, valgrind, prove, pkg-config and binutils are installed with apt when
//! missing. The library as a user installs and links it is the `package-c` step
//! ([`crate::capi_package`]).

use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, root, say, target_dir};

/// The C test programs, in `bindings-c/ctests/`; all print TAP except `example`.
const TAP_PROGRAMS: &[&str] = &[
    "test_api",
    "test_toolkit",
    "test_threads",
    "test_admission",
    "test_cases",
    "conventions",
];

/// The README's C example (`bindings-c/ctests/example.c`), whose output is checked against
/// `example.out`.
const EXAMPLE: &str = "example";

/// Warnings are errors for every C build.
const CFLAGS: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-O1"];

/// `bindings-c/`.
pub fn crate_dir() -> PathBuf {
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
///
/// # Errors
///
/// When cargo fails or prints no version.
pub fn version() -> Result<String, String> {
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
    say(
        "wrote bindings-c/include/imgrepl.h, bindings-c/ctests/cases.h and go/imgrepl/status_gen.go",
    );
    Ok(())
}

/// `cargo xtask install-c --prefix DIR`: builds the library (release) and installs, under
/// `DIR` (relative to the current directory):
///
/// ```text
/// lib/libimgrepl.a
/// lib/libimgrepl.so.0.1.0            the shared library, SONAME libimgrepl.so.0
/// lib/libimgrepl.so.0 -> libimgrepl.so.0.1.0   what programs load
/// lib/libimgrepl.so -> libimgrepl.so.0         what `-limgrepl` links
/// lib/pkgconfig/imgrepl.pc           Libs.private: the static link's system libraries
/// include/imgrepl.h
/// ```
///
/// Installing again replaces the files (and the links) of an earlier install.
///
/// # Errors
///
/// On a wrong argument, a failed build or a file that cannot be written.
pub fn install_c(args: &[String]) -> Result<(), String> {
    let prefix = match args {
        [flag, dir] if flag == "--prefix" && !dir.is_empty() => PathBuf::from(dir),
        [flag] if flag.starts_with("--prefix=") && flag.len() > "--prefix=".len() => {
            PathBuf::from(&flag["--prefix=".len()..])
        }
        _ => return Err("usage: cargo xtask install-c --prefix DIR".to_owned()),
    };
    let cwd = std::env::current_dir().map_err(|e| format!("the current directory: {e}"))?;
    build_lib()?;
    check_soname(&lib_dir().join("libimgrepl.so"))?;
    install(&cwd.join(prefix))
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

/// The shared library's SONAME for `version`: `libimgrepl.so.MAJOR`, as `bindings-c/build.rs`
/// sets it (`libimgrepl.so.0` for every 0.x release).
pub fn soname(version: &str) -> String {
    let major = version.split('.').next().unwrap_or("0");
    format!("libimgrepl.so.{major}")
}

/// The SONAME in `readelf -d` output, if any.
fn soname_in(readelf: &str) -> Option<&str> {
    readelf.lines().find_map(|line| {
        let rest = line.split_once("Library soname: [")?.1;
        rest.split_once(']').map(|(name, _)| name)
    })
}

/// The values of the `NEEDED` entries in `readelf -d` output.
pub fn needed_in(readelf: &str) -> Vec<&str> {
    readelf
        .lines()
        .filter_map(|line| {
            let rest = line.split_once("Shared library: [")?.1;
            rest.split_once(']').map(|(name, _)| name)
        })
        .collect()
}

/// `readelf -d` shows `so`'s SONAME to be [`soname`] of this version.
///
/// # Errors
///
/// When readelf fails or the SONAME is missing or another.
pub fn check_soname(so: &Path) -> Result<(), String> {
    let dynamic = Cmd::new("readelf").arg("-d").arg(so).read()?;
    let expected = soname(&version()?);
    match soname_in(&dynamic) {
        Some(name) if name == expected => {
            say(format_args!("{} has SONAME {name}", so.display()));
            Ok(())
        }
        Some(name) => Err(format!(
            "{} has SONAME {name}, not {expected}",
            so.display()
        )),
        None => Err(format!(
            "{} has no SONAME (readelf -d); bindings-c/build.rs should set {expected}",
            so.display()
        )),
    }
}

/// Removes `path` if it is there (a file or a link, never followed), so a copy or a link made
/// next does not write through an earlier install's link.
fn remove_old(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("remove {}: {e}", path.display())),
    }
}

/// Installs the built library, header and `.pc` under `prefix` (absolute), in the layout of
/// [`install_c`].
///
/// # Errors
///
/// When a file cannot be written.
pub fn install(prefix: &Path) -> Result<(), String> {
    let lib = prefix.join("lib");
    let include = prefix.join("include");
    let pkgconfig = lib.join("pkgconfig");
    for dir in [&lib, &include, &pkgconfig] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let copy = |from: PathBuf, to: PathBuf| {
        remove_old(&to)?;
        std::fs::copy(&from, &to)
            .map(|_| ())
            .map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
    };
    let link = |target: &str, name: &str| {
        let path = lib.join(name);
        remove_old(&path)?;
        std::os::unix::fs::symlink(target, &path)
            .map_err(|e| format!("link {} to {target}: {e}", path.display()))
    };
    let version = version()?;
    let soname = soname(&version);
    let real = format!("libimgrepl.so.{version}");
    copy(lib_dir().join("libimgrepl.a"), lib.join("libimgrepl.a"))?;
    copy(lib_dir().join("libimgrepl.so"), lib.join(&real))?;
    link(&real, &soname)?;
    link(&soname, "libimgrepl.so")?;
    copy(
        crate_dir().join("include").join("imgrepl.h"),
        include.join("imgrepl.h"),
    )?;
    let template = std::fs::read_to_string(crate_dir().join("imgrepl.pc.in"))
        .map_err(|e| format!("imgrepl.pc.in: {e}"))?;
    // The template's own comment (how it is filled) is left out of the installed file.
    let body: String = template
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .flat_map(|l| [l, "\n"])
        .collect();
    let pc = body
        .replace("@PREFIX@", &prefix.display().to_string())
        .replace("@VERSION@", &version)
        .replace("@LIBS_PRIVATE@", &native_static_libs()?);
    std::fs::write(pkgconfig.join("imgrepl.pc"), pc).map_err(|e| format!("imgrepl.pc: {e}"))?;
    say(format_args!(
        "installed under {}: lib/libimgrepl.a, lib/{real} (SONAME {soname}), lib/{soname} and \
         lib/libimgrepl.so (links), include/imgrepl.h, lib/pkgconfig/imgrepl.pc",
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

/// Compiles `ctests/<program>.c` in `variant`, returning the executable; a shared build links
/// the library installed in `shared_lib` (a prefix's `lib/`).
fn compile(
    program: &str,
    variant: Variant,
    libs: &str,
    shared_lib: &Path,
) -> Result<PathBuf, String> {
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
            .arg(shared_lib)
            .arg("-limgrepl")
            .arg(format!("-Wl,-rpath,{}", shared_lib.display())),
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
    crate::tools::ensure(crate::tools::C)?;
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
    check_soname(&lib_dir().join("libimgrepl.so"))?;
    let libs = native_static_libs()?;
    // Programs linked against libimgrepl.so load libimgrepl.so.0: the installed layout.
    let shared_lib = install_scratch("prefix")?.join("lib");
    let valgrind = "valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=1";
    for variant in [Variant::Static, Variant::Shared, Variant::Sanitized] {
        let mut tap = Vec::new();
        for program in TAP_PROGRAMS {
            tap.push(compile(program, variant, &libs, &shared_lib)?);
        }
        let example = compile(EXAMPLE, variant, &libs, &shared_lib)?;
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
    Ok(())
}

/// The output the README example must print (`ctests/example.out`).
///
/// # Errors
///
/// When the file cannot be read.
pub fn example_output() -> Result<String, String> {
    let path = crate_dir().join("ctests").join("example.out");
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the README example (under `exec`) and compares its output with `example.out`.
fn check_example(exe: &Path, exec: &str, env: &[(&str, &str)]) -> Result<(), String> {
    let mut words = exec.split_whitespace();
    let mut cmd = Cmd::new(words.next().unwrap_or("env")).args(words).arg(exe);
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    let got = cmd.read()?;
    let expected = example_output()?;
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

    #[test]
    fn soname_is_the_major_version() {
        for (version, name) in [
            ("0.1.0", "libimgrepl.so.0"),
            ("0.12.3", "libimgrepl.so.0"),
            ("1.0.0", "libimgrepl.so.1"),
            ("2.4.1-rc.1", "libimgrepl.so.2"),
        ] {
            assert_eq!(soname(version), name, "{version}");
        }
    }

    #[test]
    fn readelf_dynamic_section_is_read() {
        let readelf = "\
Dynamic section at offset 0x2dd8 contains 27 entries:
  Tag        Type                         Name/Value
 0x0000000000000001 (NEEDED)             Shared library: [libgcc_s.so.1]
 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]
 0x000000000000000e (SONAME)             Library soname: [libimgrepl.so.0]
 0x000000000000000c (INIT)               0x5000
";
        assert_eq!(soname_in(readelf), Some("libimgrepl.so.0"));
        assert_eq!(needed_in(readelf), ["libgcc_s.so.1", "libc.so.6"]);
        assert_eq!(
            soname_in("  0x1 (NEEDED) Shared library: [libc.so.6]"),
            None
        );
        assert!(needed_in("").is_empty());
    }
}
