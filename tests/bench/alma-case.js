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
  // The same into a WasmFloat64Buffer's view: computed in place, nothing copied out.
  const buf = new glue.WasmFloat64Buffer(out.length);
  glue.almaBatchInto(big, range, buf.view());
  const batchMs = [], intoMs = [], inPlaceMs = [];
  let checksum = 0;
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    const r = glue.almaBatch(big, range);
    batchMs.push(performance.now() - t);
    t = performance.now();
    glue.almaBatchInto(big, range, out);
    intoMs.push(performance.now() - t);
    t = performance.now();
    glue.almaBatchInto(big, range, buf.view());
    inPlaceMs.push(performance.now() - t);
    const view = buf.view();
    if (out.some((v, k) => !Object.is(v, view[k]))) throw new Error('almaBatchInto in place and copied differ');
    checksum = 0;
    for (let k = 0; k < out.length; k++) if (Number.isFinite(out[k])) checksum += out[k];
    if (r.values.some((v, k) => !Object.is(v, out[k]))) throw new Error('almaBatch and almaBatchInto differ');
  }
  // Kernels side by side on the same batch into the same array, alternated:
  // FFT for every row vs the direct simd128 kernels (issue 19's wasm figure).
  const fftMs = [], simdMs = [];
  glue.almaBatchInto(big, { ...range, kernel: 'fft' }, out);
  glue.almaBatchInto(big, { ...range, kernel: 'simd' }, out);
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    glue.almaBatchInto(big, { ...range, kernel: 'fft' }, out);
    fftMs.push(performance.now() - t);
    t = performance.now();
    glue.almaBatchInto(big, { ...range, kernel: 'simd' }, out);
    simdMs.push(performance.now() - t);
  }
  const tiny = walk(1000);
  const tinyMs = [];
  for (let i = 0; i < 50; i++) glue.alma(tiny, {});
  for (let k = 0; k < reps; k++) {
    const t = performance.now();
    for (let i = 0; i < 200; i++) glue.alma(tiny, {});
    tinyMs.push((performance.now() - t) / 200);
  }
  // The same grid reduced row by row (almaBatchLongAbove: the rule and a checksum
  // per row, no rows copied out), and the demo's default batch (600 x 10k) both ways.
  const longAboveMs = [];
  glue.almaBatchLongAbove(big, range);
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    glue.almaBatchLongAbove(big, range);
    longAboveMs.push(performance.now() - t);
  }
  buf.free();
  return {
    batchMs: median(batchMs), intoMs: median(intoMs), inPlaceMs: median(inPlaceMs), gflops: flops / median(intoMs) / 1e6, fftMs: median(fftMs), simdMs: median(simdMs),
    tinyMs: median(tinyMs), checksum, longAboveMs: median(longAboveMs), ...demoCase(glue, reps, median), ...manyCase(glue, reps, walk, median),
  };
}

// The demo's default batch (demo/defaults.js: 10k bars, periods 10..200 step 10 x 10
// offsets x 3 sigmas = 600 rows): almaBatchInto (48 MB out, the demo's call until
// 2026-12-06) vs almaBatchLongAbove (its call since), alternated, 3x the reps.
function demoCase(glue, reps, median) {
  const prices = new Float64Array(10_000);
  for (let i = 0, x = 100; i < prices.length; i++) { x *= 1 + 0.01 * Math.sin(i * 0.7) * Math.cos(i * 0.13); prices[i] = x; }
  const range = { period: [10, 200, 10], offset: [0.05, 0.95, 0.1], sigma: [4, 8, 2], floor: false };
  const out = new Float64Array(600 * prices.length);
  const intoMs = [], laMs = [];
  for (let i = 0; i < 2; i++) { glue.almaBatchInto(prices, range, out); glue.almaBatchLongAbove(prices, range); }
  for (let i = 0; i < 3 * reps; i++) {
    let t = performance.now();
    glue.almaBatchInto(prices, range, out);
    intoMs.push(performance.now() - t);
    t = performance.now();
    glue.almaBatchLongAbove(prices, range);
    laMs.push(performance.now() - t);
  }
  return { demoIntoMs: median(intoMs), demoLongAboveMs: median(laMs) };
}

// The backtester's workload (issue 17): 1000 series x 2,520 points (10 years of
// trading days) x 20 periods (5..=100), offset 0.85, sigma 6 — one
// almaBatchManyInto call against 1000 almaBatchInto calls (one per series, each
// into its block of the same output) and one almaBatchManyLongAbove call (the
// sweep's figures only), alternated, medians.
function manyCase(glue, reps, walk, median) {
  const series = 1000, len = 2520;
  const all = walk(series * len + 7 * series);
  const values = new Float64Array(series * len);
  const offsets = new Uint32Array(series + 1);
  for (let s = 0; s < series; s++) {
    // Different series: shifted windows of one long walk.
    values.set(all.subarray(s * (len + 7), s * (len + 7) + len), s * len);
    offsets[s + 1] = (s + 1) * len;
  }
  const range = { period: [5, 100, 5], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
  const rows = 20;
  const out = new Float64Array(rows * values.length);
  const loopOut = new Float64Array(rows * values.length);
  let flops = 0;
  for (let p = 5; p <= 100; p += 5) flops += 2 * (len - p + 1) * p * series;
  const loop = () => {
    for (let s = 0; s < series; s++) glue.almaBatchInto(values.subarray(s * len, (s + 1) * len), range, loopOut.subarray(s * rows * len, (s + 1) * rows * len));
  };
  // In place into a WasmFloat64Buffer: made for each call and freed after it (untimed),
  // since the threaded build's 1 GiB cannot hold the 385 MB buffer and the copying
  // call's own 385 MB output at once.
  const inPlace = () => {
    const buf = new glue.WasmFloat64Buffer(out.length);
    try {
      const t = performance.now();
      glue.almaBatchManyInto(values, offsets, range, buf.view());
      const ms = performance.now() - t;
      const view = buf.view();
      if (out.some((v, k) => !Object.is(v, view[k]))) throw new Error('almaBatchManyInto in place and copied differ');
      return ms;
    } finally { buf.free(); }
  };
  glue.almaBatchManyInto(values, offsets, range, out); // warm-up
  inPlace();
  loop();
  glue.almaBatchManyLongAbove(values, offsets, range);
  const manyMs = [], manyInPlaceMs = [], loopMs = [], manyLaMs = [];
  let manyLaChecksum = 0;
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    glue.almaBatchManyInto(values, offsets, range, out);
    manyMs.push(performance.now() - t);
    manyInPlaceMs.push(inPlace());
    t = performance.now();
    loop();
    loopMs.push(performance.now() - t);
    // The same sweep reduced per (series, combination): no rows copied out.
    t = performance.now();
    const r = glue.almaBatchManyLongAbove(values, offsets, range);
    manyLaMs.push(performance.now() - t);
    manyLaChecksum = r.rowSum.reduce((a, v) => a + v, 0) + r.totalReturn.reduce((a, v) => a + v, 0);
  }
  if (out.some((v, k) => !Object.is(v, loopOut[k]))) throw new Error('almaBatchManyInto and 1000 almaBatchInto calls differ');

  let manyChecksum = 0;
  for (let k = 0; k < out.length; k += 997) if (Number.isFinite(out[k])) manyChecksum += out[k];
  return { manyMs: median(manyMs), manyInPlaceMs: median(manyInPlaceMs), loopMs: median(loopMs), manyGflops: flops / median(manyMs) / 1e6, manyChecksum, manyLaMs: median(manyLaMs), manyLaChecksum };
}
