// The demo page. Every wasm call runs in rayon-web-host's dedicated worker, so
// the page (and the frame counter in the corner) stays live during a batch.
//
// Tests and `serve.mjs --headless` drive it through `window.demo`:
//   demo.ready                  true once the host has started and the automatic first batch
//                               has finished (or either failed: state().error)
//   demo.state()                {mode, reason, threads, crossOriginIsolated, rows, cols, ms, singleMs,
//                                speedup, checksum, nanCount, singleChecksum, singleNanCount,
//                                progressEvents, framesDuringRun, running, error, csvError,
//                                runs, auto, autoRun, ...}
//   demo.runDefault()           the default batch on the default series -> state()
//   demo.run(options)           {length, seed, period:[s,e,st], offset, sigma, floor, compare} -> state()
//   demo.loadCsv(text, name)    as if the file had been dropped -> {ok, message, count, first (<= 10 prices), delimiter}
//   demo.chart()                the drawn chart's series in drawing order {points, series: [{label, stroke, width}]}, or null
//
// First impression: the price chart of the default series is drawn at once,
// and once the host has started the page runs the batch in the form (the
// default one) by itself. That automatic run is an ordinary timed run, marked
// state().auto === true (autoRun: 'running' | 'done' | 'failed' | 'skipped');
// runs the tests start wait for it to end (demo.run awaits it) and have
// auto === false, so they never time or count it as theirs. state().runs
// counts every batch started, the automatic one included.

import { createHost, ALMA_DECLARATIONS } from '/host/index.js';
import { selfIsolate } from '/host/isolate.js';
import { randomWalk, parseTable, pricesFrom, decodeBytes } from './series.js';
import { checksumOfRows, holdReturn, axisCount, axisMax, bestRow } from './stats.js';
import { Heatmap, sigmaValues } from './heatmap.js';
// Loaded lazily: the page works (with a message instead of the chart) if the
// charting library cannot load.
const chartModule = import('./chart.js');
import { DEFAULTS, batchParams } from './defaults.js';

const BUILDS = {
  threaded: new URL('/pkg/indicators-threads/rayon_web_indicators.js', location.href),
  single: new URL('/pkg/indicators-single/rayon_web_indicators.js', location.href),
};
const query = new URLSearchParams(location.search);
// One per reported core, at most 64 (a rayon-web pool's maximum: a 128-thread
// workstation must still get a pool); ?threads=N asks for N (above 64, 64 start).
const DEFAULT_THREADS = Number(query.get('threads')) || Math.min(navigator.hardwareConcurrency || 2, 64);
// ?mode=threads|shards|single forces a mode (default: the host chooses, see rayon-web-host's detect.js).
const MODE = query.get('mode') || 'auto';
// ?isolate=sw registers rayon-web-host's self-isolation service worker (one reload)
// so that this page gets threads even where the server sends no COOP/COEP.
const ISOLATE = query.get('isolate') === 'sw';

