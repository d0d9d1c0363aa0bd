// rayon-web-host's `shards` mode in Node (worker_threads): N independent
// instances of the single-threaded build, a call split by its declaration.
// The same scenarios run in Chromium, Firefox and WebKitGTK (tests/browser/host-shards.test.mjs).
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { createHost, ALMA_DECLARATIONS, chooseMode, balance, compileDeclaration } from '../../js/src/index.js';
import { shardsAlma, shardsMany, shardTrap, reusedOutputs, abortCalls } from '../browser/host/scenarios.js';
import { expectShardsAlma, expectShardsMany, expectShardTrap, expectReusedOutputs, expectAbortCalls } from '../browser/host/expect.mjs';
import { Scratch } from '../../js/src/scratch.js';
import { mock } from 'node:test';

const file = (p) => pathToFileURL(fileURLToPath(new URL(`../../target/pkg/${p}`, import.meta.url))).href;
const urls = {
  consumerSingle: file('consumer-unshared/rayon_web_consumer.js'),
  indicatorsThreads: file('indicators-threads/rayon_web_indicators.js'),
  indicatorsSingle: file('indicators-single/rayon_web_indicators.js'),
};

test('shards: almaBatch/almaBatchInto bitwise equal to the single build, progress to 100 %, transfers, tiny calls, errors', { timeout: 120_000 }, async () => {
  expectShardsAlma(await shardsAlma(createHost, urls, { ALMA_DECLARATIONS }));
});

test('shards: almaBatchMany/almaBatchManyInto/emaBatchMany split by series, bitwise equal to the single build; a rejected series keeps its index', { timeout: 120_000 }, async () => {
  expectShardsMany(await shardsMany(createHost, urls, { ALMA_DECLARATIONS }));
});

test('declared outputs: single, shards and threads fill the caller\'s array through kept buffers, exact, a rejection leaves it as it was', { timeout: 120_000 }, async () => {
  expectReusedOutputs(await reusedOutputs(createHost, urls, { ALMA_DECLARATIONS }), { modes: ['single', 'shards', 'threads'], shared: true });
});

