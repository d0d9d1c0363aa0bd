// Benchmark worker (browser): fresh module instance per page load.
import { poolCase } from './pool-case.js';
const params = new URLSearchParams(self.location.search);
const glue = await import(new URL('/target/pkg/consumer/rayon_web_consumer.js', self.location.origin).href);
await glue.default();
self.postMessage(await poolCase(glue, { threads: Number(params.get('threads')), speedup: Boolean(params.get('speedup')), n: Number(params.get('n')), reuse: Boolean(params.get('reuse')) }));
