// The demo page (demo/) in Chromium, Firefox ESR and WebKitGTK, on the
// cross-origin isolated origin and on the plain one, served by the demo's own
// server (demo/serve.mjs, so its URL layout is what is tested), plus
// WebKitGTK without JSC_useSharedArrayBuffer=1 (isolated, yet no
// SharedArrayBuffer: the host must fall back to the single-threaded build),
// plus rayon-web-host running the threaded build in Node.
//
// Expected checksum: computed here in Node by loading the single-threaded
// wasm build (target/pkg/indicators-single) directly and running the page's
// default batch on the same seeded series — not from a native Rust run.
//
//   node --test tests/demo/          (from the repository root; `cargo xtask test` runs it)
//
// Screenshots: tests/artifacts/demo-<browser>-<origin>.png

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServers } from '../../demo/serve.mjs';
import { launch, deadline } from '../support/browsers.mjs';
import { DEFAULTS, LONG, batchParams } from '../../demo/defaults.js';
import { randomWalk } from '../../demo/series.js';
import { checksum } from '../../demo/stats.js';
import { createHost } from '../../js/src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = process.env.DEMO_PKG_DIR ?? path.join(ROOT, 'target/pkg');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts');
const GLUE = 'rayon_web_indicators.js';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let urls;
let expected; // { sum, nanCount } of the default batch, from the single build in Node
let nativeMismatch; // null, or what differs between that batch and the native crate's

/**
 * The default batch computed by the native crate (indicators/examples/batch_file.rs,
 * AVX-512/AVX2 kernels) against the wasm single-threaded build's: same shape, same
 * NaN mask, every value within 1e-12 * max(1, |native|) (FMA vs separate
 * multiply-add rounding may differ in the last bits).
 */
async function compareWithNative(prices, wasm) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rayon-web-demo-'));
  const input = path.join(dir, 'prices.f64');
  const output = path.join(dir, 'values.f64');
  await writeFile(input, new Uint8Array(prices.buffer, prices.byteOffset, prices.byteLength));
  const d = DEFAULTS;
  const args = [input, output, ...d.period, ...d.offset, ...d.sigma, String(d.floor)].map(String);
  const shape = JSON.parse(execFileSync(process.env.CARGO ?? 'cargo',
    ['run', '--quiet', '--release', '-p', 'rayon-web-indicators', '--example', 'batch_file', '--', ...args],
    { cwd: ROOT, timeout: 600_000, encoding: 'utf8' }));
  const buf = await readFile(output);
  const native = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  await rm(dir, { recursive: true, force: true });
  if (shape.rows !== wasm.rows || shape.cols !== wasm.cols) return `shape ${shape.rows}x${shape.cols} vs ${wasm.rows}x${wasm.cols}`;
  for (let k = 0; k < native.length; k++) {
    const a = native[k], b = wasm.values[k];
    if (Number.isNaN(a) !== Number.isNaN(b)) return `NaN mask differs at ${k}: native ${a}, wasm ${b}`;
    if (!Number.isNaN(a) && Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a))) return `value ${k}: native ${a}, wasm ${b}`;
  }
  return null;
}

