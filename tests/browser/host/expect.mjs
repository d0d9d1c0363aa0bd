// Checks of tests/browser/host/scenarios.js results, shared by Node and browser tests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// The documented codes, read from where each is defined (never a second list):
// the host's from the HostErrorCode union in js/src/index.d.ts, rayon-web's from
// ErrorCode::as_str, rayon-web-indicators' from Error::code (indicators/src/error.rs)
// and the JS-only JsCode::as_str (indicators/src/wasm/mod.rs).
const read = (p) => readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8');
const dts = read('js/src/index.d.ts');
const union = dts.slice(dts.indexOf('export type HostErrorCode'), dts.indexOf('export class HostError'));
export const HOST_CODES = [...union.matchAll(/\| '([A-Z_]+)'/g)].map((m) => m[1]);
export const POOL_CODES = [...read('thread-pool/src/error.rs').matchAll(/=> "([A-Z_]+)"/g)].map((m) => m[1]);
export const ALMA_CODES = [
  ...read('indicators/src/error.rs').matchAll(/Error::\w+(?: \{ \.\. \})? => "([A-Z_]+)"/g),
  ...read('indicators/src/wasm/mod.rs').matchAll(/JsCode::\w+ => "([A-Z_]+)"/g),
].map((m) => m[1]);
assert.ok(HOST_CODES.length >= 10 && POOL_CODES.length >= 12 && ALMA_CODES.length >= 10, 'the code lists could not be read from their definitions');

export function expectCallsDuringRecreate(r) {
  const info = JSON.stringify(r);
  assert.equal(r.inFlight.ok, false, info);
  assert.equal(r.inFlight.code, 'HOST_TERMINATED', info);
  assert.deepEqual(r.recreate, { ok: true, code: null }, info);
  assert.deepEqual(r.second, { ok: true, code: null }, info);
  for (const c of r.during) assert.equal(c.ok, true, `a call during recreate failed: ${info}`);
  const [numThreads, distinct, sum, viaExports] = r.during.map((c) => c.value);
  // Ran after the new instance's initThreadPool(3): never on rayon's default pool, never single.
  assert.equal(numThreads, 3, info);
  assert.equal(viaExports, 3, info);
  assert.ok(distinct >= 2 && distinct <= 3, info);
  assert.equal(sum, r.sequential, info);
  assert.deepEqual(r.afterSecond, { ok: true, value: 2 }, info);
  assert.equal(r.mode, 'threads', info);
  assert.equal(r.threads, 2, info);
  assert.equal(r.pending, 0, info);
}

export function expectThreadsCannotStart(r) {
  const info = JSON.stringify(r);
  assert.equal(r.forced.ok, false, info);
  assert.equal(r.forced.code, 'THREADS_UNAVAILABLE', info);
  assert.match(r.forced.message, /threaded build failed to start/, info);
  assert.ok(['shards', 'single'].includes(r.autoMode), info);
  assert.match(r.autoReason, /threaded build failed to start/, info);
  assert.equal(r.recreateForced.ok, false, info);
  assert.equal(r.recreateForced.code, 'THREADS_UNAVAILABLE', info);
  // The failed start left no instance: calls say so with a code (never a silent single-threaded run),
  // naming the failed recreate (not "terminated"), and the host no longer describes the old instance.
  assert.equal(r.callAfterFailedRecreate.ok, false, info);
  assert.equal(r.callAfterFailedRecreate.code, 'HOST_TERMINATED', info);
  assert.match(r.callAfterFailedRecreate.message, /the last recreate\(\) failed \(THREADS_UNAVAILABLE: .*\); call recreate\(\) again/, info);
  assert.deepEqual(r.stateAfterFailedRecreate, { mode: null, reason: null, threads: 0, shards: 0 }, info);
}

export function expectUnsendable(r) {
  const info = JSON.stringify(r);
  const bad = (c, re) => { assert.equal(c.ok, false, info); assert.equal(c.code, 'INVALID_ARGUMENT', info); assert.match(c.message, re, info); };
  bad(r.fn, /argument 0 \(function\)/);
  bad(r.symbol, /argument 1 \(symbol\)/);
  bad(r.detachedTransfer, /transfer\[0\].*detached/);
  bad(r.detachedArg, /argument 0 \(Float64Array\)/);
  bad(r.duplicateTransfer, /transfer list/);
  bad(r.badName, /name must be a string/);
  bad(r.badArgs, /args must be an array/);
  bad(r.badProgress, /onProgress must be a function/);
  assert.equal(r.internal.code, 'NO_SUCH_EXPORT', info);
  assert.equal(r.unclonableResult.code, 'NO_SUCH_EXPORT', info);
  if (r.huge) bad(r.huge, /argument 0 \(Float64Array\).*2048 MiB.*2 GiB or more cannot be sent to a worker.*split the call/);
  bad(r.queuedFn, /argument 0 \(function\)/);
  bad(r.queuedDetached, /transfer\[0\].*detached/);
  bad(r.classArg, /sumSequential: args\[0\] is a Params, a class instance: .*getters, methods or private fields.*pass a plain object/);
  bad(r.nestedClass, /args\[1\]\[0\]\.grid is a Params/);
  bad(r.queuedClass, /args\[0\] is a Params/);
  assert.equal(r.builtins.ok, true, info);
  assert.equal(r.pending, 0, info);
  assert.deepEqual(r.goodAfter, { ok: true, value: r.reference }, info);
}

