// Property-based check of rayon-web-host's write-back of undeclared exports
// (js/src/outputs.js watchedArgs/writeBack, host-worker.js): whatever typed
// arrays, DataViews and ArrayBuffers a caller passes — views at odd offsets,
// several views of one buffer, empty ones, some transferred — after an export
// writes into some of them, every argument the caller kept holds exactly what
// a direct call would have left in it, in single and shards mode. The module
// is a JS stand-in for a glue (fixtures/writer-glue.js), so any argument type
// reaches the export unconverted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { createHost, isDetached } from '../../js/src/index.js';
import { fcParams } from './support.mjs';

const GLUE = pathToFileURL(fileURLToPath(new URL('./fixtures/writer-glue.js', import.meta.url))).href;
const bytesOf = (v) => (ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v));
const detached = (v) => isDetached(ArrayBuffer.isView(v) ? v.buffer : v);

// One argument: which buffer (0-2: arguments may share one), its kind and window.
const argSpec = fc.record({
  buffer: fc.nat(2),
  kind: fc.constantFrom('f64', 'f32', 'i16', 'u8', 'dataview', 'arraybuffer'),
  start: fc.nat(16),
  length: fc.nat(24),
});
const writes = fc.array(fc.tuple(fc.nat(5), fc.nat(1000), fc.integer({ min: 0, max: 255 })), { maxLength: 8 });

function build(specs, fills) {
  const buffers = fills.map((seed) => Uint8Array.from({ length: 256 }, (_, k) => (seed * 31 + k * 7) & 255).buffer);
  return specs.map(({ buffer, kind, start, length }) => {
    const buf = buffers[buffer];
    switch (kind) {
      case 'f64': return new Float64Array(buf, start * 8, Math.min(length, 32 - start));
      case 'f32': return new Float32Array(buf, start * 4, length);
      case 'i16': return new Int16Array(buf, start * 2 + 2, length); // byteOffset not a multiple of 4 when start is even
      case 'u8': return new Uint8Array(buf, start + 1, length);
      case 'dataview': return new DataView(buf, start, length);
      default: return buf;
    }
  });
}

for (const mode of ['single', 'shards']) {
  test(`undeclared writes come back exactly (${mode} mode)`, async () => {
    const host = await createHost({ single: GLUE, mode, shards: 2 });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(argSpec, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(255), { minLength: 3, maxLength: 3 }), writes, fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          async (specs, fills, plan, moved) => {
            const args = build(specs, fills);
            const steps = plan.filter(([i]) => i < args.length);
            // What a direct call leaves: the same writes on a clone (aliasing kept).
            const expected = structuredClone(args);
            const { write } = await import(GLUE);
            write(steps, ...expected);
            // Transfer some of the buffers (each at most once).
            const transfer = [...new Set(args.map((a) => (ArrayBuffer.isView(a) ? a.buffer : a)))].filter((_, k) => moved[k % 3]);
            const n = await host.call('write', [steps, ...args], { transfer });
            assert.equal(n, steps.length);
            args.forEach((a, i) => {
              if (detached(a)) return; // given away: nothing to compare
              assert.deepEqual(Array.from(bytesOf(a)), Array.from(bytesOf(expected[i])), `argument ${i} (${specs[i].kind})`);
            });
          }),
        fcParams(),
      );
    } finally {
      host.terminate();
    }
  });
}
