// Price series for the demo: a seeded random walk, or prices parsed from CSV.
// Pure functions (no DOM), so tests can import them in Node too.

// CSV tokenising is PapaParse's (npm `papaparse`, pinned in package.json). It is
// UMD only (no ES module build), so without a bundler one `import` cannot work
// in both places:
// - the browser: index.html loads /vendor/papaparse/papaparse.min.js (served
//   from demo/node_modules by serve.mjs, like uPlot) with a classic <script>,
//   which sets globalThis.Papa. As a module script it would fail: the UMD
//   wrapper's `this` is undefined there.
// - Node (the unit tests): no such script ran; a dynamic import of the package
//   goes through Node's CommonJS interop (module.exports is the default
//   export). Dynamic, not static: a bare specifier in a static import would
//   make the browser reject this whole module, random walk included.
// If PapaParse is missing, only parseCsv fails (with a message saying so).
const Papa = globalThis.Papa
  ?? (globalThis.process?.versions?.node ? (await import('papaparse')).default : null);

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

/**
 * A parse error naming the 1-based line of the file where the bad record
 * starts (a quoted field may span lines: they are counted), or 0 for errors
 * about the whole file.
 */
export class CsvError extends Error {
  constructor(line, message) {
    super(line ? `line ${line}: ${message}` : message);
    this.name = 'CsvError';
    this.line = line;
  }
}

const DELIMITERS = [',', ';', '\t'];
const DELIMITER_NAMES = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };
// 1,234 / -12,345,678.25: comma-separated groups of exactly 3 digits.
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
// One currency sign before the digits: "$189.98", "-$5", "€ 1,234.50".
const CURRENCY = /^([+-]?)[$€£¥]\s?(\d[\d,]*(?:\.\d+)?|\.\d+)$/;

/**
 * The number in a (trimmed) field, or NaN. Besides what Number() accepts, takes
 * thousands separators where they cannot be anything else: groups of exactly 3
 * digits after each comma, and either a decimal point ("1,234.5") or a comma
 * delimiter — a field containing a comma in a comma-separated file was quoted,
 * whereas in a ';' or tab file "1,234" may be a decimal comma (1.234), so it
 * stays an error there.
 */
function toNumber(s, delimiter) {
  if (s === '') return NaN;
  const v = Number(s);
  if (Number.isFinite(v)) return v;
  if (GROUPED.test(s) && (delimiter === ',' || s.includes('.'))) return Number(s.replace(/,/g, ''));
  // One currency sign before the digits, as Nasdaq's and brokers' exports write
  // prices ("$189.98", "-$5", "€1,234.50"): the number is the rest.
  const signed = CURRENCY.exec(s);
  if (signed) return toNumber(`${signed[1]}${signed[2]}`, delimiter);
  return NaN;
}

const DATE_NAMES = /^(date|time|timestamp|datetime)$/i;

/**
 * Whether the rows run newest first, read from a column named like "date":
 * true only when every row's date parses (Date.parse: ISO dates, and the US
 * "12/04/2026" every engine reads) and they never increase while the first is
 * later than the last. Anything less certain (a date that does not parse, day
 * and month swapped by a DD/MM file, rows out of order) leaves the order alone.
 */
function newestFirst(columns, data) {
  const col = columns.findIndex((c) => DATE_NAMES.test(c));
  if (col < 0 || data.length < 2) return false;
  // A date, not a bare number (V8 reads "5" as May 2001): digits with - or /, or a
  // month name. "2026-12-04 16:00" gets the T that WebKit's Date.parse needs.
  const time = (f = '') => (/\d/.test(f) && /[-/]|[A-Za-z]{3}/.test(f) ? Date.parse(f.replace(/^(\d{4}-\d\d-\d\d) (?=\d)/, '$1T')) : NaN);
  let prev = Infinity;
  for (const { fields } of data) {
    const t = time(fields[col]);
    if (!Number.isFinite(t) || t > prev) return false;
    prev = t;
  }
  return time(data[0].fields[col]) > prev;
}

const CLOSE_NAMES = [/^close$/i, /^adj[ _.]?close$/i, /^close[ _]?price$/i, /^(price|last|value)$/i, /close/i];

function quoteError(e, line) {
  if (e.code === 'MissingQuotes') return new CsvError(line, 'a quoted field is never closed (a missing ", or a " inside quotes not written as "")');
  if (e.code === 'InvalidQuotes') return new CsvError(line, 'characters after the closing " of a quoted field (write a " inside quotes as "")');
  return new CsvError(line, e.message);
}

/**
 * Splits `text` (line breaks already normalised to \n) into records with
 * PapaParse and numbers them: [{ n, fields }], n the 1-based line where the
 * record starts. PapaParse reports record (row) indexes only; a record spans
 * 1 + (the line breaks inside its quoted fields) lines, which gives the line
 * numbers. Blank lines are dropped (after numbering).
 */
