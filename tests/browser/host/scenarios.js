// rayon-web-host scenarios shared by Node (tests/node/host.test.mjs,
// tests/node/host-shards.test.mjs) and the browsers (tests/browser/host/page.js).
// Each takes `createHost` and the builds' glue URLs and returns plain data that
// the tests check; nothing here asserts, so a browser can run it and report.
//
//   urls = { consumer, consumerSingle, indicatorsThreads, indicatorsSingle, broken }

const settled = (p, ms, what) => Promise.race([
  p.then((value) => ({ ok: true, value }), (e) => ({ ok: false, code: e?.code ?? null, name: e?.name, message: String(e?.message ?? e) })),
  new Promise((r) => setTimeout(() => r({ ok: false, code: 'TEST_DEADLINE', message: `${what}: not settled within ${ms} ms` }), ms)),
]);

/**
 * Calls made while recreate() runs are queued and run on the new instance,
 * after its initThreadPool: none is lost, none runs on one thread.
 */
export async function callsDuringRecreate(createHost, urls) {
  const host = await createHost({ threaded: urls.consumer, single: urls.consumerSingle, threads: 2 });
  try {
    const inFlight = settled(host.call('sumSequential', [30_000_000]), 30_000, 'in-flight call');
    const recreating = settled(host.recreate({ threads: 3 }), 30_000, 'recreate');
    // Sent at once, while the new worker loads its glue and starts its pool.
    const during = await Promise.all([
      settled(host.call('numThreads'), 30_000, 'numThreads during recreate'),
      settled(host.call('distinctThreads', [64]), 30_000, 'distinctThreads during recreate'),
      settled(host.call('sumParallel', [100_000]), 30_000, 'sumParallel during recreate'),
      settled(host.exports.numThreads(), 30_000, 'exports.numThreads during recreate'),
    ]);
    // A second recreate while the first one starts: the later one wins, calls still queue.
    const second = settled(host.recreate({ threads: 2 }), 30_000, 'second recreate');
    const afterSecond = await settled(host.call('numThreads'), 30_000, 'numThreads during the second recreate');
    const rec = await recreating;
    const rec2 = await second;
    return {
      inFlight: await inFlight, recreate: { ok: rec.ok, code: rec.code ?? null }, second: { ok: rec2.ok, code: rec2.code ?? null },
      during, afterSecond, mode: host.mode, threads: host.threads, reason: host.reason,
      sequential: await host.call('sumSequential', [100_000]), pending: host.pending.size,
    };
  } finally {
    host.terminate();
  }
}

/** A threaded build that cannot start: forced threads reject with a code, auto says why. */
export async function threadsCannotStart(createHost, urls) {
  const forced = await settled(createHost({ threaded: urls.broken, single: urls.consumerSingle, mode: 'threads', startTimeoutMs: 10_000 }), 30_000, 'forced threads');
  const auto = await createHost({ threaded: urls.broken, single: urls.consumerSingle, shards: 2, startTimeoutMs: 10_000 });
  const out = { forced: { ok: forced.ok, code: forced.code, message: forced.message }, autoMode: auto.mode, autoReason: auto.reason };
  const good = await createHost({ threaded: urls.consumer, single: urls.consumerSingle, threads: 2 });
  try {
    // recreate() asking for threads that the new instance cannot start: a coded rejection, never single.
    good.builds.threaded = urls.broken;
    const r = await settled(good.recreate({ mode: 'threads' }), 30_000, 'recreate forced threads');
    out.recreateForced = { ok: r.ok, code: r.code, message: r.message };
    out.stateAfterFailedRecreate = { mode: good.mode, reason: good.reason, threads: good.threads, shards: good.shards };
    out.callAfterFailedRecreate = await settled(good.call('numThreads'), 10_000, 'call after failed recreate');
  } finally {
    good.terminate();
    auto.terminate();
  }
  return out;
}

