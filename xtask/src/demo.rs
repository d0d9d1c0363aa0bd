//! `cargo xtask demo [--headless]`: builds both indicator packages and serves the demo (`demo/serve.mjs`).

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

/// Flags of `cargo xtask demo`, passed on to `demo/serve.mjs`.
#[derive(clap::Args)]
pub struct Args {
    /// Time the demo's default batch in headless Chromium and Firefox ESR, in threads, shards
    /// and single mode (medians and min–max of warm runs), print a table, fail if any
    /// checksum differs — instead of serving.
    #[arg(long)]
    headless: bool,
    /// Port of the cross-origin isolated origin; PORT+1 serves the non-isolated one.
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(0..=65534))]
    port: Option<u16>,
    /// With --headless: seconds before giving up on a page.
    #[arg(long, value_name = "SECONDS", requires = "headless", value_parser = clap::value_parser!(u32).range(1..))]
    timeout: Option<u32>,
    /// With --headless: timed runs per mode (after one untimed warm-up).
    #[arg(long, value_name = "N", requires = "headless", value_parser = clap::value_parser!(u32).range(1..))]
    runs: Option<u32>,
    /// With --headless: comma-separated browsers (chromium, firefox).
    #[arg(long, value_name = "LIST", requires = "headless")]
    browsers: Option<String>,
}

pub fn run(args: &Args) -> Result {
    // --headless also times Firefox ESR, driven by geckodriver from .tools/.
    if args.headless {
        setup::ensure_apt(&[("/usr/bin/chromium", "chromium"), ("/usr/bin/firefox-esr", "firefox-esr")])?;
    } else {
        setup::ensure_apt(&[("/usr/bin/chromium", "chromium")])?;
    }
    let tools = setup::ensure_cargo_tools(args.headless)?;
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
    if let Some(runs) = args.runs {
        c.arg(format!("--runs={runs}"));
    }
    if let Some(browsers) = &args.browsers {
        c.arg(format!("--browsers={browsers}"));
    }
    cmd::run(&mut c)
}
