// Times the parse and rewrite suites of imgrepl-benches compiled to wasm32, in Node, with
// performance.now(): `node benches/wasm/bench.mjs <dir of the wasm-bindgen output> [--test]`.
// Run by `cargo xtask bench --wasm` (timed) and `cargo xtask bench --test` (one untimed
// iteration of each, answers checked).
//
// Before timing, the module must accept the 953 valid images of the corpus, and for every policy
// size rewrite_into must agree with the naive rewriter on every image (checked inside the module
// by set_policy) and rewrite the 483 images the native suite rewrites. Each measurement is the
// median of RUNS runs; a run calls the entry point (one pass over the 1,000 images) as many
// times as fit in about 50 ms. One JSON line per measurement goes to stdout.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import path from 'node:path';

const require = createRequire(import.meta.url);
const [dir, ...flags] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node bench.mjs <dir of imgrepl_benches_wasm.js> [--test]');
  process.exit(2);
}
const test = flags.includes('--test');
const label = flags.find((f) => f.startsWith('--profile='))?.slice('--profile='.length) ?? 'wasm';
const wasm = require(path.resolve(dir, 'imgrepl_benches_wasm.js'));

const RUNS = 15;
const RUN_MS = 50;
const ACCEPTED = 953;
const REWRITTEN = 483;
const SIZES = [1, 100000];

function check(what, got, want) {
  if (got !== want) {
    throw new Error(`${what}: got ${got}, want ${want}`);
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Median nanoseconds per image of `call` (one pass over the corpus).
function time(call, images) {
  // Warm-up, and how many passes fit in a run.
  let passes = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < passes; i++) call();
    if (performance.now() - start >= RUN_MS / 4) break;
    passes *= 2;
  }
  const start = performance.now();
  for (let i = 0; i < passes; i++) call();
  passes = Math.max(1, Math.round((passes * RUN_MS) / (performance.now() - start)));
  const perImage = [];
  for (let r = 0; r < RUNS; r++) {
    const begin = performance.now();
    for (let i = 0; i < passes; i++) call();
    perImage.push(((performance.now() - begin) * 1e6) / (passes * images));
  }
  return { median_ns: median(perImage), min_ns: Math.min(...perImage), max_ns: Math.max(...perImage), passes };
}

const images = wasm.corpus_len();
check('corpus size', images, 1000);
check('images parse accepts', wasm.parse_all(), ACCEPTED);
const results = [];
if (!test) {
  results.push({ engine: `${label}/parse`, n: null, ...time(wasm.parse_all, images) });
}
for (const n of SIZES) {
  check(`images rewritten at N = ${n}`, wasm.set_policy(n), REWRITTEN);
  const total = wasm.rewrite_into_all();
  if (!(total > 0)) throw new Error(`rewrite_into at N = ${n} wrote nothing`);
  if (!test) {
    results.push({ engine: `${label}/rewrite_into`, n, ...time(wasm.rewrite_into_all, images) });
  }
}
for (const r of results) console.log(JSON.stringify(r));
console.error(
  test
    ? `wasm (${label}): parse accepts ${ACCEPTED}/${images}; rewrite_into agrees with the naive rewriter at N = ${SIZES.join(', ')} (${REWRITTEN} rewritten)`
    : `wasm (${label}): node ${process.version}, ${RUNS} runs of ~${RUN_MS} ms each`,
);
