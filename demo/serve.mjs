#!/usr/bin/env node
// The demo's server (`cargo xtask demo`, which builds the wasm packages first).
//
//   node demo/serve.mjs [--port P] [--pkg DIR] [--headless] [--timeout S] [--runs N] [--browsers chromium,firefox]
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
// Chromium and then headless Firefox (launched by tests/support/browsers.mjs),
// one page per mode: threads (isolated), shards (plain) and single (plain,
// ?mode=single). In each browser: one untimed warm-up run per mode, then N
// (--runs, default 5) timed runs of the default batch (window.demo.run({compare:
// false})), the modes alternated (threads, shards, single, threads, ...) so that
// machine noise hits all alike. Prints one row per browser and mode: median and
// min-max time, speed-up = single median / mode median (same browser, same
// session), checksum. Exits non-zero if a browser cannot start, a run fails or
// times out (every step has a deadline), or any checksum differs (between runs,
// modes or browsers).

import http from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sirv from 'sirv';

const DEMO = fileURLToPath(new URL('.', import.meta.url));
const ROOT = path.resolve(DEMO, '..');

function parseArgs(argv) {
  const opts = { port: 8080, pkg: path.join(ROOT, 'target/pkg'), headless: false, timeout: 180, runs: 5, browsers: HEADLESS_BROWSERS };
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
    else if (a.startsWith('--runs')) opts.runs = Number(value());
    else if (a.startsWith('--browsers')) opts.browsers = value().split(',').filter(Boolean);
    else if (a === '--help' || a === '-h') {
      console.log('usage: node demo/serve.mjs [--port P (isolated; P+1 not isolated)] [--pkg DIR] [--headless] [--timeout SECONDS (per run)] [--runs N (timed runs per mode, default 5)] [--browsers chromium,firefox]');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65534) throw new Error(`--port must be an integer 0..65534, got ${opts.port}`);
  if (!(opts.timeout > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error(`--runs must be a positive integer, got ${opts.runs}`);
  const bad = opts.browsers.filter((b) => !HEADLESS_BROWSERS.includes(b));
  if (bad.length || !opts.browsers.length) throw new Error(`--browsers: a comma-separated list of ${HEADLESS_BROWSERS.join(', ')}, got ${opts.browsers.join(',')}`);
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

// ------------------------------------------------------------------ --headless

/** The three modes, one page each: [key, origin, url suffix]. */
const MODES = [
  ['threads', 'isolated', ''],
  ['shards', 'plain', ''],
  ['single', 'plain', '?mode=single'],
];

/** What the time column measures (demo/main.js runBatch), printed under the table. */
export const TIMING_NOTE = 'time: window.demo.run({compare: false}) in the page, i.e. performance.now() around one '
  + 'host.call(\'almaBatchLongAbove\') as the page sees it: sending the prices to the host\'s worker(s), every '
  + 'combination\'s ALMA row in wasm followed by its rule return, time in market and checksum row sum (threads: the rayon '
  + 'pool of the threaded build; shards: the parameter grid split over the shards\' instances of the single-threaded build; '
  + 'single: one instance), and the per-row figures back; the rows stay in wasm memory. Not timed: start-up, compiling, '
  + 'the page\'s warm-up and automatic batches, one more untimed warm-up per mode here, adding up the checksum, the heatmap, '
  + 'and the chart with its alma calls (the page paints before and after each timed call, so no paint overlaps one).';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Summary rows from the raw runs: one per browser and mode, {browser, mode, runs: [state...], error}.
 * Returns {rows, problems}: problems lists every failure (a run's error, checksums differing
 * within a mode's runs, between modes or between browsers); empty means success.
 */
export function summarize(results, { browsers, runs }) {
  const problems = [];
  const rows = [];
  for (const r of results) {
    const ok = r.runs.filter((s) => !s.error);
    const row = { browser: r.browser, mode: r.mode, expected: r.mode, error: r.error ?? null, n: ok.length };
    for (const s of r.runs) if (s.error) problems.push(`${r.browser} ${r.mode}: ${s.error}`);
    if (r.error) problems.push(r.error.startsWith(r.browser) ? r.error : `${r.browser} ${r.mode}: ${r.error}`);
    else if (ok.length < runs) problems.push(`${r.browser} ${r.mode}: ${ok.length} of ${runs} timed runs succeeded`);
    if (ok.length) {
      const ms = ok.map((s) => s.ms);
      const last = ok[ok.length - 1];
      Object.assign(row, {
        mode: last.mode, reason: last.reason, crossOriginIsolated: last.crossOriginIsolated,
        workers: last.mode === 'shards' ? last.shards : last.mode === 'threads' ? last.threads : 1,
        rows: last.rows, cols: last.cols, median: median(ms), min: Math.min(...ms), max: Math.max(...ms),
        checksum: last.checksum, nanCount: last.nanCount,
      });
      const sums = new Set(ok.map((s) => `${s.checksum}/${s.nanCount}`));
      if (sums.size !== 1) problems.push(`${r.browser} ${r.mode}: checksums differ between runs: ${[...sums].join(' vs ')}`);
    }
    rows.push(row);
  }
  for (const b of browsers) {
    const mine = rows.filter((x) => x.browser === b);
    const single = mine.find((x) => x.expected === 'single' && x.median !== undefined);
    for (const x of mine) if (single && x.median !== undefined && x !== single) x.speedup = single.median / x.median;
    const sums = new Set(mine.filter((x) => x.checksum !== undefined).map((x) => `${x.checksum}/${x.nanCount}`));
    if (sums.size > 1) problems.push(`${b}: checksums differ between modes: ${mine.map((x) => `${x.expected} ${x.checksum}/${x.nanCount}`).join(', ')}`);
  }
  const perBrowser = browsers.map((b) => [b, new Set(rows.filter((x) => x.browser === b && x.checksum !== undefined).map((x) => `${x.checksum}/${x.nanCount}`))]);
  const all = new Set(perBrowser.flatMap(([, s]) => [...s]));
  if (all.size > 1 && perBrowser.every(([, s]) => s.size === 1)) {
    problems.push(`checksums differ between browsers: ${perBrowser.map(([b, s]) => `${b} ${[...s][0]}`).join(' vs ')}`);
  }
  return { rows, problems: [...new Set(problems)] };
}

const fmtMs = (x) => (typeof x === 'number' ? x.toFixed(0) : '-');

export function formatTable(rows) {
  const header = ['browser', 'mode', 'origin', 'threads/shards', 'rows x cols', 'median ms', 'min-max ms', 'runs', 'speed-up', 'checksum (sum of finite values)', 'NaN'];
  const cells = rows.map((r) => [
    r.browser,
    r.median === undefined ? `${r.expected}: error` : r.mode === r.expected ? r.mode : `${r.mode} (asked ${r.expected})`,
    MODES.find(([m]) => m === r.expected)[1] + (r.expected === 'single' ? ' ?mode=single' : ''),
    r.workers === undefined ? '-' : r.mode === 'threads' ? `${r.workers} threads` : r.mode === 'shards' ? `${r.workers} shards` : '1',
    r.rows ? `${r.rows} x ${r.cols}` : '-',
    fmtMs(r.median),
    r.median === undefined ? '-' : `${fmtMs(r.min)}-${fmtMs(r.max)}`,
    String(r.n),
    typeof r.speedup === 'number' ? `${r.speedup.toFixed(2)}x` : r.expected === 'single' && r.median !== undefined ? '1 (base)' : '-',
    r.checksum === undefined || r.checksum === null ? '-' : String(r.checksum),
    String(r.nanCount ?? '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/**
 * One page per mode in one browser, driven through tests/support/browsers.mjs.
 * Chromium: a playwright page per mode (browser.open). Firefox: one WebDriver
 * window (tab) per mode; each call first switches to (and so selects) its tab.
 */
async function openTabs(browser, urls, timeoutS) {
  const waitMs = Math.max(60, timeoutS) * 1000;
  const tabs = [];
  if (browser.driver) {
    const driver = browser.driver;
    await deadline(driver.manage().setTimeouts({ script: timeoutS * 1000, pageLoad: 30_000 }), 20_000, `${browser.name}: setting timeouts`);
    for (const [i, url] of urls.entries()) {
      if (i > 0) await deadline(driver.switchTo().newWindow('tab'), 20_000, `${browser.name}: opening a tab`);
      const handle = await deadline(driver.getWindowHandle(), 20_000, `${browser.name}: window handle`);
      await deadline(driver.get(url), 35_000, `${browser.name}: loading ${url}`);
      const select = () => deadline(driver.switchTo().window(handle), 20_000, `${browser.name}: selecting the tab of ${url}`);
      tabs.push({
        url,
        async eval(src, ms = 20_000) { await select(); return deadline(driver.executeScript(`return (${src});`), ms, `${browser.name} ${url}: ${src}`); },
        // The page's promise, awaited in the page (script timeout = --timeout).
        async run(src, ms) {
          await select();
          return deadline(driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
            Promise.resolve().then(() => ${src}).then(done, (e) => done({ error: String(e && (e.stack || e)) }));`), ms, `${browser.name} ${url}: ${src}`);
        },
        close: async () => {},
      });
    }
  } else {
    for (const url of urls) {
      const page = await deadline(browser.open(url), 60_000, `${browser.name}: loading ${url}`);
      const raw = page.raw;
      tabs.push({
        url,
        eval: (src, ms = 20_000) => deadline(raw.evaluate(src), ms, `${browser.name} ${url}: ${src}`),
        async run(src, ms) {
          await deadline(raw.bringToFront(), 20_000, `${browser.name}: selecting the page of ${url}`);
          return deadline(raw.evaluate(`Promise.resolve().then(() => ${src}).catch((e) => ({ error: String(e && (e.stack || e)) }))`), ms, `${browser.name} ${url}: ${src}`);
        },
        logs: () => page.logs(),
        close: () => page.close(),
      });
    }
  }
  // demo.ready: the host has started and the automatic first batch has ended (or failed).
  for (const tab of tabs) {
    const end = Date.now() + waitMs;
    for (;;) {
      const st = await tab.eval('window.demo && window.demo.ready ? window.demo.state() : null');
      if (st?.error) throw new Error(`${browser.name} ${tab.url}: ${st.error}`);
      if (st) break;
      if (Date.now() > end) throw new Error(`${browser.name} ${tab.url}: the demo was not ready within ${waitMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return tabs;
}

const LAUNCH_HINT = {
  chromium: '/usr/bin/chromium (env CHROMIUM), playwright-core in tests/node_modules',
  firefox: '/usr/bin/firefox-esr (env FIREFOX) and .tools/bin/geckodriver (env GECKODRIVER), both installed by `cargo xtask test`, and selenium-webdriver in tests/node_modules',
};

/** Warm-up round, then `runs` rounds alternating threads, shards, single; pushes one result per mode. */
async function measureBrowser(name, urls, { timeoutS, runs }, results) {
  const mine = MODES.map(([mode]) => ({ browser: name, mode, runs: [], error: null }));
  results.push(...mine);
  const { launch } = await import(pathToFileURL(path.join(ROOT, 'tests/support/browsers.mjs')).href);
  let browser;
  try {
    browser = await deadline(launch(name), 90_000, `starting ${name}`);
  } catch (e) {
    const detail = e.message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ').slice(0, 400);
    const msg = `${name} could not start (it needs ${LAUNCH_HINT[name]}): ${detail}`;
    for (const r of mine) r.error = msg;
    return;
  }
  let tabs = [];
  try {
    tabs = await openTabs(browser, MODES.map(([, origin, q]) => `${urls[origin]}${q}`), timeoutS);
    const runOnce = (i) => tabs[i].run('window.demo.run({ compare: false })', timeoutS * 1000);
    for (let i = 0; i < MODES.length; i++) {
      const s = await runOnce(i); // untimed warm-up
      if (s.error) throw new Error(`${name} ${MODES[i][0]} warm-up: ${s.error}`);
    }
    for (let k = 0; k < runs; k++) {
      for (let i = 0; i < MODES.length; i++) {
        const s = await runOnce(i);
        if (!s.error && s.auto !== false) s.error = 'the result is the automatic run, not this one';
        mine[i].runs.push(s);
      }
    }
  } catch (e) {
    const first = e.message.split('\n')[0];
    const msg = first.startsWith(name) ? first : `${name}: ${first}`;
    for (const r of mine) if (r.runs.length < runs) r.error = msg;
    console.error(`${name}: ${e.message}`);
    for (const t of tabs) if (t.logs) console.error(t.logs().slice(-20).join('\n'));
  } finally {
    for (const t of tabs) await t.close().catch(() => {});
    await deadline(browser.close(), 30_000, `closing ${name}`).catch((e) => console.error(e.message));
  }
}

export const HEADLESS_BROWSERS = ['chromium', 'firefox'];

async function headless(urls, { timeout: timeoutS, runs, browsers }) {
  if (!existsSync(path.join(ROOT, 'tests/node_modules/playwright-core')) || !existsSync(path.join(ROOT, 'tests/node_modules/selenium-webdriver'))) {
    throw new Error('playwright-core / selenium-webdriver not found in tests/node_modules: run `npm ci` in tests/ (cargo xtask demo does it)');
  }
  const results = [];
  for (const b of browsers) await measureBrowser(b, urls, { timeoutS, runs }, results);
  const { rows, problems } = summarize(results, { browsers, runs });
  console.log(`default batch, ${runs} timed runs per mode after one untimed warm-up, modes alternated (threads, shards, single, threads, ...), one page per mode, per browser:`);
  console.log(formatTable(rows));
  console.log(TIMING_NOTE);
  console.log('speed-up: median of single / median of the mode, same browser and session; min-max: fastest and slowest timed run.');
  for (const r of rows) if (r.reason && r.mode !== 'single') console.log(`${r.browser} ${r.mode}: ${r.reason}`);
  if (problems.length) {
    for (const p of problems) console.error(`FAILED: ${p}`);
    return 1;
  }
  const sum = rows[0];
  console.log(`checksums identical in all ${rows.length} rows (${browsers.join(', ')} x threads, shards, single; every run): ${sum.checksum} / ${sum.nanCount} NaN`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (e) { console.error(e.message); process.exit(2); }
  checkPackages(opts.pkg);
  const urls = await startServers({ port: opts.port, pkgDir: opts.pkg });
  if (opts.headless) {
    let code = 1;
    try { code = await headless(urls, opts); } catch (e) { console.error(e.stack || String(e)); } finally { await urls.close(); }
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
