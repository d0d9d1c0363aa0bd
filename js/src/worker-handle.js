// One host worker (host-worker.js) behind the same small interface in Node
// (worker_threads) and elsewhere (Web Workers): on, onError, post, terminate,
// and ref/unref (Node: an idle host must not keep the process alive).

const IN_NODE = typeof process === 'object' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

export async function spawnWorker() {
  if (IN_NODE) {
    // A variable, not a literal: browser builds (esbuild, webpack) fail on `node:` specifiers.
    const specifier = 'node:worker_threads';
    const { Worker } = await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
    const w = new Worker(new URL('./host-worker.js', import.meta.url), { name: 'rayon-web-host' });
    return {
      on: (fn) => w.on('message', fn),
      onError: (fn) => { w.on('error', fn); w.on('exit', (c) => fn(new Error(`host worker exited (${c})`))); },
      post: (m, t) => w.postMessage(m, t),
      terminate: () => w.terminate(),
      unref: () => w.unref(),
      ref: () => w.ref(),
    };
  }
  // The literal `new URL('./host-worker.js', import.meta.url)` inside `new Worker`
  // lets bundlers (Vite) find and bundle the worker.
  const w = new Worker(new URL('./host-worker.js', import.meta.url), { type: 'module', name: 'rayon-web-host' });
  return {
    on: (fn) => w.addEventListener('message', (e) => fn(e.data)),
    onError: (fn) => w.addEventListener('error', (e) => fn(new Error(e.message || 'the host worker failed to load'))),
    post: (m, t) => w.postMessage(m, t),
    terminate: () => w.terminate(),
    unref() {},
    ref() {},
  };
}

/** The crash record's message (layout in thread-pool/src/crash.rs), or null while clear. */
export function crashMessage(memory, addr) {
  const head = new Int32Array(memory.buffer, addr, 2);
  if (Atomics.load(head, 0) !== 1) return null;
  // TextDecoder refuses views of shared memory: copy first.
  const bytes = new Uint8Array(head[1]);
  bytes.set(new Uint8Array(memory.buffer, addr + 8, head[1]));
  return new TextDecoder().decode(bytes);
}
