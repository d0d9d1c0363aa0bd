// One start-up measurement, from the page's main thread (how a plain page starts
// a pool: README "Plain pages"). Shared by startup.html (browsers) and
// startup-node.mjs (Node). Every time is in ms; `readyAt` is since the time
// origin (navigation start in a page, process start in Node).
//
//   floor          2 empty module workers, `new Worker` until each has run its first line
//   import         2 module workers that import the glue, until both have it
//   import-wbr     the same with wasm-bindgen-rayon's glue
//   rayon-web      import the glue, init(), initThreadPool(2)
//   prewarm        the same, with prewarmThreadPool({ numThreads: 2, glueUrl }) first
//   early          rayon-web-host's prewarmPool({ numThreads: 2, glueUrl }) before the glue
//                  is even imported (js/src/prewarm.js; browsers only), then as rayon-web
//   wbr            wasm-bindgen-rayon 1.3.0 (no-bundler): import, init(), initThreadPool(2)
//
// The packages: bench/startup-compare built on each pool (target/pkg/startup-rayon-web,
// target/pkg/startup-wbr), the same exports, so only the pool crate differs.
//
// Each run ends with one parallel sum checked against the sequential one, so a
// pool that only looked ready would fail.
export const MODES = ['floor', 'import', 'import-wbr', 'rayon-web', 'prewarm', 'early', 'wbr'];

export async function startupCase(mode, { glueUrl, wbrUrl, prewarmUrl, wasm, spawnEmpty }) {
  const t0 = performance.now();
  if (mode === 'floor' || mode === 'import' || mode === 'import-wbr') {
    await spawnEmpty(2, { floor: null, import: glueUrl, 'import-wbr': wbrUrl }[mode]);
    return { poolMs: performance.now() - t0, readyAt: performance.now() };
  }
  const url = mode === 'wbr' ? wbrUrl : glueUrl;
  if (mode === 'early') {
    const { prewarmPool } = await import(prewarmUrl);
    if (prewarmPool({ numThreads: 2, glueUrl: url }) !== 2) throw new Error('prewarmPool started no workers');
  }
  const glue = await import(url);
  const imported = performance.now();
  if (mode === 'prewarm') glue.prewarmThreadPool({ numThreads: 2, glueUrl: url });
  await glue.default(wasm ? { module_or_path: await wasm(mode) } : undefined);
  const initialized = performance.now();
  const n = await glue.initThreadPool(2);
  const ready = performance.now();
  if (n !== undefined && n !== 2) throw new Error(`initThreadPool(2) resolved with ${n}`);
  return {
    importMs: imported - t0, initMs: initialized - imported, poolMs: ready - initialized, readyAt: ready,
    check: [glue.sumParallel(100_000), glue.sumSequential(100_000)],
  };
}
