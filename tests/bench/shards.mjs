// `cargo xtask bench` (shards part): rayon-web-host's `shards` mode — 2
// independent instances of the single-threaded build — vs one instance, ALMA
// 250 periods (9..=258) x 100k points, in Node (worker_threads) and headless
// Chromium on an origin WITHOUT COOP/COEP. Same run, alternating, medians.
// Also: the overhead (split + posting copies, join, and wall time minus the
// slower shard's compute), transfer vs copy of the input, and the tiny call
// (1 combo x 1k points: the host must not split it; target <= 1.1x single).
// Figures only. BENCH_RUNS (default 3).
import { pathToFileURL, fileURLToPath } from 'node:url';
import { createHost, ALMA_DECLARATIONS } from '../../js/src/index.js';
import { shardsBench } from './shards-case.js';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SINGLE = pathToFileURL(fileURLToPath(new URL('../../target/pkg/indicators-single/rayon_web_indicators.js', import.meta.url))).href;

async function chromium() {
  const server = await serve(ROOT, { isolated: false });
  const browser = await launch('chromium');
  try {
    const page = await browser.open(`${server.url}/tests/bench/shards.html?runs=${RUNS}`);
    try { return await page.result(600_000); } finally { await page.close(); }
  } finally {
    await browser.close();
    await server.close();
  }
}

for (const [env, run] of [['node', () => shardsBench(createHost, ALMA_DECLARATIONS, SINGLE, { runs: RUNS })], ['chromium', chromium]]) {
  const r = await run();
  const f = (x) => x.toFixed(1);
  console.log(`${env.padEnd(9)} almaBatch 250x100k: single ${f(r.single)} ms, 2 shards ${f(r.shards)} ms (input transferred to the last shard: ${f(r.shardsTransfer)} ms), speed-up ${r.speedup.toFixed(2)}x (median of ${r.runs})${r.same ? ', bitwise identical' : ', RESULTS DIFFER'}`);
  console.log(`${env.padEnd(9)} almaBatchInto 250x100k (reused output): single ${f(r.intoSingle)} ms, 2 shards ${f(r.intoShards)} ms, speed-up ${r.intoSpeedup.toFixed(2)}x`);
  console.log(`${env.padEnd(9)}   almaBatchInto parts: shard 0 ${f(r.intoPart0)} ms, shard 1 ${f(r.intoPart1)} ms in their workers; join (copying the parts into the caller's array) ${f(r.intoJoin)} ms`);
  console.log(`${env.padEnd(9)}   almaBatch overhead: ${f(r.overhead)} ms = wall - slower shard's compute (${f(r.compute)} ms); of it split + post (input copies) ${f(r.split)} ms, join (a new rows x cols array) ${f(r.join)} ms`);
  console.log(`${env.padEnd(9)} 1 combo x 1k points: single ${(r.tinySingle * 1000).toFixed(0)} us, shards host ${(r.tinyShards * 1000).toFixed(0)} us (not split), ratio ${r.tinyRatio.toFixed(2)}x`);
}
