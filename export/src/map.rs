//! A Kubernetes `MutatingAdmissionPolicy` and its binding that rewrite the images of pods
//! exactly as `imgrepl::Policy::rewrite` does, with the policy compiled into CEL
//! ([`crate::cel::expression`]).
//!
//! # What it is
//!
//! - `matchConstraints`: `CREATE` of `pods`, and `UPDATE` of `pods/ephemeralcontainers`, as the
//!   webhook's configuration (ephemeral containers reach admission only through that
//!   subresource).
//! - One variable, `images`: for every image of the pod, the pair `[image, result]`, the
//!   result computed by the expression (written once, whatever the number of lists).
//! - Three mutations of `patchType: ApplyConfiguration`, one per list (`containers`,
//!   `initContainers`, `ephemeralContainers`): each container, keyed by its `name`, gets the
//!   result of its image (an unchanged image is applied as it is, which changes nothing).
//! - `failurePolicy: Fail`; `reinvocationPolicy: IfNeeded` when applying the policy twice
//!   changes nothing (no `chained-rule` warning), so containers another mutation adds later are
//!   rewritten too; `Never` otherwise, as rewriting is applied once.
//!
//! # What it cannot do that the webhook does
//!
//! - Read the policy from each pod's annotation: Kubernetes' CEL environment has no function
//!   that parses JSON, so the policy is compiled in (`--static`), and one policy applies to
//!   every pod the binding selects.
//! - Warnings, explanations and pull-secret checks: a mutation returns an object, nothing else.
//! - Images of workloads other than pods (the webhook too rewrites pods only).

use std::fmt::Write as _;

use imgrepl::{Code, Policy};

/// The API version of `admissionregistration.k8s.io` to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiVersion {
    /// `v1beta1` (Kubernetes 1.34, beta).
    #[default]
    V1beta1,
    /// `v1` (stable).
    V1,
}

impl ApiVersion {
    /// `"v1beta1"` or `"v1"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1beta1 => "v1beta1",
            ApiVersion::V1 => "v1",
        }
    }
}

/// Options of [`mutating_admission_policy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `metadata.name` of the policy and of its binding.
    pub name: String,
    /// The API version.
    pub api_version: ApiVersion,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            name: "imgrepl".to_owned(),
            api_version: ApiVersion::default(),
        }
    }
}

/// The container lists, as the pod spec names them.
pub const LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// Whether applying `policy` to its own results changes nothing (no `chained-rule` warning).
pub fn idempotent(policy: &Policy) -> bool {
    !policy
        .warnings()
        .iter()
        .any(|d| d.code() == Code::ChainedRule)
}

/// The expression of the variable `images`: a `[image, result]` pair for every image of the pod.
fn images_variable(policy: &Policy) -> String {
    let image = crate::cel::expression(policy, "c.image").replace('\n', "\n  ");
    format!(
        "(object.spec.containers\n  + (has(object.spec.initContainers) ? object.spec.initContainers : [])\n  + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : [])\n).filter(c, has(c.image)).map(c, [c.image,\n  {image}\n])"
    )
}

/// The `ApplyConfiguration` expression of one container list: each container's image looked
/// up in `variables.images`.
fn apply_configuration(list: &str) -> String {
    format!(
        "has(object.spec.{list}) ?\n  Object{{spec: Object.spec{{{list}: object.spec.{list}.filter(c, has(c.image)).map(c,\n    Object.spec.{list}{{name: c.name, image: variables.images.filter(p, p[0] == c.image)[0][1]}})}}}}\n  : Object{{}}"
    )
}

/// The policy and its binding, as two YAML documents.
///
/// ```
/// let policy = imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)?;
/// let yaml = imgrepl_export::map::mutating_admission_policy(&policy, &Default::default());
/// assert!(yaml.starts_with("apiVersion: admissionregistration.k8s.io/v1beta1\nkind: MutatingAdmissionPolicy\n"));
/// assert!(yaml.contains("\n---\n"));
/// assert!(yaml.contains("policyName: imgrepl\n"));
/// # Ok::<(), imgrepl::PolicyError>(())
/// ```
pub fn mutating_admission_policy(policy: &Policy, options: &Options) -> String {
    let version = options.api_version.as_str();
    let name = if !options.name.is_empty()
        && options
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        options.name.clone()
    } else {
        json_string(&options.name)
    };
    let reinvocation = if idempotent(policy) {
        "IfNeeded"
    } else {
        "Never"
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "apiVersion: admissionregistration.k8s.io/{version}
kind: MutatingAdmissionPolicy
metadata:
  name: {name}
  annotations:
    imgrepl.io/policy: {policy_json}
    imgrepl.io/mode: {mode}
spec:
  failurePolicy: Fail
  reinvocationPolicy: {reinvocation}
  matchConstraints:
    resourceRules:
      - apiGroups: [\"\"]
        apiVersions: [\"v1\"]
        operations: [\"CREATE\"]
        resources: [\"pods\"]
      - apiGroups: [\"\"]
        apiVersions: [\"v1\"]
        operations: [\"UPDATE\"]
        resources: [\"pods/ephemeralcontainers\"]
  variables:
    - name: images
      expression: |-
        {images}
  mutations:
",
        images = images_variable(policy).replace('\n', "\n        "),
        policy_json = json_string(&policy.to_json()),
        mode = policy.mode(),
    );
    for list in LISTS {
        let expression = apply_configuration(list).replace('\n', "\n          ");
        let _ = write!(
            out,
            "    - patchType: ApplyConfiguration
      applyConfiguration:
        expression: |-
          {expression}
"
        );
    }
    let _ = write!(
        out,
        "---
apiVersion: admissionregistration.k8s.io/{version}
kind: MutatingAdmissionPolicyBinding
metadata:
  name: {name}
spec:
  policyName: {name}
"
    );
    out
}

/// `s` as a JSON string, which is a YAML double-quoted scalar.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}
