// `cargo xtask bench` (start-up part, issue 16): how long a page waits for a
// pool of 2 — rayon-web plain, rayon-web with prewarmThreadPool, with rayon-web-host's
// prewarmPool before the glue is imported, and
// wasm-bindgen-rayon 1.3.0 (bench/startup-wbr) in the same run, same page, same
// client code (startup-case.js), with the floor (empty workers) beside them. A
// fresh page (Node: process) per run, the modes alternating, medians with
// min-max. Figures only, no pass/fail.
//
// BENCH_CACHE: the Cache-Control the server sends (default `no-store`: every
// worker fetches the glue and its snippets again, the worst case). A cacheable
// value such as `max-age=600` (GitHub Pages' default) shows a first visit with
// an ordinary HTTP cache: Chromium opens each run in a fresh browser context,
// so the page fetches everything once and its workers' imports of the glue hit
// that cache. Firefox keeps one session (and cache) for all runs, so there it
// measures repeat visits.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';
import { median } from './median.mjs';
import { MODES } from './startup-case.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const BROWSERS = (process.env.BENCH_BROWSERS ?? 'chromium,firefox').split(',');
// wasm-bindgen-rayon does not run in Node; rayon-web-host's standalone prewarm is for browsers.
const NODE_MODES = MODES.filter((m) => !m.includes('wbr') && m !== 'early');

async function browserRuns(name) {
  const server = await serve(ROOT, { isolated: true, cacheControl: process.env.BENCH_CACHE ?? 'no-store' });
  const browser = await launch(name);
  const runs = Object.fromEntries(MODES.map((m) => [m, []]));
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const mode of MODES) {
        const page = await browser.open(`${server.url}/tests/bench/startup.html?mode=${mode}`);
        try { runs[mode].push(await page.result(60_000)); } finally { await page.close(); }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return runs;
}

function nodeRuns() {
  const runs = Object.fromEntries(NODE_MODES.map((m) => [m, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const mode of NODE_MODES) {
      const out = execFileSync(process.execPath, [fileURLToPath(new URL('./startup-node.mjs', import.meta.url)), mode], { timeout: 60_000 });
      runs[mode].push(JSON.parse(out.toString().trim().split('\n').pop()));
    }
  }
  return runs;
}

const stat = (xs) => `${median(xs).toFixed(1).padStart(6)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
function print(env, runs) {
  for (const [mode, rs] of Object.entries(runs)) {
    for (const r of rs) {
      if (r.check && r.check[0] !== r.check[1]) throw new Error(`${env} ${mode}: parallel sum ${r.check[0]} != ${r.check[1]}`);
    }
    const parts = [`${env.padEnd(8)} ${mode.padEnd(9)}`];
    if (rs[0].importMs !== undefined) parts.push(`import ${stat(rs.map((r) => r.importMs))}`, `init() ${stat(rs.map((r) => r.initMs))}`);
    parts.push(`${rs[0].importMs !== undefined ? 'initThreadPool(2)' : 'workers ready'} ${stat(rs.map((r) => r.poolMs))}`);
    parts.push(`ready at ${stat(rs.map((r) => r.readyAt))} ms since ${env === 'node' ? 'process start' : 'navigation start'}`);
    console.log(parts.join(', '));
  }
  const ratio = (a, b) => median(runs[a].map((r, i) => r.readyAt / runs[b][i].readyAt)).toFixed(2);
  if (runs.wbr) {
    console.log(`${env.padEnd(8)} page load to pool ready vs wasm-bindgen-rayon (median of per-run ratios): rayon-web ${ratio('rayon-web', 'wbr')}x, with prewarmThreadPool ${ratio('prewarm', 'wbr')}x, with prewarmPool before the glue ${ratio('early', 'wbr')}x`);
  }
}

console.log(`medians of ${RUNS} (min-max), ms; modes alternate, a fresh ${'page/process'} each`);
for (const name of BROWSERS) print(name, await browserRuns(name));
print('node', nodeRuns());
