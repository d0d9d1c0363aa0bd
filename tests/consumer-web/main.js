// The plain-files consumer page (no bundler). Query parameters:
//   threads=N   pool size (default 2)
//   mode=worker (default) the pool is started and used inside a module worker
//   mode=main   the page's main thread itself awaits initThreadPool
//   mode=reject initThreadPool is expected to reject; the rejection is the result
//   in=worker|page  where mode=reject calls initThreadPool (default worker)
//   n=, reps=   size and repetitions of the timed sums (worker mode)
//   prewarm=1   prewarmThreadPool(threads) before init()
//   prewarm=early  rayon-web-host's prewarmPool before the glue is imported
//                  (early-stale: plus a registry entry of another protocol)
// Sets window.__result (an object) or window.__error ({code, message}).
import { run, prewarmEarly } from './run.js';

const params = new URLSearchParams(location.search);
const GLUE = new URL('/target/pkg/consumer/rayon_web_consumer.js', location.origin).href;

const status = document.getElementById('status');
const out = document.getElementById('out');

function show(ok, value) {
  status.textContent = ok ? 'done' : 'failed';
  status.className = ok ? 'ok' : 'err';
  out.textContent = JSON.stringify(value, null, 2);
}

function startWorker(query) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(`./worker.js?${query}`, import.meta.url), { type: 'module', name: 'consumer-worker' });
    worker.addEventListener('message', (e) => resolve(e.data));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      reject({ code: 'TEST_WORKER_ERROR', message: `consumer worker failed: ${e.message || '(no message)'}` });
    });
  });
}

async function main() {
  const mode = params.get('mode') ?? 'worker';
  const where = params.get('in') ?? (mode === 'main' ? 'page' : 'worker');
  if (where === 'page') {
    const pre = await prewarmEarly(params, GLUE);
    const glue = await import(GLUE);
    return run(glue, params, mode, pre);
  }
  const msg = await startWorker(params.toString());
  if (msg.error) throw msg.error;
  return msg.result;
}

main().then(
  (result) => {
    result.pageCrossOriginIsolated = globalThis.crossOriginIsolated;
    window.__result = result;
    show(true, result);
  },
  (err) => {
    const e = err instanceof Error || (err && err.message)
      ? { code: err.code ?? null, name: err.name ?? null, message: String(err.message), string: String(err) }
      : { code: null, message: String(err) };
    window.__error = e;
    show(false, e);
  },
);
