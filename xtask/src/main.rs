//! `cargo xtask <command>`: the project's build, test, benchmark and demo
//! entry points. Everything a fresh Debian machine needs (apt packages, the
//! wasm-bindgen CLI matching Cargo.lock, geckodriver, npm packages) is
//! installed on first use by `setup.rs`, so the README's two commands are all
//! a new contributor or CI runs.

mod bench;
mod cmd;
mod demo;
mod matrix;
mod setup;
mod test;
mod wasm;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test            run every test (native, wasm-bindgen-test in Chromium, Node, browsers)
  demo            build and serve the demo twice (with and without COOP/COEP)
  demo --headless run the demo's default batch in headless Chromium on both origins, print a table
  bench           print the benchmarks (pool start-up, speed-ups, ALMA)
  build           build the wasm packages into target/pkg/
  matrix          the core checks under the pinned/newest nightly, newest stable and newest wasm-bindgen; one table
  setup           install what the other commands need (also done by each of them)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run(&args[1..]),
        Some("demo") => demo::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("matrix") => matrix::run(&args[1..]),
        Some("build") => setup::ensure_all().and_then(|t| wasm::build_all(&t)),
        Some("setup") => setup::ensure_all().map(|_| ()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
