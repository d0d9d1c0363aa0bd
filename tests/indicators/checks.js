// The wasm JS API of rayon-web-indicators against the mpmath fixture
// (indicators/tests/fixtures), runnable in Node and in a browser worker:
// `runChecks(pkg, fixture, single?)` returns [{name, ok, error}].
// `single`, when given, is the other build (single-threaded) for bitwise
// comparisons of large parallel batches.

class CheckError extends Error {}
const ok = (cond, msg) => { if (!cond) throw new CheckError(msg); };
const dec = (v) => (v === null ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

function close(got, exp, label) {
  ok(got.length === exp.length, `${label}: length ${got.length} != ${exp.length}`);
  for (let t = 0; t < exp.length; t++) {
    if (exp[t] === null) ok(Number.isNaN(got[t]), `${label} t=${t}: expected NaN, got ${got[t]}`);
    else ok(Math.abs(got[t] - exp[t]) <= 1e-12 * Math.max(1, Math.abs(exp[t])), `${label} t=${t}: ${got[t]} vs exact ${exp[t]}`);
  }
}

function throwsCode(fn, code) {
  try { fn(); } catch (e) {
    ok(e instanceof Error, `threw a non-Error: ${e}`);
    ok(e.code === code, `code ${e.code} (${e.message}) instead of ${code}`);
    ok(e.message.length > 10, 'message says what to change');
    return;
  }
  throw new CheckError(`did not throw ${code}`);
}

function walk(n, seed) {
  const p = new Float64Array(n);
  let x = 100, s = seed;
  for (let i = 0; i < n; i++) { s = (s * 16807) % 2147483647; x += (s / 2147483647 - 0.5); p[i] = x; }
  return p;
}

export function runChecks(pkg, fx, single) {
  const results = [];
  const check = (name, fn) => {
    try { fn(); results.push({ name, ok: true }); } catch (e) { results.push({ name, ok: false, error: String(e.message ?? e) }); }
  };
  for (const c of fx.cases) {
    check(`alma ${c.series} period=${c.period} offset=${c.offset} sigma=${c.sigma} floor=${c.floor}`, () => {
      const prices = Float64Array.from(fx.series[c.series].map(dec));
      const out = pkg.alma(prices, { period: c.period, offset: c.offset, sigma: c.sigma, floor: c.floor });
      ok(out instanceof Float64Array, 'returns a Float64Array');
      close(out, c.expected, c.series);
    });
  }
  check('almaBatch matches the reference row by row, combos in order', () => {
    const b = fx.batch;
    const prices = Float64Array.from(fx.series.walk.slice(0, b.series_len));
    const r = pkg.almaBatch(prices, b.range);
    ok(r.rows === b.combos.length && r.cols === b.series_len, `shape ${r.rows}x${r.cols}`);
    r.combos.forEach((c, i) => ok(c.period === b.combos[i].period && c.offset === b.combos[i].offset && c.sigma === b.combos[i].sigma, `combo ${i}`));
    b.values.forEach((row, i) => close(r.values.subarray(i * r.cols, (i + 1) * r.cols), row, `row ${i}`));
    const out = new Float64Array(r.values.length);
    const shape = pkg.almaBatchInto(prices, b.range, out);
    ok(shape.rows === r.rows && shape.cols === r.cols && shape.values === undefined, 'almaBatchInto shape');
    ok(out.every((v, k) => Object.is(v, r.values[k])), 'almaBatchInto equals almaBatch');
  });
  check('defaults: no params and {} are period 9, offset 0.85, sigma 6', () => {
    const prices = Float64Array.from(fx.series.walk);
    const exp = fx.cases.find((c) => c.series === 'walk' && c.period === 9 && c.offset === 0.85 && c.sigma === 6 && !c.floor);
    ok(exp, 'fixture has the defaults case');
    close(pkg.alma(prices), exp.expected, 'defaults');
    close(pkg.alma(prices, {}), exp.expected, 'defaults {}');
  });
  check('bad input throws Errors with stable codes', () => {
    const p = new Float64Array([1, 2, 3, 4, 5]);
    throwsCode(() => pkg.alma(new Float64Array([]), {}), 'EMPTY_INPUT');
    throwsCode(() => pkg.alma(p, { period: 0 }), 'INVALID_PERIOD');
    throwsCode(() => pkg.alma(p, { period: 6 }), 'INVALID_PERIOD');
    throwsCode(() => pkg.alma(p, { period: '3' }), 'INVALID_ARGUMENT');
    throwsCode(() => pkg.alma(p, { period: 2.5 }), 'INVALID_ARGUMENT');
    throwsCode(() => pkg.alma(p, { period: 3, sigma: 0 }), 'INVALID_SIGMA');
    throwsCode(() => pkg.alma(p, { period: 3, sigma: NaN }), 'INVALID_SIGMA');
    throwsCode(() => pkg.alma(p, { period: 3, offset: 1.5 }), 'INVALID_OFFSET');
    throwsCode(() => pkg.alma(p, { period: 3, floor: 1 }), 'INVALID_ARGUMENT');
    throwsCode(() => pkg.alma(p, 5), 'INVALID_ARGUMENT');
    throwsCode(() => pkg.alma(new Float64Array([NaN, NaN, NaN]), { period: 2 }), 'ALL_NAN');
    throwsCode(() => pkg.alma(new Float64Array([NaN, NaN, 1, 2]), { period: 3 }), 'NOT_ENOUGH_VALID_DATA');
    throwsCode(() => pkg.almaBatch(p, { period: [3, 2, 1] }), 'INVALID_RANGE');
    throwsCode(() => pkg.almaBatch(p, { period: [1, 3] }), 'INVALID_ARGUMENT');
    throwsCode(() => pkg.almaBatch(p, {}), 'INVALID_ARGUMENT');
    throwsCode(() => pkg.almaBatch(p, { period: [1, 3, 1], offset: [0, 1, NaN] }), 'INVALID_RANGE');
    throwsCode(() => pkg.almaBatch(p, { period: [1, 3, 1], offset: [0, 1, 1e-300] }), 'OUTPUT_TOO_LARGE');
    throwsCode(() => pkg.almaBatch(new Float64Array(1e6), { period: [1, 300, 1] }), 'OUTPUT_TOO_LARGE');
    throwsCode(() => pkg.almaBatchInto(p, { period: [1, 3, 1] }, new Float64Array(7)), 'OUTPUT_LENGTH_MISMATCH');
  });
  if (single) {
    check('large batches on the pool equal the single-threaded build bit for bit (rows and column blocks)', () => {
      const long = walk(300_000, 7);
      const a = pkg.alma(long, { period: 50 });
      const b = single.alma(long, { period: 50 });
      ok(a.every((v, k) => Object.is(v, b[k])), 'one combination over 300k points (column blocks)');
      const series = walk(50_000, 11);
      series[1234] = NaN;
      const range = { period: [5, 44, 1], offset: [0.5, 0.9, 0.4], sigma: [4, 6, 2], floor: true };
      const x = pkg.almaBatch(series, range);
      const y = single.almaBatch(series, range);
      ok(x.rows === 160 && x.values.every((v, k) => Object.is(v, y.values[k])), '160 combinations over 50k points with a NaN (rows)');
    });
    check('progress counter reaches total after a batch', () => {
      const addr = pkg.progressCounter();
      ok(Number.isInteger(addr) && addr > 0, 'address');
      pkg.almaBatch(walk(100_000, 3), { period: [9, 40, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] });
      const view = new Uint32Array(pkg.rayonWebMemory().buffer, addr, 2);
      ok(view[1] > 1 && view[0] === view[1], `progress ${view[0]}/${view[1]}`);
    });
  }
  return results;
}
