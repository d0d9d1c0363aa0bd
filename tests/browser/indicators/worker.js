// Runs tests/indicators/checks.js on both builds in a worker (the threaded
// one on a pool of 2) and posts the results.
import { runChecks } from '/tests/indicators/checks.js';
const load = async (name, threads) => {
  const glue = await import(`/target/pkg/${name}/rayon_web_indicators.js`);
  const wasm = await glue.default();
  if (threads) await glue.initThreadPool(threads);
  // The exports plus the instance's memory (for memory-level checks).
  return { ...glue, wasmMemory: wasm.memory };
};
try {
  const fx = await (await fetch('/indicators/tests/fixtures/alma_reference.json')).json();
  const emaFx = await (await fetch('/indicators/tests/fixtures/ema_reference.json')).json();
  const single = await load('indicators-single', 0);
  const threads = await load('indicators-threads', 2);
  self.postMessage({ single: runChecks(single, fx, null, emaFx), threads: runChecks(threads, fx, single, emaFx), isolated: self.crossOriginIsolated });
} catch (e) {
  self.postMessage({ failed: { message: String(e.message ?? e) } });
}