before(async () => {
  for (const d of ['indicators-threads', 'indicators-single']) {
    assert.ok(existsSync(path.join(PKG, d, GLUE)), `${path.join(PKG, d, GLUE)} is missing: run \`cargo xtask build\``);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  const glue = await import(pathToFileURL(path.join(PKG, 'indicators-single', GLUE)).href);
  await glue.default({ module_or_path: await readFile(path.join(PKG, 'indicators-single', 'rayon_web_indicators_bg.wasm')) });
  const prices = randomWalk(DEFAULTS.length, DEFAULTS.seed);
  const out = glue.almaBatch(prices, batchParams(DEFAULTS));
  expected = { ...checksum(out.values, out.cols), rows: out.rows, cols: out.cols };
  nativeMismatch = await compareWithNative(prices, out);
  urls = await startServers({ port: 0, pkgDir: PKG });
});

after(async () => { await urls?.close(); });

test('the default batch of the wasm builds matches the native crate', () => {
  assert.equal(nativeMismatch, null, nativeMismatch ?? '');
});

/** Runs `expr` (a promise-valued expression) in the page; resolves with its value. */
async function pageRun(page, expr, ms) {
  await page.evaluate(`(() => { window.__result = undefined; window.__error = undefined;
    Promise.resolve().then(() => ${expr}).then((v) => { window.__result = v; }, (e) => { window.__error = { message: String(e) + ' ' + (e && e.stack) }; });
    return true; })()`);
  return page.result(ms);
}

async function waitReady(page, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const ready = await page.evaluate('!!(window.demo && window.demo.ready)');
    if (ready) return;
    if (Date.now() > end) throw new Error(`the demo page was not ready within ${ms} ms`);
    await sleep(100);
  }
}

const BROWSERS = [
  { name: 'chromium', launch: () => launch('chromium'), threads: true },
  { name: 'firefox', launch: () => launch('firefox'), threads: true },
  { name: 'webkit', launch: () => launch('webkit'), threads: true },
  // Isolated, yet no SharedArrayBuffer: the single-threaded build with a reason.
  { name: 'webkit-nosab', launch: () => launch('webkit', { env: { JSC_useSharedArrayBuffer: null } }), threads: false },
];

