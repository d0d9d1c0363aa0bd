// The wasm JS API of rayon-web-indicators against the mpmath fixture
// (indicators/tests/fixtures), runnable in Node and in a browser worker:
// `runChecks(pkg, fixture, single?)` returns [{name, ok, error}].
// `single`, when given, is the other build (single-threaded) for bitwise
// comparisons of large parallel batches.

// The reduced calls' references: the demo's own (pure) figures, held to wasm's bits here.
import { rowSum, ruleReturn } from '../../demo/stats.js';

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

function throwsCode(fn, code, ...mentions) {
  try { fn(); } catch (e) {
    ok(e instanceof Error, `threw a non-Error: ${e}`);
    ok(e.code === code, `code ${e.code} (${e.message}) instead of ${code}`);
    ok(e.message.length > 10, 'message says what to change');
    for (const m of mentions) ok(e.message.includes(m), `message "${e.message}" does not mention "${m}"`);
    return e;
  }
  throw new CheckError(`did not throw ${code}`);
}

const same = (a, b) => a.length === b.length && a.every((v, k) => Object.is(v, b[k]));

// Bytes of the module's memory and of its Rust heap (pkg.wasmMemory is the
// instance's memory, added by the loaders).
const memoryLevel = (pkg) => ({ memory: pkg.wasmMemory.buffer.byteLength, heap: pkg.wasmHeapBytes() });

function walk(n, seed) {
  const p = new Float64Array(n);
  let x = 100, s = seed;
  for (let i = 0; i < n; i++) { s = (s * 16807) % 2147483647; x += (s / 2147483647 - 0.5); p[i] = x; }
  return p;
}

