// A Vite app using rayon-web-host (js/) the way the host's README says: the two
// wasm packages are served verbatim (here: target/pkg as Vite's public dir) and
// passed by URL; the host's worker is bundled by Vite.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  clearScreen: false,
  publicDir: fileURLToPath(new URL('../../target/pkg/', import.meta.url)),
  build: { outDir: fileURLToPath(new URL('../../target/vite-host/', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  // The host is imported from js/src, outside this root (an app would have it in node_modules).
  server: { headers: isolation, fs: { allow: [fileURLToPath(new URL('../../', import.meta.url))] } },
  preview: { headers: isolation },
});
