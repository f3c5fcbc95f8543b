// The imgrepl policy previewer: every result updates as you type (debounced), from the
// imgrepl WebAssembly package served beside this page (../pkg/web). Plain DOM, no framework.

const SEED_POLICY = `[
  {
    "repositoryPrefix": "harbor.domain",
    "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"
  },
  {
    "repositoryPrefix": "",
    "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"
  },
  {
    "repositoryPrefix": "harbor.domain/a/b/c/d",
    "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"
  }
]`;

const SEED_IMAGES = `harbor.domain/ubuntu:latest
nginx:latest
harbor.domain/a/b/c/d/redis:latest
harbor.domain/team/app:1.2
quay.io/prometheus/node-exporter:v1.8.2`;

const SEED_MANIFEST = `apiVersion: apps/v1
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
          image: harbor.domain/team/web:2.1   # rewritten
        - name: sidecar
          image: quay.io/x/y:1
`;

const DEBOUNCE_MS = 100;
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
};

let lib = null; // the package module
let loads = 0;
let traps = 0; // traps since the last edit
let policy = null; // the current imgrepl Policy, or null
let policyText = "";
let diagnostics = [];

/** Loads (or, after a trap, reloads) a fresh instance of the package. */
async function load() {
  loads += 1;
  const url = new URL("../pkg/web/imgrepl.js", import.meta.url);
  if (loads > 1) url.searchParams.set("instance", String(loads));
  const module = await import(url.href);
  await module.default({ module_or_path: new URL("../pkg/web/imgrepl_bg.wasm", import.meta.url) });
  lib = module;
  policy = null;
}

/** Runs `f` against the package; a trap (a bug in the module) reloads it and says so. */
async function guarded(f) {
  try {
    return await f();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      showBanner(`The WebAssembly module stopped (${e.message}); it was reloaded. Please report the input that caused it.`);
      await load();
      full = null;
      // Recompute once with the fresh module; if the same input traps again, wait for an edit.
      traps += 1;
      if (traps === 1) schedule("all");
      return undefined;
    }
    throw e;
  }
}

function showBanner(text) {
  const b = $("banner");
  b.textContent = text;
  b.hidden = !text;
}

// ---------- state in the URL fragment ----------

function readFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  return {
    policy: params.get("policy"),
    images: params.get("images"),
    manifest: params.get("manifest"),
    mode: params.get("mode"),
    editorPolicy: params.get("editor-policy"),
  };
}

function writeFragment() {
  const params = new URLSearchParams();
  params.set("policy", $("policy").value);
  params.set("images", $("images").value);
  params.set("manifest", $("manifest").value);
  params.set("mode", mode());
  params.set("editor-policy", $("use-editor-policy").checked ? "1" : "0");
  history.replaceState(null, "", `#${params.toString()}`);
}

function restore() {
  const s = readFragment();
  $("policy").value = s.policy ?? SEED_POLICY;
  $("images").value = s.images ?? SEED_IMAGES;
  $("manifest").value = s.manifest ?? SEED_MANIFEST;
  const m = s.mode === "exact-parent" ? "exact-parent" : "longest-prefix";
  for (const r of document.querySelectorAll('input[name="mode"]')) r.checked = r.value === m;
  $("use-editor-policy").checked = s.editorPolicy !== "0";
}

const mode = () => document.querySelector('input[name="mode"]:checked')?.value ?? "longest-prefix";

// ---------- policy editor ----------

function updatePolicy() {
  const text = $("policy").value;
  policyText = text;
  const v = lib.validatePolicy(text);
  diagnostics = v.diagnostics;
  if (policy) {
    policy.free();
    policy = null;
  }
  if (v.ok) policy = lib.Policy.parse(text, { mode: mode() });
  renderHighlights(text, diagnostics);
  renderStatus(v);
  renderDiagnostics(text, diagnostics);
}

/**
 * Draws every diagnostic's span as a <mark> in the backdrop (spans count UTF-16 code units, as
 * JavaScript strings do). A span inside another nests in it (a typo inside a rule that lacks a
 * field); one that partly overlaps another is listed but not drawn.
 */
