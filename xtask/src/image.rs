//! `cargo xtask image`: the OCI image of `imgrepl-webhook`, written without a container engine
//! or daemon, checked with skopeo and umoci; and the `image` step of `cargo xtask test`.
//!
//! The image is one layer on an empty base (`scratch`):
//!
//! | path | what |
//! |---|---|
//! | `/usr/local/bin/imgrepl-webhook` | the server, a fully static binary (mode 0755, owned by root) |
//! | `/usr/share/doc/imgrepl-webhook/LICENSE-*` | the project's license texts |
//!
//! Its config runs the binary (`Entrypoint`) as user `65532:65532`, exposes 8443/tcp and carries
//! the `org.opencontainers.image.*` labels (title, description, version and licenses from the
//! workspace, source from its repository).
//!
//! **The binary.** `libimgrepl.a` is built (`cargo build --release -p imgrepl-c`), then
//! `go build -trimpath -buildvcs=false -tags imgrepl_pkgconfig,netgo,osusergo -ldflags '-s -w
//! -buildid= -linkmode external -extldflags -static'` links it, the Go runtime and glibc into one static
//! executable; `file` must call it statically linked. `libimgrepl.a` is named in `CGO_LDFLAGS`
//! (which Go's build cache keys on) and the native libraries rustc lists for it, less
//! `-lgcc_s`, by a pkg-config file of this module's own (a static link takes the unwinder from `libgcc_eh.a`, which gcc adds
//! under `-static`). glibc warns, when linked statically, about the functions that need its
//! shared NSS modules at run time: the link is read and fails on any such warning except those
//! from Rust's standard library inside `libimgrepl.a` (`getaddrinfo` of `ToSocketAddrs`,
//! `getpwuid_r` of `env::home_dir`), which libimgrepl never calls (it does no I/O). Go's own
//! resolver and user lookups are the pure Go ones (`netgo`, `osusergo`), and the server does
//! neither.
//!
//! **The layout.** This module writes the layer (a ustar archive in path order, every entry
//! owned by 0:0 with the same mtime), compresses it with gzip (flate2, pinned by `Cargo.lock`,
//! header without name and with mtime 0), and writes the config, the manifest and `index.json`
//! as JSON with sorted keys. The time is `SOURCE_DATE_EPOCH` when set, else 0 (1970-01-01).
//! The binary has no Go build ID (`-buildid=`: it differs between a cold and a warm Go build
//! cache where the code does not) and no path of the checkout (`-trimpath`; cargo names the
//! workspace's sources relatively). So the same sources, `Cargo.lock`, toolchains (rustc, Go,
//! gcc and glibc) and cargo home give the same digest, from any checkout; the cargo home counts
//! because the paths of the registry's sources stay in Rust's panic messages. Outputs:
//!
//! - `target/image/imgrepl-webhook/`: the OCI layout, tag = the workspace version
//!   (`oci:target/image/imgrepl-webhook:0.1.0` for skopeo, `--image
//!   target/image/imgrepl-webhook:0.1.0` for umoci);
//! - `target/image/imgrepl-webhook-0.1.0.tar`: the same as an `oci-archive` (a tar of the
//!   layout, also deterministic), to push with `skopeo copy`.
//!
//! **The check** (`cargo xtask image` runs it unless given `--no-check`): `skopeo inspect` of the
//! layout and of the archive must report the digest, labels, platform, layer and user written
//! here; `skopeo copy` of the layout into another layout must verify every blob and keep the
//! digest; `umoci stat` must list the one layer; `umoci unpack --rootless` must give back the
//! binary (same sha256, executable) and a runtime config whose process is the entrypoint as
//! 65532:65532. skopeo and umoci come from Debian, installed with apt when missing.
//!
//! **The `image` step** of `cargo xtask test` builds and checks the image, renders `deploy/`
//! with `kubectl kustomize` (installing Debian's `kubernetes-client` when kubectl is missing) and
//! checks that the rendered Deployment names the image built here and that the Service, the
//! certificate and the webhook configuration agree on the Service's name. Then it runs the
//! unpacked image as a runtime would: `chroot --userspec=65532:65532` into the rootfs (when run
//! as root; otherwise the binary from the rootfs, as the current user), the config's process
//! arguments followed by the rendered Deployment's `args` and `--listen=127.0.0.1:PORT`, with a
//! throw-away certificate (openssl) for the Service's DNS name at the paths the args name. curl
//! resolves that name to 127.0.0.1 and checks `GET /healthz` (200 `ok`) and a `POST /mutate` whose
//! answer must be an `AdmissionReview` with the request's uid and the expected patch; then SIGTERM
//! must stop the server with status 0 within 30 s. Each sub-step prints its time.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use base64::Engine as _;
use flate2::{Compression, GzBuilder};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::capi;
use crate::cmd::{Cmd, root, say};
use crate::golang;

/// The image's repository name, the name of the binary, and the name `deploy/` gives it.
const NAME: &str = "imgrepl-webhook";

/// Where the binary is in the image.
const ENTRYPOINT: &str = "/usr/local/bin/imgrepl-webhook";

/// The user the image runs as (the Deployment's `runAsUser`); 65532 is the usual "nonroot" id
/// of distroless images.
const USER: (u32, u32) = (65532, 65532);

/// The port the server listens on by default (`--listen=:8443`).
const PORT: u16 = 8443;

const INDEX_TYPE: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const CONFIG_TYPE: &str = "application/vnd.oci.image.config.v1+json";
const LAYER_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// `target/image/`: what `cargo xtask image` leaves for the user.
fn out_dir() -> PathBuf {
    root().join("target").join("image")
}

/// `target/xtask/image/`: the binary's build, the unpacked bundle, the test's certificate.
fn scratch() -> PathBuf {
    root().join("target").join("xtask").join("image")
}

