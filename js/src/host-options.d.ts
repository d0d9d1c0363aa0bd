// Type declarations of host-options.js: createHost / recreate / call options
// (internal to rayon-web-host; the options themselves are declared in index.d.ts).
import type { Mode } from './index.js';

export declare const HOST_OPTIONS: readonly string[];
export declare const RECREATE_OPTIONS: readonly string[];
export declare const CALL_OPTIONS: readonly string[];
/** The most threads a rayon-web pool may have (thread-pool/src/options.rs). */
export declare const MAX_POOL_THREADS: 64;
/** The largest count taken as a core count. */
export declare const MAX_CORE_COUNT: 65536;
/** setTimeout's longest delay. */
export declare const MAX_TIMEOUT_MS: 2147483647;
/** A thread or shard count, checked (INVALID_ARGUMENT) and capped at MAX_POOL_THREADS. */
export declare function workerCount(asked: unknown, what: string, note: string): number;
/** A build's glue URL, absolute; undefined when not given. */
export declare function glueUrl(value: unknown, key: string): string | undefined;
/** The mode `mode` and `forceSingle` ask for together; undefined when neither does. */
export declare function modeOption(mode: unknown, forceSingle: unknown, what: string): Mode | 'auto' | undefined;
/** Duck-typed AbortSignal check (any realm, polyfills). */
export declare function isAbortSignal(s: unknown): s is AbortSignal;
