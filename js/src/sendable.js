// What a call may send to a worker, checked before anything is posted, so a
// failure names its argument: a structured clone silently turns a class
// instance into a plain object, Node 20 drops a message whose transfer list
// holds a detached buffer without a word, and a DataCloneError does not say
// which argument (or that size is why).

import { invalid } from './errors.js';
import { isDetached } from './split.js';

/** Built-ins that a structured clone copies as what they are (instanceof: subclasses arrive as the built-in). */
const CLONEABLE = [
  'Array', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Map', 'Set', 'Date', 'RegExp', 'Error', 'Boolean', 'Number', 'String', 'BigInt',
  'Blob', 'File', 'FileList', 'ImageData', 'ImageBitmap', 'CryptoKey', 'DOMException',
].map((n) => globalThis[n]).concat([globalThis.WebAssembly?.Module, globalThis.WebAssembly?.Memory]).filter((c) => typeof c === 'function');
/** How deep, and how many values in all, classInstancePath looks (arguments are a few levels of plain data). */
const WALK_DEPTH = 4;
const WALK_VALUES = 10_000;
const pathKey = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

/**
 * The path (`args[1].grid`) and value of the first class instance in `v` that is
 * not a cloneable built-in, or null. A structured clone copies such an object as
 * a plain one with its own data properties only: its getters, methods and private
 * fields are lost, and the module would silently see other values (its defaults).
 * Plain objects and arrays are walked (not typed arrays' contents); what cannot be
 * read is left to the clone, which reports it.
 */
export function classInstancePath(v, path, depth = 0, budget = { left: WALK_VALUES }) {
  if (v === null || typeof v !== 'object') return null;
  let proto;
  let array;
  try { proto = Object.getPrototypeOf(v); array = Array.isArray(v); } catch { return null; }
  if (array || proto === Object.prototype || proto === null) {
    if (depth >= WALK_DEPTH) return null;
    let keys;
    // Arrays by index, bounded by the budget (a sparse array's length may be 2^32 - 1).
    try { keys = array ? null : Object.keys(v); } catch { return null; }
    const n = array ? v.length : keys.length;
    for (let i = 0; i < n && budget.left-- > 0; i++) {
      let x;
      try { x = v[array ? i : keys[i]]; } catch { return null; }
      const found = classInstancePath(x, path + (array ? `[${i}]` : pathKey(keys[i])), depth + 1, budget);
      if (found) return found;
    }
    return null;
  }
  if (ArrayBuffer.isView(v) || CLONEABLE.some((C) => v instanceof C)) return null;
  return { path, value: v };
}
export const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'Array' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v);

/**
 * For an argument whose copy failed: when it is a large buffer, say so — the
 * engine's "could not be cloned" does not say that size is why. Chromium sends
 * no buffer of 2 GiB or more to a worker, copied or moved ("size exceeds the
 * supported range" even in a transfer list; measured with Chromium 156).
 */
function tooLargeHint(arg) {
  let bytes = 0;
  try { bytes = ArrayBuffer.isView(arg) ? arg.byteLength : arg instanceof ArrayBuffer ? arg.byteLength : 0; } catch { return ''; }
  const mib = (bytes / 2 ** 20).toFixed(0);
  if (bytes >= 2 ** 31) {
    return ` — it holds ${mib} MiB, and a buffer of 2 GiB or more cannot be sent to a worker (Chromium refuses it even moved): split the call (a long series in chunks overlapping by period - 1 samples gives the same values)`;
  }
  if (bytes < 256 * 2 ** 20) return '';
  return ` — it holds ${mib} MiB: move it with { transfer: [array.buffer] } instead of copying (the array becomes unusable here), or split the call`;
}

/**
 * Checks what `postMessage(args, transfer)` needs, synchronously, and names the
 * culprit: Node 20 drops a message whose transfer list holds a detached buffer
 * without a word, and a DataCloneError says nothing about which argument.
 */
export function checkSendable(name, args, transfer) {
  checkDetached(name, transfer);
  try {
    return structuredClone({ args, transfer }, { transfer });
  } catch (e) {
    for (let i = 0; i < args.length; i++) {
      try { structuredClone(args[i]); } catch (inner) {
        throw invalid(`${name}: argument ${i} (${typeName(args[i])}) cannot be sent to the worker: ${inner.message}${tooLargeHint(args[i])}`);
      }
    }
    throw invalid(`${name}: the transfer list cannot be used: ${e.message} (list each ArrayBuffer once, and only transferable objects)`);
  }
}

/** INVALID_ARGUMENT naming the first ArrayBuffer of `transfer` that was already transferred away. */
export function checkDetached(name, transfer) {
  transfer.forEach((t, j) => {
    if (t instanceof ArrayBuffer && isDetached(t)) {
      throw invalid(`${name}: transfer[${j}] is an ArrayBuffer that was already transferred (detached); pass a live buffer, or copy the data instead of transferring it`);
    }
  });
}

