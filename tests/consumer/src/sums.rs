// The compute-bound job of the tests and benchmarks: `sumParallel` and
// `sumSequential` share one inner loop. Included (`include!`) by tests/consumer
// and by bench/startup-compare, so both pools' clients run the same code;
// expects `rayon::prelude::*` and `wasm_bindgen::prelude::*` in scope.

fn work(i: u64) -> u64 {
    // A little arithmetic per element so the job is compute-bound, not memory-bound.
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for _ in 0..64 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    }
    x & 0xFFFF
}

/// `work(i)` summed over `lo..hi`: the one inner loop both sums below share, so
/// their times compare the same code on one thread and on the pool.
#[inline(never)]
fn sum_range(lo: u64, hi: u64) -> u64 {
    (lo..hi).map(work).sum()
}

const CHUNK: u64 = 1 << 14;

/// Sum of `work(i)` for i in 0..n, in parallel. Returned as f64 (exact below 2^53).
#[wasm_bindgen(js_name = sumParallel)]
pub fn sum_parallel(n: u32) -> f64 {
    let n = n as u64;
    (0..n.div_ceil(CHUNK)).into_par_iter().map(|c| sum_range(c * CHUNK, ((c + 1) * CHUNK).min(n))).sum::<u64>() as f64
}

/// The same sum on the calling thread only, through the same inner loop.
#[wasm_bindgen(js_name = sumSequential)]
pub fn sum_sequential(n: u32) -> f64 {
    let n = n as u64;
    (0..n.div_ceil(CHUNK)).map(|c| sum_range(c * CHUNK, ((c + 1) * CHUNK).min(n))).sum::<u64>() as f64
}
