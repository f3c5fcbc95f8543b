//! `imgrepl verify` against real registries on 127.0.0.1: Debian's `docker-registry` (the
//! distribution registry), with TLS from a CA made here by `openssl`, one instance behind
//! htpasswd (bcrypt, by `htpasswd`), one behind token authentication whose tokens a small
//! endpoint in this file hands out (JWTs signed by `openssl` with the CA key, which the registry
//! checks against the CA), and one as the origin of stale copies. Images are pushed with
//! `skopeo` from OCI layouts written here: a single-platform image, a multi-platform index
//! (linux/amd64 + linux/arm64), an index with linux/amd64 only; digest-pinned references ask by
//! digest.
//!
//! Ignored by a plain `cargo test` (it starts servers); `cargo xtask test registry` installs
//! `docker-registry`, `skopeo`, `apache2-utils` and `openssl` and runs it with `--ignored`.
//! `verify_1000_images` (also run there) times 1,000 distinct images at the default
//! concurrency.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

const USER: &str = "puller";
const PASSWORD: &str = "s3cret-pw";
const WRONG: &str = "wrong-pw";

/// A scratch directory of this test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("imgrepl-verify-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a tool; panics with its stderr when it fails.
#[track_caller]
fn run(command: &mut Command) -> Vec<u8> {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} could not start: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Whether every tool is there; panics when one is missing and `IMGREPL_REQUIRE_TOOLS=1`.
fn tools_present() -> bool {
    for tool in ["docker-registry", "skopeo", "htpasswd", "openssl"] {
        let probe = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !probe {
            assert!(
                std::env::var_os(common::REQUIRE_TOOLS).is_none_or(|v| v != "1"),
                "{tool} is missing; cargo xtask test registry installs it"
            );
            eprintln!("note: skipped: {tool} is not on the PATH");
            return false;
        }
    }
    true
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// The CA, the registries' certificate, and a CA directory for skopeo.
struct Pki {
    ca: PathBuf,
    ca_key: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    cert_dir: PathBuf,
}

fn pki(dir: &Path) -> Pki {
    let p = |n: &str| dir.join(n);
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=imgrepl test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ])
        .args([
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        ])
        .arg("-keyout")
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("ca.pem")));
    run(Command::new("openssl")
        .args([
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args(["-subj", "/CN=127.0.0.1"])
        .arg("-keyout")
        .arg(p("server.key"))
        .arg("-out")
        .arg(p("server.csr")));
    std::fs::write(
        p("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
        .arg("-in")
        .arg(p("server.csr"))
        .arg("-CA")
        .arg(p("ca.pem"))
        .arg("-CAkey")
        .arg(p("ca.key"))
        .arg("-extfile")
        .arg(p("ext.cnf"))
        .arg("-out")
        .arg(p("server.pem")));
    let cert_dir = p("certs.d");
    std::fs::create_dir_all(&cert_dir).unwrap();
    std::fs::copy(p("ca.pem"), cert_dir.join("ca.crt")).unwrap();
    Pki {
        ca: p("ca.pem"),
        ca_key: p("ca.key"),
        cert: p("server.pem"),
        key: p("server.key"),
        cert_dir,
    }
}

/// A running `docker-registry`, stopped when dropped.
struct Registry {
    child: Child,
    port: u16,
    storage: PathBuf,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn start_registry(dir: &Path, name: &str, pki: &Pki, auth: &str) -> Registry {
    let port = free_port();
    let storage = dir.join(format!("{name}-storage"));
    let config = dir.join(format!("{name}.yml"));
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: imgrepl-test-{name}\n  tls:\n    certificate: {}\n    key: {}\n{auth}",
            storage.display(),
            pki.cert.display(),
            pki.key.display()
        ),
    )
    .unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(format!("{name}.log"))).unwrap())
        .spawn()
        .expect("docker-registry starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{name} did not listen on {port}: {}",
            std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Registry {
        child,
        port,
        storage,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
            s
        })
}

/// An OCI layout under construction.
struct Layout {
    dir: PathBuf,
    refs: Vec<serde_json::Value>,
}

