import { createHost, ALMA_DECLARATIONS } from '../../js/src/index.js';

const pkg = (name) => new URL(`/${name}/rayon_web_indicators.js`, location.href);
try {
  const host = await createHost({ threaded: pkg('indicators-threads'), single: pkg('indicators-single'), threads: 2, shards: 2, declarations: ALMA_DECLARATIONS });
  const prices = new Float64Array(50_000).map((_, i) => 100 + Math.sin(i / 50) * 5 + (i % 7) * 0.1);
  let progressEvents = 0;
  const r = await host.call('almaBatch', [prices, { period: [5, 84, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] }], {
    onProgress: () => { progressEvents += 1; },
  });
  let checksum = 0;
  for (const v of r.values) if (Number.isFinite(v)) checksum += v;
  window.__result = { mode: host.mode, reason: host.reason, threads: host.threads, shards: host.shards, rows: r.rows, cols: r.cols, checksum, progressEvents };
  host.terminate();
} catch (e) {
  window.__error = { code: e.code ?? null, message: String(e.message ?? e) };
}
