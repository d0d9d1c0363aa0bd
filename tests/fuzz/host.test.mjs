// Property-based fuzzing of rayon-web-host (issue 12): random export names,
// arguments (any value, typed arrays, functions, symbols, detached buffers,
// hostile getters), transfer lists and modes (threads, shards, single) through
// the host, over rayon-web-indicators' two builds. After every call:
//   - it settled before a deadline,
//   - any error carries a documented code (the host's or the module's),
//   - nothing is left pending, and a good call afterwards gives the reference answer.
//
// FUZZ_SEED (default fixed) and FUZZ_RUNS (default small: CI) follow the
// suite's convention; `FUZZ_RUNS=2000 node --test tests/fuzz/host.test.mjs`
// for a long run. A failure prints the seed and the shrunk counterexample.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL, fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { createHost, ALMA_DECLARATIONS } from '../../js/src/index.js';
import { HOST_CODES, POOL_CODES, ALMA_CODES } from '../browser/host/expect.mjs';

// Minimal local copy of the FUZZ_SEED/FUZZ_RUNS convention (tests/fuzz/support.mjs
// will hold the shared one).
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed12);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const DEADLINE_MS = 20_000;

const CODES = new Set([...HOST_CODES, ...ALMA_CODES, ...POOL_CODES, 'INVALID_ARGUMENT']);

const pkg = (name) => pathToFileURL(fileURLToPath(new URL(`../../target/pkg/${name}/rayon_web_indicators.js`, import.meta.url))).href;
const BUILDS = { threaded: pkg('indicators-threads'), single: pkg('indicators-single') };
const PRICES = Float64Array.from({ length: 300 }, (_, i) => 100 + Math.sin(i / 7) * 3 + (i % 5) * 0.1);
const GOOD = { period: [5, 30, 5], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };

const hosts = {};
let reference;

before(async () => {
  hosts.threads = await createHost({ ...BUILDS, mode: 'threads', threads: 2, declarations: ALMA_DECLARATIONS });
  // shardMinWork 0: even the fuzzer's small calls are split, so splitting is what gets fuzzed.
  hosts.shards = await createHost({ ...BUILDS, mode: 'shards', shards: 2, shardMinWork: 0, declarations: ALMA_DECLARATIONS });
  hosts.single = await createHost({ ...BUILDS, mode: 'single', declarations: ALMA_DECLARATIONS });
  reference = await hosts.single.call('almaBatch', [PRICES, GOOD]);
}, { timeout: 120_000 });

after(() => Object.values(hosts).forEach((h) => h.terminate()));

const detached = () => { const b = new ArrayBuffer(16); structuredClone(b, { transfer: [b] }); return b; };

// Values of every kind a caller could pass.
const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { weight: 3, arbitrary: fc.anything({ maxDepth: 2, withTypedArray: true, withBigInt: true, withNullPrototype: true, withSparseArray: true }) },
    { weight: 2, arbitrary: fc.float64Array({ maxLength: 400 }) },
    { weight: 1, arbitrary: fc.array(fc.double(), { maxLength: 50 }) },
    { weight: 1, arbitrary: fc.constantFrom(() => 1, Symbol('s'), null, undefined, NaN, -0, 2 ** 53, '12345') },
    { weight: 1, arbitrary: fc.constant(null).map(() => new Float64Array(detached())) },
    { weight: 2, arbitrary: tie('range') },
  ),
  triple: fc.oneof(
    fc.tuple(fc.integer({ min: -2, max: 60 }), fc.integer({ min: -2, max: 80 }), fc.integer({ min: -1, max: 9 })),
    fc.tuple(fc.double(), fc.double(), fc.double()),
    fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 5 }),
    fc.anything({ maxDepth: 1 }),
  ),
  range: fc.record({ period: tie('triple'), offset: tie('triple'), sigma: tie('triple'), floor: fc.anything({ maxDepth: 0 }) }, { requiredKeys: [] }),
}));

const names = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('alma', 'almaBatch', 'almaBatchInto') },
  { weight: 1, arbitrary: fc.constantFrom('progressCounter', 'initThreadPool', 'default', 'initSync', '__wbg_init', 'constructor', 'toString', '__proto__', '') },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(undefined)) },
);

const callCase = fc.record({
  mode: fc.constantFrom('threads', 'shards', 'single'),
  name: names,
  args: fc.oneof({ weight: 6, arbitrary: fc.array(value.any, { maxLength: 4 }) }, { weight: 1, arbitrary: value.any }),
  // indices into args whose buffers are transferred; extra: a detached or duplicated buffer
  transfer: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  extra: fc.constantFrom('none', 'none', 'detached', 'duplicate', 'not-transferable'),
  progress: fc.constantFrom(undefined, () => {}, 'not a function'),
});

function transferList(c) {
  const list = [];
  if (Array.isArray(c.args)) {
    for (const i of c.transfer) {
      const a = c.args[i];
      if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer && !list.includes(a.buffer)) list.push(a.buffer);
    }
  }
  if (c.extra === 'detached') list.push(detached());
  if (c.extra === 'duplicate' && list.length) list.push(list[0]);
  if (c.extra === 'not-transferable') list.push({ not: 'transferable' });
  return list;
}

const sameBits = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

test(`fuzz: random calls through the host in threads, shards and single modes (seed ${SEED}, ${RUNS} runs)`, { timeout: 600_000 }, async () => {
  const stats = { calls: 0, ok: 0, codes: {} };
  await fc.assert(
    fc.asyncProperty(callCase, async (c) => {
      const host = hosts[c.mode];
      let transfer;
      try { transfer = transferList(c); } catch { transfer = []; }
      let timer;
      const outcome = await Promise.race([
        host.call(c.name, c.args, { transfer, onProgress: c.progress }).then(() => ({ ok: true }), (e) => ({ ok: false, e })),
        new Promise((r) => { timer = setTimeout(() => r({ timeout: true }), DEADLINE_MS); }),
      ]).finally(() => clearTimeout(timer));
      stats.calls++;
      assert.ok(!outcome.timeout, `not settled within ${DEADLINE_MS} ms`);
      if (outcome.ok) stats.ok++;
      else {
        const code = outcome.e?.code;
        stats.codes[code] = (stats.codes[code] ?? 0) + 1;
        assert.ok(CODES.has(code), `undocumented error ${String(code)}: ${outcome.e?.name}: ${outcome.e?.message}`);
        assert.notEqual(code, 'POOL_BROKEN', `the call broke the instance: ${outcome.e?.message}`);
      }
      assert.equal(host.pending.size, 0, 'a pending entry was left');
      const good = await host.call('almaBatch', [PRICES, GOOD]);
      assert.ok(sameBits(good.values, reference.values), 'a good call afterwards gave a different answer');
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  console.log(`# host fuzz: ${stats.calls} calls, ${stats.ok} resolved, rejected by code: ${JSON.stringify(stats.codes)}`);
});
