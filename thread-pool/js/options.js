// Reading `initThreadPool`'s argument, once, where JS can catch what a hostile
// or broken argument throws: a revoked Proxy (any operation on it throws), a
// getter that throws, a value whose toString throws. Reading it from Rust
// through wasm-bindgen imports would let such an exception unwind through the
// wasm frames of `initThreadPool` and escape the promise (an uncaught
// exception that ends a Node process, and a promise that never settles).
// Each option is read exactly once (a getter cannot answer differently to a
// check and to the use). Rust (src/options.rs) validates the values; this file
// only copies them, with how to show each in a message as the caller wrote it.

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
