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
// A plain decimal number. Number() alone also reads '0x10', '0b11', 'Infinity'
// and ' ', none of which is a price written by a spreadsheet or an exchange.
const PLAIN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// 1,234 / -12,345,678.25: comma-separated groups of exactly 3 digits.
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
// A decimal-comma number, as European spreadsheets write them: 1.234,56 / 100,5 / 1234.
const DECIMAL_COMMA = /^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$/;
// One currency sign before the digits: "$189.98", "-$5", "€ 1,234.50".
const CURRENCY = /^([+-]?)[$€£¥]\s?(\d[\d.,]*|\.\d+)$/;
// What tells a decimal comma from a thousands separator: a comma followed by
// other than 3 digits ("100,5", "187,15"), or points grouping thousands before
// a comma ("1.234,56"). And the reverse for a decimal point. "1,234" and
// "1.234" alone prove nothing.
const COMMA_DECIMALS = [/^[+-]?\d+,(?:\d{1,2}|\d{4,})$/, /^[+-]?\d{1,3}(?:\.\d{3})+,\d+$/];
const POINT_DECIMALS = [/^[+-]?\d*\.(?:\d{1,2}|\d{4,})$/, /^[+-]?\d{1,3}(?:,\d{3})+\.\d+$/];
// Could be a number in some convention (used to recognise a header row even
// when the values are ambiguous, so that the error points at a data line).
const NUMBER_LIKE = /^[+-]?[$€£¥]?\s?\d[\d.,]*$/;

/**
 * The number in a (trimmed) field, or NaN. Besides plain numbers, takes
 * thousands separators where they cannot be anything else: groups of exactly 3
 * digits after each comma, and either a decimal point ("1,234.5") or a comma
 * delimiter — a field containing a comma in a comma-separated file was quoted,
 * whereas in a ';' or tab file "1,234" may be a decimal comma (1.234), so it
 * stays an error there — unless the file is known to use decimal commas
 * (`decimalComma`, see parseTable), where "1.234,56" is 1234.56.
 */
function toNumber(s, delimiter, decimalComma) {
  if (s === '') return NaN;
  if (decimalComma) {
    if (DECIMAL_COMMA.test(s)) return Number(s.replace(/\./g, '').replace(',', '.'));
  } else {
    if (PLAIN.test(s)) return Number(s);
    if (GROUPED.test(s) && (delimiter === ',' || s.includes('.'))) return Number(s.replace(/,/g, ''));
  }
  // One currency sign before the digits, as Nasdaq's and brokers' exports write
  // prices ("$189.98", "-$5", "€1,234.50"): the number is the rest.
  const signed = CURRENCY.exec(s);
  if (signed) return toNumber(`${signed[1]}${signed[2]}`, delimiter, decimalComma);
  return NaN;
}

// ---- dates -----------------------------------------------------------------

// Header names of a date (or date and time) column, compared in lower case
// without <>, * and quotes (MT5 writes <DATE>).
const DATE_NAMES = /^(date|time|timestamp|datetime|date ?\/ ?time|date time|datum|zeit|fecha|fecha ?\/ ?hora|data|date de clôture|day|tag|open ?time|trade ?date|gmt time|local time|period)$/;
const TIME_NAMES = /^(time|zeit|hora|heure|ora|czas)$/;
const MONTHS = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12 };
const ISO_DATE = /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:Z|UTC|[+-]\d\d:?\d\d)?$/i;
// dd.mm.yyyy (European) or, with / or -, dd/mm/yyyy or mm/dd/yyyy: which one is
// decided for the whole column (parseTable).
const NUMERIC_DATE = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const NAMED_MDY = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$/;
const NAMED_DMY = /^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4}|\d{2})$/;
const TIME_OF_DAY = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
// Unix time in seconds (9-10 digits: 1973-2286) or milliseconds (12-13 digits),
// only in a column named like a date: a bare small number is not a date.
const UNIX = /^\d{9,10}(?:\.\d+)?$|^\d{12,13}$/;
// "Jan 2" (then ", 2024" as the next field): an unquoted date split by its comma.
const MONTH_DAY = /^[A-Za-z]{3,9}\.? \d{1,2}$/;

