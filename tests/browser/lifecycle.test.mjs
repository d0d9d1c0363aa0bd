// Pool lifecycle and failure in headless Chromium (the Node side is in
// tests/node/lifecycle.test.mjs and host.test.mjs): custom pools beside the
// global one, dropped pools' workers reused or ended, 100 create/drop cycles
// flat (and, without reuse, free every stack), 10,000 calls stay flat,
// panic=unwind errors, panic=abort breakage seen and recovered by the host,
// memory growth inside parallel work. Worker reuse also in Firefox and WebKit.
import { describe, it, before, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';
import {
  expectAbortRecovery, expectCustomBesideGlobal, expectCustomThenRelease, expectCyclesFreeStacks, expectCyclesReuse,
  expectFlatManyCalls, expectGrowth, expectReuseRules, expectUnwind,
} from '../lifecycle/expect.mjs';

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

async function scenario(name, ms = 60_000, on = browser) {
  const page = await on.open(`${server.url}/tests/browser/lifecycle/index.html?case=${name}`);
  try {
    return await page.result(ms);
  } finally {
    await page.close();
  }
}

describe('lifecycle in chromium', { timeout: 300_000 }, () => {
  it('a custom pool works beside the global pool; with keep-alive 0 dropping it ends its workers', async () => {
    expectCustomBesideGlobal(await scenario('custom'), 3);
  });

  it('a dropped custom pool\'s workers wait idle until released', async () => {
    expectCustomThenRelease(await scenario('custom-release'));
  });

  it('100 create/drop cycles reuse the same workers: memory and worker count flat', async () => {
    expectCyclesReuse(await scenario('cycles', 120_000));
  });

  it('100 create/drop cycles with keep-alive 0 end every worker and free their stacks (std leaks ~2 KB of thread-locals per exiting thread)', async () => {
    expectCyclesFreeStacks(await scenario('cycles-no-reuse', 120_000));
  });

  it('idle workers are reused by pools with the same stack size and by the global pool, and end after their keep-alive', async () => {
    expectReuseRules(await scenario('reuse-rules'));
  });

  it('10,000 parallel calls leave memory and worker count flat', async () => {
    expectFlatManyCalls(await scenario('many-calls', 120_000));
  });

  it('panic=unwind: a panic in par_iter throws with its message and the pool keeps working', async () => {
    expectUnwind(await scenario('unwind'));
  });

  it('panic=abort: the host rejects the call within 5 s, later calls at once, and recovers', async () => {
    expectAbortRecovery(await scenario('abort'), 2);
  });

  it('parallel work that grows the shared memory is correct; arrays handed to JS stay intact', async () => {
    expectGrowth(await scenario('growth'));
  });
});

// Worker reuse rests on Atomics.wait with a timeout in workers and on nested
// workers' lifetimes, which differ by engine: the reuse scenarios run in
// Firefox ESR and WebKitGTK too.
for (const engine of ['firefox', 'webkit']) {
  describe(`worker reuse in ${engine}`, { timeout: 300_000 }, () => {
    let other;
    before(async () => { other = await launch(engine); }, { timeout: 60_000 });
    after(async () => { await other?.close(); });

    it('a custom pool works beside the global pool; with keep-alive 0 dropping it ends its workers', async () => {
      expectCustomBesideGlobal(await scenario('custom', 60_000, other), 3);
    });

    it('a dropped custom pool\'s workers wait idle until released', async () => {
      expectCustomThenRelease(await scenario('custom-release', 60_000, other));
    });

    it('100 create/drop cycles reuse the same workers: memory and worker count flat', async () => {
      expectCyclesReuse(await scenario('cycles', 120_000, other));
    });

    it('idle workers are reused by pools with the same stack size and by the global pool, and end after their keep-alive', async () => {
      expectReuseRules(await scenario('reuse-rules', 60_000, other));
    });
  });
}
