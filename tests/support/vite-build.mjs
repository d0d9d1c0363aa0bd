// Builds tests/consumer-vite with Vite's JS API into target/vite-consumer/.
// Also runnable: `node tests/support/vite-build.mjs`.
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

export const VITE_CONFIG = fileURLToPath(new URL('../consumer-vite/vite.config.js', import.meta.url));
export const VITE_OUT = fileURLToPath(new URL('../../target/vite-consumer/', import.meta.url));

export async function buildViteConsumer({ logLevel = 'warn' } = {}) {
  await build({ configFile: VITE_CONFIG, logLevel });
  return VITE_OUT;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t = performance.now();
  await buildViteConsumer({ logLevel: 'info' });
  console.log(`built ${VITE_OUT} in ${(performance.now() - t).toFixed(0)} ms`);
}
