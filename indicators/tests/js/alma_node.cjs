// Checks the wasm JS API against the mpmath fixture, in Node.
// Build a single-threaded nodejs package, then run:
//   RUSTFLAGS=-Ctarget-feature=+simd128 cargo build -p rayon-web-indicators --release \
//     --target wasm32-unknown-unknown -Z build-std=std,panic_abort
//   wasm-bindgen --target nodejs --out-dir /tmp/almapkg target/wasm32-unknown-unknown/release/rayon_web_indicators.wasm
//   node indicators/tests/js/alma_node.cjs /tmp/almapkg
const path = require('path');
const fs = require('fs');
const assert = require('assert');
const pkg = require(path.resolve(process.argv[2] || '/tmp/almapkg', 'rayon_web_indicators.js'));
const fx = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'alma_reference.json'), 'utf8'));
const dec = (v) => (v === null ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
let passed = 0, failed = 0;
function test(name, fn) {
  try { fn(); passed++; } catch (e) { failed++; console.log('FAIL', name, String(e)); }
}
function close(got, exp, label) {
  assert.strictEqual(got.length, exp.length, label + ' length');
  for (let t = 0; t < exp.length; t++) {
    if (exp[t] === null) assert.ok(Number.isNaN(got[t]), `${label} t=${t} expected NaN got ${got[t]}`);
    else assert.ok(Math.abs(got[t] - exp[t]) <= 1e-12 * Math.max(1, Math.abs(exp[t])), `${label} t=${t} ${got[t]} vs ${exp[t]}`);
  }
}
for (const c of fx.cases) {
  test(`alma ${c.series} ${c.period}`, () => {
    const prices = Float64Array.from(fx.series[c.series].map(dec));
    const out = pkg.alma(prices, { period: c.period, offset: c.offset, sigma: c.sigma, floor: c.floor });
    assert.ok(out instanceof Float64Array);
    close(out, c.expected, `${c.series} ${c.period}`);
  });
}
test('almaBatch', () => {
  const b = fx.batch;
  const prices = Float64Array.from(fx.series.walk.slice(0, b.series_len));
  const r = pkg.almaBatch(prices, b.range);
  assert.strictEqual(r.rows, b.combos.length);
  assert.strictEqual(r.cols, b.series_len);
  r.combos.forEach((c, i) => assert.deepStrictEqual(c, { period: b.combos[i].period, offset: b.combos[i].offset, sigma: b.combos[i].sigma }));
  b.values.forEach((row, i) => close(r.values.subarray(i * r.cols, (i + 1) * r.cols), row, 'row ' + i));
});
test('defaults', () => {
  const prices = Float64Array.from(fx.series.walk);
  close(pkg.alma(prices), fx.cases[0].expected, 'defaults');
  close(pkg.alma(prices, {}), fx.cases[0].expected, 'defaults {}');
});
function throwsCode(fn, code) {
  try { fn(); } catch (e) { assert.ok(e instanceof Error, 'is Error'); assert.strictEqual(e.code, code, e.message); assert.ok(e.message.length > 10); return; }
  assert.fail('did not throw ' + code);
}
const p = new Float64Array([1, 2, 3, 4, 5]);
test('errors', () => {
  throwsCode(() => pkg.alma(new Float64Array([]), {}), 'EMPTY_INPUT');
  throwsCode(() => pkg.alma(p, { period: 0 }), 'INVALID_PERIOD');
  throwsCode(() => pkg.alma(p, { period: 6 }), 'INVALID_PERIOD');
  throwsCode(() => pkg.alma(p, { period: '3' }), 'INVALID_ARGUMENT');
  throwsCode(() => pkg.alma(p, { period: 2.5 }), 'INVALID_ARGUMENT');
  throwsCode(() => pkg.alma(p, { period: 3, sigma: 0 }), 'INVALID_SIGMA');
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
});
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
