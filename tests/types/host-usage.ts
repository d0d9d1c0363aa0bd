// Compile-only check (tsc --noEmit --strict) that the published declarations
// describe how the packages are used: js/ rayon-web-host, and the wasm-bindgen
// declarations of the indicators package (its custom TypeScript section).
import { createHost, detectThreads, HostError, ALMA_DECLARATIONS, type Host, type Mode } from '../../js/src/index.js';
import { selfIsolate } from '../../js/src/isolate.js';
import { prewarmPool, prewarmedWorkers } from '../../js/src/prewarm.js';
import init, { alma, almaBatch, almaBatchLongAbove, almaBatchMany, almaBatchManyInto, almaBatchManyLongAbove, almaBatchInto, emaBatchMany, initThreadPool, WasmFloat64Buffer, type AlmaErrorLike, type AlmaKernel } from '../../target/pkg/indicators-threads/rayon_web_indicators.js';

// The page's first statement, before the glue is imported (README "Start-up").
export function startEarly(): number {
  const waiting: number = prewarmPool({ numThreads: navigator.hardwareConcurrency, glueUrl: new URL('./pkg/my_crate.js', 'https://example.invalid/').href });
  // @ts-expect-error glueUrl is required
  prewarmPool({ numThreads: 2 });
  return waiting + prewarmedWorkers();
}

export async function useHost(): Promise<number> {
  const support = detectThreads();
  const reason: string = support.reason;
  const host: Host = await createHost({
    threaded: new URL('./pkg-threads/x.js', 'https://example.invalid/'),
    single: './pkg-single/x.js',
    threads: 2,
    mode: 'auto',
    shards: 2,
    declarations: { ...ALMA_DECLARATIONS, mine: { split: (args, n) => (n > 1 ? [{ args }, { args }] : null), join: (r) => r[0] } },
  });
  const mode: Mode | null = host.mode;
  if (host.mode !== null) { const running: Mode = host.mode; void running; }
  const iso = await selfIsolate({ url: '/isolation-sw.js', coep: 'credentialless' });
  if (!iso.isolated) console.log(iso.reason, host.shards);
  const out = await host.call<Float64Array>('alma', [new Float64Array(10)], {
    onProgress: (done: number, total: number) => void (done / total),
    signal: new AbortController().signal,
    transfer: [],
  });
  try {
    await host.recreate({ threads: 1, mode: 'shards', shards: 3 });
  } catch (e) {
    if (e instanceof HostError) console.log(e.code, e.series);
  }
  host.terminate();
  return out.length + reason.length + (mode?.length ?? 0);
}

export async function useIndicators(): Promise<number> {
  await init();
  await initThreadPool(2);
  const prices = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const one: Float64Array = alma(prices, { period: 3, offset: 0.85, sigma: 6, floor: true });
  const batch = almaBatch(prices, { period: [2, 4, 1], offset: [0.5, 0.9, 0.2], sigma: [6, 6, 0], floor: false });
  const rows: number = batch.rows;
  const firstPeriod: number = batch.combos[0].period;
  const values: Float64Array = batch.values;
  const offsets = new Uint32Array([0, 4, 10]);
  const many = almaBatchMany(prices, offsets, { period: [2, 3, 1] });
  const seriesCount: number = many.series;
  const start: number = many.offsets[1] * many.rows;
  const manyValues: Float64Array = many.values;
  const shape = almaBatchManyInto(prices, [0, 10], { period: [2, 2, 0] }, new Float64Array(10));
  const emaRows: number = emaBatchMany(prices, Float64Array.from([0, 10]), { period: [2, 4, 1] }).rows + shape.rows;
  const kernel: AlmaKernel = 'fft';
  const byFft: Float64Array = almaBatch(prices, { period: [2, 3, 1], kernel }).values;
  const direct: Float64Array = alma(prices, { period: 3, kernel: 'simd' });
  const rule = almaBatchLongAbove(prices, { period: [2, 4, 1] });
  const figures: number = rule.totalReturn[0] + rule.timeInMarket[0] + rule.rowSum[0] + rule.nanCount[0] + rule.cols + rule.combos[0].period;
  // @ts-expect-error: the rows themselves are not returned
  void rule.values;
  const universe = almaBatchManyLongAbove(prices, Uint32Array.from([0, 4, 10]), { period: [2, 3, 1], offset: [0.5, 0.9, 0.4] });
  const perSeries: number = universe.totalReturn[universe.rows * 1] + universe.series + universe.offsets[2] + universe.combos[0].offset;
  // @ts-expect-error: a many-series result has no cols (series lengths differ)
  void universe.cols;
  // Results computed in place into wasm memory, read through a view.
  const buf = new WasmFloat64Buffer(3 * prices.length);
  const inPlace = almaBatchInto(prices, { period: [2, 4, 1] }, buf.view());
  const inPlaceFirst: number = buf.view()[inPlace.cols * 2] + buf.length;
  buf.free();
  // @ts-expect-error: the length is a number
  new WasmFloat64Buffer('30');
  // @ts-expect-error: not a kernel name
  almaBatch(prices, { period: [2, 3, 1], kernel: 'avx512' });
  try {
    almaBatchMany(prices, [0, 1, 10], { period: [5, 5, 0] });
  } catch (e) {
    const err = e as AlmaErrorLike;
    if (err.code === 'INVALID_PERIOD' && err.series !== undefined) console.log(err.series);
  }
  return one.length + rows + firstPeriod + values.length + batch.cols + seriesCount + start + manyValues.length + emaRows + byFft.length + direct.length + figures + perSeries + inPlaceFirst;
}

// A host told its module's type: names, arguments and results checked (index.d.ts, Host<M>).
import type * as Indicators from '../../target/pkg/indicators-threads/rayon_web_indicators.js';
export async function useTypedHost(): Promise<number> {
  const host = await createHost<typeof Indicators>({ threaded: './pkg-threads/x.js', single: './pkg-single/x.js' });
  const prices = new Float64Array(10);
  const r = await host.call('almaBatch', [prices, { period: [2, 4, 1] }], { onProgress: (done, total) => void (done / total) });
  const rows: number = r.rows;
  const values: Float64Array = r.values;
  const shape = await host.call('almaBatchInto', [prices, { period: [2, 4, 1] }, new Float64Array(30)]);
  const cols: number = shape.cols;
  // @ts-expect-error: no such export (a typo)
  void host.call('almaBatc', [prices, { period: [2, 4, 1] }]);
  // @ts-expect-error: the range is required
  void host.call('almaBatch', [prices]);
  // @ts-expect-error: the glue's init functions are not callable through the host
  void host.call('initSync', [{ module: new Uint8Array(0) }]);
  // @ts-expect-error: classes are not callable through the host
  void host.call('WasmFloat64Buffer', [3]);
  const line: Float64Array = await host.exports.alma(prices, { period: 3 });
  // @ts-expect-error: no such export
  void host.exports.almaBatc;
  const again: Host<typeof Indicators> = await host.recreate({ mode: 'single' });
  return rows + values.length + cols + line.length + (again.mode?.length ?? 0);
}
