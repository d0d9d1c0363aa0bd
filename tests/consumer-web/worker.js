// The consumer's module worker: imports the package, starts the pool, runs the
// parallel functions and posts {result} or {error} to the page.
import { run, describe } from './run.js';

const params = new URLSearchParams(self.location.search);
const GLUE = new URL('/target/pkg/consumer/rayon_web_consumer.js', self.location.origin).href;

try {
  const glue = await import(GLUE);
  const result = await run(glue, params, params.get('mode') ?? 'worker');
  self.postMessage({ result });
} catch (err) {
  self.postMessage({ error: describe(err) });
}
