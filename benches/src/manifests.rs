//! Multi-document manifest files of any size, for measuring `imgrepl apply`
//! (`imgrepl_manifest::edit_each`): see the `apply` suite and the `gen_manifests` example.

use std::fmt::Write as _;

/// The policy every workload carries in its annotation.
pub const POLICY: &str = r#"[{"repositoryPrefix": "", "replaceWith": "mirror.example.com/hub"}, {"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.example.com/harbor"}]"#;

/// About `target` bytes of YAML (at least `target`, ending at a document's end): documents
/// separated by `---` lines, two Deployments (a comment, an anchor and aliases, an octal
/// `defaultMode`, the policy annotation, three images in plain, double- and single-quoted
/// style) for every `ConfigMap` (a block scalar).
///
/// ```
/// let text = imgrepl_benches::manifests::yaml(10_000);
/// assert!(text.len() >= 10_000 && text.len() < 11_000);
/// assert!(text.starts_with("# workload 1\napiVersion: apps/v1\n"));
/// ```
#[must_use]
pub fn yaml(target: usize) -> String {
    let mut out = String::with_capacity(target + 4096);
    let mut i = 0;
    while out.len() < target {
        i += 1;
        if i > 1 {
            out.push_str("---\n");
        }
        if i % 3 == 0 {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{i}\n  labels: {{app: web-{i}, tier: front}}\ndata:\n  mode: \"0644\"\n  enabled: yes\n  script.sh: |\n    #!/bin/sh\n    echo starting {i}\n    exec /app --port 8080\n"
            );
        } else {
            let _ = write!(
                out,
                "# workload {i}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  labels: &labels {{app: web-{i}}}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: *labels\n  template:\n    metadata:\n      labels: *labels\n      annotations:\n        coordinator.cci.io/image-replacement: '{POLICY}'\n    spec:\n      initContainers:\n      - name: migrate\n        image: harbor.domain/shop/migrate:{i}.0\n      containers:\n      - name: web\n        image: \"harbor.domain/shop/web:{i}.1\"   # pinned\n        ports:\n        - containerPort: 8080\n        env:\n        - {{name: MODE, value: \"prod\"}}\n      - {{name: proxy, image: 'nginx:1.27'}}\n      volumes:\n      - name: creds\n        secret: {{secretName: creds, defaultMode: 0400}}\n"
            );
        }
    }
    out
}

/// About `target` bytes of JSON: one `List` of Pods, each with the policy annotation and two
/// images.
///
/// ```
/// let text = imgrepl_benches::manifests::json(10_000);
/// assert!(text.len() >= 10_000);
/// assert!(text.starts_with("{\"apiVersion\": \"v1\", \"kind\": \"List\""));
/// ```
#[must_use]
pub fn json(target: usize) -> String {
    let policy = serde_json::to_string(POLICY).unwrap_or_default();
    let mut out = String::with_capacity(target + 4096);
    out.push_str("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n");
    let mut i = 0;
    while out.len() < target {
        i += 1;
        if i > 1 {
            out.push_str(",\n");
        }
        let _ = write!(
            out,
            " {{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"p{i}\", \"labels\": {{\"app\": \"a{i}\"}}, \"annotations\": {{\"coordinator.cci.io/image-replacement\": {policy}}}}},\n  \"spec\": {{\"containers\": [{{\"name\": \"c\", \"image\": \"nginx:{i}\", \"ports\": [{{\"containerPort\": 8080}}]}}, {{\"name\": \"side\", \"image\": \"harbor.domain/x/y:1\"}}]}}}}"
        );
    }
    out.push_str("\n]}\n");
    out
}
