//! `include/imgrepl.h` is generated: this test regenerates it with the pinned cbindgen and fails
//! when the checked-in copy differs. `cargo xtask gen` runs it with `IMGREPL_BLESS=1`, which
//! writes the header instead.
//!
//! The macros cbindgen cannot know are generated here from their sources, never typed: the
//! version from Cargo, the input limits from the core.

use std::fmt::Write as _;
use std::path::Path;

const HEADER: &str = "include/imgrepl.h";

/// The version and limit macros, from Cargo and the core.
fn macros() -> String {
    let mut s = String::new();
    let version = env!("CARGO_PKG_VERSION");
    let [major, minor, patch] = [
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    ];
    s.push_str("\n/* The version of this header; imgrepl_version() gives the library's. */\n");
    writeln!(s, "#define IMGREPL_VERSION \"{version}\"").unwrap();
    writeln!(s, "#define IMGREPL_VERSION_MAJOR {major}").unwrap();
    writeln!(s, "#define IMGREPL_VERSION_MINOR {minor}").unwrap();
    writeln!(s, "#define IMGREPL_VERSION_PATCH {patch}").unwrap();
    s.push_str(
        "#define IMGREPL_VERSION_NUMBER \
         ((IMGREPL_VERSION_MAJOR << 16) | (IMGREPL_VERSION_MINOR << 8) | IMGREPL_VERSION_PATCH)\n",
    );
    s.push_str("\n/* Input limits, in bytes (images per call for the batch). */\n");
    for (name, value) in imgrepl::LIMITS {
        writeln!(s, "#define {name} {value}").unwrap();
    }
    s
}

/// The header as cbindgen writes it from this crate and `cbindgen.toml`.
fn generate() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let mut config = cbindgen::Config::from_file(Path::new(dir).join("cbindgen.toml"))
        .expect("cbindgen.toml is readable and valid");
    config.after_includes = Some(macros());
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn header_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(HEADER);
    let generated = generate();
    if std::env::var_os("IMGREPL_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("the header can be written");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        let line = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| checked_in.lines().count().min(generated.lines().count()))
            + 1;
        panic!(
            "bindings-c/{HEADER} is stale (first difference at line {line}); \
             regenerate it with `cargo xtask gen` and commit it"
        );
    }
}

#[test]
fn header_states_the_cargo_version() {
    let header = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(HEADER))
        .expect("the header is checked in");
    let expected = format!("#define IMGREPL_VERSION \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(header.contains(&expected), "{expected}");
    let major = format!(
        "#define IMGREPL_VERSION_MAJOR {}",
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert!(header.contains(&major), "{major}");
    // The library reports the same version at run time.
    // SAFETY: imgrepl_version returns a static NUL-terminated string.
    let runtime = unsafe { std::ffi::CStr::from_ptr(imgrepl::imgrepl_version()) };
    assert_eq!(runtime.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn header_documents_every_function() {
    let header = generate();
    let lines: Vec<&str> = header.lines().collect();
    let mut functions = 0;
    for (i, line) in lines.iter().enumerate() {
        let is_fn = line.contains("imgrepl_")
            && line.contains('(')
            && !line.starts_with([' ', '#', '/', '}']);
        if is_fn {
            functions += 1;
            assert!(
                i > 0 && lines[i - 1].starts_with("//"),
                "undocumented declaration in the header: {line}"
            );
        }
    }
    assert!(functions >= 30, "only {functions} functions found");
}
