// `cargo xtask bench` (ALMA wasm part): the single-threaded build vs the
// threaded build on a pool of 2, in Node, headless Chromium and Firefox — a batch of 250
// periods (9..=258) x 100k points (as the native benchmark; also by kernel: 'fft' vs
// 'simd', issue 19; each also into a WasmFloat64Buffer, in place), the many-series case of issue 17
// (1000 series x 2520 points x 20 periods, vs 1000 one-series calls), and one default ALMA over 1k points (where
// the pool must not cost more than ~1.1x: small work stays on the caller).
// Medians of 5; figures only.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';
import { median } from './median.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function node(pkg, threads) {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL('./alma-node.mjs', import.meta.url)), pkg, String(threads)], { timeout: 300_000 });
  return JSON.parse(out.toString().trim());
}

const inBrowser = (name) => async (pkg, threads) => {
  const server = await serve(ROOT, { isolated: true });
  const browser = await launch(name);
  try {
    const page = await browser.open(`${server.url}/tests/bench/alma.html?pkg=${pkg}&threads=${threads}`);
    try { return await page.result(300_000); } finally { await page.close(); }
  } finally {
    await browser.close();
    await server.close();
  }
};

// BENCH_ENVS: a comma-separated subset of node, chromium, firefox (default: all three).
const ENVS = (process.env.BENCH_ENVS ?? 'node,chromium,firefox').split(',');
for (const [env, run] of [['node', node], ['chromium', inBrowser('chromium')], ['firefox', inBrowser('firefox')]].filter(([e]) => ENVS.includes(e))) {
  // Alternate the two builds so machine noise hits both alike.
  const single = [], pool = [];
  for (let i = 0; i < RUNS; i++) {
    single.push(await run('indicators-single', 0));
    pool.push(await run('indicators-threads', 2));
  }
  if (single.some((s, i) => s.checksum !== pool[i].checksum)) console.log(`${env}: CHECKSUMS DIFFER`, single.map((s) => s.checksum), pool.map((s) => s.checksum));
  const ratios = single.map((s, i) => s.batchMs / pool[i].batchMs);
  const intoRatios = single.map((s, i) => s.intoMs / pool[i].intoMs);
  const tiny = single.map((s, i) => pool[i].tinyMs / s.tinyMs);
  const m = (xs, k) => median(xs.map((x) => x[k]));
  console.log(`${env.padEnd(9)} almaBatchInto 250x100k (reused output): single build ${m(single, 'intoMs').toFixed(1)} ms (${m(single, 'gflops').toFixed(2)} GFLOP/s), pool of 2 ${m(pool, 'intoMs').toFixed(1)} ms (${m(pool, 'gflops').toFixed(2)} GFLOP/s), speed-up ${median(intoRatios).toFixed(2)}x (median of ${RUNS} runs)`);
  console.log(`${env.padEnd(9)} almaBatchInto 250x100k into a WasmFloat64Buffer (in place, no copy out): single build ${m(single, 'inPlaceMs').toFixed(1)} ms, pool of 2 ${m(pool, 'inPlaceMs').toFixed(1)} ms, speed-up ${median(single.map((s, i) => s.inPlaceMs / pool[i].inPlaceMs)).toFixed(2)}x`);
  console.log(`${env.padEnd(9)} almaBatch     250x100k (new 200 MB array per call): single build ${m(single, 'batchMs').toFixed(1)} ms, pool of 2 ${m(pool, 'batchMs').toFixed(1)} ms, speed-up ${median(ratios).toFixed(2)}x`);
  console.log(`${env.padEnd(9)} almaBatchLongAbove 250x100k (the rule and a checksum per row, no rows copied out): single build ${m(single, 'longAboveMs').toFixed(1)} ms, pool of 2 ${m(pool, 'longAboveMs').toFixed(1)} ms, speed-up ${median(single.map((s, i) => s.longAboveMs / pool[i].longAboveMs)).toFixed(2)}x`);
  console.log(`${env.padEnd(9)} demo default batch 600x10k: almaBatchInto (48 MB out) single ${m(single, 'demoIntoMs').toFixed(1)} ms, pool ${m(pool, 'demoIntoMs').toFixed(1)} ms, speed-up ${median(single.map((s, i) => s.demoIntoMs / pool[i].demoIntoMs)).toFixed(2)}x; almaBatchLongAbove single ${m(single, 'demoLongAboveMs').toFixed(1)} ms, pool ${m(pool, 'demoLongAboveMs').toFixed(1)} ms, speed-up ${median(single.map((s, i) => s.demoLongAboveMs / pool[i].demoLongAboveMs)).toFixed(2)}x`);
  console.log(`${env.padEnd(9)} almaBatchInto 250x100k by kernel: 'fft' single build ${m(single, 'fftMs').toFixed(1)} ms, pool ${m(pool, 'fftMs').toFixed(1)} ms; 'simd' (direct simd128) single ${m(single, 'simdMs').toFixed(1)} ms, pool ${m(pool, 'simdMs').toFixed(1)} ms; on the pool FFT is ${median(pool.map((p) => p.simdMs / p.fftMs)).toFixed(2)}x faster than direct`);
  console.log(`${env.padEnd(9)} almaBatchManyInto 1000 series x 2520 x 20 periods: single build ${m(single, 'manyMs').toFixed(1)} ms (${m(single, 'manyGflops').toFixed(2)} GFLOP/s), pool of 2 ${m(pool, 'manyMs').toFixed(1)} ms (${m(pool, 'manyGflops').toFixed(2)} GFLOP/s), speed-up ${median(single.map((s, i) => s.manyMs / pool[i].manyMs)).toFixed(2)}x`);
  console.log(`${env.padEnd(9)} almaBatchManyInto 1000 series x 2520 x 20 periods into a WasmFloat64Buffer (in place): single build ${m(single, 'manyInPlaceMs').toFixed(1)} ms, pool of 2 ${m(pool, 'manyInPlaceMs').toFixed(1)} ms, speed-up ${median(single.map((s, i) => s.manyInPlaceMs / pool[i].manyInPlaceMs)).toFixed(2)}x`);
  console.log(`${env.padEnd(9)} same work as 1000 almaBatchInto calls: single build ${m(single, 'loopMs').toFixed(1)} ms, pool of 2 ${m(pool, 'loopMs').toFixed(1)} ms; on the pool the many-series call is ${median(pool.map((p) => p.loopMs / p.manyMs)).toFixed(2)}x faster`);
  if (single.some((s, i) => s.manyChecksum !== pool[i].manyChecksum)) console.log(`${env}: MANY-SERIES CHECKSUMS DIFFER`);
  console.log(`${env.padEnd(9)} almaBatchManyLongAbove 1000 series x 2520 x 20 periods (the rule and a checksum per series and combination, no rows out): single build ${m(single, 'manyLaMs').toFixed(1)} ms, pool of 2 ${m(pool, 'manyLaMs').toFixed(1)} ms, speed-up ${median(single.map((s, i) => s.manyLaMs / pool[i].manyLaMs)).toFixed(2)}x`);
  if (single.some((s, i) => s.manyLaChecksum !== pool[i].manyLaChecksum)) console.log(`${env}: MANY-SERIES LONG-ABOVE CHECKSUMS DIFFER`);
  console.log(`${env.padEnd(9)} 1 combo x 1k points: single build ${(m(single, 'tinyMs') * 1000).toFixed(1)} us, pool ${(m(pool, 'tinyMs') * 1000).toFixed(1)} us, pool/single ${median(tiny).toFixed(2)}x`);
}
