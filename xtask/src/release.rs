//! What users get from crates.io, docs.rs and the README, checked locally:
//!
//! - the README's crate builds and runs (`readme.rs`);
//! - `cargo package --list` of rayon-web has the JS its wasm-bindgen snippets
//!   import at run time (`thread-pool/js/*.js`), its licences, and no junk;
//! - both crates dry-run publish in one workspace command;
//! - the declared `rust-version` compiles both crates natively (`msrv_check`),
//!   and so does a check for Apple Silicon (`aarch64_check`);
//! - rustdoc runs the way docs.rs runs it, from each crate's
//!   `[package.metadata.docs.rs]` (read with `cargo metadata`): nightly, every
//!   listed target, `--cfg docsrs` for rustc and rustdoc plus the metadata's
//!   `rustdoc-args`, its features, and none of this workspace's
//!   `.cargo/config.toml` rustflags (docs.rs builds the published crate alone).

use crate::cmd::{self, root, Result};
use crate::setup::{self, Tools};
use std::process::Command;
use std::time::Duration;

/// The crates published to crates.io.
pub const CRATES: [&str; 2] = ["rayon-web", "rayon-web-indicators"];

/// Every release check (`cargo xtask release-check`; also a step of `test`).
pub fn run_all() -> Result {
    let tools = setup::ensure_cargo_tools(false)?;
    run_with(&tools)
}

pub fn run_with(tools: &Tools) -> Result {
    eprintln!("\n== licences: one text, copied into every package ==");
    licences()?;
    eprintln!("\n== cargo package --list: rayon-web ships its run-time JS and no junk ==");
    package_list()?;
    eprintln!("\n== the README's crate, built with the README's commands ==");
    crate::readme::check(tools)?;
    eprintln!("\n== cargo publish --dry-run of both crates (one workspace command) ==");
    publish_dry_run()?;
    eprintln!("\n== rustdoc as docs.rs runs it ==");
    docs_rs()?;
    eprintln!("\n== the crates' rust-version compiles them (native check, tests and benches) ==");
    msrv_check()?;
    eprintln!("\n== both crates compile without warnings for Apple Silicon (aarch64-apple-darwin) ==");
    aarch64_check()
}

/// Native users on Apple Silicon (and aarch64 Linux) build code paths this
/// x86_64 machine never compiles: no AVX kernels, no CPUID, only the scalar
/// direct kernel. `cargo check` for aarch64-apple-darwin (the target is in
/// rust-toolchain.toml, so rustup installs its std) catches a missing `cfg`
/// there — and `-D warnings` the dead code and unreachable arms one leaves.
fn aarch64_check() -> Result {
    // Idempotent; for a toolchain installed before the target joined rust-toolchain.toml.
    cmd::run(Command::new("rustup").args(["target", "add", "aarch64-apple-darwin"]).current_dir(root()))?;
    let mut c = cmd::cargo();
    c.args(["check", "--all-targets", "--target", "aarch64-apple-darwin", "--target-dir"])
        .arg(root().join("target/aarch64-check"))
        .args(CRATES.iter().flat_map(|c| ["-p", c]))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .current_dir(root());
    cmd::run(&mut c)?;
    eprintln!("ok: both crates, their tests and benches compile for aarch64-apple-darwin without warnings");
    Ok(())
}