/** Arguments that cannot be sent: coded rejections naming the argument, no pending entry left. */
export async function unsendable(createHost, urls) {
  const host = await createHost({ threaded: urls.consumer, single: urls.consumerSingle, threads: 2 });
  try {
    const r = {};
    r.fn = await settled(host.call('sumParallel', [() => 1]), 5000, 'function argument');
    r.symbol = await settled(host.call('sumParallel', [1, Symbol('x')]), 5000, 'symbol argument');
    const buf = new ArrayBuffer(16);
    structuredClone(buf, { transfer: [buf] }); // now detached
    r.detachedTransfer = await settled(host.call('sumParallel', [1], { transfer: [buf] }), 5000, 'detached transfer');
    const view = new Float64Array(2);
    structuredClone(view.buffer, { transfer: [view.buffer] }); // a view whose buffer is gone
    r.detachedArg = await settled(host.call('sumParallel', [view]), 5000, 'detached argument');
    const live = new ArrayBuffer(8);
    r.duplicateTransfer = await settled(host.call('sumParallel', [1], { transfer: [live, live] }), 5000, 'duplicate transfer');
    r.badName = await settled(host.call(42), 5000, 'numeric name');
    r.badArgs = await settled(host.call('sumParallel', 'abc'), 5000, 'args not an array');
    r.badProgress = await settled(host.call('sumParallel', [1], { onProgress: 3 }), 5000, 'onProgress not a function');
    // Class instances lose their getters and private fields in a structured clone: refused, naming where.
    class Params { #n = 20; get n() { return this.#n; } }
    r.classArg = await settled(host.call('sumSequential', [new Params()]), 5000, 'class instance argument');
    r.nestedClass = await settled(host.call('sumSequential', [1, [{ grid: new Params() }]]), 5000, 'nested class instance');
    // Built-ins a clone keeps as they are, and null-prototype objects, are sent (the extra arguments are ignored).
    r.builtins = await settled(host.call('sumSequential', [100_000, new Map([[1, new Date(0)]]), Object.create(null), new Float64Array(2), [new Set(), /x/]]), 5000, 'built-in arguments');
    r.internal = await settled(host.call('initSync', []), 5000, 'internal export');
    r.unclonableResult = await settled(host.call('default', []), 5000, 'init function');
    if (typeof window !== 'undefined') {
      // Browsers only (Node would copy it): 2 GiB + 8 bytes, which Chromium sends to no
      // worker, not even in a transfer list; the error must say that size is why.
      const huge = new Float64Array(2 ** 28 + 1);
      r.huge = await settled(host.call('sumParallel', [huge], { transfer: [huge.buffer] }), 30_000, '2 GiB argument');
    }
    // The same checks while a recreate is starting (the queued path clones at once).
    const rec = host.recreate({ threads: 2 });
    r.queuedFn = await settled(host.call('sumParallel', [() => 1]), 5000, 'function argument during recreate');
    const buf2 = new ArrayBuffer(16);
    structuredClone(buf2, { transfer: [buf2] });
    r.queuedDetached = await settled(host.call('sumParallel', [1], { transfer: [buf2] }), 5000, 'detached transfer during recreate');
    r.queuedClass = await settled(host.call('sumSequential', [new Params()]), 5000, 'class instance during recreate');
    await rec;
    r.pending = host.pending.size;
    r.goodAfter = await settled(host.call('sumParallel', [100_000]), 10_000, 'good call afterwards');
    r.reference = await host.call('sumSequential', [100_000]);
    return r;
  } finally {
    host.terminate();
  }
}

/**
 * An export that writes into its typed-array argument (the consumer's
 * `doubleInPlace(&mut [f64])`) and is declared nowhere, in every mode: the host
 * watches kept typed-array arguments and writes the changed ones back. Then a
 * declaration `{ outputs: [] }`: no watching, and no shards for auto.
 */
export async function undeclaredWrites(createHost, urls) {
  const out = { modes: [] };
  // Threads need cross-origin isolation (Node has it; a plain page does not).
  const isolated = globalThis.crossOriginIsolated ?? true;
  const hosts = [
    ...(isolated ? [{ threaded: urls.consumer, threads: 2 }] : []),
    { single: urls.consumerSingle, mode: 'single' },
    { single: urls.consumerSingle, mode: 'shards', shards: 2 },
  ];
  for (const options of hosts) {
    const host = await createHost(options);
    try {
      const a = Float64Array.from({ length: 100_000 }, (_, i) => i - 0.5);
      await host.call('doubleInPlace', [a]);
      const big = new Float64Array(10).fill(1);
      await host.call('doubleInPlace', [big.subarray(2, 5)]);
      const nan = new Float64Array([NaN, 3]);
      await host.call('doubleInPlace', [nan]);
      const moved = new Float64Array([1, 2]);
      await host.call('doubleInPlace', [moved], { transfer: [moved.buffer] });
      out.modes.push({
        mode: host.mode,
        doubled: a.every((v, i) => v === 2 * (i - 0.5)),
        view: Array.from(big),
        nan: [Number.isNaN(nan[0]), nan[1]],
        movedLength: moved.length,
      });
    } finally {
      host.terminate();
    }
  }
  const host = await createHost({ single: urls.consumerSingle, declarations: { doubleInPlace: { outputs: [] } } });
  try {
    const a = new Float64Array([1, 2, 3]);
    await host.call('doubleInPlace', [a]);
    out.declared = { mode: host.mode, reason: host.reason, values: Array.from(a) };
  } finally {
    host.terminate();
  }
  return out;
}

/** terminate() while a start is in progress: queued calls reject with HOST_TERMINATED. */
export async function terminateWhileStarting(createHost, urls) {
  const host = await createHost({ threaded: urls.consumer, single: urls.consumerSingle, threads: 2 });
  const rec = settled(host.recreate({ threads: 2 }), 20_000, 'recreate');
  const queued = settled(host.call('numThreads'), 20_000, 'queued call');
  host.terminate();
  const out = { queued: await queued, recreate: await rec, pending: host.pending.size };
  // terminate() between two recreates: what waited for the first (a queued call, the
  // recreate itself) is cancelled, not run on the second one's instance.
  const a = settled(host.recreate(), 20_000, 'recreate A');
  const queuedA = settled(host.call('numThreads'), 20_000, 'call queued on A');
  host.terminate();
  const b = settled(host.recreate({ threads: 2 }), 20_000, 'recreate B');
  const queuedB = settled(host.call('numThreads'), 20_000, 'call queued on B');
  // A recreate superseded by a later recreate takes its outcome.
  const c = settled(host.recreate({ threads: 1 }), 20_000, 'recreate C');
  Object.assign(out, { recreateA: await a, queuedA: await queuedA, recreateB: await b, queuedB: await queuedB, recreateC: await c });
  out.threadsAfter = await settled(host.call('numThreads'), 20_000, 'call after C');
  out.pendingAfter = host.pending.size;
  host.terminate();
  return out;
}

// ---- shards ---------------------------------------------------------------

function walk(n, seed) {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  let v = 100;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    v += (s / 2 ** 32 - 0.5);
    out[i] = v;
  }
  return out;
}

