// The dedicated worker that owns the wasm instance, so nothing ever blocks or
// spins the page's main thread. Protocol with index.js (one message each):
//
//   page -> host  {type: 'init', glueUrl, threads, callWord?}   threads 0 = single build
//                 callWord (threads): a Uint32Array on a SharedArrayBuffer of 4 bytes
//   host -> page  {type: 'ready', threads, memory?, progress?, crash?, declarations?, cancel?, exports}
//                 exports: the names of the module's callable functions
//                 memory: the shared memory; declarations: the module's own
//                 (`rayonWebHostDeclarations()`, data only), for undeclared exports
//                 {type: 'init-error', error}        (any build: the glue or its wasm did
//                 not load — code HOST_START_FAILED —, or its init / initThreadPool threw)
//   page -> host  {type: 'call', id, name, args, outputs?, watched?, abort?}
//                 abort (threads, a call with a signal): an Int32Array on a 4-byte
//                 SharedArrayBuffer the page sets to 1 when the call is aborted
//                 outputs: indices of declared output arguments; watched: indices of
//                 an undeclared call's typed-array arguments the caller keeps
//   host -> page  {type: 'result', id, value, outputs, written, ms, progress?}  |  {type: 'error', id, error}
//                 (outputs: the filled output arguments, transferred back; written:
//                 [index, value] of each watched argument the export changed;
//                 progress (threads): the counter's final [done, total];
//                 error: {name, message, code?, series?, trap?}, always cloneable —
//                 code only a string, series only an integer, trap: true for a
//                 WebAssembly.RuntimeError, which breaks the instance)
//                 {type: 'progress', id, done, total}    (single-threaded builds)
//
// Progress: a module may export `progressCounter()`, the address of two u32
// [done, total] in its memory. With threads the page polls them in the shared
// memory (this worker is blocked in the call). The module has one counter for
// all calls, so before each call this worker resets it to [0, 0] and then stores
// the call's id in `callWord` (0 again after the call, once the final value is
// read for the result): the page reports the counter only to the call whose id
// it holds. Single-threaded, the module's memory is not shared, so the module
// calls `globalThis.rayonWebProgress(done, total)` between chunks and this
// worker forwards it.
//
// Abort (threads): a call whose AbortSignal fires has its `abort` flag set by the
// page. This worker publishes the id of the call it starts (in `callWord`, and in
// the module's `call` word if it exports `rayonWebCallRecord()`, the address of
// two u32 [call, cancel]: rayon-web-indicators, indicators/src/progress.rs), then
// reads the flag: set, the call is not run. The page sets the flag, then reads
// `callWord`: if it holds the call's id, it stores that id in the module's
// `cancel` word, and the module's batch stops at its next task (CANCELLED). With
// both sides' steps sequentially consistent, an aborted call is either not run
// or cancelled while it runs; and only the running call's id ever goes to
// `cancel`, so aborting a queued call cannot un-cancel the running one.
//
// Crashes: with threads, `crash` is the address of rayon-web's crash record
// (thread-pool/src/crash.rs), which the page polls during calls: a pool thread
// that traps under panic=abort leaves this worker blocked forever, so only the
// page can notice, terminate everything and reject the call.

// Spawned by index.js with node:worker_threads wherever it found Node's API
// (Node, Deno, Bun), so talk through parentPort there. Not `typeof self`: Bun
// (and Deno) define `self` in worker_threads workers too, while the messages
// arrive on parentPort only — Bun's host never started (HOST_TIMEOUT).
const IN_NODE = typeof process === 'object' && typeof process?.versions?.node === 'string';
// Node built-ins by a variable and user URLs with webpackIgnore: bundlers must leave
// these imports alone (esbuild and webpack fail on `node:` specifiers in browser
// builds; webpack rewrites `import(url)` into a lookup among the modules it bundled).
const nodeImport = (name) => import(/* webpackIgnore: true */ /* @vite-ignore */ name);
let port = IN_NODE ? null : self;
// No top-level await here: Parcel 2 emits workers as classic scripts and fails on it.
// Node queues messages on parentPort until its first listener.
const on = (fn) => {
  if (!IN_NODE) {
    self.addEventListener('message', (e) => fn(e.data));
    return;
  }
  nodeImport('node:worker_threads').then(({ parentPort }) => {
    port = parentPort;
    port.on('message', fn);
  });
};

/** A thrown value as a message that can always be cloned to the page (a Symbol `code` cannot). */
function errorOf(e) {
  const read = (f, fallback) => { try { return f(); } catch { return fallback; } };
  const name = read(() => e?.name, undefined);
  const message = read(() => (typeof e?.message === 'string' ? e.message : String(e)), 'an exception that cannot be shown');
  const code = read(() => e?.code, undefined);
  const series = read(() => e?.series, undefined);
  return {
    name: typeof name === 'string' ? name : 'Error',
    message,
    ...(typeof code === 'string' ? { code } : {}),
    // Many-series calls name the rejected series (rebased by split.js for shards).
    ...(Number.isInteger(series) ? { series } : {}),
    // A trap (unreachable, out of bounds, panic=abort) leaves the instance unusable.
    // Only the engine's own class says so: any JS error may be named 'RuntimeError'.
    ...(e instanceof WebAssembly.RuntimeError ? { trap: true } : {}),
  };
}

