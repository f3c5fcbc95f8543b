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
    baseline: params.get("baseline"),
    view: params.get("view"),
  };
}

function writeFragment() {
  const params = new URLSearchParams();
  params.set("policy", $("policy").value);
  params.set("images", $("images").value);
  params.set("manifest", $("manifest").value);
  params.set("mode", mode());
  params.set("editor-policy", $("use-editor-policy").checked ? "1" : "0");
  params.set("baseline", $("baseline").value);
  params.set("view", view);
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
  // Without a saved baseline, the diff compares with the policy as loaded.
  $("baseline").value = s.baseline ?? $("policy").value;
  showView(s.view);
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

/** Moves the cursor to a diagnostic (or anything with a `span`) and selects its text. */
function select(d, ta = $("policy")) {
  ta.focus();
  ta.setSelectionRange(d.span.start, d.span.end);
  const [line] = lineCol(ta.value, d.span.start);
  const lineHeight = parseFloat(getComputedStyle(ta).lineHeight) || 19;
  ta.scrollTop = Math.max(0, (line - 3) * lineHeight);
  if (ta === $("policy")) syncScroll();
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

/** The images of the images box, one per line. */
const imageLines = () => $("images").value.split("\n").map((s) => s.trim()).filter((s) => s !== "");

function updateImages() {
  const body = document.querySelector("#results tbody");
  body.replaceChildren();
  const images = imageLines();
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

let full = null; // the second module: rewriteWorkload (YAML and JSON manifests) and the toolkit

/** Loads the second module once, after the first results (the core module's) are shown. */
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


// ---------- toolkit: coverage, diff and export ----------

const VIEWS = ["coverage", "diff", "export"];
let view = "coverage";

/** Shows the coverage, diff or export view. */
function showView(name, focus = false) {
  view = VIEWS.includes(name) ? name : "coverage";
  for (const v of VIEWS) {
    const tab = $(`tab-${v}`);
    tab.setAttribute("aria-selected", String(v === view));
    tab.tabIndex = v === view ? 0 : -1;
    $(`${v}-view`).hidden = v !== view;
  }
  if (focus) $(`tab-${view}`).focus();
}

/** A table with a header row and rows of cells (nodes or text). */
function table(cls, headers, rows) {
  const t = el("table", { class: cls });
  t.append(el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col", text: h })))));
  const body = el("tbody");
  for (const { cells, class: rowClass } of rows) {
    body.append(el("tr", rowClass ? { class: rowClass } : {}, ...cells.map((c) => (c instanceof Node ? c : el("td", { text: String(c) })))));
  }
  t.append(body);
  return el("div", { class: "table-wrap" }, t);
}

/** A button that selects `span` in the textarea `ta` (a rule in the policy or the baseline). */
function jump(label, span, ta, title) {
  const b = el("button", { type: "button", class: "jump", text: label, title });
  if (span) b.addEventListener("click", () => select({ span }, ta));
  else b.disabled = true;
  return b;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const td = (...children) => el("td", {}, ...children);
const workloadsText = (w) => (w.length ? `in ${w.join(", ")}` : "");

/** Coverage, and what a second pass would change, over the corpus. */
function renderCoverage(c, passes) {
  const out = $("coverage-out");
  out.replaceChildren();
  const never = c.rules.filter((r) => r.wins === 0);
  out.append(el("p", { class: "summary", text: `${plural(c.images, "image")} (${c.distinct} distinct): ${c.rewritten} rewritten, ${c.uncoveredCount} uncovered, ${c.invalidCount} invalid · ${plural(never.length, "rule")} never win${never.length === 1 ? "s" : ""}` }));
  if (c.images === 0) out.append(el("p", { class: "muted", text: "Add images above or a manifest to see which rules win." }));
  const status = { wins: "wins", shadowed: "shadowed: a longer prefix always wins", dead: "dead: matches no image" };
  out.append(el("h3", { text: "Rules" }), table("coverage-rules", ["Rule", "Prefix", "Replace with", "Wins", "Shadowed", "Status"],
    c.rules.map((r) => ({
      class: r.status,
      cells: [
        td(el("span", { class: "rule-tag", text: `#${r.index}` })),
        td(jump(JSON.stringify(r.repositoryPrefix), r.span, $("policy"), "Select this rule in the policy")),
        el("td", { class: "mono", text: r.replaceWith }),
        r.wins, r.shadowed,
        td(el("span", { class: "status-tag", text: status[r.status] ?? r.status })),
      ],
    }))));
  out.append(el("h3", { text: `Uncovered: ${plural(c.uncoveredCount, "image")} no rule matches` }));
  if (c.uncovered.length) {
    out.append(table("coverage-uncovered", ["Registry", "Runtime reads", "Images", "Examples"], c.uncovered.map((g) => ({
      cells: [
        td(el("span", { class: "mono", text: g.registry ?? "(none)" }),
          ...(g.near ? [el("span", { class: "near-rule", text: g.near.message })] : [])),
        el("td", { class: "mono", text: g.normalized ?? "(invalid)" }),
        g.count,
        td(...g.images.slice(0, 3).map((i) => el("span", { class: "mono example", text: `${i.image}${i.count > 1 ? ` ×${i.count}` : ""}` })),
          ...(g.images.length > 3 ? [el("span", { class: "examples", text: `and ${g.images.length - 3} more` })] : []),
          el("span", { class: "examples", text: workloadsText(g.workloads) })),
      ],
    }))));
  }
  if (c.invalid.length) {
    out.append(el("h3", { text: `Invalid: ${plural(c.invalidCount, "image")} left as they are` }));
    out.append(table("coverage-invalid", ["Image", "Why"], c.invalid.map((i) => ({
      class: "error",
      cells: [el("td", { class: "mono", text: `${i.image}${i.count > 1 ? ` ×${i.count}` : ""}` }),
        el("td", { class: "result", text: `[${i.error.code}] ${i.error.message}` })],
    }))));
  }
  if (c.disagreements.length) {
    const rule = (r) => (r === null ? "no rule" : `rule #${r}`);
    out.append(el("h3", { text: "Where the two match modes disagree" }));
    out.append(table("coverage-modes", ["Image", "longest-prefix", "exact-parent"], c.disagreements.map((d) => ({
      cells: [el("td", { class: "mono", text: d.image }), rule(d.longestPrefixRule), rule(d.exactParentRule)],
    }))));
  }
  if (passes.length) {
    out.append(el("h3", { text: `A second pass (a reinvoked webhook) would change ${plural(passes.length, "image")}` }));
    out.append(table("coverage-passes", ["Image", "Chain of rules", "Ends"], passes.map((p) => ({
      cells: [el("td", { class: "mono", text: p.image }),
        td(el("ul", { class: "chain" }, ...p.chain.map((s) => el("li", {}, el("span", { class: "rule-tag", text: `#${s.rule}` }), " ", el("code", { text: s.result }))))),
        p.error ? `${p.end} [${p.error.code}]` : p.end],
    }))));
  }
}

/** What one policy does with an image, in words. */
function outcome(o) {
  if (o.error) return `error [${o.error}]`;
  return o.rule === null ? "unchanged" : o.result;
}

/** The diff of the baseline (old) and the policy above (new) over the corpus. */
function renderDiff(lib, current, items) {
  const out = $("diff-out");
  let old;
  try {
    old = lib.Policy.parse($("baseline").value, { mode: mode() });
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError || !e.diagnostics) throw e;
    const list = el("ol", { class: "diagnostics" });
    for (const d of e.diagnostics.filter((x) => x.severity === "error")) {
      const b = el("button", { type: "button" }, el("span", { class: "sev", text: "error" }),
        el("span", { class: "where", text: d.code }), el("span", { class: "msg", text: d.message }));
      b.addEventListener("click", () => select(d, $("baseline")));
      list.append(el("li", { class: "error" }, b));
    }
    out.replaceChildren(el("p", { class: "status bad", text: "✗ the baseline is not a valid policy" }), list);
    return;
  }
  let d;
  try {
    d = lib.diff(old, current, items);
  } finally {
    old.free();
  }
  const s = d.summary;
  out.replaceChildren(el("p", { class: "summary", text: `Rules: ${s.added} added, ${s.removed} removed, ${s.changed} changed, ${s.unchanged} unchanged · images: ${s.imagesChanged} of ${s.images} change (${s.distinctChanged} distinct)` }));
  if (d.rules.length === 0 && d.images.length === 0) {
    out.append(el("p", { class: "muted no-change", text: "No change: the policy above does what the baseline does." }));
    return;
  }
  const change = (r) => `${r.kind} ${JSON.stringify(r.repositoryPrefix)}`;
  if (d.rules.length) {
    out.append(el("h3", { text: "Rule changes" }), table("diff-rules", ["Change", "Prefix", "Before", "After"], d.rules.map((r) => ({
      class: `kind-${r.kind}`,
      cells: [
        td(el("span", { class: `kind-tag kind-${r.kind}`, text: r.kind })),
        td(r.new
          ? jump(JSON.stringify(r.repositoryPrefix), r.new.span, $("policy"), "Select this rule in the policy")
          : jump(JSON.stringify(r.repositoryPrefix), r.old.span, $("baseline"), "Select this rule in the baseline")),
        td(r.old ? el("span", { class: r.new ? "old mono" : "mono", text: `#${r.old.index} ${r.old.replaceWith}` }) : ""),
        td(r.new ? el("span", { class: "new mono", text: `#${r.new.index} ${r.new.replaceWith}` }) : ""),
      ],
    }))));
  }
  out.append(el("h3", { text: `Images whose result changes: ${d.images.length}` }));
  if (d.images.length) {
    out.append(table("diff-images", ["Image", "Before", "After", "Caused by"], d.images.map((i) => ({
      cells: [
        td(el("span", { class: "mono", text: `${i.image}${i.count > 1 ? ` ×${i.count}` : ""}` }), el("span", { class: "examples", text: workloadsText(i.workloads) })),
        el("td", { class: "mono old-result", text: outcome(i.old) }),
        el("td", { class: "mono new-result", text: outcome(i.new) }),
        el("td", { text: i.causes.length ? i.causes.map((k) => change(d.rules[k])).join("; ") : "the match mode" }),
      ],
    }))));
  }
}

/** The text the Export view shows, which its Copy button copies. */
let exported = "";

/** The policy exported to the chosen format, and the rules the format cannot express. */
function renderExport(lib, current) {
  const out = $("export-out");
  const r = lib.exportPolicy(current, $("export-format").value);
  exported = r.files.length === 1 && !r.files[0].path.includes("/")
    ? r.files[0].text
    : r.files.map((f) => `# ${f.path}\n${f.text}`).join("\n");
  out.replaceChildren();
  if (r.inexact.length) {
    out.append(el("h3", { text: `Not expressed exactly: ${plural(r.inexact.length, "rule")}` }),
      table("export-inexact", ["Rule", "Cause", "Example", "imgrepl", "This format"], r.inexact.map((d) => ({
        cells: [
          el("td", { class: "mono", text: `${d.rule}: ${d.repositoryPrefix || "(empty)"} → ${d.replaceWith}` }),
          el("td", { text: d.cause, title: d.difference }),
          el("td", { class: "mono", text: d.image }),
          el("td", { class: "mono", text: d.imgrepl }),
          el("td", { class: "mono", text: d.format }),
        ],
      }))));
  } else if (r.files.length === 0) {
    out.append(el("p", { class: "muted", text: "Nothing this format can express." }));
  }
  out.append(el("pre", { class: "export-text mono", text: exported }));
}

async function updateToolkit() {
  const cov = $("coverage-out");
  const dif = $("diff-out");
  if (!policy) {
    cov.replaceChildren(el("p", { class: "muted", text: "Fix the policy to see its coverage." }));
    dif.replaceChildren(el("p", { class: "muted", text: "Fix the policy to see what it changes." }));
    return;
  }
  const lib = await loadFull();
  let current = null;
  try {
    const text = $("manifest").value;
    // The images box, then every container image of the manifest with its workload.
    const items = [...imageLines(), ...(text.trim() === "" ? [] : lib.manifestImages(text))];
    current = lib.Policy.parse(policyText, { mode: mode() });
    renderCoverage(lib.coverage(current, items), lib.secondPass(current, items));
    renderDiff(lib, current, items);
    renderExport(lib, current);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      full = null;
      current = null; // its instance is gone
      throw e;
    }
    cov.replaceChildren(el("p", { class: "error-box", text: `[${e.code ?? "error"}] ${e.message}` }));
  } finally {
    current?.free();
  }
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
  if (what !== "manifest" && what !== "toolkit") updateImages();
  writeFragment();
  if (what !== "toolkit") await updateManifest();
  await updateToolkit();
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
  $("baseline").addEventListener("input", () => schedule("toolkit", true));
  $("baseline-reset").addEventListener("click", () => {
    $("baseline").value = $("policy").value;
    schedule("toolkit");
  });
  $("export-format").addEventListener("change", () => schedule("toolkit"));
  $("export-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(exported);
      $("export-copy").textContent = "Copied";
    } catch {
      $("export-copy").textContent = "Select and copy the text";
    }
    setTimeout(() => { $("export-copy").textContent = "Copy"; }, 1500);
  });
  for (const v of VIEWS) {
    $(`tab-${v}`).addEventListener("click", () => {
      showView(v);
      writeFragment();
    });
  }
  // Arrow keys move between the tabs (the WAI-ARIA tabs pattern).
  document.querySelector(".tabs").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    e.preventDefault();
    const step = e.key === "ArrowRight" ? 1 : VIEWS.length - 1;
    showView(VIEWS[(VIEWS.indexOf(view) + step) % VIEWS.length], true);
    writeFragment();
  });
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
