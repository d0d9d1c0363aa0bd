// Creating and watching the pool's workers. Runs on the thread that calls
// `initThreadPool` or builds a custom pool: a page, a Web Worker, Node's main
// thread or a Node worker. Rust calls `startWorkers` (src/spawn.rs) and owns
// everything after the workers report ready.
//
// `prewarmThreadPool` (below) may create workers earlier, before the module
// exists; the next pool started on this thread takes them instead of creating
// its own.
//
// The worker protocol (one `postMessage` each way per phase; everything after
// start-up travels through shared memory, see src/handoff.rs):
//
//   host -> worker  {rayonWeb: 'start', module, memory, glueUrl, stackSize, handoff, crashRecord, index}
//   worker -> host  {rayonWeb: 'ready', index}            initSync done, entering Rust
//                   {rayonWeb: 'error', stage, message}   import or initSync failed
//                   {rayonWeb: 'crashed', message}        Rust trapped (panic=abort, OOB...)
//                   {rayonWeb: 'exited'}                  the worker left Rust (its start was
//                                                         cancelled, or it stayed idle past its
//                                                         keep-alive, src/idle.rs); its stack
//                                                         and TLS are already freed
//
// `handoff` is the address (in the shared memory) of the slot through which
// the worker receives its rayon `ThreadBuilder`; the worker owns its stack and
// TLS and frees them itself with `__wbindgen_thread_destroy()` once the Rust
// entry point returns, which must be the last wasm call on that thread.
// `crashRecord` is the address of the record (src/crash.rs) where a worker that
// traps writes why, so a host that is not blocked learns the pool is broken.

import { workerSource } from './worker.js';
import { readOptions, checkOptions } from './options.js';

const IN_NODE =
  typeof process === 'object' && process !== null &&
  typeof process.versions === 'object' && typeof process.versions.node === 'string' &&
  // Bun defines `process` too but has Web Workers: prefer those (below, unref'd).
  // Deno has both as well, but its Web Workers cannot be unref'd, so a script
  // using them never exits; its worker_threads can (denoland/deno#22778,
  // https://github.com/denoland/deno/pull/22778): use those there.
  (typeof globalThis.Worker !== 'function' || typeof globalThis.Deno === 'object');

// Workers created by this JS realm that have not exited or been terminated.
let live = 0;

/// How many pool workers started here are still alive (for leak checks).
export function liveWorkers() {
  return live;
}

/// Resolves after `ms` milliseconds (Rust yields to the event loop with it).
export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/// Keeps this thread's event loop alive until `releaseEventLoop(handle)`; Rust
/// holds it while it awaits start-up (src/spawn.rs, `EventLoopHold`).
///
/// Why: wasm-bindgen's threaded futures resume a Rust future through
/// `Atomics.waitAsync` (js-sys src/futures/task/multithread.rs), and Deno, Node
/// and Bun do not count a pending waitAsync as work that keeps a script alive
/// (https://github.com/denoland/deno/issues/15358,
/// https://github.com/nodejs/node/issues/61941). Our workers are unref'd and the
/// start-up deadline is cleared as soon as `startWorkers` settles, so between
/// that and Rust's next poll nothing held the loop: Deno sometimes exited with
/// "Top-level await promise never resolved". A short period also makes Deno's
/// loop turn, which is where it runs V8's waitAsync resolutions.
export function holdEventLoop() {
  return setInterval(() => {}, 5);
}

/// Ends a `holdEventLoop()`.
export function releaseEventLoop(handle) {
  clearInterval(handle);
}

function codedError(code, message) {
  const err = new Error(message);
  err.name = 'RayonWebError';
  err.code = code;
  return err;
}

const ISOLATION_HELP =
  'Serve the page (and every worker script) with the headers ' +
  '"Cross-Origin-Opener-Policy: same-origin" and ' +
  '"Cross-Origin-Embedder-Policy: require-corp" (or "credentialless"), ' +
  'or fall back to a single-threaded build (see rayon-web\'s README, "COOP/COEP").';