/// A path for messages: relative to the workspace root when it is inside.
fn shown(path: &Path) -> String {
    let root = root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Runs `f`, printing how long it took under `name`.
fn timed<T>(name: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let t = Instant::now();
    let out = f()?;
    say(format_args!(
        "image: {name} done ({:.1}s)",
        t.elapsed().as_secs_f64()
    ));
    Ok(out)
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> String + '_ {
    move |e| format!("{}: {e}", path.display())
}

/// What the workspace says about the package: version, license, repository.
struct Workspace {
    version: String,
    license: String,
    repository: String,
}

/// Reads the webhook's library package (`imgrepl-c`, whose version, license and repository are
/// the workspace's) from `cargo metadata`.
fn workspace() -> Result<Workspace, String> {
    let text = crate::cmd::cargo_metadata()?;
    let meta: Value = serde_json::from_str(&text).map_err(|e| format!("cargo metadata: {e}"))?;
    let package = meta["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "imgrepl-c"))
        .ok_or("cargo metadata lists no imgrepl-c package")?;
    let field = |key: &str| {
        package[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("imgrepl-c has no `{key}` in cargo metadata"))
    };
    Ok(Workspace {
        version: field("version")?,
        license: field("license")?,
        repository: field("repository")?,
    })
}

/// The native libraries of a static link of `libimgrepl.a`, from those rustc lists for a
/// dynamic one: `-lgcc_s` (shared only) goes, since gcc links `libgcc.a` and `libgcc_eh.a` (the
/// unwinder) itself under `-static`.
fn static_libs(native: &str) -> String {
    native
        .split_whitespace()
        .filter(|l| *l != "-lgcc_s")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the linker's warnings about glibc functions in a static link (`warning: Using 'F' in
/// statically linked applications requires at run time the shared libraries …`): every one must
/// come from Rust's standard library inside `libimgrepl.a` (the `in function` line before it),
/// which libimgrepl never calls. Returns the functions warned about.
///
/// # Errors
///
/// A message quoting a warning that comes from anywhere else (Go's cgo resolver or user lookup
/// would, without `netgo` and `osusergo`).
fn glibc_warnings(stderr: &str) -> Result<Vec<String>, String> {
    let mut functions = Vec::new();
    let mut context = "";
    for line in stderr.lines() {
        if line.contains(": in function `") {
            context = line;
            continue;
        }
        let Some(rest) = line.split_once("warning: Using '").map(|(_, r)| r) else {
            continue;
        };
        let function = rest.split('\'').next().unwrap_or(rest);
        if !(context.contains("libimgrepl.a(") && context.contains("in function `std::")) {
            return Err(format!(
                "the static link uses glibc's `{function}` outside Rust's standard library: \
                 it would need glibc's shared libraries at run time\n{context}\n{line}"
            ));
        }
        if !functions.iter().any(|f| f == function) {
            functions.push(function.to_owned());
        }
    }
    Ok(functions)
}

/// Builds the static `imgrepl-webhook` into `target/xtask/image/build/` and returns its path and
/// the Go architecture it is for.
fn build_binary() -> Result<(PathBuf, String), String> {
    crate::tools::ensure(crate::tools::GO_CGO)?;
    crate::tools::ensure(crate::tools::IMAGE_BUILD)?;
    capi::build_lib()?;
    let dir = scratch().join("build");
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let pc = format!(
        "# libimgrepl linked statically into the imgrepl-webhook image (cargo xtask image)\n\
         Name: imgrepl\n\
         Description: libimgrepl, static\n\
         Version: 0\n\
         Libs: {}\n\
         Cflags: -I{}\n",
        static_libs(&capi::native_static_libs()?),
        root().join("bindings-c").join("include").display(),
    );
    let pc_path = dir.join("imgrepl.pc");
    std::fs::write(&pc_path, pc).map_err(io_err(&pc_path))?;
    let binary = dir.join(NAME);
    let (_, stderr) = golang::go(&golang::webhook_dir())
        .args([
            "build",
            "-trimpath",
            "-buildvcs=false",
            "-tags",
            "imgrepl_pkgconfig,netgo,osusergo",
            "-ldflags",
            "-s -w -buildid= -linkmode external -extldflags -static",
            "-o",
        ])
        .arg(&binary)
        .arg(".")
        .env("PKG_CONFIG_PATH", &dir)
        // The library itself goes in CGO_LDFLAGS, before pkg-config's native libraries: Go's
        // build cache keys on CGO_LDFLAGS but not on what pkg-config prints, so with -trimpath
        // another checkout's cached package would otherwise link that checkout's library path.
        .env("CGO_LDFLAGS", capi::lib_dir().join("libimgrepl.a"))
        .run_captured()?;
    let warned = glibc_warnings(&stderr)?;
    if !warned.is_empty() {
        say(format_args!(
            "the static link warns about glibc's {}: they come from Rust's standard library in \
             libimgrepl.a, which libimgrepl never calls",
            warned.join(", ")
        ));
    }
    let file = Cmd::new("file").arg("-b").arg(&binary).read()?;
    say(format_args!("{}: {file}", shown(&binary)));
    if !file.contains("ELF") || !file.contains("statically linked") {
        return Err(format!(
            "{} is not a static executable: {file}",
            shown(&binary)
        ));
    }
    let arch = golang::go(&golang::webhook_dir())
        .args(["env", "GOARCH"])
        .read()?;
    Ok((binary, arch))
}

/// One entry of the layer.
struct Entry {
    /// The path inside the image, relative (`usr/local/bin/imgrepl-webhook`).
    path: String,
    /// `None` for a directory.
    data: Option<Vec<u8>>,
    mode: u32,
}

/// The layer's entries for the binary and the license texts, with their parent directories,
/// in path order.
fn entries(binary: Vec<u8>, licenses: Vec<(&str, Vec<u8>)>) -> Vec<Entry> {
    let bin = ENTRYPOINT.trim_start_matches('/');
    let mut files = vec![(bin.to_owned(), binary, 0o755)];
    for (name, text) in licenses {
        files.push((format!("usr/share/doc/{NAME}/{name}"), text, 0o644));
    }
    let mut out: Vec<Entry> = Vec::new();
    for (path, data, mode) in files {
        let mut parent = String::new();
        for part in path
            .split('/')
            .collect::<Vec<_>>()
            .split_last()
            .map_or(&[][..], |(_, dirs)| dirs)
        {
            parent.push_str(part);
            parent.push('/');
            if !out.iter().any(|e| e.path == parent) {
                out.push(Entry {
                    path: parent.clone(),
                    data: None,
                    mode: 0o755,
                });
            }
        }
        out.push(Entry {
            path,
            data: Some(data),
            mode,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// A ustar archive of `entries`, in their order, every entry owned by 0:0 with mtime `mtime`.
fn tar(entries: &[Entry], mtime: u64) -> Result<Vec<u8>, String> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_ustar();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_mode(entry.mode);
        let data: &[u8] = if let Some(data) = &entry.data {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(data.len() as u64);
            data
        } else {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            &[]
        };
        builder
            .append_data(&mut header, &entry.path, data)
            .map_err(|e| format!("tar {}: {e}", entry.path))?;
    }
    builder.into_inner().map_err(|e| format!("tar: {e}"))
}

/// gzip of `data`, best compression, no file name, mtime 0: the same bytes for the same input.
fn gzip(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::best());
    encoder.write_all(data).map_err(|e| format!("gzip: {e}"))?;
    encoder.finish().map_err(|e| format!("gzip: {e}"))
}

/// `sha256:<hex>` of `data`.
fn digest(data: &[u8]) -> String {
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256:");
    for byte in Sha256::digest(data) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// `value` as compact JSON with every object's keys sorted: the same bytes whatever the order
/// of insertion (`serde_json` keeps insertion order when another crate of the build turns on its
/// `preserve_order` feature).
fn canonical_json(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// RFC 3339 (UTC) of a Unix time, as the OCI config's `created` wants it.
fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Days to a civil date (H. Hinnant's algorithm), for dates from 1970 on.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `SOURCE_DATE_EPOCH` when set (the reproducible-builds convention), else 0.
fn source_date() -> Result<u64, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH=`{v}` is not a count of seconds")),
        Err(_) => Ok(0),
    }
}

/// A blob of the image: its bytes and their digest.
struct Blob {
    data: Vec<u8>,
    digest: String,
}

impl Blob {
    fn new(data: Vec<u8>) -> Self {
        let digest = digest(&data);
        Blob { data, digest }
    }

    fn hex(&self) -> &str {
        self.digest.trim_start_matches("sha256:")
    }

    fn descriptor(&self, media_type: &str) -> Value {
        json!({"mediaType": media_type, "digest": self.digest, "size": self.data.len()})
    }
}

/// What was written, for the check and the report.
pub struct Image {
    /// `imgrepl-webhook:<version>`: the name `deploy/kustomization.yaml` must give.
    pub name: String,
    tag: String,
    /// The manifest's digest: the image's digest.
    pub digest: String,
    layout: PathBuf,
    archive: PathBuf,
    config: Value,
    config_digest: String,
    layer_digest: String,
    /// The layer's compressed and uncompressed sizes.
    layer_sizes: (usize, usize),
    /// Manifest, config and layer: what a registry stores.
    total_size: usize,
    /// sha256 of the binary, to find it again after unpacking.
    binary_digest: String,
    arch: String,
}

/// The image's labels.
fn labels(ws: &Workspace) -> Value {
    json!({
        "org.opencontainers.image.title": NAME,
        "org.opencontainers.image.description": "Kubernetes mutating admission webhook that rewrites container images by an image replacement policy (imgrepl)",
        "org.opencontainers.image.version": ws.version,
        "org.opencontainers.image.source": ws.repository,
        "org.opencontainers.image.licenses": ws.license,
    })
}

/// Writes the OCI layout and the oci-archive of the image holding `binary`.
fn write_image(binary: &Path, arch: &str, ws: &Workspace) -> Result<Image, String> {
    let time = source_date()?;
    let created = rfc3339(time);
    let bin = std::fs::read(binary).map_err(io_err(binary))?;
    let binary_digest = digest(&bin);
    let mut licenses = Vec::new();
    for name in ["LICENSE-APACHE", "LICENSE-MIT"] {
        let path = root().join(name);
        licenses.push((name, std::fs::read(&path).map_err(io_err(&path))?));
    }
    let layer_tar = tar(&entries(bin, licenses), time)?;
    let diff_id = digest(&layer_tar);
    let layer = Blob::new(gzip(&layer_tar)?);
    let config = json!({
        "architecture": arch,
        "os": "linux",
        "created": created,
        "config": {
            "User": format!("{}:{}", USER.0, USER.1),
            "Entrypoint": [ENTRYPOINT],
            "WorkingDir": "/",
            "ExposedPorts": {format!("{PORT}/tcp"): {}},
            "Labels": labels(ws),
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{
            "created": created,
            "created_by": "cargo xtask image",
            "comment": "imgrepl-webhook, static (Go, cgo over libimgrepl.a, glibc), on an empty base",
        }],
    });
    let config_blob = Blob::new(canonical_json(&config).into_bytes());
    let manifest = Blob::new(
        canonical_json(&json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": config_blob.descriptor(CONFIG_TYPE),
            "layers": [layer.descriptor(LAYER_TYPE)],
        }))
        .into_bytes(),
    );
    let tag = ws.version.clone();
    let mut manifest_descriptor = manifest.descriptor(MANIFEST_TYPE);
    manifest_descriptor["platform"] = json!({"architecture": arch, "os": "linux"});
    manifest_descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
    let index = canonical_json(&json!({
        "schemaVersion": 2,
        "mediaType": INDEX_TYPE,
        "manifests": [manifest_descriptor],
    }));
    let oci_layout = canonical_json(&json!({"imageLayoutVersion": "1.0.0"}));

    let mut blobs = [&layer, &config_blob, &manifest];
    blobs.sort_by(|a, b| a.digest.cmp(&b.digest));
    let mut files: Vec<(String, &[u8])> = vec![
        ("oci-layout".to_owned(), oci_layout.as_bytes()),
        ("index.json".to_owned(), index.as_bytes()),
    ];
    for blob in blobs {
        files.push((format!("blobs/sha256/{}", blob.hex()), &blob.data));
    }
    let layout = out_dir().join(NAME);
    let archive = out_dir().join(format!("{NAME}-{tag}.tar"));
    write_files(&files, &layout, &archive, time)?;

    Ok(Image {
        name: format!("{NAME}:{tag}"),
        tag,
        digest: manifest.digest.clone(),
        layout,
        archive,
        config,
        config_digest: config_blob.digest.clone(),
        layer_digest: layer.digest.clone(),
        layer_sizes: (layer.data.len(), layer_tar.len()),
        total_size: layer.data.len() + config_blob.data.len() + manifest.data.len(),
        binary_digest,
        arch: arch.to_owned(),
    })
}

/// Writes the layout's `files` (path, bytes) into the directory `layout`, anew, and the same
/// files as the oci-archive `archive`.
fn write_files(
    files: &[(String, &[u8])],
    layout: &Path,
    archive: &Path,
    time: u64,
) -> Result<(), String> {
    if layout.exists() {
        std::fs::remove_dir_all(layout).map_err(io_err(layout))?;
    }
    let blobs_dir = layout.join("blobs").join("sha256");
    std::fs::create_dir_all(&blobs_dir).map_err(io_err(&blobs_dir))?;
    let mut entries = Vec::new();
    for dir in ["blobs/", "blobs/sha256/"] {
        entries.push(Entry {
            path: dir.to_owned(),
            data: None,
            mode: 0o755,
        });
    }
    for (path, data) in files {
        let to = layout.join(path);
        std::fs::write(&to, data).map_err(io_err(&to))?;
        entries.push(Entry {
            path: path.clone(),
            data: Some(data.to_vec()),
            mode: 0o644,
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    std::fs::write(archive, tar(&entries, time)?).map_err(io_err(archive))
}

/// Builds the binary and writes the image.
fn build() -> Result<Image, String> {
    let ws = workspace()?;
    let (binary, arch) = timed("static binary", build_binary)?;
    let image = timed("OCI layout and archive", || {
        write_image(&binary, &arch, &ws)
    })?;
    let (gz, raw) = image.layer_sizes;
    println!("image    {}", image.name);
    println!("digest   {}", image.digest);
    println!(
        "size     {} bytes compressed ({} MiB: layer {gz}, config and manifest {}), {raw} bytes uncompressed ({} MiB)",
        image.total_size,
        mib(image.total_size),
        image.total_size - gz,
        mib(raw),
    );
    println!(
        "layout   {} (oci:{}:{})",
        shown(&image.layout),
        shown(&image.layout),
        image.tag
    );
    println!(
        "archive  {} (oci-archive:{})",
        shown(&image.archive),
        shown(&image.archive)
    );
    Ok(image)
}

#[allow(
    clippy::cast_precision_loss,
    reason = "a size in MiB, for reading, far below 2^52 bytes"
)]
fn mib(bytes: usize) -> String {
    format!("{:.2}", bytes as f64 / f64::from(1u32 << 20))
}

/// Fails unless what a tool reports (`theirs`) is what was written (`ours`).
fn agree(tool: &str, what: &str, theirs: &Value, ours: &Value) -> Result<(), String> {
    if theirs == ours {
        Ok(())
    } else {
        Err(format!(
            "{tool} disagrees with the image written: {what} is {theirs}, expected {ours}"
        ))
    }
}

fn parse_json(tool: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{tool} printed no JSON ({e}):\n{text}"))
}

/// skopeo's view of the image: digest, labels, platform, layers, and the config's user,
/// entrypoint and layer ids.
fn skopeo_agrees(image: &Image, reference: &str) -> Result<(), String> {
    let tool = format!("skopeo inspect {reference}");
    let inspect = parse_json(
        &tool,
        &Cmd::new("skopeo").args(["inspect", reference]).read()?,
    )?;
    agree(&tool, "Digest", &inspect["Digest"], &json!(image.digest))?;
    agree(
        &tool,
        "Labels",
        &inspect["Labels"],
        &image.config["config"]["Labels"],
    )?;
    agree(
        &tool,
        "Architecture",
        &inspect["Architecture"],
        &json!(image.arch),
    )?;
    agree(&tool, "Os", &inspect["Os"], &json!("linux"))?;
    agree(
        &tool,
        "Layers",
        &inspect["Layers"],
        &json!([image.layer_digest]),
    )?;
    let tool = format!("skopeo inspect --config {reference}");
    let config = parse_json(
        &tool,
        &Cmd::new("skopeo")
            .args(["inspect", "--config", reference])
            .read()?,
    )?;
    for key in ["User", "Entrypoint", "ExposedPorts"] {
        agree(
            &tool,
            key,
            &config["config"][key],
            &image.config["config"][key],
        )?;
    }
    agree(&tool, "rootfs", &config["rootfs"], &image.config["rootfs"])?;
    let raw = Cmd::new("skopeo")
        .args(["inspect", "--raw", "--config", reference])
        .read()?;
    agree(
        &format!("skopeo inspect --raw --config {reference}"),
        "the config's digest",
        &json!(digest(raw.as_bytes())),
        &json!(image.config_digest),
    )
}

/// Checks the image with skopeo and umoci (see the module doc) and returns the bundle that
/// `umoci unpack --rootless` made of it.
///
/// # Errors
///
/// A message naming the tool and the field it disagrees about.
fn check(image: &Image) -> Result<PathBuf, String> {
    crate::tools::ensure(crate::tools::OCI)?;
    for version in [
        Cmd::new("skopeo").arg("--version"),
        Cmd::new("umoci").arg("--version"),
    ] {
        say(version.read()?);
    }
    skopeo_checks(image)?;
    let bundle = umoci_checks(image)?;
    say(format_args!(
        "skopeo and umoci agree with the image written ({}, {})",
        image.name, image.digest
    ));
    Ok(bundle)
}

/// `skopeo inspect` of the layout and the archive, and `skopeo copy` of the layout.
fn skopeo_checks(image: &Image) -> Result<(), String> {
    let layout_ref = format!("oci:{}:{}", image.layout.display(), image.tag);
    skopeo_agrees(image, &layout_ref)?;
    skopeo_agrees(image, &format!("oci-archive:{}", image.archive.display()))?;

    // A copy reads and verifies every blob; between two layouts it keeps the manifest as is.
    let copy = scratch().join("copy");
    if copy.exists() {
        std::fs::remove_dir_all(&copy).map_err(io_err(&copy))?;
    }
    let copy_ref = format!("oci:{}:{}", copy.display(), image.tag);
    Cmd::new("skopeo")
        .args(["copy", "--quiet", &layout_ref, &copy_ref])
        .run()?;
    let index_path = copy.join("index.json");
    let index = parse_json(
        "skopeo copy",
        &std::fs::read_to_string(&index_path).map_err(io_err(&index_path))?,
    )?;
    agree(
        "skopeo copy",
        "the copied manifest's digest",
        &index["manifests"][0]["digest"],
        &json!(image.digest),
    )
}

/// `umoci stat`, and `umoci unpack --rootless` into the bundle it returns.
fn umoci_checks(image: &Image) -> Result<PathBuf, String> {
    let umoci_ref = format!("{}:{}", image.layout.display(), image.tag);
    let tool = "umoci stat --json";
    let stat = parse_json(
        tool,
        &Cmd::new("umoci")
            .args(["stat", "--json", "--image", &umoci_ref])
            .read()?,
    )?;
    let history = stat["history"].as_array().cloned().unwrap_or_default();
    agree(
        tool,
        "the history's length",
        &json!(history.len()),
        &json!(1),
    )?;
    agree(
        tool,
        "the layer",
        &history[0]["layer"]["digest"],
        &json!(image.layer_digest),
    )?;
    agree(
        tool,
        "created_by",
        &history[0]["created_by"],
        &image.config["history"][0]["created_by"],
    )?;

    let bundle = scratch().join("bundle");
    if bundle.exists() {
        std::fs::remove_dir_all(&bundle).map_err(io_err(&bundle))?;
    }
    Cmd::new("umoci")
        .args(["unpack", "--rootless", "--image", &umoci_ref])
        .arg(&bundle)
        .run()?;
    let tool = "umoci unpack --rootless";
    let unpacked = bundle
        .join("rootfs")
        .join(ENTRYPOINT.trim_start_matches('/'));
    let bin = std::fs::read(&unpacked).map_err(io_err(&unpacked))?;
    agree(
        tool,
        "the binary's sha256",
        &json!(digest(&bin)),
        &json!(image.binary_digest),
    )?;
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&unpacked)
            .map_err(io_err(&unpacked))?
            .permissions(),
    );
    agree(
        tool,
        "the binary's mode",
        &json!(mode & 0o777),
        &json!(0o755),
    )?;
    let runtime = runtime_config(&bundle)?;
    agree(
        tool,
        "the process's args",
        &runtime["process"]["args"],
        &json!([ENTRYPOINT]),
    )?;
    agree(
        tool,
        "the process's user",
        &json!([
            runtime["process"]["user"]["uid"],
            runtime["process"]["user"]["gid"]
        ]),
        &json!([USER.0, USER.1]),
    )?;
    Ok(bundle)
}

/// The runtime config (`config.json`) of an unpacked bundle.
fn runtime_config(bundle: &Path) -> Result<Value, String> {
    let path = bundle.join("config.json");
    parse_json(
        "umoci unpack",
        &std::fs::read_to_string(&path).map_err(io_err(&path))?,
    )
}

/// `cargo xtask image [--no-check]`.
///
/// # Errors
///
/// When the binary does not build static, the image cannot be written, or (without
/// `--no-check`) skopeo or umoci disagree with it.
pub fn run(args: &[String]) -> Result<(), String> {
    let check_it = match args {
        [] => true,
        [flag] if flag == "--no-check" => false,
        _ => return Err("usage: cargo xtask image [--no-check]".to_owned()),
    };
    let image = build()?;
    if check_it {
        timed("skopeo and umoci checks", || check(&image))?;
    }
    Ok(())
}

/// What the `image` step takes from `kubectl kustomize deploy`.
struct Rendered {
    /// The webhook container's image.
    image: String,
    /// The webhook container's args.
    args: Vec<String>,
    /// `<service>.<namespace>.svc`: the name the API server calls and the certificate names.
    service_dns: String,
}

/// The one object of `kind` (and `name`, when given) in the rendered documents.
fn object<'a>(docs: &'a [Value], kind: &str, name: Option<&str>) -> Result<&'a Value, String> {
    let found: Vec<&Value> = docs
        .iter()
        .filter(|d| d["kind"] == kind && name.is_none_or(|n| d["metadata"]["name"] == n))
        .collect();
    match found[..] {
        [one] => Ok(one),
        _ => Err(format!(
            "kubectl kustomize deploy renders {} {kind} objects{}, expected one",
            found.len(),
            name.map(|n| format!(" named {n}")).unwrap_or_default()
        )),
    }
}

