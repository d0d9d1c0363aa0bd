// The page's default batch, shared with the tests (which compute its expected
// checksum in Node from the single-threaded build). Pure data, no DOM.
export const DEFAULTS = {
  length: 10000,
  seed: 42,
  period: [10, 200, 10],
  offset: [0.05, 0.95, 0.1],
  sigma: [4, 8, 2],
  floor: false,
  compare: true,
};

/**
 * A longer batch for the progress-bar and responsiveness tests (window.demo.run(LONG)).
 * 200 rows x 1M points (reduced in wasm: no rows stored). 80k points took 45-108 ms
 * on 2-4 threads: two or three frames, too short to see the bar move once per-call
 * progress stopped counting the previous call's final value as an event.
 */
export const LONG = {
  length: 1000000,
  seed: 7,
  period: [20, 400, 20],
  offset: [0.05, 0.95, 0.1],
  sigma: [6, 6, 0],
  floor: false,
  compare: false,
};

/** The almaBatch range argument for a batch description. */
export const batchParams = (o) => ({ period: o.period, offset: o.offset, sigma: o.sigma, floor: o.floor });
