//! `cargo xtask test`: every test, in order of increasing set-up cost.

use crate::cmd::{self, root, Result};
use crate::{setup, wasm};
use std::process::Command;

pub fn run_all() -> Result {
    let tools = setup::ensure_all()?;

    // The consumer crate too: its native `cargo test` checks that
    // `pub use rayon_web::init_thread_pool;` compiles and works natively.
    eprintln!("\n== native unit, doc and property tests ==");
    cmd::run(cmd::cargo().args(["test", "--workspace", "--exclude", "rayon-web-indicators-user", "--release"]))?;

    eprintln!("\n== a wasm build without +atomics compiles (the single-threaded build) ==");
    builds_without_atomics()?;

    eprintln!("\n== wasm builds ==");
    wasm::build_all(&tools)?;
    wasm_pack_consumer()?;

    eprintln!("\n== release checks: README crate, package contents, publish dry-run, docs.rs ==");
    crate::release::run_with(&tools)?;

    eprintln!("\n== wasm-bindgen-test in headless Chromium (dedicated worker) and in Node (ES-module mode) ==");
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
        .args(["--test", "--test-concurrency=1", "tests/node/", "tests/browser/", "tests/demo/", "tests/fuzz/", "tests/runtimes/"])
        .env("GECKODRIVER", &tools.geckodriver)
        .current_dir(root()))?;

    eprintln!("\n== stable Rust: the newest stable + RUSTC_BOOTSTRAP=1 builds the packages and passes the core checks ==");
    // The matrix's stable row (installs the toolchain with rust-src and wasm32 itself).
    crate::matrix::run_rows(&[crate::matrix::Kind::Stable], None)?;
    Ok(())
}

/// A wasm32 build without `+atomics` is a single-threaded build: rayon-web
/// compiles there (README, "The single-threaded build"; the README's crate runs
/// one). The other half — `+atomics` asked for but ignored by a stable rustc —
/// is refused with rayon-web's message in the matrix's stable row (matrix.rs).
fn builds_without_atomics() -> Result {
    let out = cmd::cargo()
        .args(["check", "-p", "rayon-web", "--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(root().join("target/wasm-no-atomics"))
        .env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+simd128")
        .output()?;
    if !out.status.success() {
        return Err(format!("rayon-web must compile for wasm32 without +atomics (a single-threaded build):\n{}", String::from_utf8_lossy(&out.stderr)).into());
    }
    eprintln!("ok: `cargo check --target wasm32-unknown-unknown` without +atomics compiles (the single-threaded build)");
    Ok(())
}

/// `wasm-pack build --target web` on the test consumer, as users run it, into
/// target/pkg/consumer-wasm-pack (tests/browser/wasm-pack.test.mjs). wasm-pack uses
/// the wasm-bindgen on PATH when its version equals Cargo.lock's, so `.tools/bin`
/// goes first; `--mode no-install` makes it fail rather than download one, and
/// `--no-opt` skips wasm-opt (which it would download from GitHub).
fn wasm_pack_consumer() -> Result {
    eprintln!("\n== wasm-pack build --target web (tests/consumer) ==");
    let wasm_pack = setup::ensure_wasm_pack()?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![root().join(".tools/bin")];
    dirs.extend(std::env::split_paths(&path));
    let mut c = Command::new(wasm_pack);
    // README.md's command ("wasm-pack build . --target web …"), run in the crate's
    // folder, plus --quiet and --out-dir: the crate is `.`, before `--` (without
    // it wasm-pack 0.15 takes `-Z` for the crate's folder).
    c.args(["--quiet", "build", ".", "--target", "web", "--release", "--no-opt", "--mode", "no-install", "--out-dir"])
        .arg(root().join("target/pkg/consumer-wasm-pack"))
        .args(["--", "-Z", "build-std=std,panic_abort"])
        .env("PATH", std::env::join_paths(dirs)?)
        .current_dir(root().join("tests/consumer"));
    // The flags come from .cargo/config.toml; a RUSTFLAGS variable would replace them.
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS"] {
        c.env_remove(var);
    }
    cmd::run(&mut c)
}
