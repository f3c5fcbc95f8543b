//! The deterministic corpus: realistic image references and policies of any size.
//!
//! **Images** ([`images`]) are drawn, with a fixed seed, from the shapes a cluster really runs:
//! familiar names (`nginx:1.27`, `bitnami/redis`), `docker.io/library/…`, public registries
//! (`quay.io`, `ghcr.io`, `registry.k8s.io`, …), private registries with ports
//! (`registry.corp.example:5000`, `localhost:5000`), IPv6 hosts (`[::1]:5000`,
//! `[fd00:1234::42]:8443`), deep paths (`harbor.domain/a/b/c/d/redis`), and tags, digests
//! (sha256, sha384, sha512) and tag + digest. About half come from the private registry
//! `harbor.domain`, the one the policies mirror; [`INVALID_PERCENT`] are invalid on purpose
//! (uppercase paths, bad digests, a trailing newline, …) so that rejection is measured too and a
//! parser that accepts everything shows it in its count.
//!
//! **Policies** ([`rules`]) of any size `n` always hold the seed rule
//! `harbor.domain → swr.cn-north-4.myhuaweicloud.com/org1`, then nested prefixes under
//! `harbor.domain` (some of which win over it for deeper images), then decoys that never match a
//! corpus image: other registries, prefixes of corpus images that end inside a component
//! (`quay.io/prometheu`), and siblings of corpus paths (`registry.corp.example:5000/zz-17`). So the
//! *same* images (about half) match for every `n`, and a rewriter's cost can be compared across
//! sizes like for like. Rules are shuffled: their order must not matter.

use crate::Rng;
use std::fmt::Write as _;

/// The seed every suite uses.
pub const SEED: u64 = 0x1316_6e9c_7a1f_2025;

/// The number of images every suite uses.
pub const LEN: usize = 1_000;

/// The policy sizes every suite measures.
pub const SIZES: [usize; 6] = [1, 10, 100, 1_000, 10_000, 100_000];

/// Percentage of deliberately invalid images.
pub const INVALID_PERCENT: usize = 4;

/// Percentage of images from the mirrored private registry `harbor.domain`.
pub const MIRRORED_PERCENT: usize = 50;

/// The registry that the policies mirror.
pub const MIRRORED: &str = "harbor.domain";

/// Where the seed rule sends it.
pub const MIRROR: &str = "swr.cn-north-4.myhuaweicloud.com/org1";

const GROUPS: &[&str] = &["a", "b", "c", "d", "ci", "prod", "v2"];

