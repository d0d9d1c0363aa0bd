// Benchmark worker (browser): fresh module instance per page load.
const params = new URLSearchParams(self.location.search);
const glueUrl = new URL('/target/pkg/consumer/rayon_web_consumer.js', self.location.origin).href;
const glue = await import(glueUrl);
await glue.default();
const threads = Number(params.get('threads'));
const t0 = performance.now();
await glue.initThreadPool(threads);
const initMs = performance.now() - t0;
const out = { initMs };
if (params.get('speedup')) {
  const n = Number(params.get('n'));
  const time = (f) => { const t = performance.now(); const v = f(n); return [performance.now() - t, v]; };
  time(glue.sumSequential); time(glue.sumParallel); // warm-up
  out.seq = []; out.par = [];
  for (let i = 0; i < 5; i++) {
    const [s, a] = time(glue.sumSequential);
    const [p, b] = time(glue.sumParallel);
    if (a !== b) throw new Error(`parallel ${b} != sequential ${a}`);
    out.seq.push(s); out.par.push(p);
  }
}
self.postMessage(out);
