// Fuzzes every export of rayon-web-indicators' JS API with random argument
// types and values, in Node, on both builds (single-threaded, and threaded on
// a pool of 2) called with the same arguments. After every call: it settled
// before its deadline; an error has a code from the documented list
// (IndicatorErrorCode in the generated .d.ts); the Rust heap is back to its
// level (the modules count their allocator: wasmHeapBytes); both builds agree
// (same code, or bitwise-equal results of the right shape); and a good call
// afterwards still gives the reference answer. FUZZ_SEED / FUZZ_RUNS: see support.mjs.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadIndicators, fixture } from '../indicators/node-load.mjs';
import {
  fc, fcParams, SEED, RUNS, settle, materialize, documentedCodes, assertDocumentedError, memoryLevel, assertMemoryFlat, sameBits, junk,
} from './support.mjs';

const CODES = documentedCodes(new URL('../../target/pkg/indicators-single/rayon_web_indicators.d.ts', import.meta.url), 'IndicatorErrorCode');
const fx = fixture();
const dec = (v) => (v === null ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const refCase = fx.cases.find((c) => c.series === 'walk' && c.period === 9 && !c.floor);
const refPrices = Float64Array.from(fx.series[refCase.series].map(dec));
// The case's parameters only: ALMA refuses keys it does not know (`series`, `expected`).
const refParams = { period: refCase.period, offset: refCase.offset, sigma: refCase.sigma, floor: refCase.floor };

// --- arbitraries ------------------------------------------------------------
const price = fc.oneof(
  { weight: 30, arbitrary: fc.double({ min: 50, max: 150, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e300, -1e300, 5e-324) },
);
const samples = fc.array(price, { maxLength: 300, size: 'max' });
const series = fc.oneof(
  { weight: 6, arbitrary: samples.map((a) => Float64Array.from(a)) },
  { weight: 2, arbitrary: samples.map((a) => new Float32Array(a)) },
  { weight: 2, arbitrary: samples },
  { weight: 1, arbitrary: fc.tuple(samples, fc.nat(), junk()).map(([a, i, j]) => { if (a.length) a[i % a.length] = j; return a; }) },
  { weight: 2, arbitrary: junk() },
);
const anyNumber = fc.oneof(fc.double(), fc.integer({ min: -3, max: 400 }), fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, -0));
// Now and then one key the export does not know (a typo, a field of a larger object): INVALID_ARGUMENT.
const strayKey = fc.oneof(
  { weight: 12, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('perid', 'Period', 'ofset', 'kernal', 'expected', 'series'), fc.anything()) },
);
const withStray = (record) => fc.tuple(record, strayKey).map(([r, k]) => (k === null ? r : { ...r, [k[0]]: k[1] }));
const maybe = (good) => fc.oneof({ weight: 16, arbitrary: good }, { weight: 1, arbitrary: anyNumber }, { weight: 1, arbitrary: junk() });
const params = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(undefined, null) },
  {
    weight: 8,
    arbitrary: withStray(fc.record({
      period: maybe(fc.integer({ min: 0, max: 40 })),
      offset: maybe(fc.double({ min: 0, max: 1, noNaN: true })),
      sigma: maybe(fc.double({ min: 0.1, max: 10, noNaN: true })),
      floor: maybe(fc.boolean()),
    }, { requiredKeys: [] })),
  },
  { weight: 1, arbitrary: junk() },
);
// Mostly well-formed [start, start + length, step]; sometimes inverted,
// the wrong length, or holding junk.
const triple = (start, length, step) => fc.oneof(
  { weight: 16, arbitrary: fc.tuple(start, length, step).map(([a, l, st]) => [a, a + l, st]) },
  { weight: 1, arbitrary: fc.tuple(start, start, step) },
  { weight: 1, arbitrary: fc.array(start, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.tuple(maybe(start), maybe(length), maybe(step)) },
  { weight: 1, arbitrary: junk() },
);
const range = fc.oneof(
  {
    weight: 10,
    arbitrary: withStray(fc.record({
      period: triple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 6 })),
      offset: triple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.constantFrom(0, 0, 0.1, 0.25, 1, -0.1, NaN, 1e-300)),
      sigma: triple(fc.double({ min: 0.1, max: 10, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), fc.constantFrom(0, 0, 1, 2.5, -1, NaN, 1e-300)),
      floor: maybe(fc.boolean()),
    }, { requiredKeys: ['period'] })),
  },
  { weight: 1, arbitrary: junk() },
);
const emaParams = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(undefined, null) },
  { weight: 8, arbitrary: withStray(fc.record({ period: maybe(fc.integer({ min: 0, max: 40 })) }, { requiredKeys: [] })) },
  { weight: 1, arbitrary: junk() },
);
const emaRange = fc.oneof(
  { weight: 10, arbitrary: withStray(fc.record({ period: triple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 6 })) })) },
  { weight: 1, arbitrary: junk() },
);
// `exact`: a Float64Array of the length almaBatch gives (when it succeeds);
// `buffer`: the view of a WasmFloat64Buffer of that length (computed in place);
// `freed`: the view of such a buffer already freed (a view of the module's own
// memory that no buffer holds: INVALID_ARGUMENT, never a write into freed memory).
const out = fc.oneof(
  { weight: 6, arbitrary: fc.constant('exact') },
  { weight: 3, arbitrary: fc.constant('buffer') },
  { weight: 1, arbitrary: fc.constant('freed') },
  { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((n) => new Float64Array(n)) },
  { weight: 1, arbitrary: fc.constantFrom(Float32Array, Int32Array, Array).map((T) => new T(10)) },
  { weight: 1, arbitrary: junk() },
);

