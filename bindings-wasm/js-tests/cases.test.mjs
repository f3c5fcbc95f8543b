// The front-door case table (testdata/frontdoor/cases.json): the rows every binding must agree
// on, run here through the Node package (bindings-wasm/pkg/node). The Rust, C and Go tests run
// the same rows. The table's images and policies are ASCII, so its byte offsets are also the
// UTF-16 offsets JS reports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { Policy, validatePolicy, coverage, diff, secondPass } = require("../pkg/node");
const table = JSON.parse(readFileSync(new URL("../../testdata/frontdoor/cases.json", import.meta.url), "utf8"));

/** Runs `f` with the named policies of the table, each in its mode, and frees them. */
function using(named, f) {
  const policies = named.map(([name, mode]) => {
    assert.ok(name in table.policies, `no policy ${name}`);
    return Policy.parse(table.policies[name], mode ? { mode } : undefined);
  });
  try {
    return f(...policies);
  } finally {
    for (const p of policies) p.free();
  }
}

/** A rewrite outcome in the table's shape: `{image, rule}`, or `{error: {code, offset}}`. */
function outcome(f) {
  try {
    const r = f();
    return { image: r.image, rule: r.rule };
  } catch (e) {
    return { error: { code: e.code, offset: e.offset } };
  }
}

/**
 * The table's want as JS reports it: an error of rewrite, rewriteAll or explain carries no
 * `rule` (nor a C `status`), and the
 * offset of an invalid result, which points into the would-be result, is clamped to the
 * image's length (JS offsets are UTF-16 units of the image).
 */
function jsWant(w, image) {
  if (Array.isArray(w)) return w.map((x) => jsWant(x, image));
  if (w === null || typeof w !== "object") return w;
  const out = {};
  for (const [k, v] of Object.entries(w)) {
    if (k === "error" && v !== null && typeof v === "object" && "code" in v) {
      const offset = image !== undefined && v.code === "invalid-result" ? Math.min(v.offset, image.length) : v.offset;
      out.error = { ...Object.fromEntries(Object.entries(v).filter(([e]) => e !== "rule" && e !== "status")), offset };
    } else {
      // Coverage's invalid images carry the rule beside the error.
      out[k] = k === "invalid" ? v.map(({ error: { rule, ...error }, ...item }) => {
          const offset = error.code === "invalid-result" ? Math.min(error.offset, item.image.length) : error.offset;
          return { ...item, error: { ...error, offset }, rule };
        }) : jsWant(v, image);
    }
  }
  return out;
}

/** What JS returns, without the rules' UTF-16 spans it adds (toolkit.test.mjs checks them). */
function withoutSpans(v) {
  if (Array.isArray(v)) return v.map(withoutSpans);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "span" || !("status" in v)).map(([k, x]) => [k, withoutSpans(x)]));
}

for (const section of ["policy", "rewrite", "batch", "explain", "coverage", "diff", "secondPass"]) {
  test(`the table has ${section} rows`, () => assert.ok(table[section].length > 0));
}

for (const r of table.policy) {
  test(`policy: ${r.name}`, () => {
    // JS names a diagnostic's rule `rule` (the library's JSON: `index`), and counts the rules.
    const diagnostics = r.want.diagnostics.map(({ index, ...d }) => ({ ...d, rule: index }));
    const rules = r.want.rules === null ? 0 : r.want.rules.length;
    assert.deepEqual(validatePolicy(r.text), { ok: r.want.ok, rules, diagnostics });
    if (r.want.ok) {
      const p = Policy.parse(r.text);
      assert.deepEqual(p.warnings, diagnostics);
      p.free();
    } else {
      assert.throws(() => Policy.parse(r.text), (e) => {
        assert.equal(e.code, "invalid-policy");
        assert.deepEqual(e.diagnostics, diagnostics);
        return true;
      });
    }
  });
}

for (const r of table.rewrite) {
  test(`rewrite: ${r.name}`, () => {
    const got = using([[r.policy, r.mode]], (p) => outcome(() => p.rewrite(r.image)));
    assert.deepEqual(got, jsWant(r.want, r.image));
  });
}

for (const r of table.batch) {
  test(`batch: ${r.name}`, () => {
    const got = using([[r.policy, r.mode]], (p) => p.rewriteAll(r.images));
    const shaped = got.map((x) => (x.error ? { error: { code: x.error.code, offset: x.error.offset } } : { image: x.image, rule: x.rule }));
    assert.deepEqual(shaped, r.want.map((w, i) => jsWant(w, r.images[i])));
    // An image left as it is keeps its place.
    got.forEach((x, i) => x.error && assert.equal(x.image, r.images[i]));
  });
}

for (const r of table.explain) {
  test(`explain: ${r.name}`, () => {
    assert.deepEqual(using([[r.policy, r.mode]], (p) => p.explain(r.image)), jsWant(r.want, r.image));
  });
}

for (const r of table.coverage) {
  test(`coverage: ${r.name}`, () => {
    assert.deepEqual(using([[r.policy, r.mode]], (p) => withoutSpans(coverage(p, r.corpus))), jsWant(r.want));
  });
}

for (const r of table.diff) {
  test(`diff: ${r.name}`, () => {
    assert.deepEqual(using([[r.old, r.oldMode], [r.new, r.newMode]], (a, b) => diff(a, b, r.corpus)), jsWant(r.want));
  });
}

for (const r of table.secondPass) {
  test(`secondPass: ${r.name}`, () => {
    // An invalid result ends a chain: its offset is clamped to the image the last pass read.
    const want = r.want.map((x) => jsWant(x, x.chain[x.chain.length - 1].result));
    assert.deepEqual(using([[r.policy, r.mode]], (p) => secondPass(p, r.corpus)), want);
  });
}