const utc = (y, mo, d, h = 0, mi = 0, s = 0) => {
  if (y < 100) y += y < 70 ? 2000 : 1900;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s);
};

/**
 * A date field as [time read month first, time read day first] in ms (equal
 * unless the field is a numeric d/m date), and `first`/`second`: the two
 * leading numbers of a d/m date (to decide the order for the whole column).
 * Times of day are read as UTC: only the order within the file matters.
 */
function readDate(s, unixOk) {
  let m = ISO_DATE.exec(s);
  if (m) { const t = utc(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)); return { mdy: t, dmy: t }; }
  m = NUMERIC_DATE.exec(s);
  if (m) {
    const a = +m[1], b = +m[3], y = +m[4], hms = [+(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? 0)];
    return { mdy: utc(y, a, b, ...hms), dmy: utc(y, b, a, ...hms), first: a, second: b, dot: m[2] === '.' };
  }
  m = NAMED_MDY.exec(s);
  const named = m ? [m[1], m[2], m[3]] : (m = NAMED_DMY.exec(s)) && [m[2], m[1], m[3]]; // month, day, year
  if (named) {
    const mo = MONTHS[named[0].slice(0, 3).toLowerCase()];
    const t = mo ? utc(+named[2], mo, +named[1]) : NaN;
    return { mdy: t, dmy: t };
  }
  if (unixOk && UNIX.test(s)) { const v = Number(s); const t = v < 1e11 ? v * 1000 : v; return { mdy: t, dmy: t }; }
  return { mdy: NaN, dmy: NaN };
}

const isDate = (s) => Number.isFinite(readDate(s, false).mdy) || Number.isFinite(readDate(s, false).dmy);

// ---- columns ---------------------------------------------------------------

