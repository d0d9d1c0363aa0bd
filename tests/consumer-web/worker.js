// The consumer's module worker: imports the package, starts the pool, runs the
// parallel functions and posts {result} or {error} to the page.
import { run, describe, prewarmEarly } from './run.js';

const params = new URLSearchParams(self.location.search);
// ?pkg= picks another build of the consumer under target/pkg/ (e.g. consumer-wasm-pack).
const GLUE = new URL(`/target/pkg/${params.get('pkg') ?? 'consumer'}/rayon_web_consumer.js`, self.location.origin).href;

try {
  const pre = await prewarmEarly(params, GLUE);
  const glue = await import(GLUE);
  const result = await run(glue, params, params.get('mode') ?? 'worker', pre);
  self.postMessage({ result });
} catch (err) {
  self.postMessage({ error: describe(err) });
}
