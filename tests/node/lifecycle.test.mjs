// Custom pools in Node: alongside the global pool or not, dropped pools end
// their workers, and create/drop cycles leave no worker and free every stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './fixtures/run.mjs';
import { expectCustomBesideGlobal, expectCyclesFreeStacks, expectFlatManyCalls, expectGrowth } from '../lifecycle/expect.mjs';

test('a custom pool runs on its own workers, which are gone after it is dropped', async () => {
  const r = await run('custom-pool');
  assert.equal(r.ok, 3);
  assert.equal(r.sum, r.sequential);
  assert.equal(r.distinct, 3);
  assert.equal(r.liveAfterDrop, 0);
});

test('a custom pool works beside the global pool and leaves it intact', async () => {
  expectCustomBesideGlobal(await run('custom-beside-global'), 2);
});

test('100 create/drop cycles end every worker and free their stacks (std leaks ~2 KB of thread-locals per thread)', async () => {
  expectCyclesFreeStacks(await run('custom-cycles'));
});

test('parallel work that grows the shared memory gives correct results; arrays handed to JS stay intact', async () => {
  expectGrowth(await run('memory-growth'));
});

test('10,000 parallel calls leave memory and worker count flat', async () => {
  expectFlatManyCalls(await run('many-calls'));
});
