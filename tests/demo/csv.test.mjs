// Unit tests of the demo's CSV parsing (demo/series.js parseCsv, PapaParse
// underneath), in Node: no browser, no wasm.
//
//   node --test tests/demo/csv.test.mjs
//
// The browser side (PapaParse loaded from /vendor/papaparse/ by a classic
// script) is covered by tests/demo/demo.test.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, CsvError } from '../../demo/series.js';

const prices = (r) => Array.from(r.prices);

/** Asserts that parseCsv(text, opts) throws a CsvError with this line and message. */
function throwsAt(text, opts, line, message) {
  assert.throws(() => parseCsv(text, opts), (e) => {
    assert.ok(e instanceof CsvError, `not a CsvError: ${e}`);
    assert.equal(e.line, line);
    assert.equal(e.message, message);
    return true;
  });
}

test('a header, the close column found by name', () => {
  const r = parseCsv('date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,100\n2024-01-02,1.5,2.5,1,2.25,200\n');
  assert.deepEqual(prices(r), [1.5, 2.25]);
  assert.deepEqual(r.columns, ['date', 'open', 'high', 'low', 'close', 'volume']);
  assert.equal(r.column, 4);
  assert.equal(r.header, true);
  assert.equal(r.delimiter, ',');
  assert.ok(r.prices instanceof Float64Array);
});

test('"Adj Close" is preferred over "Price"; no close-like name: the last numeric column', () => {
  const adj = parseCsv('Date,Price,Adj Close,Volume\n2024-01-01,10,9.5,100\n2024-01-02,11,10.5,200\n');
  assert.equal(adj.column, 2);
  assert.deepEqual(prices(adj), [9.5, 10.5]);
  const price = parseCsv('Date,Price,Volume\n2024-01-01,10,100\n2024-01-02,11,200\n');
  assert.equal(price.column, 1);
  assert.deepEqual(prices(price), [10, 11]);
  const noName = parseCsv('day,a,b,label\n1,10,20,x\n2,11,21,y\n');
  assert.equal(noName.column, 2);
  assert.deepEqual(prices(noName), [20, 21]);
});

test('no header: generated column names, the last numeric column', () => {
  const r = parseCsv('2024-01-01,100.5,7\n2024-01-02,101.25,8\n2024-01-03,99,9\n');
  assert.equal(r.header, false);
  assert.deepEqual(r.columns, ['column 1', 'column 2', 'column 3']);
  assert.equal(r.column, 2);
  assert.deepEqual(prices(r), [7, 8, 9]);
  // A single column of numbers.
  const one = parseCsv('1.5\n2.5\n3.5');
  assert.equal(one.header, false);
  assert.deepEqual(prices(one), [1.5, 2.5, 3.5]);
});

test('quoted numbers with thousands separators', () => {
  const r = parseCsv('date,close\n2024-01-01,"1,234.5"\n2024-01-02,"12,345"\n2024-01-03,"-1,000,000.25"\n2024-01-04,"1,234,567"\n');
  assert.deepEqual(prices(r), [1234.5, 12345, -1000000.25, 1234567]);
  assert.equal(r.column, 1);
  // They count as numbers for column detection too (used to be "no numeric column").
  const auto = parseCsv('date,note\n2024-01-01,"1,234.5"\n2024-01-02,"1,240"\n');
  assert.equal(auto.column, 1);
  assert.deepEqual(prices(auto), [1234.5, 1240]);
  // ';' file: unambiguous with a decimal point; "1,5" and "1,234" may be decimal commas.
  const semi = parseCsv('date;close\n2024-01-01;"1,234.5"\n2024-01-02;1,240.75\n');
  assert.equal(semi.delimiter, ';');
  assert.deepEqual(prices(semi), [1234.5, 1240.75]);
  // "1,5" can only be a decimal comma (not 3 digits after it): the file's numbers are read so.
  assert.deepEqual(prices(parseCsv('date;close\n2024-01-01;1,5\n2024-01-02;2\n')), [1.5, 2]);
  // "1,234" alone proves nothing: refused at its line, with the hint.
  throwsAt('date;close\n2024-01-01;2\n2024-01-02;"1,234"\n', undefined, 3,
    "line 3: '1,234' is not a number (column close) (in a semicolon-separated file a comma could be a decimal comma or a thousands separator: write the number with a decimal point, e.g. 1.5 or 1234.5)");
});

