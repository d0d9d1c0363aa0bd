// Shared conventions of the fuzz suites in tests/fuzz/ (property-based, with
// fast-check). Every suite reads:
//   FUZZ_SEED  the fast-check seed (default 20261204: CI runs are reproducible;
//              a failure prints the seed and path to replay it)
//   FUZZ_RUNS  runs per property (default 300: the whole of tests/fuzz/ costs
//              well under a minute in `cargo xtask test`; `cargo xtask fuzz
//              --runs N` runs longer)
// and checks, after every call, the invariants of issue 12: it settled before
// a deadline, any error has a documented `code`, wasm memory is back to its
// level (± allocator slack), and a good call afterwards gives the reference answer.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';

const int = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
};
export const SEED = int('FUZZ_SEED', 20261204);
export const RUNS = int('FUZZ_RUNS', 300);

/** fast-check parameters every suite passes to fc.assert. */
export const fcParams = (extra = {}) => ({ seed: SEED, numRuns: RUNS, endOnFailure: true, ...extra });

/**
 * Runs `fn` and classifies how it settled: { ok: true, value } or
 * { ok: false, error }. Synchronous calls cannot be interrupted, so their
 * duration is checked against `deadlineMs` afterwards (a true hang is caught
 * by the node --test timeout of the suite); promises race a timer.
 */
export async function settle(fn, deadlineMs = 5_000) {
  const start = performance.now();
  let outcome;
  try {
    let value = fn();
    if (value && typeof value.then === 'function') {
      let timer;
      const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new DeadlineError(deadlineMs)), deadlineMs); });
      try { value = await Promise.race([value, late]); } finally { clearTimeout(timer); }
    }
    outcome = { ok: true, value };
  } catch (error) {
    if (error instanceof DeadlineError) throw error;
    outcome = { ok: false, error };
  }
  const ms = performance.now() - start;
  if (ms > deadlineMs) throw new DeadlineError(deadlineMs, ms);
  return { ...outcome, ms };
}

export class DeadlineError extends Error {
  constructor(deadlineMs, ms) {
    super(ms === undefined ? `did not settle within ${deadlineMs} ms` : `took ${ms.toFixed(0)} ms (deadline ${deadlineMs} ms)`);
  }
}

/**
 * The string literals of `export type <typeName> = "A" | "B" ...;` in a
 * generated .d.ts: the ONE documented list of error codes, read from what
 * users see (its equality with the Rust sources is tested natively).
 */
export function documentedCodes(dtsUrl, typeName) {
  const dts = readFileSync(dtsUrl, 'utf8');
  const at = dts.indexOf(`export type ${typeName} =`);
  if (at < 0) throw new Error(`${typeName} not found in ${dtsUrl}`);
  const body = dts.slice(at, dts.indexOf(';', at));
  const codes = new Set([...body.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]));
  if (codes.size === 0) throw new Error(`no codes in ${typeName}`);
  return codes;
}

/** Throws unless `error` is an Error whose `code` is in `codes` and whose message says something. */
export function assertDocumentedError(error, codes, label) {
  if (!(error instanceof Error)) throw new Error(`${label}: threw a non-Error ${describe(error)}`);
  if (!codes.has(error.code)) throw new Error(`${label}: code ${JSON.stringify(error.code)} is not documented (${error.message})`);
  if (typeof error.message !== 'string' || error.message.length < 10) throw new Error(`${label}: message ${JSON.stringify(error.message)} explains nothing`);
}

/** Memory of a wasm instance: `memory.buffer.byteLength`, plus `heap()` when the module can count its allocator. */
export function memoryLevel(memory, heap) {
  return { bytes: memory.buffer.byteLength, heap: heap ? heap() : undefined };
}

/**
 * Throws unless the Rust heap is back to `before.heap` within `heapSlack`
 * bytes (when measured), and the memory grew by at most `growSlack` bytes.
 */
export function assertMemoryFlat(before, after, label, { heapSlack = 64 << 10, growSlack = Infinity } = {}) {
  if (before.heap !== undefined && Math.abs(after.heap - before.heap) > heapSlack) {
    throw new Error(`${label}: Rust heap ${before.heap} -> ${after.heap} bytes (slack ${heapSlack})`);
  }
  if (after.bytes - before.bytes > growSlack) {
    throw new Error(`${label}: wasm memory grew ${before.bytes} -> ${after.bytes} bytes (slack ${growSlack})`);
  }
}

/** Bitwise equality of two number sequences (NaN == NaN, -0 != 0). */
export const sameBits = (a, b) => a.length === b.length && Array.prototype.every.call(a, (v, k) => Object.is(v, b[k]));

/** What a value is, safely (for messages about hostile values). */
export function describe(v) {
  try { return typeof v === 'object' && v !== null ? Object.prototype.toString.call(v) : `${typeof v} ${String(v)}`; } catch { return typeof v; }
}

/** Values that are nothing like what any export expects, fresh on every run (some are stateful). */
export const junkFactories = [
  () => undefined, () => null, () => '', () => 'abc', () => '1234567890123', () => 42, () => -1, () => NaN, () => true,
  () => 5n, () => Symbol('s'), () => ({}), () => ({ length: 5 }), () => ({ length: 2 ** 28 }), () => [1, 'x', 3],
  // eslint-disable-next-line no-sparse-arrays
  () => [1, , 3], () => { const a = []; a.length = 2 ** 30; return a; }, () => new Int32Array(5), () => new BigInt64Array(3),
  () => new Uint8Array(10), () => new ArrayBuffer(16), () => new DataView(new ArrayBuffer(16)), () => new Map(), () => new Date(0),
  () => () => 1, () => Object.create(null),
  () => Object.defineProperty({}, 'period', { get() { throw new Error('getter threw'); }, enumerable: true }),
  () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; },
  () => new Proxy([1, 2, 3], { get() { throw new Error('trap threw'); } }),
];
/**
 * An arbitrary of junk placeholders: fast-check itself inspects generated
 * values (and would throw on a revoked Proxy), so it generates `Junk(i)` and
 * `materialize(args)` builds the real values just before the call.
 */
export class Junk {
  constructor(i) { this.i = i; }
  toString() { return `junk#${this.i} (${junkFactories[this.i]})`; }
}
export const junk = () => fc.constantFrom(...junkFactories.keys()).map((i) => new Junk(i));
/** `v` with every Junk placeholder (in Arrays and plain objects) replaced by a fresh junk value. */
export function materialize(v) {
  if (v instanceof Junk) return junkFactories[v.i]();
  if (Array.isArray(v)) return v.map(materialize);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, materialize(x)]));
  }
  return v;
}
export { fc };
