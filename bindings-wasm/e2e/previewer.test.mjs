// The previewer page in a real headless Chromium (the system's, driven by playwright-core; no
// browser is downloaded). `cargo xtask test wasm-e2e` serves the page and sets
// IMGREPL_PREVIEW_URL and CHROMIUM. Screenshots of each state go to e2e/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launch } from "./chromium.mjs";

const PAGE_URL = process.env.IMGREPL_PREVIEW_URL;
const EXECUTABLE = process.env.CHROMIUM;
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));

let browser;
let page;
const errors = [];

before(async () => {
  assert.ok(PAGE_URL, "IMGREPL_PREVIEW_URL is not set: run `cargo xtask test wasm-e2e`");
  assert.ok(EXECUTABLE, "CHROMIUM is not set: run `cargo xtask test wasm-e2e`");
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
});

after(async () => {
  await browser?.close();
});

const shot = (name, p = page) => p.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

/** Waits until the page has recomputed its results once more after `action`. */
async function settled(action, p = page) {
  const before = await p.evaluate(() => Number(document.body.dataset.ready ?? 0));
  await action();
  await p.waitForFunction((n) => Number(document.body.dataset.ready ?? 0) > n, before);
}

/** Every underline in the editor: its class, its text, and where it starts in the backdrop. */
const marks = (p = page) =>
  p.evaluate(() => {
    const box = document.getElementById("policy-highlights");
    return [...box.querySelectorAll("mark")].map((m) => {
      const range = document.createRange();
      range.setStart(box, 0);
      range.setEnd(m, 0);
      return { severity: m.className.split(" ")[0], text: m.textContent, start: range.toString().length };
    });
  });

const cells = (selector, p = page) =>
  p.$$eval(`${selector} tbody tr:not(.why-row)`, (rows) => rows.map((r) => [...r.querySelectorAll("td")].slice(0, 3).map((td) => td.innerText.trim())));

const BROKEN = `[
  {"repositoryPrefix": "härbor.domain", "replaceWith": "mirror.local/org1"},
  {"repositoryPrefix": "harbor.domain", "replacewith": "mirror.local/org2"}
]`;

const FIXED = `[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.local/org1"},
  {"repositoryPrefix": "", "replaceWith": "mirror.local/hub"},
  {"repositoryPrefix": "docker.io", "replaceWith": "mirror.local/hub"}
]`;

const IMAGES = `harbor.domain/ubuntu:latest
nginx:latest
harbor.domain/team/app:1.2
quay.io/X/y
quay.io/x/y:1`;

const DEPLOYMENT = `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: busybox:1.36
      containers:
        - name: app
          image: 'harbor.domain/team/web:2.1'   # pinned
        - name: sidecar
          image: quay.io/x/y:1
---
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "0400"}}
`;

test("the page loads with the seed policy, valid", async () => {
  await page.goto(PAGE_URL);
  await page.waitForSelector("body[data-ready]");
  assert.match(await page.textContent("#policy-status"), /✓ valid: 3 rules/);
  assert.deepEqual(await marks(), []);
  assert.equal((await cells("#results")).length, 5);
  await shot("01-seed");
});