/// Reads the rendered `deploy/`: the Deployment's container, and the Service's name as the
/// webhook configuration and the certificate must name it.
fn read_rendered(text: &str) -> Result<Rendered, String> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text)
        .map_err(|e| format!("kubectl kustomize deploy: not YAML: {e}"))?;
    for kind in ["Namespace", "ServiceAccount", "PodDisruptionBudget"] {
        object(&docs, kind, None)?;
    }
    let deployment = object(&docs, "Deployment", Some(NAME))?;
    let service = object(&docs, "Service", Some(NAME))?;
    let namespace = service["metadata"]["namespace"]
        .as_str()
        .ok_or("the rendered Service has no namespace")?;
    agree(
        "kubectl kustomize deploy",
        "the Deployment's namespace",
        &deployment["metadata"]["namespace"],
        &json!(namespace),
    )?;
    let containers = deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let [container] = &containers[..] else {
        return Err(format!(
            "the rendered Deployment has {} containers, expected one",
            containers.len()
        ));
    };
    let image = container["image"]
        .as_str()
        .ok_or("the rendered Deployment's container has no image")?
        .to_owned();
    let args = container["args"]
        .as_array()
        .map_or(Some(Vec::new()), |a| {
            a.iter().map(|v| v.as_str().map(str::to_owned)).collect()
        })
        .ok_or("the rendered Deployment's args are not all strings")?;
    let webhooks = object(&docs, "MutatingWebhookConfiguration", None)?;
    let service_ref = &webhooks["webhooks"][0]["clientConfig"]["service"];
    let tool = "kubectl kustomize deploy";
    agree(
        tool,
        "the webhook's service",
        &json!([service_ref["name"], service_ref["namespace"]]),
        &json!([service["metadata"]["name"], namespace]),
    )?;
    let certificate = object(&docs, "Certificate", None)?;
    let service_dns = format!("{NAME}.{namespace}.svc");
    agree(
        tool,
        "the certificate's dnsNames",
        &certificate["spec"]["dnsNames"],
        &json!([service_dns]),
    )?;
    let cert_ref = format!(
        "{}/{}",
        certificate["metadata"]["namespace"].as_str().unwrap_or(""),
        certificate["metadata"]["name"].as_str().unwrap_or("")
    );
    agree(
        tool,
        "the webhook configuration's cert-manager.io/inject-ca-from",
        &webhooks["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
        &json!(cert_ref),
    )?;
    Ok(Rendered {
        image,
        args,
        service_dns,
    })
}