/**
 * postMessage that never throws: a message that cannot be cloned becomes an
 * error for call `id` (if it has one), and a failure of that too is dropped —
 * an exception here would end this worker and every call on it.
 */
function post(msg, transfer = [], id = msg.id) {
  try {
    port.postMessage(msg, transfer);
  } catch (e) {
    if (id === undefined || msg.type === 'error') return;
    try { port.postMessage({ type: 'error', id, error: { name: 'TypeError', message: `the worker could not send its answer: ${errorOf(e).message}`, code: 'RESULT_NOT_CLONEABLE' } }); } catch { /* nothing left to say it with */ }
  }
}

/** Bytes of a typed array, DataView or ArrayBuffer (outputs.js has the same line: this
 * worker imports nothing statically, see above). */
const bytesOf = (v) => (ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v));

/** Equal bytes (compared 4 at a time when aligned: bytes, so NaNs compare by bits). */
function sameBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  const wide = a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && a.byteLength % 4 === 0;
  const [x, y] = wide ? [new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4), new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4)] : [a, b];
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

let glue = null;
let current = 0;
// Threads: the page's call word and the module's [done, total] counter (see the top).
let callWord = null;
let counter = null;
// Threads: the module's [call, cancel] record, if it has one (see init).
let callRecord = null;
// Calls wait for init (the page sends none before 'ready'; this is the second
// line of defence: a call must never run before initThreadPool).
let initDone = null;
// The calls, one after another (see the 'call' message below).
let calls = Promise.resolve();

globalThis.rayonWebProgress = (done, total) => {
  if (current) post({ type: 'progress', id: current, done, total });
};

async function init({ glueUrl, threads, callWord: word }) {
  let bytes;
  try {
    glue = await import(/* webpackIgnore: true */ /* @vite-ignore */ glueUrl);
    // Node's fetch cannot read file: URLs; hand wasm-bindgen the bytes.
    if (IN_NODE) bytes = await (await nodeImport('node:fs/promises')).readFile(new URL(glueUrl.replace(/\.js$/, '_bg.wasm')));
  } catch (e) {
    // Not the loader's code (ERR_MODULE_NOT_FOUND, ENOENT): the page documents its own.
    throw Object.assign(new Error(`the module could not be loaded from ${glueUrl}: ${errorOf(e).message}`), { code: 'HOST_START_FAILED' });
  }
  await (IN_NODE ? glue.default({ module_or_path: bytes }) : glue.default());
  let memory;
  if (threads > 0) {
    await glue.initThreadPool(threads);
    memory = glue.rayonWebMemory?.();
  }
  const progress = typeof glue.progressCounter === 'function' ? glue.progressCounter() : undefined;
  const crash = threads > 0 ? glue.rayonWebCrashRecord?.() : undefined;
  // The module's own split/output declarations (plain data), if it ships them.
  const declarations = typeof glue.rayonWebHostDeclarations === 'function' ? glue.rayonWebHostDeclarations() : undefined;
  if (memory && word instanceof Uint32Array) {
    callWord = word;
    if (progress !== undefined) counter = () => new Uint32Array(memory.buffer, progress, 2);
  }
  // A module that can stop a call (rayon-web-indicators): the id of the running call
  // goes to its record's `call` word, and the page writes `cancel` to stop it.
  const cancel = memory && typeof glue.rayonWebCallRecord === 'function' ? glue.rayonWebCallRecord() : undefined;
  if (cancel !== undefined) callRecord = () => new Uint32Array(memory.buffer, cancel, 2);
  return { threads: threads > 0 ? threads : 1, memory, progress, crash, declarations, cancel, exports: callable() };
}

/** Whether the host may call export `name` (not the glue's init functions, not a class). */
const isInternal = (name) => name === 'default' || name === 'initSync' || name.startsWith('__');
const isClass = (fn) => /^class\b/.test(Function.prototype.toString.call(fn));
/** The names of the exports callers may call, for `host.exports`' `in` and keys. */
const callable = () => Object.keys(glue).filter((k) => !isInternal(k) && typeof glue[k] === 'function' && !isClass(glue[k]));

