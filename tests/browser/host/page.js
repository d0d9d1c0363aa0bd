// Runs one scenario of ./scenarios.js (?case=NAME) with rayon-web-host in this
// page and leaves its data in window.__result (or window.__error).
import { createHost, ALMA_DECLARATIONS } from '../../../js/src/index.js';
import * as scenarios from './scenarios.js';

const pkg = (p) => new URL(`/target/pkg/${p}`, location.href).href;
const urls = {
  consumer: pkg('consumer/rayon_web_consumer.js'),
  consumerSingle: pkg('consumer-unshared/rayon_web_consumer.js'),
  indicatorsThreads: pkg('indicators-threads/rayon_web_indicators.js'),
  indicatorsSingle: pkg('indicators-single/rayon_web_indicators.js'),
  broken: pkg('no-such-build/glue.js'),
};

// requestAnimationFrame count: proves the page stays live during a long call.
let frames = 0;
const tick = () => { frames++; requestAnimationFrame(tick); };
requestAnimationFrame(tick);

const name = new URLSearchParams(location.search).get('case');
try {
  const fn = scenarios[name];
  if (typeof fn !== 'function') throw new Error(`no scenario ${name}`);
  window.__result = await fn(createHost, urls, { ALMA_DECLARATIONS, frames: () => frames, length: 200_000 });
} catch (e) {
  window.__error = { code: e.code ?? null, message: String(e.message ?? e) };
}