export function runChecks(pkg, fx, single, emaFx) {
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
    // An integer past wasm32's usize: the message names the limit, not "must be a non-negative integer".
    throwsCode(() => pkg.almaBatch(p, { period: [1, 2 ** 53, 1] }), 'INVALID_ARGUMENT', 'range.period[1] is 9007199254740992', '4294967295');
    throwsCode(() => pkg.alma(p, { period: 2 ** 32 }), 'INVALID_ARGUMENT', 'params.period is 4294967296', '4294967295');
    throwsCode(() => pkg.almaBatch(p, { period: [1, 3, 1], offset: [0, 1, NaN] }), 'INVALID_RANGE');
    throwsCode(() => pkg.almaBatch(p, { period: [1, 3, 1], offset: [0, 1, 1e-300] }), 'OUTPUT_TOO_LARGE');
    throwsCode(() => pkg.almaBatch(new Float64Array(1e6), { period: [1, 300, 1] }), 'OUTPUT_TOO_LARGE');
    throwsCode(() => pkg.almaBatchInto(p, { period: [1, 3, 1] }, new Float64Array(7)), 'OUTPUT_LENGTH_MISMATCH');
  });
  check('accepted series: Float32Array (widened exactly) and Array of numbers give the Float64Array result', () => {
    const f32 = new Float32Array(walk(500, 5));
    const f64 = Float64Array.from(f32);
    const exp = pkg.alma(f64, { period: 20 });
    ok(same(pkg.alma(f32, { period: 20 }), exp), 'Float32Array');
    ok(same(pkg.alma(Array.from(f64), { period: 20 }), exp), 'Array of numbers');
    const withNaN = [1, 2, NaN, 4, Infinity, 6, 7, 8, 9, 10];
    ok(same(pkg.alma(withNaN, { period: 2 }), pkg.alma(Float64Array.from(withNaN), { period: 2 })), 'Array with NaN/Infinity');
    const r = { period: [5, 9, 2] };
    ok(same(pkg.almaBatch(f32, r).values, pkg.almaBatch(f64, r).values), 'almaBatch of a Float32Array');
    ok(same(pkg.alma(f64.subarray(100, 300), { period: 20 }), pkg.alma(f64.slice(100, 300), { period: 20 })), 'a subarray view');
    ok(same(pkg.alma(f64, null), pkg.alma(f64)), 'params null = defaults');
  });
  check('wrong types throw INVALID_ARGUMENT naming the argument and the type received', () => {
    const p = walk(50, 1);
    const bad = (fn, ...m) => throwsCode(fn, 'INVALID_ARGUMENT', ...m);
    bad(() => pkg.alma('1234567890123', { period: 3 }), 'prices', 'string');
    bad(() => pkg.alma(null), 'prices', 'null');
    bad(() => pkg.alma(), 'prices', 'undefined');
    bad(() => pkg.alma(42), 'prices', 'number');
    bad(() => pkg.alma({ length: 5 }), 'prices', 'plain object');
    bad(() => pkg.alma({ length: 2 ** 28 }), 'prices', 'plain object');
    bad(() => pkg.alma(new Int32Array(20)), 'prices', 'Int32Array');
    bad(() => pkg.alma(new BigInt64Array(20)), 'prices', 'BigInt64Array');
    bad(() => pkg.alma(new Uint8Array(20)), 'prices', 'Uint8Array');
    bad(() => pkg.alma(new ArrayBuffer(80)), 'prices', 'ArrayBuffer');
    bad(() => pkg.almaBatch(new Set([1, 2, 3]), { period: [1, 2, 1] }), 'prices', 'Set');
    bad(() => pkg.alma([1, 2, '3', 4, 5], { period: 2 }), 'prices[2]', 'string');
    bad(() => pkg.alma([1, 2, , 4, 5], { period: 2 }), 'prices[2]', 'undefined');
    bad(() => pkg.alma([1, 2, 3n, 4, 5], { period: 2 }), 'prices[2]', 'bigint');
    bad(() => pkg.alma([1, 2, new Number(3), 4, 5], { period: 2 }), 'prices[2]', 'Number');
    bad(() => pkg.alma(p, 'period 3'), 'params', 'string');
    bad(() => pkg.alma(p, [3]), 'params', 'Array');
    bad(() => pkg.alma(p, () => 3), 'params', 'function');
    bad(() => pkg.alma(p, { period: 3n }), 'params.period', 'bigint');
    bad(() => pkg.alma(p, { period: 3, offset: '0.5' }), 'params.offset', 'string');
    bad(() => pkg.almaBatch(p), 'range', 'undefined');
    bad(() => pkg.almaBatch(p, null), 'range', 'null');
    bad(() => pkg.almaBatch(p, [1, 3, 1]), 'range', 'Array');
    bad(() => pkg.almaBatch(p, { period: '1,3,1' }), 'range.period', 'string');
    bad(() => pkg.almaBatch(p, { period: { 0: 1, 1: 3, 2: 1, length: 3 } }), 'range.period', 'plain object');
    bad(() => pkg.almaBatch(p, { period: new Int32Array([1, 3, 1]) }), 'range.period', 'Int32Array');
    bad(() => pkg.almaBatch(p, { period: [1, 3, 1], sigma: [1, 2, null] }), 'range.sigma[2]', 'null');
    bad(() => pkg.almaBatch(p, { period: [1, 3, 1], floor: 'yes' }), 'range.floor', 'string');
    const r = { period: [1, 3, 1] };
    const n = 3 * p.length;
    bad(() => pkg.almaBatchInto(p, r, new Int32Array(n)), 'out', 'Int32Array');
    bad(() => pkg.almaBatchInto(p, r, new Float32Array(n)), 'out', 'Float32Array');
    bad(() => pkg.almaBatchInto(p, r, new Array(n).fill(0)), 'out', 'Array');
    bad(() => pkg.almaBatchInto(p, r, null), 'out', 'null');
    bad(() => pkg.almaBatchInto(p, r), 'out', 'undefined');
    bad(() => pkg.almaBatchInto(p, r, { length: n }), 'out', 'plain object');
  });
  check('throwing getters, traps and revoked Proxies: INVALID_ARGUMENT quoting the thrown message, everywhere', () => {
    const p = walk(50, 2);
    const boom = (msg) => ({ get() { throw new Error(msg); } });
    throwsCode(() => pkg.alma(p, Object.defineProperty({}, 'period', boom('boom-params'))), 'INVALID_ARGUMENT', 'params.period', 'boom-params');
    throwsCode(() => pkg.almaBatch(p, Object.defineProperty({}, 'period', boom('boom-range'))), 'INVALID_ARGUMENT', 'range.period', 'boom-range');
    throwsCode(() => pkg.almaBatch(p, { period: [1, 3, 1], offset: new Proxy([0.5, 0.5, 0], { get(t, k) { if (k === '1') throw new Error('boom-trap'); return t[k]; } }) }),
      'INVALID_ARGUMENT', 'range.offset[1]', 'boom-trap');
    throwsCode(() => pkg.alma(p, { get sigma() { throw 'a thrown string'; } }), 'INVALID_ARGUMENT', 'a thrown string');
    const arr = Array.from(p);
    Object.defineProperty(arr, 40, boom('boom-element'));
    throwsCode(() => pkg.alma(arr, { period: 3 }), 'INVALID_ARGUMENT', 'prices[40]', 'boom-element');
    const revoked = () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; };
    throwsCode(() => pkg.alma(revoked()), 'INVALID_ARGUMENT', 'prices');
    throwsCode(() => pkg.alma(p, revoked()), 'INVALID_ARGUMENT', 'params');
    throwsCode(() => pkg.almaBatch(p, revoked()), 'INVALID_ARGUMENT', 'range');
    throwsCode(() => pkg.almaBatch(p, { period: revoked() }), 'INVALID_ARGUMENT', 'range.period');
    throwsCode(() => pkg.almaBatchInto(p, { period: [1, 3, 1] }, revoked()), 'INVALID_ARGUMENT', 'out');
    // A value whose valueOf throws is not a number: rejected without calling it.
    throwsCode(() => pkg.alma(p, { period: { valueOf() { throw new Error('never called'); } } }), 'INVALID_ARGUMENT', 'params.period');
  });
  check('an option an export does not know (a typo) is INVALID_ARGUMENT naming it, never the default silently', () => {
    const p = walk(50, 2);
    const range = { period: [3, 5, 1] };
    const offsets = [0, 20, 50];
    throwsCode(() => pkg.alma(p, { perid: 20 }), 'INVALID_ARGUMENT', 'params', '"perid"', '`period`', '`kernel`');
    throwsCode(() => pkg.alma(p, { period: 5, Offset: 0.5 }), 'INVALID_ARGUMENT', '"Offset"');
    throwsCode(() => pkg.almaBatch(p, { ...range, ofset: [0.1, 0.2, 0.1] }), 'INVALID_ARGUMENT', 'range', '"ofset"', '`offset`');
    throwsCode(() => pkg.almaBatchInto(p, { ...range, kernal: 'fft' }, new Float64Array(150)), 'INVALID_ARGUMENT', '"kernal"');
    throwsCode(() => pkg.almaBatchLongAbove(p, { ...range, sigmaa: [6, 6, 0] }), 'INVALID_ARGUMENT', '"sigmaa"');
    throwsCode(() => pkg.almaBatchMany(p, offsets, { ...range, perod: 1 }), 'INVALID_ARGUMENT', '"perod"');
    throwsCode(() => pkg.almaBatchManyInto(p, offsets, { ...range, x: 1 }, new Float64Array(150)), 'INVALID_ARGUMENT', '"x"');
    throwsCode(() => pkg.almaBatchManyLongAbove(p, offsets, { ...range, x: 1 }), 'INVALID_ARGUMENT', '"x"');
    // EMA has a period only: ALMA's options are unknown to it.
    throwsCode(() => pkg.ema(p, { period: 5, offset: 0.85 }), 'INVALID_ARGUMENT', '"offset"', '`period`');
    throwsCode(() => pkg.emaBatch(p, { ...range, kernel: 'simd' }), 'INVALID_ARGUMENT', '"kernel"');
    throwsCode(() => pkg.emaBatchInto(p, { ...range, x: 1 }, new Float64Array(150)), 'INVALID_ARGUMENT', '"x"');
    throwsCode(() => pkg.emaBatchMany(p, offsets, { ...range, x: 1 }), 'INVALID_ARGUMENT', '"x"');
    throwsCode(() => pkg.emaBatchManyInto(p, offsets, { ...range, x: 1 }, new Float64Array(150)), 'INVALID_ARGUMENT', '"x"');
    // A key whose value is undefined is still a typo; an ownKeys trap that throws is quoted.
    throwsCode(() => pkg.alma(p, { period: 5, perid: undefined }), 'INVALID_ARGUMENT', '"perid"');
    throwsCode(() => pkg.alma(p, new Proxy({}, { ownKeys() { throw new Error('boom-keys'); } })), 'INVALID_ARGUMENT', 'params', 'boom-keys');
    // What is not an own enumerable string key is not looked at: options on a
    // prototype (a class instance's getters), symbols, non-enumerable properties.
    class Params { get period() { return 5; } }
    const tagged = Object.defineProperty({ period: 5, [Symbol('tag')]: 1 }, 'note', { value: 'x', enumerable: false });
    ok(same(pkg.alma(p, new Params()), pkg.alma(p, { period: 5 })), 'a class instance with a period getter');
    ok(same(pkg.alma(p, tagged), pkg.alma(p, { period: 5 })), 'symbol and non-enumerable keys are ignored');
  });
  check('almaBatchMany / almaBatchManyInto: every row equals almaBatch of its series bit for bit; offsets types', () => {
    const a = walk(700, 21), b = walk(333, 22), c = walk(1200, 23);
    b[100] = NaN; c[0] = NaN; c[1] = NaN;
    const values = new Float64Array(a.length + b.length + c.length);
    values.set(a); values.set(b, a.length); values.set(c, a.length + b.length);
    const offsets = [0, a.length, a.length + b.length, values.length];
    const range = { period: [5, 60, 11], offset: [0.6, 0.9, 0.3], sigma: [6, 6, 0], floor: true };
    const r = pkg.almaBatchMany(values, offsets, range);
    ok(r.series === 3 && r.rows === 12 && r.values.length === 12 * values.length, `shape series=${r.series} rows=${r.rows}`);
    ok(r.offsets.length === 4 && r.offsets.every((o, i) => o === offsets[i]), 'offsets echoed');
    [a, b, c].forEach((s, k) => {
      const one = pkg.almaBatch(s, range);
      const mine = r.values.subarray(r.rows * offsets[k], r.rows * offsets[k + 1]);
      ok(same(mine, one.values), `series ${k}: rows differ from almaBatch`);
      one.combos.forEach((co, i) => ok(co.period === r.combos[i].period && co.offset === r.combos[i].offset, `combo ${i}`));
    });
    for (const offs of [Uint32Array.from(offsets), Float64Array.from(offsets)]) {
      const out = new Float64Array(r.values.length);
      const shape = pkg.almaBatchManyInto(Array.from(values), offs, range, out);
      ok(shape.values === undefined && shape.series === 3 && same(out, r.values), `almaBatchManyInto with ${offs.constructor.name} offsets`);
    }
    const single = pkg.almaBatchMany(a, [0, a.length], range);
    ok(same(single.values, pkg.almaBatch(a, range).values), 'one series == almaBatch');
  });
  check('many-series errors: layout, offsets types, the rejected series named by index', () => {
    const v = walk(100, 5);
    const range = { period: [3, 30, 3] };
    throwsCode(() => pkg.almaBatchMany(v, [1, 100], range), 'INVALID_SERIES_LAYOUT', 'offsets[0]');
    throwsCode(() => pkg.almaBatchMany(v, [0, 60, 40, 100], range), 'INVALID_SERIES_LAYOUT', 'less than');
    throwsCode(() => pkg.almaBatchMany(v, [0, 99], range), 'INVALID_SERIES_LAYOUT', '100');
    throwsCode(() => pkg.almaBatchMany(v, [], range), 'INVALID_SERIES_LAYOUT', 'empty');
    throwsCode(() => pkg.almaBatchMany(v, new Int32Array([0, 100]), range), 'INVALID_ARGUMENT', 'offsets', 'Int32Array');
    throwsCode(() => pkg.almaBatchMany(v, '0,100', range), 'INVALID_ARGUMENT', 'offsets', 'string');
    throwsCode(() => pkg.almaBatchMany(v, [0, 50.5, 100], range), 'INVALID_ARGUMENT', 'offsets[1]');
    throwsCode(() => pkg.almaBatchMany(v, [0, -1, 100], range), 'INVALID_ARGUMENT', 'offsets[1]');
    throwsCode(() => pkg.almaBatchMany('123', [0, 3], range), 'INVALID_ARGUMENT', 'values', 'string');
    let e = throwsCode(() => pkg.almaBatchMany(v, [0, 50, 70, 100], range), 'INVALID_PERIOD', 'series 1');
    ok(e.series === 1, `error.series is ${e.series}, not 1`);
    const nanMid = v.slice(); nanMid.fill(NaN, 50, 100);
    e = throwsCode(() => pkg.almaBatchMany(nanMid, [0, 50, 100], range), 'ALL_NAN', 'series 1');
    ok(e.series === 1, 'ALL_NAN names series 1');
    e = throwsCode(() => pkg.almaBatchMany(v, [0, 0, 100], range), 'EMPTY_INPUT', 'series 0');
    ok(e.series === 0, 'EMPTY_INPUT names series 0');
    throwsCode(() => pkg.almaBatchManyInto(v, [0, 100], range, new Float64Array(10)), 'OUTPUT_LENGTH_MISMATCH');
    throwsCode(() => pkg.almaBatchManyInto(v, [0, 100], range, new Float32Array(1000)), 'INVALID_ARGUMENT', 'out', 'Float32Array');
    const code = throwsCode(() => pkg.alma(v, { period: 0 }), 'INVALID_PERIOD');
    ok(code.series === undefined, 'one-series errors have no `series`');
  });
  check('the FFT path in wasm (periods >= 80 on 50k prices, Kernel::Auto) is within 1e-12 relative of a compensated direct sum; rows equal alma() bit for bit', () => {
    // A geometric walk: prices, one sign (README "ALMA by FFT": the 1e-12 relative
    // bound holds for one-signed series).
    const n = 50_000;
    const x = new Float64Array(n);
    let v = 100, s = 7;
    for (let i = 0; i < n; i++) { s = (s * 16807) % 2147483647; v *= Math.exp(0.02 * (s / 2147483647 - 0.5)); x[i] = v; }
    const grid = { period: [80, 258, 59], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
    const r = pkg.almaBatch(x, grid);
    ok(r.rows === 4, `rows ${r.rows}`);
    r.combos.forEach((c, i) => {
      const p = c.period;
      const m = c.offset * (p - 1), sd = p / c.sigma;
      const w = Float64Array.from({ length: p }, (_, k) => Math.exp(-((k - m) ** 2) / (2 * sd * sd)));
      const row = r.values.subarray(i * n, (i + 1) * n);
      for (let t = 0; t < p - 1; t++) ok(Number.isNaN(row[t]), `period ${p}: warm-up t=${t} is ${row[t]}`);
      // Neumaier-compensated sums of w*x and w, every 7th output.
      for (let t = p - 1; t < n; t += 7) {
        let num = 0, cn = 0, den = 0, cd = 0;
        for (let k = 0; k < p; k++) {
          const a = w[k] * x[t - p + 1 + k];
          const tn = num + a; cn += Math.abs(num) >= Math.abs(a) ? (num - tn) + a : (a - tn) + num; num = tn;
          const td = den + w[k]; cd += Math.abs(den) >= Math.abs(w[k]) ? (den - td) + w[k] : (w[k] - td) + den; den = td;
        }
        const exact = (num + cn) / (den + cd);
        ok(Math.abs(row[t] - exact) <= 1e-12 * Math.abs(exact), `period ${p} t=${t}: ${row[t]} vs ${exact}`);
      }
      ok(same(row, pkg.alma(x, { period: p, offset: c.offset, sigma: c.sigma })), `period ${p}: the batch row equals alma() bit for bit`);
    });
  });
  check("kernel option: 'scalar', 'simd', 'fft' agree within 1e-12 relative, 'auto' is the default's bits, bad names are INVALID_ARGUMENT", () => {
    const x = walk(20_000, 21).map((v) => v + 200); // prices: one sign
    const grid = { period: [60, 200, 35], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
    const auto = pkg.almaBatch(x, grid).values;
    ok(same(pkg.almaBatch(x, { ...grid, kernel: 'auto' }).values, auto), "kernel 'auto' = no kernel");
    const scalar = pkg.almaBatch(x, { ...grid, kernel: 'scalar' }).values;
    for (const k of ['simd', 'fft']) {
      const v = pkg.almaBatch(x, { ...grid, kernel: k }).values;
      for (let i = 0; i < v.length; i++) {
        if (Number.isNaN(scalar[i])) ok(Number.isNaN(v[i]), `${k} [${i}]: NaN expected`);
        else ok(Math.abs(v[i] - scalar[i]) <= 1e-12 * Math.abs(scalar[i]), `${k} [${i}]: ${v[i]} vs scalar ${scalar[i]}`);
      }
    }
    // The many-series form and the single alma take it too.
    const m = pkg.almaBatchMany(x, [0, 10_000, 20_000], { ...grid, kernel: 'fft' });
    ok(same(m.values.subarray(0, m.rows * 10_000), pkg.almaBatch(x.subarray(0, 10_000), { ...grid, kernel: 'fft' }).values), 'almaBatchMany with kernel fft = almaBatch per series');
    ok(same(pkg.alma(x, { period: 95, kernel: 'scalar' }), scalar.subarray(x.length, 2 * x.length)), "alma with kernel 'scalar' = the scalar batch's period-95 row");
    ok(same(pkg.alma(x, { period: 95, kernel: 'fft' }), pkg.almaBatch(x, { ...grid, kernel: 'fft' }).values.subarray(x.length, 2 * x.length)), "alma with kernel 'fft' = the batch row");
    const bad = (k, ...m) => throwsCode(() => pkg.almaBatch(x, { ...grid, kernel: k }), 'INVALID_ARGUMENT', 'range.kernel', ...m);
    bad('avx9', "'fft'");
    bad(5, 'number');
    bad('FFT');
    throwsCode(() => pkg.alma(x, { kernel: 'simd128' }), 'INVALID_ARGUMENT', 'params.kernel', 'simd128');
    ok(same(pkg.alma(x, { kernel: null }), pkg.alma(x)), 'kernel null = default (as every optional field)');
  });
  check("'auto' follows the crossover measured in wasm (fft.rs): a row is FFT's bits from the crossover, the direct kernel's below it", () => {
    // [series length, shortest FFT period, longest direct period] from the wasm
    // table in indicators/src/kernels/fft.rs (lower than natively: simd128 is 2 lanes).
    for (const [n, fftFrom, directBelow] of [[5000, 64, 63], [2520, 128, 127], [1500, 192, 191]]) {
      const x = walk(n, 31).map((v) => v + 100);
      for (const [p, kernel] of [[fftFrom, 'fft'], [directBelow, 'simd']]) {
        const auto = pkg.almaBatch(x, { period: [p, p, 0] }).values;
        ok(same(auto, pkg.almaBatch(x, { period: [p, p, 0], kernel }).values), `${n} points, period ${p}: 'auto' should give ${kernel}'s bits`);
      }
    }
  });
  check('no leak: 30 failing calls on 1e6 points leave wasm memory and the Rust heap flat', () => {
    const n = 1_000_000;
    const p = walk(n, 9);
    const nan = new Float64Array(n).fill(NaN);
    const arr = Array.from(p.subarray(0, 200_000));
    arr[199_999] = 'not a number';
    const getter = Array.from(p.subarray(0, 200_000));
    Object.defineProperty(getter, 150_000, { get() { throw new Error('boom'); } });
    const one = { period: [9, 9, 0] };
    const failing = [
      () => pkg.almaBatchInto(p, one, null),
      () => pkg.almaBatchInto(p, one, new Array(n).fill(0)),
      () => pkg.almaBatchInto(p, one, new Float64Array(n - 1)),
      () => pkg.almaBatch(p, { get period() { throw new Error('boom'); } }),
      () => pkg.alma(p, { period: 9, offset: 2 }),
      () => pkg.alma(p, { period: n + 1 }),
      () => pkg.almaBatch(p, { period: [9, 9, 0], sigma: [0, 0, 0] }),
      () => pkg.almaBatchInto(p, { period: [9, 9, 0], offset: [2, 2, 0] }, new Float64Array(n)),
      () => pkg.alma(nan),
      () => pkg.alma(arr),
      () => pkg.alma(getter),
      () => pkg.almaBatchMany(p, [0, 500_000, n + 1], one),
      () => pkg.almaBatchMany(p, [0, 5, n], one),
      () => pkg.almaBatchManyInto(p, [0, 500_000, n], one, new Float64Array(n - 1)),
    ];
    // One good call and one round of the failing ones first: the memory may
    // grow to its high-water mark once; a leak grows it on every call.
    pkg.alma(p);
    pkg.almaBatchInto(p, one, new Float64Array(n));
    for (const f of failing) try { f(); } catch { /* checked below */ }
    const before = memoryLevel(pkg);
    for (let i = 0; i < 30; i++) {
      const f = failing[i % failing.length];
      try { f(); throw new CheckError(`failing call ${i % failing.length} did not throw`); } catch (e) {
        if (e instanceof CheckError) throw e;
        ok(typeof e.code === 'string', `failing call ${i % failing.length} threw without a code: ${e}`);
      }
    }
    const after = memoryLevel(pkg);
    ok(after.memory === before.memory, `wasm memory grew ${before.memory} -> ${after.memory} bytes`);
    ok(after.heap === before.heap, `Rust heap ${before.heap} -> ${after.heap} bytes in use`);
  });
  check('almaBatchLongAbove: per row, the rule and the checksum computed here from almaBatch\'s rows, bit for bit; same errors; no rows-sized memory', () => {
    const x = walk(30_000, 41).map((v) => v + 100);
    x[12_345] = NaN;
    const grid = { period: [5, 200, 15], offset: [0.1, 0.9, 0.4], sigma: [4, 8, 4] };
    const full = pkg.almaBatch(x, grid);
    const r = pkg.almaBatchLongAbove(x, grid);
    ok(r.rows === full.rows && r.cols === full.cols && JSON.stringify(r.combos) === JSON.stringify(full.combos), `shape ${r.rows}x${r.cols}`);
    for (const key of ['totalReturn', 'timeInMarket', 'rowSum', 'nanCount']) ok(r[key] instanceof Float64Array && r[key].length === r.rows, key);
    for (let row = 0; row < full.rows; row++) {
      // rules.rs's fixed order (four accumulators), as demo/stats.js computes it.
      const rule = ruleReturn(x, full.values, row, full.cols);
      const sum = rowSum(full.values.subarray(row * full.cols, (row + 1) * full.cols));
      ok(Object.is(r.totalReturn[row], rule.ret) && Object.is(r.timeInMarket[row], rule.held), `row ${row}: rule`);
      ok(Object.is(r.rowSum[row], sum.sum) && r.nanCount[row] === sum.nanCount, `row ${row}: checksum`);
    }
    throwsCode(() => pkg.almaBatchLongAbove(x, { period: [5, 40_000, 5] }), 'INVALID_PERIOD');
    throwsCode(() => pkg.almaBatchLongAbove(x, { period: [5, 9, 1], offset: [0.5, 2, 1] }), 'INVALID_OFFSET');
    throwsCode(() => pkg.almaBatchLongAbove('x', grid), 'INVALID_ARGUMENT');
    // 300 rows x 1M points (2.4 GB as almaBatch) runs in a few MiB: no OUTPUT_TOO_LARGE.
    const long = pkg.almaBatchLongAbove(walk(1e6, 42).map((v) => v + 100), { period: [9, 9, 0], offset: [0.5, 0.8, 0.001] });
    ok(long.rows === 301 && long.totalReturn.every(Number.isFinite), `${long.rows} rows`);
    if (single) {
      const y = single.almaBatchLongAbove(x, grid);
      ok(['totalReturn', 'timeInMarket', 'rowSum', 'nanCount'].every((k) => same(r[k], y[k])), 'pool = single-threaded build');
    }
  });
  check('almaBatchLongAbove over a series with gaps: a missing close earns nothing (the return stays a number); a period no window of which completes gives NaN figures', () => {
    // A NaN every 5 samples: windows of up to 4 complete, of 5 and more never.
    const x = walk(2_000, 43).map((v, i) => (i % 5 === 4 ? NaN : v + 100));
    const grid = { period: [2, 7, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
    const full = pkg.almaBatch(x, grid);
    const r = pkg.almaBatchLongAbove(x, grid);
    for (let row = 0; row < full.rows; row++) {
      const rule = ruleReturn(x, full.values, row, full.cols);
      ok(Object.is(r.totalReturn[row], rule.ret) && Object.is(r.timeInMarket[row], rule.held), `row ${row}: rule`);
      const complete = full.combos[row].period <= 4;
      ok(complete ? Number.isFinite(r.totalReturn[row]) && r.timeInMarket[row] > 0 : Number.isNaN(r.totalReturn[row]) && Number.isNaN(r.timeInMarket[row]),
        `period ${full.combos[row].period}: ${r.totalReturn[row]} / ${r.timeInMarket[row]}`);
    }
  });
  check('almaBatchManyLongAbove: per (series, combination), almaBatchLongAbove\'s figures for that series alone, bit for bit, series-major; errors name the series', () => {
    const lengths = [3000, 17, 800, 2520, 40];
    const universe = lengths.map((n, k) => walk(n, 60 + k).map((v) => v + 100 + k));
    universe[2][100] = NaN;
    const values = new Float64Array(lengths.reduce((a, n) => a + n, 0));
    const offsets = [0];
    for (const u of universe) { values.set(u, offsets[offsets.length - 1]); offsets.push(offsets[offsets.length - 1] + u.length); }
    const grid = { period: [3, 15, 4], offset: [0.5, 0.9, 0.4], sigma: [6, 6, 0] };
    const r = pkg.almaBatchManyLongAbove(values, Uint32Array.from(offsets), grid);
    ok(r.series === lengths.length && r.rows === 8 && JSON.stringify(r.offsets) === JSON.stringify(offsets), `shape ${r.series}x${r.rows}`);
    const keys = ['totalReturn', 'timeInMarket', 'rowSum', 'nanCount'];
    for (const key of keys) ok(r[key] instanceof Float64Array && r[key].length === r.series * r.rows, key);
    universe.forEach((u, s) => {
      const alone = pkg.almaBatchLongAbove(u, grid);
      ok(JSON.stringify(alone.combos) === JSON.stringify(r.combos), 'combos');
      for (const key of keys) ok(same(r[key].subarray(s * r.rows, (s + 1) * r.rows), alone[key]), `series ${s} ${key}`);
    });
    const e = throwsCode(() => pkg.almaBatchManyLongAbove(values, offsets, { period: [3, 20, 1] }), 'INVALID_PERIOD', 'series 1');
    ok(e.series === 1, `error.series ${e.series}`);
    throwsCode(() => pkg.almaBatchManyLongAbove(values, [0, 5], grid), 'INVALID_SERIES_LAYOUT');
    throwsCode(() => pkg.almaBatchManyLongAbove(values, 'x', grid), 'INVALID_ARGUMENT');
    // A universe whose rows (1000 series x 40 combinations x 2520 bars = 806 MB) are over
    // almaBatchMany's 512 MiB limit: reduced, a few MiB at once.
    const prices = walk(2520 * 1000, 43).map((v) => v + 1e4);
    const starts = Array.from({ length: 1001 }, (_, i) => i * 2520);
    const narrow = { period: [9, 9, 0], offset: [0.5, 0.539, 0.001] };
    throwsCode(() => pkg.almaBatchMany(prices, starts, narrow), 'OUTPUT_TOO_LARGE');
    const wide = pkg.almaBatchManyLongAbove(prices, starts, narrow);
    ok(wide.series === 1000 && wide.rows === 40 && wide.totalReturn.length === 40_000 && wide.totalReturn.every(Number.isFinite), `${wide.series}x${wide.rows}`);
    if (single) {
      const y = single.almaBatchManyLongAbove(values, offsets, grid);
      ok(keys.every((k) => same(r[k], y[k])), 'pool = single-threaded build');
    }
  });
  check('inputs too big for wasm memory: INPUT_TOO_LARGE / OUTPUT_TOO_LARGE naming sizes, then a good call works', () => {
    const huge = []; huge.length = 2 ** 30; // sparse: costs nothing in JavaScript
    throwsCode(() => pkg.alma(huge), 'INPUT_TOO_LARGE', '1073741824 samples', 'chunks');
    throwsCode(() => pkg.almaBatch(huge, { period: [9, 9, 0] }), 'INPUT_TOO_LARGE');
    throwsCode(() => pkg.almaBatch(walk(1e6, 3), { period: [1, 300, 1] }), 'OUTPUT_TOO_LARGE', 'MiB');
    const c = fx.cases[0];
    close(pkg.alma(Float64Array.from(fx.series[c.series].map(dec)), { period: c.period, offset: c.offset, sigma: c.sigma, floor: c.floor }), c.expected, 'after the errors');
  });
  if (emaFx) {
    for (const c of emaFx.cases) {
      check(`ema ${c.series} period=${c.period}`, () => {
        const prices = Float64Array.from(fx.series[c.series].map(dec));
        close(pkg.ema(prices, { period: c.period }), c.expected, c.series);
      });
    }
    check('emaBatch and emaBatchInto match the reference row by row; ema errors are coded', () => {
      const b = emaFx.batch;
      const prices = Float64Array.from(fx.series.walk.slice(0, b.series_len));
      const r = pkg.emaBatch(prices, b.range);
      ok(r.rows === b.values.length && r.cols === b.series_len, `shape ${r.rows}x${r.cols}`);
      b.values.forEach((row, i) => close(r.values.subarray(i * r.cols, (i + 1) * r.cols), row, `row ${i}`));
      const out = new Float64Array(r.values.length);
      const shape = pkg.emaBatchInto(prices, b.range, out);
      ok(shape.rows === r.rows && same(out, r.values), 'emaBatchInto equals emaBatch');
      throwsCode(() => pkg.ema('123', { period: 2 }), 'INVALID_ARGUMENT', 'prices', 'string');
      throwsCode(() => pkg.ema(prices, { period: 0 }), 'INVALID_PERIOD');
      throwsCode(() => pkg.emaBatch(prices, { period: [5, 3, 1] }), 'INVALID_RANGE');
      throwsCode(() => pkg.emaBatchInto(prices, b.range, new Float32Array(out.length)), 'INVALID_ARGUMENT', 'out', 'Float32Array');
      throwsCode(() => pkg.emaBatch(Object.assign([], { length: 2 ** 30 }), { period: [3, 4, 1] }), 'INPUT_TOO_LARGE');
    });
    check('emaBatchMany / emaBatchManyInto: every row equals emaBatch of its series bit for bit', () => {
      const a = walk(400, 31), b = walk(90, 32);
      a[200] = NaN;
      const values = new Float64Array(490);
      values.set(a); values.set(b, 400);
      const range = { period: [2, 40, 2] };
      const r = pkg.emaBatchMany(values, [0, 400, 490], range);
      ok(r.series === 2 && r.rows === 20, `shape series=${r.series} rows=${r.rows}`);
      ok(same(r.values.subarray(0, 20 * 400), pkg.emaBatch(a, range).values), 'series 0');
      ok(same(r.values.subarray(20 * 400), pkg.emaBatch(b, range).values), 'series 1');
      const out = new Float64Array(r.values.length);
      pkg.emaBatchManyInto(values, new Uint32Array([0, 400, 490]), range, out);
      ok(same(out, r.values), 'emaBatchManyInto equals emaBatchMany');
      const e = throwsCode(() => pkg.emaBatchMany(values, [0, 470, 490], range), 'INVALID_PERIOD', 'series 1');
      ok(e.series === 1, 'names series 1');
      throwsCode(() => pkg.emaBatchMany(values, [0, 500], range), 'INVALID_SERIES_LAYOUT');
    });
  }
  check('WasmFloat64Buffer as out: every ...Into export computes into it in place, bit for bit the copying path, over stale values', () => {
    const B = pkg.WasmFloat64Buffer;
    const a = walk(3000, 51), b = walk(1700, 52);
    a[10] = NaN; b[0] = NaN; b[900] = Infinity;
    const values = new Float64Array(a.length + b.length);
    values.set(a); values.set(b, a.length);
    const offsets = [0, a.length, values.length];
    const almaRange = { period: [3, 120, 13], offset: [0.5, 0.9, 0.4], sigma: [4, 6, 2], floor: true };
    const emaRange = { period: [2, 50, 4] };
    const rows = pkg.almaBatch(a, almaRange).rows; // 10 periods x 2 offsets x 2 sigmas
    ok(rows === 40, `${rows} ALMA rows`);
    const cases = [
      ['almaBatchInto', (out) => pkg.almaBatchInto(a, almaRange, out), rows * a.length],
      ['almaBatchInto (FFT)', (out) => pkg.almaBatchInto(a, { ...almaRange, kernel: 'fft' }, out), rows * a.length],
      ['almaBatchManyInto', (out) => pkg.almaBatchManyInto(values, offsets, almaRange, out), rows * values.length],
      ['emaBatchInto', (out) => pkg.emaBatchInto(b, emaRange, out), 13 * b.length],
      ['emaBatchManyInto', (out) => pkg.emaBatchManyInto(values, offsets, emaRange, out), 13 * values.length],
    ];
    for (const [name, call, n] of cases) {
      const copied = new Float64Array(n);
      const shape = call(copied);
      const buf = new B(n);
      try {
        ok(buf.length === n, `${name}: length ${buf.length}`);
        const fresh = buf.view();
        ok(fresh instanceof Float64Array && fresh.length === n && fresh.every((v) => v === 0), `${name}: a new buffer is ${n} zeros`);
        ok(fresh.buffer === pkg.wasmMemory.buffer, `${name}: the view is of the module's memory`);
        // Stale values everywhere, NaN payloads included: the call must write every value.
        const stale = new Float64Array(n).map((_, k) => (k % 3 ? 12345.678 + k : NaN));
        buf.view().set(stale);
        const inPlace = call(buf.view());
        ok(JSON.stringify(inPlace) === JSON.stringify(shape), `${name}: same result object as the copying call`);
        ok(same(buf.view(), copied), `${name}: values differ from the copying call`);
        // A subarray of the view is copied into (same values), the rest untouched.
        const wide = new B(n + 8);
        try {
          wide.view().fill(7);
          call(wide.view().subarray(4, 4 + n));
          const w = wide.view();
          ok(same(w.subarray(4, 4 + n), copied) && w.subarray(0, 4).every((v) => v === 7) && w.subarray(4 + n).every((v) => v === 7),
            `${name}: a subarray of a live buffer's view gets the values, its neighbours stay`);
          throwsCode(() => call(wide.view()), 'OUTPUT_LENGTH_MISMATCH');
        } finally { wide.free(); }
      } finally { buf.free(); }
    }
  });
  check('WasmFloat64Buffer: bad lengths and foreign views of wasm memory are coded errors; buffers and in-place calls leak nothing', () => {
    const B = pkg.WasmFloat64Buffer;
    for (const bad of [0, -1, 1.5, NaN, Infinity, '8', 8n, null, undefined, {}, [8]]) {
      let e;
      try { new B(bad).free(); } catch (err) { e = err; }
      ok(e && e.code === 'INVALID_ARGUMENT' && /length/.test(e.message), `new WasmFloat64Buffer(${String(bad)}): ${e?.code} ${e?.message}`);
    }
    throwsCode(() => new B(2 ** 40), 'OUTPUT_TOO_LARGE', 'WasmFloat64Buffer', 'MiB');
    const p = walk(2000, 61);
    const range = { period: [5, 24, 1] };
    const n = 20 * p.length;
    // A view of the module's memory that no live buffer holds: a freed buffer's, and one made by hand.
    const gone = new B(n);
    const dangling = gone.view();
    gone.free();
    const before = memoryLevel(pkg);
    if (dangling.length === n) {
      throwsCode(() => pkg.almaBatchInto(p, range, dangling), 'INVALID_ARGUMENT', 'out', 'WasmFloat64Buffer');
    }
    const byHand = new Float64Array(pkg.wasmMemory.buffer, 8, n);
    throwsCode(() => pkg.emaBatchInto(p, range, byHand), 'INVALID_ARGUMENT', 'out', 'WasmFloat64Buffer');
    // 20 buffers made, used in place, failed in place, freed: the heap returns to its level.
    for (let i = 0; i < 20; i++) {
      const buf = new B(n);
      pkg.almaBatchInto(p, range, buf.view());
      throwsCode(() => pkg.almaBatchInto(p, { period: [5, 24, 1], sigma: [0, 0, 0] }, buf.view()), 'INVALID_SIGMA');
      throwsCode(() => pkg.emaBatchInto(p, { period: [0, 19, 1] }, buf.view()), 'INVALID_PERIOD');
      pkg.emaBatchInto(p, range, buf.view());
      buf.free();
    }
    const after = memoryLevel(pkg);
    ok(after.heap === before.heap, `Rust heap ${before.heap} -> ${after.heap} bytes in use`);
    // After a failed in-place call the buffer is still usable in place.
    const buf = new B(n);
    try {
      try { pkg.almaBatchInto(p, { period: [5, 24, 1], offset: [2, 2, 0] }, buf.view()); } catch { /* INVALID_OFFSET */ }
      pkg.almaBatchInto(p, range, buf.view());
      ok(same(buf.view(), pkg.almaBatch(p, range).values), 'in place after a failed in-place call');
    } finally { buf.free(); }
  });
  check('views of a WasmFloat64Buffer as prices or out survive the call growing the memory (single build: growth detaches them); foreign views refused', () => {
    // 2M samples: the call's own input copy and output grow the memory, which in the
    // single-threaded build detaches every view of it taken before the call.
    const n = 2_000_000;
    const p = walk(n, 71);
    const want = pkg.alma(p, { period: 9 });
    const buf = new pkg.WasmFloat64Buffer(2 * n);
    try {
      pkg.almaBatchInto(p, { period: [9, 9, 0] }, buf.view().subarray(0, n));
      ok(same(buf.view().subarray(0, n), want), 'almaBatchInto into a subarray of a view');
      buf.view().set(p);
      const got = pkg.alma(buf.view().subarray(0, n), { period: 9 });
      ok(same(got, want), 'alma of a view taken just before the call');
      const ema = pkg.ema(buf.view().subarray(0, n), { period: 9 });
      ok(same(ema, pkg.ema(p, { period: 9 })), 'ema of a view taken just before the call');
    } finally { buf.free(); }
    const gone = new pkg.WasmFloat64Buffer(1000);
    const dangling = gone.view();
    gone.free();
    if (dangling.length === 1000) throwsCode(() => pkg.alma(dangling, { period: 9 }), 'INVALID_ARGUMENT', 'prices', 'WasmFloat64Buffer');
    throwsCode(() => pkg.alma(new Float64Array(pkg.wasmMemory.buffer, 8, 100), { period: 9 }), 'INVALID_ARGUMENT', 'prices', 'own wasm memory');
  });
  check('a typed array is read by its real length: an own `length` property or a Proxy cannot make it claim more', () => {
    const p = walk(200, 73);
    const lying = Float64Array.from(p);
    Object.defineProperty(lying, 'length', { value: 1000 });
    ok(same(pkg.alma(lying, { period: 9 }), pkg.alma(p, { period: 9 })), 'alma over its 200 real samples');
    const out = new Float64Array(2 * 200);
    Object.defineProperty(out, 'length', { value: 3 * 200 });
    pkg.almaBatchInto(p, { period: [9, 10, 1] }, out);
    ok(same(new Float64Array(out.buffer), pkg.almaBatch(p, { period: [9, 10, 1] }).values), 'out by its real length');
    throwsCode(() => pkg.alma(new Proxy(p, {}), { period: 9 }), 'INVALID_ARGUMENT', 'prices', 'Proxy');
    const offsets = Uint32Array.from([0, 100, 200]);
    Object.defineProperty(offsets, 'length', { value: 2 });
    ok(pkg.almaBatchMany(p, offsets, { period: [9, 9, 0] }).series === 2, 'offsets by their real length');
  });
  check('grids the batch refuses are refused before any memory is reserved for them, with the batch\'s code, at once', () => {
    const p = walk(1_000_000, 79);
    const before = memoryLevel(pkg);
    throwsCode(() => pkg.emaBatchInto(p, { period: [0, 59, 1] }, new Float64Array(60e6)), 'INVALID_PERIOD');
    throwsCode(() => pkg.almaBatchInto(p, { period: [5, 54, 1], sigma: [NaN, NaN, 0] }, new Float64Array(50e6)), 'INVALID_RANGE');
    throwsCode(() => pkg.almaBatchManyLongAbove(p, [0, 5e7, 1_000_000], { period: [9, 20, 1] }), 'INVALID_SERIES_LAYOUT');
    throwsCode(() => pkg.almaBatchManyLongAbove(p, [0, 2 ** 32 - 1, 1_000_000], { period: [9, 20, 1] }), 'INVALID_SERIES_LAYOUT');
    const e = throwsCode(() => pkg.almaBatchMany(p, [0, 999_990, 1_000_000], { period: [9, 20, 1] }), 'INVALID_PERIOD');
    ok(e.series === 1, `the short series named: ${e.series}`);
    const after = memoryLevel(pkg);
    ok(after.memory === before.memory, `memory grew ${before.memory} -> ${after.memory} for calls refused by their grid`);
    const short = walk(100, 83);
    for (const [call, range] of [['almaBatch', { period: [1, 1e6, 1] }], ['emaBatch', { period: [1, 1e6, 1] }], ['almaBatchLongAbove', { period: [1, 2 ** 32 - 1, 1] }]]) {
      const t0 = performance.now();
      throwsCode(() => pkg[call](short, range), 'INVALID_PERIOD', 'period');
      ok(performance.now() - t0 < 1000, `${call}: refused after ${performance.now() - t0} ms`);
    }
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
      const buf = new pkg.WasmFloat64Buffer(x.values.length);
      try {
        pkg.almaBatchInto(series, range, buf.view());
        ok(same(buf.view(), y.values), 'the same 160 combinations computed in place into a WasmFloat64Buffer on the pool');
      } finally { buf.free(); }
      const universe = walk(200 * 2520, 13);
      universe[777] = NaN;
      const offsets = Array.from({ length: 201 }, (_, i) => i * 2520);
      offsets[100] -= 1000; // two series of different lengths
      const grid = { period: [5, 100, 5] };
      const m = pkg.almaBatchMany(universe, offsets, grid);
      const m1 = single.almaBatchMany(universe, offsets, grid);
      ok(m.rows === 20 && same(m.values, m1.values), '200 series x 20 periods (many-series) equal the single-threaded build');
      ok(same(pkg.emaBatchMany(universe, offsets, grid).values, single.emaBatchMany(universe, offsets, grid).values), 'emaBatchMany equals the single-threaded build');
    });
    check("every kernel ('scalar', 'simd', 'fft') gives the same bits in both builds", () => {
      const x = walk(300_000, 22).map((v) => v + 500);
      const grid = { period: [9, 258, 41], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
      for (const kernel of ['scalar', 'simd', 'fft']) {
        ok(same(pkg.almaBatch(x, { ...grid, kernel }).values, single.almaBatch(x, { ...grid, kernel }).values), `kernel ${kernel}: pool = single build`);
      }
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
