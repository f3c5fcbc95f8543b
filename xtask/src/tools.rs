//! Every tool a step of xtask installs when it is missing: one table, each tool once, with the
//! command that tells it is there and the Debian packages that provide it; each step names the
//! tools it needs (`C`, `GO`, …) and [`ensure`]s them.

use crate::cmd::{Cmd, say};

/// Something a step needs, how to tell it is there, and the Debian packages that provide it.
pub struct Tool {
    /// What it is, for messages (`clang`, `the ASAN runtime`).
    pub name: &'static str,
    /// A command that succeeds quietly when it is installed.
    pub probe: &'static [&'static str],
    /// The Debian packages to install when it is not. Packages that are only "recommended" by
    /// another (the C library headers by gcc, the sanitizer runtimes by clang) are named, since
    /// apt installs without recommendations here.
    pub packages: &'static [&'static str],
}

const fn tool(
    name: &'static str,
    probe: &'static [&'static str],
    packages: &'static [&'static str],
) -> Tool {
    Tool {
        name,
        probe,
        packages,
    }
}

pub const CC: Tool = tool("cc", &["cc", "--version"], &["gcc", "libc6-dev"]);
pub const CLANG: Tool = tool("clang", &["clang", "--version"], &["clang"]);
pub const ASAN: Tool = tool(
    "the ASAN runtime of clang",
    &[
        "sh",
        "-c",
        "test -f \"$(clang -print-file-name=libclang_rt.asan-x86_64.a)\"",
    ],
    &["libclang-rt-dev"],
);
pub const VALGRIND: Tool = tool("valgrind", &["valgrind", "--version"], &["valgrind"]);
pub const PROVE: Tool = tool("prove", &["prove", "--version"], &["perl"]);
pub const PKG_CONFIG: Tool = tool("pkg-config", &["pkg-config", "--version"], &["pkg-config"]);
pub const NM: Tool = tool("nm", &["nm", "--version"], &["binutils"]);
pub const READELF: Tool = tool("readelf", &["readelf", "--version"], &["binutils"]);
pub const GO: Tool = tool("go", &["go", "version"], &["golang-go"]);
/// Kubernetes' YAML reader, the oracle of the `yaml-oracle` step (Go sources, built in GOPATH
/// mode from `/usr/share/gocode`).
pub const K8S_YAML: Tool = tool(
    "sigs.k8s.io/yaml and gopkg.in/yaml.v2",
    &[
        "test",
        "-d",
        "/usr/share/gocode/src/sigs.k8s.io/yaml",
        "-a",
        "-d",
        "/usr/share/gocode/src/gopkg.in/yaml.v2",
    ],
    &["golang-k8s-sigs-yaml-dev", "golang-gopkg-yaml.v2-dev"],
);
pub const SKOPEO: Tool = tool("skopeo", &["skopeo", "--version"], &["skopeo"]);
/// The distribution registry, which `imgrepl verify`'s tests run on 127.0.0.1.
pub const DOCKER_REGISTRY: Tool = tool(
    "docker-registry",
    &["docker-registry", "--version"],
    &["docker-registry"],
);
/// `htpasswd -B`, for the bcrypt login file of the test registry behind Basic auth.
pub const HTPASSWD: Tool = tool(
    "htpasswd",
    &["sh", "-c", "command -v htpasswd"],
    &["apache2-utils"],
);
pub const UMOCI: Tool = tool("umoci", &["umoci", "--version"], &["umoci"]);
pub const FILE: Tool = tool("file", &["file", "--version"], &["file"]);
pub const OPENSSL: Tool = tool("openssl", &["openssl", "version"], &["openssl"]);
pub const CURL: Tool = tool("curl", &["curl", "--version"], &["curl", "ca-certificates"]);
pub const KILL: Tool = tool("kill", &["kill", "-l"], &["procps"]);
/// The CLI's tests compare `imgrepl pull-secret` with `kubectl create secret docker-registry
/// --dry-run=client`; the `image` step renders `deploy/` with `kubectl kustomize`.
pub const KUBECTL: Tool = tool(
    "kubectl",
    &["kubectl", "version", "--client"],
    &["kubernetes-client"],
);
/// `core/tests/oracle_corpus.rs` runs the reference oracle, `testdata/oracle/reference.py`
/// (Python 3.11 or later, standard library only).
pub const PYTHON3: Tool = tool("python3", &["python3", "--version"], &["python3"]);
pub const NODE: Tool = tool("node", &["node", "--version"], &["nodejs"]);
pub const NPM: Tool = tool("npm", &["npm", "--version"], &["npm"]);
pub const CHROMIUM: Tool = tool(
    "chromium",
    &[
        "sh",
        "-c",
        "command -v chromium || command -v chromium-browser",
    ],
    &["chromium"],
);

