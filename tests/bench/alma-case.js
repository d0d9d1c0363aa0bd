// One ALMA wasm benchmark run against one build, in Node or a browser worker.
// `glue` is the indicators package (threaded: initThreadPool(threads) first).
export async function almaCase(glue, { threads, reps = 5 }) {
  if (threads > 0) await glue.initThreadPool(threads);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
  const walk = (n) => { const p = new Float64Array(n); let x = 100; for (let i = 0; i < n; i++) { x += ((i * 7919) % 13 - 6) * 0.01; p[i] = x; } return p; };
  const big = walk(100_000);
  const range = { period: [9, 58, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0], floor: false };
  let flops = 0;
  for (let p = 9; p <= 58; p++) flops += 2 * (big.length - p + 1) * p;
  glue.almaBatch(big, range); // warm-up
  const batchMs = [];
  let checksum = 0;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const r = glue.almaBatch(big, range);
    batchMs.push(performance.now() - t);
    checksum = 0;
    for (const v of r.values) if (Number.isFinite(v)) checksum += v;
  }
  const tiny = walk(1000);
  const tinyMs = [];
  for (let i = 0; i < 50; i++) glue.alma(tiny, {});
  for (let k = 0; k < reps; k++) {
    const t = performance.now();
    for (let i = 0; i < 200; i++) glue.alma(tiny, {});
    tinyMs.push((performance.now() - t) / 200);
  }
  return { batchMs: median(batchMs), gflops: flops / median(batchMs) / 1e6, tinyMs: median(tinyMs), checksum };
}
