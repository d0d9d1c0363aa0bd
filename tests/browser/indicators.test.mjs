// rayon-web-indicators' JS API in browsers: both builds against the mpmath
// fixture and the threaded build (pool of 2) equal to the single-threaded one,
// in a worker. Chromium and Firefox (RAYON_WEB_BROWSERS restricts).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BROWSERS = (process.env.RAYON_WEB_BROWSERS ?? 'chromium,firefox').split(',').filter((b) => b === 'chromium' || b === 'firefox');
let server;
before(async () => { server = await serve(ROOT, { isolated: true }); });
after(async () => { await server?.close(); });

for (const name of BROWSERS) {
  describe(`indicators in ${name}`, { timeout: 180_000 }, () => {
    let result;
    before(async () => {
      const browser = await launch(name);
      try {
        const page = await browser.open(`${server.url}/tests/browser/indicators/index.html`);
        try { result = await page.result(120_000); } finally { await page.close(); }
      } finally {
        await browser.close();
      }
    }, { timeout: 150_000 });
    it('runs cross-origin isolated', () => assert.equal(result.isolated, true));
    it('single-threaded build: every check passes', () => {
      const failed = result.single.filter((r) => !r.ok);
      assert.ok(result.single.length > 20, `${result.single.length} checks ran`);
      assert.deepEqual(failed, []);
    });
    it('threaded build on a pool of 2: every check passes, incl. bitwise equality with the single build', () => {
      const failed = result.threads.filter((r) => !r.ok);
      assert.ok(result.threads.some((r) => r.name.startsWith('large batches')), 'the cross-build check ran');
      assert.deepEqual(failed, []);
    });
  });
}
