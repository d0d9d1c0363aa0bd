// `cargo xtask bench` (pool part): time from initThreadPool() to ready for 1, 2
// and 4 workers, the speed-up of a compute-bound parallel job on 2 threads, and
// the build time of a 2-thread custom pool on new workers vs on reused idle
// ones, in Node and headless Chromium. Medians; figures only, no pass/fail.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/server.mjs';
import { launch } from '../support/browsers.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPS = Number(process.env.BENCH_REPS ?? 9);
const N = 4_000_000;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (x) => x.toFixed(1).padStart(7);

function nodeCase(threads, speedup, reuse = false) {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL('./node-case.mjs', import.meta.url)), String(threads), speedup ? '1' : '0', String(N), reuse ? '1' : '0'], { timeout: 120_000 });
  return JSON.parse(out.toString().trim());
}

async function browserCases(threads, speedup, reuse = false) {
  const server = await serve(ROOT, { isolated: true });
  const browser = await launch('chromium');
  const results = [];
  try {
    for (let i = 0; i < (speedup || reuse ? 1 : REPS); i++) {
      const page = await browser.open(`${server.url}/tests/bench/pool.html?threads=${threads}${speedup ? `&speedup=1&n=${N}` : ''}${reuse ? '&reuse=1' : ''}`);
      try { results.push(await page.result(120_000)); } finally { await page.close(); }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return results;
}

const rows = [];
for (const env of ['node', 'chromium']) {
  for (const threads of [1, 2, 4]) {
    const runs = env === 'node'
      ? Array.from({ length: REPS }, () => nodeCase(threads, false))
      : await browserCases(threads, false);
    const ms = runs.map((r) => r.initMs);
    rows.push(`${env.padEnd(9)} pool of ${threads}: ready in ${fmt(median(ms))} ms median (min ${fmt(Math.min(...ms))}, max ${fmt(Math.max(...ms))}, n=${ms.length})`);
    console.log(rows.at(-1));
  }
  const [r] = env === 'node' ? [nodeCase(2, true)] : await browserCases(2, true);
  const ratios = r.seq.map((s, i) => s / r.par[i]);
  rows.push(`${env.padEnd(9)} compute-bound job, 2 threads: sequential ${fmt(median(r.seq))} ms, parallel ${fmt(median(r.par))} ms, speed-up ${median(ratios).toFixed(2)}x median of ${ratios.length}`);
  console.log(rows.at(-1));
  const [u] = env === 'node' ? [nodeCase(2, false, true)] : await browserCases(2, false, true);
  rows.push(`${env.padEnd(9)} custom pool of 2: built on new workers in ${fmt(u.fresh)} ms, on reused idle workers in ${u.reused.length > 0 ? median(u.reused).toFixed(2) : '-'} ms median (max ${Math.max(...u.reused).toFixed(2)}, n=${u.reused.length})`);
  console.log(rows.at(-1));
}