// Many series: mostly a valid layout of random cut points (offsets as an Array,
// Uint32Array or Float64Array), sometimes any series with junk or arbitrary offsets.
const manyLayout = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(series, fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom('array', 'u32', 'f64')).map(([v, cuts, kind]) => {
      const n = typeof v?.length === 'number' && v.length <= 1e6 ? v.length : 0;
      const c = [0, ...cuts.map((x) => x % (n + 1)).sort((a, b) => a - b), n];
      return [v, kind === 'u32' ? Uint32Array.from(c) : kind === 'f64' ? Float64Array.from(c) : c];
    }),
  },
  { weight: 2, arbitrary: fc.tuple(series, fc.oneof(fc.array(fc.integer({ min: -2, max: 400 }), { maxLength: 5 }), junk())) },
);
const many = (grid) => fc.tuple(manyLayout, grid).map(([[v, o], r]) => [v, o, r]);
const manyInto = (grid) => fc.tuple(manyLayout, grid, out).map(([[v, o], r, x]) => [v, o, r, x]);

// --- the invariants -----------------------------------------------------------
// `out`: index of the output argument, sized (when `exact`) from `sizeFrom`'s result.
const EXPORTS = {
  alma: { args: fc.tuple(series, params), call: (pkg, [p, q]) => pkg.alma(p, q) },
  almaBatch: { args: fc.tuple(series, range), call: (pkg, [p, r]) => pkg.almaBatch(p, r) },
  almaBatchInto: {
    args: fc.tuple(series, range, out),
    call: (pkg, [p, r], out) => pkg.almaBatchInto(p, r, out),
    out: 2, sizeFrom: 'almaBatch',
  },
  ema: { args: fc.tuple(series, emaParams), call: (pkg, [p, q]) => pkg.ema(p, q) },
  emaBatch: { args: fc.tuple(series, emaRange), call: (pkg, [p, r]) => pkg.emaBatch(p, r) },
  emaBatchInto: { args: fc.tuple(series, emaRange, out), call: (pkg, [p, r], out) => pkg.emaBatchInto(p, r, out), out: 2, sizeFrom: 'emaBatch' },
  almaBatchMany: { args: many(range), call: (pkg, [v, o, r]) => pkg.almaBatchMany(v, o, r) },
  almaBatchManyInto: { args: manyInto(range), call: (pkg, [v, o, r], out) => pkg.almaBatchManyInto(v, o, r, out), out: 3, sizeFrom: 'almaBatchMany' },
  almaBatchLongAbove: { args: fc.tuple(series, range), call: (pkg, [p, r]) => pkg.almaBatchLongAbove(p, r) },
  almaBatchManyLongAbove: { args: many(range), call: (pkg, [v, o, r]) => pkg.almaBatchManyLongAbove(v, o, r) },
  emaBatchMany: { args: many(emaRange), call: (pkg, [v, o, r]) => pkg.emaBatchMany(v, o, r) },
  emaBatchManyInto: { args: manyInto(emaRange), call: (pkg, [v, o, r], out) => pkg.emaBatchManyInto(v, o, r, out), out: 3, sizeFrom: 'emaBatchMany' },
  // Made, viewed (a copy of the view is the result) and freed in one call.
  WasmFloat64Buffer: {
    args: fc.tuple(maybe(fc.integer({ min: 1, max: 5000 }))),
    call: (pkg, [n]) => { const b = new pkg.WasmFloat64Buffer(n); try { return b.view().slice(); } finally { b.free(); } },
  },
};

