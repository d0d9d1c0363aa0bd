// Type declarations of scratch.js: output buffers the host keeps between calls
// (internal to rayon-web-host; not a package export).

/** At most 2 buffers per instance, dropped 5 s after the instance's last call. */
export declare class Scratch {
  /** A `Ctor` typed array of `length` elements: a kept buffer of that size (old contents) or a new one. */
  take<T extends ArrayBufferView>(Ctor: { new (buffer: ArrayBuffer): T; new (length: number): T; BYTES_PER_ELEMENT: number }, length: number): T;
  /** Keeps a buffer that came back from the worker for the next call. */
  keep(buffer: ArrayBufferLike): void;
  /** How many bytes are kept. */
  bytes(): number;
  /** Drops every kept buffer. */
  clear(): void;
}
