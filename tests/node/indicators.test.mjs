// rayon-web-indicators' JS API in Node 20: both builds against the mpmath
// fixture, errors with codes, and the threaded build on a pool of 2 equal to
// the single-threaded build bit for bit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../indicators/checks.js';
import { loadIndicators, fixture } from '../indicators/node-load.mjs';

const fx = fixture();
const single = await loadIndicators('indicators-single');
const threads = await loadIndicators('indicators-threads', 2);

for (const [name, pkg, other] of [['single-threaded build', single, null], ['threaded build, pool of 2', threads, single]]) {
  describe(`indicators in Node: ${name}`, () => {
    for (const r of runChecks(pkg, fx, other)) {
      it(r.name, () => assert.ok(r.ok, r.error));
    }
  });
}