impl Layout {
    fn new(dir: PathBuf) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout {
            dir,
            refs: Vec::new(),
        }
    }

    /// Writes a blob; its descriptor.
    fn blob(&self, media_type: &str, bytes: &[u8]) -> serde_json::Value {
        let hex = sha256_hex(bytes);
        std::fs::write(self.dir.join("blobs/sha256").join(&hex), bytes).unwrap();
        serde_json::json!({"mediaType": media_type, "digest": format!("sha256:{hex}"), "size": bytes.len()})
    }

    /// An image manifest for `arch` whose config carries `label`; its descriptor.
    fn image(&self, arch: &str, label: &str) -> serde_json::Value {
        let layer = vec![0u8; 1024]; // an empty tar archive
        let layer_desc = self.blob("application/vnd.oci.image.layer.v1.tar", &layer);
        let config = serde_json::json!({
            "architecture": arch, "os": "linux",
            "config": {"Labels": {"imgrepl.test": label}},
            "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", sha256_hex(&layer))]},
        });
        let config_desc = self.blob(
            "application/vnd.oci.image.config.v1+json",
            config.to_string().as_bytes(),
        );
        let manifest = serde_json::json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config_desc, "layers": [layer_desc],
        });
        self.blob(
            "application/vnd.oci.image.manifest.v1+json",
            manifest.to_string().as_bytes(),
        )
    }

    /// An index of image manifests, one per architecture; its descriptor.
    fn index(&self, arches: &[&str], label: &str) -> serde_json::Value {
        let manifests: Vec<serde_json::Value> = arches
            .iter()
            .map(|a| {
                let mut d = self.image(a, label);
                d["platform"] = serde_json::json!({"os": "linux", "architecture": a});
                d
            })
            .collect();
        let index = serde_json::json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests,
        });
        self.blob(
            "application/vnd.oci.image.index.v1+json",
            index.to_string().as_bytes(),
        )
    }

    /// Names `desc` `tag` in the layout's index.json.
    fn tag(&mut self, tag: &str, mut desc: serde_json::Value) {
        desc["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": tag});
        self.refs.push(desc);
        let index = serde_json::json!({"schemaVersion": 2, "manifests": self.refs});
        std::fs::write(self.dir.join("index.json"), index.to_string()).unwrap();
    }
}

/// `skopeo copy --all oci:LAYOUT:TAG docker://DEST`.
fn push(layout: &Layout, tag: &str, dest: &str, pki: &Pki, creds: Option<&str>) {
    let mut c = Command::new("skopeo");
    c.args(["copy", "--all", "-q", "--preserve-digests"])
        .arg("--dest-cert-dir")
        .arg(&pki.cert_dir);
    if let Some(creds) = creds {
        c.args(["--dest-creds", creds]);
    }
    c.arg(format!("oci:{}:{tag}", layout.dir.display()))
        .arg(format!("docker://{dest}"));
    run(&mut c);
}

