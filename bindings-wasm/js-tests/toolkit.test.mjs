// The operators' toolkit as a Node user sees it (bindings-wasm/pkg/node): the UTF-16 spans of
// coverage and diff, manifestImages, the burst and checkPulls options of rewriteWorkload and
// reviewAdmission, and the errors bad input gives. Every case asserts values. The coverage,
// diff and secondPass cases every binding shares are rows of testdata/frontdoor/cases.json,
// run by cases.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Policy, coverage, diff, secondPass, manifestImages, rewriteWorkload, reviewAdmission } = require("../pkg/node");

/** A policy from [prefix, replaceWith] pairs, one rule per line. */
const json = (rules) =>
  `[\n${rules.map(([p, r]) => `  {"repositoryPrefix": ${JSON.stringify(p)}, "replaceWith": ${JSON.stringify(r)}}`).join(",\n")}\n]`;

/** Runs `f` with parsed policies and frees them. */
function using(texts, f, mode) {
  const policies = texts.map((t) => Policy.parse(t, mode ? { mode } : undefined));
  try {
    return f(...policies);
  } finally {
    for (const p of policies) p.free();
  }
}

// ---------- coverage, diff, secondPass ----------

// Their cases are rows of testdata/frontdoor/cases.json (cases.test.mjs); here, what only JS
// has: the rules' spans in UTF-16 code units of the policy's text.

test("coverage and diff: each rule's span is its object in the text, in UTF-16 code units", () => {
  // A byte order mark is skipped: three bytes in UTF-8, one unit in UTF-16.
  const text = "\uFEFF" + json([["a.io", "m.io/a"], ["harbor.domain/team", "m.io/t"]]);
  const edited = "\uFEFF" + json([["a.io", "m.io/b"], ["quay.io", "m.io/q"]]);
  using([text, edited], (a, b) => {
    const r = coverage(a, ["harbor.domain/team/app"]);
    assert.equal(r.rules.length, 2);
    for (const x of r.rules) assert.equal(JSON.parse(text.slice(x.span.start, x.span.end)).repositoryPrefix, x.repositoryPrefix);
    const d = diff(a, b, ["quay.io/x"]);
    assert.deepEqual(d.rules.map((c) => c.kind), ["changed", "removed", "added"]);
    for (const c of d.rules) {
      if (c.old) assert.equal(JSON.parse(text.slice(c.old.span.start, c.old.span.end)).replaceWith, c.old.replaceWith);
      if (c.new) assert.equal(JSON.parse(edited.slice(c.new.span.start, c.new.span.end)).replaceWith, c.new.replaceWith);
    }
  });
});

// ---------- manifests ----------

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    coordinator.cci.io/image-replacement: 'not a policy'
spec:
  template:
    spec:
      initContainers: [{name: init, image: busybox:1.36}]
      containers: [{name: app, image: harbor.domain/team/web:2}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"image": "nginx"}]}}
