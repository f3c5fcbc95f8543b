//! A real reader of registries.conf, Skopeo (containers/image), resolves images through the
//! exported file to the location imgrepl computes; and it does what the diagnostics say for the
//! rules that are not written. Skipped under a plain `cargo test` without `skopeo`; required
//! under `cargo xtask test`, which installs it.

use std::process::Command;

use imgrepl::{Policy, Reference};

#[path = "../../core/tests/common/tools.rs"]
mod tools;

/// The location Skopeo tries first for `image` through `conf` (hosts under `.invalid`, so
/// nothing is reached): its debug line `Trying to access "…"`. `None` without skopeo.
fn skopeo_location(conf: &str, image: &str) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("imgrepl-export-skopeo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("registries.conf");
    std::fs::write(&file, conf).unwrap();
    let output = tools::tool_output(
        Command::new("skopeo")
            .arg("--debug")
            .arg("inspect")
            .arg("--retry-times=0")
            .arg("--registries-conf")
            .arg(&file)
            .arg(format!("docker://{image}")),
        "skopeo",
    )?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let start = stderr
        .find("Trying to access \\\"")
        .unwrap_or_else(|| panic!("{image}: {stderr}"))
        + "Trying to access \\\"".len();
    let end = start + stderr[start..].find("\\\"").unwrap();
    Some(stderr[start..end].to_owned())
}

/// `image` normalized as a runtime pulls it, with `:latest` when it has neither tag nor digest.
fn pulled(image: &str) -> String {
    Reference::parse_docker_ref(image)
        .unwrap()
        .as_str()
        .to_owned()
}

#[test]
fn skopeo_resolves_through_the_exported_registries_conf_as_imgrepl_rewrites() {
    let policy = Policy::from_json(
        r#"[
  {"repositoryPrefix": "harbor.invalid", "replaceWith": "mirror.invalid/org1"},
  {"repositoryPrefix": "harbor.invalid/a/b", "replaceWith": "mirror.invalid/org2"},
  {"repositoryPrefix": "quay.invalid:5000", "replaceWith": "mirror.invalid"},
  {"repositoryPrefix": "", "replaceWith": "mirror.invalid/hub"},
  {"repositoryPrefix": "docker.io", "replaceWith": "mirror.invalid/dh"}
]"#,
    )
    .unwrap();
    let export = imgrepl_export::node::registries_conf(&policy);
    let conf = &export.files[0].1;
    let causes: Vec<(usize, &str)> = export.inexact.iter().map(|d| (d.rule, d.cause)).collect();
    assert_eq!(
        causes,
        [
            (1, "repository-itself"),
            (3, "empty-prefix"),
            (4, "docker-hub")
        ]
    );
    // The written rules: Skopeo goes where imgrepl's result points.
    for image in [
        "harbor.invalid/team/app:1",
        "harbor.invalid/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "quay.invalid:5000/x/y:2",
        "quay.invalid:5000/x",
        "other.invalid/x/y:3",
    ] {
        let Some(location) = skopeo_location(conf, image) else {
            return;
        };
        let want = pulled(&policy.rewrite(image).unwrap().image);
        assert_eq!(location, want, "{image}\n{conf}");
    }
    // What the diagnostics claim, with the rule written: registries.conf's prefix takes the
    // repository it names, and a docker.io prefix takes images written without it.
    let claims = [
        (
            "[[registry]]\nprefix = \"harbor.invalid/a/b\"\nlocation = \"mirror.invalid/org2\"\n",
            "harbor.invalid/a/b:1",
            "mirror.invalid/org2:1",
        ),
        (
            "[[registry]]\nprefix = \"docker.io\"\nlocation = \"mirror.invalid/dh\"\n",
            "nginx:1",
            "mirror.invalid/dh/library/nginx:1",
        ),
        (
            "[[registry]]\nprefix = \"docker.io/library\"\nlocation = \"mirror.invalid/hub\"\n",
            "library/x:1",
            "mirror.invalid/hub/x:1",
        ),
    ];
    for (conf, image, want) in claims {
        let Some(location) = skopeo_location(conf, image) else {
            return;
        };
        assert_eq!(location, want, "{image}");
        // …which is not what imgrepl does.
        assert_ne!(pulled(&policy.rewrite(image).unwrap().image), want);
    }
}
