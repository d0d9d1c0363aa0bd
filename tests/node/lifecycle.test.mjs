// Custom pools in Node: alongside the global pool or not, dropped pools end
// their workers, and create/drop cycles leave workers and memory flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './fixtures/run.mjs';

test('a custom pool runs on its own workers, which are gone after it is dropped', async () => {
  const r = await run('custom-pool');
  assert.equal(r.ok, 3);
  assert.equal(r.sum, r.sequential);
  assert.equal(r.distinct, 3);
  assert.equal(r.liveAfterDrop, 0);
});

test('a custom pool works beside the global pool and leaves it intact', async () => {
  const r = await run('custom-beside-global');
  assert.equal(r.size, 2);
  assert.equal(r.sum, r.sequential);
  assert.equal(r.liveAfterDrop, 2, 'only the global pool\'s workers remain');
  assert.equal(r.globalThreads, 2);
  assert.equal(r.globalDistinct, 2);
});

test('100 create/drop cycles leave worker count and memory flat', async () => {
  const r = await run('custom-cycles');
  assert.deepEqual(r.live, Array(10).fill(0));
  // Sampled every 10 cycles. The first sample may include one-time allocator growth
  // (a new pool's stacks can be allocated before the previous pool's are freed);
  // after that the size must not move at all — a leak of one 2 MiB stack per cycle
  // would add 20 MiB between samples.
  assert.equal(new Set(r.memory.slice(1)).size, 1, `memory grew: ${r.memory}`);
  assert.ok(r.memory.at(-1) - r.memory[0] <= 4 * 1024 * 1024, `memory grew: ${r.memory}`);
});

test('parallel work that grows the shared memory gives correct results; arrays handed to JS stay intact', async () => {
  const r = await run('memory-growth');
  assert.ok(r.after >= r.before + 16 * 1024 * 1024, `memory grew from ${r.before} to ${r.after}`);
  assert.equal(r.sum, r.expected);
  assert.equal(r.keptLength, 1000);
  assert.ok(r.keptOk, 'the Float64Array returned before the growth still holds its values');
});

test('10,000 parallel calls leave memory and worker count flat', async () => {
  const r = await run('many-calls');
  assert.equal(r.wrong, 0);
  assert.deepEqual(r.live, Array(10).fill(2));
  assert.equal(new Set(r.memory).size, 1, `memory changed: ${r.memory}`);
});
