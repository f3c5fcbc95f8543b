// The operators' toolkit as a Node user sees it (bindings-wasm/pkg/node): coverage, diff,
// secondPass and manifestImages, the burst and checkPulls options of rewriteWorkload and
// reviewAdmission, and the errors bad input gives. Every case asserts values.
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

// ---------- coverage ----------

const COVERAGE = [
  {
    name: "a typo in a prefix is a dead rule; the shorter prefix is shadowed where the longer wins",
    rules: [["harbor.domain", "m.io/org1"], ["harbor.domain/team", "m.io/team"], ["harbour.domain", "m.io/typo"]],
    images: [{ image: "harbor.domain/team/app:1", workload: "Deployment/web" }, "harbor.domain/db", "nginx"],
    rules_: [["wins", 1, 1, null], ["wins", 1, 0, null], ["dead", 0, 0, "dead-rule"]],
    rewritten: 2,
    uncovered: [[null, "docker.io", 1, ["nginx"]]],
  },
  {
    name: "a rule that only loses to a longer prefix is shadowed, with every loss counted",
    rules: [["harbor.domain", "m.io/org1"], ["harbor.domain/team", "m.io/team"]],
    images: ["harbor.domain/team/a", "harbor.domain/team/b", "harbor.domain/team/a"],
    rules_: [["shadowed", 0, 3, "shadowed-rule"], ["wins", 3, 0, null]],
    rewritten: 3,
    uncovered: [],
  },
  {
    name: "the empty prefix covers Docker Hub's official images only; other registries are grouped, most first",
    rules: [["", "m.io/hub"]],
    images: [
      { image: "quay.io/a/b", workload: "Deployment/one" },
      { image: "quay.io/a/b", workload: "Deployment/two" },
      { image: "quay.io/c/d:1", workload: "Deployment/one" },
      "team/app",
      "docker.io/library/redis",
      "nginx:1.27",
    ],
    rules_: [["wins", 1, 0, null]],
    rewritten: 1,
    // As written, the first component of "team/app" is its domain (the reference grammar's
    // reading); the runtime reads it as a Docker Hub path.
    uncovered: [
      ["quay.io", "quay.io", 3, ["quay.io/a/b", "quay.io/c/d:1"]],
      ["docker.io", "docker.io", 1, ["docker.io/library/redis"]],
      ["team", "docker.io", 1, ["team/app"]],
    ],
  },
  {
    name: "an empty corpus: every rule is dead",
    rules: [["a.io", "m.io/a"], ["", "m.io"]],
    images: [],
    rules_: [["dead", 0, 0, "dead-rule"], ["dead", 0, 0, "dead-rule"]],
    rewritten: 0,
    uncovered: [],
  },
  {
    name: "exact-parent mode: a rule that is not an image's parent path loses it, and the modes disagree",
    mode: "exact-parent",
    rules: [["harbor.domain", "m.io/org1"], ["harbor.domain/team", "m.io/team"]],
    images: ["harbor.domain/team/sub/app", "harbor.domain/team/app"],
    rules_: [["shadowed", 0, 2, "shadowed-rule"], ["wins", 1, 1, null]],
    rewritten: 1,
    uncovered: [["harbor.domain", "harbor.domain", 1, ["harbor.domain/team/sub/app"]]],
    disagreements: [["harbor.domain/team/sub/app", 1, null]],
  },
];

for (const c of COVERAGE) {
  test(`coverage: ${c.name}`, () => {
    const text = json(c.rules);
    const r = using([text], (p) => coverage(p, c.images), c.mode);
    assert.equal(r.mode, c.mode ?? "longest-prefix");
    assert.equal(r.images, c.images.length);
    assert.deepEqual(r.rules.map((x) => [x.status, x.wins, x.shadowed, x.code]), c.rules_);
    assert.deepEqual(r.rules.map((x) => [x.repositoryPrefix, x.replaceWith]), c.rules);
    // Each rule's span is its object in the text.
    for (const x of r.rules) assert.equal(JSON.parse(text.slice(x.span.start, x.span.end)).repositoryPrefix, x.repositoryPrefix);
    assert.equal(r.rewritten, c.rewritten);
    assert.deepEqual(r.uncovered.map((g) => [g.registry, g.normalized, g.count, g.images.map((i) => i.image)]), c.uncovered);
    assert.equal(r.uncoveredCount, c.uncovered.reduce((n, g) => n + g[2], 0));
    assert.ok(r.uncovered.every((g) => g.code === "uncovered-image"));
    assert.deepEqual(r.disagreements.map((d) => [d.image, d.longestPrefixRule, d.exactParentRule]), c.disagreements ?? []);
  });
}