test('allocating batches over the module\'s 512 MiB limit are refused with OUTPUT_TOO_LARGE in every mode: shards do not join them', { timeout: 180_000 }, async () => {
  // Each shard's part stays under its instance's limit; the joined result must not
  // exceed it either (a page without COOP/COEP got 0.7-2.4 GB results that the same
  // page with the headers is refused).
  const n = 42_000;
  let x = 50;
  const series = Float64Array.from({ length: 2 * n }, (_, i) => (x += Math.sin(i * 0.11)));
  const offsets = [0, n, 2 * n];
  // 8 periods x 101 offsets = 808 rows x 84,000 samples = 543 MB of values: split by
  // series (above shardMinWork; the split axis alone, 8 rows per series, is far under
  // the limit), each shard's part 271 MB.
  const joinedTooLarge = { period: [9, 16, 1], offset: [0, 1, 0.01], sigma: [6, 6, 0] };
  // 2,000 periods alone x 84,000 samples: over the limit before any offset: not split.
  const axisTooLarge = { period: [1, 2000, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
  for (const mode of ['shards', 'single', 'threads']) {
    const host = await createHost({ threaded: urls.indicatorsThreads, single: urls.indicatorsSingle, mode, shards: 2, threads: 2, declarations: ALMA_DECLARATIONS });
    try {
      await assert.rejects(host.call('almaBatchMany', [series, offsets, joinedTooLarge]), (e) => {
        assert.equal(e.code, 'OUTPUT_TOO_LARGE', `${mode}: ${e.message}`);
        if (mode === 'shards') assert.match(e.message, /^almaBatchMany: the result would hold 517\.\d MiB of values, over the module's limit of 512\.0 MiB/);
        return true;
      });
      await assert.rejects(host.call('almaBatchMany', [series, offsets, axisTooLarge]), (e) => {
        assert.equal(e.code, 'OUTPUT_TOO_LARGE', `${mode}: ${e.message}`);
        assert.match(e.message, /combinations x 84000 samples need/, `${mode}: the module's own refusal`);
        return true;
      });
      // The same rows through the ...Into form are the caller's to size: computed.
      const range = { ...joinedTooLarge, offset: [0, 1, 0.25] };
      const r = await host.call('almaBatchMany', [series, offsets, range]);
      assert.equal(r.values.length, 8 * 5 * 2 * n, `${mode}: a call under the limit still runs`);
    } finally {
      host.terminate();
    }
  }
});

test('the indicators module ships its own declarations, equal to ALMA_DECLARATIONS, in both builds', async () => {
  for (const u of [urls.indicatorsSingle, urls.indicatorsThreads]) {
    const glue = await import(u);
    await glue.default({ module_or_path: readFileSync(new URL(u.replace(/\.js$/, '_bg.wasm'))) });
    assert.deepEqual(glue.rayonWebHostDeclarations(), JSON.parse(JSON.stringify(ALMA_DECLARATIONS)), u);
  }
});

test('without declarations, the module\'s own make ...Into calls fill the caller\'s array in every mode and split over shards (EMA too)', { timeout: 120_000 }, async () => {
  const reference = await createHost({ single: urls.indicatorsSingle, mode: 'single', declarations: ALMA_DECLARATIONS });
  let x = 100;
  const prices = Float64Array.from({ length: 20_000 }, (_, i) => (x += Math.sin(i * 0.37) + 0.01 * ((i * 7919) % 13 - 6)));
  const almaRange = { period: [20, 120, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
  const emaRange = { period: [5, 400, 1] }; // 396 rows x 20k: above shardMinWork (EMA rows cost 1 per value)
  try {
    const want = {
      almaBatchInto: (await reference.call('almaBatch', [prices, almaRange])).values,
      emaBatchInto: (await reference.call('emaBatch', [prices, emaRange])).values,
    };
    for (const mode of ['single', 'shards', 'threads']) {
      // No `declarations`: forced shards (auto would pick shards only with the caller's).
      const host = await createHost({ threaded: urls.indicatorsThreads, single: urls.indicatorsSingle, mode, shards: 2, threads: 2 });
      try {
        for (const [name, range] of [['almaBatchInto', almaRange], ['emaBatchInto', emaRange]]) {
          const out = new Float64Array(want[name].length).fill(-1);
          host.lastSplit = null;
          await host.call(name, [prices, range, out]);
          assert.ok(out.every((v, i) => Object.is(v, want[name][i])), `${mode} ${name}: the caller's array holds the single build's values`);
          if (mode === 'shards') assert.equal(host.lastSplit?.parts, 2, `${mode} ${name}: split over both shards`);
        }
        if (mode === 'shards') {
          const sharded = await host.call('emaBatch', [prices, emaRange]);
          assert.equal(host.lastSplit?.parts, 2, 'emaBatch split over both shards');
          assert.ok(sharded.values.every((v, i) => Object.is(v, want.emaBatchInto[i])), 'sharded emaBatch = single build');
        }
      } finally {
        host.terminate();
      }
    }
  } finally {
    reference.terminate();
  }
});

test('costCap: ALMA rows past the FFT crossover count as the crossover, so 9..=258 cuts near 146 (not 183); bad caps are TypeErrors', () => {
  const prices = new Float64Array(100_000);
  const range = { period: [9, 258, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
  const cut = (decl) => decl.split([prices, range], 2, 0)[0].args[1].period[1];
  const capped = cut(compileDeclaration('almaBatch', ALMA_DECLARATIONS.almaBatch));
  const uncapped = cut(compileDeclaration('almaBatch', { ...ALMA_DECLARATIONS.almaBatch, costCap: undefined }));
  // Σ min(p, 64) over 9..=258 = 1980 + 64 × 195; half of it is reached at p ≈ 146.
  assert.ok(capped >= 144 && capped <= 147, `capped cut at ${capped}`);
  assert.ok(uncapped >= 180 && uncapped <= 186, `uncapped cut at ${uncapped}`);
  for (const bad of [0, -1, 'x', NaN]) {
    assert.throws(() => compileDeclaration('f', { ...ALMA_DECLARATIONS.almaBatch, costCap: bad }), /costCap must be a number >= 1/);
  }
});

test('Scratch: buffers by size, at most 2, old contents kept, dropped 5 s after the last keep', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const s = new Scratch();
    const a = s.take(Float64Array, 4);
    assert.equal(a.length, 4);
    assert.ok(a.buffer instanceof ArrayBuffer, 'not shared unless asked');
    a.fill(3);
    // (Moved to a worker and back: the sent array is detached, the returned one holds the buffer.)
    s.keep(new Float64Array(0), a);
    assert.equal(s.bytes(), 32);
    assert.notEqual(s.take(Float64Array, 5).buffer, a.buffer, 'another size: a new buffer');
    const again = s.take(Float64Array, 4);
    assert.equal(again.buffer, a.buffer, 'same size: the kept buffer');
    assert.deepEqual([...again], [3, 3, 3, 3], 'old contents (outputs are write-only)');
    assert.equal(s.bytes(), 0, 'a taken buffer is no longer kept');
    for (const n of [1, 2, 3]) s.keep(undefined, new Uint8Array(8 * n));
    assert.equal(s.bytes(), 8 * (3 + 2), 'at most 2, the newest');
    const callers = new Float64Array(new SharedArrayBuffer(8));
    s.keep(callers, callers);
    assert.equal(s.bytes(), 40, 'shared memory is not kept by a scratch of moved buffers');
    mock.timers.tick(4999);
    assert.equal(s.bytes(), 40);
    mock.timers.tick(1);
    assert.equal(s.bytes(), 0, 'dropped 5 s after the last keep');
  } finally {
    mock.timers.reset();
  }
});

test('Scratch, shared: SharedArrayBuffers it made are kept (as sent, not as they came back); a caller\'s shared array never is', () => {
  const s = new Scratch({ shared: true });
  const a = s.take(Float64Array, 4);
  assert.ok(a.buffer instanceof SharedArrayBuffer, 'shared scratch takes shared memory');
  // What a worker posts back: a new object over the same memory.
  const back = structuredClone(a);
  assert.notEqual(back.buffer, a.buffer);
  s.keep(a, back);
  assert.equal(s.take(Float64Array, 4).buffer, a.buffer, 'the buffer it made, kept by identity');
  const callers = new Float64Array(new SharedArrayBuffer(32));
  s.keep(callers, structuredClone(callers));
  s.keep(new Float64Array(0), new Float64Array(4));
  assert.equal(s.bytes(), 32, 'only the moved ArrayBuffer is kept: the caller\'s shared array is not scratch');
  s.clear();
});

test('shards: a shard that traps rejects with POOL_BROKEN, later calls at once, recreate() restarts the shards', { timeout: 60_000 }, async () => {
  expectShardTrap(await shardTrap(createHost, urls));
});

test('mode choice: threads when shared memory works, else shards with more than one core, else single; forced modes', () => {
  const builds = { threaded: 'a', single: 'b' };
  const noShm = { threads: false, reason: 'the page is not cross-origin isolated' };
  assert.equal(chooseMode({ builds, env: { threads: true, reason: 'ok' }, cores: 4 }).mode, 'threads');
  const s = chooseMode({ builds, env: noShm, cores: 4 });
  assert.equal(s.mode, 'shards');
  assert.match(s.reason, /no shared memory: the page is not cross-origin isolated; 4 cores/);
  assert.equal(chooseMode({ builds, env: noShm, cores: 1 }).mode, 'single');
  // Without any split declaration, shards would run every call on one of N instances.
  const undeclared = chooseMode({ builds, env: noShm, cores: 4, declared: false });
  assert.equal(undeclared.mode, 'single');
  assert.match(undeclared.reason, /no export declares how its calls split/);
  assert.equal(chooseMode({ requested: 'shards', builds, env: noShm, cores: 4, declared: false }).mode, 'shards');
  assert.equal(chooseMode({ builds: { threaded: 'a' }, env: noShm, cores: 4 }).error.code, 'NO_USABLE_BUILD');
  assert.equal(chooseMode({ requested: 'threads', builds, env: noShm, cores: 4 }).error.code, 'THREADS_UNAVAILABLE');
  assert.equal(chooseMode({ requested: 'single', builds, env: { threads: true, reason: 'ok' }, cores: 4 }).mode, 'single');
  assert.equal(chooseMode({ requested: 'shards', builds, env: { threads: true, reason: 'ok' }, cores: 1 }).mode, 'shards');
  const failed = chooseMode({ builds, env: { threads: true, reason: 'ok' }, cores: 2, threadsError: { code: 'X', message: 'no' } });
  assert.equal(failed.mode, 'shards');
  assert.match(failed.reason, /threaded build failed to start \(X: no\)/);
});

test('balance: contiguous groups by work, not by count', () => {
  // Periods 5..250: cost ∝ period, so the first group holds more periods than the second.
  const periods = Array.from({ length: 246 }, (_, i) => 5 + i);
  const groups = balance(periods, 2);
  assert.equal(groups.length, 2);
  assert.deepEqual([groups[0][0], groups[1][1]], [0, 246]);
  assert.equal(groups[0][1], groups[1][0]);
  const sum = ([a, b]) => periods.slice(a, b).reduce((x, y) => x + y, 0);
  const [w0, w1] = groups.map(sum);
  assert.ok(Math.abs(w0 - w1) / (w0 + w1) < 0.01, `${w0} vs ${w1}`);
  assert.ok(groups[0][1] - groups[0][0] > groups[1][1] - groups[1][0]);
  assert.deepEqual(balance([1, 1, 1], 8), [[0, 1], [1, 2], [2, 3]]);
  assert.deepEqual(balance([100, 1, 1], 2), [[0, 1], [1, 3]]);
});

test('declarations are checked when the host is created', () => {
  assert.throws(() => compileDeclaration('f', { kind: 'grid-cols' }), /unknown kind "grid-cols"/);
  assert.throws(() => compileDeclaration('f', { kind: 'grid-rows', input: 0, range: -1, axis: 'p' }), /range must be an argument index/);
  assert.throws(() => compileDeclaration('f', { split: () => null }), /needs a join/);
  assert.throws(() => compileDeclaration('f', { kind: 'grid-rows', input: 0, range: 1, axis: 'p', maxOutputBytes: 0 }), /maxOutputBytes must be a whole number of bytes >= 1/);
  assert.throws(() => compileDeclaration('f', { kind: 'series', values: 0, offsets: 1, range: 2, axis: 'p', maxOutputBytes: 1e6, out: 3 }), /maxOutputBytes bounds the result an allocating form returns/);
  return assert.rejects(createHost({ single: urls.indicatorsSingle, declarations: { f: 3 } }), /must be an object/);
});

test('every code the host throws is in the HostErrorCode union of index.d.ts', async () => {
  const { readFileSync } = await import('node:fs');
  const { HOST_CODES } = await import('../browser/host/expect.mjs');
  const src = ['index.js', 'detect.js', 'host-worker.js'].map((f) => readFileSync(new URL(`../../js/src/${f}`, import.meta.url), 'utf8')).join('\n');
  const used = new Set([...src.matchAll(/code: '([A-Z_]+)'/g)].map((m) => m[1]));
  used.delete('HOST_SUPERSEDED'); // internal: never reaches a caller (recreate() and queued calls resolve it)
  for (const c of used) assert.ok(HOST_CODES.includes(c), `${c} is thrown but not documented`);
});

test('almaBatchLongAbove through the host: single, shards (split by periods) and threads give the single build\'s per-row results bit for bit', { timeout: 120_000 }, async () => {
  const reference = await createHost({ single: urls.indicatorsSingle, mode: 'single' });
  let x = 100;
  const prices = Float64Array.from({ length: 20_000 }, (_, i) => (x += Math.sin(i * 0.37) + 0.01 * ((i * 7919) % 13 - 6)));
  const range = { period: [10, 200, 10], offset: [0.05, 0.95, 0.1], sigma: [4, 8, 2] };
  try {
    const want = await reference.call('almaBatchLongAbove', [prices, range]);
    assert.equal(want.rows, 20 * 10 * 3);
    for (const mode of ['single', 'shards', 'threads']) {
      const host = await createHost({ threaded: urls.indicatorsThreads, single: urls.indicatorsSingle, mode, shards: 2, threads: 2 });
      try {
        host.lastSplit = null;
        const got = await host.call('almaBatchLongAbove', [prices, range]);
        assert.equal(got.rows, want.rows, mode);
        assert.deepEqual(got.combos, want.combos, mode);
        for (const key of ['totalReturn', 'timeInMarket', 'rowSum', 'nanCount']) {
          assert.ok(got[key].every((v, i) => Object.is(v, want[key][i])), `${mode} ${key}`);
        }
        if (mode === 'shards') assert.ok(host.lastSplit, 'the call was split over the shards');
      } finally {
        host.terminate();
      }
    }
  } finally {
    reference.terminate();
  }
});

test('almaBatchManyLongAbove through the host: single, shards (split by series) and threads give the single build\'s figures bit for bit; a rejected series keeps its index', { timeout: 120_000 }, async () => {
  const reference = await createHost({ single: urls.indicatorsSingle, mode: 'single' });
  const lengths = [4000, 2520, 700, 2520, 3100, 90, 2520, 1500];
  const offsets = [0];
  for (const n of lengths) offsets.push(offsets[offsets.length - 1] + n);
  let x = 100;
  const values = Float64Array.from({ length: offsets[offsets.length - 1] }, (_, i) => (x += Math.sin(i * 0.37) + 0.01 * ((i * 7919) % 13 - 6)));
  const range = { period: [10, 80, 10], offset: [0.5, 0.9, 0.4], sigma: [6, 6, 0] };
  try {
    const want = await reference.call('almaBatchManyLongAbove', [values, offsets, range]);
    assert.equal(want.series * want.rows, lengths.length * 16);
    for (const mode of ['single', 'shards', 'threads']) {
      const host = await createHost({ threaded: urls.indicatorsThreads, single: urls.indicatorsSingle, mode, shards: 2, threads: 2 });
      try {
        host.lastSplit = null;
        const got = await host.call('almaBatchManyLongAbove', [values, offsets, range]);
        assert.equal(got.rows, want.rows, mode);
        assert.equal(got.series, want.series, mode);
        assert.deepEqual(got.offsets, want.offsets, mode);
        assert.deepEqual(got.combos, want.combos, mode);
        for (const key of ['totalReturn', 'timeInMarket', 'rowSum', 'nanCount']) {
          assert.ok(got[key].length === want[key].length && got[key].every((v, i) => Object.is(v, want[key][i])), `${mode} ${key}`);
        }
        if (mode === 'shards') assert.ok(host.lastSplit, 'the call was split over the shards');
        // Series 5 (90 samples) cannot take period 100: its index in the whole call, in every mode.
        await assert.rejects(host.call('almaBatchManyLongAbove', [values, offsets, { period: [10, 100, 10] }]), (e) => e.code === 'INVALID_PERIOD' && e.series === 5 && /series 5:/.test(e.message));
      } finally {
        host.terminate();
      }
    }
  } finally {
    reference.terminate();
  }
});

test('shards: arguments a declaration cannot read are answered by the module unsplit; a code declaration whose split or join throws rejects with INVALID_ARGUMENT', { timeout: 60_000 }, async () => {
  const prices = Float64Array.from({ length: 4000 }, (_, i) => 100 + Math.sin(i / 9));
  const range = { period: [5, 60, 5] };
  const detached = () => { const a = new Float64Array(3); structuredClone(a.buffer, { transfer: [a.buffer] }); return a; };
  const single = await createHost({ single: urls.indicatorsSingle, mode: 'single' });
  const host = await createHost({ single: urls.indicatorsSingle, mode: 'shards', shards: 2, shardMinWork: 0, declarations: ALMA_DECLARATIONS });
  // Code declarations of real exports whose split or join throws.
  const faulty = await createHost({ single: urls.indicatorsSingle, mode: 'shards', shards: 2, shardMinWork: 0, declarations: {
    alma: { split() { throw new Error('bad split'); }, join: (r) => r[0] },
    almaBatch: { split: (args) => [{ args }, { args }], join() { throw new Error('bad join'); } },
  } });
  try {
    // A detached offsets array (read by the series split) and a detached input: the
    // same coded answer as the single build's, not a TypeError from the split.
    for (const [name, args] of [
      ['almaBatchManyLongAbove', [prices, detached(), range]],
      ['almaBatchMany', [prices, detached(), range]],
      ['almaBatchManyInto', [detached(), [0, 0], range, new Float64Array(0)]],
      ['almaBatchLongAbove', [detached(), range]],
    ]) {
      const want = await single.call(name, args).then(() => 'ok', (e) => e.code);
      const got = await host.call(name, args).then(() => 'ok', (e) => e.code);
      assert.equal(got, want, name);
      assert.notEqual(got, undefined, `${name}: coded`);
    }
    await assert.rejects(faulty.call('alma', [prices]), (e) => e.code === 'INVALID_ARGUMENT' && /alma: the declaration's split threw: bad split/.test(e.message));
    await assert.rejects(faulty.call('almaBatch', [prices, range]), (e) => e.code === 'INVALID_ARGUMENT' && /almaBatch: the declaration's join threw: bad join/.test(e.message));
    assert.equal(host.pending.size + faulty.pending.size, 0);
    // The host still works.
    const ok = await host.call('almaBatch', [prices, range]);
    assert.equal(ok.rows, 12);
  } finally {
    host.terminate();
    faulty.terminate();
    single.terminate();
  }
});

test('a class export (WasmFloat64Buffer) called through the host: NO_SUCH_EXPORT saying why, in every mode', { timeout: 120_000 }, async () => {
  for (const mode of ['threads', 'single', 'shards']) {
    const host = await createHost({ threaded: urls.indicatorsThreads, single: urls.indicatorsSingle, mode, threads: 2 });
    try {
      assert.equal(host.mode, mode);
      await assert.rejects(host.call('WasmFloat64Buffer', [10]), { code: 'NO_SUCH_EXPORT', message: /"WasmFloat64Buffer" is a class/ }, mode);
      assert.equal((await host.call('alma', [new Float64Array(20).fill(3), { period: 3 }]))[5], 3, `${mode}: the host still works`);
    } finally {
      host.terminate();
    }
  }
});

test('more shards than 64 asked for (a large machine\'s core count) start 64, and the split still answers right', { timeout: 180_000 }, async () => {
  const host = await createHost({ single: urls.indicatorsSingle, mode: 'shards', shards: 100, declarations: ALMA_DECLARATIONS });
  try {
    assert.equal(host.mode, 'shards');
    assert.equal(host.shards, 64);
    const prices = Float64Array.from({ length: 5_000 }, (_, i) => 100 + Math.sin(i / 9));
    const range = { period: [9, 200, 1] };
    const r = await host.call('almaBatch', [prices, range], { onProgress: () => {} });
    const single = await createHost({ single: urls.indicatorsSingle, mode: 'single' });
    try {
      const want = await single.call('almaBatch', [prices, range]);
      assert.equal(r.rows, want.rows);
      assert.ok(r.values.every((v, k) => Object.is(v, want.values[k])), 'bitwise equal to one instance');
    } finally { single.terminate(); }
  } finally {
    host.terminate();
  }
});

test('threads: each call reports its own progress — never the previous call\'s counter, never another call\'s in flight — and its final value', { timeout: 120_000 }, async () => {
  const host = await createHost({ threaded: urls.indicatorsThreads, mode: 'threads', threads: 2, declarations: ALMA_DECLARATIONS });
  const single = await createHost({ single: urls.indicatorsSingle, mode: 'single', declarations: ALMA_DECLARATIONS });
  const series = (n) => Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 9));
  const calls = [[series(2000), { period: [5, 14, 1] }], [series(60_000), { period: [5, 200, 1] }], [series(2000), { period: [5, 9, 1] }]];
  const run = (h, [prices, range]) => { const seen = []; return h.call('almaBatch', [prices, range], { onProgress: (d, t) => seen.push([d, t]) }).then(() => seen); };
  try {
    // The single build reports every step: its last [done, total] is each call's own total.
    const totals = [];
    for (const c of calls) totals.push((await run(single, c)).at(-1)[1]);
    assert.equal(new Set(totals).size, 3, `three different totals: ${totals}`);
    const check = (seen, k, what) => {
      const info = `${what}: ${JSON.stringify(seen)} (own total ${totals[k]})`;
      assert.ok(seen.length >= 1, `no report at all: ${info}`);
      assert.ok(seen.every(([d, t]) => t === totals[k] && d <= t), `another call's counter: ${info}`);
      assert.ok(seen.every(([d], i) => i === 0 || d > seen[i - 1][0]), `not increasing: ${info}`);
      assert.deepEqual(seen.at(-1), [totals[k], totals[k]], `no final report: ${info}`);
    };
    // One after the other (each call used to start with the previous one's final [done, total])...
    for (const [k, c] of calls.entries()) check(await run(host, c), k, `call ${k}`);
    // ...and all in flight at once (each used to read the same counter).
    (await Promise.all(calls.map((c) => run(host, c)))).forEach((seen, k) => check(seen, k, `concurrent call ${k}`));
  } finally {
    host.terminate();
    single.terminate();
  }
});

test('threads: a throwing onProgress (polled, or the final report) rejects its call with INVALID_ARGUMENT, once; Node survives', { timeout: 120_000 }, async () => {
  const host = await createHost({ threaded: urls.indicatorsThreads, mode: 'threads', threads: 2, declarations: ALMA_DECLARATIONS });
  const prices = Float64Array.from({ length: 30_000 }, (_, i) => 100 + Math.sin(i / 9));
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    // A long call (polled reports) and a tiny one (only the final report, from the result).
    for (const range of [{ period: [5, 200, 1] }, { period: [9, 9, 0] }]) {
      let calls = 0;
      await assert.rejects(host.call('almaBatch', [prices, range], { onProgress: () => { calls++; throw new Error('bug in the bar'); } }),
        { code: 'INVALID_ARGUMENT', message: /almaBatch: options\.onProgress threw: bug in the bar/ });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(calls, 1, 'not called again after it threw');
      assert.equal(host.pending.size, 0);
    }
    assert.equal((await host.call('almaBatch', [prices, { period: [9, 9, 0] }])).rows, 1, 'the host still works');
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    host.terminate();
  }
});

test('shards: a code declaration whose split returns too many parts, a non-array or parts without args rejects with INVALID_ARGUMENT; nothing pending, terminate() clean', { timeout: 60_000 }, async () => {
  const join = (r) => r[0];
  const declarations = {
    sumSequential: { split: (args, n) => Array.from({ length: n + 1 }, () => ({ args })), join },
    sumParallel: { split: () => ({ length: 3 }), join },
    numThreads: { split: () => [{ args: [] }, { argz: [] }], join },
    distinctThreads: { split: (args) => [{ args }, { args, transfer: 'x' }], join },
  };
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  const host = await createHost({ single: urls.consumerSingle, mode: 'shards', shards: 2, declarations });
  try {
    const bad = (name, args, re) => assert.rejects(host.call(name, args), (e) => e.code === 'INVALID_ARGUMENT' && re.test(e.message), name);
    await bad('sumSequential', [1000], /sumSequential: the declaration's split returned 3 parts for 2 shards/);
    await bad('sumParallel', [1000], /the declaration's split returned an object: it must return an array of parts/);
    await bad('numThreads', [], /split returned a part 1 without an args array/);
    await bad('distinctThreads', [8], /split returned a part 1 whose transfer is "x", not an array/);
    assert.equal(host.pending.size, 0);
    host.terminate();
    await assert.rejects(host.call('sumSequential', [10]), { code: 'HOST_TERMINATED' });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    host.terminate();
  }
});

test('while recreate() starts, a declared output (the module\'s own declarations) in transfer is refused as on an idle host, before it is detached', { timeout: 60_000 }, async () => {
  const host = await createHost({ single: urls.indicatorsSingle, mode: 'single' });
  const prices = Float64Array.from({ length: 1000 }, (_, i) => 100 + Math.sin(i / 9));
  const range = { period: [5, 20, 1] };
  const message = /almaBatchInto: argument 2 is an output .* cannot be in the transfer list/;
  try {
    const idle = new Float64Array(16 * 1000);
    await assert.rejects(host.call('almaBatchInto', [prices, range, idle], { transfer: [idle.buffer] }), { code: 'INVALID_ARGUMENT', message });
    const starting = host.recreate();
    const out = new Float64Array(16 * 1000);
    // Was: resolved, with the results written nowhere the caller can reach (its array detached).
    await assert.rejects(host.call('almaBatchInto', [prices, range, out], { transfer: [out.buffer] }), { code: 'INVALID_ARGUMENT', message });
    assert.equal(out.length, 16 * 1000, 'the caller\'s output was not detached');
    await starting;
    assert.equal((await host.call('almaBatchInto', [prices, range, out])).rows, 16);
  } finally {
    host.terminate();
  }
});

test('a data declaration whose out is also one of its input indices is refused (the module would get a scratch buffer as its input)', () => {
  assert.throws(() => compileDeclaration('alma', { kind: 'grid-rows', input: 0, range: 1, axis: 'period', out: 0 }), { code: 'INVALID_ARGUMENT', message: /declaration of "alma": out \(0\) is also input/ });
  assert.throws(() => compileDeclaration('f', { kind: 'grid-rows', input: 0, range: 1, axis: 'period', out: 1 }), /out \(1\) is also range/);
  assert.throws(() => compileDeclaration('f', { kind: 'series', values: 0, offsets: 1, range: 2, axis: 'period', out: 1 }), /out \(1\) is also offsets/);
  assert.equal(compileDeclaration('f', { kind: 'series', values: 0, offsets: 1, range: 2, axis: 'period', out: 3 }).outputs[0], 3);
});

test('signal: an aborted call rejects at once with ABORTED and writes nothing; with threads the batch stops (the next call runs at once); queued and pre-aborted calls are never sent', { timeout: 240_000 }, async () => {
  expectAbortCalls(await abortCalls(createHost, urls, { ALMA_DECLARATIONS }), { modes: ['threads', 'single', 'shards'] });
});
