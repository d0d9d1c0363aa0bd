// Type declarations of rayon-web-host (index.js, detect.js).

/** Whether a threaded build can run here, and why (or why not), in words. */
export interface ThreadSupport {
  threads: boolean;
  reason: string;
}

/** Checks cross-origin isolation, SharedArrayBuffer and wasm threads themselves. */
export function detectThreads(): ThreadSupport;

export interface HostOptions {
  /** URL of the threaded build's wasm-bindgen glue (`--target web`), built with rayon-web. */
  threaded?: string | URL;
  /** URL of the single-threaded build's glue: the fallback. */
  single?: string | URL;
  /** Pool size for the threaded build. Default: navigator.hardwareConcurrency, or 2. */
  threads?: number;
  /** Use the single-threaded build even where threads would work. */
  forceSingle?: boolean;
  /** Deadline for the host worker to load and start the module. Default 15000 ms. */
  startTimeoutMs?: number;
}

/**
 * What a call can move to the worker instead of copying: ArrayBuffers. Declared
 * here rather than using the DOM lib's `Transferable`, which does not exist in
 * Node-only TypeScript projects (lib es2022 + @types/node).
 */
type Transferable = ArrayBuffer;

export interface CallOptions {
  /** ArrayBuffers to move to the worker instead of copying (they become unusable here). */
  transfer?: Transferable[];
  /** Called while the call runs, if the module reports progress. */
  onProgress?: (done: number, total: number) => void;
}

/** Error codes the host itself produces (the module adds its own). */
export type HostErrorCode =
  | 'NO_USABLE_BUILD'
  | 'HOST_TIMEOUT'
  | 'HOST_DIED'
  | 'HOST_TERMINATED'
  | 'NO_SUCH_EXPORT'
  | 'POOL_BROKEN';

/** An error thrown by the host or the module; `code` is the module's or one of HostErrorCode. */
export class HostError extends Error {
  code?: HostErrorCode | string;
}

export class Host {
  /** Which build runs. */
  readonly mode: 'threads' | 'single';
  /** Why that build was chosen, in words (for a banner). */
  readonly reason: string;
  /** Threads of the pool (1 for the single-threaded build). */
  readonly threads: number;
  /** Set once the instance broke (a pool thread trapped); every call then rejects with POOL_BROKEN. */
  readonly broken: string | null;
  /** Calls an export of the module in the host worker. */
  call<T = unknown>(name: string, args?: unknown[], options?: CallOptions): Promise<T>;
  /** Every export of the module as an async function. */
  readonly exports: Record<string, (...args: unknown[]) => Promise<any>>;
  /** Terminates every worker of the instance and starts a fresh one (new pool size allowed). */
  recreate(options?: { threads?: number; forceSingle?: boolean }): Promise<Host>;
  /** Terminates the instance; pending and later calls reject with HOST_TERMINATED. */
  terminate(): void;
}

/** Starts a host: picks the build, starts the dedicated worker and (threaded) the pool. */
export function createHost(options: HostOptions): Promise<Host>;