// DEMO_BROWSERS=chromium,webkit runs a subset.
const only = process.env.DEMO_BROWSERS?.split(',');
for (const b of BROWSERS.filter((x) => !only || only.includes(x.name))) {
  test(`demo in ${b.name}`, { timeout: 150_000 }, async (t) => {
    const browser = await b.launch();
    try {
      for (const origin of b.name === 'webkit-nosab' ? ['isolated'] : ['isolated', 'plain']) {
        await t.test(`${origin} origin`, async () => {
          const page = await browser.open(urls[origin]);
          try {
            await waitReady(page, 60_000);
            const hc = await page.evaluate('navigator.hardwareConcurrency || 2');

            // First impression: without a click, the page has run the default batch
            // (an automatic run, marked auto) and drawn its best ALMA line under
            // the price line, which is drawn last (on top), dark and thin.
            const s0 = await pageRun(page, 'window.demo.state()', 10_000);
            const info0 = `${b.name} ${origin} automatic first run: ${JSON.stringify(s0)}`;
            assert.equal(s0.error, null, info0);
            assert.equal(s0.autoRun, 'done', info0);
            assert.equal(s0.auto, true, info0);
            assert.equal(s0.runs, 1, info0);
            assert.equal(s0.running, false, info0);
            assert.equal(s0.rows, expected.rows, info0);
            assert.equal(s0.cols, expected.cols, info0);
            assert.equal(s0.checksum, expected.sum, info0);
            assert.equal(s0.nanCount, expected.nanCount, info0);
            const c0 = await pageRun(page, 'window.demo.chart()', 10_000);
            const cinfo = `${b.name} ${origin} chart: ${JSON.stringify(c0)}`;
            assert.equal(c0.points, DEFAULTS.length, cinfo);
            assert.equal(c0.series.length, 2, cinfo);
            assert.match(c0.series[0].label, /^ALMA \d+ \/ [\d.]+ \/ [\d.]+ \([+-]?[\d.]+%\)$/, cinfo);
            assert.equal(c0.series[0].width, 2, cinfo);
            assert.match(c0.series[0].stroke, /^#[0-9a-f]{6}cc$/, cinfo); // translucent
            assert.deepEqual(c0.series[1], { label: 'price', stroke: '#212529', width: 1 }, cinfo);
            assert.equal(await page.evaluate("document.querySelectorAll('#chart .uplot').length"), 1, cinfo);

            const s = await pageRun(page, 'window.demo.runDefault()', 60_000);
            const info = `${b.name} ${origin}: ${JSON.stringify(s)}`;
            assert.equal(s.error, null, info);
            // The tests' own run: not the automatic one, counted once.
            assert.equal(s.auto, false, info);
            assert.equal(s.runs, 2, info);
            const threaded = origin === 'isolated' && b.threads;
            if (threaded) {
              assert.equal(s.mode, 'threads', info);
              assert.equal(s.threads, hc, info);
              assert.equal(s.crossOriginIsolated, true, info);
              // The same batch on the single-threaded build in the same page.
              assert.equal(s.checksumsMatch, true, info);
              assert.ok(s.singleMs > 0 && s.speedup > 0, info);
            } else {
              // No shared memory: shards of the single build, one per reported core.
              assert.equal(s.mode, hc > 1 ? 'shards' : 'single', info);
              // Shards: one per reported core but the page's, at least 2.
              assert.equal(s.threads, hc > 1 ? Math.max(2, hc - 1) : 1, info);
              if (hc > 1) assert.match(await page.evaluate("document.getElementById('banner').textContent"), new RegExp(`^${s.threads} shards, no shared memory`), info);
              assert.equal(s.checksumsMatch, hc > 1 ? true : null, info);
              if (origin === 'plain') {
                assert.equal(s.crossOriginIsolated, false, info);
                assert.match(s.reason, /not cross-origin isolated/, info);
              } else {
                assert.equal(s.crossOriginIsolated, true, info);
                assert.equal(s.sharedArrayBuffer, false, info);
                assert.match(s.reason, /SharedArrayBuffer/, info);
              }
            }
            assert.equal(s.rows, expected.rows, info);
            assert.equal(s.cols, expected.cols, info);
            assert.equal(s.checksum, expected.sum, `checksum differs from Node's single-threaded build: ${info}`);
            assert.equal(s.nanCount, expected.nanCount, info);
            console.log(`# ${b.name} ${origin}: ${s.mode} ${s.threads} thread(s), ${s.rows}x${s.cols}, ${s.ms.toFixed(0)} ms`
              + (s.singleMs ? `, single-threaded build ${s.singleMs.toFixed(0)} ms, speed-up ${s.speedup.toFixed(2)}x` : '')
              + `, checksum ${s.checksum} / ${s.nanCount} NaN`);
            await page.screenshot(path.join(ARTIFACTS, `demo-${b.name}-${origin}.png`));

            // A long batch: the progress bar advances and the page keeps drawing frames.
            const l = await pageRun(page, `window.demo.run(${JSON.stringify(LONG)})`, 90_000);
            const linfo = `${b.name} ${origin} long batch: ${JSON.stringify(l)}`;
            assert.equal(l.error, null, linfo);
            console.log(`# ${b.name} ${origin} long batch: ${l.rows}x${l.cols} in ${l.ms.toFixed(0)} ms, ${l.progressEvents} progress events, ${l.framesDuringRun} frames`);
            // 10 frames/s, and at least 2 frames (one frame proves nothing: it may have been
            // queued before the batch). A fixed floor of 3 asked ~20 frames/s of a 155 ms batch.
            assert.ok(l.framesDuringRun >= Math.max(2, Math.floor((l.ms / 1000) * 10)), `fewer than 10 frames/s during the batch: ${linfo}`);
            assert.ok(l.progressEvents > 1, `the progress bar did not advance (progressEvents ${l.progressEvents}): ${linfo}`);

            if (origin === 'plain' || b.name === 'webkit-nosab') {
              const r = await page.evaluate(`window.demo.loadCsv('date,close\\n2024-01-01,101.5\\n2024-01-02,102\\n2024-01-03,abc\\n', 'bad.csv')`);
              const shown = await page.evaluate("document.getElementById('series-msg').textContent");
              assert.equal(r.ok, false);
              assert.equal(shown, "line 4: 'abc' is not a number (column close)");

              // PapaParse, vendored from demo/node_modules: quoted thousands
              // separators, a quoted line break (so 'abc' is on line 5 of the file).
              const good = await page.evaluate(`window.demo.loadCsv('date,note,close\\n2024-01-01,"a, b",1234.5\\n2024-01-02,x,"1,236.25"\\n2024-01-03,"two\\nlines","12,345"\\n', 'thousands.csv')`);
              assert.deepEqual(good.first, [1234.5, 1236.25, 12345], JSON.stringify(good));
              assert.equal(good.ok, true);
              assert.equal(good.count, 3);
              assert.equal(good.delimiter, ',');
              assert.equal(good.message, '3 prices from thousands.csv, column close');
              const bad = await page.evaluate(`window.demo.loadCsv('date,close\\n2024-01-01,"1,234.5"\\n"2024-01-02\\n(late)",1240\\n2024-01-03,abc\\n', 'bad2.csv')`);
              assert.equal(bad.ok, false);
              assert.equal(bad.message, "line 5: 'abc' is not a number (column close)");
              // Nasdaq's export: newest day first, prices with "$" — read oldest first in
              // every engine (the order comes from this engine's Date.parse).
              const nasdaq = await page.evaluate(`window.demo.loadCsv('Date,Close/Last,Volume\\n12/04/2026,$189.98,5\\n12/03/2026,$188.01,4\\n2026-12-02 16:00:00,$186.50,3\\n', 'nasdaq.csv')`);
              assert.deepEqual(nasdaq.first, [186.5, 188.01, 189.98], JSON.stringify(nasdaq));
              assert.equal(nasdaq.message, '3 prices from nasdaq.csv, column Close/Last (the file lists the newest day first: read oldest first)');
              assert.deepEqual(await page.evaluate('window.__pageErrors'), []);
            }
          } finally {
            await page.close();
          }
        });
      }
    } finally {
      await browser.close();
    }
  });
}

test('demo in chromium on a machine reporting 128 cores: a pool of 64 threads (the maximum), not a failed start', { timeout: 150_000, skip: only && !only.includes('chromium') ? 'DEMO_BROWSERS excludes chromium' : false }, async () => {
  const browser = await launch('chromium');
  try {
    const page = await browser.open(urls.isolated);
    try {
      // navigator.hardwareConcurrency as a 128-thread workstation reports it, from the first script on.
      await page.raw.addInitScript(() => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 128 }));
      await page.raw.reload({ waitUntil: 'load' });
      await waitReady(page, 120_000);
      const s = await page.evaluate('({ hc: navigator.hardwareConcurrency, mode: window.demo.host?.mode, threads: window.demo.host?.threads, error: window.demo.state().error, form: document.getElementById("threads").value })');
      assert.deepEqual(s, { hc: 128, mode: 'threads', threads: 64, error: null, form: '64' }, JSON.stringify(s));
    } finally {
      await page.close();
    }
  } finally {
    await browser.close();
  }
});

test('rayon-web-host runs the threaded indicators build in Node', { timeout: 60_000 }, async () => {
  const host = await createHost({
    threaded: pathToFileURL(path.join(PKG, 'indicators-threads', GLUE)),
    single: pathToFileURL(path.join(PKG, 'indicators-single', GLUE)),
    threads: 2,
  });
  try {
    assert.equal(host.mode, 'threads', host.reason);
    assert.equal(host.threads, 2);
    const out = await deadline(host.call('almaBatch', [randomWalk(DEFAULTS.length, DEFAULTS.seed), batchParams(DEFAULTS)]), 30_000, 'almaBatch in Node');
    assert.equal(out.rows, expected.rows);
    assert.equal(out.cols, expected.cols);
    const c = checksum(out.values, out.cols);
    assert.equal(c.sum, expected.sum);
    assert.equal(c.nanCount, expected.nanCount);
  } finally {
    host.terminate();
  }
});
