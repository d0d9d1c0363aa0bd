// `node demo/serve.mjs --headless` (what `cargo xtask demo --headless` runs):
// the table's summary logic in Node (medians, speed-ups, every way checksums
// can differ), then the real command in headless Chromium and Firefox, its
// printed table checked row by row against the default batch's checksum
// computed here from the single-threaded wasm build, and a browser that cannot
// start (a missing geckodriver) failing fast with a clear message.
//
//   node --test tests/demo/headless.test.mjs

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { summarize, median, formatTable, TIMING_NOTE } from '../../demo/serve.mjs';
import { DEFAULTS, batchParams } from '../../demo/defaults.js';
import { randomWalk } from '../../demo/series.js';
import { checksum } from '../../demo/stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = process.env.DEMO_PKG_DIR ?? path.join(ROOT, 'target/pkg');
const GLUE = 'rayon_web_indicators.js';
const RUNS = 3;

let expected; // {sum, nanCount, rows, cols} of the default batch, from the single build in Node

before(async () => {
  assert.ok(existsSync(path.join(PKG, 'indicators-single', GLUE)), 'target/pkg/indicators-single is missing: run `cargo xtask build`');
  const glue = await import(pathToFileURL(path.join(PKG, 'indicators-single', GLUE)).href);
  await glue.default({ module_or_path: await readFile(path.join(PKG, 'indicators-single', 'rayon_web_indicators_bg.wasm')) });
  const out = glue.almaBatch(randomWalk(DEFAULTS.length, DEFAULTS.seed), batchParams(DEFAULTS));
  expected = { ...checksum(out.values, out.cols), rows: out.rows, cols: out.cols };
});

// ------------------------------------------------------------ summary logic

const state = (mode, ms, sum = 100.5, nan = 7) => ({
  mode, ms, checksum: sum, nanCount: nan, error: null, auto: false, rows: 2, cols: 3,
  threads: mode === 'single' ? 1 : 2, shards: mode === 'shards' ? 2 : 0, reason: `because ${mode}`,
});
const browserRuns = (browser, times, sums = {}) => ['threads', 'shards', 'single'].map((mode) => ({
  browser, mode, error: null, runs: times[mode].map((ms, i) => state(mode, ms, sums[mode]?.[i])),
}));
const T = { threads: [50, 40, 90], shards: [70, 60, 65], single: [100, 120, 110] };

test('median', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test('summary: medians, min-max, speed-up per browser, no problems when all checksums agree', () => {
  const { rows, problems } = summarize([...browserRuns('chromium', T), ...browserRuns('firefox', { ...T, single: [200, 220, 210] })],
    { browsers: ['chromium', 'firefox'], runs: 3 });
  assert.deepEqual(problems, []);
  assert.equal(rows.length, 6);
  const c = rows.filter((r) => r.browser === 'chromium');
  assert.deepEqual(c.map((r) => [r.mode, r.median, r.min, r.max, r.n, r.workers]),
    [['threads', 50, 40, 90, 3, 2], ['shards', 65, 60, 70, 3, 2], ['single', 110, 100, 120, 3, 1]]);
  assert.equal(c[0].speedup, 110 / 50);
  assert.equal(c[1].speedup, 110 / 65);
  assert.equal(c[2].speedup, undefined);
  // Each browser against its own single-threaded median.
  assert.equal(rows.find((r) => r.browser === 'firefox' && r.mode === 'threads').speedup, 210 / 50);
  const table = formatTable(rows).split('\n');
  assert.equal(table.length, 8);
  assert.match(table[2], /^chromium\s+threads\s+isolated\s+2 threads\s+2 x 3\s+50\s+40-90\s+3\s+2\.20x\s+100\.5\s+7$/);
  assert.match(table[4], /^chromium\s+single\s+plain \?mode=single\s+1\s+2 x 3\s+110\s+100-120\s+3\s+1 \(base\)/);
});

test('summary: checksums differing between runs, modes or browsers, and failed runs, are problems', () => {
  const browsers = ['chromium', 'firefox'];
  const ok = browserRuns('firefox', T);
  // Within one mode's runs.
  let p = summarize([...browserRuns('chromium', T, { shards: [100.5, 100.25, 100.5] }), ...ok], { browsers, runs: 3 }).problems;
  assert.ok(p.some((x) => /^chromium shards: checksums differ between runs: 100\.5\/7 vs 100\.25\/7$/.test(x)), p.join('\n'));
  // Between the modes of one browser.
  p = summarize([...browserRuns('chromium', T, { single: [1, 1, 1] }), ...ok], { browsers, runs: 3 }).problems;
  assert.ok(p.some((x) => x.startsWith('chromium: checksums differ between modes')), p.join('\n'));
  // Between browsers, each consistent in itself.
  p = summarize([...browserRuns('chromium', T, { threads: [2, 2, 2], shards: [2, 2, 2], single: [2, 2, 2] }), ...ok], { browsers, runs: 3 }).problems;
  assert.deepEqual(p, ['checksums differ between browsers: chromium 2/7 vs firefox 100.5/7']);
  // The NaN count counts too.
  const nan = browserRuns('chromium', T);
  nan[1].runs[2].nanCount = 8;
  assert.equal(summarize([...nan, ...ok], { browsers, runs: 3 }).problems.length, 2); // within shards, between modes
  // A failed run, a browser that did not start.
  const failed = browserRuns('chromium', T);
  failed[0].runs[1] = { error: 'boom' };
  p = summarize([...failed, ...ok], { browsers, runs: 3 }).problems;
  assert.deepEqual(p, ['chromium threads: boom', 'chromium threads: 2 of 3 timed runs succeeded']);
  const dead = ['threads', 'shards', 'single'].map((mode) => ({ browser: 'firefox', mode, runs: [], error: 'firefox could not start: x' }));
  p = summarize([...browserRuns('chromium', T), ...dead], { browsers, runs: 3 }).problems;
  assert.deepEqual(p, ['firefox could not start: x']);
});

// ------------------------------------------------------------ the command

function serve(args, env = {}, timeoutMs = 400_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'demo/serve.mjs'), ...args], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const started = Date.now();
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, ms: Date.now() - started }); });
  });
}

