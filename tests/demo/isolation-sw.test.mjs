// rayon-web-host's self-isolation service worker (js/src/isolation-sw.js): the
// demo served WITHOUT COOP/COEP but opened with ?isolate=sw registers it,
// reloads once, and then runs the threaded build (headless Chromium and
// Firefox ESR); the batch equals the single build's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServers } from '../../demo/serve.mjs';
import { launch } from '../support/browsers.mjs';
import { serve } from '../support/server.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let urls;

before(async () => { urls = await startServers({ port: 0, pkgDir: process.env.DEMO_PKG_DIR ?? path.join(ROOT, 'target/pkg') }); });
after(async () => { await urls?.close(); });

/** Polls until the (reloaded) demo is ready; evaluate may fail while the page reloads. */
async function readyState(page, ms) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const s = await page.evaluate('window.demo && window.demo.ready ? JSON.stringify(window.demo.state()) : null');
      if (s) return JSON.parse(s);
    } catch { /* navigating */ }
    if (Date.now() > end) throw new Error(`the demo was not ready within ${ms} ms`);
    await sleep(200);
  }
}

for (const engine of ['chromium', 'firefox']) {
  test(`the demo without COOP/COEP reaches threads mode in ${engine} with the isolation service worker`, { timeout: 150_000 }, async () => {
    const browser = await launch(engine);
    try {
      // Without the service worker: no isolation (shards).
      const plain = await browser.open(urls.plain);
      try {
        const s = await readyState(plain, 60_000);
        assert.equal(s.crossOriginIsolated, false, JSON.stringify(s));
        assert.notEqual(s.mode, 'threads', JSON.stringify(s));
      } finally { await plain.close(); }

      const page = await browser.open(`${urls.plain}?isolate=sw`);
      try {
        const s = await readyState(page, 90_000);
        const info = `${engine}: ${JSON.stringify(s)}`;
        assert.equal(s.error, null, info);
        assert.equal(s.crossOriginIsolated, true, info);
        assert.equal(s.mode, 'threads', info);
        assert.equal(s.isolation?.isolated, true, info);
        assert.match(s.isolation.reason, /service worker/, info);
        const reloaded = await page.evaluate("String(performance.getEntriesByType('navigation')[0]?.type)");
        assert.equal(reloaded, 'reload', `${info}: the page should have reloaded once`);
        // One expression: the Firefox and WebKit drivers evaluate `return (source)`.
        await page.evaluate('(window.__result = undefined, window.demo.runDefault().then((v) => { window.__result = v; }, (e) => { window.__error = { message: String(e) }; }), true)');
        const r = await page.result(90_000);
        assert.equal(r.error, null, JSON.stringify(r));
        assert.equal(r.mode, 'threads');
        assert.equal(r.checksumsMatch, true, JSON.stringify(r));
        console.log(`# ${engine} ?isolate=sw: ${r.mode} ${r.threads} threads, ${r.rows}x${r.cols} in ${r.ms.toFixed(0)} ms, checksums match the single build`);
      } finally { await page.close(); }
    } finally {
      await browser.close();
    }
  });
}

// A page whose app already has a service worker (a PWA's): registering the
// isolation worker on its scope would replace it. selfIsolate says so instead,
// and the app's worker stays (tests/demo/fixtures/sw-conflict.html).
for (const engine of ['chromium', 'firefox']) {
  test(`selfIsolate does not replace an app's own service worker (${engine})`, { timeout: 90_000 }, async () => {
    const server = await serve(ROOT, { isolated: false });
    const browser = await launch(engine);
    try {
      const page = await browser.open(`${server.url}/tests/demo/fixtures/sw-conflict.html`);
      try {
        const r = await page.result(60_000);
        const info = `${engine}: ${JSON.stringify(r)}`;
        assert.equal(r.iso.isolated, false, info);
        assert.match(r.iso.reason, /another service worker \(.*other-sw\.js\) already serves .*fixtures\/; registering the isolation worker would replace it/, info);
        assert.deepEqual(r.scripts.map((u) => new URL(u).pathname), ['/tests/demo/fixtures/other-sw.js'], info);
        assert.equal(r.isolated, false, info);
      } finally { await page.close(); }
    } finally {
      await browser.close();
      await server.close();
    }
  });
}