const norm = (name) => String(name).toLowerCase().replace(/[<>*"]/g, '').replace(/\s+/g, ' ').trim();

// Close-column names, most certain first (compared normalised: see norm). The
// last one matches a close in a longer name, never a time ("Close Time").
const CLOSE_NAMES = [
  /^close$/, /^adj\.? ?close$/, /^close ?price$/, /^close\/last$/, /^last ?price$/, /^(last|price|value)$/,
  /^(schluss|schlusskurs|zuletzt|letzter|cierre|último|ultimo|clôture|cloture|dernier|chiusura|ultimo prezzo|zamknięcie|zamkniecie|kurs)$/,
  /^(?!.*(time|date|zeit|vol))(.*(close|schluss|cierre|cl[oô]ture|chiusura|zamkni)).*$/,
];
// Never a price: volume, open interest, turnover, counts.
const NOT_A_PRICE = /vol|umsatz|turnover|interest|^oi$|trades|count|spread|amount|quantity|qty|shares|anzahl|change|%/;

// ---- records ---------------------------------------------------------------

function quoteError(e, line) {
  if (e.code === 'MissingQuotes') return new CsvError(line, 'a quoted field is never closed (a missing ", or a " inside quotes not written as "")');
  if (e.code === 'InvalidQuotes') return new CsvError(line, 'characters after the closing " of a quoted field (write a " inside quotes as "")');
  return new CsvError(line, e.message);
}

const newlines = (f) => { let k = 0; for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) k++; return k; };

/**
 * Calls `each(fields, line)` for every non-blank record of `text` (fields
 * trimmed; `line` the 1-based line where the record starts, counting line
 * breaks inside quoted fields), row by row with PapaParse's `step`: the whole
 * file is never held as an array of rows. `each` returning false stops.
 */
function eachRecord(text, delimiter, each, { preview = 0, onProgress } = {}) {
  let line = 1;
  let failure = null;
  let rows = 0;
  Papa.parse(text, {
    delimiter, newline: '\n', quoteChar: '"', escapeChar: '"', skipEmptyLines: false, preview,
    step(res, parser) {
      if (failure) return;
      const fields = res.data;
      const n = line;
      line++;
      for (const f of fields) if (f.length > 0 && f.includes('\n')) line += newlines(f);
      try {
        const bad = res.errors.find((e) => e.type === 'Quotes');
        if (bad && !preview) throw quoteError(bad, n);
        if (onProgress && ++rows % 65536 === 0) onProgress(res.meta.cursor / text.length);
        if (fields.length === 1 && fields[0].trim() === '') return;
        for (let i = 0; i < fields.length; i++) fields[i] = fields[i].trim();
        if (each(fields, n) === false) parser.abort();
      } catch (e) {
        failure = e;
        parser.abort();
      }
    },
  });
  if (failure) throw failure;
}

/** Throws "this is not a CSV file" for what people pick by mistake. */
function notCsv(text) {
  const head = text.slice(0, 4096);
  if (/[\x00-\x08\x0E-\x1A]/.test(head)) {
    throw new CsvError(0, 'this is not a CSV file: it holds binary data (an Excel workbook or another program\'s file?). Save or export the prices as CSV');
  }
  if (/^\s*<(!doctype|html|\?xml|head|body|table|div|!--)/i.test(head)) throw new CsvError(0, 'this is not a CSV file but a web page (HTML or XML): download the CSV export itself, not the page');
  if (/^\s*[{[]/.test(head)) throw new CsvError(0, 'this is not a CSV file but JSON: export the prices as CSV');
}

/**
 * The text of a file from its bytes: UTF-16 (little or big endian: Excel's
 * "Unicode Text") when it starts with that byte order mark, else UTF-8. Done
 * here on the bytes, because File.text() decodes UTF-8 only (Firefox shows
 * UTF-16 as garbage). A zip archive (an .xlsx workbook) is refused.
 */
export function decodeBytes(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4) {
    throw new CsvError(0, 'this is not a CSV file but a zip archive, probably an Excel workbook (.xlsx): open it and save it as CSV');
  }
  return new TextDecoder('utf-8').decode(b); // drops a UTF-8 BOM
}

/**
 * Reads CSV text into a table of number columns, once: the page keeps the
 * table (not the text) and picks the close column from it (pricesFrom) as
 * often as the user changes it. Returns
 *   { columns, header, delimiter, decimalComma, count, lines (Float64Array: the file line
 *     of each row), values: [Float64Array per column, NaN where not a number],
 *     bad: [per column, the first row (in file order) that is not a number:
 *           {line, raw} or null], numeric: [per column, whether the first row's value
 *     is a number], dateColumn, order: 'file' | 'reversed' | 'sorted', notes: [strings] }
 * with the rows oldest first when a date column says how (see orderByDate).
 * Throws CsvError naming the line. `onProgress(fraction)` is called while reading.
 */
export function parseTable(text, { onProgress } = {}) {
  if (!Papa) throw new CsvError(0, 'the CSV parser (PapaParse, /vendor/papaparse/papaparse.min.js) did not load');
  text = String(text).replace(/^\uFEFF/, '');
  // One line break character, so that line numbers count \r\n, \n and \r alike.
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new CsvError(0, 'the file is empty');
  notCsv(text);
  // The delimiter: PapaParse's guess among , ; tab (the one giving the most
  // consistent field count over the first 10 records, quotes respected);
  // a file with a single column has none and gets ','.
  const guess = Papa.parse(text, { preview: 10, newline: '\n', skipEmptyLines: 'greedy', delimitersToGuess: DELIMITERS });
  const delimiter = DELIMITERS.includes(guess.meta.delimiter) ? guess.meta.delimiter : ',';

  // The first records decide the header, the decimal mark and the date column.
  const first = [];
  eachRecord(text, delimiter, (fields, n) => { first.push({ n, fields }); return first.length < 101; }, { preview: 400 });
  if (first.length === 0) throw new CsvError(0, 'the file is empty');
  // Decimal commas: only in a ';' or tab file (in a ',' file they would have to be
  // quoted, and "1,234" there is a thousands separator), and only when some value
  // proves it and none proves decimal points.
  let commaProof = false;
  let pointProof = false;
  for (const { fields } of first) {
    for (const f of fields) {
      const s = f.replace(/^([+-]?)[$€£¥]\s?/, '$1');
      if (COMMA_DECIMALS.some((re) => re.test(s))) commaProof = true;
      if (POINT_DECIMALS.some((re) => re.test(s))) pointProof = true;
    }
  }
  const decimalComma = delimiter !== ',' && commaProof && !pointProof;
  const num = (s) => toNumber(s, delimiter, decimalComma);
  const numberLike = (s) => Number.isFinite(num(s)) || NUMBER_LIKE.test(s);

  // A header: the first row has a non-numeric field where one of the next 10
  // rows has a number (not only the second row: its close may be the bad value).
  const firstFields = first[0].fields;
  const next = first.slice(1, 11).map((r) => r.fields);
  const header = firstFields.some((f, i) => !numberLike(f) && (first.length === 1 || next.some((r) => numberLike(r[i] ?? ''))));
  // Trailing empty fields (a comma at the end of every line) are no column.
  let ncols = firstFields.length;
  while (ncols > 1 && firstFields[ncols - 1] === '') ncols--;
  const columns = header ? firstFields.slice(0, ncols) : firstFields.slice(0, ncols).map((_, i) => `column ${i + 1}`);
  const names = columns.map(norm);
  const sample = (header ? first.slice(1) : first).map((r) => r.fields);
  const firstData = sample[0] ?? [];

  // The date column: by name, else the first column whose first value is a date.
  let dateColumn = header ? names.findIndex((c) => DATE_NAMES.test(c)) : -1;
  if (dateColumn < 0) dateColumn = firstData.slice(0, ncols).findIndex((f) => isDate(f));
  const unixOk = dateColumn >= 0 && header && DATE_NAMES.test(names[dateColumn]);
  // A separate time of day (MT4/MT5 exports: date, time, ...): read with the date.
  let timeColumn = -1;
  if (dateColumn >= 0 && dateColumn + 1 < ncols && TIME_OF_DAY.test(firstData[dateColumn + 1] ?? '')
      && (!header || TIME_NAMES.test(names[dateColumn + 1]))) timeColumn = dateColumn + 1;

  // Growable columns: the file's size over the first lines' gives a first capacity.
  let cap = Math.max(16, Math.ceil(text.length / Math.max(8, (first.at(-1).n ? text.indexOf('\n', 0) + 1 : 32))) + 16);
  let count = 0;
  let values = columns.map(() => new Float64Array(cap));
  let lines = new Float64Array(cap);
  let mdy = dateColumn >= 0 ? new Float64Array(cap) : null;
  let dmy = dateColumn >= 0 ? new Float64Array(cap) : null;
  const grow = (a) => { const b = new Float64Array(cap); b.set(a); return b; };
  const bad = columns.map(() => null);
  const dateInfo = { firstOver12: false, secondOver12: false, dot: false, badMdy: null, badDmy: null };
  const skipped = { empty: 0, emptyLine: 0, null: 0, nullLine: 0, joined: 0 };
  let headerSeen = !header;

  eachRecord(text, delimiter, (fields, n) => {
    if (!headerSeen) { headerSeen = true; return; }
    let len = fields.length;
    while (len > ncols && fields[len - 1] === '') len--;
    // A row of empty fields: Excel writes ",,,,," for rows it once used.
    let empty = true;
    for (let i = 0; i < len; i++) if (fields[i] !== '') { empty = false; break; }
    if (empty) { if (!skipped.empty++) skipped.emptyLine = n; return; }
    // An unquoted "Jan 2, 2024" splits into "Jan 2" and "2024": unambiguous, joined back.
    if (len === ncols + 1 && dateColumn >= 0 && MONTH_DAY.test(fields[dateColumn]) && /^\d{4}$/.test(fields[dateColumn + 1])) {
      fields.splice(dateColumn, 2, `${fields[dateColumn]}, ${fields[dateColumn + 1]}`);
      len--;
      skipped.joined++;
    }
    if (len !== ncols) throw fieldCountError(n, fields.slice(0, len), ncols, header, delimiter, first[0].n);
    // Yahoo writes a day without trading as "2024-01-03,null,null,...".
    let nulls = 0;
    for (let i = 0; i < len; i++) if (i !== dateColumn && i !== timeColumn && fields[i] === 'null') nulls++;
    if (nulls > 0 && nulls === len - (dateColumn >= 0) - (timeColumn >= 0)) { if (!skipped.null++) skipped.nullLine = n; return; }

    if (count === cap) {
      cap *= 2;
      values = values.map(grow);
      lines = grow(lines);
      if (mdy) { mdy = grow(mdy); dmy = grow(dmy); }
    }
    for (let i = 0; i < ncols; i++) {
      const v = num(fields[i]);
      values[i][count] = v;
      if (v !== v && bad[i] === null) bad[i] = { line: n, raw: fields[i] };
    }
    lines[count] = n;
    if (mdy) {
      const raw = timeColumn >= 0 ? `${fields[dateColumn]} ${fields[timeColumn]}` : fields[dateColumn];
      const d = readDate(raw, unixOk);
      mdy[count] = d.mdy;
      dmy[count] = d.dmy;
      if (d.first > 12) dateInfo.firstOver12 = true;
      if (d.second > 12) dateInfo.secondOver12 = true;
      if (d.dot) dateInfo.dot = true;
      if (d.mdy !== d.mdy && !dateInfo.badMdy) dateInfo.badMdy = { line: n, raw };
      if (d.dmy !== d.dmy && !dateInfo.badDmy) dateInfo.badDmy = { line: n, raw };
    }
    count++;
  }, { onProgress });
  if (count === 0) throw new CsvError(0, header ? 'the file has a header but no price rows' : 'the file has no price rows');

  const table = {
    columns, header, delimiter, decimalComma, count, bad, dateColumn, timeColumn,
    lines: lines.slice(0, count), values: values.map((a) => a.slice(0, count)),
    numeric: columns.map((_, i) => Number.isFinite(num(firstData[i] ?? ''))),
    firstData: firstData.slice(0, ncols), firstLine: (header ? first[1]?.n : first[0].n) ?? 0,
    order: 'file', notes: [],
  };
  if (skipped.joined) table.notes.push(`${skipped.joined} unquoted date${skipped.joined === 1 ? '' : 's'} like 'Jan 2, 2024' read as one field`);
  if (skipped.null) table.notes.push(`skipped ${skipped.null} row${skipped.null === 1 ? '' : 's'} of 'null' values (a day without prices; first: line ${skipped.nullLine})`);
  if (skipped.empty) table.notes.push(`skipped ${skipped.empty} row${skipped.empty === 1 ? '' : 's'} of empty fields (first: line ${skipped.emptyLine})`);
  if (mdy) orderByDate(table, mdy.subarray(0, count), dmy.subarray(0, count), dateInfo);
  return table;
}

function fieldCountError(n, fields, ncols, header, delimiter, firstLine) {
  const than = header ? `the header has ${ncols}` : `the first line (line ${firstLine}) has ${ncols}`;
  let hint;
  if (fields.length > ncols && delimiter === ',') {
    // Digits only beside the date: a decimal comma split each value in two.
    hint = fields.some((f) => MONTH_DAY.test(f)) ? "a date containing a comma ('Jan 2, 2024') must be quoted"
      : fields.some((f) => /[A-Za-z]/.test(f)) ? 'a value containing a comma must be quoted'
        : "values with decimal commas must be quoted or the file saved with ';' separators";
  } else if (fields.length > ncols) {
    hint = `a value containing the delimiter (${DELIMITER_NAMES[delimiter]}) must be quoted`;
  } else {
    hint = 'a value is missing (an empty value still needs its delimiter)';
  }
  return new CsvError(n, `has ${fields.length} fields but ${than}: ${hint}`);
}

// Whether times never decrease (1), never increase (-1) or neither (0).
function direction(t) {
  let up = true;
  let down = true;
  for (let k = 1; k < t.length && (up || down); k++) {
    if (t[k] < t[k - 1]) up = false;
    else if (t[k] > t[k - 1]) down = false;
  }
  return up ? 1 : down ? -1 : 0;
}

/**
 * Puts the rows oldest first by the date column, and says what it did:
 * newest first (Nasdaq's, Investing.com's and German brokers' exports) is
 * reversed; any other order (one swapped pair, unsorted rows) is sorted by
 * date, keeping the file's order for equal dates; a date that cannot be read
 * leaves the file's order, with a note naming its line. dd/mm versus mm/dd is
 * decided for the whole column: a first number above 12 means day first, a
 * second above 12 month first, '.' day first; with no such proof, the reading
 * under which the dates are in order (month first if both are).
 */
function orderByDate(table, mdy, dmy, info) {
  const name = table.columns[table.dateColumn];
  let t;
  let dmyChosen;
  if (info.dot || (info.firstOver12 && !info.secondOver12)) dmyChosen = true;
  else if (info.secondOver12 && !info.firstOver12) dmyChosen = false;
  else if (info.badMdy && !info.badDmy) dmyChosen = true;
  else dmyChosen = direction(mdy) === 0 && !info.badDmy && direction(dmy) !== 0;
  t = dmyChosen ? dmy : mdy;
  const badDate = dmyChosen ? info.badDmy : info.badMdy;
  if (badDate) {
    table.notes.push(`could not read the date on line ${badDate.line} ('${badDate.raw}', column ${name}): the rows are used in the file's order`);
    return;
  }
  const n = t.length;
  let dupes = 0;
  let dupeLine = 0;
  const dir = direction(t);
  if (dir === -1 && t[0] > t[n - 1]) {
    for (const a of [...table.values, table.lines]) a.reverse();
    table.order = 'reversed';
  } else if (dir === 0) {
    let back = 1;
    while (!(t[back] < t[back - 1])) back++;
    // Stable: equal dates keep the file's order (the index breaks ties).
    const idx = new Uint32Array(n).map((_, i) => i).sort((a, b) => (t[a] - t[b]) || (a - b));
    const lineBack = table.lines[back];
    const linePrev = table.lines[back - 1];
    table.values = table.values.map((a) => Float64Array.from(idx, (i) => a[i]));
    table.lines = Float64Array.from(idx, (i) => table.lines[i]);
    t = Float64Array.from(idx, (i) => t[i]);
    table.order = 'sorted';
    table.notes.push(`the dates are not in order (line ${lineBack} is earlier than line ${linePrev}): sorted by ${name}, oldest first`);
  }
  for (let k = 1; k < n; k++) if (t[k] === t[k - 1] && !dupes++) dupeLine = Math.max(table.lines[k], table.lines[k - 1]);
  // Out of order and repeated dates: most likely several series (tickers) in one
  // file; sorting would interleave them.
  if (dupes && table.order === 'sorted') {
    throw new CsvError(dupeLine, `repeats a date of another row, and the dates are not in order: does the file hold several series (tickers)? Keep one series per file, oldest first`);
  }
  if (dupes) table.notes.push(`${dupes} row${dupes === 1 ? ' repeats' : 's repeat'} the date of another (first: line ${dupeLine}): is it one series?`);
  if (table.order !== 'file' || dmyChosen) table.dateOrder = dmyChosen ? 'day first' : 'month first';
}

/**
 * The prices of one column of a table (parseTable): `column` a header name, a
 * 0-based index (number or digit string), or 'auto': a column named like a
 * close (close, adj close, last price, Schluss, Cierre, Clôture, …; never a
 * volume), else a guess, said in `guess` — the 4th of the number columns when
 * there are 4 or more (open, high, low, close come first in every export: MT4's
 * date, time, O, H, L, C, V), else the last. Throws CsvError naming the first
 * line whose value is not a number. Returns
 * { prices (a new Float64Array), columns, column, header, delimiter, decimalComma,
 *   reversed, sorted, notes, guess (null or why the column was chosen) }.
 */
export function pricesFrom(table, column = 'auto') {
  const { columns } = table;
  const names = columns.map(norm);
  const ncols = columns.length;
  let col = -1;
  let guess = null;
  if (column === 'auto' || column === undefined || column === null || column === '') {
    if (table.header) {
      for (const re of CLOSE_NAMES) { col = names.findIndex((c) => re.test(c) && !NOT_A_PRICE.test(c)); if (col >= 0) break; }
    }
    if (col < 0) {
      const candidates = columns.map((_, i) => i).filter((i) => table.numeric[i] && i !== table.dateColumn && i !== table.timeColumn
        && !(table.header && NOT_A_PRICE.test(names[i])));
      if (candidates.length === 0) {
        throw new CsvError(table.firstLine, `no numeric column found (${DELIMITER_NAMES[table.delimiter]}-separated fields: ${table.firstData.map((f) => `'${f}'`).join(', ')})`);
      }
      const k = candidates.length >= 4 ? 3 : candidates.length - 1;
      col = candidates[k];
      if (candidates.length > 1) {
        guess = `${table.header ? 'no column is named like a close price' : 'the file has no header'}: used ${k === 3
          ? `the 4th of ${candidates.length} number columns (open, high, low, close${candidates.length > 4 ? ', …' : ''})`
          : 'the last number column'}; choose the close column if it is another`;
      }
    }
  } else if (typeof column === 'number' || /^\d+$/.test(String(column))) {
    col = Number(column);
    if (!Number.isInteger(col) || col < 0 || col >= ncols) throw new CsvError(0, `there is no column ${col + 1} (the file has ${ncols})`);
  } else {
    col = columns.indexOf(String(column));
    if (col < 0) throw new CsvError(0, `there is no column named '${column}' (columns: ${columns.join(', ')})`);
  }

  const b = table.bad[col];
  if (b) {
    const raw = b.raw;
    if (raw === '') throw new CsvError(b.line, `the ${columns[col]} value is empty`);
    let hint = '';
    if (table.delimiter !== ',' && (GROUPED.test(raw) || /^[+-]?\d+,\d+$/.test(raw))) {
      hint = ` (in a ${DELIMITER_NAMES[table.delimiter]}-separated file a comma could be a decimal comma or a thousands separator: write the number with a decimal point, e.g. 1.5 or 1234.5)`;
    } else if (table.delimiter === ',' && COMMA_DECIMALS[1].test(raw)) {
      hint = " (a decimal comma: this file is comma-separated, so save it with ';' separators or with decimal points)";
    } else if (/^[+-]?[\d,]*\d[\d,]*(\.\d+)?$/.test(raw)) {
      hint = ' (commas in a number are read as thousands separators only in groups of 3, as in 1,234.5; decimals need a point)';
    }
    throw new CsvError(b.line, `'${raw}' is not a number (column ${columns[col]})${hint}`);
  }
  const prices = table.values[col].slice();
  if (prices.length < 2) throw new CsvError(0, 'need at least 2 prices');
  return {
    prices, columns, column: col, header: table.header, delimiter: table.delimiter, decimalComma: table.decimalComma,
    reversed: table.order === 'reversed', sorted: table.order === 'sorted', notes: table.notes, guess,
  };
}

/**
 * Parses CSV text into prices: parseTable then pricesFrom (see both). Accepts
 * `,` `;` or tab as delimiter, an optional header row, quoted fields, thousands
 * separators where unambiguous, decimal commas in ';' and tab files, a leading
 * BOM; rows oldest first by their dates.
 */
export function parseCsv(text, { column = 'auto' } = {}) {
  return pricesFrom(parseTable(text), column);
}
