// The Vite consumer page: same query parameters and result shape as
// tests/consumer-web (threads, mode=worker|main|reject, in=worker|page, n, reps).
import { run } from '../consumer-web/run.js';

const params = new URLSearchParams(location.search);
const status = document.getElementById('status');
const out = document.getElementById('out');

function show(ok, value) {
  status.textContent = ok ? 'done' : 'failed';
  status.className = ok ? 'ok' : 'err';
  out.textContent = JSON.stringify(value, null, 2);
}

function startWorker() {
  return new Promise((resolve, reject) => {
    // Vite recognises this pattern and bundles worker.js as an ES worker.
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'consumer-worker' });
    worker.addEventListener('message', (e) => resolve(e.data));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      reject({ code: 'TEST_WORKER_ERROR', message: `consumer worker failed: ${e.message || '(no message)'}` });
    });
    worker.postMessage(params.toString());
  });
}

async function main() {
  const mode = params.get('mode') ?? 'worker';
  const where = params.get('in') ?? (mode === 'main' ? 'page' : 'worker');
  if (where === 'page') {
    const pkg = await import('../../target/pkg/consumer/rayon_web_consumer.js');
    return run(pkg, params, mode);
  }
  const msg = await startWorker();
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
    const e = { code: err?.code ?? null, name: err?.name ?? null, message: String(err?.message ?? err), string: String(err) };
    window.__error = e;
    show(false, e);
  },
);
