// What the calling thread pays to copy a batch's output out of wasm memory
// into the caller's reused Float64Array, by kind of memory: the threaded build's
// memory is shared, the single-threaded build's is not. The same
// TypedArray.set costs more from shared memory (likely because V8 copies shared
// memory with relaxed atomic word copies, not memcpy); on 2 cores this serial
// copy caps the pool's speed-up of large batches (BENCHMARKS.md, issue 17).
// 403 MB: the backtester case's output (1000 series × 2520 points × 20 periods).
// Variants alternated in one process, medians of 9 rounds.
import { cpus } from 'node:os';
import { median } from './median.mjs';

const n = Math.floor(403e6 / 8);
const pages = Math.ceil((n * 8) / 65536);
const shared = new Float64Array(new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer, 0, n);
const plain = new Float64Array(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, n);
const out = new Float64Array(n);
for (let i = 0; i < n; i++) { shared[i] = i; plain[i] = i; out[i] = -i; }

const time = (f) => { const t0 = performance.now(); f(); return performance.now() - t0; };
const fromPlain = [], fromShared = [], ratio = [];
for (let round = 0; round < 9; round++) {
  const p = time(() => out.set(plain));
  const s = time(() => out.set(shared));
  fromPlain.push(p); fromShared.push(s); ratio.push(s / p);
}
if (out[n - 1] !== n - 1) throw new Error('copy check failed');
console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'}; Node ${process.version}`);
console.log(`copy 403 MB out of wasm memory into a reused Float64Array (TypedArray.set), medians of 9:`);
console.log(`  non-shared memory (single build): ${median(fromPlain).toFixed(1)} ms`);
console.log(`  shared memory (threaded build):   ${median(fromShared).toFixed(1)} ms  (${median(ratio).toFixed(2)}× the non-shared copy)`);
