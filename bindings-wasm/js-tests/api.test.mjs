// The package as a Node user sees it: `require` of bindings-wasm/pkg/node (built by
// `cargo xtask wasm`), its names, the values it returns and the errors it throws.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// The package keeps its WebAssembly instance private; note it as the package creates it, so
// the memory test can watch the module's memory.
let instance = null;
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  instance = new Instance(module, imports);
  return instance;
};
const imgrepl = require("../pkg/node");
WebAssembly.Instance = Instance;
const { validatePolicy, Policy, parseReference, rewriteWorkload, reviewAdmission, version } = imgrepl;

const SEED = `[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}
]`;

test("the package exports the documented names", () => {
  for (const name of ["validatePolicy", "Policy", "parseReference", "rewriteWorkload", "reviewAdmission", "version",
    "coverage", "diff", "secondPass", "manifestImages"]) {
    assert.equal(typeof imgrepl[name], "function", name);
  }
  assert.equal(typeof Policy.parse, "function");
  assert.match(version(), /^\d+\.\d+\.\d+/);
});

test("spans count UTF-16 code units, after non-ASCII and astral-plane text", () => {
  // "é" is one UTF-16 unit (two UTF-8 bytes), "😀" two units (four bytes), "𝒜" two units.
  // Core points at the first character that is not valid.
  const text = `[{"repositoryPrefix": "é.io/😀", "replaceWith": "m.io"},
 {"repositoryPrefix": "a😀.io", "replaceWith": "m.io/x/𝒜"},
 {"repositoryPrefix": "b.io", "replaceWith": "m.io", "ëxtra": 1}]`;
  const v = validatePolicy(text);
  assert.equal(v.ok, false);
  const spans = v.diagnostics.map((d) => [d.code, text.slice(d.span.start, d.span.end)]);
  assert.deepEqual(spans, [
    ["invalid-prefix", "é"],
    ["invalid-prefix", "😀"],
    ["invalid-replacement", "𝒜"],
    ["unknown-field", `"ëxtra"`],
  ]);
  const unknown = v.diagnostics[3];
  assert.deepEqual(
    { rule: unknown.rule, field: unknown.field, pointer: unknown.pointer, related: unknown.related, severity: unknown.severity },
    { rule: 2, field: null, pointer: "/2/ëxtra", related: null, severity: "error" },
  );
});

test("a duplicate prefix points at the first occurrence", () => {
  const text = `[{"repositoryPrefix": "a.io", "replaceWith": "m.io/ü"}, {"repositoryPrefix": "a.io", "replaceWith": "n.io"}]`;
  const d = validatePolicy(text).diagnostics.find((x) => x.code === "duplicate-prefix");
  assert.ok(d, JSON.stringify(validatePolicy(text)));
  assert.equal(text.slice(d.related.start, d.related.end), `"a.io"`);
  assert.equal(text.slice(d.span.start, d.span.end), `"a.io"`);
  assert.ok(d.related.start < d.span.start);
});

test("Policy.parse throws an Error with a code for a bad mode", () => {
  // The diagnostics of invalid policies are in the case table (cases.test.mjs).
  assert.throws(() => Policy.parse(SEED, { mode: "nearest" }), { code: "invalid-argument" });
  assert.throws(() => Policy.parse(SEED, { mode: 3 }), { code: "invalid-argument" });
});

// What each rewrite, batch, explanation and policy diagnostic gives is in the case table
// (cases.test.mjs); here, what only JS has.
test("rewrite's changed flag, UTF-16 offsets, rules, toJSON and the mode", () => {
  const policy = Policy.parse(SEED);
  assert.deepEqual(policy.rewrite("nginx:latest"), {
    image: "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest",
    changed: true,
    rule: 1,
  });
  assert.deepEqual(policy.rewrite("quay.io/x/y"), { image: "quay.io/x/y", changed: false, rule: null });
  // The offset counts UTF-16 units of the image: "é" before the error is one unit.
  assert.throws(() => policy.rewrite("a/é"), (e) => e instanceof Error && e.code === "invalid-format" && e.offset === 2);
  assert.match(policy.rewriteAll(["Bad"])[0].error.message, /repository name must be lowercase/);
  assert.equal(policy.rules.length, 3);
  assert.deepEqual(policy.rules[2], { repositoryPrefix: "harbor.domain/a/b/c/d", replaceWith: "swr.cn-north-4.myhuaweicloud.com/org2" });
  assert.deepEqual(JSON.parse(JSON.stringify(policy)), JSON.parse(SEED));
  assert.deepEqual(policy.warnings, []);
  policy.free();

  const exact = Policy.parse(SEED, { mode: "exact-parent" });
  assert.equal(exact.mode, "exact-parent");
  assert.equal(exact.rewrite("harbor.domain/team/app:1").changed, false);
  exact.free();
});

test("parseReference gives the three views", () => {
  const r = parseReference("index.docker.io/team/app:2");
  assert.equal(r.written.value.domain, "index.docker.io");
  assert.equal(r.normalized.value.string, "docker.io/team/app:2");
  assert.equal(r.normalized.value.familiar, "team/app:2");
  assert.equal(r.dockerRef.value, "docker.io/team/app:2");
  const bad = parseReference("registry/Team/app");
  assert.equal(bad.written.ok, false);
  assert.deepEqual([bad.written.error.code, bad.written.error.offset], ["uppercase", 9]);
});

test("rewriteWorkload and reviewAdmission", () => {
  const pod = JSON.stringify({
    apiVersion: "v1", kind: "Pod",
    spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
  });
  const r = rewriteWorkload(pod, { policy: SEED });
  assert.equal(r.documents.length, 1);
  assert.deepEqual(r.documents[0].patch, [
    { op: "replace", path: "/spec/containers/0/image", value: "swr.cn-north-4.myhuaweicloud.com/org1/nginx:1.27" },
  ]);
  assert.throws(() => rewriteWorkload(pod, { policy: "[1]" }), { code: "invalid-policy" });
  assert.throws(() => rewriteWorkload(pod, { annotationKey: 7 }), { code: "invalid-argument" });

  const review = JSON.stringify({
    apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
    request: { uid: "u1", operation: "CREATE", object: JSON.parse(pod) },
  });
  const a = reviewAdmission(review, { annotationKey: "example.com/none" });
  assert.deepEqual(a.response, { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: "u1", allowed: true } });
  assert.throws(() => reviewAdmission("{}"), (e) => e instanceof Error && typeof e.code === "string" && e.code.length > 0);
});

test("memory stays flat after creating and freeing many policies", () => {
  const memory = instance?.exports.memory;
  assert.ok(memory instanceof WebAssembly.Memory, "the module's memory is reachable");
  const cycle = (n) => {
    for (let i = 0; i < n; i++) {
      const p = Policy.parse(SEED);
      p.rewrite("nginx");
      p.free();
    }
  };
  cycle(2000); // warm up: the allocator reaches its working size
  const before = memory.buffer.byteLength;
  cycle(20000);
  assert.equal(memory.buffer.byteLength, before);
});
