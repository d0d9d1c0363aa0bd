// rayon-web-indicators' JS API in Node 20: both builds against the mpmath
// fixture, errors with codes, and the threaded build on a pool of 2 equal to
// the single-threaded build bit for bit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runChecks } from '../indicators/checks.js';
import { loadIndicators, fixture, emaFixture } from '../indicators/node-load.mjs';

const fx = fixture();
const emaFx = emaFixture();
const single = await loadIndicators('indicators-single');
const threads = await loadIndicators('indicators-threads', 2);

for (const [name, pkg, other] of [['single-threaded build', single, null], ['threaded build, pool of 2', threads, single]]) {
  describe(`indicators in Node: ${name}`, () => {
    for (const r of runChecks(pkg, fx, other, emaFx)) {
      it(r.name, () => assert.ok(r.ok, r.error));
    }
  });
}

// Issue 12's cases, too heavy for browsers: inputs that cannot fit in the
// threaded build's memory (at most 1 GiB) give coded errors, not
// `RuntimeError: unreachable`, and the instance keeps working.
describe('indicators in Node: inputs too big for the threaded build\'s memory', { timeout: 120_000 }, () => {
  const expectCode = (fn, code) => {
    let err;
    try { fn(); } catch (e) { err = e; }
    assert.ok(err, `did not throw ${code}`);
    assert.equal(err.code, code, `${err.code}: ${err.message}`);
    return err;
  };
  it('alma(walk(70e6)): OUTPUT_TOO_LARGE naming input, output and working memory', () => {
    const p = new Float64Array(70e6);
    for (let i = 0, x = 100; i < p.length; i++) { x += Math.sin(i) * 0.1; p[i] = x; }
    const e = expectCode(() => threads.alma(p), 'OUTPUT_TOO_LARGE');
    assert.match(e.message, /input copy 534\.1 MiB \+ output 534\.1 MiB/);
  });
  it('alma(new Float64Array(140e6)): INPUT_TOO_LARGE saying to pass chunks', () => {
    const e = expectCode(() => threads.alma(new Float64Array(140e6)), 'INPUT_TOO_LARGE');
    assert.match(e.message, /140000000 samples.*chunks/);
  });
  it('alma({length: 2**28}): INVALID_ARGUMENT (array-likes are not series)', () => {
    expectCode(() => threads.alma({ length: 2 ** 28 }), 'INVALID_ARGUMENT');
    expectCode(() => single.alma({ length: 2 ** 28 }), 'INVALID_ARGUMENT');
  });
  it('a WasmFloat64Buffer of 572 MiB as out: computed in place, where the copying path needs a second output (OUTPUT_TOO_LARGE)', () => {
    const n = 750_000;
    const p = new Float64Array(n);
    for (let i = 0, x = 100; i < n; i++) { x += Math.sin(i * 0.37) * 0.1; p[i] = x; }
    const range = { period: [3, 12, 1], offset: [0.1, 1, 0.1], sigma: [6, 6, 0] }; // 100 rows
    const buf = new threads.WasmFloat64Buffer(100 * n);
    try {
      expectCode(() => threads.almaBatchInto(p, range, new Float64Array(100 * n)), 'OUTPUT_TOO_LARGE');
      const r = threads.almaBatchInto(p, range, buf.view());
      assert.equal(r.rows, 100);
      const view = buf.view();
      for (const i of [0, 37, 99]) {
        const row = single.alma(p, r.combos[i]);
        const mine = view.subarray(i * n, (i + 1) * n);
        assert.ok(mine.every((v, k) => Object.is(v, row[k])), `row ${i} equals alma() of its combination`);
      }
    } finally { buf.free(); }
  });
  it('afterwards both builds still give the reference answers', () => {
    for (const pkg of [threads, single]) {
      const failed = runChecks(pkg, fx, null, emaFx).filter((r) => !r.ok);
      assert.deepEqual(failed, []);
    }
  });
});

