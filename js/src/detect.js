// Can this environment run a threaded (shared-memory) wasm build? Checks the
// capabilities themselves, not just `crossOriginIsolated`: WebKitGTK without
// JSC_useSharedArrayBuffer reports crossOriginIsolated === true and still has
// no SharedArrayBuffer.

// (module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))
// — validates only where wasm threads (shared memory + atomics) are supported.
const THREADS_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1,
  10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11,
]);

/**
 * @returns {{ threads: boolean, reason: string }} whether a threaded build can
 * run here and, either way, why (shown to users in the mode banner).
 */
export function detectThreads() {
  const inNode = typeof process === 'object' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
  if (!inNode && globalThis.crossOriginIsolated !== true) {
    return { threads: false, reason: 'the page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)' };
  }
  if (typeof SharedArrayBuffer !== 'function') {
    return { threads: false, reason: 'this engine has no SharedArrayBuffer' + (inNode ? '' : ' although the page is cross-origin isolated') };
  }
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(THREADS_PROBE)) {
    return { threads: false, reason: 'this engine has no WebAssembly threads (shared memory and atomics)' };
  }
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('not shared');
  } catch {
    return { threads: false, reason: 'this engine cannot create shared WebAssembly memory' };
  }
  return { threads: true, reason: inNode ? 'Node has shared memory and worker_threads' : 'the page is cross-origin isolated and has shared WebAssembly memory' };
}
