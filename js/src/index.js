// rayon-web-host: run a wasm-bindgen package built twice — threaded (rayon-web)
// and single-threaded — in a dedicated worker, choosing the build the
// environment supports, with every export available as an async function.
//
//   const host = await createHost({
//     threaded: new URL('./pkg-threads/my_crate.js', import.meta.url),
//     single:   new URL('./pkg-single/my_crate.js', import.meta.url),
//   });
//   host.mode;            // 'threads' | 'single'
//   host.reason;          // why, in words
//   const out = await host.call('almaBatch', [prices, range], { onProgress, transfer: [prices.buffer] });
//   await host.recreate({ threads: 2 });   // terminate every worker, fresh instance
//
// See index.d.ts for the types and README.md for the protocol.

import { detectThreads } from './detect.js';

const IN_NODE = typeof process === 'object' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

/** An error from the host or the module, with the module's `code` when it had one. */
export class HostError extends Error {
  constructor({ name, message, code }) {
    super(message);
    this.name = name && name !== 'Error' ? name : 'HostError';
    if (code !== undefined) this.code = code;
  }
}

async function spawnHostWorker() {
  const url = new URL('./host-worker.js', import.meta.url);
  if (IN_NODE) {
    // A variable, not a literal: browser builds (esbuild, webpack) fail on `node:` specifiers.
    const specifier = 'node:worker_threads';
    const { Worker } = await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
    const w = new Worker(url, { name: 'rayon-web-host' });
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
function crashMessage(memory, addr) {
  const head = new Int32Array(memory.buffer, addr, 2);
  if (Atomics.load(head, 0) !== 1) return null;
  // TextDecoder refuses views of shared memory: copy first.
  const bytes = new Uint8Array(head[1]);
  bytes.set(new Uint8Array(memory.buffer, addr + 8, head[1]));
  return new TextDecoder().decode(bytes);
}

const nextFrame = () => new Promise((r) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => r()) : setTimeout(r, 50)));

/**
 * Starts a host. Options: `threaded`, `single` (URLs of the two builds' glue JS),
 * `threads` (default: navigator.hardwareConcurrency or 2), `forceSingle`.
 */
export async function createHost(options) {
  const host = new Host(options);
  await host.start();
  return host;
}

export class Host {
  constructor({ threaded, single, threads, forceSingle = false, startTimeoutMs = 15000 }) {
    if (!single && !threaded) throw new TypeError('createHost needs at least one build: { threaded, single } (URLs of the wasm-bindgen glue JS)');
    this.builds = { threaded: threaded && String(threaded), single: single && String(single) };
    this.requestedThreads = threads ?? (globalThis.navigator?.hardwareConcurrency || 2);
    if (!Number.isInteger(this.requestedThreads) || this.requestedThreads < 1) {
      throw new TypeError(`threads must be a positive integer, got ${this.requestedThreads}`);
    }
    this.forceSingle = forceSingle;
    this.startTimeoutMs = startTimeoutMs;
    this.pending = new Map();
    this.nextId = 1;
    this.worker = null;
    this.mode = null;
    this.reason = null;
    this.threads = 0;
  }

  async start() {
    const env = detectThreads();
    let mode = env.threads && this.builds.threaded && !this.forceSingle ? 'threads' : 'single';
    let reason = this.forceSingle ? 'single-threaded mode was requested'
      : !this.builds.threaded ? 'no threaded build was given'
        : env.reason;
    if (mode === 'threads') {
      try {
        await this.boot(this.builds.threaded, this.requestedThreads);
      } catch (e) {
        // The environment looked capable but the pool could not start: say so, fall back.
        if (!this.builds.single) throw e;
        mode = 'single';
        reason = `the threaded build failed to start (${e.code ?? e.name}: ${e.message})`;
      }
    }
    if (mode === 'single') {
      if (!this.builds.single) throw new HostError({ message: `threads are unavailable (${reason}) and no single-threaded build was given`, code: 'NO_USABLE_BUILD' });
      await this.boot(this.builds.single, 0);
    }
    this.mode = mode;
    this.reason = reason;
  }

