//! `cargo xtask preview`: builds the JavaScript package and serves the policy previewer.
//!
//! ```text
//! cargo xtask preview [--port N] [--no-build]
//! ```
//!
//! Serves `bindings-wasm/` on `127.0.0.1` (port 8417 by default; 0 picks a free one) and prints
//! the page's URL, `http://127.0.0.1:PORT/www/`. The page loads the package from
//! `bindings-wasm/pkg/web/`, so it works offline: nothing comes from elsewhere.
//!
//! The server is [`crate::serve`], which the e2e step of `cargo xtask test` and the browser
//! runs of `cargo xtask wasm` use too.

use std::net::TcpListener;

use crate::cmd::say;
use crate::serve::{serve, served_root, url};

const DEFAULT_PORT: u16 = 8417;

const USAGE: &str = "\
usage: cargo xtask preview [--port N] [--no-build]

Builds the imgrepl package (cargo xtask wasm) and serves the policy previewer on 127.0.0.1.
  --port N     the port (default 8417; 0 picks a free one)
  --no-build   serve what bindings-wasm/pkg/web already holds";

/// `cargo xtask preview`.
///
/// # Errors
///
/// A message when an argument is wrong, the build fails or the port cannot be bound.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut port = DEFAULT_PORT;
    let mut build = true;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => {
                let value = it.next().ok_or("--port needs a number")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port: `{value}` is not a port number"))?;
            }
            "--no-build" => build = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if build {
        crate::wasm::package()?;
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let url = url(&listener)?;
    say(format_args!("the previewer is at {url} (Ctrl-C stops it)"));
    println!("{url}");
    serve(&listener, &served_root());
    Ok(())
}
