// Assertions on the lifecycle scenarios' results (scenarios.js), shared by the
// Node and Chromium tests so both hold the engines to the same behaviour.
import assert from 'node:assert/strict';

/** panic = "abort": the call rejects within 5 s, later calls at once, recreate() recovers. */
export function expectAbortRecovery(r, threads) {
  assert.equal(r.mode, 'threads');
  assert.equal(r.first.code, 'POOL_BROKEN');
  assert.match(r.first.message, /panic in pool thread \d: panicked at .*\nboom at item 5/);
  assert.match(r.first.message, /call host\.recreate\(\)/i);
  assert.ok(r.firstMs < 5000, `rejected after ${r.firstMs} ms`);
  assert.equal(r.later.code, 'POOL_BROKEN');
  assert.match(r.later.message, /boom at item 5/);
  assert.ok(r.laterMs < 50, `later call took ${r.laterMs} ms`);
  assert.equal(r.recoveredHostThreads, threads);
  assert.equal(r.recoveredThreads, threads);
  assert.equal(r.recoveredOk, true);
}

/** panic = "unwind": a JS error with the panic's message, and the pool keeps working. */
export function expectUnwind(r) {
  assert.deepEqual(r.panic, { name: 'PanicError', message: 'boom at item 5' });
  assert.equal(r.after, r.expected);
  assert.equal(r.distinct, 2);
}

/** A custom pool of `threads` beside the global pool of 2: right sum on all its threads; dropping it leaves the global pool's 2 workers. */
export function expectCustomBesideGlobal(r, threads) {
  assert.equal(r.size, threads);
  assert.equal(r.sum, r.sequential);
  assert.equal(r.distinct, threads);
  assert.equal(r.liveAfterDrop, 2, 'only the global pool\'s workers remain');
  assert.equal(r.globalThreads, 2);
  assert.equal(r.globalDistinct, 2);
}

/** 100 create/drop cycles: no worker left, memory flat. */
export function expectFlatCycles(r) {
  assert.deepEqual(r.live, Array(10).fill(0));
  // Sampled every 10 cycles. The first sample may include one-time allocator growth
  // (a new pool's stacks can be allocated before the previous pool's are freed);
  // after that the size must not move at all — a leak of one 2 MiB stack per cycle
  // would add 20 MiB between samples.
  assert.equal(new Set(r.memory.slice(1)).size, 1, `memory grew: ${r.memory}`);
  assert.ok(r.memory.at(-1) - r.memory[0] <= 4 * 1024 * 1024, `memory grew: ${r.memory}`);
}

/** 10,000 calls: all right, the global pool's 2 workers only, memory unchanged. */
export function expectFlatManyCalls(r) {
  assert.equal(r.wrong, 0);
  assert.deepEqual(r.live, Array(10).fill(2));
  assert.equal(new Set(r.memory).size, 1, `memory changed: ${r.memory}`);
}

/** Growth inside parallel work: by at least 16 MiB, right sum, earlier array intact. */
export function expectGrowth(r) {
  assert.ok(r.after >= r.before + 16 * 1024 * 1024, `memory grew from ${r.before} to ${r.after}`);
  assert.equal(r.sum, r.expected);
  assert.equal(r.keptLength, 1000);
  assert.equal(r.keptOk, true, 'the Float64Array returned before the growth still holds its values');
}