/// Renders `deploy/` and checks it names `image`.
fn kustomize(image: &Image) -> Result<Rendered, String> {
    crate::tools::ensure(&[crate::tools::KUBECTL])?;
    let text = Cmd::new("kubectl").args(["kustomize", "deploy"]).read()?;
    let rendered = read_rendered(&text)?;
    if rendered.image != image.name {
        return Err(format!(
            "deploy/kustomization.yaml renders the Deployment with image `{}`, but cargo xtask \
             image builds `{}`: set `images:` (newName, newTag) there",
            rendered.image, image.name
        ));
    }
    say(format_args!(
        "kubectl kustomize deploy: the Deployment runs {}",
        rendered.image
    ));
    Ok(rendered)
}

/// The server under test; killed and reaped when dropped, whatever happened.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// An error with the server's log.
    fn fail(&self, message: &str) -> String {
        format!("{message}\nthe server's log:\n{}", self.log().trim_end())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A curl request to the server: `(status, body)`.
fn curl(
    rendered: &Rendered,
    port: u16,
    cert: &Path,
    path: &str,
    body: Option<&Path>,
) -> Result<(u16, String), String> {
    let host = &rendered.service_dns;
    let mut cmd = Cmd::new("curl")
        .args(["--silent", "--show-error", "--max-time", "5", "--cacert"])
        .arg(cert)
        .arg("--resolve")
        .arg(format!("{host}:{port}:127.0.0.1"))
        .args(["--write-out", "\n%{http_code}"]);
    if let Some(body) = body {
        cmd = cmd
            .args([
                "--header",
                "Content-Type: application/json",
                "--data-binary",
            ])
            .arg(format!("@{}", body.display()));
    }
    let out = cmd.arg(format!("https://{host}:{port}{path}")).read()?;
    let (body, code) = out.rsplit_once('\n').unwrap_or(("", &out));
    let code = code
        .parse()
        .map_err(|_| format!("curl printed no status: {out}"))?;
    Ok((code, body.to_owned()))
}

/// The `AdmissionReview` the step sends: a pod whose annotation maps `harbor.domain` to
/// `mirror.local/org1`.
fn admission_review(uid: &str) -> Value {
    let policy = r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.local/org1"}]"#;
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "operation": "CREATE",
            "namespace": "default",
            "object": {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": "web",
                    "namespace": "default",
                    "annotations": {"coordinator.cci.io/image-replacement": policy},
                },
                "spec": {"containers": [{"name": "web", "image": "harbor.domain/team/web:2.1"}]},
            },
        },
    })
}

