// Reading `initThreadPool`'s argument, once, where JS can catch what a hostile
// or broken argument throws: a revoked Proxy (any operation on it throws), a
// getter that throws, a value whose toString throws. Reading it from Rust
// through wasm-bindgen imports would let such an exception unwind through the
// wasm frames of `initThreadPool` and escape the promise (an uncaught
// exception that ends a Node process, and a promise that never settles).
// Each option is read exactly once (a getter cannot answer differently to a
// check and to the use). Rust (src/options.rs) validates the values; this file
// only copies them, with how to show each in a message as the caller wrote it —
// except for `prewarmThreadPool`, which runs before the module exists, so
// `checkOptions` below repeats Rust's checks in JS (tests/node/prewarm.test.mjs
// checks that both accept and reject the same arguments; src/options.rs's tests
// check that the limits below are its constants).

const KNOWN = ['numThreads', 'stackSize', 'namePrefix', 'timeoutMs', 'glueUrl'];

// A description of any value that cannot throw (shown in error messages).
function show(value) {
  try {
    switch (typeof value) {
      case 'number':
        return Object.is(value, -0) ? '-0' : String(value);
      case 'string': {
        const s = JSON.stringify(value);
        return s.length > 60 ? `${s.slice(0, 57)}…" (a string of ${value.length} characters)` : s;
      }
      case 'undefined':
        return 'undefined';
      case 'bigint':
        return `the BigInt ${String(value).slice(0, 30)}n`;
      case 'boolean':
        return String(value);
      default:
        return value === null ? 'null' : `a value of type ${typeof value}`;
    }
  } catch {
    return `a value of type ${typeof value}`;
  }
}

// What an exception says, without ever throwing itself.
function reason(e) {
  try {
    if (typeof e === 'object' && e !== null && typeof e.message === 'string') {
      return `${typeof e.name === 'string' ? e.name : 'Error'}: ${e.message}`;
    }
    return show(e);
  } catch {
    return 'an exception that cannot be shown';
  }
}

/// Returns a plain object Rust reads without risk:
///   { count: true, fields: { numThreads: { value, shown } } }  for a non-object argument;
///   { fields: { <known option>: { value, shown }, ... } }       for an options object;
///   { unknown: <key> }                                          for an unknown key;
///   { error: <what failed> }                                    when reading threw.
export function readOptions(arg) {
  if (typeof arg !== 'object' || arg === null) {
    return { count: true, fields: { numThreads: { value: arg, shown: show(arg) } } };
  }
  let keys;
  try {
    keys = Object.keys(arg);
  } catch (e) {
    return { error: `listing the keys of the options object threw (${reason(e)})` };
  }
  for (const key of keys) {
    if (!KNOWN.includes(key)) return { unknown: String(key) };
  }
  const fields = {};
  for (const key of KNOWN) {
    let value;
    try {
      value = arg[key];
    } catch (e) {
      return { error: `reading option "${key}" threw (${reason(e)})` };
    }
    if (value !== undefined) fields[key] = { value, shown: show(value) };
  }
  return { fields };
}

// src/options.rs: MAX_THREADS, MAX_CORE_COUNT, MAX_STACK_SIZE, WASM_PAGE, MAX_TIMEOUT_MS.
const MAX_THREADS = 64;
const MAX_CORE_COUNT = 65536;
const MAX_STACK_SIZE = 268435456;
const WASM_PAGE = 65536;
const MAX_TIMEOUT_MS = 2147483647;

const ACCEPTED = 'prewarmThreadPool takes what initThreadPool takes: a thread count or ' +
  '{ numThreads, stackSize?, namePrefix?, timeoutMs?, glueUrl? }';

/// The checks `PoolOptions::from_js` makes (src/options.rs), on what
/// `readOptions(arg)` returned: `{ numThreads, namePrefix, glueUrl }`, or
/// `{ error }` with a message for INVALID_ARGUMENT.
export function checkOptions(read) {
  const fail = (what) => ({ error: `rayon-web: ${what}` });
  if (read.error) return fail(`${read.error}; ${ACCEPTED}`);
  if (read.unknown !== undefined) return fail(`unknown option ${JSON.stringify(read.unknown)}; ${ACCEPTED}`);
  const f = read.fields;
  const number = (key) => (typeof f[key].value === 'number' ? null
    : fail(`${key} must be a number, got ${f[key].shown}; ${ACCEPTED}`));
  const integer = (key) => (Number.isInteger(f[key].value) ? null
    : fail(`${key} must be an integer, got ${f[key].shown}`));
  const threads = f.numThreads ?? { value: undefined, shown: 'undefined' };
  f.numThreads = threads;
  const bad = number('numThreads') ?? integer('numThreads') ??
    (threads.value < 1 ? fail(`numThreads must be at least 1, got ${threads.shown} (for example the core count: navigator.hardwareConcurrency in JS, std::thread::available_parallelism() in Rust)`) : null) ??
    (threads.value > MAX_CORE_COUNT ? fail(`numThreads is ${threads.shown}, more than any machine's core count (at most ${MAX_CORE_COUNT}; a pool has at most ${MAX_THREADS} threads); use the core count (navigator.hardwareConcurrency, available_parallelism())`) : null) ??
    (f.stackSize && (number('stackSize') ?? (
      Number.isInteger(f.stackSize.value) && f.stackSize.value >= 1 && f.stackSize.value <= MAX_STACK_SIZE &&
      f.stackSize.value % WASM_PAGE === 0 ? null
        : fail(`stackSize is ${f.stackSize.shown}; it must be a nonzero multiple of 65536 bytes up to ${MAX_STACK_SIZE}`)))) ??
    (f.namePrefix && typeof f.namePrefix.value !== 'string' ? fail(`namePrefix must be a string, got ${f.namePrefix.shown}`) : null) ??
    (f.timeoutMs && (number('timeoutMs') ?? integer('timeoutMs') ?? (
      f.timeoutMs.value >= 1 && f.timeoutMs.value <= MAX_TIMEOUT_MS ? null
        : fail(`timeoutMs is ${f.timeoutMs.shown}; it must be from 1 to ${MAX_TIMEOUT_MS} ms`)))) ??
    (f.glueUrl && typeof f.glueUrl.value !== 'string' ? fail(`glueUrl must be a string, got ${f.glueUrl.shown}`) : null);
  if (bad) return bad;
  // A core count above the pool's maximum starts the maximum (src/options.rs, MAX_THREADS).
  return { numThreads: Math.min(threads.value, MAX_THREADS), namePrefix: f.namePrefix?.value ?? "rayon-web-", glueUrl: f.glueUrl?.value ?? null };
}
