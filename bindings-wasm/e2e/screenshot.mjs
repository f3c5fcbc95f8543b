// The README's picture of the previewer (`cargo xtask wasm --screenshot`): a policy with a
// warning under the mouse, images with one "why" open, and a Deployment's patch.
import { fileURLToPath } from "node:url";
import { launch } from "./chromium.mjs";

const PAGE_URL = process.env.IMGREPL_PREVIEW_URL;
if (!PAGE_URL) throw new Error("run through `cargo xtask wasm --screenshot`");
const OUT = fileURLToPath(new URL("../www/screenshot.png", import.meta.url));

const policy = `[
  {"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.local/org1"},
  {"repositoryPrefix": "", "replaceWith": "mirror.local/hub"},
  {"repositoryPrefix": "docker.io", "replaceWith": "mirror.local/hub"}
]`;
const images = `harbor.domain/ubuntu:latest
nginx:1.27
harbor.domain/team/app:1.2
quay.io/X/y`;
const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: app
          image: harbor.domain/team/web:2.1   # pinned
        - name: sidecar
          image: busybox:1.36
`;
const state = new URLSearchParams({ policy, images, manifest, mode: "longest-prefix", "editor-policy": "1" });

const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
await page.goto(`${PAGE_URL}#${state}`);
await page.waitForSelector("body[data-ready]");
await page.locator("#results tbody tr:not(.why-row)").nth(2).locator("button.why-toggle").click();
const box = await page.evaluate(() => {
  const r = document.querySelector("#policy-highlights mark").getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
});
await page.mouse.move(box.x, box.y);
await page.waitForSelector("#tooltip:not([hidden])");
await page.screenshot({ path: OUT, fullPage: true });
await browser.close();
console.log(OUT);
