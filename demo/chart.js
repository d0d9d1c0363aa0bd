// Price chart with ALMA rows overlaid (uPlot, vendored from demo/node_modules).

// uPlot builds Intl formatters from navigator.language when it loads; an engine
// in the C/POSIX locale (WebKitGTK with LANG=C reports 'C') makes that throw
// "invalid language tag", and the import would fail. Fall back to en-US there.
try {
  new Intl.NumberFormat(navigator.language);
} catch {
  try { Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true }); } catch { /* keep going */ }
}
const { default: uPlot } = await import('/vendor/uplot/uPlot.esm.js');

const COLORS = ['#d9480f', '#1971c2', '#2f9e44', '#9c36b5', '#e8590c', '#0c8599'];
const MAX_POINTS = 20000;

/**
 * Draws into `el`: prices, and for each entry of `overlays` ({label, row}) that
 * row of `values` (rows × cols, row-major). Long series are thinned to at most
 * MAX_POINTS points for drawing (every k-th bar).
 */
export function drawChart(el, prices, values, cols, overlays, old) {
  old?.destroy();
  const stride = Math.max(1, Math.ceil(prices.length / MAX_POINTS));
  const n = Math.ceil(prices.length / stride);
  const x = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) { x[i] = i * stride; p[i] = prices[i * stride]; }
  const data = [x, p];
  const series = [{ label: 'bar' }, { label: 'price', stroke: '#868e96', width: 1 }];
  overlays.forEach((o, k) => {
    const y = new Array(n);
    for (let i = 0; i < n; i++) { const v = values[o.row * cols + i * stride]; y[i] = Number.isFinite(v) ? v : null; }
    data.push(y);
    series.push({ label: o.label, stroke: COLORS[k % COLORS.length], width: 1.5 });
  });
  const width = Math.max(300, el.clientWidth || 800);
  return new uPlot({
    width,
    height: 320,
    series,
    scales: { x: { time: false } },
    axes: [{ label: stride > 1 ? `bar (every ${stride}th drawn)` : 'bar' }, { size: 60 }],
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  }, data, el);
}