test('badly grouped thousands are not numbers', () => {
  const hint = ' (commas in a number are read as thousands separators only in groups of 3, as in 1,234.5; decimals need a point)';
  for (const bad of ['1,23.5', '1,2345', '12345,678', ',123', '1,,234', '1,5']) {
    throwsAt(`date,close\n2024-01-01,5\n2024-01-02,"${bad}"\n`, undefined, 3, `line 3: '${bad}' is not a number (column close)${hint}`);
  }
  throwsAt('date,close\n2024-01-01,5\n2024-01-02,"1.234,5"\n', undefined, 3,
    "line 3: '1.234,5' is not a number (column close) (a decimal comma: this file is comma-separated, so save it with ';' separators or with decimal points)");
});

test('a quoted field containing a line break, the delimiter and a quote', () => {
  const r = parseCsv('date,note,close\n2024-01-01,"two\nlines, ""quoted""",10.5\n2024-01-02,plain,11\n');
  assert.deepEqual(prices(r), [10.5, 11]);
  assert.deepEqual(r.columns, ['date', 'note', 'close']);
  // Line numbers count the line breaks inside quotes (and \r\n, blank lines).
  throwsAt('date,note,close\r\n2024-01-01,"a\r\nb\r\nc",10\r\n\r\n2024-01-02,x,abc\r\n', undefined, 6,
    "line 6: 'abc' is not a number (column close)");
  throwsAt('date,note,close\n2024-01-01,"a\nb",10\n2024-01-02,"c\n\nd",\n', undefined, 4,
    'line 4: the close value is empty');
});

test("';' and tab delimiters", () => {
  const semi = parseCsv('date;open;close\n2024-01-01;1.5;2.5\n2024-01-02;3;4.75\n');
  assert.equal(semi.delimiter, ';');
  assert.deepEqual(semi.columns, ['date', 'open', 'close']);
  assert.deepEqual(prices(semi), [2.5, 4.75]);
  const tab = parseCsv('date\tclose\tvolume\n2024-01-01\t100\t5\n2024-01-02\t"1,001.5"\t6\n');
  assert.equal(tab.delimiter, '\t');
  assert.equal(tab.column, 1);
  assert.deepEqual(prices(tab), [100, 1001.5]);
  // Commas inside the fields of a ';' file do not make it a comma file.
  const mixed = parseCsv('name;close\n"a, b, c";7\n"d, e";8\n');
  assert.equal(mixed.delimiter, ';');
  assert.deepEqual(prices(mixed), [7, 8]);
});

test('column chosen by name and by 0-based index (number or digit string)', () => {
  const text = 'date,open,close\n2024-01-01,1.25,2.5\n2024-01-02,3.5,4\n';
  const byName = parseCsv(text, { column: 'open' });
  assert.equal(byName.column, 1);
  assert.deepEqual(prices(byName), [1.25, 3.5]);
  const byIndex = parseCsv(text, { column: 1 });
  assert.equal(byIndex.column, 1);
  assert.deepEqual(prices(byIndex), [1.25, 3.5]);
  assert.deepEqual(prices(parseCsv(text, { column: '2' })), [2.5, 4]);
  throwsAt(text, { column: 3 }, 0, 'there is no column 4 (the file has 3)');
  throwsAt(text, { column: 'volume' }, 0, "there is no column named 'volume' (columns: date, open, close)");
});

test('a non-numeric or missing cell in the close column names its line', () => {
  throwsAt('date,close\n2024-01-01,101.5\n2024-01-02,102\n2024-01-03,abc\n', undefined, 4,
    "line 4: 'abc' is not a number (column close)");
  throwsAt('date,close\n\n2024-01-01,101.5\n\n2024-01-02,\n', undefined, 5, 'line 5: the close value is empty');
  throwsAt('date,open,close\n2024-01-01,1,2\n2024-01-02,3\n', undefined, 3,
    'line 3: has 2 fields but the header has 3: a value is missing (an empty value still needs its delimiter)');
  throwsAt('date,close\n2024-01-01,1\n2024-01-02,"2\n3,4\n', undefined, 3,
    'line 3: a quoted field is never closed (a missing ", or a " inside quotes not written as "")');
  throwsAt('date,close\n2024-01-01,1\n2024-01-02,"2"x\n', undefined, 3,
    'line 3: characters after the closing " of a quoted field (write a " inside quotes as "")');
  // No number anywhere: no header either, so the first line is the first data row.
  throwsAt('date,label\n2024-01-01,up\n2024-01-02,down\n', undefined, 1,
    "line 1: no numeric column found (comma-separated fields: 'date', 'label')");
  // The second line's bad close does not hide the header (the third line has a number there).
  throwsAt('date,close\n2024-01-01,n/a\n2024-01-02,7\n', undefined, 2, "line 2: 'n/a' is not a number (column close)");
});