/// Checks the server's answer to [`admission_review`].
fn check_admission(body: &str, uid: &str) -> Result<(), String> {
    let review = parse_json("POST /mutate", body)?;
    let tool = "POST /mutate";
    agree(
        tool,
        "apiVersion",
        &review["apiVersion"],
        &json!("admission.k8s.io/v1"),
    )?;
    agree(tool, "kind", &review["kind"], &json!("AdmissionReview"))?;
    let response = &review["response"];
    agree(tool, "response.uid", &response["uid"], &json!(uid))?;
    agree(tool, "response.allowed", &response["allowed"], &json!(true))?;
    agree(
        tool,
        "response.patchType",
        &response["patchType"],
        &json!("JSONPatch"),
    )?;
    let patch = base64::engine::general_purpose::STANDARD
        .decode(response["patch"].as_str().unwrap_or(""))
        .map_err(|e| format!("POST /mutate: the patch is not base64: {e}"))?;
    let patch: Value = serde_json::from_slice(&patch)
        .map_err(|e| format!("POST /mutate: the patch is not JSON: {e}"))?;
    agree(
        tool,
        "the patch",
        &patch,
        &json!([{"op": "replace", "path": "/spec/containers/0/image", "value": "mirror.local/org1/team/web:2.1"}]),
    )
}