export function expectTerminateWhileStarting(r) {
  const info = JSON.stringify(r);
  assert.equal(r.queued.code, 'HOST_TERMINATED', info);
  assert.equal(r.recreate.ok, false, info);
  assert.equal(r.recreate.code, 'HOST_TERMINATED', info);
  assert.equal(r.pending, 0, info);
  assert.equal(r.recreateA.code, 'HOST_TERMINATED', `a recreate cut off by terminate(): ${info}`);
  assert.equal(r.queuedA.code, 'HOST_TERMINATED', `a call queued before terminate() ran on the next instance: ${info}`);
  assert.equal(r.recreateB.ok, true, `a recreate superseded by a later one takes its outcome: ${info}`);
  assert.deepEqual(r.queuedB, { ok: true, value: 1 }, info);
  assert.equal(r.recreateC.ok, true, info);
  assert.deepEqual(r.threadsAfter, { ok: true, value: 1 }, info);
  assert.equal(r.pendingAfter, 0, info);
}

export function expectShardsAlma(r, { frames = false } = {}) {
  const info = JSON.stringify({ ...r });
  assert.equal(r.mode, 'shards', info);
  assert.equal(r.shards, 2, info);
  assert.equal(r.rows, r.refRows, info);
  assert.equal(r.bitwise, true, `sharded almaBatch differs from the single build: ${info}`);
  assert.equal(r.combosEqual, true, info);
  assert.equal(r.intoBitwise, true, `sharded almaBatchInto differs: ${info}`);
  assert.equal(r.intoRows, r.refRows, info);
  assert.equal(r.transferredBitwise, true, info);
  assert.equal(r.movedDetached, true, info);
  assert.equal(r.tinyBitwise, true, info);
  assert.ok(r.progressEvents >= 2, info);
  assert.equal(r.progressMonotonic, true, info);
  assert.equal(r.progressLast[0], r.progressLast[1], `progress did not reach 100 %: ${info}`);
  assert.ok(r.progressLast[1] > 0, info);
  for (const [mode, p] of Object.entries(r.progressThrows)) {
    assert.equal(p.code, 'INVALID_ARGUMENT', `${mode}: ${info}`);
    assert.match(p.message, /almaBatch: options\.onProgress threw: bug in the bar/, `${mode}: ${info}`);
    assert.equal(p.calls, 1, `${mode}: onProgress was called again after it threw: ${info}`);
    assert.equal(p.pending, 0, `${mode}: ${info}`);
    assert.equal(p.after, 1, `${mode}: the host still works: ${info}`);
  }
  assert.equal(r.badRange.code, r.badRangeSingle.code, info);
  assert.ok(r.badRange.code, info);
  if (frames) assert.ok(r.framesDuring >= 3, `only ${r.framesDuring} frames during a ${r.shardMs.toFixed(0)} ms call: ${info}`);
  assert.equal(r.pending, 0, info);
}

export function expectShardsMany(r) {
  const info = JSON.stringify(r);
  assert.equal(r.mode, 'shards', info);
  assert.equal(r.parts, 2, `the many-series call was not split: ${info}`);
  assert.equal(r.series, 40, info);
  assert.equal(r.rows, r.refRows, info);
  assert.equal(r.offsetsEqual, true, info);
  assert.equal(r.combosEqual, true, info);
  assert.equal(r.bitwise, true, `sharded almaBatchMany differs from the single build: ${info}`);
  assert.equal(r.intoBitwise, true, `sharded almaBatchManyInto differs: ${info}`);
  assert.equal(r.intoSeries, 40, info);
  assert.equal(r.intoHasValues, false, info);
  assert.equal(r.emaBitwise, true, `sharded emaBatchMany differs: ${info}`);
  assert.equal(r.progressLast[0], r.progressLast[1], `progress did not reach 100 %: ${info}`);
  assert.ok(r.progressLast[1] > 0, info);
  assert.equal(r.bad.single.ok, false, info);
  assert.equal(r.bad.shards.code, r.bad.single.code, info);
  assert.equal(r.bad.shards.message, r.bad.single.message, `a rejected series is named differently when split: ${info}`);
  assert.match(r.bad.single.message, /series 32:/, info);
  assert.equal(r.bad.shardsErr.series, 32, info);
  assert.equal(r.badLayout.code, 'INVALID_SERIES_LAYOUT', info);
  assert.equal(r.pending, 0, info);
}

