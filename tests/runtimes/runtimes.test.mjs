// The Node pool checks of tests/node/pool.test.mjs (the same scenarios, from
// tests/node/fixtures/case.mjs) under Deno and Bun, installed from their npm
// packages by this folder's lockfile (`cargo xtask` runs `npm ci` here). One
// process per scenario: each gets a fresh module instance, and each must print
// its result and exit by itself within the deadline — an idle pool must not keep
// the runtime alive, and nothing may hang.
// RAYON_WEB_RUNTIMES=deno,bun restricts the runtimes; RAYON_WEB_RUNTIME_REPEATS
// (default 8) sets how often the repeated start-up check runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CASE = fileURLToPath(new URL('../node/fixtures/case.mjs', import.meta.url));
const BIN = (name) => fileURLToPath(new URL(`./node_modules/.bin/${name}`, import.meta.url));
const DEADLINE_MS = 60_000;
const REPEATS = Number(process.env.RAYON_WEB_RUNTIME_REPEATS ?? 8);

const RUNTIMES = {
  // Deno: node:worker_threads, not its Web Workers, which cannot be unref'd (see
  // IN_NODE in thread-pool/js/spawn.js). Workers inherit the main module's
  // permissions: reading the glue and .wasm.
  deno: { argv: (scenario) => ['run', '--allow-read', '--no-prompt', CASE, scenario], env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
  // Bun: its Web Workers too (see README "Bun").
  bun: { argv: (scenario) => [CASE, scenario], env: { DO_NOT_TRACK: '1', NO_COLOR: '1' } },
};
const WANTED = (process.env.RAYON_WEB_RUNTIMES ?? 'deno,bun').split(',').map((s) => s.trim()).filter(Boolean);

function run(runtime, scenario) {
  const { argv, env } = RUNTIMES[runtime];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile(BIN(runtime), argv(scenario), { timeout: DEADLINE_MS, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const ms = performance.now() - t0;
      if (err) {
        reject(new Error(`${runtime} ${scenario}: ${err.killed ? `did not exit within ${DEADLINE_MS / 1000} s (hang)` : err.message}\n${stdout}\n${stderr}`));
        return;
      }
      const line = stdout.trim().split('\n').pop();
      try {
        resolve({ ...JSON.parse(line), wallMs: ms });
      } catch {
        reject(new Error(`${runtime} ${scenario}: no JSON result line in ${JSON.stringify(stdout)}\n${stderr}`));
      }
    });
  });
}

async function rejects(runtime, scenario, code, ...phrases) {
  const r = await run(runtime, scenario);
  assert.ok(r.error, `${scenario} should reject, got ${JSON.stringify(r)}`);
  assert.equal(r.error.name, 'RayonWebError', JSON.stringify(r.error));
  assert.equal(r.error.code, code, r.error.message);
  for (const p of phrases) assert.ok(r.error.message.includes(p), `message lacks ${JSON.stringify(p)}: ${r.error.message}`);
  if (r.ms !== undefined) assert.ok(r.ms < 5000, `rejected after ${r.ms} ms`);
}