/// Whether this process runs as root (which `chroot` needs).
fn is_root() -> bool {
    Cmd::new("id").arg("-u").read().is_ok_and(|id| id == "0")
}

/// The value of `--name=VALUE` or `--name VALUE` (one dash or two) in `args`, the last one
/// winning, as Go's flag package reads them.
fn flag_value(args: &[String], name: &str) -> Option<String> {
    let mut value = None;
    let mut i = 0;
    while i < args.len() {
        let bare = args[i]
            .strip_prefix("--")
            .or_else(|| args[i].strip_prefix('-'));
        if let Some(bare) = bare {
            if let Some(v) = bare.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                value = Some(v.to_owned());
            } else if bare == name {
                value = args.get(i + 1).cloned();
                i += 1;
            }
        }
        i += 1;
    }
    value
}

/// A throw-away self-signed certificate and key for `host` (P-256, one day), readable by the
/// image's user as a Secret volume's files are.
fn make_certificate(host: &str, cert: &Path, key: &Path) -> Result<(), String> {
    Cmd::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj"])
        .arg(format!("/CN={host}"))
        .arg("-addext")
        .arg(format!("subjectAltName=DNS:{host}"))
        .arg("-keyout")
        .arg(key)
        .arg("-out")
        .arg(cert)
        .read()?;
    for file in [cert, key] {
        let mut perms = std::fs::metadata(file).map_err(io_err(file))?.permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
        std::fs::set_permissions(file, perms).map_err(io_err(file))?;
    }
    Ok(())
}

