// Type declarations of `rayon-web-host/detect` (detect.js): only what detect.js
// exports, picked from index.d.ts where each is declared once. (Pointing this
// subpath at index.d.ts would claim createHost and the rest exist here.)
// tests/node/publish.test.mjs checks that every runtime export of detect.js is
// declared here and nothing more.
export { detectThreads, type ThreadSupport, type Mode, MODES, DEFAULT_SHARD_MIN_WORK, reportedCores, chooseMode } from './index.js';