const sameBits = (a, b) => {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length * 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
};

/**
 * The host in shards mode over rayon-web-indicators' single build: results
 * bitwise equal to one single-threaded instance's, progress reaches 100 %,
 * frames keep coming (browsers), tiny calls are not split.
 */
export async function shardsAlma(createHost, urls, { ALMA_DECLARATIONS, length = 60_000, frames = null } = {}) {
  const host = await createHost({ threaded: urls.indicatorsThreads, single: urls.indicatorsSingle, mode: 'shards', shards: 2, declarations: ALMA_DECLARATIONS });
  const single = await createHost({ single: urls.indicatorsSingle, mode: 'single', declarations: ALMA_DECLARATIONS });
  try {
    const prices = walk(length, 7);
    prices[100] = NaN;
    const range = { period: [5, 120, 1], offset: [0.8, 0.9, 0.1], sigma: [6, 6, 0] };
    const progress = [];
    const f0 = frames?.();
    const t0 = performance.now();
    const sharded = await host.call('almaBatch', [prices, range], { onProgress: (d, t) => progress.push([d, t]) });
    const shardMs = performance.now() - t0;
    const f1 = frames?.();
    const reference = await single.call('almaBatch', [prices, range]);
    const out = new Float64Array(reference.values.length);
    const into = await host.call('almaBatchInto', [prices, range, out]);
    const outSingle = new Float64Array(reference.values.length);
    await single.call('almaBatchInto', [prices, range, outSingle]);
    // The caller's transfer goes to the last shard; the others get copies.
    const moved = prices.slice();
    const transferred = await host.call('almaBatch', [moved, range], { transfer: [moved.buffer] });
    const tinyParts = [];
    const tiny = await host.call('almaBatch', [prices.subarray(0, 1000), { period: [9, 9, 0] }], { onProgress: (d, t) => tinyParts.push([d, t]) });
    const tinyRef = await single.call('almaBatch', [prices.subarray(0, 1000), { period: [9, 9, 0] }]);
    // An onProgress that throws (a bug in the page's progress bar) rejects its call,
    // once, and is not called again: it must not escape into the worker's message
    // listener (Node ends; a page leaves the call unsettled).
    const progressThrows = {};
    for (const [mode, h] of [['shards', host], ['single', single]]) {
      let calls = 0;
      const r = await settled(h.call('almaBatch', [prices, range], { onProgress: () => { calls++; throw new Error('bug in the bar'); } }), 30_000, `${mode}: throwing onProgress`);
      await new Promise((resolve) => setTimeout(resolve, 300)); // late progress messages
      progressThrows[mode] = { ok: r.ok, code: r.code, message: r.message, calls, pending: h.pending.size, after: (await h.call('almaBatch', [prices.subarray(0, 1000), { period: [9, 9, 0] }])).rows };
    }
    const badRange = await settled(host.call('almaBatch', [prices, { period: [5, 1e9, 1] }]), 20_000, 'bad range');
    const badRangeSingle = await settled(single.call('almaBatch', [prices, { period: [5, 1e9, 1] }]), 20_000, 'bad range (single)');
    const last = progress[progress.length - 1] ?? [0, 0];
    return {
      mode: host.mode, reason: host.reason, shards: host.shards,
      rows: sharded.rows, cols: sharded.cols, refRows: reference.rows,
      bitwise: sameBits(sharded.values, reference.values),
      combosEqual: JSON.stringify(sharded.combos) === JSON.stringify(reference.combos),
      intoBitwise: sameBits(out, outSingle), intoRows: into.rows, intoCombos: into.combos.length,
      transferredBitwise: sameBits(transferred.values, reference.values), movedDetached: moved.length === 0,
      tinyBitwise: sameBits(tiny.values, tinyRef.values),
      progressEvents: progress.length, progressLast: last, progressMonotonic: progress.every((p, i) => i === 0 || p[0] >= progress[i - 1][0]),
      badRange: { code: badRange.code }, badRangeSingle: { code: badRangeSingle.code },
      framesDuring: f0 === undefined || f0 === null ? null : f1 - f0, shardMs, progressThrows,
      pending: host.pending.size,
    };
  } finally {
    host.terminate();
    single.terminate();
  }
}

