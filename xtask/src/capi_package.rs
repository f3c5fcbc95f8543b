//! The `package-c` step of `cargo xtask test`: libimgrepl as a user installs and links it,
//! following `bindings-c/README.md` outside the repository.
//!
//! 1. `cargo xtask install-c --prefix P`, with `P` in a fresh temporary directory outside the
//!    repository (and outside cargo's target directory); the layout is checked: the archive,
//!    `libimgrepl.so.X.Y.Z` with its SONAME (`readelf -d`), the `libimgrepl.so.0` and
//!    `libimgrepl.so` links, the header, `imgrepl.pc` with `Libs.private`.
//! 2. The README's C example, taken from the README itself, is compiled in another temporary
//!    directory with the README's own commands, through `sh`, with only `PKG_CONFIG_PATH` set:
//!    - shared: `cc … $(pkg-config --cflags --libs imgrepl) -Wl,-rpath,$(pkg-config
//!      --variable=libdir imgrepl)`; run with no `LD_LIBRARY_PATH`, its output checked, and
//!      `ldd` must resolve `libimgrepl.so.0` to the prefix's;
//!    - shared without the rpath: the loader's "cannot open shared object file" the README
//!      describes, then the same program run with `LD_LIBRARY_PATH`;
//!    - static: the archive and `pkg-config --static --libs imgrepl`; no `libimgrepl` among
//!      its `NEEDED` entries, run and checked.
//!
//! The temporary directory is removed when the step passes and kept (its path in the error)
//! when it fails.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::capi;
use crate::cmd::{Cmd, root, say, target_dir};

/// The C front door, whose example this step builds.
const README: &str = "bindings-c/README.md";

/// The marker before the example's code block in the README (`bindings-c/tests/readme.rs`
/// keeps that block equal to the file).
const EXAMPLE_MARKER: &str = "<!-- file: bindings-c/ctests/example.c -->";

/// The README's commands, run by `sh` in the example's directory with `PKG_CONFIG_PATH` set.
/// `bindings-c/README.md` shows the same lines (a unit test below checks it).
const SHARED: &str = "cc example.c -o example $(pkg-config --cflags --libs imgrepl) \
                      -Wl,-rpath,\"$(pkg-config --variable=libdir imgrepl)\"";
const SHARED_NO_RPATH: &str =
    "cc example.c -o example-no-rpath $(pkg-config --cflags --libs imgrepl)";
const STATIC: &str = "cc example.c -o example-static $(pkg-config --cflags imgrepl) \
                      \"$(pkg-config --variable=libdir imgrepl)/libimgrepl.a\" \
                      -Wl,--as-needed $(pkg-config --static --libs imgrepl)";

/// A directory removed when dropped, unless [`Scratch::keep`] was called.
struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Scratch {
    /// A fresh, empty directory in the system's temporary directory.
    fn new(name: &str) -> Result<Scratch, String> {
        let path = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let path = path
            .canonicalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for inside in [root(), target_dir()] {
            let inside = inside.canonicalize().unwrap_or(inside);
            if path.starts_with(&inside) {
                return Err(format!(
                    "the temporary directory {} is inside {}: set TMPDIR elsewhere, so the \
                     check cannot use the repository's files",
                    path.display(),
                    inside.display()
                ));
            }
        }
        Ok(Scratch { path, keep: false })
    }

    fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The code block that follows `marker` in `readme`.
fn block_after<'a>(readme: &'a str, marker: &str) -> Option<&'a str> {
    let after = &readme[readme.find(marker)? + marker.len()..];
    let after = after.strip_prefix('\n')?.strip_prefix("```")?;
    let body = &after[after.find('\n')? + 1..];
    body.find("```\n").map(|end| &body[..end])
}

/// The `package-c` step.
///
/// # Errors
///
/// When a tool cannot be installed, the install or a build fails, or a program does not run
/// as the README says.
pub fn test() -> Result<(), String> {
    crate::tools::ensure(crate::tools::C_PACKAGE)?;
    capi::build_lib()?;
    let mut scratch = Scratch::new("imgrepl-package-c")?;
    let result = check(&scratch.path);
    if result.is_err() {
        scratch.keep();
        return result.map_err(|e| format!("{e}\n(kept for a look: {})", scratch.path.display()));
    }
    result
}

