// `node startup-node.mjs <mode>`: one start-up measurement in a fresh Node
// process (startup-case.js), printed as one JSON line.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startupCase } from './startup-case.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = `${ROOT}target/pkg/startup-rayon-web/startup_compare`;
const glueUrl = pathToFileURL(`${PKG}.js`).href;
// The worker_threads js/spawn.js makes in Node: `eval` workers.
const spawnEmpty = (n, importUrl) => Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
  const body = `${importUrl ? `import(${JSON.stringify(importUrl)}).then(() => ` : '('}require('node:worker_threads').parentPort.postMessage(0))`;
  const w = new Worker(body, { eval: true });
  w.once('message', () => { w.terminate(); resolve(); });
  w.once('error', reject);
})));
const wasm = async () => readFileSync(`${PKG}_bg.wasm`);
const r = await startupCase(process.argv[2], { glueUrl, spawnEmpty, wasm });
console.log(JSON.stringify(r));