/**
 * The many-series calls through the host: split by series over 2 shards (and
 * on the threaded pool), bitwise equal to the single build; a rejected series
 * is named by its index in the whole call in every mode.
 */
export async function shardsMany(createHost, urls, { ALMA_DECLARATIONS } = {}) {
  const hosts = {
    shards: await createHost({ single: urls.indicatorsSingle, mode: 'shards', shards: 2, declarations: ALMA_DECLARATIONS, shardMinWork: 0 }),
    single: await createHost({ single: urls.indicatorsSingle, mode: 'single', declarations: ALMA_DECLARATIONS }),
  };
  try {
    // 40 series of 500..2450 samples (different lengths), one with a NaN.
    const lengths = Array.from({ length: 40 }, (_, i) => 500 + ((i * 37) % 40) * 50);
    const offsets = [0];
    for (const l of lengths) offsets.push(offsets[offsets.length - 1] + l);
    const values = walk(offsets[offsets.length - 1], 17);
    values[offsets[5] + 10] = NaN;
    const range = { period: [5, 60, 5], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
    const progress = [];
    const sharded = await hosts.shards.call('almaBatchMany', [values, offsets, range], { onProgress: (d, t) => progress.push([d, t]) });
    const reference = await hosts.single.call('almaBatchMany', [values, offsets, range]);
    const out = new Float64Array(reference.values.length);
    const into = await hosts.shards.call('almaBatchManyInto', [values, Uint32Array.from(offsets), range, out]);
    const emaSharded = await hosts.shards.call('emaBatchMany', [values, offsets, { period: [2, 30, 4] }]);
    const emaReference = await hosts.single.call('emaBatchMany', [values, offsets, { period: [2, 30, 4] }]);
    // 40 series of 700 samples but series 32 (300): period 600 is too long for it alone,
    // and the unsplit call and every mode name series 32.
    const tooShort = { period: [5, 600, 5] };
    const longOffsets = [0];
    for (let i = 0; i < 40; i++) longOffsets.push(longOffsets[i] + (i === 32 ? 300 : 700));
    const longValues = walk(longOffsets[40], 5);
    const badShards = await settled(hosts.shards.call('almaBatchMany', [longValues, longOffsets, tooShort]), 30_000, 'short series (shards)');
    const badSingle = await settled(hosts.single.call('almaBatchMany', [longValues, longOffsets, tooShort]), 30_000, 'short series (single)');
    const errOf = async (p) => { try { await p; return null; } catch (e) { return { code: e.code, series: e.series, message: e.message }; } };
    const badShardsErr = await errOf(hosts.shards.call('almaBatchMany', [longValues, longOffsets, tooShort]));
    const badLayout = await settled(hosts.shards.call('almaBatchMany', [values, [0, 5, 3, values.length], range]), 30_000, 'bad layout');
    const last = progress[progress.length - 1] ?? [0, 0];
    return {
      mode: hosts.shards.mode, parts: hosts.shards.lastSplit?.parts ?? 0,
      series: sharded.series, rows: sharded.rows, refRows: reference.rows,
      offsetsEqual: JSON.stringify(sharded.offsets) === JSON.stringify(reference.offsets),
      combosEqual: JSON.stringify(sharded.combos) === JSON.stringify(reference.combos),
      bitwise: sameBits(sharded.values, reference.values),
      intoBitwise: sameBits(out, reference.values), intoSeries: into.series, intoHasValues: 'values' in into,
      emaBitwise: sameBits(emaSharded.values, emaReference.values),
      progressLast: last,
      bad: { shards: { ok: badShards.ok, code: badShards.code, message: badShards.message }, single: { ok: badSingle.ok, code: badSingle.code, message: badSingle.message }, shardsErr: badShardsErr },
      badLayout: { ok: badLayout.ok, code: badLayout.code },
      pending: hosts.shards.pending.size,
    };
  } finally {
    hosts.shards.terminate();
    hosts.single.terminate();
  }
}

/**
 * A shard that traps rejects the call with POOL_BROKEN, later calls at once,
 * recreate() restarts every shard. The consumer's single build (panic=abort)
 * traps in panicHere; a split declaration sends part of the call to each shard.
 */
export async function shardTrap(createHost, urls) {
  const declarations = {
    // Every shard runs panicInParallel; only the last one gets the item that panics.
    panicInParallel: {
      split: (args, n) => Array.from({ length: n }, (_, i) => ({ args: [i === n - 1 ? args[0] : 999] })),
      join: (results) => results.reduce((a, b) => a + b, 0),
    },
  };
  const host = await createHost({ single: urls.consumerSingle, mode: 'shards', shards: 2, declarations });
  try {
    const before = await host.call('panicInParallel', [999]);
    const t0 = performance.now();
    const trapped = await settled(host.call('panicInParallel', [3]), 10_000, 'trap in one shard');
    const trapMs = performance.now() - t0;
    const later = await settled(host.call('panicInParallel', [999]), 5000, 'later call');
    await host.recreate();
    const after = await settled(host.call('panicInParallel', [999]), 10_000, 'after recreate');
    return { before, trapped, trapMs, later, after, mode: host.mode, shards: host.shards, pending: host.pending.size };
  } finally {
    host.terminate();
  }
}

/**
 * Declared outputs (`almaBatchInto`'s `out`) go to the worker as a buffer of the
 * host's (js/src/scratch.js), kept between calls, not as a clone of the caller's
 * array. In every mode this page can run: two grids with the same output size and
 * split but different values, one after the other (the second call gets the
 * first one's buffers, old contents and all), each equal bit for bit to the
 * single build's `almaBatch`; a rejected call leaves the caller's array as it
 * was; the buffers are kept after a call and dropped by terminate().
 */
export async function reusedOutputs(createHost, urls, { ALMA_DECLARATIONS } = {}) {
  const modes = ['single', 'shards'];
  if (typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false) modes.push('threads');
  const reference = await createHost({ single: urls.indicatorsSingle, mode: 'single', declarations: ALMA_DECLARATIONS });
  const prices = walk(30_000, 11);
  // Same periods (so the same split over shards), different offsets: different values.
  const grids = [
    { period: [61, 116, 1], offset: [0.1, 0.2, 0.1], sigma: [6, 6, 0] },
    { period: [61, 116, 1], offset: [0.8, 0.9, 0.1], sigma: [6, 6, 0] },
  ];
  const result = {};
  try {
    const expected = [];
    for (const g of grids) expected.push((await reference.call('almaBatch', [prices, g])).values);
    for (const mode of modes) {
      const host = await createHost({ threaded: urls.indicatorsThreads, single: urls.indicatorsSingle, mode, shards: 2, threads: 2, declarations: ALMA_DECLARATIONS });
      const kept = () => host.instances.reduce((a, i) => a + i.scratch.bytes(), 0);
      try {
        const r = { mode: host.mode, bitwise: [], keptAfter: [], ownArrays: true };
        for (let k = 0; k < 2; k++) {
          for (const [g, grid] of grids.entries()) {
            const out = new Float64Array(expected[g].length).fill(12345);
            const info = await host.call('almaBatchInto', [prices, grid, out]);
            r.bitwise.push(sameBits(out, expected[g]) && info.rows === 112);
            r.ownArrays &&= out.length === expected[g].length;
            r.keptAfter.push(kept());
          }
        }
        // An output in shared memory is written by the worker itself (no copy back).
        if (typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false) {
          const shared = new Float64Array(new SharedArrayBuffer(8 * expected[1].length)).fill(12345);
          await host.call('almaBatchInto', [prices, grids[1], shared]);
          r.sharedBitwise = sameBits(shared, expected[1]);
          // The caller's shared array is never taken as scratch for a later call.
          for (const g of [0, 1, 0]) await host.call('almaBatchInto', [prices, grids[g], new Float64Array(expected[g].length)]);
          r.sharedKept = sameBits(shared, expected[1]);
        }
        // Where shared memory can be posted to workers, the kept buffers are shared (never moved, scratch.js).
        r.canShare = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false;
        r.keptShared = host.instances.flatMap((i) => i.scratch.buffers.map((b) => typeof SharedArrayBuffer === 'function' && b instanceof SharedArrayBuffer));
        const untouched = new Float64Array(expected[0].length).fill(7);
        // Same shape, so it is split like the good calls; every value NaN, so each part rejects.
        const bad = await settled(host.call('almaBatchInto', [new Float64Array(prices.length).fill(NaN), grids[0], untouched]), 20_000, 'all-NaN input');
        r.badCode = bad.code;
        r.untouched = untouched.every((v) => v === 7);
        host.terminate();
        r.keptAfterTerminate = kept();
        result[mode] = r;
      } finally {
        host.terminate();
      }
    }
  } finally {
    reference.terminate();
  }
  return result;
}


// ---- abort ----------------------------------------------------------------

/**
 * `signal`: an aborted call rejects at once with ABORTED and writes nothing into
 * the caller's arrays; with threads, rayon-web-indicators' batch stops (the next
 * call runs soon after, not after the batch); a call aborted before it starts,
 * or while queued during recreate(), is never sent. `modes`: the modes this page
 * can run (threads needs isolation).
 */
export async function abortCalls(createHost, urls, { ALMA_DECLARATIONS } = {}) {
  const modes = ['single', 'shards'];
  if (typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false) modes.unshift('threads');
  const prices = walk(200_000, 3);
  const long = { period: [9, 1500, 1] }; // ~1500 rows over 200k samples: a second or more
  const small = [prices.subarray(0, 1000), { period: 9 }];
  const out = {};
  for (const mode of modes) {
    const host = await createHost({ threaded: urls.indicatorsThreads, single: urls.indicatorsSingle, mode, threads: 2, shards: 2, declarations: ALMA_DECLARATIONS });
    const r = { mode: host.mode };
    try {
      let t0 = performance.now();
      await host.call('almaBatchLongAbove', [prices, long]);
      r.fullMs = performance.now() - t0;
      // Two calls on one signal, aborted once the first has reported progress.
      const ctl = new AbortController();
      let first;
      const started = new Promise((resolve) => { first = settled(host.call('almaBatchLongAbove', [prices, long], { signal: ctl.signal, onProgress: (done) => done > 0 && resolve() }), 60_000, 'first'); first.then(resolve); });
      const second = settled(host.call('almaBatchLongAbove', [prices, long], { signal: ctl.signal }), 60_000, 'second');
      await started;
      t0 = performance.now();
      ctl.abort('the user moved the slider');
      r.first = await first;
      r.second = await second;
      r.rejectedMs = performance.now() - t0;
      await host.call('alma', small);
      r.nextMs = performance.now() - t0;
      // An output argument is not written by an aborted call.
      const into = new Float64Array(200 * 20_000).fill(7);
      const c2 = new AbortController();
      const p = settled(host.call('almaBatchInto', [prices.subarray(0, 20_000), { period: [9, 208, 1] }, into], { signal: c2.signal }), 60_000, 'into');
      c2.abort();
      r.into = await p;
      r.intoUntouched = into.every((v) => v === 7);
      // Aborted before the call: never sent.
      const sent = host.nextId;
      r.pre = await settled(host.call('alma', small, { signal: AbortSignal.abort() }), 10_000, 'pre-aborted');
      r.preSent = host.nextId !== sent;
      // Queued during recreate(), aborted before the instance is up.
      const q = new AbortController();
      const restarting = host.recreate();
      const queued = settled(host.call('alma', small, { signal: q.signal }), 60_000, 'queued');
      q.abort();
      r.queued = await queued;
      await restarting;
      r.after = (await host.call('alma', small))[500] > 0;
      r.badSignal = await settled(host.call('alma', small, { signal: { aborted: false } }), 10_000, 'bad signal');
      r.pending = host.pending.size;
    } finally {
      host.terminate();
    }
    out[mode] = r;
  }
  return out;
}
