//! `cargo xtask demo [--headless]`: builds both indicator packages and serves the demo (`demo/serve.mjs`).

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

/// Flags of `cargo xtask demo`, passed on to `demo/serve.mjs`.
#[derive(clap::Args)]
pub struct Args {
    /// Run the demo's default batch in headless Chromium on both origins and print a table
    /// (fails if the checksums differ) instead of serving.
    #[arg(long)]
    headless: bool,
    /// Port of the cross-origin isolated origin; PORT+1 serves the non-isolated one.
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(0..=65534))]
    port: Option<u16>,
    /// With --headless: seconds before giving up on a page.
    #[arg(long, value_name = "SECONDS", requires = "headless", value_parser = clap::value_parser!(u32).range(1..))]
    timeout: Option<u32>,
}

pub fn run(args: &Args) -> Result {
    setup::ensure_apt(&[("/usr/bin/chromium", "chromium")])?;
    let tools = setup::ensure_cargo_tools(false)?;
    setup::ensure_npm("tests")?;
    setup::ensure_npm("demo")?;
    wasm::INDICATORS_THREADS.build(&tools)?;
    wasm::INDICATORS_SINGLE.build(&tools)?;
    let mut c = Command::new("node");
    c.arg("demo/serve.mjs").current_dir(root());
    if args.headless {
        c.arg("--headless");
    }
    if let Some(port) = args.port {
        c.arg(format!("--port={port}"));
    }
    if let Some(timeout) = args.timeout {
        c.arg(format!("--timeout={timeout}"));
    }
    cmd::run(&mut c)
}
