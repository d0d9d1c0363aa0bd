// Unit tests of the demo's CSV reading (demo/series.js) against real-world
// exports, in Node: the audit's defects (/work/audit/demo/FINDINGS.md) —
// rows with more fields than the header, the close column, the date order,
// decimal commas, UTF-16, rows to skip, files that are not CSV.
//
//   node --test tests/demo/series.test.mjs
//
// The files are in tests/demo/fixtures/ (small copies of the exports' shapes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCsv, parseTable, pricesFrom, decodeBytes, CsvError } from '../../demo/series.js';
import { axisCount, axisMax, axisValues, bestRow } from '../../demo/stats.js';

const fixture = (name) => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
const read = (name, opts) => parseCsv(decodeBytes(fixture(name)), opts);
const prices = (r) => Array.from(r.prices);

function refuses(text, line, pattern) {
  assert.throws(() => parseCsv(text), (e) => {
    assert.ok(e instanceof CsvError, `not a CsvError: ${e}`);
    assert.equal(e.line, line, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

test('rows with more fields than the header: unquoted decimal commas are refused at their line, with what to do', () => {
  refuses(decodeBytes(fixture('eu_decimal_comma_unquoted.csv')), 2,
    /^line 2: has 9 fields but the header has 5: values with decimal commas must be quoted or the file saved with ';' separators$/);
  // A stray field is refused too (it used to be ignored silently).
  refuses(decodeBytes(fixture('extra_field.csv')), 3, /^line 3: has 8 fields but the header has 7: a value containing a comma must be quoted$/);
  // Fewer fields: the close of another column must not be read.
  refuses('Date,Time,Open,High,Low,Close,Volume\n2024-01-02 00:00,1,2,0.5,1.5,100\n2024-01-03 00:00,1,2,0.5,1.6,100\n', 2,
    /^line 2: has 6 fields but the header has 7: a value is missing/);
  // Trailing commas on every line are no extra field.
  assert.deepEqual(prices(read('blank_trailing.csv')), [100, 101, 102]);
});

test("an unquoted 'Jan 2, 2024' date is joined back (unambiguous), and read as a date", () => {
  const r = read('mixed_dates.csv');
  assert.deepEqual(prices(r), [100, 101, 102, 103]); // the close, not 2024; newest first, reversed
  assert.equal(r.reversed, true);
  assert.ok(r.notes.some((n) => /1 unquoted date like 'Jan 2, 2024' read as one field/.test(n)), r.notes.join('; '));
  // Quoted (Yahoo's web table), newest first.
  const y = read('yahoo_web.csv');
  assert.equal(y.reversed, true);
  assert.deepEqual(prices(y), [181.91, 181.18]);
});

test('the close column: MT4 without a header, "Last Price", other languages; never a volume; a guess says so', () => {
  const mt4 = read('mt4.csv');
  assert.equal(mt4.column, 5);
  assert.deepEqual(prices(mt4), [1.0939, 1.092, 1.0946]);
  assert.match(mt4.guess, /the file has no header: used the 4th of 5 number columns \(open, high, low, close/);
  const last = read('lastprice.csv');
  assert.equal(last.columns[last.column], 'Last Price');
  assert.equal(last.guess, null);
  for (const name of ['Last', 'Price', 'Adj Close', 'Schluss', 'Cierre', 'Clôture', 'Chiusura', 'Zamknięcie', 'Zuletzt', '<CLOSE>', 'Close*']) {
    const r = parseCsv(`Date,Open,${name},Volume\n2024-01-02,1,1.5,100\n2024-01-03,1,1.6,200\n`);
    assert.equal(r.columns[r.column], name, name);
    assert.deepEqual(prices(r), [1.5, 1.6], name);
  }
  // Binance: "Close", not "Close Time".
  assert.equal(read('binance.csv').columns[read('binance.csv').column], 'Close');
  // No close-like name: volume-like columns are never the guess.
  for (const vol of ['Volume', 'Vol.', 'Open Interest', 'Turnover', 'Umsatz']) {
    const r = parseCsv(`Date,Open,High,${vol}\n2024-01-02,1,1.5,100\n2024-01-03,1,1.6,200\n`);
    assert.equal(r.columns[r.column], 'High', vol);
    assert.match(r.guess, /no column is named like a close price: used the last number column/, vol);
  }
  // Headerless date, O, H, L, C, V: the close.
  const ohlcv = parseCsv('2024-01-02,1,2,0.5,1.5,100\n2024-01-03,1,2,0.5,1.6,200\n');
  assert.deepEqual(prices(ohlcv), [1.5, 1.6]);
});

test('date order: newest first reversed, unsorted and one swapped pair sorted (said), duplicates said, several series refused', () => {
  for (const f of ['dotdates_newest.csv', 'ddmm_newest.csv', 'iso_newest.csv']) {
    const r = read(f);
    assert.equal(r.reversed, true, f);
    assert.deepEqual(prices(r), [102, 103, 104, 105], f);
  }
  const u = read('unsorted.csv');
  assert.equal(u.sorted, true);
  assert.deepEqual(prices(u), [99, 100, 101, 102]);
  assert.match(u.notes.join(), /the dates are not in order \(line 3 is earlier than line 2\): sorted by Date, oldest first/);
  // Nasdaq, newest first with one pair swapped: all oldest first, not backwards.
  const n = read('nasdaq_one_swapped.csv');
  assert.deepEqual(prices(n), [185.64, 184.25, 181.91, 181.18, 185.56]);
  const d = read('duplicate.csv');
  assert.deepEqual(prices(d), [100, 100, 101, 102]);
  assert.match(d.notes.join(), /1 row repeats the date of another \(first: line 3\)/);
  refuses(decodeBytes(fixture('multi_ticker.csv')), 4, /several series \(tickers\)/);
  // A date that cannot be read: the file's order, and a note naming it.
  const e = read('newest_first_one_empty_date.csv');
  assert.deepEqual(prices(e), [105, 104, 103, 102]);
  assert.match(e.notes.join(), /could not read the date on line 4/);
  // More date headers and formats; unix seconds and milliseconds.
  for (const [head, dates] of [
    ['Datum', ['03.01.2024', '02.01.2024']], ['Fecha', ['03/01/2024', '02/01/2024']], ['Data', ['2024-01-03', '2024-01-02']],
    ['Timestamp', ['1704240000', '1704153600']], ['Time', ['1704240000000', '1704153600000']],
    ['Date/Time', ['2024-01-02 10:00', '2024-01-02 09:30']], ['Date', ['01/13/2024', '01/12/2024']],
  ]) {
    const r = parseCsv(`${head},Close\n${dates[0]},2\n${dates[1]},1\n`);
    assert.equal(r.reversed, true, head);
    assert.deepEqual(prices(r), [1, 2], head);
  }
  // Separate date and time columns (MT5): one time.
  const mt5 = read('mt5.csv');
  assert.equal(mt5.columns[mt5.column], '<CLOSE>');
  assert.equal(mt5.notes.length, 0, mt5.notes.join());
});

test('what already worked still does: Yahoo, Stooq, TradingView, Binance, Nasdaq, Investing.com, quoted thousands', () => {
  assert.deepEqual(prices(read('yahoo.csv')).slice(0, 2), [185.64, 184.25]);
  assert.equal(read('stooq.csv').prices.length, 3);
  const tv = read('tradingview.csv');
  assert.equal(tv.columns[tv.column], 'close');
  assert.equal(tv.notes.length, 0);
  assert.equal(read('nasdaq.csv').reversed, true);
  const inv = read('investing.csv');
  assert.equal(inv.reversed, true);
  assert.deepEqual(prices(inv), [4742.83, 4704.81, 4688.68, 4697.24]);
  assert.deepEqual(prices(read('quoted_thousands.csv')), [1234.5, 1240, 1250.25]);
});

test('decimal commas in ; and tab files are read; ambiguous ones refused at the first data line with the hint', () => {
  const de = read('excel_de.csv');
  assert.equal(de.columns[de.column], 'Schluss');
  assert.equal(de.decimalComma, true);
  assert.deepEqual(prices(de), [185.64, 184.25, 181.91]);
  assert.deepEqual(prices(read('semi_decimal_comma.csv')), [187.15, 184.22, 182.15]);
  assert.deepEqual(prices(read('tab_decimal_comma.csv')), [1.5, 1.6, 1.7]);
  assert.deepEqual(prices(read('semi_thousands.csv')), [1234.56, 1240.1, 1250]);
  // Only "1,234"-shaped values: no proof either way, refused at line 2 (it used to say
  // "line 1: no numeric column found").
  refuses('Datum;Schluss\n02.01.2024;1,234\n03.01.2024;1,240\n', 2, /^line 2: '1,234' is not a number \(column Schluss\) \(in a semicolon-separated file a comma could be a decimal comma/);
});

test('UTF-16 (Excel "Unicode Text") is decoded from its byte order mark, little and big endian', () => {
  const le = fixture('utf16.csv');
  const r = parseCsv(decodeBytes(le));
  assert.deepEqual(r.columns, ['Date', 'Close']);
  assert.equal(r.delimiter, '\t');
  assert.equal(r.prices.length, 3);
  const be = Buffer.from(le);
  for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
  assert.deepEqual(prices(parseCsv(decodeBytes(be))), prices(r));
});

test('files that are not CSV say so', () => {
  assert.throws(() => decodeBytes(fixture('fake_xlsx.csv')), /not a CSV file but a zip archive, probably an Excel workbook/);
  assert.throws(() => parseCsv(decodeBytes(fixture('html.csv'))), /not a CSV file but a web page/);
  assert.throws(() => parseCsv(decodeBytes(fixture('yahoo.json.csv'))), /not a CSV file but JSON/);
  assert.throws(() => parseCsv(decodeBytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0xd8]))), /not a CSV file: it holds binary data/);
  // 0x10 and Infinity are not prices.
  assert.throws(() => read('hex.csv'), /line 2: '0x10' is not a number/);
});

test("Yahoo's null rows and Excel's empty rows are skipped, with a note saying how many", () => {
  const y = read('yahoo_null.csv');
  assert.deepEqual(prices(y), [185.64, 181.91, 181.18]);
  assert.deepEqual(y.notes, ["skipped 1 row of 'null' values (a day without prices; first: line 3)"]);
  const x = read('excel_trailing_empty_rows.csv');
  assert.deepEqual(prices(x), [185.64, 184.25, 181.91]);
  assert.deepEqual(x.notes, ['skipped 2 rows of empty fields (first: line 5)']);
});

test('a table is parsed once: another column is read from it without the text', () => {
  const t = parseTable('date,open,close\n2024-01-01,1,2\n2024-01-02,3,4\n2024-01-03,5,x\n');
  assert.deepEqual(prices(pricesFrom(t, 1)), [1, 3, 5]);
  assert.throws(() => pricesFrom(t, 'auto'), /line 4: 'x' is not a number \(column close\)/);
  assert.ok(!('text' in t));
});

test('the grid preview counts a range arithmetically (no array), however small the step', () => {
  assert.equal(axisCount([0.05, 0.95, 0.1]), 10);
  assert.equal(axisCount([10, 200, 10]), 20);
  assert.equal(axisCount([4, 8, 0]), 1);
  assert.ok(Number.isNaN(axisCount([5, 1, 1])));
  assert.equal(axisCount([0, 1, 1e-9]), 1e9 + 1);
  assert.equal(axisMax([10, 205, 10]), 200);
  assert.throws(() => axisValues([0, 1, 1e-9]), RangeError);
});

test('bestRow: the highest finite return; a NaN return (a series with no complete window) neither wins nor blocks', () => {
  assert.equal(bestRow([{ ret: NaN }, { ret: 0.1 }, { ret: 0.3 }, { ret: NaN }, { ret: 0.2 }]), 2);
  assert.equal(bestRow([{ ret: -0.5 }, { ret: NaN }, { ret: -0.2 }]), 2);
  assert.equal(bestRow([{ ret: NaN }, { ret: NaN }]), 0);
  assert.equal(bestRow([{ ret: 0.1 }, { ret: 0.1 }]), 0, 'ties keep the first');
});
