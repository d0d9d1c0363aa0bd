// The consumer crate packaged by `wasm-pack build --target web` (the command users
// run; xtask builds it into target/pkg/consumer-wasm-pack with the project's
// wasm-bindgen CLI, see README "wasm-pack"): the same Node and Chromium checks as
// the xtask-built package, in Node, Chromium and Firefox — a pool of 2, both threads did work, parallel == sequential.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from '../node/fixtures/run.mjs';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = `${ROOT}target/pkg/consumer-wasm-pack/`;

function assertPool(r) {
  assert.equal(r.threads, 2, JSON.stringify(r));
  assert.ok(r.parallel > 0);
  assert.equal(r.parallel, r.sequential, 'sumParallel == sumSequential');
  assert.equal(r.distinct, 2, 'distinctThreads(64): both pool threads took part');
}

it('wasm-pack made the package (package.json, glue, .wasm)', () => {
  for (const f of ['package.json', 'rayon_web_consumer.js', 'rayon_web_consumer_bg.wasm']) {
    assert.ok(existsSync(PKG + f), `${PKG}${f} is missing: cargo xtask test runs wasm-pack first`);
  }
});

it('Node: a 2-thread pool from the wasm-pack package, and the process exits by itself', async () => {
  const r = await run('wasm-pack-pool');
  assert.equal(r.ok, 2, JSON.stringify(r));
  assertPool(r);
});

let server;
before(async () => { server = await serve(ROOT, { isolated: true }); }, { timeout: 30_000 });
after(async () => { await server?.close(); });

for (const name of ['chromium', 'firefox']) {
  it(`${name}: the same page as the xtask-built package, pool of 2 in a module worker`, { timeout: 120_000 }, async () => {
    const browser = await launch(name);
    try {
      const page = await browser.open(`${server.url}/tests/consumer-web/index.html?pkg=consumer-wasm-pack&threads=2&n=1000000&reps=2`);
      try {
        const r = await page.result(60_000);
        assert.equal(r.context, 'worker');
        assert.equal(r.resolvedWith, 2);
        assertPool(r);
      } finally {
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
}
