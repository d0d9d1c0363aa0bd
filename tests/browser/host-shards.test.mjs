// rayon-web-host in browsers: the `shards` mode on an origin WITHOUT COOP/COEP
// (Chromium, Firefox ESR, WebKitGTK): mode, results bitwise equal to the single
// build, progress to 100 %, frames keep coming, a trapping shard rejects with
// POOL_BROKEN and recreate() recovers. Also, in Chromium on an isolated origin,
// the races of issue 12 item 5 (calls during recreate, unsendable arguments).
import { describe, it, before, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';
import {
  expectShardsAlma, expectShardsMany, expectShardTrap, expectReusedOutputs, expectAbortCalls, expectCallsDuringRecreate, expectThreadsCannotStart, expectUnsendable, expectTerminateWhileStarting, expectUndeclaredWrites,
} from './host/expect.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const servers = {};

before(async () => {
  servers.plain = await serve(ROOT, { isolated: false });
  servers.isolated = await serve(ROOT, { isolated: true });
}, { timeout: 30_000 });

after(async () => {
  await servers.plain?.close();
  await servers.isolated?.close();
});

async function scenario(browser, origin, name, ms = 90_000) {
  const page = await browser.open(`${servers[origin].url}/tests/browser/host/index.html?case=${name}`);
  try {
    return await page.result(ms);
  } finally {
    await page.close();
  }
}

for (const engine of ['chromium', 'firefox', 'webkit']) {
  describe(`rayon-web-host shards mode in ${engine} (no cross-origin isolation)`, { timeout: 300_000 }, () => {
    let browser;
    before(async () => { browser = await launch(engine); }, { timeout: 60_000 });
    after(async () => { await browser?.close(); });

    it('almaBatch/almaBatchInto over 2 shards equal the single build bitwise, progress reaches 100 %, frames keep coming', async () => {
      const r = await scenario(browser, 'plain', 'shardsAlma');
      console.log(`# ${engine} shards: ${r.rows}x${r.cols} in ${r.shardMs.toFixed(0)} ms, ${r.framesDuring} frames, ${r.progressEvents} progress events`);
      expectShardsAlma(r, { frames: true });
    });
    it('many-series batches split by series equal the single build bitwise; a rejected series keeps its index', async () => {
      expectShardsMany(await scenario(browser, 'plain', 'shardsMany'));
    });
    it('almaBatchInto through kept output buffers is exact in shards and single mode; a rejection leaves the caller\'s array', async () => {
      expectReusedOutputs(await scenario(browser, 'plain', 'reusedOutputs'), { modes: ['single', 'shards'] });
    });
    it('a trapping shard rejects with POOL_BROKEN, later calls at once, recreate() restarts the shards', async () => {
      expectShardTrap(await scenario(browser, 'plain', 'shardTrap'));
    });
    it('signal: aborted calls reject at once with ABORTED, write nothing, queued ones are never sent (single, shards)', async () => {
      expectAbortCalls(await scenario(browser, 'plain', 'abortCalls', 180_000), { modes: ['single', 'shards'] });
    });
    it('an undeclared export that writes into its argument writes the caller\'s array (single, shards)', async () => {
      expectUndeclaredWrites(await scenario(browser, 'plain', 'undeclaredWrites'), { isolated: false });
    });
  });
}

describe('rayon-web-host races in chromium (isolated origin)', { timeout: 300_000 }, () => {
  let browser;
  before(async () => { browser = await launch('chromium'); }, { timeout: 60_000 });
  after(async () => { await browser?.close(); });

  it('calls made while recreate() runs are queued and run on the new pool', async () => {
    expectCallsDuringRecreate(await scenario(browser, 'isolated', 'callsDuringRecreate'));
  });
  it('a threaded build that cannot start: forced mode rejects with a code, auto mode says why', async () => {
    expectThreadsCannotStart(await scenario(browser, 'isolated', 'threadsCannotStart'));
  });
  it('arguments that cannot be sent reject with INVALID_ARGUMENT naming them', async () => {
    expectUnsendable(await scenario(browser, 'isolated', 'unsendable'));
  });
  it('terminate() during a recreate rejects the queued calls with HOST_TERMINATED', async () => {
    expectTerminateWhileStarting(await scenario(browser, 'isolated', 'terminateWhileStarting'));
  });
  it('an undeclared export that writes into its argument writes the caller\'s array in every mode', async () => {
    expectUndeclaredWrites(await scenario(browser, 'isolated', 'undeclaredWrites'));
  });
  it('signal: an aborted threads batch stops (the next call runs at once); single and shards reject at once too', async () => {
    expectAbortCalls(await scenario(browser, 'isolated', 'abortCalls', 180_000), { modes: ['threads', 'single', 'shards'] });
  });
});
