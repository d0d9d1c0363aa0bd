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

// ALMA lines: a little translucent (alpha cc) and wider than the price line.
const COLORS = ['#d9480fcc', '#1971c2cc', '#2f9e44cc', '#9c36b5cc', '#e8590ccc', '#0c8599cc'];
// The price: dark and thin, drawn last so that it stays visible on top of the
// smoother ALMA lines (uPlot draws series in order).
export const PRICE_SERIES = { label: 'price', stroke: '#212529', width: 1 };
const MAX_POINTS = 20000;

/**
 * Draws into `el`: each entry of `overlays` ({label, values}: one ALMA line as
 * long as `prices`), then the prices on top. `overlays` may be empty: the
 * prices alone. Long series are thinned to at most MAX_POINTS points for
 * drawing (every k-th bar).
 */
export function drawChart(el, prices, overlays, old) {
  old?.destroy();
  const stride = Math.max(1, Math.ceil(prices.length / MAX_POINTS));
  const n = Math.ceil(prices.length / stride);
  const x = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) { x[i] = i * stride; p[i] = prices[i * stride]; }
  const data = [x];
  const series = [{ label: 'bar' }];
  overlays.forEach((o, k) => {
    const y = new Array(n);
    for (let i = 0; i < n; i++) { const v = o.values[i * stride]; y[i] = Number.isFinite(v) ? v : null; }
    data.push(y);
    series.push({ label: o.label, stroke: COLORS[k % COLORS.length], width: 2 });
  });
  data.push(p);
  series.push({ ...PRICE_SERIES });
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

/** What a test can check of a drawn chart: its series in drawing order. */
export function describeChart(u) {
  if (!u) return null;
  return {
    points: u.data[0].length,
    series: u.series.slice(1).map((s, k) => ({
      label: s.label,
      width: s.width,
      stroke: typeof s.stroke === 'function' ? s.stroke(u, k + 1) : s.stroke,
    })),
  };
}