---
this: [is not
`;

test("manifestImages: every container image with its workload, whatever the objects' policies", () => {
  assert.deepEqual(manifestImages(MANIFEST), [
    { image: "harbor.domain/team/web:2", workload: "Deployment/web" },
    { image: "busybox:1.36", workload: "Deployment/web" },
    { image: "nginx", workload: "Pod/p" },
  ]);
  assert.deepEqual(manifestImages(""), []);
  const r = using([json([["harbor.domain", "m.io/org1"], ["", "m.io/hub"]])], (p) => coverage(p, manifestImages(MANIFEST)));
  assert.deepEqual(r.rules.map((x) => x.wins), [1, 2]);
});

// ---------- workload options ----------

const LABELLED = (value) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      labels: {virtual-kubelet.io/burst-to-cci: "${value}"}
    spec:
      containers: [{name: app, image: nginx:1}]
`;
const HUB = json([["", "m.io/hub"]]);

const BURST = [
  { label: "auto", burst: ["auto", "enforce"], rewritten: true, mode: "auto", warnings: ["anonymous-pull"] },
  { label: "enforce", burst: ["auto", "enforce"], rewritten: true, mode: "enforce", warnings: ["anonymous-pull"] },
  { label: "off", burst: ["auto", "enforce"], rewritten: false, mode: "off", warnings: ["not-bursting"] },
  { label: "off", burst: undefined, rewritten: true, mode: "off", warnings: ["anonymous-pull"] },
  { label: "sometimes", burst: ["auto"], rewritten: false, mode: null, warnings: ["invalid-burst-label", "not-bursting"] },
];

for (const c of BURST) {
  test(`rewriteWorkload: label ${c.label}, burst ${JSON.stringify(c.burst)}`, () => {
    const r = rewriteWorkload(LABELLED(c.label), { policy: HUB, burst: c.burst });
    const report = r.documents[0].objects[0].report;
    assert.equal(report.patch.length, c.rewritten ? 1 : 0);
    assert.deepEqual([report.burst.value, report.burst.mode, report.burst.origin], [c.label, c.mode, "pod-template"]);
    assert.equal(report.podSpecs[0].notBursting, !c.rewritten);
    assert.deepEqual(report.warnings.map((w) => w.code).sort(), [...c.warnings].sort());
  });
}

test("rewriteWorkload: pull secrets read from the manifest itself; checkPulls: false turns the checks off", () => {
  const config = JSON.stringify({ auths: { "other.io": { auth: "dTpw" } } });
  const manifest = `apiVersion: v1
kind: Secret
type: kubernetes.io/dockerconfigjson
metadata: {name: regcred}
stringData:
  .dockerconfigjson: '${config}'
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  imagePullSecrets: [{name: regcred}]
  containers: [{image: nginx}]
`;
  const r = rewriteWorkload(manifest, { policy: HUB });
  assert.deepEqual(r.pullSecrets.secrets, [{ name: "regcred", namespace: null, registries: ["other.io"] }]);
  const pod = r.documents[1].objects[0].report;
  assert.deepEqual(pod.podSpecs[0].imagePullSecrets, ["regcred"]);
  assert.deepEqual(pod.warnings.map((w) => w.code), ["pull-secret-uncovered"]);
  const off = rewriteWorkload(manifest, { policy: HUB, checkPulls: false });
  assert.equal(off.pullSecrets, null);
  assert.deepEqual(off.documents[1].objects[0].report.warnings, []);
  assert.equal(off.output, r.output);
});

test("rewriteWorkload: a pod spec with no imagePullSecrets is checked against its service account's", () => {
  const config = JSON.stringify({ auths: { "m.io": {} } });
  const manifest = (account) => `apiVersion: v1
kind: ServiceAccount
metadata: {name: builder}
imagePullSecrets: [{name: mirror}]
---
apiVersion: v1
kind: Secret
type: kubernetes.io/dockerconfigjson
metadata: {name: mirror}
stringData:
  .dockerconfigjson: '${config}'
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      serviceAccountName: ${account}
      containers: [{name: web, image: nginx}]
`;
  // The account's secret covers m.io: no warning.
  const covered = rewriteWorkload(manifest("builder"), { policy: HUB });
  assert.deepEqual(covered.pullSecrets.serviceAccounts, [{ name: "builder", namespace: null, imagePullSecrets: ["mirror"] }]);
  assert.deepEqual(covered.documents[2].objects[0].report.warnings, []);
  // Another account, not in the manifest: the pod spec's own (none) make an anonymous pull.
  const other = rewriteWorkload(manifest("other"), { policy: HUB });
  assert.deepEqual(other.documents[2].objects[0].report.warnings.map((w) => w.code), ["anonymous-pull"]);
});

test("reviewAdmission: the burst option excludes a pod, with its warning in the response", () => {
  const object = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { "virtual-kubelet.io/burst-to-cci": "off" },
    annotations: { "coordinator.cci.io/image-replacement": HUB } }, spec: { containers: [{ image: "nginx" }] } };
  const review = JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", operation: "CREATE", object } });
  const excluded = reviewAdmission(review, { burst: ["enforce"] });
  assert.equal(excluded.response.response.patch, undefined);
  assert.deepEqual(excluded.report.warnings.map((w) => w.code), ["not-bursting"]);
  assert.equal(excluded.response.response.warnings.length, 1);
  assert.match(excluded.response.response.warnings[0], /not bursting/);
  assert.match(reviewAdmission(review).response.response.warnings[0], /anonymous/);
  const all = reviewAdmission(review, { checkPulls: false });
  assert.equal(all.response.response.patchType, "JSONPatch");
  assert.deepEqual(all.report.warnings, []);
});

