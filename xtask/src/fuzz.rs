//! `cargo xtask fuzz [--runs N] [--seed S]`: the property-based fuzz suites of
//! tests/fuzz/ (fast-check), longer than the bounded run inside `cargo xtask
//! test`. Both go through the same files; only FUZZ_RUNS / FUZZ_SEED differ
//! (see tests/fuzz/support.mjs).

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

/// Runs per property when `--runs` is not given (CI's bounded run uses the
/// suites' own default, 300).
const DEFAULT_RUNS: u64 = 2_000;

pub fn run(args: &[String]) -> Result {
    let mut runs = DEFAULT_RUNS;
    let mut seed: Option<u64> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<u64> {
            let v = it.next().ok_or_else(|| format!("`{name}` needs a value"))?;
            v.parse().map_err(|_| format!("`{name}` must be a non-negative integer, got `{v}`").into())
        };
        match a.as_str() {
            "--runs" => runs = value("--runs")?,
            "--seed" => seed = Some(value("--seed")?),
            other => return Err(format!("unknown argument `{other}`; usage: cargo xtask fuzz [--runs N] [--seed S]").into()),
        }
    }
    let tools = setup::ensure_all()?;
    wasm::build_all(&tools)?;
    eprintln!("\n== fuzz suites (tests/fuzz/): {runs} runs per property, seed {} ==", seed.map_or("default".into(), |s| s.to_string()));
    let mut c = Command::new("node");
    c.args(["--test", "--test-concurrency=1", "tests/fuzz/"]).env("FUZZ_RUNS", runs.to_string()).current_dir(root());
    if let Some(s) = seed {
        c.env("FUZZ_SEED", s.to_string());
    }
    cmd::run(&mut c)
}
