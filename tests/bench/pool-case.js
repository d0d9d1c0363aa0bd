// One pool benchmark run (Node process or browser worker): time initThreadPool,
// then, if asked, the compute-bound job on one thread and on the pool.
export async function poolCase(glue, { threads, speedup, n }) {
  const t0 = performance.now();
  await glue.initThreadPool(threads);
  const out = { initMs: performance.now() - t0 };
  if (speedup) {
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
  return out;
}
