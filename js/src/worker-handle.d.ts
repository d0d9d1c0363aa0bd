// Type declarations of worker-handle.js: one host worker in Node or a browser (internal to rayon-web-host).

export interface WorkerHandle {
  on(fn: (message: any) => void): void;
  onError(fn: (error: Error) => void): void;
  post(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  unref(): void;
  ref(): void;
}
/** Starts host-worker.js: worker_threads in Node, a module Web Worker elsewhere. */
export declare function spawnWorker(): Promise<WorkerHandle>;
/** The crash record's message (thread-pool/src/crash.rs), or null while clear. */
export declare function crashMessage(memory: WebAssembly.Memory, addr: number): string | null;
