//! `cargo xtask bench`: prints the benchmarks (figures, never pass/fail).

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

pub fn run(_args: &[String]) -> Result {
    let tools = setup::ensure_all()?;
    wasm::CONSUMER.build(&tools)?;
    eprintln!("\n== rayon-web pool: start-up and speed-up (Node, headless Chromium) ==");
    cmd::run(Command::new("node").arg("tests/bench/pool.mjs").current_dir(root()))
}
