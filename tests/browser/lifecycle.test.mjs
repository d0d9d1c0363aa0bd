// Pool lifecycle and failure in headless Chromium (the Node side is in
// tests/node/lifecycle.test.mjs and host.test.mjs): custom pools beside the
// global one, dropped pools end their workers, 100 create/drop cycles stay
// flat, panic=unwind errors, panic=abort breakage seen and recovered by the
// host, memory growth inside parallel work.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server;
let browser;

before(async () => {
  server = await serve(ROOT, { isolated: true });
  browser = await launch('chromium');
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.close();
});

async function scenario(name, ms = 60_000) {
  const page = await browser.open(`${server.url}/tests/browser/lifecycle/index.html?case=${name}`);
  try {
    return await page.result(ms);
  } finally {
    await page.close();
  }
}

describe('lifecycle in chromium', { timeout: 300_000 }, () => {
  it('a custom pool works beside the global pool; dropping it ends its workers', async () => {
    const r = await scenario('custom');
    assert.equal(r.size, 3);
    assert.equal(r.sum, r.sequential);
    assert.equal(r.distinct, 3);
    assert.equal(r.liveAfterDrop, 2, 'only the global pool\'s 2 workers remain');
    assert.equal(r.globalThreads, 2);
  });

  it('100 create/drop cycles leave worker count and memory flat', async () => {
    const r = await scenario('cycles', 120_000);
    assert.deepEqual(r.live, Array(10).fill(0));
    assert.equal(new Set(r.memory.slice(1)).size, 1, `memory grew: ${r.memory}`);
    assert.ok(r.memory.at(-1) - r.memory[0] <= 4 * 1024 * 1024, `memory grew: ${r.memory}`);
  });

  it('10,000 parallel calls leave memory and worker count flat', async () => {
    const r = await scenario('many-calls', 120_000);
    assert.equal(r.wrong, 0);
    assert.deepEqual(r.live, Array(10).fill(2));
    assert.equal(new Set(r.memory).size, 1, `memory changed: ${r.memory}`);
  });

  it('panic=unwind: a panic in par_iter throws with its message and the pool keeps working', async () => {
    const r = await scenario('unwind');
    assert.deepEqual(r.panic, { name: 'PanicError', message: 'boom at item 5' });
    assert.equal(r.after, r.expected);
    assert.equal(r.distinct, 2);
  });

  it('panic=abort: the host rejects the call within 5 s, later calls at once, and recovers', async () => {
    const r = await scenario('abort');
    assert.equal(r.mode, 'threads');
    assert.equal(r.first.code, 'POOL_BROKEN');
    assert.match(r.first.message, /panic in pool thread \d: panicked at .*boom at item 5/s);
    assert.ok(r.firstMs < 5000, `rejected after ${r.firstMs} ms`);
    assert.equal(r.later.code, 'POOL_BROKEN');
    assert.ok(r.laterMs < 50, `later call took ${r.laterMs} ms`);
    assert.equal(r.recoveredThreads, 2);
    assert.equal(r.recoveredOk, true);
  });

  it('parallel work that grows the shared memory is correct; arrays handed to JS stay intact', async () => {
    const r = await scenario('growth');
    assert.ok(r.after >= r.before + 16 * 1024 * 1024, `memory ${r.before} -> ${r.after}`);
    assert.equal(r.sum, r.expected);
    assert.equal(r.keptOk, true);
  });
});
