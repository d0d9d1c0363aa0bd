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

/**
 * 100 create/drop cycles of 2-thread pools, sampled every 10: no worker left, each
 * thread's 2 MiB stack and TLS block freed. What does grow is Rust std's: on wasm
 * threads it never runs thread-local destructors and leaks those values (std
 * src/sys/thread_local/mod.rs: "For now we just leak everything"), measured here
 * at 1.5-2 KB per thread created. So memory is not flat: between the second and
 * the last sample (80 cycles, 160 threads) it may grow by at most 4 KiB per thread
 * plus one 64 KiB page, far below a single leaked stack.
 */
export function expectCyclesFreeStacks(r) {
  assert.deepEqual(r.live, Array(10).fill(0));
  const perThread = 4096;
  const growth = r.memory.at(-1) - r.memory[1];
  assert.ok(growth <= 80 * 2 * perThread + 65536, `memory grew by ${growth} bytes over 80 cycles: ${r.memory}`);
  // The first sample may also include one-time allocator growth (a new pool's
  // stacks can be allocated before the previous pool's are freed).
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
