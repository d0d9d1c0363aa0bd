// The errors rayon-web-host's Host produces: every promise it returns (createHost,
// call, recreate) rejects with a HostError — the module's own error (its `code`
// kept), or one of the host's codes (HostErrorCode in index.d.ts). A bad
// argument is a HostError named 'TypeError' with code INVALID_ARGUMENT (the
// standalone entry points — prewarm, split's compileDeclaration, isolate — throw
// a plain TypeError with that code: options.js).

import { messageOf } from './options.js';

/** An error from the host or the module, with the module's `code` when it had one. */
export class HostError extends Error {
  constructor({ name, message, code, series, cause }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name && name !== 'Error' ? name : 'HostError';
    if (code !== undefined) this.code = code;
    if (series !== undefined) this.series = series;
  }
}

/** A bad argument, option or declaration: INVALID_ARGUMENT, named TypeError. */
export const invalid = (message) => new HostError({ name: 'TypeError', message, code: 'INVALID_ARGUMENT' });
export const terminated = (message = 'the host was terminated') => new HostError({ message, code: 'HOST_TERMINATED' });
// (Defined beside readOptions, which every entry point already imports.)
export { messageOf };

/** ABORTED for `job`, carrying the signal's reason as `cause`. */
export function abortError(job) {
  let reason;
  try { reason = job.signal.reason; } catch { /* a throwing getter: no reason */ }
  const why = reason === undefined ? '' : ` (${messageOf(reason)})`;
  return new HostError({ name: 'AbortError', message: `${job.name} was aborted by its signal${why}; its result is dropped`, code: 'ABORTED', cause: reason });
}

/** A start a newer recreate() replaced (internal: never reaches a caller, who gets the newer start's outcome). */
export function superseded() {
  return new HostError({ message: 'a newer recreate() replaced this start', code: 'HOST_SUPERSEDED' });
}
