//! Writes a multi-document manifest file of about N bytes to stdout, for measuring
//! `imgrepl apply` (see BENCHMARKS.md): two Deployments (comments, quoting, an anchor, an octal
//! mode, a policy annotation; three images each) for every `ConfigMap` (a block scalar).
//!
//! ```text
//! cargo run --release -p imgrepl-manifest --example gen_manifests -- 10000000 > m10.yaml
//! cargo run --release -p imgrepl-manifest --example gen_manifests -- 40000000 json > list40.json
//! ```
//! With `json`, one JSON `List` of Pods instead.

use std::fmt::Write as _;
use std::io::Write as _;

const POLICY: &str = r#"[{"repositoryPrefix": "", "replaceWith": "mirror.example.com/hub"}, {"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.example.com/harbor"}]"#;

fn yaml(target: usize) -> String {
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

fn json(target: usize) -> String {
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

fn main() {
    let mut args = std::env::args().skip(1);
    let target: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let text = if args.next().as_deref() == Some("json") {
        json(target)
    } else {
        yaml(target)
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