const $ = (id) => document.getElementById(id);
const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtPct = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%` : 'n/a');
// The crate's OUTPUT_TOO_LARGE message ends in library advice ("shorter chunks
// per call"); on this page the chunk is the whole series, so it says what the
// page offers instead.
const pageWords = (m) => m.replace(/ or shorter chunks per call/g, ' or a shorter series');
const errText = (e) => `${e?.code ? `${e.code}: ` : ''}${pageWords(e?.message ?? String(e))}`;

const state = {
  mode: null, reason: null, threads: 0, crossOriginIsolated: globalThis.crossOriginIsolated === true,
  sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
  rows: 0, cols: 0, ms: null, singleMs: null, speedup: null, checksum: null, nanCount: null,
  singleChecksum: null, singleNanCount: null, checksumsMatch: null,
  progressEvents: 0, framesDuringRun: 0, running: false, error: null, csvError: null, series: null,
  runs: 0, auto: false, autoRun: 'pending',
};

let host = null;
let singleHost = null;
// {name, table (series.js parseTable: the parsed columns, kept instead of the
// text so that choosing another column does not parse the file again), parsed
// (pricesFrom: the prices of the chosen column), error, reading (a file is being
// read in csv-worker.js)}
let csv = null;
let result = null; // {rows, cols, combos, prices, floor, stats, lines: Map(row -> Float64Array)}
let picked = new Set();
let chart = null;
let firstRun = null; // the automatic first batch (a promise), awaited by demo.run

// ---- frame counter: proves the main thread stays free during a batch -------
// It counts animation frames only while a batch runs (spin() starts it): an
// idle page does nothing, so it costs no CPU — which a batch on 2 cores would
// otherwise share with it, and with every other open page of the demo
// (serve.mjs --headless keeps one page per mode open). The counting draws
// nothing (a frame with nothing to paint costs next to nothing); the figure is
// written twice a second, and the spinner turns by a CSS animation on the
// compositor. Why not redraw it each frame: every paint during a threaded
// batch takes CPU from the pool's two threads — in headless Chromium, which
// paints in software, the spinner's and the progress bar's per-frame paints
// made the default batch ~1-1.5 ms slower each (of ~16-20 ms; measured,
// alternated, medians of 25). The frame count is the proof that the page's
// thread stays free; the spinner only shows that the browser draws.
let frames = 0;
let runFrames = null;
const spin = (() => {
  let last = 0;
  let count = 0;
  let spinning = false;
  const tick = (now) => {
    frames++;
    if (runFrames) runFrames.n++;
    count++;
    if (now - last >= 500) { $('fps').textContent = Math.round((count * 1000) / (now - last)); count = 0; last = now; }
    if (state.running) requestAnimationFrame(tick);
    else { spinning = false; $('spinner').classList.remove('running'); }
  };
  return () => {
    if (spinning) return;
    spinning = true;
    $('spinner').classList.add('running');
    last = performance.now();
    count = 0;
    requestAnimationFrame(tick);
  };
})();

// ---- form ------------------------------------------------------------------
function setForm(o) {
  if (o.length !== undefined) $('length').value = o.length;
  if (o.seed !== undefined) $('seed').value = o.seed;
  for (const p of ['period', 'offset', 'sigma']) {
    if (o[p]) ['start', 'end', 'step'].forEach((k, i) => { $(`${p}-${k}`).value = o[p][i]; });
  }
  if (o.floor !== undefined) $('floor').checked = !!o.floor;
  if (o.compare !== undefined) $('compare').checked = !!o.compare;
  if (o.threads !== undefined) $('threads').value = o.threads;
  if (o.source) document.querySelector(`input[name=source][value=${o.source}]`).checked = true;
  sourceChanged();
  preview();
}

// Number('') is 0: an emptied field would silently become 0 (a period of 0, a
// seed of 0), so empty is an error of its own.
function readNumber(id, what) {
  const raw = $(id).value.trim();
  if (raw === '') throw new Error(`${what} is empty`);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new Error(`${what} must be a number`);
  return v;
}

function readRange(p) {
  return ['start', 'end', 'step'].map((k) => readNumber(`${p}-${k}`, `${p} ${k}`));
}

function readParams() {
  return { period: readRange('period'), offset: readRange('offset'), sigma: readRange('sigma'), floor: $('floor').checked };
}

function source() { return document.querySelector('input[name=source]:checked').value; }

function sourceChanged() {
  const walk = source() === 'walk';
  $('walk-opts').hidden = !walk;
  $('csv-opts').hidden = walk;
  if (walk) seriesMsg('', '');
  else if (csv?.reading) seriesMsg(csv.reading, 'pending');
  else if (csv?.parsed) {
    const p = csv.parsed;
    let text = `${p.prices.length} prices from ${csv.name}, ${colName(p)}`;
    if (p.guess) text += ` (a guess: ${p.guess})`;
    if (p.reversed) text += ' (the file lists the newest day first: read oldest first)';
    // Whatever else the reading did (rows skipped, rows sorted, dates not read): said, not hidden.
    if (p.decimalComma) text += '. Decimal commas: 1.234,5 read as 1234.5';
    if (p.notes.length) text += `. Note: ${p.notes.join('; ')}`;
    seriesMsg(text, p.guess || p.notes.length ? 'warn' : 'ok');
  } else if (csv?.error) seriesMsg(csv.error, 'error');
  else seriesMsg('No file loaded yet.', '');
  preview();
}

// "column Close", or "column 6" for a file without a header (its generated name).
const colName = (p) => (p.header ? `column ${p.columns[p.column]}` : p.columns[p.column]);

function seriesMsg(text, cls) {
  const m = $('series-msg');
  m.textContent = text;
  m.className = `msg ${cls}`;
}

function prices() {
  if (source() === 'walk') {
    const length = readNumber('length', 'bars');
    const seed = readNumber('seed', 'seed');
    if (!Number.isInteger(length) || length < 2 || length > 2e6) throw new Error('bars must be an integer from 2 to 2000000');
    if (!Number.isInteger(seed) || seed < 0) throw new Error('seed must be a non-negative integer');
    state.series = `random walk, ${length} bars, seed ${seed}`;
    return randomWalk(length, seed);
  }
  if (csv?.reading) throw new Error(`the file is still being read: ${csv.reading}`);
  if (!csv?.parsed) throw new Error(csv?.error ? `the CSV file has an error: ${csv.error}` : 'choose or drop a CSV file first');
  state.series = `${csv.name}, ${colName(csv.parsed)}`;
  return csv.parsed.prices;
}

// Runs on every keystroke in the form: counts, never builds the axes (a step of
// 1e-8 used to build a 10^8-element array, freezing the page for 8 s).
// No memory figure: the rows are never stored (see runBatch).
function preview() {
  try {
    const p = readParams();
    const counts = ['period', 'offset', 'sigma'].map((k) => axisCount(p[k]));
    const bad = ['period', 'offset', 'sigma'].find((k, i) => !(counts[i] >= 1));
    if (bad) throw new Error(`${bad}: the end is before the start`);
    const rows = counts[0] * counts[1] * counts[2];
    const cols = source() === 'walk' ? Number($('length').value) : csv?.parsed?.prices.length ?? 0;
    let text = `${rows.toLocaleString('en-US')} combinations × ${cols.toLocaleString('en-US')} bars = ${(rows * cols).toLocaleString('en-US')} values`;
    if (rows > 1e6) text += ': too many combinations for one batch (use larger steps)';
    else if (cols > 0 && axisMax(p.period) > cols) text += `: the longest period (${axisMax(p.period)}) is longer than the series (${cols} bars), which the batch refuses`;
    $('preview').textContent = text;
  } catch (e) {
    $('preview').textContent = e.message;
  }
}

// ---- CSV -------------------------------------------------------------------
function showTable(name, table, column = 'auto') {
  csv = { name, table };
  try {
    csv.parsed = pricesFrom(table, column === 'auto' ? 'auto' : Number(column));
    state.csvError = null;
  } catch (e) {
    csv.error = e.message;
    state.csvError = e.message;
  }
  const sel = $('column');
  sel.replaceChildren(new Option('auto-detect', 'auto'), ...table.columns.map((c, i) => new Option(c, String(i))));
  sel.value = String(column);
  return csvDone();
}

function csvFailed(name, message) {
  csv = { name, error: message };
  state.csvError = message;
  $('column').replaceChildren(new Option('auto-detect', 'auto'));
  return csvDone();
}

function csvDone() {
  document.querySelector('input[name=source][value=csv]').checked = true;
  sourceChanged();
  $('run').disabled = !host || state.running;
  return csv.parsed
    ? { ok: true, message: $('series-msg').textContent, count: csv.parsed.prices.length, first: Array.from(csv.parsed.prices.subarray(0, 10)), delimiter: csv.parsed.delimiter, column: csv.parsed.columns[csv.parsed.column], guess: csv.parsed.guess, notes: csv.parsed.notes }
    : { ok: false, message: csv.error };
}

/** Text already in memory (the tests' entry): parsed here, synchronously. */
function loadCsv(text, name = 'pasted.csv', column = 'auto') {
  let table;
  try {
    table = parseTable(text);
  } catch (e) {
    return csvFailed(name, e.message);
  }
  return showTable(name, table, column);
}

// A file: read and parsed in csv-worker.js (off this thread: a large file froze
// the page for seconds), one worker per file, ended when it answers or when
// another file is picked meanwhile.
let reader = null;
async function loadFile(file, name = file?.name) {
  if (!file) return undefined;
  reader?.terminate(); // a file picked before this one and still being read
  const mine = {};
  loadFile.latest = mine;
  const mib = file.size / 2 ** 20;
  csv = { name, reading: `Reading ${name}${mib >= 1 ? ` (${mib.toFixed(0)} MiB)` : ''}…` };
  state.csvReading = true;
  document.querySelector('input[name=source][value=csv]').checked = true;
  sourceChanged();
  let table;
  try {
    table = await new Promise((resolve, reject) => {
      const w = new Worker(new URL('./csv-worker.js', import.meta.url));
      reader = w;
      let shown = 0;
      w.onmessage = ({ data }) => {
        if (data.progress !== undefined) {
          // Written at most every 250 ms: each write is a paint.
          const now = performance.now();
          if (now - shown > 250) { shown = now; csv.reading = `Reading ${name}… ${Math.round(100 * data.progress)}%`; sourceChanged(); }
          return;
        }
        w.terminate();
        if (data.error) reject(Object.assign(new Error(data.error.message), { csv: data.error.csv }));
        else resolve(data.table);
      };
      w.onerror = (e) => { w.terminate(); reject(new Error(`the CSV reader could not start: ${e.message ?? 'worker error'}`)); };
      w.postMessage({ file });
    });
  } catch (e) {
    if (loadFile.latest !== mine) return undefined;
    state.csvReading = false;
    return csvFailed(name, e.message);
  }
  if (loadFile.latest !== mine) return undefined;
  reader = null;
  state.csvReading = false;
  return showTable(name, table);
}

// ---- running ---------------------------------------------------------------
function showProgress(label) {
  const bar = $('progress');
  $('progress-wrap').hidden = false;
  bar.removeAttribute('value'); // indeterminate until the first report
  $('progress-label').textContent = label;
}

// The bar is written at most every 100 ms (and at the end): each write is a
// paint, and paints during a batch take CPU from the pool (see spin above).
function progressHandler(label) {
  let events = 0;
  let shown = -Infinity;
  const bar = $('progress');
  const fn = (done, total) => {
    events++;
    const now = performance.now();
    if (total > 0 && (now - shown >= 100 || done === total)) {
      shown = now;
      bar.max = total;
      bar.value = done;
      $('progress-label').textContent = `${label} ${done} / ${total}`;
    }
  };
  fn.count = () => events;
  return fn;
}

// host.mode is null while the host restarts and after a failed recreate() (it
// then has no instance): the last mode that ran (state.mode) says which
// restart to ask for, and a failed restart is shown as such.
async function ensureHost(threads) {
  const mode = host.mode ?? state.mode;
  if (mode !== 'single' && (host.mode === null || host.threads !== threads)) {
    banner('pending', mode === 'threads' ? `Restarting the pool with ${threads} thread${threads === 1 ? '' : 's'}…` : `Restarting ${threads} shards…`);
    try {
      await host.recreate(mode === 'threads' ? { threads } : { shards: threads });
      await warmUp(host);
    } catch (e) {
      showMode(e);
      throw e;
    }
    showMode();
  }
}

// One-time costs kept out of the timings: engines first run wasm on a baseline
// compiler and optimise hot functions in the background (with every core busy in
// a threaded batch, the first batch runs mostly on baseline code), and the first
// large batch grows the (shared) memory. The default batch, run once untimed
// right after start-up (twice: Chromium tiers up over several calls), pays both;
// measured here: Chromium's first threaded default batch took 150-270 ms, later
// ones 63-100 ms.
async function warmUp(on) {
  const prices = randomWalk(DEFAULTS.length, DEFAULTS.seed);
  for (let i = 0; i < 2; i++) await on.call('almaBatchLongAbove', [prices, batchParams(DEFAULTS)]);
}

// The timed call: every combination's ALMA row, then what the heatmap shows
// (the rule's return and time in market) and the checksum's row sums, all
// computed in wasm on the pool's threads (almaBatchLongAbove). The rows never
// leave wasm: copying a batch's output (48 MB for the default one) out of
// memory is serial, and was a third of a threaded batch. The lines drawn are
// fetched afterwards, one `alma` call per picked row (lineFor).
async function runBatch(prices, params, onProgress, on = host) {
  const t0 = performance.now();
  const out = await on.call('almaBatchLongAbove', [prices, params], { onProgress });
  return { out, ms: performance.now() - t0 };
}

// Resolves once the browser has painted what the page just changed (two
// frames: the second starts only after the first was drawn), or after 100 ms
// (a hidden tab runs no animation frames). Why: a paint that runs during a
// threaded batch takes CPU from the pool on a 2-core machine. Measured in
// headless Chromium, same page, variants alternated, medians of 25: the
// default batch through host.call took 15.3-16.8 ms, and 19.6-20.8 ms when the
// page had just disabled a button (its paint, in software there, then ran
// during the call). So run() paints its "running" state before the timed call,
// and its results before it returns (the next timed run, in this page or
// another, then does not share the CPU with that paint).
const painted = () => new Promise((resolve) => {
  const timer = setTimeout(resolve, 100);
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => { clearTimeout(timer); resolve(); }, 0)));
});

async function run({ auto = false } = {}) {
  if (state.running) throw new Error('a batch is already running');
  if (!host) return snapshot(); // the start-up error stays in state.error and the banner
  state.running = true;
  spin();
  state.auto = auto;
  state.runs++;
  state.error = null;
  $('error').hidden = true;
  $('run').disabled = true;
  try {
    const series = prices();
    const params = readParams();
    const threads = readNumber('threads', host.mode === 'shards' ? 'shards' : 'threads');
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new Error('threads must be an integer 1..64');
    await ensureHost(threads);
    Object.assign(state, { ms: null, singleMs: null, speedup: null, checksum: null, nanCount: null, singleChecksum: null, singleNanCount: null, checksumsMatch: null });

    // 1. The batch on the current host (threads, or the single-threaded fallback).
    const label = host.mode === 'threads' ? `${host.threads} threads:` : host.mode === 'shards' ? `${host.shards} shards:` : 'single-threaded:';
    showProgress(label);
    const progress = progressHandler(label);
    await painted();
    runFrames = { n: 0 };
    const { out, ms } = await runBatch(series, params, progress);
    state.framesDuringRun = runFrames.n;
    runFrames = null;
    state.progressEvents = progress.count();
    $('frames-run').textContent = `frames during last run: ${state.framesDuringRun} in ${fmtMs(ms)}`;
    const sum = checksumOfRows(out.rowSum, out.nanCount);
    Object.assign(state, { rows: out.rows, cols: out.cols, ms, checksum: sum.sum, nanCount: sum.nanCount });
    result = { rows: out.rows, cols: out.cols, combos: out.combos, prices: series, floor: params.floor, lines: new Map() };
    result.stats = Array.from({ length: out.rows }, (_, r) => ({ ret: out.totalReturn[r], held: out.timeInMarket[r] }));
    picked = new Set([bestRow(result.stats)]);
    // Drawn (its line fetched) before anything else runs: a chart drawn while
    // the next batch computes takes a core from it (on 2 cores, a third of the
    // threaded batch's speed-up was lost that way).
    await showResults();

    // 2. The same batch on the single-threaded build, for the speed-up.
    if ($('compare').checked && host.mode !== 'single') {
      showProgress('single-threaded build:');
      if (!singleHost) {
        singleHost = await createHost({ single: BUILDS.single, mode: 'single', declarations: ALMA_DECLARATIONS });
        await warmUp(singleHost);
      }
      const sp = progressHandler('single-threaded build:');
      await painted();
      const s = await runBatch(series, params, sp, singleHost);
      const ssum = checksumOfRows(s.out.rowSum, s.out.nanCount);
      Object.assign(state, {
        singleMs: s.ms, speedup: s.ms / ms, singleChecksum: ssum.sum, singleNanCount: ssum.nanCount,
        checksumsMatch: ssum.sum === sum.sum && ssum.nanCount === sum.nanCount,
      });
      await showResults();
    }
  } catch (e) {
    state.error = errText(e);
    $('error').textContent = state.error;
    $('error').hidden = false;
    console.error(e);
    clearResults();
  } finally {
    runFrames = null;
    state.running = false;
    $('progress-wrap').hidden = true;
    $('run').disabled = !host;
  }
  await painted();
  return snapshot();
}

// ---- results ---------------------------------------------------------------
// A failed run leaves no figures of the previous one on the page: they would
// read as this run's.
function clearResults() {
  result = null;
  picked = new Set();
  for (const id of ['c-size', 'c-ms', 'c-single', 'c-speedup', 'c-checksum']) $(id).textContent = '–';
  $('hold').textContent = '';
  $('sigma-slice').replaceChildren();
  heatmap.clear();
  $('heat-summary').textContent = 'No result: the last run failed.';
  Object.assign(state, { rows: 0, cols: 0 });
  let series = null;
  try { series = prices(); } catch { /* the series itself is the problem: no chart */ }
  pricesOnly = series ? { prices: series, label: state.series } : null;
  if (series) redrawChart();
  else { chart?.destroy?.(); chart = null; $('chart').replaceChildren(); }
  $('chart-note').textContent = `No result: the run failed (${state.error}).`;
}

function modeLabel() {
  const n = host?.threads ?? 0;
  if (host?.mode === 'threads') return `threaded build, ${n} thread${n === 1 ? '' : 's'}`;
  if (host?.mode === 'shards') return `single-threaded build × ${host.shards} shards`;
  if (host?.mode === 'single') return 'single-threaded fallback';
  return 'restarting…';
}

function showResults() {
  $('c-size').textContent = `${state.rows} × ${state.cols}`;
  $('c-par-label').textContent = modeLabel();
  $('c-ms').textContent = fmtMs(state.ms);
  $('c-single').textContent = state.singleMs !== null ? fmtMs(state.singleMs) : host.mode === 'single' ? 'this run' : ($('compare').checked ? 'running…' : 'not run');
  $('c-speedup').textContent = state.speedup !== null ? `${state.speedup.toFixed(2)}×` : '–';
  let cs = `${state.checksum} · ${state.nanCount} NaN`;
  if (state.checksumsMatch === true) cs += '  ✓ identical on the single-threaded build';
  if (state.checksumsMatch === false) cs += `  ✗ single-threaded build: ${state.singleChecksum} · ${state.singleNanCount} NaN`;
  $('c-checksum').textContent = cs;
  $('hold').textContent = `Buy and hold: ${fmtPct(holdReturn(result.prices))}.`;

  const sel = $('sigma-slice');
  const sigmas = sigmaValues(result.combos);
  const keep = sel.value;
  sel.replaceChildren(...sigmas.map((s) => new Option(String(+s.toFixed(6)), String(s))));
  if (sigmas.some((s) => String(s) === keep)) sel.value = keep;
  drawHeatmap();
  return redrawChart();
}

const heatmap = new Heatmap($('heatmap'), $('tooltip'), {
  format: fmtPct,
  onPick(row) {
    if (picked.has(row)) picked.delete(row);
    else { picked.add(row); if (picked.size > 6) picked.delete(picked.values().next().value); }
    drawHeatmap();
    redrawChart();
  },
});

function drawHeatmap() {
  if (!result) return;
  heatmap.set(result.combos, result.stats, Number($('sigma-slice').value), picked);
  // The heatmap's text alternative: the best combination, in words.
  const best = bestRow(result.stats);
  const c = result.combos[best];
  const held = result.stats[best].held;
  $('heat-summary').textContent = `Best combination: period ${+c.period.toFixed(4)}, offset ${+c.offset.toFixed(4)}, sigma ${+c.sigma.toFixed(4)}: ${fmtPct(result.stats[best].ret)} (in the market ${Number.isFinite(held) ? `${(100 * held).toFixed(0)}%` : 'n/a'} of the bars). Buy and hold: ${fmtPct(holdReturn(result.prices))}.`;
}

// Before the first result: the prices alone (the default series at start-up).
let pricesOnly = null; // {prices, label}

// The line of result row `row`: one `alma` call for that combination, kept
// with the result (the batch itself returns no rows).
function lineFor(row) {
  const r = result;
  if (!r.lines.has(row)) {
    const c = r.combos[row];
    r.lines.set(row, host.call('alma', [r.prices, { period: c.period, offset: c.offset, sigma: c.sigma, floor: r.floor }]));
  }
  return r.lines.get(row);
}

// The chart as last drawn, settled once every line it shows has arrived
// (demo.chart() awaits it).
let chartDrawn = Promise.resolve();

function redrawChart() {
  chartDrawn = drawNow().catch((e) => { $('chart-note').textContent = `The chart could not be drawn: ${errText(e)}`; });
  return chartDrawn;
}

async function drawNow() {
  if (!result && !pricesOnly) return;
  let drawChart;
  try {
    ({ drawChart } = await chartModule);
  } catch (e) {
    $('chart-note').textContent = `The chart library could not load: ${e}`;
    return;
  }
  if (!result) {
    chart = drawChart($('chart'), pricesOnly.prices, [], chart);
    $('chart-note').textContent = `${pricesOnly.label}. The ALMA lines appear when the batch has run.`;
    return;
  }
  const shown = result;
  const rows = [...picked];
  const lines = await Promise.all(rows.map(lineFor));
  if (shown !== result) return; // a newer batch has drawn since
  const overlays = rows.map((row, k) => {
    const c = result.combos[row];
    return { values: lines[k], label: `ALMA ${+c.period.toFixed(4)} / ${+c.offset.toFixed(4)} / ${+c.sigma.toFixed(4)} (${fmtPct(result.stats[row].ret)})` };
  });
  chart = drawChart($('chart'), result.prices, overlays, chart);
  $('chart-note').textContent = `${state.series}. Lines: period / offset / sigma (total return of the rule). Click heatmap cells to add or remove lines; drag on the chart to zoom, double-click to reset.`;
}

// ---- mode banner -----------------------------------------------------------
function banner(cls, html) {
  const b = $('banner');
  b.className = `banner ${cls}`;
  b.innerHTML = html;
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

// `failure`: a restart (recreate) that failed; host.mode is then null, and
// null also while a restart runs: neither is the single-threaded fallback.
function showMode(failure) {
  if (host.mode === null) {
    if (failure) banner('failed', `The pool could not restart<span class="why">${esc(errText(failure))}: run again to retry</span>`);
    else banner('pending', 'Restarting…');
    return;
  }
  Object.assign(state, { mode: host.mode, reason: host.reason, threads: host.threads, shards: host.shards });
  // ?isolate=sw: what the service worker did (isolated the page, or why not).
  const sw = state.isolation ? `; ?isolate=sw: ${esc(state.isolation.reason)}` : '';
  // The header and footer describe what this origin actually runs.
  $('sub-mode').textContent = host.mode === 'threads' ? 'on Web Workers that share one memory'
    : host.mode === 'shards' ? `on ${host.shards} Web Workers, each with its own memory and a share of the grid`
      : 'on one Web Worker';
  $('threads-label').firstChild.textContent = host.mode === 'shards' ? 'shards ' : 'threads ';
  if (host.mode === 'threads') {
    banner('threads', `Threaded build: rayon pool of ${host.threads} thread${host.threads === 1 ? '' : 's'}<span class="why">${esc(host.reason)}${sw}</span>`);
  } else if (host.mode === 'shards') {
    banner('shards', `${host.shards} shards, no shared memory<span class="why">because ${esc(host.reason.replace(/^no shared memory: /, ''))}${sw}</span>`);
  } else {
    banner('single', `Single-threaded fallback<span class="why">${esc(host.reason)}${sw}</span>`);
  }
  $('threads').value = String(host.threads);
  $('threads').disabled = host.mode === 'single';
  $('compare').disabled = host.mode === 'single';
}

// ---- wiring ----------------------------------------------------------------
function snapshot() {
  // host.mode is null while it restarts: the snapshot then says so (mode null), not the last mode.
  const h = host ? { mode: host.mode, reason: host.reason, threads: host.threads, shards: host.shards } : { mode: state.mode, reason: state.reason, threads: state.threads, shards: 0 };
  return JSON.parse(JSON.stringify({ ...state, ...h, isolation: state.isolation ?? null }));
}

$('form').addEventListener('submit', (e) => { e.preventDefault(); run(); });
$('form').addEventListener('input', (e) => { if (e.target.id !== 'column') preview(); });
$('defaults').addEventListener('click', () => setForm({ ...DEFAULTS, threads: host?.threads || DEFAULT_THREADS, source: 'walk' }));
document.querySelectorAll('input[name=source]').forEach((r) => r.addEventListener('change', sourceChanged));
$('file').addEventListener('change', (e) => loadFile(e.target.files[0]));
$('column').addEventListener('change', () => { if (csv?.table) showTable(csv.name, csv.table, $('column').value); });
$('sigma-slice').addEventListener('change', drawHeatmap);
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); loadFile(e.dataTransfer.files[0]); });
// The drop zone is a button for the keyboard: Enter or Space opens the file chooser.
drop.addEventListener('keydown', (e) => {
  if (e.target !== drop || (e.key !== 'Enter' && e.key !== ' ')) return;
  e.preventDefault();
  $('file').click();
});
let resizeTimer;
addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => { drawHeatmap(); redrawChart(); }, 150); });

window.demo = {
  ready: false,
  state: snapshot,
  async run(o = {}) {
    await firstRun; // never overlaps (nor is timed as) the automatic first batch
    setForm({ ...DEFAULTS, threads: host?.threads || DEFAULT_THREADS, source: 'walk', ...o });
    return run();
  },
  runDefault() { return this.run({}); },
  loadCsv,
  /** A file's bytes (or text) as if picked: read in the worker -> loadCsv's answer. */
  loadFile(data, name = 'file.csv') { return loadFile(new File([data], name), name); },
  async chart() {
    await chartDrawn;
    const { describeChart } = await chartModule;
    return describeChart(chart);
  },
  get host() { return host; },
};

setForm({ ...DEFAULTS, threads: DEFAULT_THREADS, source: 'walk' });
// Something to look at while the WebAssembly module starts: the default series.
pricesOnly = { prices: randomWalk(DEFAULTS.length, DEFAULTS.seed), label: `random walk, ${DEFAULTS.length} bars, seed ${DEFAULTS.seed}` };
redrawChart();
try {
  if (ISOLATE) state.isolation = await selfIsolate({ url: '/isolation-sw.js' }); // may reload the page once
  host = await createHost({ threaded: BUILDS.threaded, single: BUILDS.single, threads: DEFAULT_THREADS, shards: query.get('threads') ? DEFAULT_THREADS : undefined, mode: MODE, declarations: ALMA_DECLARATIONS });
  await warmUp(host);
  showMode();
  $('run').disabled = false;
} catch (e) {
  state.error = `the WebAssembly module could not start: ${errText(e)}`;
  banner('failed', `The WebAssembly module could not start<span class="why">${esc(errText(e))}</span>`);
  console.error(e);
}
// The first result without a click: the batch in the form (the default one,
// unless the user changed it meanwhile; not if they picked CSV without a
// usable file). Failures show like a clicked run's.
if (host && !state.running && (source() === 'walk' || csv?.parsed)) {
  state.autoRun = 'running';
  firstRun = run({ auto: true }).then((s) => { state.autoRun = s.error ? 'failed' : 'done'; });
  await firstRun;
} else {
  state.autoRun = 'skipped';
}
window.demo.ready = true;