/// A JWT the token-authenticated registry accepts: RS256 by the CA key, the CA in `x5c`.
fn jwt(pki: &Pki, dir: &Path, access: &serde_json::Value) -> String {
    let der = run(Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&pki.ca));
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5c": [STANDARD.encode(der)]});
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = serde_json::json!({
        "iss": "imgrepl-test", "sub": USER, "aud": "imgrepl-test",
        "exp": now + 3600, "nbf": now - 60, "iat": now - 60, "jti": format!("{now}-{}", access),
        "access": access,
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let file = dir.join("jwt-input");
    std::fs::write(&file, &input).unwrap();
    let signature = run(Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(&pki.ca_key)
        .arg(&file));
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// A token endpoint on plain HTTP: the `full` token for `USER:PASSWORD`, the `none` token
/// (no access) for anonymous requests, 401 for other credentials. Its port.
fn token_endpoint(full: String, none: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let good = format!("basic {}", STANDARD.encode(format!("{USER}:{PASSWORD}")));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut auth = None;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if line.to_ascii_lowercase().starts_with("authorization:") {
                    auth = Some(line["authorization:".len()..].trim().to_owned());
                }
                line.clear();
            }
            let (status, body) = match auth {
                None => ("200 OK", serde_json::json!({"token": none}).to_string()),
                Some(a) if a.eq_ignore_ascii_case(&good) => (
                    "200 OK",
                    serde_json::json!({"token": full, "expires_in": 3600}).to_string(),
                ),
                Some(_) => ("401 Unauthorized", "{}".to_owned()),
            };
            let mut w = &stream;
            let _ = write!(
                w,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// Every registry, with the images pushed.
struct World {
    _scratch: Scratch,
    dir: PathBuf,
    pki: Pki,
    mirror: Registry,
    private: Registry,
    origin: Registry,
    token: Registry,
    token_port: u16,
    down: u16,
    app: String,
    other: String,
}

fn world(name: &str) -> World {
    let scratch = Scratch::new(name);
    let dir = scratch.0.clone();
    let pki = pki(&dir);
    run(Command::new("htpasswd")
        .args(["-Bbc"])
        .arg(dir.join("htpasswd"))
        .args([USER, PASSWORD]));
    let repos = ["team/app", "team/multi", "team/half"];
    let access = |actions: &[&str]| {
        serde_json::Value::Array(
            repos
                .iter()
                .map(|r| serde_json::json!({"type": "repository", "name": r, "actions": actions}))
                .collect(),
        )
    };
    let full = jwt(&pki, &dir, &access(&["pull", "push"]));
    let none = jwt(&pki, &dir, &serde_json::json!([]));
    let token_port = token_endpoint(full, none);

    let mirror = start_registry(&dir, "mirror", &pki, "");
    let private = start_registry(
        &dir,
        "private",
        &pki,
        &format!(
            "auth:\n  htpasswd:\n    realm: imgrepl-test\n    path: {}\n",
            dir.join("htpasswd").display()
        ),
    );
    let origin = start_registry(&dir, "origin", &pki, "");
    let token = start_registry(
        &dir,
        "token",
        &pki,
        &format!(
            "auth:\n  token:\n    realm: http://127.0.0.1:{token_port}/token\n    service: imgrepl-test\n    issuer: imgrepl-test\n    rootcertbundle: {}\n",
            pki.ca.display()
        ),
    );

    let mut layout = Layout::new(dir.join("layout"));
    let app = layout.image("amd64", "app");
    let other = layout.image("amd64", "other");
    let digest = |d: &serde_json::Value| d["digest"].as_str().unwrap().to_owned();
    let (app_digest, other_digest) = (digest(&app), digest(&other));
    layout.tag("app", app);
    layout.tag("other", other);
    let multi = layout.index(&["amd64", "arm64"], "multi");
    layout.tag("multi", multi);
    let half = layout.index(&["amd64"], "half");
    layout.tag("half", half);

    let creds = format!("{USER}:{PASSWORD}");
    for (tag, dest) in [
        ("app", format!("{}/team/app:1", mirror.host())),
        ("app", format!("{}/team/fresh:1", mirror.host())),
        ("app", format!("{}/team/stale:1", mirror.host())),
        ("multi", format!("{}/team/multi:1", mirror.host())),
        ("half", format!("{}/team/half:1", mirror.host())),
        ("app", format!("{}/team/fresh:1", origin.host())),
        ("other", format!("{}/team/stale:1", origin.host())),
    ] {
        push(&layout, tag, &dest, &pki, None);
    }
    push(
        &layout,
        "app",
        &format!("{}/team/app:1", private.host()),
        &pki,
        Some(&creds),
    );
    push(
        &layout,
        "app",
        &format!("{}/team/app:1", token.host()),
        &pki,
        Some(&creds),
    );
    World {
        _scratch: scratch,
        dir,
        pki,
        mirror,
        private,
        origin,
        token,
        token_port,
        down: free_port(),
        app: app_digest,
        other: other_digest,
    }
}

impl World {
    fn policy(&self) -> PathBuf {
        let policy = serde_json::json!([
            {"repositoryPrefix": "src.example/a", "replaceWith": format!("{}/team", self.mirror.host())},
            {"repositoryPrefix": "src.example/b", "replaceWith": format!("{}/team", self.private.host())},
            {"repositoryPrefix": "src.example/t", "replaceWith": format!("{}/team", self.token.host())},
            {"repositoryPrefix": "src.example/down", "replaceWith": format!("127.0.0.1:{}/team", self.down)},
            {"repositoryPrefix": format!("{}/team", self.origin.host()), "replaceWith": format!("{}/team", self.mirror.host())},
        ]);
        let path = self.dir.join("policy.json");
        std::fs::write(&path, policy.to_string()).unwrap();
        path
    }

    /// A docker config with `password` for the private and token registries, as
    /// `imgrepl pull-secret` prints it (a Secret).
    fn docker_config(&self, password: &str) -> PathBuf {
        let dir = self.dir.join(format!("config-{password}"));
        std::fs::create_dir_all(&dir).unwrap();
        let out = common::imgrepl(
            &[
                "pull-secret",
                "--secret-name",
                "regcred",
                "--server",
                &self.private.host(),
                "--username",
                USER,
                "--server",
                &self.token.host(),
                "--username",
                USER,
                "--password-stdin",
            ],
            format!("{password}\n{password}\n").as_bytes(),
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let path = dir.join("secret.json");
        std::fs::write(&path, out.stdout).unwrap();
        path
    }

    /// `imgrepl verify --json` with the CA and the token endpoint's plain HTTP allowed.
    fn verify(&self, extra: &[&str], images: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
        let policy = self.policy();
        let token = format!("127.0.0.1:{}", self.token_port);
        let mut args = vec!["verify", "--json", "--policy", policy.to_str().unwrap()];
        args.extend([
            "--ca-file",
            self.pki.ca.to_str().unwrap(),
            "--insecure-http",
            &token,
            "--timeout",
            "5s",
        ]);
        args.extend(extra);
        args.extend(images);
        let out = common::imgrepl(&args, b"");
        for secret in [PASSWORD, WRONG] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "a password leaked"
            );
        }
        let rows = out
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (out.code, rows, out.stderr)
    }
}

/// The row of `image`.
fn row<'a>(rows: &'a [serde_json::Value], image: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["image"] == image)
        .unwrap_or_else(|| panic!("no row for {image}: {rows:#?}"))
}

