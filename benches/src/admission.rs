//! Typical `AdmissionReview` requests, as the API server sends them to a mutating webhook: a Pod,
//! a Deployment of 3 containers and a Pod of 40 containers, with what real objects carry
//! (labels, annotations, owner references, `managedFields`, env, resources, probes, volume
//! mounts, security contexts), each with the JSON Patch imgrepl must answer with.
//!
//! The policy is in the pod template's (or the Pod's) annotation, as it is in a cluster, so a
//! review reads and compiles it every time.
//!
//! ```
//! use imgrepl_benches::admission;
//!
//! let reviews = admission::reviews();
//! assert_eq!(reviews.iter().map(|r| r.name).collect::<Vec<_>>(), ["pod", "deployment-3", "pod-40"]);
//! assert!(reviews[0].body.len() > 4_000 && reviews[2].body.len() > 60_000);
//! assert_eq!(reviews[2].patch.len(), 27); // two in three images are rewritten
//! ```

use serde_json::{Value, json};

/// The policy every review carries in its annotation.
pub const POLICY: &str = r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"}, {"repositoryPrefix": "harbor.domain/infra", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/infra"}, {"repositoryPrefix": "docker.io", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/hub"}, {"repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/hub"}]"#;

/// One request: its name, its JSON body, and the `replace` operations of the expected patch
/// (pointer, new image), in imgrepl's order.
#[derive(Debug, Clone)]
pub struct Review {
    /// `pod`, `deployment-3` or `pod-40`.
    pub name: &'static str,
    /// The `AdmissionReview` JSON, compact, as the API server sends it.
    pub body: String,
    /// The expected patch: (JSON pointer of the `image`, new value).
    pub patch: Vec<(String, String)>,
}

/// Container `i`'s image before and after the policy: two in three are rewritten (from
/// `harbor.domain`, `harbor.domain/infra` and Docker Hub, by name or in full), one in three is
/// left as it is (`quay.io`, `registry.k8s.io`).
fn image(i: usize) -> (String, Option<String>) {
    const MIRROR: &str = "swr.cn-north-4.myhuaweicloud.com";
    match i % 6 {
        0 => (
            format!("harbor.domain/shop/service-{i}:2.{i}.1"),
            Some(format!("{MIRROR}/org1/shop/service-{i}:2.{i}.1")),
        ),
        1 => (
            "nginx:1.27.3".to_owned(),
            Some(format!("{MIRROR}/hub/nginx:1.27.3")),
        ),
        2 => (format!("quay.io/prometheus/statsd-exporter:v0.{i}.0"), None),
        3 => (
            format!(
                "harbor.domain/infra/envoy:v1.{i}@sha256:{}",
                "3f1c".repeat(16)
            ),
            Some(format!(
                "{MIRROR}/infra/envoy:v1.{i}@sha256:{}",
                "3f1c".repeat(16)
            )),
        ),
        4 => (
            "docker.io/bitnami/redis:7.4".to_owned(),
            Some(format!("{MIRROR}/hub/bitnami/redis:7.4")),
        ),
        _ => (format!("registry.k8s.io/pause:3.{i}"), None),
    }
}

fn container(i: usize) -> Value {
    let (image, _) = image(i);
    json!({
        "name": format!("app-{i}"),
        "image": image,
        "command": ["/bin/server"],
        "args": ["--port=8080", format!("--shard={i}"), "--log-level=info"],
        "ports": [
            {"name": "http", "containerPort": 8080, "protocol": "TCP"},
            {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}
        ],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
            {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "shop-db", "key": "url"}}},
            {"name": "LOG_FORMAT", "value": "json"},
            {"name": "GOMAXPROCS", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1"}}},
            {"name": "FEATURE_FLAGS", "value": "checkout-v2,search-beta"}
        ],
        "resources": {
            "limits": {"cpu": "1", "memory": "512Mi"},
            "requests": {"cpu": "250m", "memory": "256Mi"}
        },
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": 10, "timeoutSeconds": 1, "periodSeconds": 10,
            "successThreshold": 1, "failureThreshold": 3
        },
        "readinessProbe": {
            "httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
            "timeoutSeconds": 1, "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3
        },
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/app", "readOnly": true},
            {"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}
        ],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": true,
            "runAsNonRoot": true
        }
    })
}

