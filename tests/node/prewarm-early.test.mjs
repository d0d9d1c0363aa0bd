// rayon-web-host's standalone prewarmPool (js/src/prewarm.js) and rayon-web's
// pool code (thread-pool/js) share a protocol: the worker bootstrap, its
// version, the registry's name and the limits. Each is defined in
// thread-pool/js and copied into prewarm.js; these tests hold the copies equal.
// The pool taking the workers is tested in browsers (tests/browser/consumer.test.mjs,
// "prewarmPool before the glue is imported").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as prewarm from '../../js/src/prewarm.js';
import { workerSource } from '../../thread-pool/js/worker.js';
import { WORKER_PROTOCOL } from '../../thread-pool/js/spawn.js';

const text = (rel) => readFileSync(new URL(`../../${rel}`, import.meta.url), 'utf8');
const constant = (src, name) => Number(src.match(new RegExp(`const ${name} = ([\\d_]+);`))[1].replaceAll('_', ''));

describe('rayon-web-host prewarmPool agrees with rayon-web', () => {
  it('the worker bootstrap is byte for byte rayon-web\'s, and the protocol version is the same', () => {
    for (const url of ['https://example.com/pkg/my_crate.js', 'http://127.0.0.1:8080/a "quoted" path.js']) {
      // rayon-web's also runs in Node (its port expression finds worker_threads' parentPort there);
      // the standalone prewarm runs in browsers only, where that expression is `self`.
      const ours = workerSource(url).replace("typeof self === 'undefined' ? require('node:worker_threads').parentPort : self", 'self');
      assert.notEqual(ours, workerSource(url), 'the port expression was found');
      assert.equal(prewarm.workerSource(url), ours);
    }
    assert.equal(prewarm.WORKER_PROTOCOL, WORKER_PROTOCOL);
  });

  it('the registry symbol, the keep-alive and the thread limit are rayon-web\'s', () => {
    const spawn = text('thread-pool/js/spawn.js');
    const mine = text('js/src/prewarm.js');
    const symbol = (src) => src.match(/Symbol\.for\('([^']+)'\)/)[1];
    assert.equal(symbol(mine), symbol(spawn));
    assert.equal(constant(mine, 'KEEP_ALIVE_MS'), constant(spawn, 'PREWARM_KEEP_ALIVE_MS'));
    assert.equal(constant(mine, 'MAX_THREADS'), constant(text('thread-pool/js/options.js'), 'MAX_THREADS'));
    assert.equal(constant(mine, 'MAX_CORE_COUNT'), constant(text('thread-pool/js/options.js'), 'MAX_CORE_COUNT'));
    // The host (host-options.js) caps its pool size with the same limits.
    assert.equal(constant(text('js/src/host-options.js'), 'MAX_POOL_THREADS'), constant(mine, 'MAX_THREADS'));
    assert.equal(constant(text('js/src/host-options.js'), 'MAX_CORE_COUNT'), constant(mine, 'MAX_CORE_COUNT'));
  });
});

describe('prewarmPool arguments', () => {
  const glueUrl = 'https://example.com/pkg/my_crate.js';
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const bad = [
    [undefined, /options must be an object/],
    [null, /options must be an object/],
    [2, /options must be an object/],
    [{ glueUrl }, /numThreads must be an integer from 1 to 65536 \(a core count; more than 64 starts 64\), got undefined/],
    [{ numThreads: 0, glueUrl }, /got 0/],
    [{ numThreads: 65537, glueUrl }, /got 65537/],
    [{ numThreads: 1.5, glueUrl }, /got 1.5/],
    [{ numThreads: NaN, glueUrl }, /got NaN/],
    [{ numThreads: '2', glueUrl }, /got string/],
    [{ numThreads: 2 }, /glueUrl must be an absolute URL string/],
    [{ numThreads: 2, glueUrl: './pkg/my_crate.js' }, /got "\.\/pkg\/my_crate\.js"/],
    [{ numThreads: 2, glueUrl: { toString() { throw new Error('boom'); } } }, /glueUrl must be an absolute URL string/],
    [revoked.proxy, /reading the options threw/],
    [{ get numThreads() { throw new Error('getter'); } }, /reading the options threw: getter/],
    [{ numThreads: 2, glueUrl, numThread: 2 }, /options has no option "numThread": it accepts numThreads, glueUrl only/],
    [new Proxy({}, { ownKeys() { throw new Error('keys'); } }), /reading the options threw: keys/],
  ];
  for (const [arg, message] of bad) {
    let label;
    try { label = JSON.stringify(arg) ?? String(arg); } catch { label = arg === revoked.proxy ? 'a revoked Proxy' : 'an object whose getter throws'; }
    it(`rejects ${label} with INVALID_ARGUMENT`, () => {
      assert.throws(() => prewarm.prewarmPool(arg), (e) => e instanceof TypeError && e.code === 'INVALID_ARGUMENT' && message.test(e.message));
    });
  }

  it('starts nothing where no pool can run (Node: no crossOriginIsolated page) and says so by returning 0', () => {
    assert.equal(prewarm.prewarmPool({ numThreads: 2, glueUrl }), 0);
    assert.equal(prewarm.prewarmedWorkers(), 0);
    assert.equal(globalThis[Symbol.for('rayon-web.prewarmed-workers')], undefined);
  });
});