impl Server {
    /// Waits, 20 s at most, until `GET /healthz` answers.
    fn wait_ready(&mut self, rendered: &Rendered, port: u16, cert: &Path) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.fail(&format!("the server exited at start: {status}")));
            }
            if curl(rendered, port, cert, "/healthz", None).is_ok() {
                break;
            }
            if started.elapsed() > Duration::from_secs(20) {
                return Err(self.fail("the server did not answer /healthz within 20 s"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        say(format_args!(
            "the server answers on 127.0.0.1:{port} after {:.2}s",
            started.elapsed().as_secs_f64()
        ));
        Ok(())
    }

    /// Sends SIGTERM and waits, 30 s at most, for the server to drain and exit 0.
    fn terminate(&mut self) -> Result<(), String> {
        Cmd::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .run()?;
        let stopping = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => break,
                Ok(Some(status)) => {
                    return Err(
                        self.fail(&format!("after SIGTERM the server exited with {status}"))
                    );
                }
                Ok(None) if stopping.elapsed() > Duration::from_secs(30) => {
                    return Err(self.fail("the server did not stop within 30 s of SIGTERM"));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(format!("waiting for the server: {e}")),
            }
        }
        say(format_args!(
            "SIGTERM: the server exited 0 after {:.2}s",
            stopping.elapsed().as_secs_f64()
        ));
        Ok(())
    }
}

