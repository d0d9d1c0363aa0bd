// rayon-web-host (js/) in Node 20, and the failure modes of issue "pool lifecycle":
// a panic under panic=abort breaks the instance (call rejects, later calls reject
// at once, recreate() recovers); under panic=unwind the panic is a JS error and
// the pool keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { createHost } from '../../js/src/index.js';
import { selfIsolate } from '../../js/src/isolate.js';
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

// ---- issue 12 item 5: races during recreate(), arguments that cannot be sent ----
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { callsDuringRecreate, threadsCannotStart, unsendable, terminateWhileStarting, undeclaredWrites } from '../browser/host/scenarios.js';
import { expectCallsDuringRecreate, expectThreadsCannotStart, expectUnsendable, expectTerminateWhileStarting, expectUndeclaredWrites } from '../browser/host/expect.mjs';

const urls = {
  consumer: glue('consumer'),
  consumerSingle: glue('consumer-unshared'),
  broken: pathToFileURL(fileURLToPath(new URL('../../target/pkg/no-such-build/glue.js', import.meta.url))).href,
};

test('calls made while recreate() runs are queued and run on the new pool (none lost, none single-threaded)', { timeout: 120_000 }, async () => {
  expectCallsDuringRecreate(await callsDuringRecreate(createHost, urls));
});

test('a threaded build that cannot start: forced mode rejects with a code, auto mode says why', { timeout: 120_000 }, async () => {
  expectThreadsCannotStart(await threadsCannotStart(createHost, urls));
});

test('arguments that cannot be sent reject with INVALID_ARGUMENT naming them, leaving nothing pending', { timeout: 60_000 }, async () => {
  expectUnsendable(await unsendable(createHost, urls));
});

test('terminate() during a recreate rejects the queued calls with HOST_TERMINATED', { timeout: 60_000 }, async () => {
  expectTerminateWhileStarting(await terminateWhileStarting(createHost, urls));
});

