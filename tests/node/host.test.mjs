// rayon-web-host (js/) in Node 20, and the failure modes of issue "pool lifecycle":
// a panic under panic=abort breaks the instance (call rejects, later calls reject
// at once, recreate() recovers); under panic=unwind the panic is a JS error and
// the pool keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { createHost } from '../../js/src/index.js';
import { run } from './fixtures/run.mjs';
import { abortAndRecover } from '../lifecycle/scenarios.js';
import { expectAbortRecovery, expectUnwind } from '../lifecycle/expect.mjs';

const glue = (name) => pathToFileURL(new URL(`../../target/pkg/${name}/rayon_web_consumer.js`, import.meta.url).pathname).href;

test('the host runs the threaded build in Node and exposes exports as async functions', async () => {
  const host = await createHost({ threaded: glue('consumer'), threads: 2 });
  try {
    assert.equal(host.mode, 'threads');
    assert.match(host.reason, /shared memory/);
    assert.equal(host.threads, 2);
    assert.equal(await host.exports.numThreads(), 2);
    assert.equal(await host.call('sumParallel', [200_000]), await host.exports.sumSequential(200_000));
    assert.equal(await host.exports.distinctThreads(64), 2);
    await assert.rejects(host.call('noSuchExport'), { code: 'NO_SUCH_EXPORT', message: /no export named "noSuchExport"/ });
  } finally {
    host.terminate();
  }
});

test('panic=abort: a panicking pool thread rejects the call within 5 s, later calls at once, recreate() recovers', async () => {
  expectAbortRecovery(await abortAndRecover(createHost, glue('consumer'), 3), 3);
});

test('panic=unwind: a panic in par_iter is a JS error with its message and the pool keeps working', async () => {
  expectUnwind(await run('unwind-panic'));
});

test('terminate() rejects pending calls and later calls with HOST_TERMINATED', async () => {
  const host = await createHost({ threaded: glue('consumer'), threads: 2 });
  const pending = host.call('sumSequential', [20_000_000]);
  host.terminate();
  await assert.rejects(pending, { code: 'HOST_TERMINATED' });
  await assert.rejects(host.call('numThreads'), { code: 'HOST_TERMINATED' });
});
