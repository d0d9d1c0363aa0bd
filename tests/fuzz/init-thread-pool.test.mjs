// Property-based fuzzing of `initThreadPool` (rayon-web, issue 12): random
// argument types and values, and random options objects, including hostile
// ones (throwing getters, revoked and trapping Proxies). Invariants, per call:
//   - it settles before a deadline (never an unsettled promise);
//   - a rejection is an Error named RayonWebError whose `code` is one of
//     ErrorCode's strings, read from thread-pool/src/error.rs (not a hand copy);
//   - nothing escapes as an uncaught exception (node --test fails the file);
//   - once a pool started, parallel work gives the reference answer;
// and at the end a valid call works (or the pool a fuzzed call started does).
//
// FUZZ_SEED (default below) and FUZZ_RUNS (default 120) choose the run; a
// failure prints its seed and path for `fc.assert`'s replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const DEADLINE_MS = 30_000;

/** The codes a caller can see: ErrorCode::as_str's strings in error.rs. */
function documentedCodes() {
  const src = readFileSync(`${ROOT}thread-pool/src/error.rs`, 'utf8');
  const codes = [...src.matchAll(/ErrorCode::\w+ => "([A-Z_]+)"/g)].map((m) => m[1]);
  assert.ok(codes.length >= 12 && codes.includes('INVALID_ARGUMENT'), `codes read from error.rs: ${codes}`);
  return new Set(codes);
}

function withDeadline(promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    }),
  ]);
}

// Values of every JS type, with the edge numbers of issue 12 item 4.
const edgeNumber = fc.constantFrom(0, -0, 1, 2, 64, 65, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 1e300,
  -1, 0.5, 2.5, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 65536, 1 << 20, (256 << 20) + 65536);
const anyValue = fc.oneof(
  edgeNumber,
  fc.integer({ min: -10, max: 80 }),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(undefined, null, true, false, 2n, Symbol('s'), () => 2, [], [2], {}, new Number(2), new Date(0)),
);

/** Wraps a plain object in something hostile to read. */
function hostile(kind, obj) {
  switch (kind) {
    case 'plain': return obj;
    case 'getters': {
      const o = {};
      for (const [k, v] of Object.entries(obj)) {
        Object.defineProperty(o, k, { enumerable: true, get() { if (v === 'THROW') throw new Error(`getter ${k}`); return v; } });
      }
      return o;
    }
    case 'revoked': { const r = Proxy.revocable(obj, {}); r.revoke(); return r.proxy; }
    case 'ownKeysThrows': return new Proxy(obj, { ownKeys() { throw new RangeError('ownKeys'); } });
    case 'getThrows': return new Proxy(obj, { get() { throw Symbol('thrown symbol'); } });
    case 'nullProto': return Object.assign(Object.create(null), obj);
    case 'inherited': return Object.create(obj);
    default: throw new Error(kind);
  }
}

// Options objects: known keys (mostly), an occasional unknown one, values of
// any type; a few worker-starting ones use a tiny timeout or a bad glue URL so
// each start fails fast or succeeds once.
const optionsObject = fc.record({
  numThreads: fc.oneof(anyValue, fc.integer({ min: 1, max: 4 })),
  stackSize: fc.oneof(anyValue, fc.constantFrom(65536, 1 << 20, 'THROW')),
  namePrefix: fc.oneof(fc.string({ maxLength: 8 }), anyValue),
  timeoutMs: fc.oneof(edgeNumber, fc.integer({ min: 1, max: 50 }), anyValue),
  glueUrl: fc.oneof(fc.constant('file:///nonexistent/glue.js'), fc.string({ maxLength: 8 }), anyValue),
  threads: anyValue,
}, { requiredKeys: [] });
// A recipe, turned into the argument inside the property: fast-check inspects
// generated values (and a revoked Proxy throws on any inspection).
const argument = fc.oneof(
  anyValue.map((value) => ['value', value]),
  fc.tuple(fc.constantFrom('plain', 'plain', 'getters', 'revoked', 'ownKeysThrows', 'getThrows', 'nullProto', 'inherited'), optionsObject),
);

function describeArg(arg) {
  try { return typeof arg === 'object' && arg !== null ? JSON.stringify(arg) : String(arg); } catch { return `<${typeof arg}>`; }
}

