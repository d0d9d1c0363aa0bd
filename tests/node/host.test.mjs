// rayon-web-host (js/) in Node 20, and the failure modes of issue "pool lifecycle":
// a panic under panic=abort breaks the instance (call rejects, later calls reject
// at once, recreate() recovers); under panic=unwind the panic is a JS error and
// the pool keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { createHost, HostError } from '../../js/src/index.js';
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
  // One class for every rejection of createHost: a bad declaration is a HostError as a bad
  // option is (compileDeclaration alone, rayon-web-host/split, throws a plain TypeError).
  for (const options of [{ threaded: url, thraeds: 2 }, { threaded: url, declarations: { f: { kind: 'nope' } } }, { threaded: url, declarations: { f: { split: 1 } } }]) {
    await assert.rejects(createHost(options), (e) => e instanceof HostError && e.name === 'TypeError' && e.code === 'INVALID_ARGUMENT');
  }
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

// ---- audit of rayon-web-host (findings 4, 9, 12, 14, default pool size) ----

/** Runs `script` (an ES module's text) in its own Node process; returns spawnSync's result and how long it took. */
function runScript(script, { prefix = [], timeout = 30_000 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'host-script-'));
  writeFileSync(path.join(dir, 'script.mjs'), script);
  const t0 = performance.now();
  const [cmd, ...args] = [...prefix, process.execPath, path.join(dir, 'script.mjs')];
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout });
  rmSync(dir, { recursive: true, force: true });
  return { ...r, ms: performance.now() - t0 };
}
const indexUrl = JSON.stringify(new URL('../../js/src/index.js', import.meta.url).href);

test('a relative glue URL in Node: INVALID_ARGUMENT saying to pass an absolute one, and Node exits at once (no start timer left armed)', { timeout: 60_000 }, async () => {
  await assert.rejects(createHost({ single: './pkg/x.js', mode: 'single' }), (e) => e.code === 'INVALID_ARGUMENT'
    && /options\.single "\.\/pkg\/x\.js" is not an absolute URL.*new URL\('\.\/pkg\/x\.js', import\.meta\.url\)/.test(e.message));
  const r = runScript(`
    import { createHost } from ${indexUrl};
    await createHost({ threaded: 'pkg/x.js', startTimeoutMs: 20000 }).catch((e) => console.log(e.code));`);
  assert.equal(r.signal, null, `the process did not exit by itself: ${r.stderr}`);
  assert.equal(r.stdout.trim(), 'INVALID_ARGUMENT', r.stderr);
  assert.ok(r.ms < 10_000, `the process lived ${r.ms.toFixed(0)} ms after the rejection`);
});

test('options that contradict or cannot be used: a Map of declarations, mode vs forceSingle, a glue that does not load', { timeout: 60_000 }, async () => {
  const url = glue('consumer');
  const bad = (promise, re) => assert.rejects(promise, (e) => e.code === 'INVALID_ARGUMENT' && re.test(e.message));
  // Object.entries(map) is []: every declaration would be dropped without a word.
  await bad(createHost({ threaded: url, declarations: new Map([['f', { outputs: [] }]]) }), /options\.declarations must be a plain object .*got a Map/);
  await bad(createHost({ threaded: url, mode: 'threads', forceSingle: true }), /mode "threads" and forceSingle: true contradict each other/);
  await bad(createHost({ single: urls.consumerSingle, mode: 'single', forceSingle: false }), /mode "single" and forceSingle: false contradict/);
  // A missing glue file: the host's code, with the loader's message kept.
  await assert.rejects(createHost({ single: urls.broken, mode: 'single' }), (e) => e.code === 'HOST_START_FAILED'
    && /the module could not be loaded from .*no-such-build\/glue\.js: Cannot find module/.test(e.message));
  const host = await createHost({ single: urls.consumerSingle, mode: 'single', forceSingle: true });
  try {
    assert.equal(host.mode, 'single');
    await bad(host.recreate({ mode: 'shards', forceSingle: true }), /recreate's options: mode "shards" and forceSingle: true contradict/);
    assert.equal(host.mode, 'single', 'the refused recreate() stopped nothing');
  } finally {
    host.terminate();
  }
});

test('Node: without `threads` a pool gets one thread per reported core (os.availableParallelism() where Node has no navigator)', { timeout: 60_000 }, (t) => {
  // One core (taskset): the default must be 1, not a fixed 2.
  const probe = spawnSync('taskset', ['-c', '0', process.execPath, '-e', 'console.log(require("node:os").availableParallelism())'], { encoding: 'utf8' });
  if (probe.status !== 0) { t.skip('taskset is not available'); return; }
  assert.equal(probe.stdout.trim(), '1');
  const r = runScript(`
    import { createHost, reportedCores } from ${indexUrl};
    const host = await createHost({ threaded: ${JSON.stringify(urls.consumer)}, mode: 'threads' });
    console.log(JSON.stringify({ cores: await reportedCores(), threads: host.threads, numThreads: await host.exports.numThreads() }));
    host.terminate();`, { prefix: ['taskset', '-c', '0'] });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { cores: 1, threads: 1, numThreads: 1 });
});

