// One pool benchmark run (Node process or browser worker): time initThreadPool,
// then, if asked, the compute-bound job on one thread and on the pool; or
// (`reuse`) time building a custom pool on new workers, then on reused idle ones.
export async function poolCase(glue, { threads, speedup, n, reuse }) {
  if (reuse) {
    const [fresh] = await glue.customPoolTimes(threads);
    const reused = [];
    for (let i = 0; i < 9; i++) {
      // Measure the reuse itself, not the wait for the dropped pool's threads.
      while (glue.idleWorkers() < threads) await new Promise((r) => setTimeout(r, 1));
      reused.push((await glue.customPoolTimes(threads))[0]);
    }
    glue.releaseIdleWorkers();
    return { fresh, reused };
  }
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
