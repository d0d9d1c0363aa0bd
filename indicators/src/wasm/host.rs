//! How `rayon-web-host` splits and writes back this module's batch calls.
//!
//! `rayon-web-host` runs a module's exports in a worker. An output argument
//! (`out` of the `...Into` forms) only reaches the caller's array if the host
//! knows it is one, and a call only runs on several `shards` if the host knows
//! how it splits. Both are *declarations* (js/src/split.js). The module ships
//! its own here: the host worker reads `rayonWebHostDeclarations()` when it
//! loads a module and uses them for every export the caller did not declare, so
//! an `...Into` call through a host without `declarations` fills the caller's
//! array instead of losing the worker's copy. The host's `ALMA_DECLARATIONS`
//! is the same list for callers who pass it explicitly (and for the mode
//! choice, made before any module is loaded); `tests/node/host-shards.test.mjs`
//! checks that the two agree.

use wasm_bindgen::prelude::*;

/// The declarations, as JSON (see `GridRowsDeclaration` and
/// `SeriesDeclaration` in js/src/index.d.ts), with `{cap}` the ALMA row cost
/// cap. Rows of ALMA and EMA batches are ordered by period first. An EMA row
/// costs the same for every period (a recursive filter). An ALMA row costs its
/// period (multiply-adds per value) up to the FFT crossover, and about the
/// crossover's cost above it (`Kernel::Auto` computes those rows by FFT, whose
/// time per row grows only with the log of the block: wasm table in
/// `kernels/fft.rs`, FFT/direct ≈ 0.8 at 64, 0.45 at 128, 0.24 at 256), so
/// `costCap` is the crossover period: without it the shards' parts of a
/// 250-period grid took 95 and 49 ms, with it 76 and 72 ms.
/// `{limit}` is the allocating forms' output limit (`DEFAULT_MAX_OUTPUT_BYTES`): each
/// shard's part stays under it, so the host checks the joined result against it
/// and refuses what one instance refuses (OUTPUT_TOO_LARGE).
/// `alma` and `ema` (one series) neither split nor write into an argument:
/// `{ "outputs": [] }` says so, and spares the host watching `prices` for writes.
const DECLARATIONS: &str = r#"{
  "alma": { "outputs": [] },
  "ema": { "outputs": [] },
  "almaBatch": { "kind": "grid-rows", "input": 0, "range": 1, "axis": "period", "cost": "axis", "costCap": {cap}, "maxOutputBytes": {limit} },
  "almaBatchInto": { "kind": "grid-rows", "input": 0, "range": 1, "axis": "period", "cost": "axis", "costCap": {cap}, "out": 2 },
  "almaBatchLongAbove": { "kind": "grid-rows", "input": 0, "range": 1, "axis": "period", "cost": "axis", "costCap": {cap} },
  "almaBatchMany": { "kind": "series", "values": 0, "offsets": 1, "range": 2, "axis": "period", "cost": "axis", "costCap": {cap}, "maxOutputBytes": {limit} },
  "almaBatchManyInto": { "kind": "series", "values": 0, "offsets": 1, "range": 2, "axis": "period", "cost": "axis", "costCap": {cap}, "out": 3 },
  "almaBatchManyLongAbove": { "kind": "series", "values": 0, "offsets": 1, "range": 2, "axis": "period", "cost": "axis", "costCap": {cap} },
  "emaBatch": { "kind": "grid-rows", "input": 0, "range": 1, "axis": "period", "cost": "rows", "maxOutputBytes": {limit} },
  "emaBatchInto": { "kind": "grid-rows", "input": 0, "range": 1, "axis": "period", "cost": "rows", "out": 2 },
  "emaBatchMany": { "kind": "series", "values": 0, "offsets": 1, "range": 2, "axis": "period", "cost": "rows", "maxOutputBytes": {limit} },
  "emaBatchManyInto": { "kind": "series", "values": 0, "offsets": 1, "range": 2, "axis": "period", "cost": "rows", "out": 3 }
}"#;

/// The module's split and output declarations for `rayon-web-host` (plain
/// data; not part of the typed API).
#[wasm_bindgen(js_name = rayonWebHostDeclarations, skip_typescript)]
pub fn host_declarations() -> JsValue {
    let json = DECLARATIONS
        .replace("{cap}", &crate::kernels::fft::CROSSOVER_PERIOD.to_string())
        .replace("{limit}", &crate::DEFAULT_MAX_OUTPUT_BYTES.to_string());
    // A constant that parses: a failure here is a bug in this file, caught by the tests.
    js_sys::JSON::parse(&json).expect("DECLARATIONS is valid JSON")
}
