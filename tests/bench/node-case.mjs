// Benchmark case (Node): fresh process = fresh module instance.
import { readFileSync } from 'node:fs';
const base = new URL('../../target/pkg/consumer/rayon_web_consumer', import.meta.url);
const glue = await import(base.href + '.js');
await glue.default({ module_or_path: readFileSync(new URL(base.href + '_bg.wasm')) });
const [threads, speedup, n] = process.argv.slice(2).map(Number);
const t0 = performance.now();
await glue.initThreadPool(threads);
const out = { initMs: performance.now() - t0 };
if (speedup) {
  const time = (f) => { const t = performance.now(); const v = f(n); return [performance.now() - t, v]; };
  time(glue.sumSequential); time(glue.sumParallel);
  out.seq = []; out.par = [];
  for (let i = 0; i < 5; i++) {
    const [s, a] = time(glue.sumSequential);
    const [p, b] = time(glue.sumParallel);
    if (a !== b) throw new Error(`parallel ${b} != sequential ${a}`);
    out.seq.push(s); out.par.push(p);
  }
}
console.log(JSON.stringify(out));
