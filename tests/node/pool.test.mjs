// rayon-web in Node 20 (worker_threads): the consumer crate built like a
// user's, one child process per scenario so each gets a fresh module instance
// and we can check the process exits by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, rejects } from './fixtures/run.mjs';

test('a 2-thread pool runs parallel work on both threads and the process exits by itself', async (t) => {
  const r = await run('pool');
  assert.equal(r.ok, 2);
  assert.equal(r.threads, 2);
  assert.equal(r.parallel, r.sequential);
  assert.equal(r.distinct, 2);
  t.diagnostic(`initThreadPool(2) ready in ${r.initMs.toFixed(1)} ms`);
});

test('the options object sets thread count and stack size', async () => {
  const r = await run('options');
  assert.equal(r.ok, 3);
  assert.equal(r.threads, 3);
  assert.equal(r.parallel, r.sequential);
});

test('a pool started from a Node worker works the same', async () => {
  const r = await run('node-worker');
  assert.equal(r.ok, 2);
  assert.equal(r.distinct, 2);
  assert.equal(r.parallel, r.sequential);
});

test('a failed start leaves the instance able to start a pool', async () => {
  const r = await run('retry-after-failure');
  assert.equal(r.first, 'WORKER_TIMEOUT');
  assert.equal(r.ok, 2);
  assert.equal(r.parallel, r.sequential);
});

test('rejects 0 threads', () => rejects('zero', 'INVALID_ARGUMENT', 'at least 1'));
test('rejects a fractional thread count', () => rejects('fractional', 'INVALID_ARGUMENT', 'must be an integer', '2.5'));
test('rejects a thread count that is not a number', () => rejects('string', 'INVALID_ARGUMENT', 'must be a number', '"4"'));
test('rejects a thread count above the cap', () => rejects('above-cap', 'INVALID_ARGUMENT', 'maximum of 64'));
test('rejects unknown options', () => rejects('unknown-option', 'INVALID_ARGUMENT', 'unknown option "threads"'));
test('rejects a stack size that is not whole wasm pages', () => rejects('bad-stack', 'INVALID_ARGUMENT', 'multiple of 65536'));
test('rejects a second call', () => rejects('second-call', 'ALREADY_INITIALIZED', 'already called'));
test('rejects a call while the first is starting', () => rejects('concurrent-call', 'ALREADY_INITIALIZED', 'await the first call'));
test('rejects when an earlier rayon call created the default pool', () =>
  rejects('default-pool-exists', 'GLOBAL_POOL_EXISTS', 'before initThreadPool', 'Await initThreadPool before the first rayon call'));
test('rejects when workers cannot load the glue (missing file)', () =>
  rejects('glue-404', 'WORKER_LOAD_FAILED', 'could not import the wasm-bindgen glue', 'missing.js'));
test('rejects when the glue has a syntax error', () =>
  rejects('glue-syntax', 'WORKER_LOAD_FAILED', 'SyntaxError'));
test('rejects when a worker cannot instantiate the module', () =>
  rejects('glue-mismatch', 'WORKER_INIT_FAILED', 'could not instantiate the module', 'LinkError'));
test('rejects when workers are not ready before the deadline', () =>
  rejects('timeout', 'WORKER_TIMEOUT', 'did not become ready within 1 ms'));
test('rejects a module built without shared memory, naming the missing flags', () =>
  rejects('memory-not-shared', 'MEMORY_NOT_SHARED', '--shared-memory', '--import-memory', '-Z build-std', 'rust-lang/rust#147225'));

test('`?` on a rayon_web::Error in an async export rejects with the coded RayonWebError', async () => {
  const r = await run('custom-pool-error');
  assert.equal(r.isError, true);
  assert.equal(r.error.name, 'RayonWebError');
  assert.equal(r.error.code, 'INVALID_ARGUMENT');
  assert.match(r.error.message, /numThreads must be at least 1/);
});
