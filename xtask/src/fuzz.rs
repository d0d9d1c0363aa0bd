//! `cargo xtask fuzz [--runs N] [--seed S]`: the property-based fuzz suites and the pool stress of
//! tests/fuzz/ (fast-check), longer than the bounded run inside `cargo xtask
//! test`. Both go through the same files; only FUZZ_RUNS / FUZZ_SEED differ
//! (see tests/fuzz/support.mjs).

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

/// Options of `cargo xtask fuzz`.
#[derive(clap::Args)]
pub struct Args {
    /// Runs per property (CI's bounded run inside `test` uses the suites' own default).
    #[arg(long, default_value_t = 2_000)]
    runs: u64,
    /// fast-check seed (default: the suites' fixed seed, so failures reproduce).
    #[arg(long)]
    seed: Option<u64>,
}

pub fn run(args: &Args) -> Result {
    let tools = setup::ensure_all()?;
    wasm::build_all(&tools)?;
    eprintln!(
        "\n== fuzz suites (tests/fuzz/): {} runs per property, seed {} ==",
        args.runs,
        args.seed.map_or("default".into(), |s| s.to_string())
    );
    let mut c = Command::new("node");
    c.args(["--test", "--test-concurrency=1", "tests/fuzz/"]).env("FUZZ_RUNS", args.runs.to_string()).current_dir(root());
    if let Some(s) = args.seed {
        c.env("FUZZ_SEED", s.to_string());
    }
    cmd::run(&mut c)
}