function renderHighlights(text, diags) {
  const items = diags
    .map((d, i) => ({ start: d.span.start, end: d.span.end, d, i, children: [] }))
    .filter((it) => it.start <= it.end && it.end <= text.length)
    .sort((a, b) => a.start - b.start || b.end - a.end || a.i - b.i);
  const root = { start: 0, end: text.length, children: [] };
  const stack = [root];
  for (const it of items) {
    while (stack.length > 1 && stack.at(-1).end <= it.start && stack.at(-1).end > stack.at(-1).start) stack.pop();
    const parent = stack.at(-1);
    if (it.end > parent.end) continue;
    parent.children.push(it);
    stack.push(it);
  }
  const box = $("policy-highlights");
  box.replaceChildren();
  const build = (node, into) => {
    let at = node.start;
    for (const c of node.children) {
      into.append(text.slice(at, c.start));
      const m = el("mark", { class: `${c.d.severity}${c.start === c.end ? " empty" : ""}`, "data-index": String(c.i) });
      build(c, m);
      into.append(m);
      at = c.end;
    }
    into.append(text.slice(at, node.end));
  };
  build(root, box);
  box.append("\n");
  syncScroll();
}

function renderStatus(v) {
  const errors = v.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = v.diagnostics.length - errors;
  const status = $("policy-status");
  const counts = ` · ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
  status.className = `status ${v.ok ? "ok" : "bad"}`;
  status.replaceChildren(
    v.ok ? `✓ valid: ${v.rules} rule${v.rules === 1 ? "" : "s"}` : "✗ invalid policy",
    el("span", { class: "count", text: counts }),
  );
}

/** 1-based line and column (in UTF-16 units, as the editor counts) of a string offset. */
function lineCol(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return [line, offset - before.lastIndexOf("\n")];
}

function renderDiagnostics(text, diags) {
  const list = $("diagnostics");
  list.replaceChildren();
  diags.forEach((d, i) => {
    const [line, col] = lineCol(text, d.span.start);
    const where = `${d.code} · line ${line}, col ${col}${d.pointer ? ` · ${d.pointer}` : ""}`;
    const button = el("button", { type: "button", "data-index": String(i) },
      el("span", { class: "sev", text: d.severity }),
      el("span", { class: "where", text: where }),
      el("span", { class: "msg", text: d.message }));
    button.addEventListener("click", () => select(d));
    list.append(el("li", { class: d.severity }, button));
  });
}

/** Moves the cursor to a diagnostic and selects its text. */
function select(d) {
  const ta = $("policy");
  ta.focus();
  ta.setSelectionRange(d.span.start, d.span.end);
  const [line] = lineCol(ta.value, d.span.start);
  const lineHeight = parseFloat(getComputedStyle(ta).lineHeight) || 19;
  ta.scrollTop = Math.max(0, (line - 3) * lineHeight);
  syncScroll();
}

function syncScroll() {
  const ta = $("policy");
  const back = document.querySelector("#policy-editor .backdrop");
  back.scrollTop = ta.scrollTop;
  back.scrollLeft = ta.scrollLeft;
}

/** Hover text: the diagnostic under the mouse (the marks sit under the transparent textarea). */
function hover(event) {
  const tip = $("tooltip");
  let found = null;
  // Document order puts a nested mark after its parent: the last hit is the innermost.
  for (const m of document.querySelectorAll("#policy-highlights mark")) {
    for (const r of m.getClientRects()) {
      if (event.clientX >= r.left && event.clientX <= r.right + 2 && event.clientY >= r.top && event.clientY <= r.bottom) {
        found = { m, r };
      }
    }
  }
  if (!found) {
    tip.hidden = true;
    return;
  }
  const d = diagnostics[Number(found.m.dataset.index)];
  const box = $("policy-editor").getBoundingClientRect();
  tip.replaceChildren(el("span", { class: "code", text: `${d.severity}[${d.code}] ` }), d.message);
  tip.style.left = `${Math.max(0, Math.min(found.r.left - box.left, box.width - 260))}px`;
  tip.style.top = `${found.r.bottom - box.top + 4}px`;
  tip.hidden = false;
}

// ---------- images ----------

/** The images whose "why" is open; they stay open while the table is recomputed. */
const openWhy = new Set();

function updateImages() {
  const body = document.querySelector("#results tbody");
  body.replaceChildren();
  const images = $("images").value.split("\n").map((s) => s.trim()).filter((s) => s !== "");
  if (!policy) {
    if (images.length) body.append(el("tr", {}, el("td", { colspan: "4", class: "muted", text: "Fix the policy to see the results." })));
    return;
  }
  const rows = policy.rewriteAll(images);
  const rules = policy.rules;
  rows.forEach((row, i) => {
    const image = images[i];
    const state = row.error ? "error" : row.rule === null ? "unchanged" : "changed";
    const result = el("td", { class: "result mono" });
    if (row.error) {
      result.append("left as it is");
      result.append(el("span", { class: "err", text: `[${row.error.code}] ${row.error.message}` }));
    } else {
      result.append(row.rule === null ? "unchanged" : row.image);
    }
    const rule = el("td");
    if (row.rule !== null) {
      rule.append(el("span", { class: "rule-tag", text: `#${row.rule}` }), " ",
        el("code", { text: JSON.stringify(rules[row.rule].repositoryPrefix) }));
    }
    const explained = el("tr", { class: "why-row" }, el("td", { colspan: "4" }, why(image)));
    const toggle = el("button", { type: "button", class: "why-toggle", text: "why" });
    const show = (open) => {
      explained.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) openWhy.add(image);
      else openWhy.delete(image);
    };
    show(openWhy.has(image));
    toggle.addEventListener("click", () => show(explained.hidden));
    body.append(el("tr", { class: state }, el("td", { class: "mono", text: image }), result, rule, el("td", {}, toggle)), explained);
  });
}

