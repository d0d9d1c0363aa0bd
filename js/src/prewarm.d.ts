/**
 * Starts a pool's workers before the page has imported the wasm-bindgen glue:
 * each starts importing `glueUrl` at once, and the next `initThreadPool` (or
 * custom pool) started in this realm by a glue that links rayon-web takes them.
 * Calls add up to `numThreads`, never beyond. Returns how many workers now wait:
 * 0 where no pool can run (a page or worker that is not cross-origin isolated,
 * no SharedArrayBuffer or Worker, Node/Deno/Bun). Unclaimed workers end after 10 s.
 *
 * @throws TypeError with `code: 'INVALID_ARGUMENT'` for a bad argument.
 */
export function prewarmPool(options: {
  /** 1..65536, as for `initThreadPool` (e.g. `navigator.hardwareConcurrency`); at most 64 workers start. */
  numThreads: number;
  /** The absolute URL of the glue, e.g. `new URL('./pkg/my_crate.js', import.meta.url).href`. */
  glueUrl: string;
}): number;

/** How many workers `prewarmPool` started in this realm that no pool has taken yet. */
export function prewarmedWorkers(): number;

/** The start protocol version the workers speak (rayon-web's own must match, or it ends them). */
export const WORKER_PROTOCOL: number;

/** The worker bootstrap's source for `glueUrl` (rayon-web's own, with the browser's message port; for tests). */
export function workerSource(glueUrl: string): string;