fn check(tmp: &Path) -> Result<(), String> {
    let started = Instant::now();
    let prefix = tmp.join("prefix");
    Cmd::cargo()
        .args(["xtask", "install-c", "--prefix"])
        .arg(&prefix)
        .run()?;
    let lib = prefix.join("lib");
    check_layout(&lib)?;
    say(format_args!(
        "installed and checked in {:.1}s",
        started.elapsed().as_secs_f64()
    ));

    let t = Instant::now();
    let work = tmp.join("project");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let readme_path = root().join(README);
    let readme = std::fs::read_to_string(&readme_path)
        .map_err(|e| format!("{}: {e}", readme_path.display()))?;
    let example = block_after(&readme, EXAMPLE_MARKER)
        .ok_or_else(|| format!("{README} has no code block after {EXAMPLE_MARKER}"))?;
    std::fs::write(work.join("example.c"), example).map_err(|e| format!("example.c: {e}"))?;
    let pc_path = lib.join("pkgconfig");
    let sh = |line: &str| {
        Cmd::new("sh")
            .args(["-c", line])
            .dir(&work)
            .env("PKG_CONFIG_PATH", &pc_path)
    };
    let expected = capi::example_output()?;
    // What a program is run with: none of the loader's variables, whatever this run has.
    let run = |exe: &str| {
        Cmd::new("env")
            .args(["-u", "LD_LIBRARY_PATH", "-u", "LD_PRELOAD"])
            .arg(work.join(exe))
            .dir(&work)
    };
    let same = |exe: &str, got: &str| {
        if got.trim() == expected.trim() {
            say(format_args!("{exe}: the README's output"));
            Ok(())
        } else {
            Err(format!(
                "{exe} printed\n{got}\ninstead of (ctests/example.out)\n{expected}"
            ))
        }
    };

    // Shared, found through its rpath.
    sh(SHARED).run()?;
    same("example", &run("example").read()?)?;
    let ldd = Cmd::new("ldd").arg(work.join("example")).read()?;
    let so0 = lib.join(capi::soname(&capi::version()?));
    let loaded = ldd_path(&ldd, &capi::soname(&capi::version()?))
        .ok_or_else(|| format!("ldd does not show libimgrepl.so.0:\n{ldd}"))?;
    if Path::new(loaded) != so0 {
        return Err(format!(
            "example loads {loaded}, not {} from the prefix:\n{ldd}",
            so0.display()
        ));
    }
    say(format_args!("ldd: example loads {loaded}"));

    // Shared without an rpath: the loader's error, then LD_LIBRARY_PATH.
    sh(SHARED_NO_RPATH).run()?;
    let err = match run("example-no-rpath").read() {
        Ok(out) => {
            return Err(format!(
                "example-no-rpath ran without the library on the loader's path:\n{out}"
            ));
        }
        Err(e) => e,
    };
    if !err.contains("libimgrepl.so.0: cannot open shared object file") {
        return Err(format!(
            "example-no-rpath failed otherwise than the README says:\n{err}"
        ));
    }
    say("example-no-rpath: libimgrepl.so.0: cannot open shared object file (as the README says)");
    let out = Cmd::new(work.join("example-no-rpath"))
        .dir(&work)
        .env("LD_LIBRARY_PATH", &lib)
        .read()?;
    same("LD_LIBRARY_PATH=… example-no-rpath", &out)?;

    // Static: the archive, and pkg-config --static for the system libraries.
    sh(STATIC).run()?;
    let dynamic = Cmd::new("readelf")
        .arg("-d")
        .arg(work.join("example-static"))
        .read()?;
    let needed = capi::needed_in(&dynamic);
    if let Some(so) = needed.iter().find(|n| n.starts_with("libimgrepl")) {
        return Err(format!("example-static needs {so}: {needed:?}"));
    }
    say(format_args!(
        "example-static needs only {}",
        needed.join(", ")
    ));
    same("example-static", &run("example-static").read()?)?;
    say(format_args!(
        "built and ran the README example three ways in {:.1}s",
        t.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// The installed files of `install-c`, under `lib`, are what the README lists.
fn check_layout(lib: &Path) -> Result<(), String> {
    let version = capi::version()?;
    let soname = capi::soname(&version);
    let real = format!("libimgrepl.so.{version}");
    for (link, target) in [("libimgrepl.so", soname.as_str()), (&soname, &real)] {
        let path = lib.join(link);
        let got = std::fs::read_link(&path)
            .map_err(|e| format!("{} is not a link: {e}", path.display()))?;
        if got != Path::new(target) {
            return Err(format!(
                "{} points to {}, not {target}",
                path.display(),
                got.display()
            ));
        }
    }
    let so = lib.join(&real);
    if !so.symlink_metadata().is_ok_and(|m| m.is_file()) {
        return Err(format!("{} is not a file", so.display()));
    }
    capi::check_soname(&so)?;
    let prefix = lib.parent().unwrap_or(lib);
    for file in ["lib/libimgrepl.a", "include/imgrepl.h"] {
        if !prefix.join(file).is_file() {
            return Err(format!("{file} is not installed"));
        }
    }
    let pc_path = lib.join("pkgconfig").join("imgrepl.pc");
    let pc = std::fs::read_to_string(&pc_path).map_err(|e| format!("imgrepl.pc: {e}"))?;
    let private = pc
        .lines()
        .find_map(|l| l.strip_prefix("Libs.private:"))
        .map(str::trim)
        .unwrap_or_default();
    let placeholder =
        pc.split('@').skip(1).step_by(2).any(|word| {
            !word.is_empty() && word.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        });
    if !private.contains("-l") || placeholder {
        return Err(format!(
            "imgrepl.pc lacks Libs.private or has a placeholder left:\n{pc}"
        ));
    }
    say(format_args!(
        "layout: {real} (SONAME {soname}), {soname} -> {real}, libimgrepl.so -> {soname}, \
         libimgrepl.a, imgrepl.h, imgrepl.pc (Libs.private: {private})"
    ));
    Ok(())
}

/// The path `ldd` resolves `name` to.
fn ldd_path<'a>(ldd: &'a str, name: &str) -> Option<&'a str> {
    ldd.lines().find_map(|line| {
        let (lib, rest) = line.trim().split_once(" => ")?;
        (lib == name).then(|| rest.split(" (").next().unwrap_or(rest).trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldd_lines_are_read() {
        let ldd = "\tlinux-vdso.so.1 (0x00007ffd)\n\
                   \tlibimgrepl.so.0 => /opt/x/lib/libimgrepl.so.0 (0x00007f00)\n\
                   \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f01)\n\
                   \tlibgcc_s.so.1 => not found\n";
        assert_eq!(
            ldd_path(ldd, "libimgrepl.so.0"),
            Some("/opt/x/lib/libimgrepl.so.0")
        );
        assert_eq!(ldd_path(ldd, "libgcc_s.so.1"), Some("not found"));
        assert_eq!(ldd_path(ldd, "libm.so.6"), None);
    }

    #[test]
    fn the_example_block_is_found() {
        let readme = "x\n<!-- file: a.c -->\n```c\nint main(void) {}\n```\nafter\n";
        assert_eq!(
            block_after(readme, "<!-- file: a.c -->"),
            Some("int main(void) {}\n")
        );
        assert_eq!(block_after(readme, "<!-- file: b.c -->"), None);
        assert_eq!(
            block_after("<!-- file: a.c -->\ntext\n", "<!-- file: a.c -->"),
            None
        );
    }

    /// The README shows the very commands this step runs.
    #[test]
    fn the_readme_shows_these_commands() {
        let readme = std::fs::read_to_string(root().join(README)).unwrap();
        let flat = readme.replace("\\\n", " ");
        let flat: String = flat.split_whitespace().collect::<Vec<_>>().join(" ");
        for line in [SHARED, SHARED_NO_RPATH, STATIC] {
            let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
            // The README names the programs `example`; this step keeps three apart.
            let line = line
                .replace("-o example-no-rpath ", "-o example ")
                .replace("-o example-static ", "-o example ");
            assert!(flat.contains(&line), "{README} lacks `{line}`");
        }
        assert!(readme.contains(EXAMPLE_MARKER));
    }
}
