//! The exported `MutatingAdmissionPolicy`: the schema fields Kubernetes requires, the README's
//! example, and the expression's size and rough cost for policies of 1, 10 and 100 rules.

mod common;

use imgrepl::Policy;
use imgrepl_export::map::{ApiVersion, Options, mutating_admission_policy};

fn documents(yaml: &str) -> Vec<serde_json::Value> {
    serde_saphyr::from_multiple(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

/// The fields the API server requires of a `MutatingAdmissionPolicy` and its binding.
fn check_schema(yaml: &str, version: &str) {
    let docs = documents(yaml);
    assert_eq!(docs.len(), 2, "{yaml}");
    let (policy, binding) = (&docs[0], &docs[1]);
    let api = format!("admissionregistration.k8s.io/{version}");
    assert_eq!(policy["apiVersion"], api.as_str());
    assert_eq!(policy["kind"], "MutatingAdmissionPolicy");
    let name = policy["metadata"]["name"].as_str().unwrap();
    assert!(!name.is_empty());
    let spec = &policy["spec"];
    assert_eq!(spec["failurePolicy"], "Fail");
    assert!(["Never", "IfNeeded"].contains(&spec["reinvocationPolicy"].as_str().unwrap()));
    let rules = spec["matchConstraints"]["resourceRules"]
        .as_array()
        .unwrap();
    let resources: Vec<&str> = rules
        .iter()
        .flat_map(|r| r["resources"].as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(resources, ["pods", "pods/ephemeralcontainers"]);
    let mutations = spec["mutations"].as_array().unwrap();
    assert_eq!(mutations.len(), 3);
    for (m, list) in mutations.iter().zip(imgrepl_export::map::LISTS) {
        assert_eq!(m["patchType"], "ApplyConfiguration");
        let expression = m["applyConfiguration"]["expression"].as_str().unwrap();
        assert!(
            expression.starts_with(&format!("has(object.spec.{list}) ?")),
            "{expression}"
        );
        assert!(expression.contains(&format!(
            "Object.spec.{list}{{name: c.name, image: variables.images"
        )));
    }
    let variables = spec["variables"].as_array().unwrap();
    assert_eq!(variables[0]["name"], "images");
    assert!(
        variables[0]["expression"]
            .as_str()
            .unwrap()
            .contains(".map(c, [c.image,")
    );
    assert_eq!(binding["apiVersion"], api.as_str());
    assert_eq!(binding["kind"], "MutatingAdmissionPolicyBinding");
    assert_eq!(binding["metadata"]["name"], name);
    assert_eq!(binding["spec"]["policyName"], name);
}

#[test]
fn the_policy_and_binding_have_the_fields_kubernetes_requires() {
    let policy =
        Policy::from_json(r#"[{"repositoryPrefix": "a.io", "replaceWith": "m.io/a"}]"#).unwrap();
    for (version, v) in [(ApiVersion::V1beta1, "v1beta1"), (ApiVersion::V1, "v1")] {
        let yaml = mutating_admission_policy(
            &policy,
            &Options {
                name: "mirror".into(),
                api_version: version,
            },
        );
        check_schema(&yaml, v);
        // The annotations keep the policy it was compiled from.
        let docs = documents(&yaml);
        let kept = docs[0]["metadata"]["annotations"]["imgrepl.io/policy"]
            .as_str()
            .unwrap();
        assert_eq!(Policy::from_json(kept).unwrap().rules(), policy.rules());
    }
    // A chained policy is applied once: no reinvocation.
    let chained = Policy::from_json(
        r#"[{"repositoryPrefix": "a.io", "replaceWith": "b.io"}, {"repositoryPrefix": "b.io", "replaceWith": "c.io"}]"#,
    )
    .unwrap();
    let docs = documents(&mutating_admission_policy(&chained, &Options::default()));
    assert_eq!(docs[0]["spec"]["reinvocationPolicy"], "Never");
    let docs = documents(&mutating_admission_policy(&policy, &Options::default()));
    assert_eq!(docs[0]["spec"]["reinvocationPolicy"], "IfNeeded");
}

/// The README shows the export of its example policy: the same text, and a valid one.
#[test]
fn the_readme_shows_the_export_of_its_example_policy() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- export-map -->\n```yaml\n")
        .expect("README: the exported MAP block")
        + "<!-- export-map -->\n```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let shown = &readme[start..end];
    // The README's example policy: its first JSON block.
    let json_start = readme.find("```json\n").unwrap() + "```json\n".len();
    let json = &readme[json_start..json_start + readme[json_start..].find("```").unwrap()];
    let policy = Policy::from_json(json).unwrap();
    let yaml = mutating_admission_policy(&policy, &Options::default());
    check_schema(&yaml, "v1beta1");
    assert_eq!(shown, yaml, "README.md's exported MAP is stale");
}

/// A rough runtime cost of the expression for one image, after the API server's cost model
/// (k8s.io/apiserver's CEL library): a string function costs 1 + 0.1 per character it reads,
/// `matches` (0.1 per character of the string) × (0.25 per character of the expression).
fn rough_cost(policy: &Policy, image_len: usize) -> u64 {
    let source = imgrepl_export::cel::expression(policy, "image");
    let mut cost = 0u64;
    let s = |n: usize| 1 + (n as u64).div_ceil(10);
    let mut rest = source.as_str();
    while let Some(i) = rest.find(".matches('") {
        let re_len = rest[i + 10..].find("')").unwrap();
        cost += s(image_len) * (re_len as u64).div_ceil(4);
        rest = &rest[i + 10 + re_len..];
    }
    let calls = ["startsWith(", "contains(", "substring(", "size("]
        .iter()
        .map(|f| source.matches(f).count() as u64)
        .sum::<u64>();
    cost + calls * s(image_len) + policy.rules().len() as u64 * 2
}

#[test]
fn size_and_cost_stay_within_the_api_servers_limits() {
    // Per expression evaluation the API server allows a cost of 1,000,000 (PerCallLimit) and
    // 10,000,000 per policy evaluation (RuntimeCELCostBudget); a request is at most 3 MiB.
    let mut lines = Vec::new();
    for n in [1usize, 10, 100] {
        let json: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"repositoryPrefix": "registry{i}.example.com/team", "replaceWith": "mirror.example.com/r{i}"}}"#))
            .collect();
        let policy = Policy::from_json(&format!("[{}]", json.join(","))).unwrap();
        let cel = imgrepl_export::cel::expression(&policy, "image");
        let yaml = mutating_admission_policy(&policy, &Options::default());
        // Worst case: every regular expression evaluated over an image of 4096 bytes (a
        // bound, since only the matching rules' run); typical: a 60-byte image.
        let worst = rough_cost(&policy, 4096);
        let typical = rough_cost(&policy, 60);
        lines.push(format!(
            "{n} rules: expression {} bytes, policy YAML {} bytes, rough cost per image {typical} (60 bytes) / {worst} (4096 bytes, bound)",
            cel.len(),
            yaml.len()
        ));
        assert!(yaml.len() < 3 << 20);
        assert!(worst < 1_000_000, "{n} rules: {worst}");
    }
    eprintln!("{}", lines.join("\n"));
}

/// The policy's variable and the image each mutation sets, evaluated by the CEL implementation
/// over a pod: every container of the three lists gets `Policy::rewrite`'s image (the typed
/// `Object{…}` construction around it is the API server's).
#[test]
fn the_variable_and_the_lookup_give_each_container_the_rewritten_image() {
    let policy = Policy::from_json(
        r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"}, {"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#,
    )
    .unwrap();
    let yaml = mutating_admission_policy(&policy, &Options::default());
    let docs = documents(&yaml);
    let variable = docs[0]["spec"]["variables"][0]["expression"]
        .as_str()
        .unwrap()
        .to_owned();
    let pod = serde_json::json!({"spec": {
        "containers": [{"name": "a", "image": "nginx:1"}, {"name": "b", "image": "harbor.domain/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}, {"name": "c"}],
        "initContainers": [{"name": "i", "image": "quay.io/q/r"}, {"name": "j", "image": "Bad Image"}],
        "ephemeralContainers": [{"name": "e", "image": "busybox"}]
    }});
    let images = common::eval_with(&variable, &[("object", &pod)]);
    let pairs = images.as_array().unwrap();
    let mut seen = 0;
    for list in imgrepl_export::map::LISTS {
        for container in pod["spec"][list].as_array().unwrap() {
            let Some(image) = container["image"].as_str() else {
                continue;
            };
            let want = policy
                .rewrite(image)
                .map_or(image.to_owned(), |r| r.image.into_owned());
            assert!(
                pairs.contains(&serde_json::json!([image, want])),
                "{image}: {pairs:?}"
            );
            // The mutation's lookup of this container's image.
            let lookup = common::eval_with(
                "variables.images.filter(p, p[0] == c.image)[0][1]",
                &[
                    ("variables", &serde_json::json!({"images": images})),
                    ("c", container),
                ],
            );
            assert_eq!(lookup, want.as_str(), "{image}");
            seen += 1;
        }
    }
    assert_eq!((seen, pairs.len()), (5, 5));
    assert!(pairs.contains(&serde_json::json!(["nginx:1", "m.io/hub/nginx:1"])));
    assert!(pairs.contains(&serde_json::json!(["Bad Image", "Bad Image"])));
}