/// The C matrix.
pub const C: &[Tool] = &[CC, CLANG, ASAN, VALGRIND, PROVE, PKG_CONFIG, NM, READELF];
/// The C library installed and used from outside the repository (`ldd` comes with the C
/// library, `libc-bin`, always installed).
pub const C_PACKAGE: &[Tool] = &[CC, PKG_CONFIG, READELF];
/// Go and a C compiler for cgo.
pub const GO_CGO: &[Tool] = &[GO, CC, PKG_CONFIG];
/// The YAML oracle.
pub const YAML_ORACLE: &[Tool] = &[GO, K8S_YAML];
/// What checks the OCI image.
pub const OCI: &[Tool] = &[SKOPEO, UMOCI];
/// What builds the image's binary besides Go and a C compiler.
pub const IMAGE_BUILD: &[Tool] = &[FILE];
/// What the `image` step uses to run and query the server.
pub const IMAGE_RUN: &[Tool] = &[OPENSSL, CURL, KILL];
/// What `imgrepl verify`'s tests against real registries run: the registry, skopeo to push
/// to it, htpasswd for its logins, openssl for its CA, certificate and tokens.
pub const REGISTRY: &[Tool] = &[DOCKER_REGISTRY, SKOPEO, HTPASSWD, OPENSSL];
/// What the test step's tests run.
/// What the test step's tests run (`skopeo`: `export/tests/skopeo.rs` resolves images through
/// an exported `registries.conf`).
pub const TEST: &[Tool] = &[KUBECTL, PYTHON3, SKOPEO];
/// Node.js and npm for the WASM package.
pub const JS: &[Tool] = &[NODE, NPM];

/// Whether `tool` is installed.
fn present(tool: &Tool) -> bool {
    tool.probe
        .split_first()
        .is_some_and(|(program, args)| Cmd::new(program).args(args).probe())
}

/// Installs, with apt, the packages of the tools that are missing (in order, so a tool whose
/// probe needs an earlier one is checked after it is installed).
///
/// # Errors
///
/// When apt fails or a tool is still missing afterwards.
pub fn ensure(tools: &[Tool]) -> Result<(), String> {
    let missing: Vec<&Tool> = tools.iter().filter(|t| !present(t)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut packages: Vec<&str> = missing
        .iter()
        .flat_map(|t| t.packages.iter().copied())
        .collect();
    packages.sort_unstable();
    packages.dedup();
    say(format_args!(
        "missing: {}; installing {} with apt",
        missing
            .iter()
            .map(|t| t.name)
            .collect::<Vec<_>>()
            .join(", "),
        packages.join(" ")
    ));
    Cmd::new("apt-get").args(["update", "-q"]).run()?;
    Cmd::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
        .map_err(|e| format!("{e}\ninstall {} by hand", packages.join(" ")))?;
    // Probed again, all of them: a package may have been needed by a probe that ran too early.
    if let Some(t) = tools.iter().find(|t| !present(t)) {
        return Err(format!(
            "{} is still missing after installing {}",
            t.name,
            t.packages.join(" ")
        ));
    }
    Ok(())
}