/// The `rust-version` both crates declare (workspace Cargo.toml, read with
/// `cargo metadata`) must be true: users on that stable compiler build them
/// natively (host-side `cargo test`, native backtests). A compiler newer than it
/// hides breakage — `__cpuid` became a safe fn after 1.89, and code that relied
/// on it failed there with E0133 — so that exact toolchain checks both crates,
/// their tests and benches. (The threaded wasm build needs nightly or
/// `RUSTC_BOOTSTRAP` with `-Z build-std` anyway: the stable row does that.)
fn msrv_check() -> Result {
    let meta = cmd::metadata()?;
    let mut versions = meta
        .packages
        .iter()
        .filter(|p| CRATES.contains(&p.name.as_str()))
        .map(|p| p.rust_version.clone().ok_or_else(|| format!("{} declares no rust-version", p.name)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    versions.dedup();
    let [version] = versions.as_slice() else {
        return Err(format!("the crates declare different rust-versions: {versions:?}").into());
    };
    let toolchain = version.to_string();
    cmd::run(Command::new("rustup").args(["toolchain", "install", &toolchain, "--profile", "minimal"]))?;
    let mut c = Command::new("rustup");
    c.args(["run", &toolchain, "cargo", "check", "--all-targets", "--target-dir"])
        .arg(root().join("target/msrv"))
        .args(CRATES.iter().flat_map(|c| ["-p", c]))
        .current_dir(root());
    // The outer cargo's variables name the pinned nightly's binaries and would win.
    for var in ["CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_BOOTSTRAP", "RUSTC_WRAPPER"] {
        c.env_remove(var);
    }
    cmd::run(&mut c)?;
    eprintln!("ok: both crates, their tests and benches compile with Rust {toolchain} (their rust-version)");
    Ok(())
}

/// LICENSE-MIT and LICENSE-APACHE exist in the root, in each crate and in js/,
/// and every copy is the root's text.
fn licences() -> Result {
    for name in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read(root().join(name)).map_err(|e| format!("{name} in the repository root: {e}"))?;
        for dir in ["thread-pool", "indicators", "js"] {
            let copy = std::fs::read(root().join(dir).join(name)).map_err(|e| format!("{dir}/{name}: {e}"))?;
            if copy != text {
                return Err(format!("{dir}/{name} differs from the root's {name}: copy it again").into());
            }
        }
    }
    eprintln!("ok: LICENSE-MIT and LICENSE-APACHE in the root, thread-pool/, indicators/, js/ are identical");
    Ok(())
}

fn package_list() -> Result {
    let listed = cmd::output(cmd::cargo().args(["package", "--list", "--allow-dirty", "-p", "rayon-web"]))?;
    let files: Vec<&str> = listed.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut missing: Vec<String> = ["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "src/lib.rs", "build.rs"]
        .iter()
        .filter(|f| !files.contains(f))
        .map(|f| f.to_string())
        .collect();
    // Every JS file the crate has on disk is loaded at run time (wasm-bindgen
    // `module = "/js/…"` snippets): all must ship.
    let mut js = 0;
    for e in std::fs::read_dir(root().join("thread-pool/js"))? {
        let name = format!("js/{}", e?.file_name().to_string_lossy());
        if name.ends_with(".js") {
            js += 1;
            if !files.contains(&name.as_str()) {
                missing.push(name);
            }
        }
    }
    if js == 0 {
        return Err("thread-pool/js/ has no .js files: the check would check nothing".into());
    }
    if !missing.is_empty() {
        return Err(format!("`cargo package --list -p rayon-web` lacks {missing:?}; it lists {files:?}").into());
    }
    // Junk: anything that is not the crate's source (build.rs included), manifest,
    // docs, licences, its run-time JS, or cargo's own generated files.
    let allowed = |f: &str| {
        matches!(f, "Cargo.toml" | "Cargo.toml.orig" | "Cargo.lock" | ".cargo_vcs_info.json" | "README.md" | "LICENSE-MIT" | "LICENSE-APACHE" | "build.rs")
            || (f.starts_with("src/") && f.ends_with(".rs"))
            || (f.starts_with("js/") && f.ends_with(".js"))
    };
    let junk: Vec<&&str> = files.iter().filter(|f| !allowed(f)).collect();
    if !junk.is_empty() {
        return Err(format!("`cargo package --list -p rayon-web` has files users do not need: {junk:?}").into());
    }
    eprintln!("ok: rayon-web packages {} files, {js} of them run-time JS, nothing else", files.len());
    Ok(())
}

fn publish_dry_run() -> Result {
    let mut c = cmd::cargo();
    // --allow-dirty: the tests run on work in progress; publishing for real is done from a clean tree.
    c.args(["publish", "--dry-run", "--allow-dirty"]);
    for p in CRATES {
        c.args(["-p", p]);
    }
    // The packaged crates are verified by building them natively, as cargo
    // does before a real upload; our wasm flags must not leak in.
    c.env_remove("RUSTFLAGS").env_remove("CARGO_ENCODED_RUSTFLAGS");
    cmd::run_with_deadline(&mut c, Duration::from_secs(900))
}

fn docs_rs() -> Result {
    let meta = cmd::metadata()?;
    for name in CRATES {
        let pkg = meta.packages.iter().find(|p| p.name.as_str() == name).ok_or_else(|| format!("no package {name}"))?;
        let docs = pkg.metadata.get("docs").and_then(|d| d.get("rs")).ok_or_else(|| format!("{name}: no [package.metadata.docs.rs]"))?;
        let strings = |key: &str| -> Vec<String> {
            docs.get(key).and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
        };
        let targets = strings("targets");
        if targets.is_empty() {
            return Err(format!("{name}: [package.metadata.docs.rs] lists no targets").into());
        }
        let rustdoc_args = strings("rustdoc-args");
        if !rustdoc_args.windows(2).any(|w| w == ["--cfg", "docsrs"]) {
            return Err(format!("{name}: [package.metadata.docs.rs] rustdoc-args must contain --cfg docsrs").into());
        }
        let rustc_args = strings("rustc-args");
        for target in &targets {
            let mut c = cmd::cargo();
            c.args(["rustdoc", "--lib", "-p", name, "--target", target, "--target-dir"]).arg(root().join("target/docs-rs"));
            if docs.get("all-features").and_then(|v| v.as_bool()) == Some(true) {
                c.arg("--all-features");
            }
            if docs.get("no-default-features").and_then(|v| v.as_bool()) == Some(true) {
                c.arg("--no-default-features");
            }
            let features = strings("features");
            if !features.is_empty() {
                c.arg("--features").arg(features.join(","));
            }
            // docs.rs: `--cfg docsrs` for rustc too, the metadata's rustc-args, and
            // no project config (a RUSTFLAGS variable replaces the config's table).
            let rustflags: Vec<String> = ["--cfg".to_string(), "docsrs".to_string()].into_iter().chain(rustc_args.iter().cloned()).collect();
            let mut rustdocflags = rustdoc_args.clone();
            // Warnings are errors here: a broken intra-doc link on docs.rs is a broken page.
            rustdocflags.extend(["-D".to_string(), "warnings".to_string()]);
            c.env_remove("RUSTFLAGS")
                .env("CARGO_ENCODED_RUSTFLAGS", rustflags.join("\x1f"))
                .env("CARGO_ENCODED_RUSTDOCFLAGS", rustdocflags.join("\x1f"))
                .env_remove("RUSTDOCFLAGS");
            cmd::run_with_deadline(&mut c, Duration::from_secs(600))?;
            let index = root().join("target/docs-rs").join(target).join("doc").join(name.replace('-', "_")).join("index.html");
            if !index.is_file() {
                return Err(format!("{name} on {target}: rustdoc wrote no {}", index.display()).into());
            }
        }
        eprintln!("ok: {name}: rustdoc as on docs.rs for {}", targets.join(", "));
    }
    Ok(())
}
