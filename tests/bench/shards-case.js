// One run of the shards benchmark, shared by Node (shards.mjs) and Chromium
// (shards.html): rayon-web-host with 2 shards of the single-threaded build vs
// one single-threaded instance, same process, alternating, medians.
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };

function walk(n) {
  let s = 12345;
  let v = 100;
  return Float64Array.from({ length: n }, () => { s = (s * 1664525 + 1013904223) >>> 0; v += s / 2 ** 32 - 0.5; return v; });
}

export async function shardsBench(createHost, ALMA_DECLARATIONS, single, { runs = 3 } = {}) {
  const shards = await createHost({ single, mode: 'shards', shards: 2, declarations: ALMA_DECLARATIONS });
  const one = await createHost({ single, mode: 'single', declarations: ALMA_DECLARATIONS });
  try {
    const prices = walk(100_000);
    const range = { period: [9, 258, 1], offset: [0.85, 0.85, 0], sigma: [6, 6, 0] };
    const tinyPrices = prices.slice(0, 1000);
    const tinyRange = { period: [9, 9, 0] };
    const time = async (f) => { const t0 = performance.now(); const r = await f(); return [performance.now() - t0, r]; };
    // Warm up both (tier-up, memory growth).
    for (let i = 0; i < 2; i++) { await shards.call('almaBatch', [prices, range]); await one.call('almaBatch', [prices, range]); }
    const out = new Float64Array(250 * prices.length);
    const rows = { intoSingle: [], intoShards: [], single: [], shards: [], shardsTransfer: [], split: [], join: [], compute: [], overhead: [], intoPart0: [], intoPart1: [], intoJoin: [], tinySingle: [], tinyShards: [] };
    let same = true;
    for (let i = 0; i < runs; i++) {
      const [s, rs] = await time(() => one.call('almaBatch', [prices, range]));
      const [p, rp] = await time(() => shards.call('almaBatch', [prices, range]));
      const st = shards.lastSplit;
      const moved = prices.slice();
      const [pt] = await time(() => shards.call('almaBatch', [moved, range], { transfer: [moved.buffer] }));
      rows.single.push(s); rows.shards.push(p); rows.shardsTransfer.push(pt);
      // almaBatchInto with one reused output: the join writes into pages already in use.
      rows.intoSingle.push((await time(() => one.call('almaBatchInto', [prices, range, out])))[0]);
      rows.intoShards.push((await time(() => shards.call('almaBatchInto', [prices, range, out])))[0]);
      // How evenly the split balanced the work (each shard's time inside its worker) and the join's copy.
      rows.intoPart0.push(shards.lastSplit.computeMs[0]); rows.intoPart1.push(shards.lastSplit.computeMs[1]); rows.intoJoin.push(shards.lastSplit.joinMs);
      rows.split.push(st.splitAndPostMs); rows.join.push(st.joinMs); rows.compute.push(Math.max(...st.computeMs));
      rows.overhead.push(p - Math.max(...st.computeMs));
      for (let k = 0; k < rs.values.length; k++) if (!Object.is(rs.values[k], rp.values[k])) { same = false; break; }
      // The tiny call: 20 alternations, each a median-able sample.
      for (let k = 0; k < 20; k++) {
        rows.tinySingle.push((await time(() => one.call('almaBatch', [tinyPrices, tinyRange])))[0]);
        rows.tinyShards.push((await time(() => shards.call('almaBatch', [tinyPrices, tinyRange])))[0]);
      }
    }
    const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
    return { ...m, speedup: median(rows.single.map((s, i) => s / rows.shards[i])), intoSpeedup: median(rows.intoSingle.map((s, i) => s / rows.intoShards[i])), tinyRatio: m.tinyShards / m.tinySingle, same, runs };
  } finally {
    shards.terminate();
    one.terminate();
  }
}