#[test]
#[ignore = "starts registries; run by cargo xtask test registry"]
fn every_result_against_real_registries() {
    if !tools_present() {
        return;
    }
    let w = world("results");
    every_result(&w);
    logins(&w);
    platforms(&w);
    table(&w);
}

/// One run over an image of each result, with the wrong password.
fn every_result(w: &World) {
    let (mirror, origin, token, private) = (
        w.mirror.host(),
        w.origin.host(),
        w.token.host(),
        w.private.host(),
    );
    let no_such = format!("sha256:{}", "0".repeat(64));
    let stale = format!("{origin}/team/stale:1");
    let fresh = format!("{origin}/team/fresh:1");
    let pinned = format!("src.example/a/app@{}", w.app);
    let pinned_missing = format!("src.example/a/app@{no_such}");

    // A manifest holds two of the images: they are found in its pod spec as `apply` finds them.
    let manifest = w.dir.join("deploy.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: a, image: src.example/a/app:1}\n      - {name: b, image: quay.io/other/app:1}\n",
    )
    .unwrap();
    let config = w.docker_config(WRONG);
    let (code, rows, stderr) = w.verify(
        &[
            "--compare-origin",
            "--docker-config",
            config.to_str().unwrap(),
            "-f",
            manifest.to_str().unwrap(),
        ],
        &[
            "src.example/a/app:2",
            "src.example/a/nothing:1",
            &pinned,
            &pinned_missing,
            "src.example/b/app:1",
            "src.example/t/app:1",
            "src.example/down/app:1",
            &stale,
            &fresh,
            "src.example/a/UPPER:1",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let cases: &[(&str, &str)] = &[
        ("src.example/a/app:1", "present"),
        ("quay.io/other/app:1", "not-rewritten"),
        ("src.example/a/app:2", "tag-missing"),
        ("src.example/a/nothing:1", "missing"),
        (&pinned, "present"),
        (&pinned_missing, "missing"),
        ("src.example/b/app:1", "unauthorized"),
        ("src.example/t/app:1", "unauthorized"),
        ("src.example/down/app:1", "unreachable"),
        (&stale, "stale"),
        (&fresh, "present"),
        ("src.example/a/UPPER:1", "error"),
    ];
    for (image, result) in cases {
        assert_eq!(row(&rows, image)["result"], *result, "{image}: {rows:#?}");
    }
    assert_eq!(rows.len(), cases.len());
    assert_eq!(row(&rows, "src.example/a/app:1")["digest"], w.app);
    assert_eq!(
        row(&rows, "src.example/a/app:1")["rewritten"],
        format!("{mirror}/team/app:1")
    );
    assert_eq!(row(&rows, &pinned)["digest"], w.app);
    assert_eq!(row(&rows, &stale)["digest"], w.app);
    assert_eq!(row(&rows, &stale)["originDigest"], w.other);
    assert_eq!(row(&rows, &fresh)["originDigest"], w.app);
    // The wrong password was tried, for the private registry's key (Basic) and for the token
    // registry's (Bearer, the token endpoint refusing it).
    assert_eq!(row(&rows, "src.example/b/app:1")["tried"], private);
    assert_eq!(row(&rows, "src.example/b/app:1")["status"], 401);
    assert_eq!(row(&rows, "src.example/t/app:1")["tried"], token);
    let cause = row(&rows, "src.example/down/app:1")["cause"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(cause.contains(&format!("127.0.0.1:{}", w.down)), "{cause}");
    assert!(row(&rows, "quay.io/other/app:1")["rewritten"].is_null());
}

/// The right password, and none.
fn logins(w: &World) {
    // The right password: Basic and Bearer (a token from the realm with the login) pass;
    // anonymous Bearer (no login for the token registry) gets a token without access.
    let config = w.docker_config(PASSWORD);
    let (code, rows, stderr) = w.verify(
        &["--docker-config", config.to_str().unwrap()],
        &["src.example/b/app:1", "src.example/t/app:1"],
    );
    assert_eq!(code, 0, "{stderr} {rows:#?}");
    assert_eq!(row(&rows, "src.example/b/app:1")["digest"], w.app);
    assert_eq!(row(&rows, "src.example/t/app:1")["digest"], w.app);
    let (code, rows, _) = w.verify(&[], &["src.example/t/app:1", "src.example/b/app:1"]);
    assert_eq!(code, 1);
    for image in ["src.example/t/app:1", "src.example/b/app:1"] {
        assert_eq!(row(&rows, image)["result"], "unauthorized");
        assert!(row(&rows, image)["tried"].is_null(), "anonymous");
    }
    // The token realm is plain HTTP: without --insecure-http naming it, the login is not sent
    // there, and the image is an error that says so.
    let policy = w.policy();
    let out = common::imgrepl(
        &[
            "verify",
            "--json",
            "--policy",
            policy.to_str().unwrap(),
            "--ca-file",
            w.pki.ca.to_str().unwrap(),
            "--docker-config",
            config.to_str().unwrap(),
            "src.example/t/app:1",
        ],
        b"",
    );
    assert_eq!(out.code, 1);
    let rows: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["result"], "error");
    let cause = rows[0]["cause"].as_str().unwrap();
    assert!(
        cause.contains("not sent over plain HTTP") && cause.contains("--insecure-http"),
        "{cause}"
    );
    assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));
}

