// Loads a built indicators package (target/pkg/<name>) in Node.
import { readFileSync } from 'node:fs';
export async function loadIndicators(name, threads = 0) {
  const base = new URL(`../../target/pkg/${name}/rayon_web_indicators`, import.meta.url);
  const glue = await import(`${base.href}.js?instance=${name}-${threads}`);
  const wasm = await glue.default({ module_or_path: readFileSync(new URL(`${base.href}_bg.wasm`)) });
  if (threads) await glue.initThreadPool(threads);
  // The exports plus the instance's memory (for memory-level checks).
  return { ...glue, wasmMemory: wasm.memory };
}
export const fixture = () => JSON.parse(readFileSync(new URL('../../indicators/tests/fixtures/alma_reference.json', import.meta.url), 'utf8'));
export const emaFixture = () => JSON.parse(readFileSync(new URL('../../indicators/tests/fixtures/ema_reference.json', import.meta.url), 'utf8'));
