// Benchmark case (Node): fresh process = fresh module instance.
import { readFileSync } from 'node:fs';
import { poolCase } from './pool-case.js';
const base = new URL('../../target/pkg/consumer/rayon_web_consumer', import.meta.url);
const glue = await import(base.href + '.js');
await glue.default({ module_or_path: readFileSync(new URL(base.href + '_bg.wasm')) });
const [threads, speedup, n, reuse] = process.argv.slice(2).map(Number);
console.log(JSON.stringify(await poolCase(glue, { threads, speedup: Boolean(speedup), n, reuse: Boolean(reuse) })));
