// Browser end-to-end tests of rayon-web through tests/consumer (threaded build
// in target/pkg/consumer), in Chromium, Firefox and WebKitGTK:
//   - the plain-files page (tests/consumer-web) and a Vite build of
//     tests/consumer-vite, each with the pool started in a module worker and
//     from the page's main thread, plus repeated fresh start-ups;
//   - browser-only rejections: no COOP/COEP, a CSP without worker-src blob:,
//     WebKit without SharedArrayBuffer.
// Run from the repository root: `node --test tests/browser/`
// RAYON_WEB_BROWSERS=chromium,firefox restricts the engines; RAYON_WEB_REPEATS
// sets the number of fresh start-ups per browser and page kind (default 8).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';
import { buildViteConsumer } from '../support/vite-build.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const BROWSERS = (process.env.RAYON_WEB_BROWSERS ?? 'chromium,firefox,webkit')
  .split(',').map((s) => s.trim()).filter(Boolean);
const REPEATS = Number(process.env.RAYON_WEB_REPEATS ?? 8);
const THREADS = 2;
const CSP = { 'Content-Security-Policy': "worker-src 'self'" };

const servers = {};
let viteOut;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  viteOut = await buildViteConsumer();
  const make = async (key, root, opts) => { servers[key] = await serve(root, opts); };
  await make('plain', ROOT, { isolated: true });
  await make('plainNoIso', ROOT, { isolated: false });
  await make('plainCsp', ROOT, { isolated: true, headers: CSP });
  await make('vite', viteOut, { isolated: true });
  await make('viteNoIso', viteOut, { isolated: false });
  await make('viteCsp', viteOut, { isolated: true, headers: CSP });
}, { timeout: 120_000 });

