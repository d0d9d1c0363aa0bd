//! `cargo xtask test`: every test, in order of increasing set-up cost.

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

pub fn run_all() -> Result {
    let tools = setup::ensure_all()?;

    eprintln!("\n== native unit, doc and property tests ==");
    cmd::run(cmd::cargo().args(["test", "--workspace", "--exclude", "rayon-web-consumer", "--release"]))?;

    eprintln!("\n== a wasm build without +atomics must not compile ==");
    compile_fails_without_atomics()?;

    eprintln!("\n== wasm builds ==");
    wasm::build_all(&tools)?;

    eprintln!("\n== wasm-bindgen-test in headless Chromium (dedicated worker) ==");
    let mut c = cmd::cargo();
    c.args(["test", "-p", "rayon-web", "--tests", "--release", "--target", "wasm32-unknown-unknown", "-Z", "build-std=std,panic_abort"])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &tools.test_runner)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60")
        // The runner reads webdriver.json (Chromium flags for root, headless) from here.
        .current_dir(root().join("thread-pool"));
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "GECKODRIVER", "SAFARIDRIVER"] {
        c.env_remove(var);
    }
    cmd::run(&mut c)?;

    eprintln!("\n== Node, browser and demo tests (node --test) ==");
    cmd::run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "tests/node/", "tests/fuzz/", "tests/browser/", "tests/demo/"])
        .env("GECKODRIVER", &tools.geckodriver)
        .current_dir(root()))?;
    Ok(())
}

pub fn run(args: &[String]) -> Result {
    if let Some(a) = args.first() {
        return Err(format!("`cargo xtask test` takes no arguments (got {a})").into());
    }
    run_all()
}

/// rayon-web must refuse a non-threaded wasm build at compile time (instead of
/// silently running on one thread), naming the fix.
fn compile_fails_without_atomics() -> Result {
    let out = cmd::cargo()
        .args(["check", "-p", "rayon-web", "--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(root().join("target/wasm-no-atomics"))
        .env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+simd128")
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        return Err("rayon-web compiled for wasm32 without +atomics; it must fail with compile_error!".into());
    }
    if !stderr.contains("rayon-web needs a threaded wasm build") || !stderr.contains("+atomics") {
        return Err(format!("rayon-web failed to compile without +atomics, but not with its own message:\n{stderr}").into());
    }
    eprintln!("ok: `cargo check --target wasm32-unknown-unknown` without +atomics fails with rayon-web's message");
    Ok(())
}