/// Returns null when this environment can run a pool sharing `memory`,
/// otherwise [code, message] explaining what to change.
export function environmentProblem(memory) {
  return threadsProblem() ?? memoryProblem(memory);
}

// What keeps this context from running workers that share memory, if anything.
function threadsProblem() {
  if (!IN_NODE) {
    if (globalThis.crossOriginIsolated === false) {
      return ['NOT_CROSS_ORIGIN_ISOLATED',
        'rayon-web: this page is not cross-origin isolated, so browsers refuse to share ' +
        'WebAssembly memory with workers. ' + ISOLATION_HELP];
    }
    if (typeof globalThis.Worker !== 'function') {
      return ['WORKERS_UNAVAILABLE',
        'rayon-web: this context has no Worker constructor (some engines, e.g. WPE WebKit, ' +
        'have no Worker inside a worker). Call initThreadPool from the page or a context ' +
        'that can create workers, or use a single-threaded build.'];
    }
  }
  if (typeof SharedArrayBuffer !== 'function') {
    // WebKit without JSC_useSharedArrayBuffer reports crossOriginIsolated === true
    // yet has no SharedArrayBuffer: trust the capability, not the flag.
    return ['SHARED_MEMORY_UNAVAILABLE',
      'rayon-web: SharedArrayBuffer is not available in this engine even though ' +
      (IN_NODE ? 'this is Node' : 'the page reports crossOriginIsolated === ' + globalThis.crossOriginIsolated) +
      '; threads cannot share memory here. Use a single-threaded build in this environment.'];
  }
  return null;
}

function memoryProblem(memory) {
  if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof SharedArrayBuffer)) {
    return ['MEMORY_NOT_SHARED',
      'rayon-web: this WebAssembly module was built without shared memory, so it would silently ' +
      'run on one thread. Build it with the wasm32 rustflags of rayon-web\'s README, "Build ' +
      'flags", in .cargo/config.toml: "-C target-feature=+atomics" and the link args ' +
      '"--shared-memory --import-memory --max-memory=1073741824 --export=__wasm_init_tls ' +
      '--export=__tls_size --export=__tls_align --export=__tls_base" (rustc stopped adding them ' +
      'in rust-lang/rust#147225), with "-Z build-std=std,panic_abort" on the command line. A ' +
      'RUSTFLAGS environment variable, even an empty one, replaces the config\'s flags.'];
  }
  return null;
}

