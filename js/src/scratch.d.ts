// Type declarations of scratch.js: output buffers the host keeps between calls
// (internal to rayon-web-host; not a package export).

/** At most 2 buffers per instance, dropped 5 s after the instance's last call. */
export declare class Scratch {
  /** shared: take SharedArrayBuffers (where shared memory can be posted to workers). */
  constructor(options?: { shared?: boolean });
  /** A `Ctor` typed array of `length` elements: a kept buffer of that size (old contents) or a new one. */
  take<T extends ArrayBufferView>(Ctor: { new (buffer: ArrayBufferLike): T; new (length: number): T; BYTES_PER_ELEMENT: number }, length: number): T;
  /**
   * Keeps the buffer of an output that went to the worker as `sent` and came back as
   * `returned`, for the next call: a moved buffer as it came back, shared memory only
   * if this scratch made it.
   */
  keep(sent: ArrayBufferView | undefined, returned: ArrayBufferView | undefined): void;
  /** How many bytes are kept. */
  bytes(): number;
  /** Drops every kept buffer. */
  clear(): void;
}

/** Whether `buffer` is shared memory (posted by reference: it cannot be, and need not be, transferred). */
export declare function isShared(buffer: unknown): buffer is SharedArrayBuffer;
