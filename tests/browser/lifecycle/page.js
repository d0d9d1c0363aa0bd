// Runs one lifecycle scenario (?case=...): most in a module worker (where
// parallel calls belong); 'abort' on the page through rayon-web-host, which
// must notice a dead pool thread while its own worker is blocked.
import { createHost } from '/js/src/index.js';
import { abortAndRecover } from '/tests/lifecycle/scenarios.js';

const name = new URLSearchParams(location.search).get('case');
const glueUrl = (pkg) => new URL(`/target/pkg/${pkg}/rayon_web_consumer.js`, location.href).href;

try {
  if (name === 'abort') {
    window.__result = await abortAndRecover(createHost, glueUrl('consumer'), 2);
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
