// One ALMA wasm benchmark run against one build, in Node or a browser worker.
// `glue` is the indicators package (threaded: initThreadPool(threads) first).
export async function almaCase(glue, { threads, reps = 3 }) {
  if (threads > 0) await glue.initThreadPool(threads);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
  const walk = (n) => { const p = new Float64Array(n); let x = 100; for (let i = 0; i < n; i++) { x += ((i * 7919) % 13 - 6) * 0.01; p[i] = x; } return p; };
  const big = walk(100_000);
  const range = { period: [9, 258, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0], floor: false };
  let flops = 0;
  for (let p = 9; p <= 258; p++) flops += 2 * (big.length - p + 1) * p;
  // almaBatch (a fresh result array per call) and almaBatchInto (one reused array).
  const first = glue.almaBatch(big, range); // warm-up
  const out = new Float64Array(first.values.length);
  glue.almaBatchInto(big, range, out);
  const batchMs = [], intoMs = [];
  let checksum = 0;
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    const r = glue.almaBatch(big, range);
    batchMs.push(performance.now() - t);
    t = performance.now();
    glue.almaBatchInto(big, range, out);
    intoMs.push(performance.now() - t);
    checksum = 0;
    for (let k = 0; k < out.length; k++) if (Number.isFinite(out[k])) checksum += out[k];
    if (r.values.some((v, k) => !Object.is(v, out[k]))) throw new Error('almaBatch and almaBatchInto differ');
  }
  const tiny = walk(1000);
  const tinyMs = [];
  for (let i = 0; i < 50; i++) glue.alma(tiny, {});
  for (let k = 0; k < reps; k++) {
    const t = performance.now();
    for (let i = 0; i < 200; i++) glue.alma(tiny, {});
    tinyMs.push((performance.now() - t) / 200);
  }
  return { batchMs: median(batchMs), intoMs: median(intoMs), gflops: flops / median(intoMs) / 1e6, tinyMs: median(tinyMs), checksum };
}
