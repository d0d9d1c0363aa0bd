// The fixture apps of tests/fixtures/<bundler>/ (webpack 5, Parcel 2, Rollup 4,
// esbuild), each a production build made like a user's (`npm run build` with
// the bundler and plugins pinned in its lockfile), served with and without
// COOP/COEP, in headless Chromium and Firefox:
//   - the consumer package in the app's module worker: initThreadPool(2), both
//     pool threads did work, parallel == sequential;
//   - without COOP/COEP the same page's initThreadPool rejects with NOT_CROSS_ORIGIN_ISOLATED;
//   - webpack and Parcel without `glueUrl` (see README): a coded WORKER_LOAD_FAILED, not a hang;
//   - rayon-web-host bundled by the same app picks the threaded build when
//     isolated and the single-threaded fallback (saying why) when not, with the same result.
// Each app is built once; one browser session per engine; every page load has a deadline.
// RAYON_WEB_BUNDLERS=webpack,parcel,rollup,esbuild and RAYON_WEB_BROWSERS=chromium,firefox restrict the runs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pick = (env, all) => (process.env[env] ?? all).split(',').map((s) => s.trim()).filter(Boolean);
const BUNDLERS = pick('RAYON_WEB_BUNDLERS', 'webpack,parcel,rollup,esbuild');
const BROWSERS = pick('RAYON_WEB_BROWSERS', 'chromium,firefox').filter((b) => b !== 'webkit');
const THREADS = 2;
const BUILD_MS = 180_000;
const PAGE_MS = 45_000;

/// `npm run build` in the fixture: its output lands in target/fixtures/<bundler>/.
function build(bundler) {
  const dir = `${ROOT}tests/fixtures/${bundler}`;
  if (!existsSync(`${dir}/node_modules`)) {
    return Promise.reject(new Error(`${dir}/node_modules is missing: run \`npm ci\` there (cargo xtask test does)`));
  }
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile('npm', ['run', '--silent', 'build'], { cwd: dir, timeout: BUILD_MS, env: { ...process.env, NODE_ENV: 'production' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${bundler} build failed${err.killed ? ` (no end within ${BUILD_MS / 1000} s)` : ''}: ${err.message}\n${stdout}\n${stderr}`));
        else resolve({ out: `${ROOT}target/fixtures/${bundler}/`, ms: performance.now() - t0 });
      });
  });
}

const apps = {}; // bundler -> { ms, iso: server, noIso: server } or { error }

before(async () => {
  for (const bundler of BUNDLERS) {
    try {
      const { out, ms } = await build(bundler);
      apps[bundler] = { ms, iso: await serve(out, { isolated: true }), noIso: await serve(out, { isolated: false }) };
    } catch (error) {
      apps[bundler] = { error };
    }
  }
}, { timeout: BUILD_MS * BUNDLERS.length });

after(async () => {
  for (const app of Object.values(apps)) {
    await app.iso?.close();
    await app.noIso?.close();
  }
});

function appOf(bundler) {
  const app = apps[bundler];
  if (app.error) throw app.error;
  return app;
}

async function load(browser, server, query) {
  const page = await browser.open(`${server.url}/index.html?${new URLSearchParams(query)}`);
  try {
    return await page.result(PAGE_MS);
  } catch (e) {
    const logs = page.logs();
    if (logs.length) e.message += `\n--- console ---\n${logs.join('\n')}`;
    throw e;
  } finally {
    await page.close();
  }
}


for (const name of BROWSERS) {
  describe(name, { timeout: 900_000 }, () => {
    let browser;
    before(async () => { browser = await launch(name); }, { timeout: 60_000 });
    after(async () => { await browser?.close(); }, { timeout: 60_000 });

    for (const bundler of BUNDLERS) {
      it(`${bundler}: the worker's pool of ${THREADS} runs on both threads, parallel == sequential`, { timeout: 120_000 }, async (t) => {
        const app = appOf(bundler);
        const r = await load(browser, app.iso, { app: 'consumer', threads: THREADS, n: 1_000_000, reps: 2 });
        assert.equal(r.context, 'worker');
        assert.equal(r.crossOriginIsolated, true, 'crossOriginIsolated');
        assert.equal(r.resolvedWith, THREADS, 'initThreadPool resolved with');
        assert.equal(r.threads, THREADS, 'numThreads()');
        assert.ok(r.parallel > 0, 'sum is positive');
        assert.equal(r.parallel, r.sequential, 'sumParallel == sumSequential');
        assert.equal(r.distinct, THREADS, 'distinctThreads(64): every pool thread took part');
        t.diagnostic(`${name} ${bundler}: build ${(app.ms / 1000).toFixed(1)} s, init() ${r.loadMs.toFixed(1)} ms, ` +
          `initThreadPool(${THREADS}) ${r.initMs.toFixed(1)} ms`);
      });

      it(`${bundler}: without COOP/COEP initThreadPool rejects with NOT_CROSS_ORIGIN_ISOLATED`, { timeout: 120_000 }, async () => {
        const r = await load(browser, appOf(bundler).noIso, { app: 'consumer', threads: THREADS, mode: 'reject' });
        assert.equal(r.rejected, true);
        assert.equal(r.crossOriginIsolated, false);
        assert.equal(r.name, 'RayonWebError');
        assert.equal(r.code, 'NOT_CROSS_ORIGIN_ISOLATED', r.message);
        assert.match(r.message, /"Cross-Origin-Opener-Policy: same-origin"/);
      });

      if (bundler === 'webpack' || bundler === 'parcel') {
        it(`${bundler}: without glueUrl the pool rejects with WORKER_LOAD_FAILED naming the glue URL (no hang)`, { timeout: 120_000 }, async () => {
          const r = await load(browser, appOf(bundler).iso, { app: 'consumer', threads: THREADS, mode: 'reject', glue: 'bundled' });
          assert.equal(r.rejected, true);
          assert.equal(r.name, 'RayonWebError');
          assert.equal(r.code, 'WORKER_LOAD_FAILED', r.message);
          // The bundler replaced the glue's import.meta.url with a file: URL at build time.
          assert.match(r.message, /could not import the wasm-bindgen glue from file:/);
          assert.ok(r.rejectMs < 10_000, `rejected after ${r.rejectMs} ms`);
        });
      }

      it(`${bundler}: rayon-web-host picks threads when isolated, shards of the single-threaded build when not, same result`, { timeout: 180_000 }, async (t) => {
        const app = appOf(bundler);
        const threads = await load(browser, app.iso, { app: 'host' });
        const single = await load(browser, app.noIso, { app: 'host' });
        assert.equal(threads.mode, 'threads', threads.reason);
        assert.equal(threads.threads, THREADS);
        // Without isolation the host runs the single-threaded build: as shards (one
        // instance per worker, the batch split between them) when the browser reports
        // more than one core, else one instance.
        if (single.cores > 1) {
          assert.equal(single.mode, 'shards', single.reason);
          assert.ok(single.shards >= 2, `shards: ${single.shards}`);
          assert.equal(single.parts, single.shards, 'the bundled host split the batch over every shard');
        } else {
          assert.equal(single.mode, 'single', single.reason);
        }
        assert.match(single.reason, /not cross-origin isolated/);
        assert.equal(threads.rows, 40);
        assert.ok(Number.isFinite(threads.checksum) && threads.checksum !== 0);
        assert.equal(single.checksum, threads.checksum, 'threaded and single-threaded builds give the same batch');
        t.diagnostic(`${name} ${bundler}: host checksum ${threads.checksum}`);
      });
    }
  });
}
