// Browser side of tests/bench/alma.mjs (runs in a module worker).
import { almaCase } from './alma-case.js';
const params = new URL(self.location.href).searchParams;
const glue = await import(new URL(`/target/pkg/${params.get('pkg')}/rayon_web_indicators.js`, self.location.origin).href);
await glue.default();
self.postMessage(await almaCase(glue, { threads: Number(params.get('threads')) }));