test('the worker answers every error a module throws with a cloneable, coded message; only a real WebAssembly.RuntimeError breaks the instance', { timeout: 60_000 }, async () => {
  // A stand-in glue (a single build: default() ignores the wasm bytes read next to it).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'host-fake-glue-'));
  writeFileSync(path.join(dir, 'fake.js'), `
    export default async function init() {}
    export function ok(x) { return x + 1; }
    export function symbolCode() { throw Object.assign(new Error('module error'), { code: Symbol('E'), series: 1.5 }); }
    export function namedRuntimeError() { const e = new Error('a JS error named RuntimeError'); e.name = 'RuntimeError'; e.code = 'MY_CODE'; throw e; }
    export function hostileMessage() { throw { get message() { throw new Error('no'); }, name: 7 }; }
    export function trap() { throw new WebAssembly.RuntimeError('unreachable'); }`);
  writeFileSync(path.join(dir, 'fake_bg.wasm'), '');
  const host = await createHost({ single: pathToFileURL(path.join(dir, 'fake.js')).href, mode: 'single' });
  try {
    // Was HOST_DIED (the worker died of a DataCloneError posting a Symbol code).
    await assert.rejects(host.call('symbolCode'), (e) => e.message === 'module error' && e.code === undefined && e.series === undefined);
    // Was POOL_BROKEN: a name proves nothing.
    await assert.rejects(host.call('namedRuntimeError'), (e) => e.name === 'RuntimeError' && e.code === 'MY_CODE' && /named RuntimeError/.test(e.message));
    await assert.rejects(host.call('hostileMessage'), (e) => e.name === 'HostError' && typeof e.message === 'string');
    assert.equal(host.broken, null);
    assert.equal(await host.call('ok', [1]), 2, 'the instance still works');
    await assert.rejects(host.call('trap'), { code: 'POOL_BROKEN', message: /unreachable/ });
    await assert.rejects(host.call('ok', [1]), { code: 'POOL_BROKEN' });
  } finally {
    host.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('async exports run one at a time: overlapping calls each see only their own progress, to 100 %', { timeout: 60_000 }, async () => {
  // An async export yields the host worker; a second call run meanwhile took over the
  // module's one progress counter and the call id progress is reported to.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'host-async-glue-'));
  writeFileSync(path.join(dir, 'fake.js'), `
    export default async function init() {}
    export async function slow(total) {
      const start = performance.now();
      for (let i = 1; i <= total; i++) {
        await new Promise((r) => setTimeout(r, 3));
        globalThis.rayonWebProgress(i, total);
      }
      return [start, performance.now()];
    }`);
  writeFileSync(path.join(dir, 'fake_bg.wasm'), '');
  const host = await createHost({ single: pathToFileURL(path.join(dir, 'fake.js')).href, mode: 'single' });
  try {
    const seen = { 10: [], 20: [], 30: [] };
    const calls = [10, 20, 30].map((total) => host.call('slow', [total], { onProgress: (done, t) => seen[total].push([done, t]) }));
    const spans = await Promise.all(calls);
    for (const total of [10, 20, 30]) {
      assert.ok(seen[total].every(([, t]) => t === total), `call of ${total} saw only its own progress: ${JSON.stringify(seen[total])}`);
      assert.deepEqual(seen[total].at(-1), [total, total], `call of ${total} reached 100 %`);
    }
    // In the order they were made, each after the previous one ended.
    for (let k = 1; k < spans.length; k++) assert.ok(spans[k][0] >= spans[k - 1][1], `call ${k} started after call ${k - 1} ended: ${JSON.stringify(spans)}`);
  } finally {
    host.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('host.exports: `in` and Object.keys list the module\'s callable exports (not its init functions, classes or implicit names); unknown names still reject with NO_SUCH_EXPORT', { timeout: 60_000 }, async () => {
  const { createHost } = await import('../../js/src/index.js');
  const { pathToFileURL, fileURLToPath } = await import('node:url');
  const single = pathToFileURL(fileURLToPath(new URL('../../target/pkg/indicators-single/rayon_web_indicators.js', import.meta.url))).href;
  const host = await createHost({ single, mode: 'single' });
  try {
    const ex = host.exports;
    assert.equal('almaBatchMany' in ex, true);
    assert.equal('emaBatchInto' in ex, true);
    assert.equal('noSuchExport' in ex, false);
    for (const hidden of ['default', 'initSync', 'WasmFloat64Buffer', 'then', 'toJSON', '__wbg_init']) assert.equal(hidden in ex, false, hidden);
    assert.equal(Object.hasOwn(ex, 'toString'), false, 'toString is inherited from Object.prototype, not listed');
    const keys = Object.keys(ex);
    assert.ok(keys.includes('alma') && keys.includes('almaBatchLongAbove'), keys.join());
    assert.ok(!keys.includes('WasmFloat64Buffer') && !keys.includes('default'), keys.join());
    assert.equal(Object.hasOwn(ex, 'alma'), true);
    assert.equal(typeof ex.alma, 'function');
    assert.equal((await ex.alma(new Float64Array(20).fill(2), { period: 3 }))[10], 2);
    await assert.rejects(ex.noSuchExport(), { code: 'NO_SUCH_EXPORT' });
    // Feature detection does not make the host thenable (`await host.exports` resolves to it).
    assert.equal(await Promise.resolve(ex) === ex, true);
    host.terminate();
    assert.deepEqual(Object.keys(host.exports), [], 'no instance: no exports listed');
  } finally {
    host.terminate();
  }
});
