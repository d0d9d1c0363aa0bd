// Runs one lifecycle scenario (?case=...): most in a module worker (where
// parallel calls belong); 'abort' on the page through rayon-web-host, which
// must notice a dead pool thread while its own worker is blocked.
import { createHost } from '/js/src/index.js';

const name = new URLSearchParams(location.search).get('case');
const glueUrl = (pkg) => new URL(`/target/pkg/${pkg}/rayon_web_consumer.js`, location.href).href;

async function abortScenario() {
  const host = await createHost({ threaded: glueUrl('consumer'), threads: 2 });
  const out = { mode: host.mode };
  let t = performance.now();
  try { await host.call('panicInParallel', [5]); out.first = 'resolved'; } catch (e) { out.first = { code: e.code, message: e.message }; }
  out.firstMs = performance.now() - t;
  t = performance.now();
  try { await host.call('sumParallel', [1000]); out.later = 'resolved'; } catch (e) { out.later = { code: e.code, message: e.message }; }
  out.laterMs = performance.now() - t;
  await host.recreate({ threads: 2 });
  out.recoveredThreads = await host.exports.numThreads();
  out.recoveredOk = (await host.exports.sumParallel(100000)) === (await host.exports.sumSequential(100000));
  host.terminate();
  return out;
}

try {
  if (name === 'abort') {
    window.__result = await abortScenario();
  } else {
    const worker = new Worker(new URL(`./worker.js?case=${name}`, import.meta.url), { type: 'module' });
    window.__result = await new Promise((resolve, reject) => {
      worker.onmessage = (e) => (e.data.failed ? reject(Object.assign(new Error(e.data.failed.message), e.data.failed)) : resolve(e.data));
      worker.onerror = (e) => reject(new Error(e.message || 'scenario worker failed'));
    });
  }
} catch (e) {
  window.__error = { code: e.code ?? null, message: String(e.message ?? e) };
}