/// One word of a list.
fn word(rng: &mut Rng, words: &[&'static str]) -> &'static str {
    words[rng.below(words.len())]
}

const OFFICIAL: &[&str] = &[
    "nginx",
    "redis",
    "postgres",
    "busybox",
    "alpine",
    "ubuntu",
    "debian",
    "node",
    "python",
    "golang",
    "memcached",
    "mysql",
    "mariadb",
    "mongo",
    "rabbitmq",
    "traefik",
    "haproxy",
    "httpd",
];

const HUB_NAMESPACED: &[&str] = &[
    "bitnami/redis",
    "bitnami/postgresql",
    "bitnami/kafka",
    "grafana/grafana",
    "grafana/loki",
    "prom/prometheus",
    "prom/alertmanager",
    "hashicorp/vault",
    "jenkins/jenkins",
    "curlimages/curl",
];

const PUBLIC: &[&str] = &[
    "quay.io/prometheus/node-exporter",
    "quay.io/jetstack/cert-manager-controller",
    "quay.io/argoproj/argocd",
    "gcr.io/distroless/static",
    "gcr.io/distroless/base-debian12",
    "ghcr.io/fluxcd/source-controller",
    "ghcr.io/external-secrets/external-secrets",
    "registry.k8s.io/kube-apiserver",
    "registry.k8s.io/coredns/coredns",
    "registry.k8s.io/ingress-nginx/controller",
    "public.ecr.aws/eks-distro/kubernetes/pause",
    "mcr.microsoft.com/dotnet/aspnet",
    "registry.gitlab.com/group/subgroup/project/image",
    "index.docker.io/library/nginx",
];

const PRIVATE: &[&str] = &[
    "registry.corp.example:5000",
    "localhost:5000",
    "10.0.12.7:5000",
    "[::1]:5000",
    "[fd00:1234::42]:8443",
    "[2001:db8::1]:443",
    "artifactory.corp.example",
];

const TEAMS: &[&str] = &[
    "platform", "payments", "search", "infra", "ml", "web", "data-eng", "sre", "team_a", "mobile",
];

const APPS: &[&str] = &[
    "api",
    "worker",
    "gateway",
    "frontend",
    "scheduler",
    "billing-service",
    "indexer",
    "redis",
    "auth",
    "notifier",
    "etl__job",
    "model.server",
    "ui",
];

const TAGS: &[&str] = &[
    "latest",
    "1.27",
    "1.27.3",
    "7.2-alpine",
    "v1.31.0",
    "16-bookworm",
    "nonroot",
    "8.0",
    "2024.11.05",
    "sha-3f9c2e1",
    "v2.3.1-rc.2",
    "stable",
    "main",
    "1.0.0_build.77",
];

const INVALID: &[&str] = &[
    "harbor.domain/Team/App:1",
    "nginx:latest\n",
    "docker.io/library/nginx@sha256:abc",
    "quay.io//prometheus/node-exporter",
    "-nginx",
    "registry.corp.example:5000/api:",
    "nginx:-bad",
    "ghcr.io/org/app@SHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "https://harbor.domain/team/app",
    "harbor.domain/team/app@md5:0123456789abcdef0123456789abcdef",
];

/// Lowercase hex digits.
fn hex(rng: &mut Rng, len: usize, out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for _ in 0..len {
        out.push(char::from(DIGITS[rng.below(16)]));
    }
}

/// Appends a tag, a digest, both or neither.
fn suffix(rng: &mut Rng, out: &mut String) {
    let (tag, digest) = match rng.below(100) {
        0..70 => (true, false),
        70..80 => (false, false),
        80..95 => (false, true),
        _ => (true, true),
    };
    if tag {
        out.push(':');
        out.push_str(word(rng, TAGS));
    }
    if digest {
        let (algorithm, len) = *rng.pick(&[
            ("sha256", 64),
            ("sha256", 64),
            ("sha384", 96),
            ("sha512", 128),
        ]);
        out.push('@');
        out.push_str(algorithm);
        out.push(':');
        hex(rng, len, out);
    }
}

/// A path of 1 to `max` components under a registry: team, nested groups, app.
fn path(rng: &mut Rng, max: usize, out: &mut String) {
    let depth = 1 + rng.below(max);
    for i in 0..depth {
        if i + 1 == depth {
            out.push_str(word(rng, APPS));
        } else if i == 0 {
            out.push_str(word(rng, TEAMS));
            out.push('/');
        } else {
            out.push_str(word(rng, GROUPS));
            out.push('/');
        }
    }
}

/// One image from the mirrored registry: `harbor.domain/` and a path, sometimes the seed's
/// `a/b/c/d` groups.
fn mirrored(rng: &mut Rng, out: &mut String) {
    out.push_str(MIRRORED);
    out.push('/');
    match rng.below(100) {
        0..15 => {
            out.push_str("a/b/c/d/");
            out.push_str(word(rng, APPS));
        }
        15..28 => out.push_str(word(rng, APPS)),
        _ => path(rng, 5, out),
    }
}

/// One image from anywhere else.
fn elsewhere(rng: &mut Rng, out: &mut String) {
    match rng.below(100) {
        0..20 => out.push_str(word(rng, OFFICIAL)),
        20..30 => out.push_str(word(rng, HUB_NAMESPACED)),
        30..40 => {
            out.push_str("docker.io/library/");
            out.push_str(word(rng, OFFICIAL));
        }
        40..45 => {
            out.push_str("docker.io/");
            out.push_str(word(rng, HUB_NAMESPACED));
        }
        45..70 => out.push_str(word(rng, PUBLIC)),
        _ => {
            out.push_str(word(rng, PRIVATE));
            out.push('/');
            path(rng, 4, out);
        }
    }
}

/// `len` images, the same for the same `seed`. See the [module docs](self) for their shapes.
///
/// ```
/// let a = imgrepl_benches::corpus::images(1, 50);
/// assert_eq!(a, imgrepl_benches::corpus::images(1, 50));
/// assert_eq!(a.len(), 50);
/// ```
#[must_use]
pub fn images(seed: u64, len: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..len)
        .map(|_| {
            if rng.chance(INVALID_PERCENT) {
                return word(&mut rng, INVALID).to_owned();
            }
            let mut out = String::new();
            if rng.chance(MIRRORED_PERCENT) {
                mirrored(&mut rng, &mut out);
            } else {
                elsewhere(&mut rng, &mut out);
            }
            suffix(&mut rng, &mut out);
            out
        })
        .collect()
}

/// A prefix under `harbor.domain`, nested 1 to 4 deep; these may match corpus images.
fn nested(rng: &mut Rng, out: &mut String) {
    out.push_str(MIRRORED);
    if rng.chance(10) {
        out.push_str("/a/b/c/d");
        return;
    }
    out.push('/');
    out.push_str(word(rng, TEAMS));
    for _ in 0..rng.below(4) {
        out.push('/');
        out.push_str(word(rng, GROUPS));
    }
}

/// A prefix that matches no corpus image (the caller still checks uniqueness); `i` keeps it
/// distinct.
fn decoy(rng: &mut Rng, i: usize, out: &mut String) {
    match rng.below(6) {
        // Another registry altogether, with ports and IPv6 hosts.
        0 => write!(out, "mirror-{i}.example.com/ns-{}", rng.below(100)),
        1 => write!(out, "registry-{i}.corp.example:{}", 5000 + rng.below(1000)),
        2 => write!(out, "[fd01::{i:x}]:5000/team"),
        // A sibling of corpus paths in a registry the corpus uses.
        3 => write!(out, "{}/zz-{i}", word(rng, PRIVATE)),
        // A string prefix of a corpus image that ends inside a component.
        4 => {
            let public = word(rng, PUBLIC);
            let cut = public.rfind('/').unwrap_or(public.len()) + 2;
            write!(out, "{}-{i}", &public[..cut.min(public.len())])
        }
        // Docker Hub as written out, never as the corpus's familiar names.
        _ => write!(out, "docker.io/library/{}-{i}", word(rng, OFFICIAL)),
    }
    .expect("writing to a String cannot fail");
}

/// A policy of `n` rules as `(repositoryPrefix, replaceWith)` pairs, the same for the same
/// `seed`; see the [module docs](self). Every prefix is unique and valid, and differs from its
/// `replaceWith`.
///
/// ```
/// let rules = imgrepl_benches::corpus::rules(1, 100);
/// assert_eq!(rules.len(), 100);
/// assert!(rules.iter().any(|(p, _)| p == "harbor.domain"));
/// ```
#[must_use]
pub fn rules(seed: u64, n: usize) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed ^ 0x5eed_0f90_11c1_e5a1);
    let mut prefixes = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    let mut push = |prefix: String, replace: String, out: &mut Vec<_>| {
        if out.len() < n && prefixes.insert(prefix.clone()) {
            out.push((prefix, replace));
        }
    };
    push(MIRRORED.to_owned(), MIRROR.to_owned(), &mut out);
    // About a tenth nested under the mirrored registry (their number is bounded: the vocabulary
    // is small), the rest decoys.
    let nested_target = (n / 10).min(2_000);
    let mut tries = 0;
    while out.len() < 1 + nested_target && tries < 20 * nested_target {
        tries += 1;
        let mut prefix = String::new();
        nested(&mut rng, &mut prefix);
        let replace = format!("swr.cn-north-4.myhuaweicloud.com/org{}", 2 + rng.below(50));
        push(prefix, replace, &mut out);
    }
    let mut i = 0;
    while out.len() < n {
        let mut prefix = String::new();
        decoy(&mut rng, i, &mut prefix);
        let replace = format!(
            "swr.cn-north-4.myhuaweicloud.com/mirror{}",
            rng.below(1_000)
        );
        push(prefix, replace, &mut out);
        i += 1;
    }
    rng.shuffle(&mut out);
    out
}

