// The Vite consumer's module worker. The query string arrives by message
// (a bundled worker URL carries no page parameters).
import { run, describe } from '../consumer-web/run.js';

self.addEventListener('message', async (e) => {
  const params = new URLSearchParams(e.data);
  try {
    // Dynamic import: the package gets a chunk of its own, importable by URL
    // from rayon-web's pool workers.
    const pkg = await import('../../target/pkg/consumer/rayon_web_consumer.js');
    const result = await run(pkg, params, params.get('mode') ?? 'worker');
    self.postMessage({ result });
  } catch (err) {
    self.postMessage({ error: describe(err) });
  }
}, { once: true });