/** The "why" of one image: every '/' boundary and its candidate rule, the winner, the modes. */
function why(image) {
  const e = policy.explain(image);
  const box = el("div", { class: "why" });
  box.append(el("div", { text: e.reason }));
  if (e.candidates.length) {
    const ol = el("ol");
    for (const c of e.candidates) {
      const prefix = c.prefix === "" ? "(empty prefix)" : c.prefix;
      const who = c.rule === null ? "no rule" : `rule #${c.rule}`;
      const li = el("li", { class: c.rule !== null && c.rule === e.rule ? "winner" : "" });
      li.append(el("code", { text: prefix }), ` → ${who}${c.parent ? " (parent path)" : ""}${c.rule !== null && c.rule === e.rule ? " — wins" : ""}`);
      ol.append(li);
    }
    box.append(ol);
  }
  if (e.modesDisagree) {
    const other = e.mode === "longest-prefix" ? "exact-parent" : "longest-prefix";
    const r = other === "exact-parent" ? e.exactParentRule : e.longestPrefixRule;
    box.append(el("div", { class: "differs", text: `Differs in ${other} mode: ${r === null ? "no rule" : `rule #${r}`} would apply.` }));
  }
  return box;
}

// ---------- manifest ----------

let full = null; // the second module, with rewriteWorkload (YAML and JSON manifests)

/** Loads the second module once, the first time a manifest is pasted. */
async function loadFull() {
  if (!full) {
    const module = await import(new URL("../pkg/web/full/imgrepl_full.js", import.meta.url).href);
    await module.default({ module_or_path: new URL("../pkg/web/full/imgrepl_full_bg.wasm", import.meta.url) });
    full = module;
  }
  return full;
}

async function updateManifest() {
  const out = $("manifest-out");
  const text = $("manifest").value;
  if (text.trim() === "") {
    out.replaceChildren();
    return;
  }
  const options = { mode: mode() };
  if ($("use-editor-policy").checked) {
    if (!policy) {
      out.replaceChildren(el("p", { class: "muted", text: "Fix the policy (or untick “use the policy above”) to see the manifest's result." }));
      return;
    }
    options.policy = policyText;
  }
  const lib = await loadFull();
  let result;
  try {
    result = lib.rewriteWorkload(text, options);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      full = null;
      throw e;
    }
    out.replaceChildren(el("p", { class: "error-box", text: `[${e.code ?? "error"}] ${e.message}` }));
    return;
  }
  out.replaceChildren(...result.documents.map((d) => renderDocument(d, result.documents.length)));
  if (result.output !== text) out.append(copyBlock("Rewritten manifest (only the images changed)", result.output, "Copy manifest", "manifest-output"));
}

/** A <pre> with a copy button. */
function copyBlock(title, text, label, cls) {
  const pre = el("pre", { class: cls, text });
  const copy = el("button", { type: "button", text: label });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      copy.textContent = "Copied";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(pre);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      copy.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => { copy.textContent = label; }, 1500);
  });
  return el("div", { class: "patch" }, el("div", { class: "muted", text: title }), pre, copy);
}