function checkShape(name, value, args, out) {
  const len = args[0].length;
  if (name === 'WasmFloat64Buffer') {
    assert.ok(value instanceof Float64Array && value.length === args[0] && value.every((v) => Object.is(v, 0)), 'a new buffer holds `length` zeros');
    return value;
  }
  if (name === 'alma' || name === 'ema') {
    assert.ok(value instanceof Float64Array && value.length === len, `${name} returns a Float64Array of prices.length`);
    return value;
  }
  if (name.endsWith('LongAbove')) {
    // One figure per (series, combination) in each array; compared between builds as one array.
    const keys = ['totalReturn', 'timeInMarket', 'rowSum', 'nanCount'];
    const count = name.includes('Many') ? Array.from(args[1]).length - 1 : 1;
    assert.ok(Number.isInteger(value.rows) && value.combos.length === value.rows, 'reduced batch shape');
    if (name.includes('Many')) assert.equal(value.series, count, 'series count');
    else assert.equal(value.cols, len, 'cols');
    assert.ok(keys.every((k) => value[k] instanceof Float64Array && value[k].length === count * value.rows), 'one value per (series, combination)');
    assert.ok(value.nanCount.every((n) => Number.isInteger(n) && n >= 0), 'NaN counts are counts');
    const all = new Float64Array(4 * count * value.rows);
    keys.forEach((k, i) => all.set(value[k], i * count * value.rows));
    return all;
  }
  if (name.includes('Many')) {
    const offsets = Array.from(args[1]);
    assert.ok(Number.isInteger(value.rows) && value.combos.length === value.rows, 'many-series shape');
    assert.ok(value.series === offsets.length - 1 && value.offsets.every((o, i) => o === offsets[i]), 'series count and offsets echoed');
    if (!name.endsWith('Into')) {
      assert.ok(value.values instanceof Float64Array && value.values.length === value.rows * len, 'values length');
      return value.values;
    }
    assert.equal(value.values, undefined, 'the Into form returns no values');
    return out;
  }
  assert.ok(Number.isInteger(value.rows) && value.cols === len && value.combos.length === value.rows, 'batch shape');
  if (name === 'almaBatch' || name === 'emaBatch') {
    assert.ok(value.values instanceof Float64Array && value.values.length === value.rows * value.cols, 'values length');
    return value.values;
  }
  return out;
}

