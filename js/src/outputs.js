// Arrays a call's export writes into. A worker cannot write into the caller's
// memory (unless it is shared), so the host hands the worker buffers and copies
// what comes back into the caller's arrays: declared outputs (write-only, a
// kept scratch buffer goes in their place: scratch.js) and, for undeclared
// exports, the typed arrays the worker finds changed.

import { isDetached } from './split.js';
import { isShared } from './scratch.js';

/**
 * The arguments and transfer list of an unsplit call on `inst`, with each
 * declared output replaced by a buffer of its type and length moved to the
 * worker (a kept one when it fits: see scratch.js). Declared outputs are
 * write-only, and a structured clone of the caller's array would copy it — with
 * its page faults — only to be overwritten: 200 MB of `almaBatchInto` output
 * took ~410 ms through the single host that way against ~250 ms for `almaBatch`.
 * A detached buffer (the module reports it), a DataView, or shared memory (the
 * worker writes into it directly) is sent as it is.
 */
export function outputsFor(job, inst) {
  if (job.outputs.length === 0) return [job.args, job.transfer];
  const args = job.args.slice();
  const transfer = [...job.transfer];
  for (const [i, o] of job.outputs) {
    if (o instanceof DataView || !(o.buffer instanceof ArrayBuffer) || isDetached(o.buffer)) continue;
    args[i] = inst.scratch.take(o.constructor, o.length);
    // (Shared scratch is posted by reference: a transfer list may not hold it.)
    if (!isShared(args[i].buffer)) transfer.push(args[i].buffer);
  }
  return [args, transfer];
}

/**
 * The arguments of an undeclared call the worker watches for writes: typed
 * arrays (and ArrayBuffers) the caller keeps — not transferred, not shared
 * memory (which the worker writes into directly). A worker cannot write into the
 * caller's memory, so an export that fills its argument (a `&mut [f64]`
 * parameter) would otherwise leave the caller's array as it was, silently; the
 * worker hands back those it finds changed and they are copied in (`writeBack`).
 */
export function watchedArgs(job) {
  if (job.decl) return [];
  return job.args.flatMap((a, i) => {
    const buf = bufferOf(a);
    // (A detached buffer has byteLength 0.)
    const keeps = buf instanceof ArrayBuffer && buf.byteLength > 0 && !job.transfer.includes(buf);
    return keeps ? [i] : [];
  });
}

/** The buffer of a typed array or DataView, an ArrayBuffer itself, else null. */
const bufferOf = (v) => (ArrayBuffer.isView(v) ? v.buffer : v instanceof ArrayBuffer ? v : null);

/** Bytes of a typed array, DataView or ArrayBuffer. */
const bytesOf = (v) => (ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v));

/** Copies the values the worker found written (`[index, value]` pairs) into the caller's arguments. */
export function writeBack(args, written = []) {
  for (const [i, value] of written) {
    if (isDetached(bufferOf(args[i]))) continue;
    const [dst, src] = [bytesOf(args[i]), bytesOf(value)];
    // (A resizable buffer the caller shrank meanwhile no longer fits the values: left as it is.)
    if (dst.byteLength === src.byteLength) dst.set(src);
  }
}