function records(text, delimiter) {
  const { data, errors } = Papa.parse(text, { delimiter, newline: '\n', quoteChar: '"', escapeChar: '"', skipEmptyLines: false });
  const bad = errors.filter((e) => e.type === 'Quotes').sort((x, y) => x.row - y.row)[0];
  const out = [];
  let line = 1;
  for (let r = 0; r < data.length; r++) {
    const fields = data[r];
    if (bad && bad.row === r) throw quoteError(bad, line);
    if (!(fields.length === 1 && fields[0].trim() === '')) out.push({ n: line, fields: fields.map((f) => f.trim()) });
    line++;
    for (const f of fields) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) line++;
  }
  return out;
}

/**
 * Parses CSV text into prices. Accepts `,` `;` or tab as delimiter, an
 * optional header row, quoted fields (which may contain the delimiter, "" for a
 * quote, and line breaks), numbers with thousands separators where unambiguous
 * ("1,234.5"; see toNumber), a leading BOM, and picks the close column:
 * `column` (a header name or a 0-based index), or auto-detected (a header
 * named like "close", else the last numeric column). Throws CsvError naming the
 * line (the line of the file where the bad record starts, counting line breaks
 * inside quoted fields) and the problem. Prices may carry one currency sign
 * ("$189.98"). Rows whose dates (a column named "date", "time", ...) run newest
 * first are returned oldest first, with `reversed: true`.
 * Returns { prices: Float64Array, columns: [names], column: index, header: bool, delimiter, reversed: bool }.
 */
export function parseCsv(text, { column = 'auto' } = {}) {
  if (!Papa) throw new CsvError(0, 'the CSV parser (PapaParse, /vendor/papaparse/papaparse.min.js) did not load');
  // One line break character, so that line numbers count \r\n, \n and \r alike.
  text = String(text).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new CsvError(0, 'the file is empty');
  // The delimiter: PapaParse's guess among , ; tab (the one giving the most
  // consistent field count over the first 10 records, quotes respected);
  // a file with a single column has none and gets ','.
  const guess = Papa.parse(text, { preview: 10, newline: '\n', skipEmptyLines: 'greedy', delimitersToGuess: DELIMITERS });
  const delimiter = DELIMITERS.includes(guess.meta.delimiter) ? guess.meta.delimiter : ',';
  const rows = records(text, delimiter);
  if (rows.length === 0) throw new CsvError(0, 'the file is empty');
  const num = (s) => toNumber(s, delimiter);
  const isNumber = (s) => Number.isFinite(num(s));

  const firstFields = rows[0].fields;
  // A header: the first row has a non-numeric field where one of the next 10
  // rows has a number (not only the second row: its close may be the bad value).
  const next = rows.slice(1, 11).map((r) => r.fields);
  const header = firstFields.some((f, i) => !isNumber(f) && (rows.length === 1 || next.some((r) => isNumber(r[i] ?? ''))));
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
      const probe = data[0].fields;
      col = -1;
      for (let i = probe.length - 1; i >= 0; i--) if (isNumber(probe[i])) { col = i; break; }
      if (col < 0) {
        throw new CsvError(data[0].n, `no numeric column found (${DELIMITER_NAMES[delimiter]}-separated fields: ${probe.map((f) => `'${f}'`).join(', ')})`);
      }
    }
  } else if (typeof column === 'number' || /^\d+$/.test(String(column))) {
    col = Number(column);
    if (!Number.isInteger(col) || col < 0 || col >= ncols) throw new CsvError(0, `there is no column ${col + 1} (the file has ${ncols})`);
  } else {
    col = columns.indexOf(String(column));
    if (col < 0) throw new CsvError(0, `there is no column named '${column}' (columns: ${columns.join(', ')})`);
  }

  const prices = new Float64Array(data.length);
  for (let k = 0; k < data.length; k++) {
    const { n, fields } = data[k];
    if (fields.length <= col) throw new CsvError(n, `has ${fields.length} field${fields.length === 1 ? '' : 's'}, the ${columns[col]} column is number ${col + 1}`);
    const raw = fields[col];
    if (raw === '') throw new CsvError(n, `the ${columns[col]} value is empty`);
    const v = num(raw);
    if (!Number.isFinite(v)) {
      let hint = '';
      if (delimiter !== ',' && (GROUPED.test(raw) || /^[+-]?\d+,\d+$/.test(raw))) {
        hint = ` (in a ${DELIMITER_NAMES[delimiter]}-separated file a comma could be a decimal comma or a thousands separator: write the number with a decimal point, e.g. 1.5 or 1234.5)`;
      } else if (/^[+-]?[\d,]*\d[\d,]*(\.\d+)?$/.test(raw)) {
        hint = ' (commas in a number are read as thousands separators only in groups of 3, as in 1,234.5; decimals need a point)';
      }
      throw new CsvError(n, `'${raw}' is not a number (column ${columns[col]})${hint}`);
    }
    prices[k] = v;
  }
  if (prices.length < 2) throw new CsvError(0, 'need at least 2 prices');
  // Exports from Nasdaq, Investing.com and many brokers list the newest day first;
  // an indicator read over them would run backwards in time.
  const reversed = header && newestFirst(columns, data);
  if (reversed) prices.reverse();
  return { prices, columns, column: col, header, delimiter, reversed };
}
