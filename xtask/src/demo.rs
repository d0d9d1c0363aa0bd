//! `cargo xtask demo`: builds and serves the demo (placeholder until the demo issue).

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

pub fn run(args: &[String]) -> Result {
    setup::ensure_apt(&[("/usr/bin/chromium", "chromium")])?;
    let tools = setup::ensure_cargo_tools(false)?;
    setup::ensure_npm("tests")?;
    wasm::CONSUMER.build(&tools)?;
    let mut c = Command::new("node");
    c.arg("demo/serve.mjs").args(args).current_dir(root());
    cmd::run(&mut c)
}