function renderDocument(doc, count) {
  const box = el("div", { class: "doc" });
  if (count > 1) box.append(el("h3", { class: "doc-title", text: `Document ${doc.document} (line ${doc.line}, ${doc.syntax.toUpperCase()})` }));
  if (doc.error) {
    box.append(el("p", { class: "error-box", text: `[${doc.error.code}] line ${doc.error.line}, column ${doc.error.column}: ${doc.error.message}` }));
    return box;
  }
  if (doc.objects.length === 0) box.append(el("p", { class: "muted", text: "empty document" }));
  for (const o of doc.objects) box.append(renderObject(o));
  if (doc.patch.length) box.append(copyBlock("JSON Patch (RFC 6902)", JSON.stringify(doc.patch, null, 2), "Copy patch", "patch-json"));
  return box;
}

function renderObject(o) {
  const box = el("div", { class: "object" });
  const title = `${o.kind ?? "(no kind)"}${o.name ? ` ${o.name}` : ""}${o.pointer ? ` at ${o.pointer}` : ""}`;
  box.append(el("h4", { class: "object-title", text: title }));
  if (o.error) {
    box.append(el("p", { class: "error-box", text: `[${o.error.code}] ${o.error.message}` }));
    return box;
  }
  const r = o.report;
  if (!r.kind) {
    box.append(el("p", { class: "muted", text: "not a workload: left as it is" }));
    return box;
  }
  if (r.kind.foundBy === "shape") box.append(el("p", { class: "muted", text: "pod spec found by its shape" }));
  for (const w of r.warnings) box.append(el("p", { class: "warn-line", text: `warning [${w.code}]: ${w.message}` }));
  if (!r.policy) box.append(el("p", { class: "muted", text: "no policy: its images are left as they are" }));
  if (r.containers.length) {
    const table = el("table", { class: "containers" });
    table.append(el("thead", {}, el("tr", {}, ...["Container", "Before", "After", "Rule"].map((h) => el("th", { scope: "col", text: h })))));
    const body = el("tbody");
    for (const c of r.containers) {
      const state = c.error ? "error" : c.changed ? "changed" : "unchanged";
      const after = el("td", { class: "result mono", text: c.error ? "left as it is" : c.changed ? c.after : "unchanged" });
      if (c.error) after.append(el("span", { class: "err", text: `[${c.error.code}] ${c.error.message}` }));
      const rule = el("td");
      if (c.rule) rule.append(el("span", { class: "rule-tag", text: `#${c.rule.index}` }));
      body.append(el("tr", { class: state },
        el("td", { class: "mono", text: `${c.list}[${c.index}]${c.name ? ` ${c.name}` : ""}` }),
        el("td", { class: "mono", text: c.before ?? "" }), after, rule));
    }
    table.append(body);
    box.append(el("div", { class: "table-wrap" }, table));
  }
  return box;
}

// ---------- wiring ----------

let timer = 0;
function schedule(what, edited = false) {
  if (edited) traps = 0;
  clearTimeout(timer);
  timer = setTimeout(() => guarded(() => refresh(what)), DEBOUNCE_MS);
}

async function refresh(what = "all") {
  if (what === "all") updatePolicy();
  if (what !== "manifest") updateImages();
  writeFragment();
  await updateManifest();
  document.body.dataset.ready = String(Number(document.body.dataset.ready ?? 0) + 1);
}

async function main() {
  await load();
  $("version").textContent = `v${lib.version()}`;
  restore();
  const ta = $("policy");
  ta.addEventListener("input", () => {
    // Diagnostics follow every keystroke (validation takes microseconds), so the underlines
    // never lag behind the text; the tables follow after the debounce.
    traps = 0;
    guarded(updatePolicy);
    schedule("results");
  });
  ta.addEventListener("scroll", syncScroll);
  ta.addEventListener("mousemove", hover);
  ta.addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
  $("images").addEventListener("input", () => schedule("images", true));
  $("manifest").addEventListener("input", () => schedule("manifest", true));
  $("use-editor-policy").addEventListener("change", () => schedule("manifest"));
  for (const r of document.querySelectorAll('input[name="mode"]')) r.addEventListener("change", () => schedule("all"));
  $("copy-link").addEventListener("click", async () => {
    writeFragment();
    try {
      await navigator.clipboard.writeText(location.href);
      $("copy-link").textContent = "Link copied";
    } catch {
      $("copy-link").textContent = "Copy the address bar";
    }
    setTimeout(() => { $("copy-link").textContent = "Copy link"; }, 1500);
  });
  window.addEventListener("hashchange", () => {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get("policy") !== ta.value) {
      restore();
      guarded(() => refresh("all"));
    }
  });
  await guarded(() => refresh("all"));
}

main().catch((e) => showBanner(`The previewer could not start: ${e.message}`));
