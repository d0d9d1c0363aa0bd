// rayon-web-host (js/) bundled by Vite (production build): the threaded build on
// a cross-origin isolated origin, shards of the single-threaded build (with the
// reason) without COOP/COEP, identical results, progress reported. Headless Chromium.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';

const CONFIG = fileURLToPath(new URL('../host-vite/vite.config.js', import.meta.url));
const OUT = fileURLToPath(new URL('../../target/vite-host/', import.meta.url));
const results = {};

before(async () => {
  await build({ configFile: CONFIG, logLevel: 'warn' });
  const browser = await launch('chromium');
  try {
    for (const isolated of [true, false]) {
      const server = await serve(OUT, { isolated });
      try {
        const page = await browser.open(`${server.url}/index.html`);
        try { results[isolated] = await page.result(60_000); } finally { await page.close(); }
      } finally {
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }
}, { timeout: 180_000 });

describe('rayon-web-host in a Vite production build (chromium)', () => {
  it('uses the threaded build with 2 threads on the isolated origin', () => {
    assert.equal(results[true].mode, 'threads');
    assert.equal(results[true].threads, 2);
    assert.ok(results[true].progressEvents > 1, `${results[true].progressEvents} progress events`);
  });
  it('runs 2 shards of the single-threaded build without COOP/COEP and says why', () => {
    assert.equal(results[false].mode, 'shards');
    assert.equal(results[false].shards, 2);
    assert.match(results[false].reason, /not cross-origin isolated/);
    assert.ok(results[false].progressEvents > 1, `${results[false].progressEvents} progress events`);
  });
  it('both builds give the same batch', () => {
    assert.equal(results[true].rows, 80);
    assert.equal(results[true].checksum, results[false].checksum);
  });
});
