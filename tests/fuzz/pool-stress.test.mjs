// Issue 12 item 6: one `initThreadPool(64)` followed by a parallel sum once
// blocked for 20 s (1 of 46 runs; never reproduced since). Stress the start-up
// and first parallel work at 64, 32, 16, 8 and 2 threads under CPU load (one
// busy loop per core), each run in a fresh module instance — a new Node
// process (tests/node/fixtures/case.mjs) and a new Chromium page (the
// consumer page, pool started in a module worker and from the page's main
// thread, alternately) — with a deadline per run. Runs: max(10, FUZZ_RUNS / 30)
// per engine (10 in `cargo xtask test`, 66 under `cargo xtask fuzz`).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RUNS } from './support.mjs';
import { run } from '../node/fixtures/run.mjs';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STRESS = Math.max(10, Math.floor(RUNS / 30));
const SIZES = [64, 32, 16, 8, 2];
// initThreadPool's default start-up deadline (thread-pool/src/options.rs): 4000 + 250 per thread.
const deadline = (n) => 4000 + 250 * n;

let busy = [];
before(() => {
  busy = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
});
after(() => busy.forEach((p) => p.kill()));

describe(`pool start-up and first parallel work under CPU load, ${STRESS} runs per engine (issue 12 item 6)`, { timeout: 60_000 * 2 * STRESS }, () => {
  it('Node: init-N then parallel sums in a fresh process each, every run within 60 s', async (t) => {
    let maxInit = 0, maxSum = 0;
    for (let i = 0; i < STRESS; i++) {
      const n = SIZES[i % SIZES.length];
      const r = await run(`init-${n}`); // rejects if the process does not finish within 60 s
      assert.equal(r.ok, n, `run ${i}: ${JSON.stringify(r)}`);
      assert.ok(r.initMs < deadline(n), `run ${i}: start-up of ${n} took ${r.initMs} ms`);
      assert.ok(r.distinct >= 2, `run ${i}: ${r.distinct} distinct threads did the work`);
      maxInit = Math.max(maxInit, r.initMs);
      maxSum = Math.max(maxSum, ...r.sumMs);
    }
    t.diagnostic(`Node: ${STRESS} runs at ${SIZES.join('/')} threads under load, slowest start-up ${maxInit.toFixed(0)} ms, slowest sum ${maxSum.toFixed(0)} ms`);
  });

  it('Node: start-ups that fail mid-way (the deadline passes during start-up) reject, and the instance still allocates and starts a pool, every run within 60 s', async (t) => {
    // Before the gate (js/spawn.js, WorkerGroup) the failed start-up terminated
    // workers inside wasm; one stopped inside std's allocator lock left every
    // later allocation spinning: about 1 run in 20 never settled (issue 12 item 6).
    let failed = 0;
    let spared = 0;
    for (let i = 0; i < STRESS; i++) {
      const timeoutMs = 100 + ((i * 397) % 1400);
      const r = await run(`fail-mid-start-64-${timeoutMs}`); // rejects if the process hangs
      assert.equal(r.ok, true, `run ${i}: ${JSON.stringify(r)}`);
      assert.equal(r.halves, 8, `run ${i}: an allocation after the start-up: ${JSON.stringify(r)}`);
      if (r.first.ok === undefined) {
        failed += 1;
        assert.equal(r.first.code, 'WORKER_TIMEOUT', `run ${i}: ${JSON.stringify(r)}`);
        assert.equal(r.drained, true, `run ${i}: the workers spared by the gate did not all exit within 20 s: ${JSON.stringify(r)}`);
        spared += r.spared;
        assert.deepEqual(r.second, { ok: 2, same: true }, `run ${i}: a pool after the failed start-up: ${JSON.stringify(r)}`);
      }
    }
    t.diagnostic(`Node: ${failed} of ${STRESS} start-ups of 64 threads failed by their deadline (100-1500 ms) under load; every one settled and a pool of 2 started after it; ${spared} workers inside wasm at the failure were left to exit by themselves (all did)`);
    assert.ok(failed > 0, 'no start-up failed mid-way: the deadlines tested nothing');
    // Before the gate every worker was terminated at once, inside wasm or not (0 here).
    assert.ok(spared > 0, 'no failed start-up had a worker inside wasm: the gate was not exercised');
  });

  it('Chromium: a fresh page each, pool in a worker or on the main thread, parallel == sequential within 60 s', async (t) => {
    const server = await serve(ROOT, { isolated: true });
    const browser = await launch('chromium');
    let maxInit = 0, maxPar = 0;
    try {
      for (let i = 0; i < STRESS; i++) {
        const n = SIZES[i % SIZES.length];
        const mode = i % 2 ? 'main' : 'worker';
        const page = await browser.open(`${server.url}/tests/consumer-web/index.html?threads=${n}&mode=${mode}&reps=2&n=2000000`);
        let r;
        try {
          r = await page.result(60_000);
        } catch (e) {
          e.message = `run ${i} (${n} threads, ${mode}): ${e.message}`;
          throw e;
        } finally {
          await page.close();
        }
        assert.equal(r.threads, n, `run ${i} (${mode}): ${JSON.stringify(r)}`);
        assert.equal(r.parallel, r.sequential, `run ${i} (${mode}): parallel sum differs`);
        assert.ok(r.initMs < deadline(n), `run ${i} (${mode}): start-up of ${n} took ${r.initMs} ms`);
        maxInit = Math.max(maxInit, r.initMs);
        maxPar = Math.max(maxPar, r.parMs ?? 0);
      }
    } finally {
      await browser.close();
      await server.close();
    }
    t.diagnostic(`Chromium: ${STRESS} page loads at ${SIZES.join('/')} threads under load, slowest start-up ${maxInit.toFixed(0)} ms, slowest parallel sum ${maxPar.toFixed(0)} ms`);
  });
});
