// Reading the options objects of rayon-web-host's functions (createHost,
// recreate, call, prewarmPool, selfIsolate, split declarations) once, where a
// mistaken or hostile argument becomes a TypeError with code INVALID_ARGUMENT
// that names it — the same rules rayon-web's initThreadPool applies to its own
// options (thread-pool/js/options.js):
//
// - an unknown key is an error, not ignored: `{ thraeds: 4 }` would otherwise
//   run with the default and say nothing;
// - each option is read exactly once (a getter cannot answer one thing to the
//   check and another to the use), and a getter, `ownKeys` trap or revoked
//   Proxy that throws is reported, never escapes uncoded;
// - `undefined` or `null` (the argument or an option) means the default.
//
// Keys on the prototype are not looked at (a class instance with getters
// works), nor symbols.

/** A TypeError with code INVALID_ARGUMENT. */
export const invalidArgument = (message) => Object.assign(new TypeError(message), { code: 'INVALID_ARGUMENT' });

/** What a value is, for messages; never throws. */
export function describe(v) {
  try {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'an Array';
    switch (typeof v) {
      case 'string': return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}…` : v);
      case 'number': return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint': return `the BigInt ${String(v).slice(0, 30)}n`;
      case 'object': return typeof v.constructor?.name === 'string' && v.constructor.name !== 'Object' ? `a ${v.constructor.name}` : 'an object';
      default: return typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`;
    }
  } catch {
    return `a value of type ${typeof v}`;
  }
}

/** A thrown value's message, for our own messages; never throws. */
export const messageOf = (e) => {
  try { return typeof e?.message === 'string' ? e.message : String(e); } catch { return 'an exception that cannot be shown'; }
};

/**
 * The `known` options of `arg` (`what` names it in messages: "createHost's
 * options"), each read once: `{ key: value }` for every known key whose value
 * is neither undefined nor null. `undefined` or `null` gives `{}`; anything but a plain object (or
 * class instance), an unknown key, or a read that throws is `fail(message)`.
 */
export function readOptions(arg, what, known, fail = invalidArgument) {
  if (arg === undefined || arg === null) return {};
  const list = known.join(', ');
  let array;
  try { array = Array.isArray(arg); } catch (e) { throw fail(`inspecting ${what} threw: ${messageOf(e)}`); } // a revoked Proxy
  if (typeof arg !== 'object' || array) throw fail(`${what} must be an object { ${list} }, got ${describe(arg)}`);
  let keys;
  try { keys = Object.keys(arg); } catch (e) { throw fail(`listing the keys of ${what} threw: ${messageOf(e)}`); }
  for (const key of keys) {
    if (!known.includes(key)) throw fail(`${what} has no option ${JSON.stringify(key)}: it accepts ${list} only`);
  }
  const read = {};
  for (const key of known) {
    let value;
    try { value = arg[key]; } catch (e) { throw fail(`reading ${what}.${key} threw: ${messageOf(e)}`); }
    if (value !== undefined && value !== null) read[key] = value;
  }
  return read;
}
