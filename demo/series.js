// Price series for the demo: a seeded random walk, or prices parsed from CSV.
// Pure functions (no DOM), so tests can import them in Node too.

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A geometric random walk starting at 100: `length` prices, each step
 * multiplying by 1 + vol·z, z approximately N(0, 1) (Irwin–Hall: the sum of 12
 * uniforms minus 6, so |z| <= 6 and prices stay positive for vol < 1/6).
 * Reproducible for a given `seed` — and identical in every engine: only
 * +, -, *, / are used (correctly rounded everywhere), no Math.exp/log/cos,
 * whose last bits differ between JavaScript engines.
 */
export function randomWalk(length, seed = 1, vol = 0.01) {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`length must be a positive integer, got ${length}`);
  const rand = mulberry32(seed);
  const out = new Float64Array(length);
  let p = 100;
  for (let i = 0; i < length; i++) {
    out[i] = p;
    let z = -6;
    for (let k = 0; k < 12; k++) z += rand();
    p *= 1 + vol * z;
  }
  return out;
}

/** A parse error naming the 1-based line. */
export class CsvError extends Error {
  constructor(line, message) {
    super(line ? `line ${line}: ${message}` : message);
    this.name = 'CsvError';
    this.line = line;
  }
}

function splitLine(line, delim) {
  // Simple CSV: quoted fields may contain the delimiter; "" inside quotes is a quote.
  if (!line.includes('"')) return line.split(delim);
  const out = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === delim) { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

const isNumber = (s) => s.trim() !== '' && Number.isFinite(Number(s.trim()));
const CLOSE_NAMES = [/^close$/i, /^adj[ _.]?close$/i, /^close[ _]?price$/i, /^(price|last|value)$/i, /close/i];

/**
 * Parses CSV text into prices. Accepts `,` `;` or tab as delimiter, an
 * optional header row, and picks the close column: `column` (a header name or
 * a 0-based index), or auto-detected (a header named like "close", else the
 * last numeric column). Throws CsvError naming the line and the problem.
 * Returns { prices: Float64Array, columns: [names], column: index, header: bool, delimiter }.
 */
export function parseCsv(text, { column = 'auto' } = {}) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const rows = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== '') rows.push({ n: i + 1, text: lines[i] });
  if (rows.length === 0) throw new CsvError(0, 'the file is empty');
  const first = rows[0].text;
  const delimiter = [',', ';', '\t'].map((d) => [d, first.split(d).length]).sort((a, b) => b[1] - a[1])[0][0];
  const firstFields = splitLine(first, delimiter).map((s) => s.trim());
  // A header: the first row has a non-numeric field where the second row has a number.
  const second = rows[1] ? splitLine(rows[1].text, delimiter).map((s) => s.trim()) : [];
  const header = firstFields.some((f, i) => !isNumber(f) && (rows.length === 1 || isNumber(second[i] ?? '')));
  const ncols = firstFields.length;
  const columns = header ? firstFields : firstFields.map((_, i) => `column ${i + 1}`);
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) throw new CsvError(0, 'the file has a header but no price rows');

  let col;
  if (column === 'auto' || column === undefined || column === null || column === '') {
    if (header) {
      for (const re of CLOSE_NAMES) { col = columns.findIndex((c) => re.test(c)); if (col >= 0) break; }
    }
    if (col === undefined || col < 0) {
      const probe = splitLine(data[0].text, delimiter);
      col = -1;
      for (let i = probe.length - 1; i >= 0; i--) if (isNumber(probe[i])) { col = i; break; }
      if (col < 0) throw new CsvError(data[0].n, `no numeric column found (fields: ${probe.map((f) => `'${f.trim()}'`).join(', ')})`);
    }
  } else if (typeof column === 'number' || /^\d+$/.test(String(column))) {
    col = Number(column);
    if (col >= ncols) throw new CsvError(0, `there is no column ${col + 1} (the file has ${ncols})`);
  } else {
    col = columns.indexOf(String(column));
    if (col < 0) throw new CsvError(0, `there is no column named '${column}' (columns: ${columns.join(', ')})`);
  }

  const prices = new Float64Array(data.length);
  for (let k = 0; k < data.length; k++) {
    const { n, text: line } = data[k];
    const fields = splitLine(line, delimiter);
    if (fields.length <= col) throw new CsvError(n, `has ${fields.length} field${fields.length === 1 ? '' : 's'}, the ${columns[col]} column is number ${col + 1}`);
    const raw = fields[col].trim();
    if (raw === '') throw new CsvError(n, `the ${columns[col]} value is empty`);
    const v = Number(raw);
    if (!Number.isFinite(v)) throw new CsvError(n, `'${raw}' is not a number (column ${columns[col]})`);
    prices[k] = v;
  }
  if (prices.length < 2) throw new CsvError(0, 'need at least 2 prices');
  return { prices, columns, column: col, header, delimiter };
}