export function expectShardTrap(r) {
  const info = JSON.stringify(r);
  assert.equal(r.mode, 'shards', info);
  assert.equal(r.trapped.ok, false, info);
  assert.equal(r.trapped.code, 'POOL_BROKEN', info);
  assert.ok(r.trapMs < 5000, info);
  assert.equal(r.later.code, 'POOL_BROKEN', info);
  assert.deepEqual(r.after, { ok: true, value: r.before }, info);
  assert.equal(r.pending, 0, info);
}

/** reusedOutputs: every mode's Into calls exact with reused buffers; failures leave the caller's array; terminate drops them. */
export function expectReusedOutputs(r, { modes, shared = false }) {
  const info = JSON.stringify(r);
  assert.deepEqual(Object.keys(r).sort(), [...modes].sort(), info);
  for (const [mode, m] of Object.entries(r)) {
    assert.equal(m.mode, mode, info);
    if (shared) assert.equal(typeof m.sharedBitwise, 'boolean', `${mode}: the shared-memory output was not tried: ${info}`);
    assert.deepEqual(m.bitwise, [true, true, true, true], `${mode}: almaBatchInto with a reused buffer differs from almaBatch: ${info}`);
    assert.equal(m.ownArrays, true, info);
    assert.ok(m.keptAfter.every((b) => b > 0), `${mode}: the host keeps the output buffers between calls: ${info}`);
    assert.equal(m.badCode, 'ALL_NAN', info);
    assert.equal(m.untouched, true, `${mode}: a rejected call changed the caller's array: ${info}`);
    assert.equal(m.keptAfterTerminate, 0, info);
    if (m.sharedBitwise !== undefined) {
      assert.equal(m.sharedBitwise, true, `${mode}: an output in shared memory differs: ${info}`);
      assert.equal(m.sharedKept, true, `${mode}: the caller's shared array was overwritten by a later call (taken as scratch): ${info}`);
    }
    assert.ok(m.keptShared.length > 0, info);
    assert.ok(m.keptShared.every((s) => s === m.canShare), `${mode}: kept output buffers are shared memory exactly where it can be posted (${m.canShare}): ${info}`);
  }
}

/** undeclaredWrites: the caller's arrays written back in every mode; `{ outputs: [] }` opts out. */
export function expectUndeclaredWrites(r, { cores = 2, isolated = true } = {}) {
  assert.deepEqual(r.modes.map((m) => m.mode), [...(isolated ? ['threads'] : []), 'single', 'shards']);
  for (const m of r.modes) {
    assert.ok(m.doubled, `${m.mode}: the caller's array holds the values the export wrote`);
    assert.deepEqual(m.view, [1, 1, 2, 2, 2, 1, 1, 1, 1, 1], `${m.mode}: a view gets only its own elements`);
    assert.deepEqual(m.nan, [true, 6], `${m.mode}: NaN compared by bits`);
    assert.equal(m.movedLength, 0, `${m.mode}: a transferred argument stays the caller's detached view`);
  }
  // Nothing declares a split: auto does not boot shards to run every call on one.
  if (cores > 1) assert.equal(r.declared.mode, 'single');
  assert.deepEqual(r.declared.values, [1, 2, 3], 'declared as writing nothing: left as it was');
}

export function expectAbortCalls(r, { modes }) {
  const info = JSON.stringify(r);
  assert.deepEqual(Object.keys(r).sort(), [...modes].sort(), info);
  for (const mode of modes) {
    const m = r[mode];
    assert.equal(m.mode, mode, info);
    for (const key of ['first', 'second', 'into', 'pre', 'queued']) {
      assert.equal(m[key].ok, false, `${mode} ${key}: ${info}`);
      assert.equal(m[key].code, 'ABORTED', `${mode} ${key}: ${info}`);
      assert.equal(m[key].name, 'AbortError', `${mode} ${key}: ${info}`);
    }
    assert.match(m.first.message, /almaBatchLongAbove was aborted by its signal \(the user moved the slider\)/, info);
    assert.ok(m.rejectedMs < 1000, `${mode}: the aborted calls rejected ${m.rejectedMs} ms after the abort`);
    assert.equal(m.intoUntouched, true, `${mode}: an aborted call wrote into the caller's array`);
    assert.equal(m.preSent, false, `${mode}: a call aborted before it began was sent`);
    assert.equal(m.after, true, info);
    assert.equal(m.badSignal.code, 'INVALID_ARGUMENT', info);
    assert.match(m.badSignal.message, /options\.signal must be an AbortSignal/, info);
    assert.equal(m.pending, 0, info);
    // Threads: both batches stopped, so the next call did not wait for them (two
    // full batches would take 2 x fullMs).
    if (mode === 'threads') assert.ok(m.nextMs < Math.max(300, m.fullMs / 2), `threads: the next call ran ${m.nextMs} ms after the abort (a full batch: ${m.fullMs} ms): the batches did not stop`);
  }
}