/// The `managedFields` entry of the pod spec's containers (what `kubectl apply` records).
fn managed_fields(containers: usize, prefix: &str) -> Value {
    let mut fields = serde_json::Map::new();
    for i in 0..containers {
        fields.insert(
            format!("k:{{\"name\":\"app-{i}\"}}"),
            json!({
                ".": {}, "f:args": {}, "f:command": {}, "f:env": {".": {},
                    "k:{\"name\":\"POD_NAME\"}": {".": {}, "f:name": {}, "f:valueFrom": {".": {}, "f:fieldRef": {}}},
                    "k:{\"name\":\"LOG_FORMAT\"}": {".": {}, "f:name": {}, "f:value": {}}},
                "f:image": {}, "f:imagePullPolicy": {}, "f:livenessProbe": {".": {}, "f:httpGet": {".": {}, "f:path": {}, "f:port": {}}},
                "f:name": {}, "f:ports": {".": {}, "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}}},
                "f:resources": {".": {}, "f:limits": {".": {}, "f:cpu": {}, "f:memory": {}}, "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}}
            }),
        );
    }
    let spec = json!({"f:containers": fields, "f:imagePullSecrets": {}, "f:volumes": {}});
    let mut root = serde_json::Map::new();
    root.insert(
        "f:metadata".to_owned(),
        json!({"f:annotations": {".": {}, "f:coordinator.cci.io/image-replacement": {}}, "f:labels": {".": {}, "f:app": {}, "f:tier": {}}}),
    );
    let mut at = &mut root;
    for key in prefix.split('/').filter(|k| !k.is_empty()) {
        at = at
            .entry(format!("f:{key}"))
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap_or_else(|| unreachable!("inserted as an object"));
    }
    at.insert("f:spec".to_owned(), spec);
    json!([{
        "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1",
        "time": "2026-11-30T09:12:44Z", "fieldsType": "FieldsV1", "fieldsV1": root
    }])
}

/// A pod spec of `containers` containers, and the expected patch under `at` (the pod spec's
/// pointer).
fn pod_spec(containers: usize, at: &str, patch: &mut Vec<(String, String)>) -> Value {
    for i in 0..containers {
        if let (_, Some(after)) = image(i) {
            patch.push((format!("{at}/containers/{i}/image"), after));
        }
    }
    json!({
        "containers": (0..containers).map(container).collect::<Vec<_>>(),
        "imagePullSecrets": [{"name": "swr-pull"}],
        "volumes": [
            {"name": "config", "configMap": {"name": "shop-config", "defaultMode": 420}},
            {"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}
            ]}}
        ],
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "shop",
        "securityContext": {"runAsUser": 1000, "fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}},
        "schedulerName": "default-scheduler",
        "tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ],
        "priority": 0,
        "enableServiceLinks": true,
        "preemptionPolicy": "PreemptLowerPriority"
    })
}

fn metadata(name: &str, with_policy: bool, managed: &Value) -> Value {
    let mut annotations = json!({
        "kubectl.kubernetes.io/restartedAt": "2026-11-30T09:12:44Z",
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090"
    });
    if with_policy {
        annotations["coordinator.cci.io/image-replacement"] = Value::from(POLICY);
    }
    json!({
        "name": name,
        "namespace": "shop",
        "labels": {"app": "shop", "tier": "front", "app.kubernetes.io/version": "2.3.1",
                   "pod-template-hash": "7d4b9c8f5", "team": "checkout"},
        "annotations": annotations,
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "shop-7d4b9c8f5",
            "uid": "0c2f4e0e-7b1a-4d55-9c1f-0c8f2d9b6a11", "controller": true, "blockOwnerDeletion": true}],
        "managedFields": managed
    })
}

fn request(kind: (&str, &str, &str), resource: &str, object: &Value) -> String {
    let (group, version, kind) = kind;
    let review = json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": resource},
            "namespace": "shop",
            "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller",
                "uid": "6c9b1f0e-2f41-4c59-8a53-5b1d3e7a9f20",
                "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
            "object": object,
            "oldObject": null,
            "dryRun": false,
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}
        }
    });
    review.to_string()
}

/// A Pod of `containers` containers, the policy in its own annotations.
fn pod(name: &'static str, containers: usize) -> Review {
    let mut patch = Vec::new();
    let spec = pod_spec(containers, "/spec", &mut patch);
    let object = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": metadata("shop-7d4b9c8f5-x2k9q", true, &managed_fields(containers, "")),
        "spec": spec
    });
    Review {
        name,
        body: request(("", "v1", "Pod"), "pods", &object),
        patch,
    }
}