// Browsers: a blob: module worker, so that no worker file has to be found next to
// the glue. wasm-bindgen 0.2.94 stopped emitting helper worker files
// (wasm-bindgen#4233) and bundlers rewrite or inline relative worker paths
// (wasm-bindgen-rayon GCL#3, #28, GCL#36); a blob needs neither. Pages with a CSP
// must allow `worker-src blob:`.
// Node: worker_threads with `eval: true`, since Node has no blob: workers.
async function createWorker(name, source) {
  if (IN_NODE) {
    // Hidden from bundlers: this branch only runs in Node.
    const specifier = 'node:worker_threads';
    const { Worker } = await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
    const worker = new Worker(source, { eval: true, name });
    return {
      // An idle pool must not keep a finished script alive (Emscripten does the
      // same). Call after adding listeners: a 'message' listener re-refs the port.
      unref() { worker.unref(); },
      onMessage(fn) { worker.on('message', fn); },
      onError(fn) {
        worker.on('error', (e) => fn(e));
        worker.on('exit', (code) => fn(new Error(`worker exited with code ${code}`)));
      },
      post(msg) { worker.postMessage(msg); },
      terminate() { return worker.terminate(); },
    };
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  let worker;
  try {
    worker = new Worker(url, { type: 'module', name });
  } finally {
    // The worker has its own reference once constructed.
    const revoke = setTimeout(() => URL.revokeObjectURL(url), 10_000);
    // Bun: a pending timer keeps the process alive; this one must not (browsers return a number).
    revoke?.unref?.();
  }
  return wrapWebWorker(worker);
}

/// The interface createWorker returns, over a Web Worker (also one a page made
/// with rayon-web-host's standalone prewarm, see takeEarly).
function wrapWebWorker(worker) {
  return {
    // Bun's Web Workers have Node's unref() (https://bun.com/docs/runtime/workers):
    // an idle pool must not keep a finished Bun script alive. Browsers have none.
    unref() { worker.unref?.(); },
    onMessage(fn) { worker.addEventListener('message', (e) => fn(e.data)); },
    onError(fn) {
      worker.addEventListener('error', (e) => {
        // Firefox's ErrorEvent for a failed load carries no message; say what we know.
        fn(new Error(e.message || 'the worker script failed to load or threw during start-up ' +
          '(blocked by a Content-Security-Policy without "worker-src blob:"?)'));
      });
      worker.addEventListener('messageerror', () => fn(new Error('a message to the worker could not be deserialized')));
    },
    post(msg) { worker.postMessage(msg); },
    terminate() { worker.terminate(); },
  };
}

// Workers made by `prewarmThreadPool` that no pool has taken yet, oldest
// first: { worker: Promise<a createWorker() result, or null if that failed>,
// failed: true once it reported an error or exited }.
const prewarmed = [];

/// How long prewarmed workers wait for a pool before they are ended:
/// src/options.rs's DEFAULT_KEEP_ALIVE_MS, the wait of idle workers.
const PREWARM_KEEP_ALIVE_MS = 10_000;

/// `prewarmThreadPool(options)`, re-exported by the wasm-bindgen glue (src/spawn.rs),
/// so it can be called before the glue's `init()`: starts creating the workers
/// of the next pool now, while the page goes on fetching and compiling the
/// module, and each starts importing the glue if `glueUrl` is given. The next
/// pool started on this thread (`initThreadPool` or a custom pool) takes them
/// and only has to send them the module and memory. Why: creating a worker is
/// most of a pool's start-up (measured in BENCHMARKS.md, "Pool start-up").
///
/// Takes what `initThreadPool` takes and throws a RayonWebError
/// (INVALID_ARGUMENT) for what it would reject. Returns how many prewarmed
/// workers now wait (calls add up to `numThreads`, never beyond): 0 where no
/// pool can run — `initThreadPool` then says why. Workers no pool takes within
/// 10 s are ended; in Node, Deno and Bun they never keep a script alive.
export function prewarmThreadPool(options) {
  const checked = checkOptions(readOptions(options));
  if (checked.error) throw codedError('INVALID_ARGUMENT', checked.error);
  if (threadsProblem()) return 0;
  const source = workerSource(checked.glueUrl);
  const batch = [];
  for (let i = prewarmed.length; i < checked.numThreads; i++) {
    const entry = { failed: false };
    entry.worker = createWorker(`${checked.namePrefix}${i}`, source).then((worker) => {
      live += 1;
      worker.onError(() => { entry.failed = true; });
      worker.unref();
      return worker;
    }, () => {
      // The pool that would take it creates one itself and reports the error.
      entry.failed = true;
      return null;
    });
    batch.push(entry);
  }
  if (batch.length > 0) {
    prewarmed.push(...batch);
    const timer = setTimeout(() => {
      for (const entry of batch) {
        const at = prewarmed.indexOf(entry);
        if (at >= 0) discard(prewarmed.splice(at, 1)[0]);
      }
    }, PREWARM_KEEP_ALIVE_MS);
    // Node and Bun: unref(); Deno's timers are numbers (https://docs.deno.com/api/deno/~/Deno.unrefTimer).
    if (typeof timer === 'number') globalThis.Deno?.unrefTimer?.(timer);
    else timer?.unref?.();
  }
  return prewarmed.length;
}

async function discard(entry) {
  const worker = await entry.worker;
  if (!worker) return;
  live -= 1;
  worker.terminate();
}

// The oldest prewarmed worker that is still fine, or null: this module's own
// (prewarmThreadPool) first, then those a page started before it imported the
// glue (takeEarly).
async function takePrewarmed() {
  while (prewarmed.length > 0) {
    const entry = prewarmed.shift();
    const worker = await entry.worker;
    if (worker && !entry.failed) return worker;
    discard(entry);
  }
  return takeEarly();
}

/// The version of the start protocol between this file and the worker bootstrap
/// (worker.js). rayon-web-host's standalone `prewarmPool` (js/src/prewarm.js)
/// carries a copy of the bootstrap and tags its workers with the version it
/// speaks; tests/node/prewarm-early.test.mjs holds both files to the same source
/// and version. Bump it whenever workerMain or its messages change.
export const WORKER_PROTOCOL = 2;

/// Where a page's standalone prewarm leaves its workers (one registry per
/// JavaScript realm, shared by every copy of the code through Symbol.for):
/// entries { protocol, worker: a Web Worker, failed }.
const EARLY = Symbol.for('rayon-web.prewarmed-workers');

// A worker a page created before it imported the glue (rayon-web-host's
// `prewarmPool`), so that it was starting while the glue loaded; or null. An
// entry of another protocol version, or one whose worker already failed, is
// ended instead of used.
function takeEarly() {
  const early = globalThis[EARLY];
  while (Array.isArray(early) && early.length > 0) {
    const entry = early.shift();
    if (entry?.protocol === WORKER_PROTOCOL && !entry.failed && typeof entry.worker?.postMessage === 'function') {
      live += 1;
      return wrapWebWorker(entry.worker);
    }
    try { entry?.worker?.terminate?.(); } catch { /* not a worker after all */ }
  }
  return null;
}

/// Starts `handoffs.length` workers in parallel (rayon threads `firstIndex`,
/// `firstIndex + 1`, …; lower ones reuse idle workers) and resolves with a WorkerGroup
/// once every one has instantiated the module and is about to wait for its
/// rayon thread; rejects with a coded Error on the first failure or after
/// `timeoutMs`, having given up on the workers (`WorkerGroup.giveUp`: those that
/// had not entered wasm are terminated, the others leave through their handoffs,
/// which Rust cancels).
export async function startWorkers({ workerSource: source, module, memory, glueUrl, stackSize, namePrefix, timeoutMs, handoffs, firstIndex, crashRecord }) {
  const group = new WorkerGroup(namePrefix, firstIndex, handoffs.length);
  try {
    await Promise.race([
      Promise.all(Array.from(handoffs, (handoff, index) =>
        group.start(index, { source, module, memory, glueUrl, stackSize, handoff, crashRecord }))),
      new Promise((_, reject) => {
        group.timer = setTimeout(() => reject(codedError('WORKER_TIMEOUT',
          `rayon-web: ${group.notReady()} of ${handoffs.length} workers did not become ready within ` +
          `${timeoutMs} ms. Check the workers' errors (the browser console, or Node's stderr); a ` +
          'loaded machine with few cores may need a larger timeoutMs, and Firefox limits the number ' +
          'of workers per origin (dom.workers.maxPerDomain). If the glue was bundled into your app ' +
          `(${glueUrl}), the workers ran your app instead: keep it a module of its own or pass glueUrl.`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    group.giveUp();
    throw err;
  } finally {
    clearTimeout(group.timer);
  }
  return group;
}

/// The workers of one pool, as seen from the thread that created them.
///
/// The gate: one Int32 per worker in shared memory — 0 until the worker enters
/// wasm (worker.js sets 1 just before `initSync`, by compare-and-swap), 2 once
/// the pool gave up on it first. A worker is never terminated while it may be
/// running wasm: `Worker.terminate()` stops a thread wherever it stands, and one
/// stopped inside std's allocator (a spin lock with no owner) or wasm-bindgen's
/// thread-start lock leaves that lock held for good — every later allocation of
/// every thread then spins for ever, the pool's own rejection included. A Node
/// stress of start-ups failing by their deadline hung that way about once in 20
/// before the gate, 0 in 80 after (CHANGELOG, "Fixed"; issue 12 item 6).
export class WorkerGroup {
  constructor(namePrefix, firstIndex, count = 0) {
    this.namePrefix = namePrefix;
    this.firstIndex = firstIndex;
    this.workers = [];
    this.states = [];
    this.gate = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, count)));
  }

  notReady() { return this.states.filter((s) => s !== 'ready').length; }

  async start(index, { source, module, memory, glueUrl, stackSize, handoff, crashRecord }) {
    const thread = this.firstIndex + index;
    const name = `${this.namePrefix}${thread}`;
    this.states[index] = 'starting';
    let worker = await takePrewarmed();
    if (!worker) {
      try {
        worker = await createWorker(name, source);
      } catch (e) {
        // WebKit throws SecurityError right here when a CSP blocks blob: workers;
        // Chromium and Firefox fire an error event instead (handled below).
        const hint = e?.name === 'SecurityError'
          ? ' (blocked by a Content-Security-Policy without "worker-src blob:"?)' : '';
        throw codedError('WORKER_LOAD_FAILED', `rayon-web: could not create worker ${name}: ${e}${hint}`);
      }
      live += 1;
    }
    if (this.closed) {
      // The group failed or timed out while this worker was being made (in
      // Node, making one awaits an import): it is nobody's, so end it here.
      live -= 1;
      worker.terminate();
      return;
    }
    this.workers[index] = worker;
    return new Promise((resolve, reject) => {
      worker.onMessage((msg) => {
        if (!msg || typeof msg.rayonWeb !== 'string') return;
        switch (msg.rayonWeb) {
          case 'ready':
            this.states[index] = 'ready';
            resolve();
            break;
          case 'error':
            this.states[index] = 'failed';
            reject(codedError(msg.stage === 'import' ? 'WORKER_LOAD_FAILED' : 'WORKER_INIT_FAILED',
              msg.stage === 'import'
                ? `rayon-web: worker ${name} could not import the wasm-bindgen glue from ${glueUrl}: ` +
                  `${msg.message}. Serve the generated JS next to the page as built (or pass glueUrl).`
                : `rayon-web: worker ${name} could not instantiate the module: ${msg.message}`));
            break;
          case 'crashed':
            // Hosts learn of it from the crash record in shared memory (src/crash.rs):
            // this thread may be blocked in the very call that is waiting for the worker.
            this.states[index] = 'crashed';
            break;
          case 'exited':
            this.end(index);
            this.states[index] = 'exited';
            worker.terminate();
            break;
        }
      });
      worker.onError((e) => {
        if (this.states[index] === 'exited' || this.states[index] === 'terminated') return;
        const wasStarting = this.states[index] === 'starting';
        this.states[index] = 'failed';
        // After start-up a dying worker is reported through the crash record, as above.
        if (wasStarting) {
          reject(codedError('WORKER_LOAD_FAILED', `rayon-web: worker ${name} failed to start: ${e.message || e}`));
        }
      });
      worker.unref();
      worker.post({ rayonWeb: 'start', module, memory, glueUrl, stackSize, handoff, crashRecord, index: thread, gate: this.gate.buffer, gateIndex: index });
    });
  }

  /// Start-up failed: terminates the workers that have not entered wasm (the
  /// gate, above) and those whose wasm call already failed; the others are left
  /// to leave by themselves — Rust cancels their handoffs, they return from
  /// `__rayonWebWorkerEntry`, free their stacks, post 'exited' and are terminated
  /// then (start's 'exited' case).
  giveUp() {
    this.closed = true;
    this.workers.forEach((w, i) => {
      if (!w) return;
      // (A worker whose wasm call failed or trapped is out of wasm again.)
      const outside = Atomics.compareExchange(this.gate, i, 0, 2) === 0 || this.states[i] === 'failed' || this.states[i] === 'crashed';
      if (!outside) return;
      this.end(i);
      w.terminate();
      this.states[i] = 'terminated';
    });
  }

  // Counts each worker out of `live` exactly once, however it ended.
  end(index) {
    if (this.states[index] === 'exited' || this.states[index] === 'terminated') return;
    live -= 1;
  }
}
