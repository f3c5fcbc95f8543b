// Timings of the package in headless Chromium (`cargo xtask wasm --bench`): validating a
// 100-rule policy, rewriting 10,000 images with rewriteAll, and the same through a JS loop of
// rewrite; and the toolkit of the second module (coverage, diff, secondPass) over the same
// 10,000 images. Each figure is the median of several runs, after a warm-up; answers are
// checked before timing.
import { launch } from "./chromium.mjs";

const PAGE_URL = process.env.IMGREPL_PREVIEW_URL;
const EXECUTABLE = process.env.CHROMIUM;
if (!PAGE_URL || !EXECUTABLE) throw new Error("run through `cargo xtask wasm --bench`");

const browser = await launch();
const page = await browser.newPage();
await page.goto(PAGE_URL);
await page.waitForSelector("body[data-ready]");
const results = await page.evaluate(async () => {
  const lib = await import(new URL("../pkg/web/imgrepl.js", location.href).href);
  await lib.default({ module_or_path: new URL("../pkg/web/imgrepl_bg.wasm", location.href) });
  const rules = [{ repositoryPrefix: "", replaceWith: "mirror.local/hub" }];
  for (let i = 1; i < 100; i++) rules.push({ repositoryPrefix: `registry${i}.example.com/team${i}`, replaceWith: `mirror.local/r${i}` });
  const text = JSON.stringify(rules, null, 2);
  const images = [];
  for (let i = 0; i < 10000; i++) {
    const r = i % 100;
    images.push(r === 0 ? `nginx:1.${i}` : `registry${r}.example.com/team${r}/app${i}:v${i % 7}`);
  }
  const policy = lib.Policy.parse(text);
  // Check the answers first.
  if (!lib.validatePolicy(text).ok) throw new Error("the 100-rule policy is invalid");
  const all = policy.rewriteAll(images);
  for (let i = 0; i < images.length; i++) {
    const one = policy.rewrite(images[i]);
    if (all[i].image !== one.image || all[i].rule !== one.rule) throw new Error(`rewriteAll and rewrite differ on ${images[i]}`);
    if (one.rule !== i % 100) throw new Error(`${images[i]} matched rule ${one.rule}`);
  }
  const median = (f, runs, inner) => {
    for (let i = 0; i < 3; i++) f();
    const times = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      for (let i = 0; i < inner; i++) f();
      times.push((performance.now() - t) / inner);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  };
  const out = {
    policyBytes: text.length,
    validate100: median(() => lib.validatePolicy(text), 15, 20),
    parse100: median(() => lib.Policy.parse(text).free(), 15, 20),
    rewriteAll10k: median(() => policy.rewriteAll(images), 15, 1),
    rewriteLoop10k: median(() => {
      for (const image of images) policy.rewrite(image);
    }, 15, 1),
  };
  // The toolkit, from the second module, over the same images.
  const full = await import(new URL("../pkg/web/full/imgrepl_full.js", location.href).href);
  await full.default({ module_or_path: new URL("../pkg/web/full/imgrepl_full_bg.wasm", location.href) });
  const current = full.Policy.parse(text);
  const changedRules = rules.map((r, i) => (i === 7 ? { ...r, replaceWith: "mirror.local/moved" } : r));
  const changed = full.Policy.parse(JSON.stringify(changedRules, null, 2));
  const c = full.coverage(current, images);
  if (c.rewritten !== 10000 || c.rules.some((r) => r.wins !== 100 || r.shadowed !== 0)) throw new Error("coverage: each rule should win 100 images");
  const d = full.diff(current, changed, images);
  if (d.rules.length !== 1 || d.images.length !== 100 || d.images.some((i) => i.causes[0] !== 0)) throw new Error("diff: rule 7's 100 images should change");
  if (full.diff(current, current, images).images.length !== 0) throw new Error("diff of a policy with itself is not empty");
  if (full.secondPass(current, images).length !== 0) throw new Error("secondPass: no result matches again");
  out.coverage10k = median(() => full.coverage(current, images), 15, 1);
  out.diff10k = median(() => full.diff(current, changed, images), 15, 1);
  out.secondPass10k = median(() => full.secondPass(current, images), 15, 1);
  current.free();
  changed.free();
  policy.free();
  return out;
});
const version = browser.version();
await browser.close();
const ms = (x) => `${x.toFixed(3)} ms`;
console.log(`Chromium ${version}, headless`);
console.log(`validatePolicy, 100 rules (${results.policyBytes} bytes): ${ms(results.validate100)}`);
console.log(`Policy.parse + free, 100 rules: ${ms(results.parse100)}`);
console.log(`rewriteAll, 10,000 images: ${ms(results.rewriteAll10k)} (${((results.rewriteAll10k * 1e6) / 10000).toFixed(0)} ns per image)`);
console.log(`JS loop of rewrite, 10,000 images: ${ms(results.rewriteLoop10k)} (${((results.rewriteLoop10k * 1e6) / 10000).toFixed(0)} ns per image)`);
for (const [name, key] of [["coverage", "coverage10k"], ["diff (one rule changed, 100 images change)", "diff10k"], ["secondPass", "secondPass10k"]]) {
  console.log(`${name}, 10,000 images: ${ms(results[key])} (${((results[key] * 1e6) / 10000).toFixed(0)} ns per image)`);
}
