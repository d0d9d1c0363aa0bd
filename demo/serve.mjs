#!/usr/bin/env node
// The demo's server (`cargo xtask demo`, which builds the wasm packages first).
//
//   node demo/serve.mjs [--port P] [--pkg DIR] [--headless] [--timeout S]
//
// Serves the page twice on 127.0.0.1: port P (default 8080) WITH
// Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy (cross-origin
// isolated: the threaded build runs), and port P+1 WITHOUT them (no shared
// memory: the host runs shards of the single-threaded build; `?mode=single`
// forces one instance, `?isolate=sw` self-isolates with the service worker).
// A busy port falls back to a free one.
//
// URL layout (the same on both origins):
//   /                          demo/ (index.html, main.js, ...)
//   /pkg/indicators-threads/   target/pkg/indicators-threads/  (wasm-bindgen --target web)
//   /pkg/indicators-single/    target/pkg/indicators-single/
//   /host/                     js/src/  (rayon-web-host)
//   /isolation-sw.js           js/src/isolation-sw.js (at the root: its scope is the page's folder)
//   /vendor/uplot/             demo/node_modules/uplot/dist/
//   /vendor/papaparse/papaparse.min.js   demo/node_modules/papaparse/papaparse.min.js (only that file)
//
// --headless: instead of serving until Ctrl-C, opens the page in headless
// Chromium in threads (isolated), shards (plain) and single (plain, ?mode=single)
// mode, runs the default batch in each (window.demo.runDefault()), prints a
// table and exits non-zero if anything failed or the checksums differ.

import http from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sirv from 'sirv';

const DEMO = fileURLToPath(new URL('.', import.meta.url));
const ROOT = path.resolve(DEMO, '..');

