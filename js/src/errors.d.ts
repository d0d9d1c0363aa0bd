// Type declarations of errors.js: the host's coded errors (internal to
// rayon-web-host; HostError itself is exported by index.js and declared in index.d.ts).
import type { HostError } from './index.js';
export type { HostError };

/** INVALID_ARGUMENT: a HostError named 'TypeError'. */
export declare function invalid(message: string): HostError & { code: 'INVALID_ARGUMENT' };
/** HOST_TERMINATED. */
export declare function terminated(message?: string): HostError & { code: 'HOST_TERMINATED' };
export { messageOf } from './options.js';
/** ABORTED for a call, with its signal's reason as `cause`. */
export declare function abortError(job: { name: string; signal?: AbortSignal }): HostError & { code: 'ABORTED' };
/** HOST_SUPERSEDED: a start a newer recreate() replaced (internal). */
export declare function superseded(): HostError;