const counts = {};
async function oneCall(name, pkgs, generated) {
  const args = materialize(generated);
  const outcomes = [];
  let inPlace = false;
  for (const pkg of pkgs) {
    // An `...Into`'s `exact` output: sized from the single build's allocating form.
    const spec = EXPORTS[name];
    let out = spec.out === undefined ? undefined : args[spec.out];
    const kind = out;
    if (kind === 'exact' || kind === 'buffer' || kind === 'freed') {
      out = new Float64Array(0);
      try { out = new Float64Array(pkgs[0][spec.sizeFrom](...args.slice(0, spec.out)).values.length); } catch { /* any length then */ }
    }
    const before = memoryLevel(pkg.wasmMemory, pkg.wasmHeapBytes);
    let buf = null;
    if ((kind === 'buffer' || kind === 'freed') && out.length > 0) {
      buf = new pkg.WasmFloat64Buffer(out.length);
      buf.view().fill(-1.5); // stale values: the call must write every one
      out = buf.view();
      if (kind === 'freed') { buf.free(); buf = null; }
    }
    const r = await settle(() => EXPORTS[name].call(pkg, args, out), 10_000);
    // What the call wrote, read through a view taken after it (the memory may have grown).
    const written = buf ? buf.view().slice() : out;
    if (buf) buf.free();
    inPlace = buf !== null;
    assertMemoryFlat(before, memoryLevel(pkg.wasmMemory, pkg.wasmHeapBytes), `${name} (${pkg.label})`);
    if (kind === 'freed' && out.length > 0) {
      assert.ok(!r.ok && r.error.code !== undefined, `${name} (${pkg.label}): a freed buffer's view as out must be refused`);
    }
    if (r.ok) {
      outcomes.push({ values: checkShape(name, r.value, args, written) });
    } else {
      assertDocumentedError(r.error, CODES, `${name} (${pkg.label})`);
      outcomes.push({ code: r.error.code });
    }
    const good = pkg.alma(refPrices, refParams);
    assert.ok(sameBits(good, pkgs[0].alma(refPrices, refParams)) && good.every((v, t) => (refCase.expected[t] === null ? Number.isNaN(v) : Math.abs(v - refCase.expected[t]) <= 1e-12 * Math.max(1, Math.abs(refCase.expected[t])))),
      `${name} (${pkg.label}): a good call afterwards gives the reference answer`);
  }
  const [a, b] = outcomes;
  assert.equal(a.code, b.code, `${name}: both builds end the same way`);
  if (a.values) assert.ok(sameBits(a.values, b.values), `${name}: both builds give the same bits`);
  const key = `${name}${inPlace ? ' (out: a WasmFloat64Buffer)' : ''}: ${a.code ?? 'ok'}`;
  counts[key] = (counts[key] ?? 0) + 1;
}

describe(`fuzz the indicators' JS API (seed ${SEED}, ${RUNS} runs per export, both builds)`, { timeout: 600_000 }, () => {
  let pkgs;
  before(async () => {
    const single = await loadIndicators('indicators-single');
    const threads = await loadIndicators('indicators-threads', 2);
    single.label = 'single-threaded build';
    threads.label = 'threaded build, pool of 2';
    // Warm both (first calls allocate lazily initialised state).
    for (const pkg of [single, threads]) { pkg.alma(refPrices); pkg.almaBatch(refPrices, { period: [3, 20, 1] }); }
    pkgs = [single, threads];
  });
  it('every computing export of the module is fuzzed here', () => {
    // Set-up, diagnostics and host plumbing take no user data to fuzz (initThreadPool and
    // prewarmThreadPool have their own fuzz suite: init-thread-pool.test.mjs).
    const plumbing = new Set(['default', 'initSync', 'initThreadPool', 'prewarmThreadPool', 'progressCounter', 'wasmHeapBytes', 'rayonWebHostDeclarations', 'rayonWebCrashRecord', 'rayonWebMemory', 'rayonWebCallRecord']);
    for (const pkg of pkgs) {
      const exported = Object.entries(pkg).filter(([k, v]) => typeof v === 'function' && !plumbing.has(k) && !k.startsWith('__')).map(([k]) => k);
      const missing = exported.filter((k) => !(k in EXPORTS));
      assert.deepEqual(missing, [], `${pkg.label}: exports without a fuzz entry`);
    }
  });
  for (const name of Object.keys(EXPORTS)) {
    it(`${name}: every call settles, throws only documented codes, frees its memory, both builds agree`, async (t) => {
      await fc.assert(fc.asyncProperty(EXPORTS[name].args, (args) => oneCall(name, pkgs, args)), fcParams());
      const mine = Object.entries(counts).filter(([k]) => k.startsWith(`${name}:`) || k.startsWith(`${name} (`));
      t.diagnostic(mine.map(([k, v]) => `${k} x${v}`).join(', '));
      assert.ok(mine.some(([k]) => k.endsWith(': ok')), `${name}: some random calls succeeded`);
      assert.ok(mine.some(([k]) => !k.endsWith(': ok')), `${name}: some random calls failed`);
      if (EXPORTS[name].out !== undefined) assert.ok(mine.some(([k]) => k.endsWith('WasmFloat64Buffer): ok')), `${name}: some calls computed in place`);
    });
  }
});
