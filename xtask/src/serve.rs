//! The small HTTP server of the policy previewer: it serves `bindings-wasm/` on `127.0.0.1`,
//! for `cargo xtask preview` ([`crate::preview`]), the e2e step of `cargo xtask test` and the
//! browser runs of `cargo xtask wasm` ([`start`]).
//!
//! The server is small on purpose: GET and HEAD of files under the served directory, no
//! directory listings, no path outside it, one thread per connection.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::cmd::root;

/// The directory served: `bindings-wasm/`.
pub(crate) fn served_root() -> PathBuf {
    root().join("bindings-wasm")
}

pub(crate) fn url(listener: &TcpListener) -> Result<String, String> {
    let addr = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    Ok(format!("http://{addr}/www/"))
}

/// Starts the server on a free port in a background thread; returns the page's URL.
///
/// # Errors
///
/// A message when no port can be bound.
pub fn start() -> Result<String, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let url = url(&listener)?;
    let dir = served_root();
    std::thread::spawn(move || serve(&listener, &dir));
    Ok(url)
}

pub(crate) fn serve(listener: &TcpListener, dir: &Path) {
    for stream in listener.incoming().flatten() {
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            let _ = handle(stream, &dir);
        });
    }
}

/// Answers one request (one per connection).
fn handle(mut stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    // Drain the headers (bounded: a request line and headers of at most 64 KiB).
    let mut total = line.len();
    loop {
        let mut header = String::new();
        let n = reader.read_line(&mut header)?;
        total += n;
        if n == 0 || header == "\r\n" || header == "\n" || total > 64 * 1024 {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = match (method, resolve(dir, target)) {
        ("GET" | "HEAD", Resolved::Redirect(to)) => Response::redirect(&to),
        ("GET" | "HEAD", Resolved::File(path)) => match fs::read(&path) {
            Ok(body) => Response::ok(mime(&path), body),
            Err(_) => Response::status(404, "Not Found"),
        },
        ("GET" | "HEAD", Resolved::NotFound) => Response::status(404, "Not Found"),
        _ => Response::status(405, "Method Not Allowed"),
    };
    response.write(&mut stream, method == "HEAD")?;
    stream.flush()?;
    stream.shutdown(Shutdown::Both)
}

#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    File(PathBuf),
    Redirect(String),
    NotFound,
}

/// Maps a request target to a file under `dir`: the query and fragment are dropped, `..` and
/// anything that is not a plain name is refused, a directory serves its `index.html` (and
/// redirects to the path with a final `/` first, so relative links work).
fn resolve(dir: &Path, target: &str) -> Resolved {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == "/" {
        return Resolved::Redirect("/www/".to_owned());
    }
    let Some(relative) = path.strip_prefix('/') else {
        return Resolved::NotFound;
    };
    let relative = Path::new(relative);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Resolved::NotFound;
    }
    let full = dir.join(relative);
    if full.is_dir() {
        if !path.ends_with('/') {
            return Resolved::Redirect(format!("{path}/"));
        }
        let index = full.join("index.html");
        return if index.is_file() {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if full.is_file() {
        Resolved::File(full)
    } else {
        Resolved::NotFound
    }
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

struct Response {
    status: u16,
    reason: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    fn ok(content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status: 200,
            reason: "OK",
            headers: vec![
                ("Content-Type", content_type.to_owned()),
                ("Cache-Control", "no-store".to_owned()),
            ],
            body,
        }
    }

    fn status(status: u16, reason: &'static str) -> Self {
        Response {
            status,
            reason,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".to_owned())],
            body: format!("{status} {reason}\n").into_bytes(),
        }
    }

    fn redirect(to: &str) -> Self {
        Response {
            status: 302,
            reason: "Found",
            headers: vec![("Location", to.to_owned())],
            body: Vec::new(),
        }
    }

    fn write(&self, out: &mut impl Write, head_only: bool) -> std::io::Result<()> {
        write!(out, "HTTP/1.1 {} {}\r\n", self.status, self.reason)?;
        for (k, v) in &self.headers {
            write!(out, "{k}: {v}\r\n")?;
        }
        write!(
            out,
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        )?;
        if !head_only {
            out.write_all(&self.body)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn resolves_only_files_under_the_root() {
        let dir = root().join("bindings-wasm");
        assert_eq!(
            resolve(&dir, "/www/index.html?x#y"),
            Resolved::File(dir.join("www/index.html"))
        );
        assert_eq!(
            resolve(&dir, "/www/"),
            Resolved::File(dir.join("www/index.html"))
        );
        assert_eq!(resolve(&dir, "/www"), Resolved::Redirect("/www/".into()));
        assert_eq!(resolve(&dir, "/"), Resolved::Redirect("/www/".into()));
        assert_eq!(resolve(&dir, "/../Cargo.toml"), Resolved::NotFound);
        assert_eq!(resolve(&dir, "/www/../../Cargo.toml"), Resolved::NotFound);
        assert_eq!(resolve(&dir, "//etc/passwd"), Resolved::NotFound);
        assert_eq!(resolve(&dir, "www/index.html"), Resolved::NotFound);
        assert_eq!(resolve(&dir, "/nope"), Resolved::NotFound);
    }

    #[test]
    fn serves_over_http() {
        let url = start().unwrap();
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches("/www/")
            .to_owned();
        let get = |target: &str| {
            let mut s = TcpStream::connect(&addr).unwrap();
            write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let page = get("/www/");
        assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
        assert!(page.contains("Content-Type: text/html; charset=utf-8"));
        assert!(page.contains("<title>"), "{page}");
        assert!(get("/../Cargo.toml").starts_with("HTTP/1.1 404"));
        assert!(get("/www").starts_with("HTTP/1.1 302 Found\r\nLocation: /www/\r\n"));
    }
}