test('Node exits by itself after a rejected unsendable call (no pending entry keeps it alive)', { timeout: 60_000 }, () => {
  const script = `
    import { createHost } from ${JSON.stringify(new URL('../../js/src/index.js', import.meta.url).href)};
    const host = await createHost({ threaded: ${JSON.stringify(urls.consumer)}, threads: 2 });
    const buf = new ArrayBuffer(8); structuredClone(buf, { transfer: [buf] });
    for (const p of [host.call('sumParallel', [() => 1]), host.call('sumParallel', [1], { transfer: [buf] })]) {
      await p.then(() => console.log('resolved'), (e) => console.log(e.code));
    }`;
  // A file, not --eval: worker_threads inherit execArgv, and --input-type breaks them.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'host-exit-'));
  writeFileSync(path.join(dir, 'script.mjs'), script);
  const r = spawnSync(process.execPath, [path.join(dir, 'script.mjs')], { encoding: 'utf8', timeout: 30_000 });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.signal, null, `the process did not exit by itself within 30 s: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
});

// ---- an export that writes into its argument, declared nowhere ----
// A worker cannot write into the caller's memory: without watching, the caller's
// array would silently keep its old values (wrong output, no error).
test('undeclared exports that write into a typed-array argument write the caller\'s array, in every mode; { outputs: [] } opts out', async () => {
  expectUndeclaredWrites(await undeclaredWrites(createHost, urls), { cores: os.availableParallelism() });
});

test('options the host does not know (typos) and out-of-range values reject with INVALID_ARGUMENT naming them, before any worker starts', async () => {
  const url = glue('consumer');
  const bad = (promise, ...mentions) => assert.rejects(promise, (e) => {
    assert.equal(e.code, 'INVALID_ARGUMENT', e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `"${e.message}" does not mention ${m}`);
    return true;
  });
  await bad(createHost({ threaded: url, thraeds: 2 }), '"thraeds"', 'threads');
  await bad(createHost(7), "createHost's options", 'got 7');
  await bad(createHost({ threaded: {} }), 'options.threaded', 'an object');
  // setTimeout fires at once above 2^31 - 1 ms: this used to fail every start with HOST_TIMEOUT.
  await bad(createHost({ threaded: url, startTimeoutMs: 2 ** 31 }), 'startTimeoutMs', '2147483648');
  await bad(createHost({ threaded: url, startTimeoutMs: '5000' }), 'startTimeoutMs', '"5000"');
  await bad(createHost({ threaded: url, threads: 65537 }), 'threads', 'from 1 to 65536', 'at most 64 threads');
  await bad(createHost({ threaded: url, forceSingle: 'yes' }), 'forceSingle');
  await bad(createHost({ threaded: url, declarations: [] }), 'declarations', 'an Array');
  await bad(createHost({ threaded: url, declarations: { f: { kind: 'grid-rows', input: 0, range: 1, axis: 'period', costcap: 64 } } }), '"costcap"', 'costCap');
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  await bad(createHost(proxy), 'revoked');
  // selfIsolate checks its options before looking at the page (so Node can test them).
  await bad(selfIsolate({ coop: 'same-origin' }), '"coop"', 'coep');
  await bad(selfIsolate({ coep: 'credentialles' }), 'coep', '"credentialles"');
  await bad(selfIsolate({ reload: 'no' }), 'reload');
  const host = await createHost({ threaded: url, threads: 2 });
  try {
    await bad(host.call('sumSequential', [10], { onprogress: () => {} }), '"onprogress"', 'onProgress');
    await bad(host.recreate({ thread: 1 }), '"thread"', 'threads');
    await bad(host.recreate({ forceSingle: 1 }), 'forceSingle');
    // The rejected recreate() stopped nothing: the pool still answers.
    assert.equal(host.mode, 'threads');
    assert.equal(await host.call('sumSequential', [10], null), await host.call('sumSequential', [10]));
  } finally {
    host.terminate();
  }
});

test('a machine reporting more cores than a pool may have threads gets a pool of the maximum by default, not a failed start', { timeout: 120_000 }, async (t) => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { hardwareConcurrency: 128 }, configurable: true, writable: true });
  let host;
  try {
    host = await createHost({ threaded: glue('consumer'), mode: 'threads' });
  } finally {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved); else delete globalThis.navigator;
  }
  try {
    assert.equal(host.mode, 'threads');
    assert.equal(host.threads, 64);
    assert.equal(await host.exports.numThreads(), 64);
    t.diagnostic(`pool of ${host.threads}: ${host.reason}`);
    // Asked for explicitly, as initThreadPool takes it: 64 start.
    await host.recreate({ threads: 100 });
    assert.equal(host.threads, 64);
    assert.equal(await host.exports.numThreads(), 64);
    await assert.rejects(host.recreate({ shards: 65537 }), { code: 'INVALID_ARGUMENT', message: /shards must be an integer from 1 to 65536 \(at most 64 start\)/ });
  } finally {
    host.terminate();
  }
});

test('host.exports is not a thenable: returned from an async function or awaited, it stays the exports (was: an uncaught rejection that ended Node)', async () => {
  const host = await createHost({ threaded: glue('consumer'), threads: 2 });
  try {
    const getApi = async () => host.exports;
    const api = await getApi();
    assert.equal(typeof api.sumSequential, 'function');
    assert.equal(await api.sumSequential(10), await host.call('sumSequential', [10]));
    const awaited = await host.exports;
    assert.equal(await awaited.sumSequential(10), await host.call('sumSequential', [10]));
    // What the language calls implicitly resolves as on a plain object, not as an export.
    assert.equal(JSON.stringify(host.exports), '{}');
    assert.equal(String(host.exports), '[object Object]');
    assert.equal(host.exports.then, undefined);
    // An export named like one is still reachable with call().
    await assert.rejects(host.call('then', []), { code: 'NO_SUCH_EXPORT' });
  } finally {
    host.terminate();
  }
});
