// `cargo xtask bench` (issue 19): where FFT starts to beat the direct simd128
// kernels in wasm — period x series length, FFT / direct time (< 1: FFT wins),
// for the single-threaded build and the threaded build on a pool of 2, each in
// a fresh Node process, alternated, medians of the runs' per-cell ratios. The
// table in indicators/src/kernels/fft.rs (wasm32 `CROSSOVER_PERIOD`) is set
// from it; figures only.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './median.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const run = (pkg, threads) => JSON.parse(execFileSync(process.execPath,
  [fileURLToPath(new URL('./crossover-node.mjs', import.meta.url)), pkg, String(threads)], { timeout: 600_000 }).toString().trim());

const builds = [['single-threaded build', 'indicators-single', 0], ['threaded build, pool of 2', 'indicators-threads', 2]];
const runs = builds.map(() => []);
for (let i = 0; i < RUNS; i++) builds.forEach(([, pkg, threads], b) => runs[b].push(run(pkg, threads)));
builds.forEach(([label], b) => {
  const cells = runs[b][0].map((c, k) => ({ n: c.n, p: c.p, ratio: median(runs[b].map((r) => r[k].fftMs / r[k].simdMs)) }));
  const periods = [...new Set(cells.map((c) => c.p))];
  console.log(`node ${label}: FFT / direct simd128 time, 16 rows of one period (median of ${RUNS} runs; < 1: FFT wins)`);
  console.log(['n \\ period'.padEnd(10), ...periods.map((p) => String(p).padStart(6))].join(' '));
  for (const n of [...new Set(cells.map((c) => c.n))]) {
    console.log([String(n).padEnd(10), ...periods.map((p) => cells.find((c) => c.n === n && c.p === p).ratio.toFixed(2).padStart(6))].join(' '));
  }
});
