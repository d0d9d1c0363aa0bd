// Custom pools in Node: alongside the global pool or not, dropped pools' workers
// reused or ended, and create/drop cycles leave memory and worker count flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './fixtures/run.mjs';
import {
  expectCustomBesideGlobal, expectCustomThenRelease, expectCyclesFreeStacks, expectCyclesReuse, expectFlatManyCalls,
  expectGrowth, expectReuseRules, expectReuseStress,
} from '../lifecycle/expect.mjs';

test('a custom pool runs on its own workers, which wait idle after the drop until released', async () => {
  expectCustomThenRelease(await run('custom-pool'));
});

test('a custom pool works beside the global pool; with keep-alive 0 dropping it ends its workers', async () => {
  expectCustomBesideGlobal(await run('custom-beside-global'), 2);
});

test('100 create/drop cycles reuse the same workers: memory and worker count flat', async () => {
  expectCyclesReuse(await run('custom-cycles'));
});

test('100 create/drop cycles with keep-alive 0 end every worker and free their stacks (std leaks ~2 KB of thread-locals per exiting thread)', async () => {
  expectCyclesFreeStacks(await run('custom-cycles-no-reuse'));
});

test('idle workers are reused by pools with the same stack size and by the global pool, and end after their keep-alive', async () => {
  expectReuseRules(await run('reuse-rules'));
});

test('pools built concurrently with random sizes, stacks and keep-alives, and releases in between: right results, no hang, no worker left', async () => {
  expectReuseStress(await run('reuse-stress'));
});

test('panic=abort without a host: after a crash, calls that use rayon_web::check_pool reject at once with POOL_BROKEN', async () => {
  const r = await run('broken-direct');
  assert.equal(r.before, true);
  assert.deepEqual(r.trap, { name: 'RuntimeError', message: 'unreachable' });
  assert.equal(r.later.name, 'RayonWebError');
  assert.equal(r.later.code, 'POOL_BROKEN');
  assert.match(r.later.message, /^rayon-web: the pool is broken \(panic in a thread outside the pool: panicked at .*\nboom on the caller\)/);
  assert.match(r.later.message, /host\.recreate\(\)/);
  assert.ok(r.laterMs < 50, `took ${r.laterMs} ms`);
});

test('parallel work that grows the shared memory gives correct results; arrays handed to JS stay intact', async () => {
  expectGrowth(await run('memory-growth'));
});

test('10,000 parallel calls leave memory and worker count flat', async () => {
  expectFlatManyCalls(await run('many-calls'));
});
