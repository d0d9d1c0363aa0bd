// Heatmap of a per-combination statistic over period (rows) × offset (columns)
// for one sigma slice, drawn on a canvas, with a hover tooltip and click to pick.

const key = (x) => Number(x).toPrecision(12);
const uniqueSorted = (xs) => [...new Map(xs.map((x) => [key(x), x])).values()].sort((a, b) => a - b);

/** Diverging colour: red (negative) – near-white (0) – green (positive). */
function color(v, maxAbs) {
  if (!Number.isFinite(v)) return '#555';
  const t = Math.max(-1, Math.min(1, v / (maxAbs || 1)));
  const mix = (a, b, f) => Math.round(a + (b - a) * f);
  const mid = [246, 246, 240];
  const end = t < 0 ? [200, 40, 50] : [30, 150, 80];
  const f = Math.sqrt(Math.abs(t));
  return `rgb(${mix(mid[0], end[0], f)},${mix(mid[1], end[1], f)},${mix(mid[2], end[2], f)})`;
}

export function sigmaValues(combos) {
  return uniqueSorted(combos.map((c) => c.sigma));
}

export class Heatmap {
  /**
   * canvas: the <canvas>; tooltip: an absolutely positioned element;
   * onPick(row): called with the batch row of a clicked cell.
   */
  constructor(canvas, tooltip, { onPick, format } = {}) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.onPick = onPick;
    this.format = format ?? ((v) => v.toFixed(3));
    this.grid = null;
    canvas.addEventListener('mousemove', (e) => this.hover(e));
    canvas.addEventListener('mouseleave', () => { this.tooltip.hidden = true; });
    canvas.addEventListener('click', (e) => {
      const cell = this.cellAt(e);
      if (cell && cell.row !== undefined) this.onPick?.(cell.row);
    });
    // Keyboard: the canvas is focusable; arrows move a focused cell (outlined),
    // Enter or Space adds or removes its line, and the canvas's label reads the
    // cell (aria-live on the label element is not needed: a focused element's
    // label change is announced).
    this.focus = { i: 0, j: 0 };
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'application'); // a custom keyboard widget
    canvas.setAttribute('aria-roledescription', 'heatmap');
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('focus', () => { this.draw(); this.announce(); });
    canvas.addEventListener('blur', () => this.draw());
  }

  key(e) {
    if (!this.grid) return;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const { periods, offsets, cells } = this.grid;
    if (moves[e.key]) {
      const [di, dj] = moves[e.key];
      this.focus = { i: Math.max(0, Math.min(periods.length - 1, this.focus.i + di)), j: Math.max(0, Math.min(offsets.length - 1, this.focus.j + dj)) };
      this.draw();
      this.announce();
    } else if (e.key === 'Enter' || e.key === ' ') {
      const c = cells[this.focus.i]?.[this.focus.j];
      if (c) this.onPick?.(c.row);
      this.announce();
    } else return;
    e.preventDefault();
  }

  /** The focused cell in words, as the canvas's accessible name. */
  announce() {
    const c = this.grid?.cells[this.focus.i]?.[this.focus.j];
    if (!c) return;
    const s = this.grid.stats[c.row];
    this.canvas.setAttribute('aria-label', `Heatmap cell period ${+c.period.toFixed(6)}, offset ${+c.offset.toFixed(6)}, sigma ${+c.sigma.toFixed(6)}: total return ${this.format(s.ret)}, ${this.grid.picked.has(c.row) ? 'on' : 'not on'} the chart. Arrow keys move, Enter adds or removes the line.`);
  }

  /** No result: nothing drawn, nothing to pick. */
  clear() {
    this.grid = null;
    this.tooltip.hidden = true;
    this.canvas.width = 0;
    this.canvas.style.height = '0px';
    this.canvas.setAttribute('aria-label', 'Heatmap: no result');
  }

  /** combos: the batch's combos; stats[row] = {ret, held}; sigma: the slice. */
  set(combos, stats, sigma, picked = new Set()) {
    this.canvas.setAttribute('aria-label', 'Heatmap of the total return per period and offset: focus it and use the arrow keys to read the cells');
    const rows = combos.map((c, i) => ({ ...c, row: i })).filter((c) => key(c.sigma) === key(sigma));
    const periods = uniqueSorted(rows.map((c) => c.period));
    const offsets = uniqueSorted(rows.map((c) => c.offset));
    const pi = new Map(periods.map((p, i) => [key(p), i]));
    const oi = new Map(offsets.map((o, i) => [key(o), i]));
    const cells = periods.map(() => offsets.map(() => undefined));
    let maxAbs = 0;
    for (const c of rows) {
      cells[pi.get(key(c.period))][oi.get(key(c.offset))] = c;
      const v = stats[c.row].ret;
      if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    this.grid = { periods, offsets, cells, stats, maxAbs, sigma, picked };
    this.focus = { i: Math.min(this.focus.i, periods.length - 1), j: Math.min(this.focus.j, offsets.length - 1) };
    this.draw();
    if (document.activeElement === this.canvas) this.announce();
  }

  layout() {
    const { periods, offsets } = this.grid;
    const w = this.canvas.clientWidth || 600;
    const left = 54, top = 10, bottom = 40, right = 86;
    const cw = Math.max(4, (w - left - right) / offsets.length);
    const ch = Math.max(6, Math.min(28, 420 / periods.length));
    return { left, top, cw, ch, width: w, height: top + ch * periods.length + bottom };
  }

  draw() {
    if (!this.grid) return;
    const { periods, offsets, cells, stats, maxAbs, picked } = this.grid;
    const L = this.layout();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.style.height = `${L.height}px`;
    this.canvas.width = Math.round(L.width * dpr);
    this.canvas.height = Math.round(L.height * dpr);
    const g = this.canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, L.width, L.height);
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#333';
    for (let i = 0; i < periods.length; i++) {
      for (let j = 0; j < offsets.length; j++) {
        const c = cells[i][j];
        g.fillStyle = c ? color(stats[c.row].ret, maxAbs) : '#ddd';
        g.fillRect(L.left + j * L.cw, L.top + i * L.ch, L.cw - 1, L.ch - 1);
        if (c && picked.has(c.row)) {
          g.strokeStyle = '#111';
          g.lineWidth = 2;
          g.strokeRect(L.left + j * L.cw + 1, L.top + i * L.ch + 1, L.cw - 3, L.ch - 3);
        }
      }
    }
    if (document.activeElement === this.canvas) {
      g.strokeStyle = '#0b5cd5';
      g.lineWidth = 2;
      g.strokeRect(L.left + this.focus.j * L.cw - 1, L.top + this.focus.i * L.ch - 1, L.cw + 1, L.ch + 1);
    }
    // Axes: periods down the left, offsets along the bottom (thinned to fit).
    g.fillStyle = '#333';
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    const pEvery = Math.ceil(14 / L.ch);
    periods.forEach((p, i) => { if (i % pEvery === 0) g.fillText(String(+p.toFixed(4)), L.left - 6, L.top + (i + 0.5) * L.ch); });
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const oEvery = Math.ceil(34 / L.cw);
    const yb = L.top + periods.length * L.ch + 4;
    offsets.forEach((o, j) => { if (j % oEvery === 0) g.fillText(String(+o.toFixed(4)), L.left + (j + 0.5) * L.cw, yb); });
    g.fillText('offset', L.left + (offsets.length * L.cw) / 2, yb + 15);
    g.save();
    g.translate(12, L.top + (periods.length * L.ch) / 2);
    g.rotate(-Math.PI / 2);
    g.fillText('period', 0, -6);
    g.restore();
    // Legend.
    const lx = L.left + offsets.length * L.cw + 16;
    const lh = Math.min(160, periods.length * L.ch);
    for (let k = 0; k < lh; k++) {
      g.fillStyle = color(maxAbs * (1 - (2 * k) / lh), maxAbs);
      g.fillRect(lx, L.top + k, 12, 1);
    }
    g.fillStyle = '#333';
    g.textAlign = 'left';
    g.textBaseline = 'middle';
    g.fillText(this.format(maxAbs), lx + 15, L.top + 4);
    g.fillText(this.format(0), lx + 15, L.top + lh / 2);
    g.fillText(this.format(-maxAbs), lx + 15, L.top + lh - 4);
  }

  cellAt(e) {
    if (!this.grid) return null;
    const L = this.layout();
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    const j = Math.floor((x - L.left) / L.cw), i = Math.floor((y - L.top) / L.ch);
    if (i < 0 || j < 0 || i >= this.grid.periods.length || j >= this.grid.offsets.length) return null;
    return this.grid.cells[i][j] ?? null;
  }

  hover(e) {
    const c = this.cellAt(e);
    if (!c) { this.tooltip.hidden = true; return; }
    const s = this.grid.stats[c.row];
    this.tooltip.hidden = false;
    this.tooltip.innerHTML = `period <b>${+c.period.toFixed(6)}</b> · offset <b>${+c.offset.toFixed(6)}</b> · sigma <b>${+c.sigma.toFixed(6)}</b><br>`
      + `total return <b>${this.format(s.ret)}</b> · in the market ${(100 * s.held).toFixed(1)}% of bars<br><span class="muted">row ${c.row} · click to ${this.grid.picked.has(c.row) ? 'remove from' : 'add to'} the chart</span>`;
    const host = this.canvas.parentElement.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(e.clientX - host.left + 14, host.width - 260)}px`;
    this.tooltip.style.top = `${e.clientY - host.top + 14}px`;
  }
}