for (const runtime of WANTED) {
  describe(runtime, { timeout: 600_000 }, () => {
    it('is installed from npm by the lockfile', () => {
      assert.ok(existsSync(BIN(runtime)), `${BIN(runtime)} is missing: run \`npm ci\` in tests/runtimes (cargo xtask test does)`);
    });

    it('a 2-thread pool runs parallel work on both threads and the process exits by itself', async (t) => {
      const r = await run(runtime, 'pool');
      assert.equal(r.ok, 2, JSON.stringify(r));
      assert.equal(r.threads, 2);
      assert.equal(r.parallel, r.sequential);
      assert.equal(r.distinct, 2, 'distinctThreads(64): both pool threads took part');
      t.diagnostic(`${runtime}: initThreadPool(2) ready in ${r.initMs.toFixed(1)} ms; process ran ${r.wallMs.toFixed(0)} ms`);
    });

    it('the options object sets thread count and stack size', async () => {
      const r = await run(runtime, 'options');
      assert.equal(r.ok, 3, JSON.stringify(r));
      assert.equal(r.threads, 3);
      assert.equal(r.parallel, r.sequential);
    });

    it('a failed start leaves the instance able to start a pool', async () => {
      const r = await run(runtime, 'retry-after-failure');
      assert.equal(r.first, 'WORKER_TIMEOUT', JSON.stringify(r));
      assert.equal(r.ok, 2);
      assert.equal(r.parallel, r.sequential);
    });

    // Each start-up must settle however its awaits interleave with the event
    // loop: Deno once exited with "Top-level await promise never resolved" when
    // nothing kept its loop alive while Rust waited to resume (EventLoopHold in
    // thread-pool/src/spawn.rs). It was intermittent, so try each path repeatedly.
    it(`start-up settles on every one of ${REPEATS} runs, succeeding or failing`, async () => {
      for (let i = 0; i < REPEATS; i += 1) {
        const [ok, failed] = await Promise.all([run(runtime, 'pool'), run(runtime, 'glue-404')]);
        assert.equal(ok.ok, 2, `run ${i + 1}: ${JSON.stringify(ok)}`);
        assert.equal(failed.error?.code, 'WORKER_LOAD_FAILED', `run ${i + 1}: ${JSON.stringify(failed)}`);
      }
    });

    it('prewarmThreadPool before init(): the pool takes the prewarmed workers; unused ones never keep the runtime alive', async (t) => {
      const r = await run(runtime, 'prewarm');
      assert.deepEqual(r.waiting, [2, 2, 2], JSON.stringify(r));
      assert.equal(r.ok, 2);
      assert.equal(r.before, 2);
      assert.equal(r.after, 2, 'the pool created workers of its own');
      assert.equal(r.parallel, r.sequential);
      t.diagnostic(`${runtime}: initThreadPool(2) on prewarmed workers ${r.initMs.toFixed(1)} ms`);
      const unused = await run(runtime, 'prewarm-unused');
      assert.equal(unused.ok, 4);
      assert.ok(unused.wallMs < 5000, `the script ran ${unused.wallMs} ms`);
    });

    it('rayon-web-host runs in threads, single and shards modes with the same bits, and the process exits by itself', async (t) => {
      // Bun's worker_threads workers define `self` but take messages on parentPort
      // only: the host's worker once listened on `self` there and never started.
      const r = await run(runtime, 'host-modes');
      assert.deepEqual(r.modes, {
        threads: { mode: 'threads', threads: 2, rows: 32 },
        single: { mode: 'single', threads: 1, rows: 32 },
        shards: { mode: 'shards', threads: 2, rows: 32 },
      }, JSON.stringify(r));
      assert.equal(r.same, true, 'every mode gives the same bits');
      t.diagnostic(`${runtime}: three hosts started and answered in ${r.wallMs.toFixed(0)} ms`);
    });

    it('rejects 0 threads', () => rejects(runtime, 'zero', 'INVALID_ARGUMENT', 'at least 1'));
    it('rejects a thread count that is not a number', () => rejects(runtime, 'string', 'INVALID_ARGUMENT', 'must be a number'));
    it('rejects unknown options', () => rejects(runtime, 'unknown-option', 'INVALID_ARGUMENT', 'unknown option "threads"'));
    it('rejects a second call', () => rejects(runtime, 'second-call', 'ALREADY_INITIALIZED', 'already called'));
    it('rejects when an earlier rayon call created the default pool', () =>
      rejects(runtime, 'default-pool-exists', 'GLOBAL_POOL_EXISTS', 'before initThreadPool'));
    it('rejects when workers cannot load the glue (missing file)', () =>
      rejects(runtime, 'glue-404', 'WORKER_LOAD_FAILED', 'missing.js'));
    it('rejects when a worker cannot instantiate the module', () =>
      rejects(runtime, 'glue-mismatch', 'WORKER_INIT_FAILED', 'could not instantiate the module'));
    it('rejects when workers are not ready before the deadline', () =>
      rejects(runtime, 'timeout', 'WORKER_TIMEOUT', 'did not become ready within 1 ms'));
    it('rejects a module built without shared memory, naming the missing flags', () =>
      rejects(runtime, 'memory-not-shared', 'MEMORY_NOT_SHARED', '--shared-memory'));
  });
}
