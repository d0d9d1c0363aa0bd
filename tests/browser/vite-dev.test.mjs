// The Vite apps of tests/consumer-vite (the pool in a module worker) and
// tests/host-vite (rayon-web-host) under Vite's *dev server* — what developers
// run all day (`npm run dev`), where Vite serves modules one by one and rewrites
// them on the fly instead of bundling. It rewrote the `import()` inside the pool
// workers' bootstrap, which is shipped as source text into blob: workers, into
// `import(__vite__injectQuery(...))`: every pool failed with WORKER_LOAD_FAILED
// ("__vite__injectQuery is not defined"). Headless Chromium and Firefox.
// RAYON_WEB_BROWSERS=chromium,firefox restricts the engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { launch } from '../support/browsers.mjs';

const config = (app) => fileURLToPath(new URL(`../${app}/vite.config.js`, import.meta.url));
const BROWSERS = (process.env.RAYON_WEB_BROWSERS ?? 'chromium,firefox').split(',').map((s) => s.trim()).filter((b) => b === 'chromium' || b === 'firefox');
const servers = {};

before(async () => {
  for (const app of ['consumer-vite', 'host-vite']) {
    // port 0: any free port; Vite serves with the COOP/COEP headers of the app's config.
    const server = await createServer({ configFile: config(app), logLevel: 'warn', server: { port: 0, strictPort: false } });
    await server.listen();
    servers[app] = { server, url: server.resolvedUrls.local[0].replace(/\/$/, '') };
  }
});
after(async () => {
  for (const { server } of Object.values(servers)) await server.close();
});

for (const name of BROWSERS) {
  describe(`Vite dev server, ${name}`, { timeout: 180_000 }, () => {
    let browser;
    before(async () => { browser = await launch(name); });
    after(async () => { await browser?.close(); });

    it('the pool starts in a module worker (glue served by Vite) and both threads work', async () => {
      const page = await browser.open(`${servers['consumer-vite'].url}/index.html?threads=2`);
      try {
        const r = await page.result(90_000);
        assert.equal(r.resolvedWith, 2, JSON.stringify(r));
        assert.equal(r.threads, 2);
        assert.equal(r.parallel, r.sequential);
        assert.equal(r.liveAfter, 2);
      } finally {
        await page.close();
      }
    });

    it('rayon-web-host runs its threaded build', async () => {
      const page = await browser.open(`${servers['host-vite'].url}/index.html`);
      try {
        const r = await page.result(90_000);
        assert.equal(r.mode, 'threads', JSON.stringify(r));
        assert.equal(r.threads, 2);
        assert.equal(r.rows, 80);
        assert.ok(Number.isFinite(r.checksum));
        assert.ok(r.progressEvents >= 1);
      } finally {
        await page.close();
      }
    });
  });
}