after(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

const KINDS = {
  plain: { path: '/tests/consumer-web/index.html', iso: 'plain', noIso: 'plainNoIso', csp: 'plainCsp' },
  vite: { path: '/index.html', iso: 'vite', noIso: 'viteNoIso', csp: 'viteCsp' },
};

function urlOf(serverKey, kind, query) {
  return `${servers[serverKey].url}${KINDS[kind].path}?${new URLSearchParams(query)}`;
}

/// Loads `url` in a fresh page, waits (deadline `ms`) for its result, closes
/// the page. Page errors and timeouts carry the page's console (Chromium).
async function load(browser, url, ms, { screenshot } = {}) {
  const t0 = performance.now();
  const page = await browser.open(url);
  try {
    const result = await page.result(Math.max(1000, ms - (performance.now() - t0)));
    if (screenshot) await page.screenshot(screenshot);
    return result;
  } catch (e) {
    const logs = page.logs();
    if (logs.length && !e.message.includes(logs[0])) e.message += `\n--- console ---\n${logs.join('\n')}`;
    if (screenshot) await page.screenshot(screenshot.replace(/\.png$/, '-failed.png')).catch(() => {});
    throw e;
  } finally {
    await page.close();
  }
}

const f1 = (x) => x.toFixed(1);
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ') + ` on ${os.cpus().length} cores`;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

function assertPool(r, where) {
  assert.equal(r.crossOriginIsolated, true, `${where}: crossOriginIsolated`);
  assert.equal(r.resolvedWith, THREADS, `${where}: initThreadPool resolved with`);
  assert.equal(r.threads, THREADS, `${where}: numThreads()`);
  assert.equal(typeof r.parallel, 'number');
  assert.ok(r.parallel > 0, `${where}: sum is positive`);
  assert.equal(r.parallel, r.sequential, `${where}: sumParallel == sumSequential`);
}

function assertNotIsolated(r) {
  assert.equal(r.rejected, true);
  assert.equal(r.crossOriginIsolated, false);
  assert.equal(r.code, 'NOT_CROSS_ORIGIN_ISOLATED', r.message);
  assert.equal(r.name, 'RayonWebError');
  assert.match(r.message, /not cross-origin isolated/);
  assert.match(r.message, /"Cross-Origin-Opener-Policy: same-origin"/);
  assert.match(r.message, /"Cross-Origin-Embedder-Policy: require-corp"/);
  // The threaded module still computes after the rejection, on the calling thread (README's error table).
  assert.deepEqual(r.after, { parallel: r.after.sequential, sequential: r.after.sequential, threads: 1 }, JSON.stringify(r.after));
  assert.ok(r.after.sequential > 0);
}

for (const name of BROWSERS) {
  describe(name, { timeout: 600_000 }, () => {
    let browser;
    before(async () => { browser = await launch(name); }, { timeout: 60_000 });
    after(async () => { await browser?.close(); }, { timeout: 60_000 });

    for (const kind of Object.keys(KINDS)) {
      const k = KINDS[kind];

      it(`${kind} page: pool of ${THREADS} in a worker — size, parallel == sequential, distinct threads`, { timeout: 90_000 }, async (t) => {
        // A pool of 1 first: the same parallel code on one pool thread is the
        // baseline of the speed-up (sumSequential compiles to different code).
        const one = await load(browser, urlOf(k.iso, kind, { threads: 1, reps: 5 }), 45_000);
        assert.equal(one.threads, 1, 'numThreads() of a pool of 1');
        assert.equal(one.distinct, 1, 'distinctThreads(64) in a pool of 1');
        assert.equal(one.parallel, one.sequential);
        const r = await load(browser, urlOf(k.iso, kind, { threads: THREADS, reps: 5 }), 45_000,
          { screenshot: `${ARTIFACTS}${name}-${kind}.png` });
        assert.equal(r.context, 'worker');
        assertPool(r, `${name} ${kind}`);
        assert.equal(r.parallel, one.parallel, 'same sum with 1 and 2 threads');
        assert.equal(r.distinct, THREADS, 'distinctThreads(64): every pool thread took part');
        assert.deepEqual(r.scopeSpawnJoin, [THREADS, 0, 16, THREADS, 0, 16, THREADS, 0, 16],
          'rayon::join, scope and spawn: every pool thread took part, no task outside the pool');
        t.diagnostic(`${name} ${kind}: initThreadPool(${THREADS}) ${f1(r.initMs)} ms, initThreadPool(1) ${f1(one.initMs)} ms ` +
          `(init() ${f1(r.loadMs)} ms); sum of ${r.n}, best of 5: sumParallel on 1 pool thread ${f1(one.parMs)} ms, ` +
          `on ${THREADS} ${f1(r.parMs)} ms -> speed-up ${(one.parMs / r.parMs).toFixed(2)}x; ` +
          `sumSequential ${f1(r.seqMs)} ms (seq/par ${(r.seqMs / r.parMs).toFixed(2)}x); load average ${loadavg()}`);
      });

      it(`${kind} page: initThreadPool from the page's main thread`, { timeout: 60_000 }, async (t) => {
        const r = await load(browser, urlOf(k.iso, kind, { threads: THREADS, mode: 'main' }), 30_000);
        assert.equal(r.context, 'page');
        assertPool(r, `${name} ${kind} main thread`);
        t.diagnostic(`${name} ${kind} main thread: initThreadPool(${THREADS}) ${f1(r.initMs)} ms`);
      });

      it(`${kind} page: prewarmThreadPool before init(), in a worker and on the main thread: the pool takes the prewarmed workers`, { timeout: 90_000 }, async (t) => {
        for (const mode of ['worker', 'main']) {
          const r = await load(browser, urlOf(k.iso, kind, { threads: THREADS, mode, prewarm: 1, n: 200_000, reps: 1 }), 30_000);
          assertPool(r, `${name} ${kind} ${mode} prewarmed`);
          assert.equal(r.prewarmed, THREADS, 'prewarmThreadPool returned');
          assert.equal(r.liveBefore, THREADS, 'workers alive after init()');
          assert.equal(r.liveAfter, THREADS, 'the pool created workers of its own');
          if (mode === 'worker') assert.equal(r.distinct, THREADS, 'distinctThreads(64)');
          t.diagnostic(`${name} ${kind} ${mode}: initThreadPool(${THREADS}) on prewarmed workers ${f1(r.initMs)} ms (init() ${f1(r.loadMs)} ms)`);
        }
      });

      if (kind === 'plain') {
        it('plain page: rayon-web-host prewarmPool before the glue is imported, in a worker and on the main thread: the pool takes those workers; an entry of another protocol is ended, not used', { timeout: 120_000 }, async (t) => {
          for (const mode of ['worker', 'main']) {
            for (const prewarm of ['early', 'early-stale']) {
              const r = await load(browser, urlOf(k.iso, kind, { threads: THREADS, mode, prewarm, n: 200_000, reps: 1 }), 30_000);
              const what = `${name} ${mode} prewarm=${prewarm}`;
              assertPool(r, what);
              assert.equal(r.earlyStarted, THREADS, `${what}: prewarmPool returned`);
              assert.equal(r.earlyWaiting, THREADS + (prewarm === 'early-stale' ? 1 : 0), `${what}: registry entries before the glue`);
              assert.equal(r.earlyAfter, 0, `${what}: the pool took (or ended) every registry entry`);
              assert.equal(r.earlyUsed, THREADS, `${what}: prewarmed workers the pool started`);
              assert.equal(r.earlyStaleUsed, 0, `${what}: the other protocol's worker was used`);
              assert.equal(r.liveAfter, THREADS, `${what}: live pool workers (the prewarmed ones, none of its own besides)`);
              if (mode === 'worker') assert.equal(r.distinct, THREADS, `${what}: distinctThreads(64)`);
              if (prewarm === 'early') t.diagnostic(`${name} ${mode}: initThreadPool(${THREADS}) on workers prewarmed before the glue ${f1(r.initMs)} ms (init() ${f1(r.loadMs)} ms)`);
            }
          }
        });
      }

      it(`${kind} page: ${REPEATS} fresh start-ups, each within 15 s`, { timeout: REPEATS * 20_000 + 10_000 }, async (t) => {
        const init = [];
        for (let i = 0; i < REPEATS; i++) {
          let r;
          try {
            r = await load(browser, urlOf(k.iso, kind, { threads: THREADS, n: 200_000, reps: 1 }), 15_000);
          } catch (e) {
            e.message = `start-up ${i + 1} of ${REPEATS}: ${e.message}`;
            throw e;
          }
          assertPool(r, `${name} ${kind} run ${i + 1}`);
          assert.equal(r.distinct, THREADS, `run ${i + 1}: distinctThreads(64)`);
          init.push(r.initMs);
        }
        t.diagnostic(`${name} ${kind}: initThreadPool(${THREADS}) over ${REPEATS} page loads: median ${f1(median(init))} ms, ` +
          `min ${f1(Math.min(...init))}, max ${f1(Math.max(...init))}; load average ${loadavg()}`);
      });

      for (const where of kind === 'plain' ? ['worker', 'page'] : ['worker']) {
        it(`${kind} page, no COOP/COEP, from the ${where}: rejects with NOT_CROSS_ORIGIN_ISOLATED (prewarmThreadPool starts nothing)`, { timeout: 30_000 }, async () => {
          const r = await load(browser, urlOf(k.noIso, kind, { threads: THREADS, mode: 'reject', in: where }), 20_000);
          assert.equal(r.context, where);
          assert.equal(r.pageCrossOriginIsolated, false);
          assertNotIsolated(r);
          const p = await load(browser, urlOf(k.noIso, kind, { threads: THREADS, mode: 'reject', in: where, prewarm: 1 }), 20_000);
          assert.equal(p.prewarmed, 0);
          assert.equal(p.liveBefore, 0);
          assertNotIsolated(p);
        });

        it(`${kind} page, CSP worker-src 'self', from the ${where}: rejects with WORKER_LOAD_FAILED within 5 s`, { timeout: 30_000 }, async (t) => {
          const r = await load(browser, urlOf(k.csp, kind, { threads: THREADS, mode: 'reject', in: where }), 20_000);
          assert.equal(r.context, where);
          assert.equal(r.crossOriginIsolated, true);
          assert.equal(r.rejected, true);
          assert.equal(r.code, 'WORKER_LOAD_FAILED', r.message);
          assert.equal(r.name, 'RayonWebError');
          assert.match(r.message, /^rayon-web: .*worker rayon-web-\d/);
          assert.ok(r.rejectMs < 5000, `rejected after ${r.rejectMs} ms`);
          t.diagnostic(`${name} ${kind} CSP (${where}) after ${f1(r.rejectMs)} ms: ${r.message}`);
          // Prewarmed workers the CSP blocked: the same coded rejection, none left alive.
          const p = await load(browser, urlOf(k.csp, kind, { threads: THREADS, mode: 'reject', in: where, prewarm: 1 }), 20_000);
          assert.equal(p.rejected, true);
          assert.equal(p.code, 'WORKER_LOAD_FAILED', p.message);
          assert.match(p.message, /^rayon-web: .*worker rayon-web-\d/);
          assert.ok(p.rejectMs < 5000, `rejected after ${p.rejectMs} ms`);
          assert.equal(p.liveAfter, 0, 'workers left alive');
        });
      }
    }
  });
}

if (BROWSERS.includes('webkit')) {
  describe('webkit without JSC_useSharedArrayBuffer', { timeout: 300_000 }, () => {
    let browser;
    before(async () => { browser = await launch('webkit', { env: { JSC_useSharedArrayBuffer: null } }); }, { timeout: 60_000 });
    after(async () => { await browser?.close(); }, { timeout: 60_000 });

    for (const kind of Object.keys(KINDS)) {
      for (const where of ['worker', 'page']) {
        it(`${kind} page, from the ${where}: crossOriginIsolated yet rejects with SHARED_MEMORY_UNAVAILABLE`, { timeout: 30_000 }, async () => {
          const r = await load(browser, urlOf(KINDS[kind].iso, kind, { threads: THREADS, mode: 'reject', in: where }), 20_000);
          assert.equal(r.context, where);
          assert.equal(r.crossOriginIsolated, true);
          assert.equal(r.sharedArrayBuffer, 'undefined');
          assert.equal(r.rejected, true);
          assert.equal(r.code, 'SHARED_MEMORY_UNAVAILABLE', r.message);
          assert.equal(r.name, 'RayonWebError');
          assert.match(r.message, /SharedArrayBuffer is not available/);
          assert.match(r.message, /crossOriginIsolated === true/);
        });
      }
    }
  });
}