/// Runs the unpacked image with the rendered Deployment's args and talks to it over TLS.
fn serve(bundle: &Path, rendered: &Rendered) -> Result<(), String> {
    crate::tools::ensure(crate::tools::IMAGE_RUN)?;
    let rootfs = bundle.join("rootfs");
    let runtime = runtime_config(bundle)?;
    let process: Vec<String> = runtime["process"]["args"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let user = &runtime["process"]["user"];
    let (uid, gid) = (user["uid"].as_u64(), user["gid"].as_u64());
    let (Some(entry), Some(uid), Some(gid)) = (process.first(), uid, gid) else {
        return Err("the unpacked config has no process args or user".to_owned());
    };

    // A throw-away certificate for the Service's name, where the Deployment's args look for it.
    let in_image = |flag: &str| -> Result<PathBuf, String> {
        let path = flag_value(&rendered.args, flag)
            .ok_or_else(|| format!("the rendered Deployment has no --{flag}"))?;
        let relative = path
            .strip_prefix('/')
            .ok_or_else(|| format!("--{flag}={path} is not absolute"))?;
        Ok(rootfs.join(relative))
    };
    let (cert, key) = (in_image("tls-cert")?, in_image("tls-key")?);
    for parent in [cert.parent(), key.parent()].into_iter().flatten() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    make_certificate(&rendered.service_dns, &cert, &key)?;

    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free loopback port: {e}"))?
        .port();
    let mut args: Vec<String> = process[1..].to_vec();
    args.extend(rendered.args.iter().cloned());
    args.push(format!("--listen=127.0.0.1:{port}"));
    let cmd = if is_root() {
        say(format_args!(
            "running the image's entrypoint in its rootfs as {uid}:{gid} (chroot)"
        ));
        Cmd::new("chroot")
            .arg(format!("--userspec={uid}:{gid}"))
            .arg(&rootfs)
            .arg(entry)
            .args(&args)
    } else {
        say(
            "not root: running the rootfs's binary as the current user, its files by their paths in the rootfs",
        );
        for flag in ["tls-cert", "tls-key"] {
            args.push(format!("--{flag}={}", in_image(flag)?.display()));
        }
        Cmd::new(rootfs.join(entry.trim_start_matches('/'))).args(&args)
    };
    let log = scratch().join("server.log");
    let mut server = Server {
        child: cmd.spawn(&log)?,
        log,
    };

    server.wait_ready(rendered, port, &cert)?;
    let (code, body) = curl(rendered, port, &cert, "/healthz", None)?;
    if (code, body.trim_end()) != (200, "ok") {
        return Err(server.fail(&format!(
            "GET /healthz: {code} {body:?}, expected 200 \"ok\""
        )));
    }
    say("GET /healthz: 200 ok");
    let uid_text = format!("image-step-{port}");
    let request = scratch().join("review.json");
    std::fs::write(&request, canonical_json(&admission_review(&uid_text)))
        .map_err(io_err(&request))?;
    let (code, body) = curl(rendered, port, &cert, "/mutate", Some(&request))?;
    if code != 200 {
        return Err(server.fail(&format!("POST /mutate: {code} {body}")));
    }
    check_admission(&body, &uid_text).map_err(|e| server.fail(&e))?;
    say("POST /mutate: 200, an AdmissionReview with the uid and the expected patch");

    server.terminate()
}

/// The `image` step of `cargo xtask test` (see the module doc).
///
/// # Errors
///
/// A message naming the sub-step and what failed in it.
pub fn test() -> Result<(), String> {
    let image = build()?;
    let bundle = timed("skopeo and umoci checks", || check(&image))?;
    let rendered = timed("kubectl kustomize deploy", || kustomize(&image))?;
    timed("the image's entrypoint serving TLS", || {
        serve(&bundle, &rendered)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcc_s_is_left_to_gcc_in_a_static_link() {
        assert_eq!(
            static_libs("-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"),
            "-lutil -lrt -lpthread -lm -ldl -lc"
        );
    }

    #[test]
    fn glibc_warnings_from_rust_std_only() {
        let rust = "/usr/bin/ld: /x/target/release/libimgrepl.a(std-1.o): in function `std::sys::pal::unix::os::home_dir::fallback':\n\
                    os.rs:519: warning: Using 'getpwuid_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n\
                    /usr/bin/ld: /x/target/release/libimgrepl.a(std-1.o): in function `std::sys::net::lookup_host':\n\
                    mod.rs:350: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n";
        assert_eq!(glibc_warnings(rust).unwrap(), ["getpwuid_r", "getaddrinfo"]);
        assert_eq!(glibc_warnings("").unwrap(), Vec::<String>::new());
        let go = "/usr/bin/ld: /tmp/go-link-1/000004.o: in function `_cgo_3c1cec0c9a4e_C2func_getaddrinfo':\n\
                  cgo_unix.cgo2.c:58: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n";
        let err = glibc_warnings(go).unwrap_err();
        assert!(
            err.contains("`getaddrinfo` outside Rust's standard library"),
            "{err}"
        );
    }

    #[test]
    fn rfc3339_of_unix_times() {
        for (secs, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_700_000_000, "2023-11-14T22:13:20Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
        ] {
            assert_eq!(rfc3339(secs), text, "{secs}");
        }
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let value = json!({"b": 1, "a": {"d": [1, "x", {"z": true, "y": null}], "c": "é\""}});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"c":"é\"","d":[1,"x",{"y":null,"z":true}]},"b":1}"#
        );
    }

    #[test]
    fn layer_entries_have_their_parents_in_path_order() {
        let e = entries(b"bin".to_vec(), vec![("LICENSE-MIT", b"mit".to_vec())]);
        let paths: Vec<(&str, u32)> = e.iter().map(|e| (e.path.as_str(), e.mode)).collect();
        assert_eq!(
            paths,
            [
                ("usr/", 0o755),
                ("usr/local/", 0o755),
                ("usr/local/bin/", 0o755),
                ("usr/local/bin/imgrepl-webhook", 0o755),
                ("usr/share/", 0o755),
                ("usr/share/doc/", 0o755),
                ("usr/share/doc/imgrepl-webhook/", 0o755),
                ("usr/share/doc/imgrepl-webhook/LICENSE-MIT", 0o644),
            ]
        );
    }

    #[test]
    fn layer_tar_and_gzip_are_deterministic_and_read_back() {
        let make = || {
            let e = entries(
                b"\x7fELF...".to_vec(),
                vec![("LICENSE-MIT", b"mit".to_vec())],
            );
            let t = tar(&e, 1_700_000_000).unwrap();
            let g = gzip(&t).unwrap();
            (t, g)
        };
        let (t1, g1) = make();
        let (t2, g2) = make();
        assert_eq!(t1, t2);
        assert_eq!(g1, g2);
        // gzip header: no name, mtime 0, OS "unknown".
        assert_eq!(&g1[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&g1[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, t1);
        let mut archive = tar::Archive::new(&t1[..]);
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let h = entry.header();
            assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
            assert_eq!(h.mtime().unwrap(), 1_700_000_000);
            let kind = h.entry_type();
            let mode = h.mode().unwrap();
            let path = entry.path().unwrap().display().to_string();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
            seen.push((path, kind.is_dir(), mode, data));
        }
        assert_eq!(seen.len(), 8);
        assert_eq!(
            seen[3],
            (
                "usr/local/bin/imgrepl-webhook".to_owned(),
                false,
                0o755,
                b"\x7fELF...".to_vec()
            )
        );
        assert!(seen[0].1 && seen[0].0.trim_end_matches('/') == "usr");
    }

    #[test]
    fn digests_are_sha256() {
        assert_eq!(
            digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn flags_are_read_as_go_reads_them() {
        let args: Vec<String> = [
            "--listen=:8443",
            "--tls-cert=/tls/tls.crt",
            "-tls-key",
            "/k",
            "--listen=127.0.0.1:1",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        assert_eq!(
            flag_value(&args, "tls-cert").as_deref(),
            Some("/tls/tls.crt")
        );
        assert_eq!(flag_value(&args, "tls-key").as_deref(), Some("/k"));
        assert_eq!(flag_value(&args, "listen").as_deref(), Some("127.0.0.1:1"));
        assert_eq!(flag_value(&args, "policy"), None);
    }

    #[test]
    fn a_rendering_is_read_and_cross_checked() {
        // The rendering itself needs kubectl (the `image` step); its reading is checked on a
        // fixed rendering.
        let text = "\
apiVersion: v1
kind: Namespace
metadata:
  name: ns
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: imgrepl-webhook, namespace: ns}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: imgrepl-webhook, namespace: ns}
---
apiVersion: v1
kind: Service
metadata: {name: imgrepl-webhook, namespace: ns}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: imgrepl-webhook, namespace: ns}
spec:
  template:
    spec:
      containers:
      - name: webhook
        image: reg.example/org/imgrepl-webhook:9.9.9
        args: [--tls-cert=/tls/tls.crt, --tls-key=/tls/tls.key]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: imgrepl-webhook, namespace: ns}
spec:
  dnsNames: [imgrepl-webhook.ns.svc]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: imgrepl
  annotations: {cert-manager.io/inject-ca-from: ns/imgrepl-webhook}
webhooks:
- clientConfig:
    service: {name: imgrepl-webhook, namespace: ns, path: /mutate}
";
        let r = read_rendered(text).unwrap();
        assert_eq!(r.image, "reg.example/org/imgrepl-webhook:9.9.9");
        assert_eq!(
            r.args,
            ["--tls-cert=/tls/tls.crt", "--tls-key=/tls/tls.key"]
        );
        assert_eq!(r.service_dns, "imgrepl-webhook.ns.svc");
        // A namespace changed in one place only is caught.
        let moved = text.replace("namespace: ns, path", "namespace: other, path");
        let err = read_rendered(&moved).err().unwrap();
        assert!(err.contains("the webhook's service"), "{err}");
        let err = read_rendered(&text.replace("imgrepl-webhook.ns.svc", "x.ns.svc"))
            .err()
            .unwrap();
        assert!(err.contains("dnsNames"), "{err}");
    }

    #[test]
    fn the_admission_answer_is_checked() {
        let patch = base64::engine::general_purpose::STANDARD.encode(
            r#"[{"op":"replace","path":"/spec/containers/0/image","value":"mirror.local/org1/team/web:2.1"}]"#,
        );
        let ok = format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{{"uid":"u1","allowed":true,"patchType":"JSONPatch","patch":"{patch}"}}}}"#
        );
        check_admission(&ok, "u1").unwrap();
        let err = check_admission(&ok, "u2").unwrap_err();
        assert!(err.contains("response.uid"), "{err}");
        let unpatched = r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true}}"#;
        assert!(check_admission(unpatched, "u1").is_err());
    }
}
