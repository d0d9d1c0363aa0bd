//! `cargo xtask demo [--headless]`: builds both indicator packages and serves the demo (`demo/serve.mjs`).

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

pub fn run(args: &[String]) -> Result {
    setup::ensure_apt(&[("/usr/bin/chromium", "chromium")])?;
    let tools = setup::ensure_cargo_tools(false)?;
    setup::ensure_npm("tests")?;
    setup::ensure_npm("demo")?;
    wasm::INDICATORS_THREADS.build(&tools)?;
    wasm::INDICATORS_SINGLE.build(&tools)?;
    let mut c = Command::new("node");
    c.arg("demo/serve.mjs").args(args).current_dir(root());
    cmd::run(&mut c)
}
