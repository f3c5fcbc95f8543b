// The package's files: the emitted TypeScript types equal the checked-in copy and have no `any`;
// the README's JavaScript example is the tested one and prints what it says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

test("the README's JS example is examples/quickstart.cjs, and it runs as a user's script", () => {
  const example = readFileSync(here("../examples/quickstart.cjs"), "utf8");
  const readme = readFileSync(here("../../README.md"), "utf8");
  assert.ok(readme.includes(example), "README.md must quote bindings-wasm/examples/quickstart.cjs verbatim");
  // A user's project: the script beside node_modules/imgrepl (the built package).
  const dir = mkdtempSync(join(tmpdir(), "imgrepl-example-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(here("../pkg/node"), join(dir, "node_modules/imgrepl"), "dir");
  writeFileSync(join(dir, "example.cjs"), example);
  const out = execFileSync(process.execPath, [join(dir, "example.cjs")], { encoding: "utf8" });
  rmSync(dir, { recursive: true });
  assert.deepEqual(out.split("\n"), [
    `missing-field {"repositoryPrefix": "harbor.domain", "replacewith": "m.io"}: rule 0 has no "replaceWith"`,
    `unknown-field "replacewith": rule 0 has an unknown field "replacewith"; did you mean "replaceWith"?`,
    "swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest",
    "swr.cn-north-4.myhuaweicloud.com/org1/ubuntu:22.04 0 ",
    "Bad:image null uppercase",
    "uppercase 5",
    "",
  ]);
});
