//! Ask an OCI distribution (Docker Registry HTTP API v2) registry whether an image is there,
//! for `imgrepl verify`: a small blocking client, kept out of the `imgrepl` core, which does no
//! I/O.
//!
//! - [`Location`]: an image reference read in its normalized form and mapped to the host,
//!   repository and tag or digest that a pull asks for (`nginx` is `library/nginx:latest` on
//!   `registry-1.docker.io`);
//! - [`Credentials`]: logins from a `dockerconfigjson` (or the Secret `imgrepl pull-secret`
//!   prints), matched to images by the kubelet's rules;
//! - [`Client`]: `GET /v2/<name>/manifests/<reference>` with the Accept headers of the OCI index
//!   and manifest and the Docker manifest list and v2 manifest, answering the
//!   `WWW-Authenticate` challenges (Basic, and Bearer with a token from the realm, anonymous or
//!   with the login), a timeout per request and one retry on a connection error;
//!   [`Client::check`] turns the answers into a [`Status`].
//!
//! Credentials are never written into a [`Status`], an error or a `Debug` form: a status names
//! the config key a login came from, nothing else. Basic credentials (to the registry, or to a
//! token realm) are sent only over TLS, or over plain HTTP to a host named in
//! [`Options::insecure_http`].
//!
//! # The HTTP client
//!
//! `ureq` 3 with rustls (ring) and Mozilla's roots, chosen by measurement against `reqwest` 0.12's
//! blocking client with rustls, each in a program that makes one GET (see BENCHMARKS.md, "The
//! registry client"): 22 crates against 87 (`cargo tree -e normal`, distinct), a release build
//! from scratch of 26 s against 44 s, a binary of 3.2 MB against 4.6 MB. Blocking calls over a few
//! threads are all `imgrepl verify` needs; `reqwest`'s blocking client runs a tokio runtime
//! underneath.
//!
//! ```no_run
//! use std::time::Duration;
//! use imgrepl_registry::{Client, Credentials, Location, Options, Status};
//!
//! let client = Client::new(Options {
//!     timeout: Duration::from_secs(10),
//!     ca_pem: None,
//!     insecure_http: Vec::new(),
//!     credentials: Credentials::none(),
//! })?;
//! let status = client.check(&Location::from_image("nginx:1.27")?, &["linux/arm64".parse()?]);
//! assert!(matches!(status, Status::Present { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod client;
mod credentials;
mod location;

pub use client::{ACCEPT, Client, Options, Status};
pub use credentials::{Credentials, Login};
pub use location::{DOCKER_HUB_API_HOST, Location, Platform};