test('--headless: Chromium and Firefox, three modes each, medians and min-max, one checksum', { timeout: 420_000 }, async () => {
  const r = await serve(['--headless', '--port', '0', '--runs', String(RUNS)]);
  const info = `exit ${r.code} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`;
  console.log(r.stdout);
  assert.equal(r.code, 0, info);
  const lines = r.stdout.split('\n');
  const h = lines.findIndex((l) => l.startsWith('browser '));
  assert.ok(h >= 0, info);
  assert.deepEqual(lines[h].split(/\s{2,}/), ['browser', 'mode', 'origin', 'threads/shards', 'rows x cols', 'median ms', 'min-max ms', 'runs', 'speed-up', 'checksum (sum of finite values)', 'NaN'], info);
  const rows = lines.slice(h + 2, h + 8).map((l) => l.split(/\s{2,}/));
  assert.deepEqual(rows.map((c) => `${c[0]} ${c[1]} ${c[2]}`), [
    'chromium threads isolated', 'chromium shards plain', 'chromium single plain ?mode=single',
    'firefox threads isolated', 'firefox shards plain', 'firefox single plain ?mode=single',
  ], info);
  const multi = os.availableParallelism() > 1;
  for (const c of rows) {
    const [browser, mode, , workers, shape, med, range, runs, speedup, sum, nan] = c;
    const what = `${browser} ${mode}: ${c.join(' | ')}`;
    if (mode === 'threads') assert.match(workers, /^\d+ threads$/, what);
    if (mode === 'shards') assert.match(workers, multi ? /^([2-9]|\d\d+) shards$/ : /^1$/, what);
    if (mode === 'single') assert.equal(workers, '1', what);
    assert.equal(shape, `${expected.rows} x ${expected.cols}`, what);
    const m = Number(med);
    const [lo, hi] = range.split('-').map(Number);
    assert.ok(m > 0 && lo > 0 && lo <= m && m <= hi, what);
    assert.equal(runs, String(RUNS), what);
    // The same checksum in every row of both browsers: the single-threaded build's in Node.
    assert.equal(Number(sum), expected.sum, what);
    assert.equal(Number(nan), expected.nanCount, what);
    // speed-up = the browser's single median / this mode's median (printed rounded to ms).
    const single = rows.find((x) => x[0] === browser && x[1] === 'single');
    if (mode === 'single') assert.equal(speedup, '1 (base)', what);
    else {
      assert.match(speedup, /^\d+\.\d\dx$/, what);
      // Both medians are printed rounded to whole ms and the ratio to 0.01, so it must
      // lie between the ratios of the medians' extremes (at ~20 ms rounding alone is ±5 %).
      const s = Number(single[5]);
      const [min, max] = [(s - 0.5) / (m + 0.5) - 0.005, (s + 0.5) / (m - 0.5) + 0.005];
      const got = parseFloat(speedup);
      assert.ok(got >= min && got <= max, `${what}: want ${min.toFixed(3)}..${max.toFixed(3)}x from the rounded medians`);
    }
  }
  assert.ok(lines.includes(TIMING_NOTE), `the timing note is missing: ${info}`);
  assert.ok(lines.includes(`default batch, ${RUNS} timed runs per mode after one untimed warm-up, modes alternated (threads, shards, single, threads, ...), one page per mode, per browser:`), info);
  assert.match(r.stdout, new RegExp(`^checksums identical in all 6 rows \\(chromium, firefox x threads, shards, single; every run\\): ${expected.sum} / ${expected.nanCount} NaN$`, 'm'), info);
});

test('--headless: a browser that cannot start fails at once with a clear message', { timeout: 120_000 }, async () => {
  const r = await serve(['--headless', '--port', '0', '--runs', '1', '--browsers', 'firefox'], { GECKODRIVER: '/nonexistent/geckodriver' }, 100_000);
  const info = `exit ${r.code} ${r.signal ?? ''} after ${r.ms} ms\n${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 1, info);
  assert.ok(r.ms < 60_000, info);
  assert.match(r.stderr, /^FAILED: firefox could not start \(it needs .*geckodriver.*\): .*\/nonexistent\/geckodriver/m, info);
  assert.equal(r.stderr.match(/^FAILED:/gm).length, 1, info); // once, not once per mode
  assert.match(r.stdout, /^firefox\s+threads: error\s/m, info);
  assert.doesNotMatch(r.stdout, /checksums identical/, info);
});
