// The package's files: the emitted TypeScript types equal the checked-in copy and have no `any`;
// the web's core module stays within its budget. The npm package as a user installs it (the
// tarball, the README's examples, the types under tsc's defaults) is `cargo xtask test
// package-npm`'s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

test("the checked-in imgrepl.d.ts is the emitted one", () => {
  const emitted = readFileSync(here("../pkg/node/imgrepl.d.ts"), "utf8");
  const checkedIn = readFileSync(here("../imgrepl.d.ts"), "utf8");
  assert.equal(checkedIn, emitted, "bindings-wasm/imgrepl.d.ts is stale: run `cargo xtask wasm --bless`");
});

test("no public type is `any`", () => {
  for (const file of ["../pkg/node/imgrepl.d.ts", "../pkg/web/imgrepl.d.ts", "../pkg/web/full/imgrepl_full.d.ts"]) {
    const code = readFileSync(here(file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    const lines = code.split("\n").filter((l) => /\bany\b/.test(l));
    assert.deepEqual(lines, [], `${file} uses any`);
  }
});

test("the web package's core module stays within its budget: 100 KiB gzipped", () => {
  // Measured as `cargo xtask wasm` prints it, with gzip -9.
  const gzipped = execFileSync("gzip", ["-9", "-c", here("../pkg/web/imgrepl_bg.wasm")]).length;
  assert.ok(gzipped <= 100 * 1024, `imgrepl_bg.wasm is ${gzipped} bytes gzipped`);
  // Whole objects and the toolkit are the second module's, loaded by the previewer on demand.
  const web = readFileSync(here("../pkg/web/imgrepl.d.ts"), "utf8");
  const full = readFileSync(here("../pkg/web/full/imgrepl_full.d.ts"), "utf8");
  for (const name of ["rewriteWorkload", "reviewAdmission", "manifestImages", "coverage", "diff", "secondPass"]) {
    assert.ok(!web.includes(`export function ${name}(`), `${name} belongs to the second module`);
    assert.ok(full.includes(`export function ${name}(`), `${name} is in the second module`);
  }
  assert.ok(web.includes("export function validatePolicy("));
});