/// The policy annotation (a JSON array of rules) for `rules`.
///
/// ```
/// let json = imgrepl_benches::corpus::policy_json(&[("a.io".into(), "b.io/x".into())]);
/// assert_eq!(json, r#"[{"repositoryPrefix":"a.io","replaceWith":"b.io/x"}]"#);
/// ```
#[must_use]
pub fn policy_json(rules: &[(String, String)]) -> String {
    // Prefixes and replacements are reference text: nothing in them needs JSON escaping.
    let mut out = String::with_capacity(rules.len() * 96 + 2);
    out.push('[');
    for (i, (prefix, replace)) in rules.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"repositoryPrefix":"{prefix}","replaceWith":"{replace}"}}"#
        )
        .expect("writing to a String cannot fail");
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::naive::Naive;
    use imgrepl::Reference;

    #[test]
    fn images_are_mostly_valid_and_varied() {
        let images = images(SEED, LEN);
        let valid = images
            .iter()
            .filter(|i| Reference::parse(i).is_ok())
            .count();
        assert!((LEN * 93 / 100..LEN * 99 / 100).contains(&valid), "{valid}");
        for needle in [
            "[::1]:5000/",
            ":5000/",
            "docker.io/library/",
            "@sha256:",
            "@sha512:",
            "/a/b/c/d/",
        ] {
            assert!(images.iter().any(|i| i.contains(needle)), "{needle}");
        }
        assert!(images.iter().any(|i| !i.contains('/') && !i.contains('@')));
        assert!(images.iter().any(|i| i.contains(':') && i.contains('@')));
    }

    #[test]
    fn rules_are_valid_unique_and_match_the_same_half() {
        let images = images(SEED, LEN);
        let mut matched_at_1 = None;
        for n in SIZES {
            let rules = rules(SEED, n);
            assert_eq!(rules.len(), n);
            for (prefix, replace) in &rules {
                assert!(Reference::parse(&format!("{prefix}/x")).is_ok(), "{prefix}");
                assert!(
                    Reference::parse(&format!("{replace}/x")).is_ok(),
                    "{replace}"
                );
            }
            let naive = Naive::new(rules.iter().map(|(p, r)| (p.as_str(), r.as_str())));
            let matched: Vec<bool> = if n > 1_000 {
                // The naive scan is quadratic; check a slice of the corpus at the large sizes.
                images[..100]
                    .iter()
                    .map(|i| matches!(naive.rewrite(i), Ok(r) if r.rule.is_some()))
                    .collect()
            } else {
                images
                    .iter()
                    .map(|i| matches!(naive.rewrite(i), Ok(r) if r.rule.is_some()))
                    .collect()
            };
            let count = matched.iter().filter(|m| **m).count();
            let at_1 = matched_at_1.get_or_insert_with(|| matched.clone());
            assert_eq!(&matched[..], &at_1[..matched.len()], "n = {n}");
            assert!(
                (matched.len() * 40 / 100..matched.len() * 60 / 100).contains(&count),
                "n = {n}: {count}"
            );
        }
    }
}