// The FFT path's working memory (its block transforms, about one copy of the
// series, and its row buffers, which grow with the period) was not in the
// memory plan: these calls passed the plan, then ran the threaded build out of
// memory inside a pool thread, and the caller waited for ever. Each runs in a
// fresh process with a deadline; now each computes (the same bits as the
// single-threaded build) or refuses with OUTPUT_TOO_LARGE.
describe('indicators in Node: OUTPUT_TOO_LARGE says what a JavaScript caller can do, in both builds', () => {
  it('a reduced sweep of 10 million combinations: no advice to raise BatchOptions::max_output_bytes (a Rust-only setting)', () => {
    const values = Float64Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i));
    const range = { period: [5, 5, 0], offset: [0.85, 0.85, 0], sigma: [1, 1000, 0.0001] };
    for (const pkg of [single, threads]) {
      let err;
      try { pkg.almaBatchManyLongAbove(values, [0, 60], range); } catch (e) { err = e; }
      assert.equal(err?.code, 'OUTPUT_TOO_LARGE', String(err));
      assert.doesNotMatch(err.message, /max_output_bytes/);
      assert.match(err.message, /fewer parameter combinations/);
    }
  });
});

describe('indicators in Node: FFT rows over long series fit the memory plan or are refused, never hang', { timeout: 240_000 }, () => {
  const script = fileURLToPath(new URL('./fixtures/indicators-memory.mjs', import.meta.url));
  const call = (...args) => new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...args.map(String)], { timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args.join(' ')}: ${err.killed ? 'no answer within 60 s (hang)' : err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
  it('almaBatchLongAbove over 20M samples, periods 200..=201 (block transforms now a segment at a time)', async () => {
    const r = await call('almaBatchLongAbove', 20e6, 200, 201);
    assert.deepEqual({ ok: r.ok, same: r.same }, { ok: true, same: true }, JSON.stringify(r));
  });
  it('alma over 20M samples with period 2,000,000 (row buffers of 4M-point transforms)', async () => {
    const r = await call('alma', 20e6, 2e6, 0);
    assert.deepEqual({ ok: r.ok, same: r.same }, { ok: true, same: true }, JSON.stringify(r));
  });
  it('alma over 20M samples with period 3,000,000: OUTPUT_TOO_LARGE counting the working memory', async () => {
    const r = await call('alma', 20e6, 3e6, 0);
    assert.equal(r.code, 'OUTPUT_TOO_LARGE', JSON.stringify(r));
    assert.match(r.message, /working memory \d+\.\d MiB/);
  });
});

// Issue 13: a Rust crate that depends on rayon-web-indicators (without its
// `js` feature) and exports its own `alma` builds through wasm-bindgen
// (`cargo xtask build` builds tests/fixtures/indicators-user; with the JS API
// always on, wasm-bindgen failed: "exported by multiple crates"), and the
// module's exports are the user's only.
describe('a Rust dependent of rayon-web-indicators exports its own `alma`', () => {
  it('its module has only its own exports, and `alma` is the user\'s', async () => {
    const base = new URL('../../target/pkg/indicators-user/rayon_web_indicators_user', import.meta.url);
    const user = await import(`${base.href}.js`);
    const { readFileSync } = await import('node:fs');
    await user.default({ module_or_path: readFileSync(new URL(`${base.href}_bg.wasm`)) });
    const exported = Object.keys(user).filter((k) => k !== 'default' && k !== 'initSync').sort();
    assert.deepEqual(exported, ['alma', 'owner']);
    assert.equal(user.owner(), 'rayon-web-indicators-user');
    // The user's contract (period as a number, warm-up filled), computed by the indicators' Rust API.
    const p = Float64Array.from(fx.series.walk);
    const mine = user.alma(p, 9);
    const theirs = single.alma(p, { period: 9 });
    assert.ok(mine.every((v) => Number.isFinite(v)), 'no NaN warm-up: the user\'s function ran');
    assert.ok(mine.slice(8).every((v, k) => Object.is(v, theirs[k + 8])), 'same ALMA values after the warm-up');
  });
});