test(`initThreadPool fuzz: ${RUNS} random arguments settle with documented codes (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
  const codes = documentedCodes();
  const pkg = `${ROOT}target/pkg/consumer/rayon_web_consumer`;
  const glue = await import(pathToFileURL(`${pkg}.js`).href);
  await glue.default({ module_or_path: readFileSync(`${pkg}_bg.wasm`) });
  const reference = glue.sumSequential(50_000);
  let started = 0;
  const seen = new Map();

  await fc.assert(fc.asyncProperty(argument, async ([kind, recipe]) => {
    const arg = kind === 'value' ? recipe : hostile(kind, recipe);
    const outcome = await withDeadline(
      glue.initThreadPool(arg).then((n) => ({ n }), (e) => ({ e })),
      `initThreadPool(${describeArg(arg)})`);
    if ('n' in outcome) {
      // Only a valid argument starts a pool, and only the first one can.
      assert.equal(started, 0, 'a second pool started');
      assert.ok(Number.isInteger(outcome.n) && outcome.n >= 1 && outcome.n <= 64, `resolved with ${outcome.n}`);
      started = outcome.n;
      seen.set('resolved', (seen.get('resolved') ?? 0) + 1);
    } else {
      const { e } = outcome;
      assert.ok(e instanceof Error, `rejected with a non-Error: ${String(e)}`);
      assert.equal(e.name, 'RayonWebError', e.message);
      assert.ok(codes.has(e.code), `undocumented code ${e.code}: ${e.message}`);
      assert.ok(typeof e.message === 'string' && e.message.startsWith('rayon-web: '), e.message);
      if (started) assert.ok(['ALREADY_INITIALIZED', 'INVALID_ARGUMENT'].includes(e.code), `${e.code} after the pool started: ${e.message}`);
      seen.set(e.code, (seen.get(e.code) ?? 0) + 1);
    }
    if (started) {
      assert.equal(glue.numThreads(), started);
      assert.equal(glue.sumParallel(50_000), reference, 'parallel sum after the call');
    }
  }), { seed: SEED, numRuns: RUNS, endOnFailure: true });

  // A valid call afterwards works (unless a fuzzed call already started the pool).
  if (!started) {
    started = await withDeadline(glue.initThreadPool(2), 'initThreadPool(2)');
    assert.equal(started, 2);
  } else {
    const again = await glue.initThreadPool(2).then(() => null, (e) => e);
    assert.equal(again?.code, 'ALREADY_INITIALIZED');
  }
  assert.equal(glue.numThreads(), started);
  assert.equal(glue.sumParallel(200_000), glue.sumSequential(200_000));
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(seen))}; pool of ${started} afterwards`);
});

// prewarmThreadPool runs before the module exists, so it checks its argument in
// JS (js/options.js) — a second copy of PoolOptions::from_js's rules. They must
// agree: on every argument, prewarmThreadPool throws INVALID_ARGUMENT exactly
// when initThreadPool rejects with it. With a pool already started, a valid
// argument makes initThreadPool reject ALREADY_INITIALIZED (it validates
// first); with SharedArrayBuffer hidden, prewarmThreadPool starts no worker
// for it and returns 0.
// Arguments near the limits, so that both sides of every rule are exercised.
const nearValid = fc.record({
  numThreads: fc.oneof(fc.integer({ min: -1, max: 66 }), edgeNumber),
  stackSize: fc.oneof(fc.integer({ min: 0, max: 4097 }).map((pages) => pages * 65536), edgeNumber),
  timeoutMs: fc.oneof(fc.constantFrom(0, 1, 2 ** 31 - 1, 2 ** 31), edgeNumber),
  namePrefix: fc.oneof(fc.string({ maxLength: 8 }), anyValue),
  glueUrl: fc.oneof(fc.constant('file:///nonexistent/glue.js'), anyValue),
}, { requiredKeys: ['numThreads'] });

test(`prewarmThreadPool accepts and rejects what initThreadPool does: ${RUNS} random arguments (seed ${SEED})`, { timeout: 120_000 }, async (t) => {
  const pkg = `${ROOT}target/pkg/consumer/rayon_web_consumer`;
  // A query makes this a separate module instance (with its own snippets) from the test above.
  const glue = await import(`${pathToFileURL(`${pkg}.js`).href}?prewarm-agreement`);
  await glue.default({ module_or_path: readFileSync(`${pkg}_bg.wasm`) });
  assert.equal(await withDeadline(glue.initThreadPool(2), 'initThreadPool(2)'), 2);
  const sab = globalThis.SharedArrayBuffer;
  const seen = { invalid: 0, valid: 0 };
  try {
    delete globalThis.SharedArrayBuffer;
    const either = fc.oneof(argument, nearValid.map((o) => ['plain', o]), fc.integer({ min: -1, max: 66 }).map((n) => ['value', n]));
    await fc.assert(fc.asyncProperty(either, async ([kind, recipe]) => {
      const arg = kind === 'value' ? recipe : hostile(kind, recipe);
      let thrown = null, returned;
      try { returned = glue.prewarmThreadPool(arg); } catch (e) { thrown = e; }
      const init = await withDeadline(glue.initThreadPool(arg).then(() => null, (e) => e), `initThreadPool(${describeArg(arg)})`);
      assert.ok(init, 'a second pool started');
      if (init.code === 'INVALID_ARGUMENT') {
        assert.ok(thrown, `prewarmThreadPool accepted what initThreadPool rejects: ${init.message}`);
        assert.equal(thrown.name, 'RayonWebError');
        assert.equal(thrown.code, 'INVALID_ARGUMENT', thrown.message);
        assert.ok(thrown.message.startsWith('rayon-web: '), thrown.message);
        seen.invalid += 1;
      } else {
        assert.equal(init.code, 'ALREADY_INITIALIZED', init.message);
        assert.equal(thrown, null, `prewarmThreadPool rejected what initThreadPool accepts: ${thrown?.message}`);
        assert.equal(returned, 0, 'no worker can start without SharedArrayBuffer');
        seen.valid += 1;
      }
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  } finally {
    globalThis.SharedArrayBuffer = sab;
  }
  assert.ok(seen.valid > 0 && seen.invalid > 0, JSON.stringify(seen));
  t.diagnostic(`valid ${seen.valid}, invalid ${seen.invalid}`);
});
