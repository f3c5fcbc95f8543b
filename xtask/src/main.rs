//! `cargo xtask …`: the workspace's tasks, in plain Rust (std, and `serde_json` to read
//! criterion's results), so that a fresh machine with the stable toolchain needs nothing else to
//! run them.
//!
//! | task | what it does | module |
//! |---|---|---|
//! | `cargo xtask test` | every test suite (`--list` shows them; `--quick`: fmt, clippy, tests, docs) | [`test`](mod@test) |
//! | `cargo xtask bench …` | the criterion suites | [`bench`](mod@bench) |
//! | `cargo xtask fuzz …` | the cargo-fuzz targets | [`fuzz`](mod@fuzz) |
//! | `cargo xtask wasm` | the JavaScript package (`bindings-wasm/pkg/`) and its tools | [`wasm`](mod@wasm) |
//! | `cargo xtask preview` | builds the package and serves the policy previewer | [`preview`](mod@preview) |
//! | `cargo xtask gen` | regenerates `bindings-c/include/imgrepl.h`, `bindings-c/ctests/cases.h`, `go/imgrepl/status_gen.go` | [`capi`] |
//! | `cargo xtask install-c --prefix DIR` | installs libimgrepl (`.a`, `.so.X.Y.Z` and its links), its header and `imgrepl.pc` | [`capi`]; checked by [`capi_package`] |
//! | `cargo xtask image` | the OCI image of `imgrepl-webhook` under `target/image/`, checked with skopeo and umoci | [`image`](mod@image) |
//! | `cargo xtask bench-ffi` | one rewrite through Rust, C and cgo, the batch call, the webhook against its floor | [`golang`] |
//!
//! A task is a module exposing `pub fn run(args: &[String]) -> Result<(), String>`, dispatched
//! from [`main`]; commands run through [`cmd::Cmd`], which prints each one and turns a failure
//! into a message.

mod bench;
mod capi;
mod capi_package;
mod cmd;
mod fuzz;
mod golang;
mod image;
mod preview;
mod serve;
mod test;
mod tools;
mod wasm;
mod wasm_npm;
mod wasm_test;
mod yaml_oracle;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <TASK> [ARGS...]

tasks:
  test [STEP...]   run every test suite (fmt, clippy, test, doc, bench-test); `test --list` shows them
  test --quick     fmt, clippy, the tests that need only cargo, docs: the contributor's loop
  bench [ARGS...]  run the benchmarks
  fuzz [ARGS...]   run the fuzz targets
  wasm [ARGS...]   build the npm package imgrepl (bindings-wasm/pkg/node; the web's modules also
                   in bindings-wasm/pkg/web); --pack: target/npm/imgrepl-VERSION.tgz
  preview [ARGS..] build the package and serve the policy previewer on 127.0.0.1
  gen              regenerate imgrepl.h, ctests/cases.h and go/imgrepl/status_gen.go
  install-c --prefix DIR
                   build libimgrepl and install it under DIR: lib/libimgrepl.a,
                   lib/libimgrepl.so.X.Y.Z with its links libimgrepl.so.0 (the SONAME) and
                   libimgrepl.so, include/imgrepl.h, lib/pkgconfig/imgrepl.pc
  image [--no-check]
                   build the imgrepl-webhook OCI image (target/image/) and check it with
                   skopeo and umoci
  bench-ffi        one rewrite through Rust, C and cgo; the batch call; the webhook vs its floor";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match task.as_str() {
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "fuzz" => fuzz::run(rest),
        "wasm" => wasm::run(rest),
        "preview" => preview::run(rest),
        "gen" => capi::generate(rest),
        "install-c" => capi::install_c(rest),
        "image" => image::run(rest),
        "bench-ffi" => golang::bench(rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("error: unknown task `{other}`\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cargo xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}
