// Output buffers the host keeps between calls, per instance.
//
// A declared output (`out` of a split declaration) is write-only: the module
// writes every element. The host never sends the caller's array to the worker
// (a structured clone would copy it only to be overwritten); it sends a buffer
// of the same size and copies the filled buffer into the caller's array when
// it comes back. Taking that buffer fresh each time costs its page faults on
// first write — for a 200 MB output ~50–100 ms, as much as the computation —
// so the filled buffer is kept and handed to the same instance on its next
// call of the same size, with pages already mapped.
//
// Where shared memory can be posted to workers (Node, Deno, Bun, and
// cross-origin isolated pages: the host's detectThreads()), the buffers are
// SharedArrayBuffers, posted by reference and never moved. Moving them cost
// more than the copy they carry in Node: each call transferred 100 MB to each
// shard and back, the receiving isolates counted it as new external memory and
// ran "external memory pressure" GCs (scavenge + mark-compact, 1–10 ms each, in
// every shard and in the host's thread), and the shards started their parts
// late — Node's 2 shards ran `almaBatchInto` 250 x 100k 1.11–1.20x faster than
// one instance with moved buffers and 1.68–1.72x with shared ones (BENCHMARKS.md,
// 2026-12-07 night). Elsewhere (a page without isolation: no SharedArrayBuffer)
// they are ArrayBuffers, moved (transferred) both ways.
//
// A buffer is in one call at a time: `take` removes it from the kept list and
// only a call's result gives it back (`keep`); an aborted, failed or terminated
// call's buffer is dropped, so a worker still writing into it never writes
// into another call's output.
//
// Memory: at most KEEP_MAX buffers per instance, dropped KEEP_MS after the
// instance's last call (and on terminate/recreate).

const KEEP_MAX = 2;
const KEEP_MS = 5000;

export class Scratch {
  /** @param {{ shared?: boolean }} options shared: take SharedArrayBuffers (see above; the host passes detectThreads().threads). */
  constructor({ shared = false } = {}) {
    this.shared = shared === true && typeof SharedArrayBuffer === 'function';
    this.buffers = [];
    // Shared buffers this scratch made: only these are kept. A caller's own shared
    // output goes to the worker as itself and comes back as itself — keeping it
    // would hand the caller's memory to a later call as its scratch.
    this.own = new WeakSet();
    this.timer = null;
  }

  /** A `Ctor` typed array of `length` elements: a kept buffer of that size (old contents) or a new one. */
  take(Ctor, length) {
    const bytes = length * Ctor.BYTES_PER_ELEMENT;
    const i = this.buffers.findIndex((b) => b.byteLength === bytes);
    if (i >= 0) return new Ctor(this.buffers.splice(i, 1)[0]);
    if (!this.shared) return new Ctor(length);
    const buffer = new SharedArrayBuffer(bytes);
    this.own.add(buffer);
    return new Ctor(buffer);
  }

  /**
   * Keeps the buffer of an output that went to the worker as `sent` and came back
   * as `returned` (the worker's array, posted back), for the next call. A moved
   * buffer is kept as it came back (`sent` is detached); shared memory comes back
   * as a new object over the same memory, so the one this scratch made is kept —
   * and only that: a caller's own shared array is never taken for scratch.
   */
  keep(sent, returned) {
    const buffer = isShared(sent?.buffer) ? (this.own.has(sent.buffer) ? sent.buffer : null) : returned?.buffer;
    if (!(buffer instanceof ArrayBuffer || (this.shared && isShared(buffer)))) return;
    if (buffer.byteLength === 0 || buffer.detached === true) return;
    this.buffers.unshift(buffer);
    this.buffers.length = Math.min(this.buffers.length, KEEP_MAX);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.clear(), KEEP_MS);
    // Node: an idle host must not keep a finished script alive for these.
    this.timer?.unref?.();
  }

  /** How many bytes are kept (tests). */
  bytes() {
    return this.buffers.reduce((a, b) => a + b.byteLength, 0);
  }

  clear() {
    clearTimeout(this.timer);
    this.timer = null;
    this.buffers = [];
  }
}

/** Whether `buffer` is shared memory (posted by reference: it cannot be, and need not be, transferred). */
export function isShared(buffer) {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}
