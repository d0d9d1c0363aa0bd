// The Vite consumer app: a page + module worker that loads the threaded
// wasm-bindgen package of tests/consumer with a dynamic import(), so that the
// package's glue stays in a chunk of its own which rayon-web's pool workers
// can import by URL (they import the glue by its import.meta.url).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  // Absolute paths in the output are fine: the tests serve the output folder as the site root.
  base: '/',
  clearScreen: false,
  build: {
    outDir: fileURLToPath(new URL('../../target/vite-consumer/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  worker: { format: 'es' },
  server: {
    headers: isolation,
    // The package lives in /target/pkg/consumer, outside this root.
    fs: { allow: [repo] },
  },
  preview: { headers: isolation },
});