test("a broken policy, typed: every diagnostic listed and underlined at its characters", async () => {
  const editor = page.locator("#policy");
  await editor.fill("");
  await editor.focus();
  // Type it as a person would; the diagnostics follow every keystroke.
  await page.keyboard.type(BROKEN, { delay: 0 });
  await page.waitForFunction(() => document.querySelectorAll("#diagnostics li").length === 3);
  assert.match(await page.textContent("#policy-status"), /✗ invalid policy · 3 errors, 0 warnings/);
  const listed = await page.$$eval("#diagnostics li", (lis) =>
    lis.map((li) => [...li.querySelectorAll("span")].map((s) => s.textContent).join(" ")));
  assert.deepEqual(listed, [
    'error invalid-prefix · line 2, col 26 · /0/repositoryPrefix repositoryPrefix "härbor.domain" is not a registry, a registry and path, or a path: invalid reference format: non-ASCII character in the reference at byte 1',
    'error missing-field · line 3, col 3 · /1/replaceWith rule 1 has no "replaceWith"',
    'error unknown-field · line 3, col 41 · /1/replacewith rule 1 has an unknown field "replacewith"; did you mean "replaceWith"?',
  ]);
  const text = await editor.inputValue();
  assert.equal(text, BROKEN);
  const drawn = await marks();
  assert.deepEqual(drawn.map((m) => [m.severity, m.text]), [
    ["error", "ä"],
    ["error", `{"repositoryPrefix": "harbor.domain", "replacewith": "mirror.local/org2"}`],
    ["error", `"replacewith"`],
  ]);
  // Each underline sits at the same offset in the backdrop as its text in the editor, after
  // the non-ASCII "ä" too, and the backdrop holds exactly the editor's text.
  for (const m of drawn) assert.equal(text.slice(m.start, m.start + m.text.length), m.text);
  assert.equal(drawn[2].start, text.indexOf(`"replacewith"`));
  assert.equal(await page.$eval("#policy-highlights", (b) => b.textContent), `${text}\n`);
  const same = await page.evaluate(() => {
    const a = getComputedStyle(document.getElementById("policy"));
    const b = getComputedStyle(document.querySelector("#policy-editor .backdrop"));
    return ["font-family", "font-size", "line-height", "padding-left", "padding-top", "white-space", "letter-spacing"].filter((k) => a[k] !== b[k]);
  });
  assert.deepEqual(same, [], "the backdrop's text metrics differ from the editor's");

  // Hover text on the typo's underline.
  const box = await page.evaluate(() => {
    const r = document.querySelectorAll("#policy-highlights mark")[2].getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  await page.mouse.move(box.x, box.y);
  await page.waitForSelector("#tooltip:not([hidden])");
  assert.equal(await page.textContent("#tooltip"), 'error[unknown-field] rule 1 has an unknown field "replacewith"; did you mean "replaceWith"?');
  await shot("02-broken");

  // A click (or Enter) on a diagnostic selects its text in the editor.
  await page.locator("#diagnostics li button").nth(2).focus();
  await page.keyboard.press("Enter");
  const selected = await page.evaluate(() => {
    const ta = document.getElementById("policy");
    return [document.activeElement === ta, ta.value.slice(ta.selectionStart, ta.selectionEnd)];
  });
  assert.deepEqual(selected, [true, `"replacewith"`]);
  assert.equal(await page.$eval("#results tbody", (b) => b.innerText.trim()), "Fix the policy to see the results.");
});

test("fixed, with images: results, rules, errors, a warning and the why", async () => {
  await settled(() => page.locator("#policy").fill(FIXED));
  assert.match(await page.textContent("#policy-status"), /✓ valid: 3 rules · 0 errors, 1 warning/);
  const drawn = await marks();
  assert.deepEqual(drawn.map((m) => [m.severity, m.text]), [["warning", `"docker.io"`]]);
  await settled(() => page.locator("#images").fill(IMAGES));
  assert.deepEqual(await cells("#results"), [
    ["harbor.domain/ubuntu:latest", "mirror.local/org1/ubuntu:latest", '#0 "harbor.domain"'],
    ["nginx:latest", "mirror.local/hub/nginx:latest", '#1 ""'],
    ["harbor.domain/team/app:1.2", "mirror.local/org1/team/app:1.2", '#0 "harbor.domain"'],
    ["quay.io/X/y", "left as it is\n[uppercase] invalid image: repository name must be lowercase: uppercase letter in repository path at byte 8", ""],
    ["quay.io/x/y:1", "unchanged", ""],
  ]);
  const row = page.locator("#results tbody tr:not(.why-row)").nth(2);
  await row.locator("button.why-toggle").focus();
  await page.keyboard.press("Enter");
  assert.equal(await row.locator("button.why-toggle").getAttribute("aria-expanded"), "true");
  const explained = (await page.locator("#results tbody tr.why-row").nth(2).innerText()).replace(/\s+/g, " ");
  assert.match(explained, /rewritten by rule 0/);
  assert.match(explained, /harbor\.domain\/team → no rule \(parent path\)/);
  assert.match(explained, /harbor\.domain → rule #0 — wins/);
  assert.match(explained, /Differs in exact-parent mode: no rule would apply\./);
  await shot("03-images");
});

test("the mode switch, by keyboard", async () => {
  await page.locator('input[name="mode"][value="longest-prefix"]').focus();
  await settled(() => page.keyboard.press("ArrowRight"));
  assert.equal(await page.locator('input[name="mode"][value="exact-parent"]').isChecked(), true);
  const rows = await cells("#results");
  assert.deepEqual(rows[2], ["harbor.domain/team/app:1.2", "unchanged", ""]);
  assert.deepEqual(rows[0], ["harbor.domain/ubuntu:latest", "mirror.local/org1/ubuntu:latest", '#0 "harbor.domain"']);
  await settled(() => page.keyboard.press("ArrowLeft"));
  assert.deepEqual((await cells("#results"))[2], ["harbor.domain/team/app:1.2", "mirror.local/org1/team/app:1.2", '#0 "harbor.domain"']);
});

test("a YAML Deployment and a JSON document: the per-container table, the patch, the edited manifest", async () => {
  await settled(() => page.locator("#manifest").fill(DEPLOYMENT));
  assert.deepEqual(await page.$$eval("#manifest-out .doc-title", (hs) => hs.map((h) => h.textContent)), [
    "Document 1 (line 1, YAML)",
    "Document 2 (line 17, JSON)",
  ]);
  assert.deepEqual(await page.$$eval("#manifest-out .object-title", (hs) => hs.map((h) => h.textContent)), [
    "Deployment web",
    "ConfigMap settings",
  ]);
  assert.deepEqual(await cells("#manifest-out table"), [
    ["containers[0] app", "harbor.domain/team/web:2.1", "mirror.local/org1/team/web:2.1"],
    ["containers[1] sidecar", "quay.io/x/y:1", "unchanged"],
    ["initContainers[0] init", "busybox:1.36", "mirror.local/hub/busybox:1.36"],
  ]);
  const patches = await page.$$eval("#manifest-out .patch-json", (ps) => ps.map((p) => JSON.parse(p.textContent)));
  assert.deepEqual(patches, [[
    { op: "replace", path: "/spec/template/spec/containers/0/image", value: "mirror.local/org1/team/web:2.1" },
    { op: "replace", path: "/spec/template/spec/initContainers/0/image", value: "mirror.local/hub/busybox:1.36" },
  ]]);
  // The edited manifest is the input with only the two image values changed: the comment,
  // the quotes and the JSON document are kept byte for byte.
  const edited = await page.textContent("#manifest-out .manifest-output");
  assert.equal(edited, DEPLOYMENT
    .replace("'harbor.domain/team/web:2.1'", "'mirror.local/org1/team/web:2.1'")
    .replace("image: busybox:1.36", "image: mirror.local/hub/busybox:1.36"));
  await shot("04-manifest");
});

test("the URL fragment restores the preview", async () => {
  await page.locator('input[name="mode"][value="exact-parent"]').check();
  await page.waitForFunction(() => location.hash.includes("mode=exact-parent"));
  const url = page.url();
  const results = await cells("#results");
  const second = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await second.goto(url);
  await second.waitForSelector("body[data-ready]");
  assert.equal(await second.locator("#policy").inputValue(), FIXED);
  assert.equal(await second.locator("#images").inputValue(), IMAGES);
  assert.equal(await second.locator("#manifest").inputValue(), DEPLOYMENT);
  assert.equal(await second.locator('input[name="mode"][value="exact-parent"]').isChecked(), true);
  assert.deepEqual(await cells("#results", second), results);
  assert.deepEqual((await marks(second)).map((m) => m.text), [`"docker.io"`]);
  await shot("05-reloaded", second);
  await second.close();
});

test("the link of www/README.md opens what the README says", async () => {
  const readme = readFileSync(fileURLToPath(new URL("../www/README.md", import.meta.url)), "utf8");
  const link = readme.match(/^http:\/\/127\.0\.0\.1:8417\/www\/(#\S+)$/m);
  assert.ok(link, "www/README.md shows an example link");
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await p.goto(new URL(link[1], PAGE_URL).href);
  await p.waitForSelector("body[data-ready]");
  assert.equal(await p.locator("#policy").inputValue(), `[{"repositoryPrefix": "", "replaceWith": "mirror.example.com/hub"}]`);
  assert.equal(await p.locator("#images").inputValue(), "nginx:1.27\nquay.io/x/y:1");
  assert.equal(await p.locator('input[name="mode"][value="exact-parent"]').isChecked(), true);
  // Left out of the link: the example manifest, the policy above applied to it.
  assert.match(await p.locator("#manifest").inputValue(), /^apiVersion: apps\/v1\nkind: Deployment\n/);
  assert.equal(await p.locator("#use-editor-policy").isChecked(), true);
  assert.equal(await p.locator("#baseline").inputValue(), "[]");
  assert.equal(await p.getAttribute("#tab-diff", "aria-selected"), "true");
  assert.equal(await p.locator("#diff-view").isVisible(), true);
  assert.deepEqual(await cells("#results", p), [
    ["nginx:1.27", "mirror.example.com/hub/nginx:1.27", '#0 ""'],
    ["quay.io/x/y:1", "unchanged", ""],
  ]);
  await p.close();
});

test("usable in a narrow window: one column, nothing wider than the window", async () => {
  await page.setViewportSize({ width: 420, height: 900 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
  const [policy, images] = await Promise.all([
    page.locator(".policy-pane").boundingBox(),
    page.locator(".images-pane").boundingBox(),
  ]);
  assert.ok(images.y > policy.y + policy.height - 1, "the panes are stacked");
  await shot("06-narrow");
  await page.setViewportSize({ width: 1280, height: 900 });
});

/** The rows of a toolkit table: the text of every cell. */
const rowsOf = (selector, p = page) =>
  p.$$eval(`${selector} tbody tr`, (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.innerText.trim())));

/** The text selected in a textarea, and whether it has the focus. */
const selection = (id, p = page) =>
  p.evaluate((id) => {
    const ta = document.getElementById(id);
    return [document.activeElement === ta, ta.value.slice(ta.selectionStart, ta.selectionEnd)];
  }, id);

test("coverage view: wins and shadows per rule, the dead rule highlighted and clickable, uncovered registries", async () => {
  await settled(() => page.locator('input[name="mode"][value="longest-prefix"]').check());
  assert.equal(await page.locator("#coverage-view").isVisible(), true);
  // The corpus: the five images of the box, then the Deployment's three containers.
  assert.equal(await page.textContent("#coverage-out .summary"),
    "8 images (7 distinct): 5 rewritten, 2 uncovered, 1 invalid · 1 rule never wins");
  assert.deepEqual(await rowsOf("#coverage-out .coverage-rules"), [
    ["#0", '"harbor.domain"', "mirror.local/org1", "3", "0", "wins"],
    ["#1", '""', "mirror.local/hub", "2", "0", "wins"],
    ["#2", '"docker.io"', "mirror.local/hub", "0", "0", "dead: matches no image"],
  ]);
  assert.deepEqual(await page.$$eval("#coverage-out .coverage-rules tbody tr", (rows) => rows.map((r) => r.className)), ["wins", "wins", "dead"]);
  const dead = await page.$eval("#coverage-out tr.dead td", (td) => getComputedStyle(td).backgroundColor);
  const live = await page.$eval("#coverage-out tr.wins td", (td) => getComputedStyle(td).backgroundColor);
  assert.notEqual(dead, live, "the dead rule's row is highlighted");
  assert.deepEqual(await rowsOf("#coverage-out .coverage-uncovered"), [
    ["quay.io", "quay.io", "2", "quay.io/x/y:1 ×2\nin Deployment/web"],
  ]);
  assert.deepEqual(await rowsOf("#coverage-out .coverage-invalid"), [
    ["quay.io/X/y", "[uppercase] invalid image: repository name must be lowercase: uppercase letter in repository path at byte 8"],
  ]);
  // A click on the dead rule selects it in the policy editor.
  await page.locator("#coverage-out tr.dead button.jump").click();
  assert.deepEqual(await selection("policy"), [true, `{"repositoryPrefix": "docker.io", "replaceWith": "mirror.local/hub"}`]);
  await shot("07-coverage");

  // A longer prefix shadows the shorter one for the images it takes; live as the policy changes.
  await settled(() => page.locator("#policy").fill(FIXED.replace(`"docker.io"`, `"harbor.domain/team"`)));
  assert.deepEqual((await rowsOf("#coverage-out .coverage-rules")).map((r) => r.slice(1, 6)), [
    ['"harbor.domain"', "mirror.local/org1", "1", "2", "wins"],
    ['""', "mirror.local/hub", "2", "0", "wins"],
    ['"harbor.domain/team"', "mirror.local/hub", "2", "0", "wins"],
  ]);

  // A rule that matches another's results: what a second pass (a reinvoked webhook) would do.
  await settled(() => page.locator("#policy").fill(FIXED.replace(/\n\]$/, `,\n  {"repositoryPrefix": "mirror.local/org1", "replaceWith": "cache.local/org1"}\n]`)));
  assert.deepEqual(await rowsOf("#coverage-out .coverage-passes"), [
    ["harbor.domain/ubuntu:latest", "#0 mirror.local/org1/ubuntu:latest\n#3 cache.local/org1/ubuntu:latest", "stable"],
    ["harbor.domain/team/app:1.2", "#0 mirror.local/org1/team/app:1.2\n#3 cache.local/org1/team/app:1.2", "stable"],
    ["harbor.domain/team/web:2.1", "#0 mirror.local/org1/team/web:2.1\n#3 cache.local/org1/team/web:2.1", "stable"],
  ]);
  await settled(() => page.locator("#policy").fill(FIXED));
  assert.equal(await page.locator("#coverage-out .coverage-passes").count(), 0);

  // The port trap: an uncovered registry that a rule names but for the port gets the rule beside it.
  await settled(() => page.locator("#images").fill(`${IMAGES}\nharbor.domain:5000/team/app:1`));
  const trap = (await rowsOf("#coverage-out .coverage-uncovered")).find((r) => r[0].startsWith("harbor.domain:5000"));
  assert.deepEqual(trap.slice(0, 3), [
    'harbor.domain:5000\nrule 0 ("harbor.domain") differs only by the port: another registry to the runtime',
    "harbor.domain:5000", "1",
  ]);
  await settled(() => page.locator("#images").fill(IMAGES));
});

const EDITED = `[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.local/org9"},
  {"repositoryPrefix": "", "replaceWith": "mirror.local/hub"},
  {"repositoryPrefix": "quay.io/x", "replaceWith": "mirror.local/quay"}
]`;

test("diff view: the policy above against a baseline, rule changes and the images they change, live", async () => {
  await page.locator("#tab-coverage").focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.locator("#diff-view").isVisible(), true);
  assert.equal(await page.locator("#coverage-view").isVisible(), false);
  assert.equal(await page.getAttribute("#tab-diff", "aria-selected"), "true");
  // The policy as it is now becomes the baseline: nothing changes.
  await settled(() => page.locator("#baseline-reset").click());
  assert.equal(await page.locator("#baseline").inputValue(), FIXED);
  assert.equal(await page.textContent("#diff-out .no-change"), "No change: the policy above does what the baseline does.");

  // Typed into the editor: one rule changed, one removed, one added.
  await settled(() => page.locator("#policy").fill(EDITED));
  assert.equal(await page.textContent("#diff-out .summary"),
    "Rules: 1 added, 1 removed, 1 changed, 1 unchanged · images: 5 of 8 change (4 distinct)");
  assert.deepEqual(await rowsOf("#diff-out .diff-rules"), [
    ["CHANGED", '"harbor.domain"', "#0 mirror.local/org1", "#0 mirror.local/org9"],
    ["REMOVED", '"docker.io"', "#2 mirror.local/hub", ""],
    ["ADDED", '"quay.io/x"', "", "#2 mirror.local/quay"],
  ]);
  assert.deepEqual(await rowsOf("#diff-out .diff-images"), [
    ["harbor.domain/ubuntu:latest", "mirror.local/org1/ubuntu:latest", "mirror.local/org9/ubuntu:latest", 'changed "harbor.domain"'],
    ["harbor.domain/team/app:1.2", "mirror.local/org1/team/app:1.2", "mirror.local/org9/team/app:1.2", 'changed "harbor.domain"'],
    ["quay.io/x/y:1 ×2\nin Deployment/web", "unchanged", "mirror.local/quay/y:1", 'added "quay.io/x"'],
    ["harbor.domain/team/web:2.1\nin Deployment/web", "mirror.local/org1/team/web:2.1", "mirror.local/org9/team/web:2.1", 'changed "harbor.domain"'],
  ]);
  // The added rule opens in the editor, the removed one in the baseline.
  await page.locator("#diff-out .diff-rules tr.kind-added button.jump").click();
  assert.deepEqual(await selection("policy"), [true, `{"repositoryPrefix": "quay.io/x", "replaceWith": "mirror.local/quay"}`]);
  await page.locator("#diff-out .diff-rules tr.kind-removed button.jump").click();
  assert.deepEqual(await selection("baseline"), [true, `{"repositoryPrefix": "docker.io", "replaceWith": "mirror.local/hub"}`]);
  await shot("08-diff");

  // An invalid baseline is reported with its diagnostics, which select their text.
  await settled(() => page.locator("#baseline").fill(`[{"repositoryPrefix": "a.io", "replacewith": "m.io"}]`));
  assert.equal(await page.textContent("#diff-out .status"), "✗ the baseline is not a valid policy");
  await page.locator("#diff-out .diagnostics li button").nth(1).click();
  assert.deepEqual(await selection("baseline"), [true, `"replacewith"`]);

  // The view and the baseline are in the URL.
  await settled(() => page.locator("#baseline").fill(FIXED));
  const params = new URLSearchParams(new URL(page.url()).hash.slice(1));
  assert.deepEqual([params.get("view"), params.get("baseline")], ["diff", FIXED]);
  const second = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await second.goto(page.url());
  await second.waitForSelector("body[data-ready]");
  assert.equal(await second.locator("#diff-view").isVisible(), true);
  assert.deepEqual(await rowsOf("#diff-out .diff-rules", second), await rowsOf("#diff-out .diff-rules"));
  await second.close();
  await settled(() => page.locator("#tab-coverage").click().then(() => page.locator("#policy").fill(FIXED)));
});

test("export view: the admission policy, the node formats and what they cannot express, copied", async () => {
  await page.locator("#tab-export").click();
  assert.equal(await page.locator("#export-view").isVisible(), true);
  assert.equal(await page.getAttribute("#tab-export", "aria-selected"), "true");
  const text = await page.textContent("#export-out .export-text");
  assert.ok(text.startsWith("apiVersion: admissionregistration.k8s.io/v1beta1\nkind: MutatingAdmissionPolicy\n"), text);
  assert.ok(text.includes("c.image.startsWith('harbor.domain/')"), text);
  assert.ok(text.includes("kind: MutatingAdmissionPolicyBinding\n"), text);
  assert.equal(await page.locator("#export-out .export-inexact").count(), 0);

  // registries.conf: the exact rule written, the two others named with an image that differs.
  await settled(() => page.locator("#export-format").selectOption("registries-conf"));
  assert.ok((await page.textContent("#export-out .export-text")).includes('[[registry]]\nprefix = "harbor.domain"\nlocation = "mirror.local/org1"\n'));
  assert.deepEqual((await rowsOf("#export-out .export-inexact")).map((r) => r.slice(0, 2)), [
    ["1: (empty) → mirror.local/hub", "empty-prefix"],
    ["2: docker.io → mirror.local/hub", "docker-hub"],
  ]);
  await shot("09-export");

  // The Copy button copies the text shown (a page allowed to use the clipboard).
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ["clipboard-read", "clipboard-write"] });
  const second = await context.newPage();
  const params = new URLSearchParams(new URL(page.url()).hash.slice(1));
  assert.equal(params.get("view"), "export");
  await second.goto(page.url());
  await second.waitForSelector("body[data-ready]");
  await settled(() => second.locator("#export-format").selectOption("cel"), second);
  const cel = await second.textContent("#export-out .export-text");
  assert.ok(cel.startsWith("size(image) <= 4096 && image.matches('^"), cel);
  await second.locator("#export-copy").click();
  await second.waitForFunction(() => document.getElementById("export-copy").textContent === "Copied");
  assert.equal(await second.evaluate(() => navigator.clipboard.readText()), cel);
  await context.close();
  await settled(() => page.locator("#tab-coverage").click().then(() => page.locator("#policy").fill(FIXED)));
});

test("no error reached the console", () => {
  assert.deepEqual(errors, []);
});
