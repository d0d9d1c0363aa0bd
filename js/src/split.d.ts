// Type declarations of `rayon-web-host/split` (split.js): only what split.js
// exports, picked from index.d.ts where each is declared once (as for detect.d.ts).
// tests/node/publish.test.mjs checks that every runtime export is declared here and nothing more.
export {
  ALMA_DECLARATIONS, balance, concatRows, compileDeclaration, isDetached,
  type Declaration, type GridRowsDeclaration, type SeriesDeclaration, type CodeDeclaration, type SplitPart,
} from './index.js';