test('empty files and files without enough prices', () => {
  throwsAt('', undefined, 0, 'the file is empty');
  throwsAt('\uFEFF \n\r\n\t\n', undefined, 0, 'the file is empty');
  throwsAt('date,close\n', undefined, 0, 'the file has a header but no price rows');
  throwsAt('date,close\n2024-01-01,5\n', undefined, 0, 'need at least 2 prices');
});

test('a byte order mark and \\r\\n or \\r line breaks', () => {
  const r = parseCsv('\uFEFFDate;Close\r\n2024-01-01;10.5\r\n2024-01-02;11.5\r\n');
  assert.deepEqual(r.columns, ['Date', 'Close']); // not '\uFEFFDate'
  assert.equal(r.header, true);
  assert.equal(r.delimiter, ';');
  assert.deepEqual(prices(r), [10.5, 11.5]);
  assert.deepEqual(prices(parseCsv('\uFEFF1\r2\r3')), [1, 2, 3]);
});

test('prices with a currency sign ("$189.98", Nasdaq\'s exports) are numbers; a sign alone is not', () => {
  const r = parseCsv('date,close\n2024-01-01,$189.98\n2024-01-02,"$1,234.50"\n2024-01-03,€ 7\n2024-01-04,-$5\n2024-01-05,£.5\n');
  assert.deepEqual(prices(r), [189.98, 1234.5, 7, -5, 0.5]);
  throwsAt('date,close\n2024-01-01,5\n2024-01-02,$\n', undefined, 3, "line 3: '$' is not a number (column close)");
  throwsAt('date,close\n2024-01-01,5\n2024-01-02,$$5\n', undefined, 3, "line 3: '$$5' is not a number (column close)");
  // A decimal comma in a semicolon file, after a sign too.
  assert.deepEqual(prices(parseCsv('date;close\n2024-01-01;5\n2024-01-02;$1,5\n')), [5, 1.5]);
});

test('a file listing the newest day first (Nasdaq, Investing.com) is read oldest first and says so; a date that cannot be read keeps the file\'s order', () => {
  // Nasdaq's historical-data export, as downloaded.
  const nasdaq = parseCsv('Date,Close/Last,Volume,Open,High,Low\n12/04/2026,$189.98,51234567,$188.10,$190.20,$187.90\n'
    + '12/03/2026,$188.01,48234567,$187.00,$188.50,$186.20\n12/02/2026,$186.50,45234567,$185.00,$187.10,$184.80\n');
  assert.equal(nasdaq.columns[nasdaq.column], 'Close/Last');
  assert.equal(nasdaq.reversed, true);
  assert.deepEqual(prices(nasdaq), [186.5, 188.01, 189.98]);
  // ISO dates, with a time of day (WebKit's Date.parse needs the T), newest first.
  const iso = parseCsv('time,close\n2026-12-04 16:00:00,3\n2026-12-04 15:00:00,2\n2026-12-03 16:00:00,1\n');
  assert.equal(iso.reversed, true);
  assert.deepEqual(prices(iso), [1, 2, 3]);
  // Oldest first (Yahoo's order): unchanged.
  const yahoo = parseCsv('Date,Open,High,Low,Close,Adj Close,Volume\n2026-12-02,1,1,1,10,10,5\n2026-12-03,1,1,1,11,11,5\n');
  assert.equal(yahoo.reversed, false);
  assert.deepEqual(prices(yahoo), [10, 11]);
  // Not reversed: a date that does not parse (file order, with a note); bare numbers
  // (not dates); rows out of order are sorted (with a note, tested in series.test.mjs).
  for (const text of [
    'date,close\n2026-12-04,3\nyesterday,2\n2026-12-02,1\n',
    'date,close\n5,3\n4,2\n3,1\n',
  ]) {
    const r = parseCsv(text);
    assert.equal(r.reversed, false, text);
    assert.deepEqual(prices(r), [3, 2, 1], text);
  }
  // Newest first, also day first (31/12: the day is the first number) and without a header.
  for (const text of ['date,close\n02/01/2026,3\n31/12/2025,2\n30/12/2025,1\n', '2026-12-04,3\n2026-12-03,2\n2026-12-02,1\n']) {
    const r = parseCsv(text);
    assert.equal(r.reversed, true, text);
    assert.deepEqual(prices(r), [1, 2, 3], text);
  }
});
