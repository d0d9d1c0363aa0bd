//! `cargo xtask bench`: prints the benchmarks (figures, never pass/fail).

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

pub fn run() -> Result {
    let tools = setup::ensure_all()?;
    // STARTUP_*: one client on each pool, for the start-up comparison.
    for v in [&wasm::CONSUMER, &wasm::INDICATORS_THREADS, &wasm::INDICATORS_SINGLE, &wasm::STARTUP_WBR, &wasm::STARTUP_RAYON_WEB] {
        v.build(&tools)?;
    }
    eprintln!("\n== Pool start-up: rayon-web (plain, prewarmed) vs wasm-bindgen-rayon 1.3.0, beside the floor (Chromium, Firefox, Node) ==");
    cmd::run(Command::new("node").arg("tests/bench/startup.mjs").current_dir(root()))?;
    eprintln!("\n== rayon-web pool: start-up and speed-up (Node, headless Chromium) ==");
    cmd::run(Command::new("node").arg("tests/bench/pool.mjs").current_dir(root()))?;
    eprintln!("\n== ALMA in wasm: single-threaded build vs pool of 2 (Node, headless Chromium) ==");
    cmd::run(Command::new("node").arg("tests/bench/alma.mjs").current_dir(root()))?;
    eprintln!("\n== Copying a batch's output out of wasm memory: shared (threaded build) vs not (Node) ==");
    cmd::run(Command::new("node").arg("tests/bench/copy-out.mjs").current_dir(root()))?;
    eprintln!("\n== ALMA in wasm: where FFT beats the direct simd128 kernels (Node; sets fft.rs's wasm crossover) ==");
    cmd::run(Command::new("node").arg("tests/bench/crossover.mjs").current_dir(root()))?;
    eprintln!("\n== rayon-web-host shards (no shared memory): 2 shards vs single (Node, headless Chromium) ==");
    cmd::run(Command::new("node").arg("tests/bench/shards.mjs").current_dir(root()))?;
    eprintln!("\n== ALMA native (criterion): scalar vs SIMD vs FFT, 1 vs 2 threads, crossover ==");
    cmd::run(cmd::cargo().args(["bench", "-p", "rayon-web-indicators"]))?;
    // Its own workspace (vector-ta compiles for ~10 minutes): built only here.
    eprintln!("\n== ALMA end to end beside vector-ta 0.3.1 (bench/compare-vector-ta) ==");
    cmd::run(cmd::cargo().args(["run", "--release", "--manifest-path", "bench/compare-vector-ta/Cargo.toml"]))
}
