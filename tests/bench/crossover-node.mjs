// Node side of tests/bench/crossover.mjs: `node crossover-node.mjs <pkg> <threads>`.
// Prints one JSON line: for each series length n and period p, the median time of
// 16 rows of period p (sigma 4..7.75) by `kernel: 'fft'` and by `kernel: 'simd'`
// (direct simd128), alternated, into one reused output.
import { readFileSync } from 'node:fs';
import { median } from './median.mjs';
const [pkg, threads] = [process.argv[2], Number(process.argv[3])];
const base = new URL(`../../target/pkg/${pkg}/rayon_web_indicators`, import.meta.url);
const glue = await import(base.href + '.js');
await glue.default({ module_or_path: readFileSync(new URL(base.href + '_bg.wasm')) });
if (threads > 0) await glue.initThreadPool(threads);

const LENGTHS = [1024, 1500, 2520, 5000, 10_000, 20_000, 100_000];
const PERIODS = [16, 32, 48, 64, 96, 128, 192, 256];
const REPS = Number(process.env.CROSSOVER_REPS ?? 5);
const walk = (n) => { const p = new Float64Array(n); let x = 100; for (let i = 0; i < n; i++) { x += ((i * 7919) % 13 - 6) * 0.01; p[i] = x; } return p; };

const table = [];
for (const n of LENGTHS) {
  const prices = walk(n);
  const out = new Float64Array(16 * n);
  for (const p of PERIODS) {
    const range = (kernel) => ({ period: [p, p, 0], offset: [0.85, 0.85, 0], sigma: [4, 7.75, 0.25], kernel });
    // Each kernel's time for the same 16 rows; warm-up first, then alternated.
    glue.almaBatchInto(prices, range('fft'), out);
    glue.almaBatchInto(prices, range('simd'), out);
    // Short cases repeat inside one timing so a figure is never a few microseconds.
    const inner = Math.max(1, Math.round(2e7 / (16 * n * p)));
    const fft = [], simd = [];
    for (let r = 0; r < REPS; r++) {
      for (const [kernel, xs] of [['fft', fft], ['simd', simd]]) {
        const t = performance.now();
        for (let k = 0; k < inner; k++) glue.almaBatchInto(prices, range(kernel), out);
        xs.push((performance.now() - t) / inner);
      }
    }
    table.push({ n, p, fftMs: median(fft), simdMs: median(simd) });
  }
}
console.log(JSON.stringify(table));
