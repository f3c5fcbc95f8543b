//! Gives the shared library its SONAME on ELF targets: `libimgrepl.so.MAJOR` (`libimgrepl.so.0`
//! for every 0.x release), so programs linked against `libimgrepl.so` record the versioned name
//! and the installed `libimgrepl.so.0 -> libimgrepl.so.X.Y.Z` link (`cargo xtask install-c`)
//! is what they load. The static library and the rlib are untouched.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    // Linux and the other ELF systems whose linker takes `-soname` (not macOS, Windows or wasm).
    let elf = matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "illumos"
    );
    if elf && !major.is_empty() {
        println!("cargo::rustc-cdylib-link-arg=-Wl,-soname,libimgrepl.so.{major}");
    }
}