test("coverage: example workloads, counts of repeated images, distinct images", () => {
  const r = using([json([["", "m.io/hub"]])], (p) =>
    coverage(p, [
      { image: "quay.io/a/b", workload: "Deployment/one" },
      { image: "quay.io/a/b", workload: "Deployment/two" },
      { image: "quay.io/a/b", workload: "Deployment/one" },
      { image: "quay.io/a/b", workload: null },
      { image: "quay.io/c", workload: "Pod/p" },
    ]));
  assert.equal(r.distinct, 2);
  const [group] = r.uncovered;
  assert.deepEqual(group.images, [
    { image: "quay.io/a/b", count: 4, workloads: ["Deployment/one", "Deployment/two"] },
    { image: "quay.io/c", count: 1, workloads: ["Pod/p"] },
  ]);
  assert.deepEqual(group.workloads, ["Deployment/one", "Deployment/two", "Pod/p"]);
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

test("coverage: invalid images, and images whose rewrite would be invalid, with code, offset and rule", () => {
  // A 251-byte path is a valid replaceWith; with "/apps" after it, the result's path is 256 bytes.
  const r = using([json([["", "m.io/hub"], ["a.io", `m.io/${"x".repeat(251)}`]])], (p) =>
    coverage(p, ["Bad:image", "a/é/x", "a.io/apps", { image: "a.io/apps", workload: "Pod/p" }, "nginx"]));
  assert.deepEqual([r.invalidCount, r.rewritten, r.uncoveredCount], [4, 1, 0]);
  assert.deepEqual(r.invalid.map((i) => [i.image, i.count, i.error.code, i.error.offset, i.rule, i.workloads]), [
    ["a.io/apps", 2, "invalid-result", r.invalid[0].error.offset, 1, ["Pod/p"]],
    ["Bad:image", 1, "uppercase", 0, null, []],
    ["a/é/x", 1, "invalid-format", 2, null, []],
  ]);
  assert.ok(r.invalid[0].error.offset <= "a.io/apps".length);
  // An image whose rewrite would be invalid still counts as a win of its rule.
  assert.deepEqual(r.rules.map((x) => x.wins), [1, 2]);
  for (const i of r.invalid) assert.match(i.error.message, /\S/);
});

// ---------- diff ----------

const OLD = json([["harbor.domain", "m.io/org1"], ["harbor.domain/team", "m.io/team"], ["", "m.io/hub"]]);
const IMAGES = ["harbor.domain/team/app:1", "harbor.domain/db", "nginx", "quay.io/a/b"];

const DIFF = [
  { name: "the same policy: nothing changes", new: OLD, rules: [], images: [] },
  {
    name: "rules that only move are not changes",
    new: json([["", "m.io/hub"], ["harbor.domain/team", "m.io/team"], ["harbor.domain", "m.io/org1"]]),
    rules: [],
    images: [],
  },
  {
    name: "a changed replaceWith changes the images its rule wins",
    new: json([["harbor.domain", "m.io/org9"], ["harbor.domain/team", "m.io/team"], ["", "m.io/hub"]]),
    rules: [["changed", "harbor.domain", 0, 0]],
    images: [["harbor.domain/db", "m.io/org1/db", "m.io/org9/db", [0]]],
  },
  {
    name: "a removed rule: its images fall back to a shorter prefix",
    new: json([["harbor.domain", "m.io/org1"], ["", "m.io/hub"]]),
    rules: [["removed", "harbor.domain/team", 1, null]],
    images: [["harbor.domain/team/app:1", "m.io/team/app:1", "m.io/org1/team/app:1", [0]]],
  },
  {
    name: "an added rule takes the images it is a longer prefix of; a removed one leaves its images unchanged",
    new: json([["harbor.domain", "m.io/org1"], ["harbor.domain/team", "m.io/team"], ["quay.io/a", "m.io/quay"]]),
    rules: [["removed", "", 2, null], ["added", "quay.io/a", null, 2]],
    images: [
      ["nginx", "m.io/hub/nginx", "nginx", [0]],
      ["quay.io/a/b", "quay.io/a/b", "m.io/quay/b", [1]],
    ],
  },
];

for (const c of DIFF) {
  test(`diff: ${c.name}`, () => {
    const d = using([OLD, c.new], (a, b) => diff(a, b, IMAGES));
    assert.deepEqual(d.rules.map((r) => [r.kind, r.repositoryPrefix, r.old?.index ?? null, r.new?.index ?? null]), c.rules);
    assert.deepEqual(d.images.map((i) => [i.image, i.old.result, i.new.result, i.causes]), c.images);
    // Each cause names a rule change whose prefix won the image before or after.
    for (const i of d.images) {
      for (const k of i.causes) assert.ok([i.old.prefix, i.new.prefix].includes(d.rules[k].repositoryPrefix));
    }
    // Spans point at each rule's object in its own text.
    for (const r of d.rules) {
      if (r.old) assert.equal(JSON.parse(OLD.slice(r.old.span.start, r.old.span.end)).replaceWith, r.old.replaceWith);
      if (r.new) assert.equal(JSON.parse(c.new.slice(r.new.span.start, r.new.span.end)).replaceWith, r.new.replaceWith);
    }
    assert.equal(d.summary.images, IMAGES.length);
    assert.equal(d.summary.distinctChanged, c.images.length);
    assert.deepEqual(
      [d.summary.added, d.summary.removed, d.summary.changed],
      ["added", "removed", "changed"].map((k) => c.rules.filter((r) => r[0] === k).length),
    );
  });
}

test("diff: a change of match mode alone has no causing rule; errors are codes; counts add occurrences", () => {
  const text = json([["harbor.domain", "m.io/org1"]]);
  const a = Policy.parse(text);
  const b = Policy.parse(text, { mode: "exact-parent" });
  const d = diff(a, b, ["harbor.domain/team/app", { image: "harbor.domain/team/app", workload: "Pod/p" }, "harbor.domain/app"]);
  assert.deepEqual(d.rules, []);
  assert.deepEqual(d.images.map((i) => [i.image, i.count, i.old.result, i.new.result, i.new.rule, i.causes, i.workloads]), [
    ["harbor.domain/team/app", 2, "m.io/org1/team/app", "harbor.domain/team/app", null, [], ["Pod/p"]],
  ]);
  assert.equal(d.summary.imagesChanged, 2);
  const long = Policy.parse(json([["harbor.domain", `m.io/${"x".repeat(251)}`]]));
  const e = diff(a, long, ["harbor.domain/apps"]);
  assert.deepEqual([e.images[0].old.error, e.images[0].new.error, e.images[0].new.result, e.images[0].new.rule], [null, "invalid-result", null, 0]);
  for (const p of [a, b, long]) p.free();
});

// ---------- second pass ----------

const PASSES = [
  {
    name: "a rule rewrites another's result once more, then nothing matches",
    rules: [["", "mirror.io/hub"], ["mirror.io", "cache.io/m"]],
    images: ["nginx:1", "quay.io/a/b"],
    expect: [["nginx:1", "mirror.io/hub/nginx:1", [[0, "mirror.io/hub/nginx:1"], [1, "cache.io/m/hub/nginx:1"]], "stable"]],
  },
  {
    name: "two rules that undo each other cycle",
    rules: [["a.io", "b.io"], ["b.io", "a.io"]],
    images: ["a.io/x"],
    expect: [["a.io/x", "b.io/x", [[0, "b.io/x"], [1, "a.io/x"]], "cycle"]],
  },
  {
    name: "a rule that matches its own result grows the image until the limit",
    rules: [["a.io", "a.io/a"]],
    images: ["a.io/x"],
    expect: [["a.io/x", "a.io/a/x", [[0, "a.io/a/x"], [0, "a.io/a/a/x"], [0, "a.io/a/a/a/x"], [0, "a.io/a/a/a/a/x"], [0, "a.io/a/a/a/a/a/x"]], "limit"]],
  },
  {
    name: "no rule matches a result: nothing to report",
    rules: [["harbor.domain", "m.io/org1"], ["", "m.io/hub"]],
    images: ["harbor.domain/a", "nginx", "Bad"],
    expect: [],
  },
];

for (const c of PASSES) {
  test(`secondPass: ${c.name}`, () => {
    const r = using([json(c.rules)], (p) => secondPass(p, c.images));
    assert.deepEqual(r.map((s) => [s.image, s.first, s.chain.map((x) => [x.rule, x.result]), s.end]), c.expect);
    for (const s of r) {
      assert.equal(s.code, "second-pass-change");
      assert.equal(s.error, null);
    }
  });
}

test("secondPass: a chain that would make an invalid reference ends with the error", () => {
  const r = using([json([["a.io", `a.io/${"x".repeat(200)}`]])], (p) => secondPass(p, [{ image: "a.io/b", workload: "Pod/p" }]));
  assert.equal(r.length, 1);
  assert.deepEqual([r[0].end, r[0].error.code, r[0].chain.length, r[0].workloads], ["invalid-result", "invalid-result", 1, ["Pod/p"]]);
  assert.ok(r[0].error.offset <= r[0].first.length);
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