test("reviewAdmission: CCI 2.0 label, opt-out, audit and the excluded namespace", () => {
  const review = (labels, namespace = "shop") => JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
    request: { uid: "u", operation: "CREATE", namespace, object: { apiVersion: "v1", kind: "Pod",
      metadata: { name: "p", labels, annotations: { "coordinator.cci.io/image-replacement": HUB } },
      spec: { imagePullSecrets: [{ name: "m" }], containers: [{ name: "web", image: "nginx" }] } } } });
  const both = reviewAdmission(review({ "bursting.cci.io/burst-to-cci": "off", "virtual-kubelet.io/burst-to-cci": "enforce" }), { burst: ["enforce"] });
  assert.deepEqual([both.report.burst.key, both.report.burst.value], ["bursting.cci.io/burst-to-cci", "off"]);
  assert.deepEqual(both.report.warnings.map((w) => w.code), ["burst-label-conflict", "not-bursting"]);
  const out = reviewAdmission(review({ "imgrepl.io/exclude": "true" }));
  assert.equal(out.excluded, "excluded");
  assert.equal(out.report.podSpecs[0].excluded, true);
  assert.equal(out.response.response.patch, undefined);
  const audit = reviewAdmission(review({}), { audit: true });
  assert.equal(audit.response.response.patch, undefined);
  assert.deepEqual(audit.response.response.warnings, ['imgrepl: audit: would rewrite containers[0] "web" from "nginx" to "m.io/hub/nginx" (rule 0, prefix "")']);
  assert.equal(audit.excluded, null);
  const ns = reviewAdmission(review({}, "imgrepl-system"), { excludeNamespace: "imgrepl-system" });
  assert.deepEqual([ns.excluded, ns.report, ns.response.response.patch], ["excluded-namespace", null, undefined]);
  assert.throws(() => reviewAdmission(review({}), { audit: "yes" }), /options.audit must be a boolean/);
});

// ---------- bad input ----------

const BAD = [
  ["coverage over a string", (p) => coverage(p, "nginx"), "images must be an array"],
  ["coverage over numbers", (p) => coverage(p, ["nginx", 7]), "images[1] must be"],
  ["an object without image", (p) => secondPass(p, [{ workload: "Pod/p" }]), "images[0] must be"],
  ["a workload that is not a string", (p) => diff(p, p, [{ image: "nginx", workload: 3 }]), "images[0] must be"],
  ["rewriteAll over a string", (p) => p.rewriteAll("nginx"), "expected an array of strings"],
  ["burst not an array", () => rewriteWorkload("{}", { burst: "auto" }), "options.burst must be an array"],
  ["burst with an unknown value", () => rewriteWorkload("{}", { burst: ["sometimes"] }), "unknown bursting value"],
  ["burst empty", () => rewriteWorkload("{}", { burst: [] }), "options.burst is empty"],
  ["checkPulls not a boolean", () => reviewAdmission("{}", { checkPulls: "yes" }), "options.checkPulls must be a boolean"],
];

for (const [name, call, message] of BAD) {
  test(`bad input gives an Error with code invalid-argument, and the policy stays usable: ${name}`, () => {
    const p = Policy.parse(HUB);
    assert.throws(() => call(p), (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.code, "invalid-argument");
      assert.ok(e.message.includes(message), e.message);
      return true;
    });
    // The throw happened before anything was borrowed for good.
    assert.equal(coverage(p, ["nginx"]).rewritten, 1);
    assert.equal(p.rewrite("nginx").image, "m.io/hub/nginx");
    p.free();
  });
}

test("a policy of the wrong kind, or freed, is an Error, not a trap", () => {
  assert.throws(() => coverage({}, ["nginx"]), Error);
  const p = Policy.parse(HUB);
  p.free();
  assert.throws(() => coverage(p, ["nginx"]), Error);
  const q = Policy.parse(HUB);
  assert.equal(coverage(q, ["nginx"]).rewritten, 1);
  q.free();
});

test("coverage: the port trap and other spellings of Docker Hub name the rule beside the registry, as the CLI does", () => {
  const r = using([json([["harbor.domain", "m.io/org1"], ["", "m.io/hub"]])], (p) =>
    coverage(p, ["harbor.domain:5000/team/app", "docker.io/library/nginx", "quay.io/x"]));
  const near = Object.fromEntries(r.uncovered.map((g) => [g.registry, g.near ?? null]));
  assert.deepEqual(near["harbor.domain:5000"], {
    rule: 0, repositoryPrefix: "harbor.domain", kind: "port",
    message: 'rule 0 ("harbor.domain") differs only by the port: another registry to the runtime',
  });
  assert.deepEqual(near["docker.io"], {
    rule: 1, repositoryPrefix: "", kind: "docker-hub",
    message: 'rule 1 ("") spells Docker Hub another way: prefixes match as written',
  });
  assert.equal(near["quay.io"], null);
});
