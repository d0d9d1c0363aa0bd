// The worker bootstrap: the code every pool worker runs, in browsers (a blob:
// module worker) and in Node (a worker_threads `eval` worker). See
// spawn.js for the protocol.
//
// `workerMain` is shipped as source text (`workerSource()`), so it must not
// refer to anything outside its own body: bundlers may rename module-level
// names, but never the inside of a function they keep whole.
function workerMain(preloadUrl, port, load) {
  const post = (msg) => port.postMessage(msg);
  const describe = (e) => {
    // Firefox's `err.stack` omits the message: report both.
    const text = String(e && e.message !== undefined ? `${e.name}: ${e.message}` : e);
    return e && e.stack && !String(e.stack).includes(text) ? `${text}\n${e.stack}` : text;
  };

  // Writes the crash record (layout in src/crash.rs) unless the panic hook
  // already did: state 0 -> 2 (ours), len, message, state = 1.
  const recordCrash = (memory, addr, message) => {
    const state = new Int32Array(memory.buffer, addr, 2);
    if (Atomics.compareExchange(state, 0, 0, 2) !== 0) return;
    const bytes = new TextEncoder().encode(message).slice(0, 1016);
    // TextDecoder cannot read shared memory directly, but writing into it is fine.
    new Uint8Array(memory.buffer, addr + 8, bytes.length).set(bytes);
    Atomics.store(state, 1, bytes.length);
    Atomics.store(state, 0, 1);
  };

  // Start fetching and evaluating the glue while the `start` message is still on
  // its way: worker start-up is dominated by module loading, not by the message.
  // `load` is `import()`, written in workerSource's text rather than here:
  // bundlers rewrite an `import(x)` they see in this body — webpack into its own
  // module loader, Vite's dev server into `import(__vite__injectQuery(x, 'import'))`
  // with a helper imported at the top of this module, which the blob: worker
  // does not have (ReferenceError: __vite__injectQuery is not defined) — and
  // magic comments stop webpack only.
  const preload = preloadUrl ? load(preloadUrl) : null;
  // Reported when `start` arrives, not as an unhandled rejection now.
  if (preload) preload.catch(() => {});

  const onStart = async (data) => {
    if (!data || data.rayonWeb !== 'start') return;
    if (typeof self === 'undefined') port.off('message', onStart);
    else self.removeEventListener('message', onBrowserMessage);

    let glue;
    try {
      glue = await (preload && data.glueUrl === preloadUrl ? preload : load(data.glueUrl));
    } catch (e) {
      post({ rayonWeb: 'error', stage: 'import', message: describe(e) });
      return;
    }
    let wasm;
    try {
      if (typeof glue.initSync !== 'function' || typeof glue.__rayonWebWorkerEntry !== 'function') {
        throw new Error(`${data.glueUrl} is not the wasm-bindgen --target web glue of a module ` +
          'that links rayon-web (no initSync / __rayonWebWorkerEntry export). If it is, a ' +
          'bundler kept only the exports your code names: import the package as a namespace ' +
          '(const pkg = await import(...)), not destructured names, or pass glueUrl to a ' +
          'verbatim copy (rayon-web\'s README, "Vite")');
      }
      // grow(0) refreshes this agent's view of the memory's length before the
      // instance is made from it: other workers may have grown it since it was
      // posted, and engines update other agents lazily (V8 until the agent grows
      // it itself: https://github.com/toyobayashi/emnapi/issues/217,
      // https://github.com/dotnet/runtime/pull/94299).
      data.memory.grow(0);
      // The gate (spawn.js, WorkerGroup): from here on this worker runs wasm, and
      // only it may end itself — a worker killed inside malloc or wasm-bindgen's
      // start lock leaves that lock held for every thread of the instance. If the
      // pool gave up on this worker first (start-up failed), it never enters.
      if (Atomics.compareExchange(new Int32Array(data.gate), data.gateIndex, 0, 1) !== 0) return;
      wasm = glue.initSync({ module: data.module, memory: data.memory, thread_stack_size: data.stackSize });
    } catch (e) {
      post({ rayonWeb: 'error', stage: 'init', message: describe(e) });
      return;
    }
    post({ rayonWeb: 'ready', index: data.index });
    try {
      // Blocks until the pool that owns this thread ends (never, for the global pool).
      glue.__rayonWebWorkerEntry(data.handoff);
    } catch (e) {
      // A trap (panic=abort, out of bounds, unreachable) ends this thread's Rust
      // state for good; its stack cannot be trusted, so it is not freed.
      const message = `pool thread ${data.index} trapped: ${describe(e)}`;
      recordCrash(data.memory, data.crashRecord, message);
      post({ rayonWeb: 'crashed', message });
      return;
    }
    // Must be the last wasm call on this thread: frees its stack and TLS.
    wasm.__wbindgen_thread_destroy();
    post({ rayonWeb: 'exited' });
    if (typeof self !== 'undefined') self.close();
    else port.close();
  };
  const onBrowserMessage = (e) => onStart(e.data);

  if (typeof self === 'undefined') port.on('message', onStart);
  else self.addEventListener('message', onBrowserMessage);
}

/// The bootstrap as source text for a blob: or eval worker that starts
/// importing `glueUrl` as soon as it runs. The message port and the dynamic
/// import are written in the text, not in `workerMain`: bundlers rewrite a
/// `require` (Vite: into a module-level stub) or an `import()` (webpack, Vite's
/// dev server: see workerMain) they see inside a function, which would make it
/// no longer self-contained; nothing rewrites a string. In Node `require`
/// exists in eval workers; in browsers `self` is the worker scope.
export function workerSource(glueUrl) {
  const port = "typeof self === 'undefined' ? require('node:worker_threads').parentPort : self";
  return `(${workerMain.toString()})(${JSON.stringify(glueUrl)}, ${port}, (url) => import(url));\n`;
}
