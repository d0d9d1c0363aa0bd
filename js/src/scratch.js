// Output buffers the host keeps between calls, per instance.
//
// A declared output (`out` of a split declaration) is write-only: the module
// writes every element. The host never sends the caller's array to the worker
// (a structured clone would copy it only to be overwritten); it sends a buffer
// of the same size, moved, and copies the filled buffer into the caller's
// array when it comes back. Taking that buffer fresh each time costs its page
// faults on first write — for a 200 MB output ~50–100 ms, as much as the
// computation — so the filled buffer is kept and moved to the same instance
// on its next call of the same size, with pages already mapped.
//
// Memory: at most KEEP_MAX buffers per instance, dropped KEEP_MS after the
// instance's last call (and on terminate/recreate).

const KEEP_MAX = 2;
const KEEP_MS = 5000;

export class Scratch {
  constructor() {
    this.buffers = [];
    this.timer = null;
  }

  /** A `Ctor` typed array of `length` elements: a kept buffer of that size (old contents) or a new one. */
  take(Ctor, length) {
    const bytes = length * Ctor.BYTES_PER_ELEMENT;
    const i = this.buffers.findIndex((b) => b.byteLength === bytes);
    return i >= 0 ? new Ctor(this.buffers.splice(i, 1)[0]) : new Ctor(length);
  }

  /** Keeps a buffer that came back from the worker for the next call (not shared memory, not detached). */
  keep(buffer) {
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || buffer.detached === true) return;
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
