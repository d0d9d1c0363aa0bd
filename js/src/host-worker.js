// The dedicated worker that owns the wasm instance, so nothing ever blocks or
// spins the page's main thread. Protocol with index.js (one message each):
//
//   page -> host  {type: 'init', glueUrl, threads}            threads 0 = single build
//   host -> page  {type: 'ready', threads, memory?, progress?, crash?, declarations?}
//                 memory: the shared memory; declarations: the module's own
//                 (`rayonWebHostDeclarations()`, data only), for undeclared exports
//                 {type: 'init-error', error}                   (threaded builds only)
//   page -> host  {type: 'call', id, name, args, outputs?, watched?}
//                 outputs: indices of declared output arguments; watched: indices of
//                 an undeclared call's typed-array arguments the caller keeps
//   host -> page  {type: 'result', id, value, outputs, written, ms}  |  {type: 'error', id, error}
//                 (outputs: the filled output arguments, transferred back; written:
//                 [index, value] of each watched argument the export changed)
//                 {type: 'progress', id, done, total}    (single-threaded builds)
//
// Progress: a module may export `progressCounter()`, the address of two u32
// [done, total] in its memory. With threads the page polls them in the shared
// memory (this worker is blocked in the call); single-threaded, the module's
// memory is not shared, so the module calls `globalThis.rayonWebProgress(done,
// total)` between chunks and this worker forwards it.
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

const errorOf = (e) => ({
  name: e?.name ?? 'Error',
  message: e?.message ?? String(e),
  code: e?.code,
  // Many-series calls name the rejected series (rebased by split.js for shards).
  ...(Number.isInteger(e?.series) ? { series: e.series } : {}),
});

/** Bytes of a typed array, DataView or ArrayBuffer (index.js has the same line: this
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
// Calls wait for init (the page sends none before 'ready'; this is the second
// line of defence: a call must never run before initThreadPool).
let initDone = null;

globalThis.rayonWebProgress = (done, total) => {
  if (current) port.postMessage({ type: 'progress', id: current, done, total });
};

async function init({ glueUrl, threads }) {
  glue = await import(/* webpackIgnore: true */ /* @vite-ignore */ glueUrl);
  if (IN_NODE) {
    // Node's fetch cannot read file: URLs; hand wasm-bindgen the bytes.
    const { readFile } = await nodeImport('node:fs/promises');
    await glue.default({ module_or_path: await readFile(new URL(glueUrl.replace(/\.js$/, '_bg.wasm'))) });
  } else {
    await glue.default();
  }
  let memory;
  if (threads > 0) {
    await glue.initThreadPool(threads);
    memory = glue.rayonWebMemory?.();
  }
  const progress = typeof glue.progressCounter === 'function' ? glue.progressCounter() : undefined;
  const crash = threads > 0 ? glue.rayonWebCrashRecord?.() : undefined;
  // The module's own split/output declarations (plain data), if it ships them.
  const declarations = typeof glue.rayonWebHostDeclarations === 'function' ? glue.rayonWebHostDeclarations() : undefined;
  return { threads: threads > 0 ? threads : 1, memory, progress, crash, declarations };
}

on(async (msg) => {
  if (msg.type === 'init') {
    initDone = init(msg);
    try {
      port.postMessage({ type: 'ready', ...(await initDone) });
    } catch (e) {
      port.postMessage({ type: 'init-error', error: errorOf(e) });
    }
    return;
  }
  if (msg.type === 'call') {
    try { await initDone; } catch { /* reported as init-error; the export check below answers */ }
    // The glue's init functions belong to this worker, not to callers.
    const internal = msg.name === 'default' || msg.name === 'initSync' || msg.name.startsWith('__');
    const fn = !internal && Object.hasOwn(glue ?? {}, msg.name) ? glue[msg.name] : undefined;
    if (typeof fn !== 'function') {
      port.postMessage({ type: 'error', id: msg.id, error: { name: 'TypeError', message: `the module has no export named ${JSON.stringify(msg.name)}`, code: 'NO_SUCH_EXPORT' } });
      return;
    }
    // A class (a wasm-bindgen struct such as WasmFloat64Buffer) is a function too, but
    // calling it throws an uncoded TypeError, and its objects would live in this
    // worker's memory, out of the caller's reach.
    if (/^class\b/.test(Function.prototype.toString.call(fn))) {
      port.postMessage({ type: 'error', id: msg.id, error: { name: 'TypeError', message: `${JSON.stringify(msg.name)} is a class, not a function: its objects would live in the host's worker, which the page cannot reach; the host calls the module's functions only`, code: 'NO_SUCH_EXPORT' } });
      return;
    }
    current = msg.id;
    try {
      // Watched arguments: a copy of their bytes now, compared after the call. One
      // too large to copy (the worker's heap is full) is handed back whatever happens.
      const snapshot = (i) => { try { return bytesOf(msg.args[i]).slice(); } catch { return null; } };
      const watched = (msg.watched ?? []).map((i) => [i, snapshot(i)]);
      const t0 = performance.now();
      const value = await fn(...msg.args);
      const ms = performance.now() - t0;
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
        port.postMessage({ type: 'result', id: msg.id, value, outputs, written, ms }, [...new Set(transfer)]);
      } catch (e) {
        port.postMessage({ type: 'error', id: msg.id, error: { name: 'TypeError', message: `the result of ${msg.name} cannot be sent back from the worker: ${e.message}`, code: 'RESULT_NOT_CLONEABLE' } });
      }
    } catch (e) {
      port.postMessage({ type: 'error', id: msg.id, error: errorOf(e) });
    } finally {
      current = 0;
    }
  }
});