on(async (msg) => {
  if (msg.type === 'init') {
    initDone = init(msg);
    let ready;
    try {
      ready = { type: 'ready', ...(await initDone) };
    } catch (e) {
      post({ type: 'init-error', error: errorOf(e) });
      return;
    }
    // (Declarations that cannot be cloned: sent without them, as if the module shipped none.)
    try { port.postMessage(ready); } catch { post({ ...ready, declarations: undefined }); }
    return;
  }
  if (msg.type === 'call') {
    // One call at a time, in arrival order. A synchronous export blocks this
    // worker anyway; an async one (a custom pool's `build().await`) yields it,
    // and a call run meanwhile took over what the module has one of — the
    // progress counter, the call word, the cancel record: the first call's
    // progress went to the second, and its end cleared the second's id, so the
    // second's progress and abort were lost. A call that throws here still answers.
    calls = calls.then(() => runCall(msg)).catch((e) => post({ type: 'error', id: msg.id, error: errorOf(e) }));
  }
});

/** Runs one call (`{ type: 'call', ... }`, see the top) and answers it. */
async function runCall(msg) {
  try { await initDone; } catch { /* reported as init-error; the export check below answers */ }
  // The glue's init functions belong to this worker, not to callers.
  const fn = !isInternal(msg.name) && Object.hasOwn(glue ?? {}, msg.name) ? glue[msg.name] : undefined;
  if (typeof fn !== 'function') {
    post({ type: 'error', id: msg.id, error: { name: 'TypeError', message: `the module has no export named ${JSON.stringify(msg.name)}`, code: 'NO_SUCH_EXPORT' } });
    return;
  }
  // A class (a wasm-bindgen struct such as WasmFloat64Buffer) is a function too, but
  // calling it throws an uncoded TypeError, and its objects would live in this
  // worker's memory, out of the caller's reach.
  if (isClass(fn)) {
    post({ type: 'error', id: msg.id, error: { name: 'TypeError', message: `${JSON.stringify(msg.name)} is a class, not a function: its objects would live in the host's worker, which the page cannot reach; the host calls the module's functions only`, code: 'NO_SUCH_EXPORT' } });
    return;
  }
  current = msg.id;
  // Threads: this call's counter from [0, 0], then its id in the word (in that
  // order: the page must never see the id next to the previous call's counter).
  const view = counter?.();
  if (view) {
    Atomics.store(view, 0, 0);
    Atomics.store(view, 1, 0);
  }
  if (callWord) Atomics.store(callWord, 0, msg.id);
  // The module's own call word (a cancel the page writes for this id stops the batch).
  const record = callRecord?.();
  if (record) Atomics.store(record, 0, msg.id);
  // Aborted while queued here: not run. (The id is published first: a page that
  // sets the flag after this load sees the id and cancels the running batch.)
  if (msg.abort instanceof Int32Array && Atomics.load(msg.abort, 0) !== 0) {
    current = 0;
    Atomics.store(callWord, 0, 0);
    if (record) Atomics.store(record, 0, 0);
    post({ type: 'error', id: msg.id, error: { name: 'AbortError', message: 'aborted before it ran', code: 'ABORTED' } });
    return;
  }
  try {
    // Watched arguments: a copy of their bytes now, compared after the call. One
    // too large to copy (the worker's heap is full) is handed back whatever happens.
    const snapshot = (i) => { try { return bytesOf(msg.args[i]).slice(); } catch { return null; } };
    const watched = (msg.watched ?? []).map((i) => [i, snapshot(i)]);
    const t0 = performance.now();
    const value = await fn(...msg.args);
    const ms = performance.now() - t0;
    const progress = view ? [Atomics.load(view, 0), Atomics.load(view, 1)] : undefined;
    if (callWord) Atomics.store(callWord, 0, 0);
    // Typed arrays and ArrayBuffers found in the result are moved, not copied.
    const transfer = [];
    const collect = (v) => {
      if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) transfer.push(v.buffer);
      else if (v instanceof ArrayBuffer) transfer.push(v);
      else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(collect);
    };
    collect(value);
    const outputs = (msg.outputs ?? []).map((i) => msg.args[i]);
    outputs.forEach(collect);
    // (An argument the export detached — transferred away — is not handed back.)
    const changed = ([i, before]) => { try { return before === null || !sameBytes(bytesOf(msg.args[i]), before); } catch { return false; } };
    const written = watched.filter(changed).map(([i]) => [i, msg.args[i]]);
    written.forEach(([, v]) => collect(v));
    try {
      port.postMessage({ type: 'result', id: msg.id, value, outputs, written, ms, progress }, [...new Set(transfer)]);
    } catch (e) {
      post({ type: 'error', id: msg.id, error: { name: 'TypeError', message: `the result of ${msg.name} cannot be sent back from the worker: ${errorOf(e).message}`, code: 'RESULT_NOT_CLONEABLE' } });
    }
  } catch (e) {
    post({ type: 'error', id: msg.id, error: errorOf(e) });
  } finally {
    current = 0;
    if (callWord) Atomics.store(callWord, 0, 0);
    if (record) Atomics.store(record, 0, 0);
  }
}