function parseArgs(argv) {
  const opts = { port: 8080, pkg: path.join(ROOT, 'target/pkg'), headless: false, timeout: 180 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--headless') opts.headless = true;
    else if (a.startsWith('--port')) opts.port = Number(value());
    else if (a.startsWith('--pkg')) opts.pkg = path.resolve(value());
    else if (a.startsWith('--timeout')) opts.timeout = Number(value());
    else if (a === '--help' || a === '-h') {
      console.log('usage: node demo/serve.mjs [--port P (isolated; P+1 not isolated)] [--pkg DIR] [--headless] [--timeout SECONDS]');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65534) throw new Error(`--port must be an integer 0..65534, got ${opts.port}`);
  return opts;
}

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The request handler: routes by prefix to one sirv instance per folder. */
function handler({ isolated, pkgDir }) {
  const opts = { dev: true, dotfiles: false };
  const hostFiles = sirv(path.join(ROOT, 'js/src'), opts);
  const papa = sirv(path.join(DEMO, 'node_modules/papaparse'), opts);
  const mounts = [
    ['/pkg/indicators-threads/', sirv(path.join(pkgDir, 'indicators-threads'), opts)],
    ['/pkg/indicators-single/', sirv(path.join(pkgDir, 'indicators-single'), opts)],
    ['/host/', sirv(path.join(ROOT, 'js/src'), opts)],
    // The self-isolation service worker at the root, so that its scope covers the page (?isolate=sw).
    ['/isolation-sw.js', (req, res, next) => { req.url = '/isolation-sw.js'; hostFiles(req, res, next); }],
    ['/vendor/uplot/', sirv(path.join(DEMO, 'node_modules/uplot/dist'), opts)],
    // PapaParse (UMD, loaded by a classic <script> in index.html): the one file, not the package's tests.
    ['/vendor/papaparse/', (req, res, next) => (req.url.split('?')[0] === '/papaparse.min.js' ? papa(req, res, next) : next())],
  ];
  const page = sirv(DEMO, opts);
  const notFound = (res) => () => {
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('not found');
  };
  return (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (isolated) for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    const url = req.url ?? '/';
    for (const [prefix, serve] of mounts) {
      if (url.startsWith(prefix)) {
        req.url = url.slice(prefix.length - 1);
        return serve(req, res, notFound(res));
      }
    }
    // Only the page's own files, not the demo's tooling.
    if (/^\/(node_modules|package(-lock)?\.json|serve\.mjs)/.test(url)) return notFound(res)();
    return page(req, res, notFound(res));
  };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (e) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE' && port !== 0) {
        console.error(`port ${port} is busy; using a free port`);
        resolve(listen(server, 0));
      } else reject(e);
    };
    const onListening = () => { server.off('error', onError); resolve(server.address().port); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export async function startServers({ port = 8080, pkgDir = path.join(ROOT, 'target/pkg') } = {}) {
  const servers = [];
  const out = {};
  for (const [key, isolated, p] of [['isolated', true, port], ['plain', false, port === 0 ? 0 : port + 1]]) {
    const server = http.createServer(handler({ isolated, pkgDir }));
    servers.push(server);
    out[key] = `http://127.0.0.1:${await listen(server, p)}/`;
  }
  out.close = () => Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
  return out;
}

function checkPackages(pkgDir) {
  const missing = ['indicators-threads', 'indicators-single']
    .map((d) => path.join(pkgDir, d, 'rayon_web_indicators.js'))
    .filter((f) => !existsSync(f));
  if (missing.length) {
    console.error(`warning: missing ${missing.join(', ')}\n         build them with \`cargo xtask build\` (or run \`cargo xtask demo\`); the page will show the load error.`);
  }
  if (!['uplot/dist/uPlot.esm.js', 'papaparse/papaparse.min.js'].every((f) => existsSync(path.join(DEMO, 'node_modules', f)))) {
    console.error('warning: demo/node_modules is missing: run `npm ci` in demo/ (cargo xtask demo does it)');
  }
}

/** Runs `promise` with a deadline. */
function deadline(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

async function loadPlaywright() {
  for (const p of [path.join(ROOT, 'tests/node_modules/playwright-core/index.mjs'), path.join(DEMO, 'node_modules/playwright-core/index.mjs')]) {
    if (existsSync(p)) return import(pathToFileURL(p).href);
  }
  throw new Error('playwright-core not found: run `npm ci` in tests/ (cargo xtask demo does it)');
}

const fmtMs = (x) => (typeof x === 'number' ? x.toFixed(0) : '-');

async function headless(urls, timeoutS) {
  const { chromium } = await loadPlaywright();
  const profile = await mkdtemp(path.join(tmpdir(), 'rayon-web-demo-'));
  let context;
  const results = [];
  let failed = false;
  try {
    context = await deadline(chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }), 60_000, 'starting Chromium');
    // Three rows: threads (isolated), shards (the plain origin's default), single (forced).
    for (const [origin, url] of [['isolated', urls.isolated], ['plain', urls.plain], ['plain', `${urls.plain}?mode=single`]]) {
      const page = await context.newPage();
      const logs = [];
      page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
      try {
        await deadline(page.goto(url), 30_000, `loading ${url}`);
        await deadline(page.waitForFunction(() => window.demo?.ready === true || window.demo?.state().error, null, { timeout: 60_000 }), 61_000, `waiting for the demo at ${url}`);
        const s = await deadline(page.evaluate(() => window.demo.runDefault()), timeoutS * 1000, `the default batch at ${url}`);
        results.push({ origin, url, ...s });
        if (s.error) { failed = true; console.error(`${origin}: ${s.error}`); }
      } catch (e) {
        failed = true;
        results.push({ origin, url, error: e.message });
        console.error(`${origin} (${url}): ${e.message}\n${logs.join('\n')}`);
      } finally {
        await page.close().catch(() => {});
      }
    }
  } finally {
    await context?.close().catch(() => {});
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  }

  const header = ['origin', 'isolated', 'mode', 'threads', 'rows x cols', 'time ms', 'single ms', 'speed-up', 'checksum (sum of finite values)', 'NaN'];
  const rows = results.map((r) => [
    r.origin,
    String(r.crossOriginIsolated ?? '-'),
    r.mode ?? 'error',
    String(r.threads ?? '-'),
    r.rows ? `${r.rows} x ${r.cols}` : '-',
    fmtMs(r.ms),
    fmtMs(r.singleMs),
    typeof r.speedup === 'number' ? `${r.speedup.toFixed(2)}x` : '-',
    r.checksum === undefined || r.checksum === null ? '-' : String(r.checksum),
    String(r.nanCount ?? '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r) => console.log(line(r)));
  console.log('speed-up: the same batch in threads or shards mode (threads = pool size or shard count) vs the single-threaded build (a second host with mode: "single"); "-" where the page already runs single-threaded.');
  for (const r of results) if (r.reason) console.log(`${r.origin}: ${r.mode} — ${r.reason}`);
  const sums = results.map((r) => `${r.checksum}/${r.nanCount}`);
  if (results.length === 3 && !failed) {
    if (new Set(sums).size !== 1) { console.error(`checksums differ: ${sums.join(' vs ')}`); failed = true; }
    else console.log(`checksums identical in all three modes: ${sums[0]} (sum/NaN count)`);
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) { console.error(e.message); process.exit(2); }
  checkPackages(opts.pkg);
  const urls = await startServers({ port: opts.port, pkgDir: opts.pkg });
  if (opts.headless) {
    let code = 1;
    try { code = await headless(urls, opts.timeout); } catch (e) { console.error(e.stack || String(e)); } finally { await urls.close(); }
    process.exit(code);
  }
  console.log(`rayon-web demo
  cross-origin isolated (threads):        ${urls.isolated}
  not isolated (shards, no shared memory): ${urls.plain}
  not isolated, self-isolated by the service worker (threads after one reload): ${urls.plain}?isolate=sw
  forced single-threaded:                 ${urls.plain}?mode=single
Ctrl-C to stop.`);
  const stop = () => { urls.close().then(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
