// Node side of tests/bench/alma.mjs: `node alma-node.mjs <pkg> <threads>`.
import { readFileSync } from 'node:fs';
import { almaCase } from './alma-case.js';
const [pkg, threads] = [process.argv[2], Number(process.argv[3])];
const base = new URL(`../../target/pkg/${pkg}/rayon_web_indicators`, import.meta.url);
const glue = await import(base.href + '.js');
await glue.default({ module_or_path: readFileSync(new URL(base.href + '_bg.wasm')) });
console.log(JSON.stringify(await almaCase(glue, { threads })));
