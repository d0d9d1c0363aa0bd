// Type declarations of sendable.js: what a call may send to a worker (internal to rayon-web-host).

/** The path and value of the first class instance in `v` a structured clone would flatten, or null. */
export declare function classInstancePath(v: unknown, path: string): { path: string; value: object } | null;
/** A value's type or class name, for messages. */
export declare function typeName(v: unknown): string;
/** Clones `{ args, transfer }` as postMessage would, or throws INVALID_ARGUMENT naming the argument that cannot be sent. */
export declare function checkSendable<A extends unknown[]>(name: string, args: A, transfer: Transferable[]): { args: A; transfer: Transferable[] };
/** Throws INVALID_ARGUMENT naming the first already-transferred ArrayBuffer of `transfer`. */
export declare function checkDetached(name: string, transfer: readonly unknown[]): void;
