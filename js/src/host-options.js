// The options of createHost, recreate and call, checked once where they come in
// (options.js reads them: unknown keys and throwing getters are INVALID_ARGUMENT).

import { describe } from './options.js';
import { invalid } from './errors.js';

export const HOST_OPTIONS = ['threaded', 'single', 'mode', 'threads', 'shards', 'declarations', 'shardMinWork', 'forceSingle', 'startTimeoutMs'];
export const RECREATE_OPTIONS = ['threads', 'shards', 'mode', 'forceSingle'];
export const CALL_OPTIONS = ['transfer', 'onProgress', 'signal'];
/** The most threads a rayon-web pool may have, and the largest count taken as a core
 * count (thread-pool/src/options.rs's MAX_THREADS, MAX_CORE_COUNT): more threads than
 * the maximum (a large machine's core count) start the maximum, as initThreadPool does. */
export const MAX_POOL_THREADS = 64;
export const MAX_CORE_COUNT = 65536;
/** setTimeout's longest delay (2^31 - 1 ms). */
export const MAX_TIMEOUT_MS = 2147483647;

/** `asked` threads or shards, checked (an integer from 1 to MAX_CORE_COUNT; `note` says why the bound) and capped at MAX_POOL_THREADS. */
export function workerCount(asked, what, note) {
  if (!Number.isInteger(asked) || asked < 1 || asked > MAX_CORE_COUNT) {
    throw invalid(`${what} must be an integer from 1 to ${MAX_CORE_COUNT} (${note}), got ${describe(asked)}`);
  }
  return Math.min(asked, MAX_POOL_THREADS);
}

/**
 * A build's glue URL, absolute: a string or URL object; null/undefined = not given.
 * Resolved here, not in the worker: Node has no `location` to resolve a relative
 * string against, and a throw later (in boot) would be uncoded.
 */
export function glueUrl(v, key) {
  if (v === undefined || v === null) return undefined;
  if (v instanceof URL) return v.href;
  if (typeof v === 'string' && v !== '') {
    try {
      return new URL(v, globalThis.location?.href).href;
    } catch {
      throw invalid(`createHost's options.${key} ${JSON.stringify(v)} is not an absolute URL, and here there is no page location to resolve it against: pass an absolute URL, e.g. new URL('./pkg/x.js', import.meta.url)`);
    }
  }
  throw invalid(`createHost's options.${key} must be the URL of a wasm-bindgen glue JS file (a URL object or a non-empty string), got ${describe(v)}`);
}

/**
 * The mode `mode` and `forceSingle` ask for together (`what` names the options),
 * `undefined` when neither does. Both given and disagreeing is an error, never a
 * silent pick of one.
 */
export function modeOption(mode, forceSingle, what) {
  if (forceSingle !== undefined && typeof forceSingle !== 'boolean') throw invalid(`${what}.forceSingle must be a boolean, got ${describe(forceSingle)}`);
  if (mode !== undefined && forceSingle !== undefined && (mode === 'single') !== forceSingle) {
    throw invalid(`${what}: mode ${describe(mode)} and forceSingle: ${forceSingle} contradict each other; pass mode only (forceSingle: true is mode: 'single')`);
  }
  return mode ?? (forceSingle === true ? 'single' : undefined);
}

/** Duck-typed: an AbortSignal of this realm, another realm's, or a polyfill's. */
export function isAbortSignal(s) {
  try {
    return s !== null && typeof s === 'object' && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
  } catch {
    return false;
  }
}