  async boot(glueUrl, threads) {
    this.terminate();
    const worker = await spawnHostWorker();
    this.worker = worker;
    const ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new HostError({ message: `the host worker did not start within ${this.startTimeoutMs} ms`, code: 'HOST_TIMEOUT' })), this.startTimeoutMs);
      worker.on((msg) => {
        if (msg.type === 'ready') { clearTimeout(timer); resolve(msg); }
        else if (msg.type === 'init-error') { clearTimeout(timer); reject(new HostError(msg.error)); }
        else this.dispatch(msg);
      });
      worker.onError((e) => {
        clearTimeout(timer);
        reject(e);
        this.failAll(new HostError({ message: `the host worker died: ${e.message}`, code: 'HOST_DIED' }));
      });
      worker.post({ type: 'init', glueUrl: new URL(glueUrl, globalThis.location?.href).href, threads });
    }).catch((e) => { worker.terminate(); this.worker = null; throw e; });
    worker.unref();
    this.threads = ready.threads;
    this.memory = ready.memory;
    this.progressAddr = ready.progress;
    this.crashAddr = ready.crash;
    this.broken = null;
  }

  dispatch(msg) {
    const call = this.pending.get(msg.id);
    if (!call) return;
    if (msg.type === 'progress') call.onProgress?.(msg.done, msg.total);
    else if (msg.type === 'result') { this.settle(msg.id); call.resolve(msg.value); }
    else if (msg.type === 'error') {
      // A trap (panic=abort, out of bounds) poisons the instance for good.
      if (msg.error.name === 'RuntimeError') { this.breakDown(msg.error.message); return; }
      this.settle(msg.id);
      call.reject(new HostError(msg.error));
    }
  }

  settle(id) {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }

  failAll(err) {
    for (const [id, call] of this.pending) { this.pending.delete(id); call.reject(err); }
  }

  /**
   * Calls export `name` with `args` in the host worker. `transfer` lists
   * ArrayBuffers to move instead of copy; `onProgress(done, total)` is called
   * while the call runs if the module reports progress.
   */
  call(name, args = [], { transfer = [], onProgress } = {}) {
    if (this.broken) return Promise.reject(this.brokenError());
    if (!this.worker) return Promise.reject(new HostError({ message: 'the host is terminated; call recreate() first', code: 'HOST_TERMINATED' }));
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, onProgress }));
    this.worker.ref();
    this.worker.post({ type: 'call', id, name, args }, transfer);
    if (this.mode === 'threads' && this.memory) this.watch(id, onProgress);
    return promise;
  }

  // With threads the host worker is blocked inside the call; progress counters
  // and the crash record live in shared memory, so read them from here every
  // frame until the call settles.
  async watch(id, onProgress) {
    let last = -1;
    while (this.pending.has(id)) {
      if (this.crashAddr !== undefined) {
        const crash = crashMessage(this.memory, this.crashAddr);
        if (crash !== null) { this.breakDown(crash); return; }
      }
      if (onProgress && this.progressAddr !== undefined) {
        const view = new Uint32Array(this.memory.buffer, this.progressAddr, 2);
        const done = Atomics.load(view, 0);
        if (done !== last) { last = done; onProgress(done, Atomics.load(view, 1)); }
      }
      await nextFrame();
    }
  }

  /** The pool died: end everything, reject what is pending and all later calls. */
  breakDown(message) {
    this.broken = message;
    const err = this.brokenError();
    if (this.worker) { this.worker.terminate(); this.worker = null; }
    this.failAll(err);
  }

  brokenError() {
    return new HostError({
      name: 'RayonWebError',
      code: 'POOL_BROKEN',
      message: `rayon-web: the module instance is broken (${this.broken}); every call on it fails. ` +
        'Call host.recreate() to terminate its workers and start a fresh instance.',
    });
  }

  /** Every export of the module as an async function: `await host.exports.alma(prices)`. */
  get exports() {
    return new Proxy({}, { get: (_, name) => (typeof name === 'string' ? (...args) => this.call(name, args) : undefined) });
  }

  /** Terminates every worker the instance owns (host worker and pool) and starts a fresh one. */
  async recreate({ threads = this.requestedThreads, forceSingle = this.forceSingle } = {}) {
    this.requestedThreads = threads;
    this.forceSingle = forceSingle;
    this.terminate();
    await this.start();
    return this;
  }

  /** Ends the instance: terminating the host worker ends the pool's workers it created. Pending calls reject. */
  terminate() {
    if (!this.worker) return;
    this.worker.terminate();
    this.worker = null;
    this.failAll(new HostError({ message: 'the host was terminated', code: 'HOST_TERMINATED' }));
  }
}

export { detectThreads };