/// `--platform`.
fn platforms(w: &World) {
    // Platforms: the full index has both, the half index lacks arm64, and so does the
    // single-platform (amd64) image.
    let (code, rows, _) = w.verify(
        &["--platform", "linux/amd64,linux/arm64"],
        &[
            "src.example/a/multi:1",
            "src.example/a/half:1",
            "src.example/a/app:1",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(row(&rows, "src.example/a/multi:1")["result"], "present");
    for image in ["src.example/a/half:1", "src.example/a/app:1"] {
        assert_eq!(row(&rows, image)["result"], "platform-missing", "{image}");
        assert_eq!(
            row(&rows, image)["missing"],
            serde_json::json!(["linux/arm64"])
        );
    }
    let (code, _, _) = w.verify(
        &["--platform", "linux/amd64"],
        &["src.example/a/multi:1", "src.example/a/half:1"],
    );
    assert_eq!(code, 0);
}

/// The table, and a run without the CA.
fn table(w: &World) {
    let mirror = w.mirror.host();
    // The table, for a person; without the CA, TLS fails: unreachable, naming the cause.
    let policy = w.policy();
    // What the READMEs show: a run as a person sees it, and its JSON (printed, not checked here:
    // the rows are checked above).
    let config = w.docker_config(PASSWORD);
    for format in [&[][..], &["--json"][..]] {
        let mut args = vec![
            "verify",
            "--policy",
            policy.to_str().unwrap(),
            "--ca-file",
            w.pki.ca.to_str().unwrap(),
        ];
        args.extend([
            "--docker-config",
            config.to_str().unwrap(),
            "--platform",
            "linux/amd64,linux/arm64",
        ]);
        args.extend(format);
        args.extend([
            "src.example/a/multi:1",
            "src.example/a/half:1",
            "src.example/a/multi:2",
            "src.example/b/multi:1",
            "quay.io/other/app:1",
        ]);
        let out = common::imgrepl(&args, b"");
        println!("{}", out.stdout);
    }
    // Two images that rewrite to the same location: it is asked once.
    let also_app = format!("{}/team/app:1", w.origin.host());
    let out = common::imgrepl(
        &[
            "verify",
            "--policy",
            policy.to_str().unwrap(),
            "--ca-file",
            w.pki.ca.to_str().unwrap(),
            "src.example/a/app:1",
            "quay.io/x/y",
            &also_app,
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("RESULT"), "{}", out.stdout);
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[1],
        [
            "present",
            "src.example/a/app:1",
            &format!("{mirror}/team/app:1"),
            // Tables shorten digests to fit a terminal; `--json` has them whole.
            &format!("{}…", &w.app[..7 + 12])
        ]
    );
    assert_eq!(rows[2][..3], ["not-rewritten", "quay.io/x/y", "-"]);
    assert_eq!(
        rows[3][..3],
        ["present", &also_app, &format!("{mirror}/team/app:1")]
    );
    assert!(
        out.stdout
            .contains("3 images, 1 location asked: 2 present, 1 not-rewritten"),
        "{}",
        out.stdout
    );
    let out = common::imgrepl(
        &[
            "verify",
            "--json",
            "--policy",
            policy.to_str().unwrap(),
            "src.example/a/app:1",
        ],
        b"",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains(r#""result":"unreachable""#),
        "{}",
        out.stdout
    );
}

#[test]
#[ignore = "starts a registry; run by cargo xtask test registry"]
fn verify_1000_images() {
    if !tools_present() {
        return;
    }
    let w = world("bench");
    // 1,000 tags of one image, written into the registry's storage as the registry keeps tags.
    let hex = w.app.trim_start_matches("sha256:");
    let tags = w
        .mirror
        .storage
        .join("docker/registry/v2/repositories/team/app/_manifests/tags");
    for i in 0..1000 {
        for sub in ["current".to_owned(), format!("index/sha256/{hex}")] {
            let d = tags.join(format!("t{i}")).join(sub);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("link"), &w.app).unwrap();
        }
    }
    let images: String = (0..1000).fold(String::new(), |mut s, i| {
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("src.example/a/app:t{i}\n"));
        s
    });
    let policy = w.policy();
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_imgrepl"))
        .args([
            "verify",
            "--json",
            "--policy",
            policy.to_str().unwrap(),
            "--ca-file",
            w.pki.ca.to_str().unwrap(),
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(images.as_bytes())
        .unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    let elapsed = start.elapsed();
    assert!(status.success());
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.contains(r#""result":"present""#))
            .count(),
        1000
    );
    println!(
        "verify: 1000 distinct images, default concurrency: {:.2} s",
        elapsed.as_secs_f64()
    );
    eprintln!(
        "verify: 1000 distinct images, default concurrency: {:.2} s",
        elapsed.as_secs_f64()
    );
}