/// A Deployment of 3 containers, the policy in its pod template's annotations.
fn deployment() -> Review {
    let mut patch = Vec::new();
    let spec = pod_spec(3, "/spec/template/spec", &mut patch);
    let object = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "shop", "namespace": "shop",
            "labels": {"app": "shop", "team": "checkout"},
            "annotations": {"deployment.kubernetes.io/revision": "7"},
            "managedFields": managed_fields(3, "spec/template")},
        "spec": {
            "replicas": 3,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "shop"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "progressDeadlineSeconds": 600,
            "template": {"metadata": metadata("", true, &Value::Null), "spec": spec}
        }
    });
    // A template has no name, owner or managed fields of its own.
    let mut object = object;
    if let Some(meta) = object["spec"]["template"]["metadata"].as_object_mut() {
        for key in ["name", "namespace", "ownerReferences", "managedFields"] {
            meta.remove(key);
        }
    }
    Review {
        name: "deployment-3",
        body: request(("apps", "v1", "Deployment"), "deployments", &object),
        patch,
    }
}

/// The body the webhook's load test (`TestLoad` in `webhook/`) posts:
/// a small Deployment (757 bytes) whose pod template carries a two-rule policy, with two
/// containers and an init container, two of them rewritten. The review a webhook sees all day.
///
/// ```
/// use imgrepl_k8s::{Options, admission};
///
/// let body = imgrepl_benches::admission::WEBHOOK_BODY;
/// assert_eq!(body.len(), 757);
/// let response = admission::review_json(body, &Options::default()).unwrap();
/// assert_eq!(response.report.map(|r| r.patch.len()), Some(2));
/// ```
pub const WEBHOOK_BODY: &str = r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"group":"","kind":"Deployment","version":"v1"},"object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},"name":"web","namespace":"shop"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"annotations":{"coordinator.cci.io/image-replacement":"[{\"repositoryPrefix\": \"harbor.domain\", \"replaceWith\": \"mirror.local/org1\"}, {\"repositoryPrefix\": \"\", \"replaceWith\": \"mirror.local/hub\"}]"}},"spec":{"containers":[{"image":"harbor.domain/team/web:2.1","name":"web"},{"image":"quay.io/x/y:1","name":"side"}],"initContainers":[{"image":"busybox:1.36","name":"init"}]}}}},"operation":"CREATE","uid":"load"}}"#;

/// The three reviews: a Pod (3 containers), a Deployment (3 containers), a Pod of 40.
#[must_use]
pub fn reviews() -> Vec<Review> {
    vec![pod("pod", 3), deployment(), pod("pod-40", 40)]
}

/// A large `AdmissionReview` of a Pod, for the memory figures of `examples/admission_memory.rs`:
/// containers as [`reviews`] builds them, each with 24 more `env` entries, and 400 annotations
/// of 200 bytes, repeated until the object is at least `object_bytes` long. With `update`, the
/// request is an `UPDATE` whose `oldObject` is the same Pod (so the body is about twice
/// `object_bytes`), as the API server sends an update.
///
/// ```
/// let create = imgrepl_benches::admission::large_review(200_000, false);
/// let update = imgrepl_benches::admission::large_review(200_000, true);
/// assert!(create.len() > 200_000 && update.len() > 2 * 200_000);
/// assert!(update.contains(r#""operation":"UPDATE""#) && create.contains(r#""oldObject":null"#));
/// ```
#[must_use]
pub fn large_review(object_bytes: usize, update: bool) -> String {
    let mut annotations = serde_json::Map::new();
    for i in 0..400 {
        annotations.insert(
            format!("example.com/note-{i}"),
            Value::from(format!("{i:04}-{}", "annotation text ".repeat(12))),
        );
    }
    annotations.insert(
        "coordinator.cci.io/image-replacement".to_owned(),
        Value::from(POLICY),
    );
    let container = |i: usize| {
        let mut c = container(i);
        if let Some(env) = c["env"].as_array_mut() {
            for j in 0..24 {
                env.push(json!({"name": format!("SETTING_{j}"), "value": format!("value-{i}-{j}-{}", "x".repeat(20))}));
            }
        }
        c
    };
    let mut containers = Vec::new();
    let mut size = 0;
    while size < object_bytes {
        let c = container(containers.len());
        size += c.to_string().len() + 1;
        containers.push(c);
        if containers.len() == 1 {
            size += Value::Object(annotations.clone()).to_string().len();
        }
    }
    let mut patch = Vec::new();
    let mut spec = pod_spec(0, "/spec", &mut patch);
    spec["containers"] = Value::Array(containers);
    let object = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "shop-7d4b9c8f5-x2k9q", "namespace": "shop",
            "labels": {"app": "shop", "tier": "front"}, "annotations": annotations},
        "spec": spec
    });
    let body = request(("", "v1", "Pod"), "pods", &object);
    if !update {
        return body;
    }
    let mut review: Value = serde_json::from_str(&body).unwrap_or_default();
    review["request"]["operation"] = Value::from("UPDATE");
    review["request"]["oldObject"] = object;
    review["request"]["options"] = json!({"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1"});
    review.to_string()
}
