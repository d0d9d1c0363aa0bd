// Reads a CSV file off the page's thread: the bytes, their decoding (UTF-8, or
// UTF-16 after its byte order mark) and the parse into number columns
// (series.js parseTable). A 270 MB file took 9 s of parsing: on the page's
// thread that froze it; here the page shows the progress messages instead.
//
// A classic worker: PapaParse is UMD only (see series.js) and importScripts
// sets self.Papa; series.js is then imported dynamically (module code in a
// classic worker). PapaParse, loaded in a worker, installs its own onmessage
// (for its own `worker: true` mode): ours replaces it below.
importScripts('/vendor/papaparse/papaparse.min.js');
const series = import('./series.js');

// {file (a File or Blob), name} -> {progress: fraction} ..., then {table} (its
// typed arrays transferred, not copied) or {error: {message, line}}.
self.onmessage = async ({ data: { file } }) => {
  try {
    const { decodeBytes, parseTable } = await series;
    const text = decodeBytes(new Uint8Array(await file.arrayBuffer()));
    postMessage({ progress: 0 });
    const table = parseTable(text, { onProgress: (f) => postMessage({ progress: f }) });
    postMessage({ table }, [table.lines.buffer, ...table.values.map((a) => a.buffer)]);
  } catch (e) {
    postMessage({ error: { message: e?.message ?? String(e), line: e?.line ?? 0, csv: e?.name === 'CsvError' } });
  }
};
