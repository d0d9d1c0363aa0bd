//! `cargo xtask matrix`: the core checks under each supported toolchain row,
//! printed as one table (the README's "Supported toolchains" is filled from it).
//!
//! # The model
//!
//! A row is a Rust toolchain plus a wasm-bindgen version (crate and CLI move
//! together: the CLI must equal the crate in Cargo.lock). The rows are:
//!
//! - `pinned`: the nightly of `rust-toolchain.toml` with Cargo.lock's wasm-bindgen
//!   (what `cargo xtask test` and CI run);
//! - `nightly`: the newest nightly on the Rust dist server (its channel manifest's date);
//! - `stable`: the newest stable release, with `RUSTC_BOOTSTRAP=1` so that it accepts
//!   `-Z build-std` (rust-lang/rust#77839), see README "Build flags";
//! - `wasm-bindgen`: the pinned nightly with the newest wasm-bindgen on crates.io.
//!
//! Every row works in its own copy of the workspace (the tracked and untracked,
//! not ignored, files of this checkout) in the system temp folder
//! (`$RAYON_WEB_MATRIX_DIR` overrides): a copy inside this checkout's `target/`
//! would have cargo merge our `.cargo/config.toml` into the copy's and append
//! every rustflag twice. A copy has its own `target/` and `target/pkg/`, so the
//! tests, which find packages at `target/pkg/<name>` relative to their own
//! file, test that row's build without any switch, and no row clobbers another
//! or the normal builds. In the copy, `rust-toolchain.toml` names the row's
//! toolchain; for the wasm-bindgen row the `=` pin in Cargo.toml and the
//! wasm-bindgen family in Cargo.lock are moved (the real Cargo.lock is never
//! touched) and `.tools/bin` points at a CLI installed into
//! `.tools/wasm-bindgen-<version>/`. `node_modules` and, for the other rows,
//! `.tools` are links to this checkout's.
//!
//! Per row: install the toolchain (rustup) and CLI (cargo install) if missing,
//! `cargo xtask build` in the copy (the same five packages as the normal build),
//! then the core checks, each with a deadline: the Node pool, lifecycle and
//! ALMA tests, the Chromium ALMA and consumer tests, and the drop-in
//! wasm-bindgen-test `thread-pool/tests/web.rs` in headless Chromium.

use crate::cmd::{self, root, Result};
use crate::setup;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Options of `cargo xtask matrix`.
#[derive(clap::Args)]
pub struct Args {
    /// The rows to run, comma-separated: pinned,nightly,stable,wasm-bindgen (default: all four).
    #[arg(long, value_delimiter = ',', value_parser = Kind::parse)]
    rows: Vec<Kind>,
    /// The version for the wasm-bindgen row (default: the newest on crates.io).
    #[arg(long = "wasm-bindgen")]
    wasm_bindgen: Option<String>,
}

/// Which toolchain row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// rust-toolchain.toml's nightly, Cargo.lock's wasm-bindgen.
    Pinned,
    /// The newest nightly on the dist server.
    Nightly,
    /// The newest stable release with RUSTC_BOOTSTRAP=1.
    Stable,
    /// The pinned nightly with the newest wasm-bindgen (crate + CLI).
    WasmBindgen,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Pinned, Kind::Nightly, Kind::Stable, Kind::WasmBindgen];

    fn id(self) -> &'static str {
        match self {
            Kind::Pinned => "pinned",
            Kind::Nightly => "nightly",
            Kind::Stable => "stable",
            Kind::WasmBindgen => "wasm-bindgen",
        }
    }

    fn parse(s: &str) -> std::result::Result<Kind, String> {
        Kind::ALL.into_iter().find(|k| k.id() == s.trim()).ok_or_else(|| format!("unknown row `{s}` (rows: pinned, nightly, stable, wasm-bindgen)"))
    }
}

/// A resolved row: what to install and run.
struct Row {
    kind: Kind,
    /// rustup toolchain name (`nightly-2026-05-20`, `1.99.1`).
    toolchain: String,
    /// wasm-bindgen crate and CLI version.
    wasm_bindgen: String,
    /// Whether the build needs RUSTC_BOOTSTRAP=1 (stable).
    bootstrap: bool,
    /// When the wasm-bindgen row would equal the pinned one: not run twice.
    same_as_pinned: bool,
}

/// What running a row gave.
#[derive(Default)]
struct Outcome {
    rustc: String,
    build_ok: Option<bool>,
    passed: u32,
    failed: u32,
    secs: f64,
    /// `step: message` of the first failure.
    failure: Option<String>,
}

pub fn run(args: &Args) -> Result {
    let kinds = if args.rows.is_empty() { Kind::ALL.to_vec() } else { args.rows.clone() };
    run_rows(&kinds, args.wasm_bindgen.clone())
}

/// Runs `kinds`, prints the table, fails if any row failed. Also used by
/// `cargo xtask test` for the stable row.
pub fn run_rows(kinds: &[Kind], wb_version: Option<String>) -> Result {
    setup::ensure_all()?;
    setup::ensure_apt(&[("/usr/bin/curl", "curl")])?;
    if !cmd::on_path("rustup") {
        return Err("rustup is not on PATH: the matrix installs each row's toolchain with it (https://rustup.rs)".into());
    }
    let date = cmd::output(Command::new("date").args(["-u", "+%Y-%m-%d"]))?.trim().to_string();
    let mut results = Vec::new();
    for &kind in kinds {
        let t0 = Instant::now();
        eprintln!("\n== matrix row `{}` ==", kind.id());
        let (row, mut out) = match resolve(kind, wb_version.as_deref()) {
            Ok(row) => {
                let mut out = Outcome::default();
                if row.same_as_pinned {
                    eprintln!("wasm-bindgen {} is both the newest on crates.io and Cargo.lock's: this row is the pinned row", row.wasm_bindgen);
                } else if let Err(e) = run_row(&row, &mut out) {
                    out.failure.get_or_insert_with(|| e.to_string());
                }
                (Some(row), out)
            }
            Err(e) => (None, Outcome { failure: Some(format!("resolving the row: {e}")), ..Outcome::default() }),
        };
        out.secs = t0.elapsed().as_secs_f64();
        if let Some(f) = &out.failure {
            eprintln!("\nmatrix row `{}` FAILED: {f}", kind.id());
        }
        results.push((kind, row, out));
    }
    // The pinned row's outcome stands for a wasm-bindgen row identical to it.
    let pinned_ok = results.iter().find(|(k, _, _)| *k == Kind::Pinned).map(|(_, _, o)| o.failure.is_none() && o.build_ok == Some(true));
    let table = table(&results, &date, pinned_ok);
    println!("\n{table}");
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(k, _, o)| o.failure.as_ref().map(|f| format!("- row `{}`: {}", k.id(), f.lines().next().unwrap_or(""))))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} matrix row(s) failed (details above):\n{}", failed.len(), failed.join("\n")).into())
    }
}

fn table(results: &[(Kind, Option<Row>, Outcome)], date: &str, pinned_ok: Option<bool>) -> String {
    let mut s = String::from(
        "| row | toolchain | rustc | wasm-bindgen | build ok | tests passed / failed | seconds | last run |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (kind, row, o) in results {
        let (tc, wb) = row.as_ref().map(|r| {
            let tc = if r.bootstrap { format!("{} + `RUSTC_BOOTSTRAP=1`", r.toolchain) } else { r.toolchain.clone() };
            (tc, r.wasm_bindgen.clone())
        }).unwrap_or_else(|| ("?".into(), "?".into()));
        if row.as_ref().is_some_and(|r| r.same_as_pinned) {
            let state = match pinned_ok {
                Some(true) => "= pinned row (passed)",
                Some(false) => "= pinned row (failed)",
                None => "= pinned row (run `--rows pinned`)",
            };
            let _ = writeln!(s, "| {} | {tc} | = pinned | {wb} (newest = Cargo.lock) | {state} | {state} | {:.0} | {date} |", kind.id(), o.secs);
            continue;
        }
        let build = match o.build_ok {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not reached",
        };
        let tests = if o.failure.is_some() && o.passed + o.failed == 0 { "—".to_string() } else { format!("{} / {}", o.passed, o.failed) };
        let tests = if o.failure.is_some() && o.build_ok == Some(true) { format!("**{tests}** (failed)") } else { tests };
        let _ = writeln!(s, "| {} | {tc} | {} | {wb} | {build} | {tests} | {:.0} | {date} |", kind.id(), o.rustc, o.secs);
    }
    s
}

/// Finds the toolchain and wasm-bindgen version of a row.
fn resolve(kind: Kind, wb_override: Option<&str>) -> Result<Row> {
    let pinned = pinned_toolchain()?;
    let locked = setup::locked_wasm_bindgen_version()?;
    Ok(match kind {
        Kind::Pinned => Row { kind, toolchain: pinned, wasm_bindgen: locked, bootstrap: false, same_as_pinned: false },
        Kind::Nightly => {
            let m = channel_manifest("nightly")?;
            let date = manifest_field(&m, "date").ok_or("the nightly channel manifest has no `date`")?;
            Row { kind, toolchain: format!("nightly-{date}"), wasm_bindgen: locked, bootstrap: false, same_as_pinned: false }
        }
        Kind::Stable => {
            let m = channel_manifest("stable")?;
            // `[pkg.rust]` is followed by `version = "1.99.1 (58cf8f9c3 2026-10-13)"`.
            let version = m
                .split("\n[pkg.rust]\n")
                .nth(1)
                .and_then(|t| manifest_field(t, "version"))
                .and_then(|v| v.split_whitespace().next().map(str::to_string))
                .ok_or("the stable channel manifest has no [pkg.rust] version")?;
            Row { kind, toolchain: version, wasm_bindgen: locked, bootstrap: true, same_as_pinned: false }
        }
        Kind::WasmBindgen => {
            let newest = match wb_override {
                Some(v) => v.to_string(),
                None => newest_wasm_bindgen()?,
            };
            let same = newest == locked;
            Row { kind, toolchain: pinned, wasm_bindgen: newest, bootstrap: false, same_as_pinned: same }
        }
    })
}

/// `channel` in rust-toolchain.toml.
fn pinned_toolchain() -> Result<String> {
    let text = std::fs::read_to_string(root().join("rust-toolchain.toml"))?;
    manifest_field(&text, "channel").ok_or_else(|| "rust-toolchain.toml has no `channel`".into())
}

/// The first `key = "value"` line of a TOML text (manifests and rust-toolchain.toml are flat enough).
fn manifest_field(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The channel manifest rustup itself reads (`$RUSTUP_DIST_SERVER`, default static.rust-lang.org).
fn channel_manifest(channel: &str) -> Result<String> {
    let server = std::env::var("RUSTUP_DIST_SERVER").unwrap_or_else(|_| "https://static.rust-lang.org".into());
    let url = format!("{}/dist/channel-rust-{channel}.toml", server.trim_end_matches('/'));
    cmd::output(Command::new("curl").args(["-fsSL", "--retry", "3", "--max-time", "120", &url]))
        .map_err(|e| format!("could not read the {channel} channel manifest {url}: {e}").into())
}

/// The newest wasm-bindgen on crates.io, as `cargo info` (run outside the workspace, so not the locked one) says.
fn newest_wasm_bindgen() -> Result<String> {
    let out = cmd::output(cmd::cargo().args(["info", "wasm-bindgen"]).current_dir(std::env::temp_dir()))?;
    out.lines()
        .find_map(|l| l.strip_prefix("version:").and_then(|v| v.split_whitespace().next()).map(str::to_string))
        .ok_or_else(|| format!("`cargo info wasm-bindgen` printed no version:\n{out}").into())
}

/// Where the row copies live.
fn matrix_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RAYON_WEB_MATRIX_DIR") {
        return PathBuf::from(d);
    }
    // One folder per checkout, so two checkouts on one machine don't share copies.
    let name = root().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut hash: u32 = 2166136261;
    for b in root().to_string_lossy().bytes() {
        hash = (hash ^ b as u32).wrapping_mul(16777619);
    }
    std::env::temp_dir().join(format!("rayon-web-matrix-{name}-{hash:08x}"))
}

fn run_row(row: &Row, out: &mut Outcome) -> Result {
    let base = matrix_dir().join(row.kind.id());
    let logs = base.join("logs");
    std::fs::create_dir_all(&logs)?;

    step(out, "install toolchain", || {
        cmd::run(Command::new("rustup").args(["toolchain", "install", &row.toolchain, "--profile", "minimal", "-c", "rust-src", "-t", "wasm32-unknown-unknown"]))
    })?;
    out.rustc = cmd::output(Command::new("rustup").args(["run", &row.toolchain, "rustc", "-V"]))?
        .trim()
        .trim_start_matches("rustc ")
        .to_string();
    let cli_bin = if row.kind == Kind::WasmBindgen {
        Some(step(out, "install wasm-bindgen-cli", || ensure_cli(&row.wasm_bindgen))?)
    } else {
        None
    };

    let ws = base.join("ws");
    step(out, "prepare the workspace copy", || prepare_copy(row, &ws, cli_bin.as_deref()))?;

    eprintln!("building the five wasm packages in {} (log: {})", ws.display(), logs.join("build.log").display());
    let build = logged(row, &ws, &logs.join("build.log"), 3600, &mut rustup_cargo(row, &["xtask", "build"]));
    out.build_ok = Some(build.is_ok());
    build.map_err(|e| format!("build (`cargo xtask build` with {}): {e}", row.toolchain))?;

    // Each check runs even when an earlier one failed: the table counts them all.
    let mut failures = Vec::new();
    let mut node = Command::new("node");
    node.args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
        .args([
            "tests/node/pool.test.mjs",
            "tests/node/lifecycle.test.mjs",
            "tests/node/indicators.test.mjs",
            "tests/browser/indicators.test.mjs",
            "tests/browser/consumer.test.mjs",
        ])
        .env("RAYON_WEB_BROWSERS", "chromium")
        .env("RAYON_WEB_REPEATS", "2");
    let log = logs.join("node.log");
    eprintln!("Node and Chromium checks (log: {})", log.display());
    let r = logged(row, &ws, &log, 1800, &mut node);
    count(&log, out);
    if let Err(e) = r {
        failures.push(format!("Node/Chromium checks (node --test): {e}"));
    }

    let mut web = rustup_cargo(row, &["test", "-p", "rayon-web", "--test", "web", "--release", "--target", "wasm32-unknown-unknown", "-Z", "build-std=std,panic_abort"]);
    web.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", ws.join(".tools/bin/wasm-bindgen-test-runner"))
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60")
        .env_remove("GECKODRIVER")
        .env_remove("SAFARIDRIVER");
    let log = logs.join("web.log");
    eprintln!("wasm-bindgen-test thread-pool/tests/web.rs in Chromium (log: {})", log.display());
    // The runner reads webdriver.json (Chromium flags for root, headless) from thread-pool/.
    let r = logged(row, &ws.join("thread-pool"), &log, 1800, &mut web);
    count(&log, out);
    if let Err(e) = r {
        failures.push(format!("wasm-bindgen-test (thread-pool/tests/web.rs): {e}"));
    }
    if row.kind == Kind::Stable {
        // Without RUSTC_BOOTSTRAP a stable rustc ignores +atomics; rayon-web's build.rs
        // must notice and say so (not a silent single-threaded module, nor a link error).
        let mut c = rustup_cargo(row, &["check", "-p", "rayon-web", "--target", "wasm32-unknown-unknown", "--target-dir"]);
        c.arg(base.join("target-ignored-atomics")).current_dir(&ws);
        clear_outer_env(&mut c);
        c.env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+atomics,+simd128");
        let o = c.output()?;
        let stderr = String::from_utf8_lossy(&o.stderr);
        if o.status.success() || !stderr.contains("this compiler ignored it") {
            failures.push(format!("{} without RUSTC_BOOTSTRAP and with +atomics: rayon-web must refuse to compile, saying the compiler ignored +atomics; got {}:\n{}", row.toolchain, o.status, excerpt(&stderr)));
        } else {
            eprintln!("ok: {} without RUSTC_BOOTSTRAP refuses +atomics it ignores, with rayon-web's message", row.toolchain);
        }
    }
    if !failures.is_empty() {
        out.failure = Some(failures.join("\n"));
    }
    Ok(())
}

/// Runs one set-up step, recording its name in the failure.
fn step<T>(out: &mut Outcome, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    f().map_err(|e| {
        let msg = format!("{name}: {e}");
        out.failure = Some(msg.clone());
        msg.into()
    })
}

/// `rustup run <toolchain> cargo <args>`, with the outer cargo's variables removed
/// (they name the pinned toolchain's binaries and would win over the row's).
fn rustup_cargo(row: &Row, args: &[&str]) -> Command {
    let mut c = Command::new("rustup");
    c.args(["run", &row.toolchain, "cargo"]).args(args);
    c
}

/// Removes what the outer cargo (and the caller's shell) put in the environment:
/// the pinned toolchain's binaries, target dirs, rustflags and RUSTC_BOOTSTRAP
/// would otherwise decide the row's build instead of the row.
fn clear_outer_env(c: &mut Command) {
    for var in [
        "CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", "RUSTC_BOOTSTRAP", "RUSTC_WRAPPER",
    ] {
        c.env_remove(var);
    }
}

/// Runs `c` in `dir` with the row's environment and a deadline, output into
/// `log`; on failure the error carries the tool's own message from the log.
fn logged(row: &Row, dir: &Path, log: &Path, deadline_secs: u64, c: &mut Command) -> Result {
    clear_outer_env(c);
    if row.bootstrap {
        // Lets a stable rustc/cargo accept `-Z build-std` (rust-lang/rust#77839); see README "Build flags".
        c.env("RUSTC_BOOTSTRAP", "1");
    }
    c.current_dir(dir);
    let file = std::fs::File::create(log)?;
    // `timeout` signals the whole process group (Chromium, workers), and -k kills what ignores TERM.
    let mut t = Command::new("timeout");
    t.args(["-k", "30", &deadline_secs.to_string()]).arg(c.get_program()).args(c.get_args()).current_dir(dir);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => t.env(k, v),
            None => t.env_remove(k),
        };
    }
    eprintln!("$ (in {}) {}", dir.display(), cmd::describe(c));
    let status = t.stdout(file.try_clone()?).stderr(file).stdin(Stdio::null()).status()?;
    if status.success() {
        return Ok(());
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let why = if status.code() == Some(124) || status.code() == Some(137) {
        format!("did not finish within {deadline_secs} s")
    } else {
        format!("exited with {status}")
    };
    let msg = format!("{why}; its own message ({}):\n{}", log.display(), excerpt(&text));
    eprintln!("{msg}");
    Err(msg.into())
}

/// The lines of a log that say what went wrong: compiler errors, failing tests and
/// their messages, panics; the last lines when none match.
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut picked = Vec::new();
    let mut i = 0;
    while i < lines.len() && picked.len() < 60 {
        let l = lines[i].trim_start();
        let hit = l.starts_with("error") || l.starts_with("not ok") || l.contains("panicked at") || l.starts_with("xtask: error") || l.starts_with("failures:");
        if hit && !l.starts_with("error: test failed") {
            // The message follows: for TAP up to the stack, for rustc up to the blank line.
            let end = (i + 14).min(lines.len());
            for l in &lines[i..end] {
                if l.trim_start().starts_with("stack:") {
                    break;
                }
                picked.push(*l);
            }
            picked.push("  ...");
            i = end;
        } else {
            i += 1;
        }
    }
    if picked.is_empty() {
        picked = lines[lines.len().saturating_sub(30)..].to_vec();
    }
    picked.iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

/// Adds a log's test counts: TAP's `# pass N` / `# fail N`, cargo's `N passed; M failed`.
fn count(log: &Path, out: &mut Outcome) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let num = |s: &str| s.trim().split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    for l in text.lines() {
        if let Some(n) = l.strip_prefix("# pass ") {
            out.passed += num(n);
        } else if let Some(n) = l.strip_prefix("# fail ") {
            out.failed += num(n);
        } else if let Some(rest) = l.strip_prefix("test result: ") {
            // "ok. 12 passed; 0 failed; 0 ignored; ..."
            for part in rest.split(';') {
                let part = part.trim().trim_start_matches("ok. ").trim_start_matches("FAILED. ");
                if let Some(n) = part.strip_suffix(" passed") {
                    out.passed += num(n);
                } else if let Some(n) = part.strip_suffix(" failed") {
                    out.failed += num(n);
                }
            }
        }
    }
}

/// wasm-bindgen-cli `version` in `.tools/wasm-bindgen-<version>/bin`, installed once.
fn ensure_cli(version: &str) -> Result<PathBuf> {
    let dir = root().join(".tools").join(format!("wasm-bindgen-{version}"));
    let bin = dir.join("bin");
    let ok = cmd::output(&mut Command::new(bin.join("wasm-bindgen")).arg("--version")).map(|v| v.contains(version)).unwrap_or(false);
    if !ok || !bin.join("wasm-bindgen-test-runner").is_file() {
        eprintln!("xtask: installing wasm-bindgen-cli {version} into {} (about 3 minutes, once)", dir.display());
        // Not --locked, as in setup.rs: a locked dependency is missing from the registry mirror.
        cmd::run(cmd::cargo().args(["install", "wasm-bindgen-cli", "--version", &format!("={version}"), "--root"]).arg(&dir))?;
    }
    Ok(bin)
}

/// Brings the row's copy of the workspace up to date with this checkout.
fn prepare_copy(row: &Row, ws: &Path, cli_bin: Option<&Path>) -> Result {
    let src = root();
    let list = cmd::output(Command::new("git").args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"]).current_dir(&src))?;
    for rel in list.split('\0').filter(|s| !s.is_empty()) {
        let from = src.join(rel);
        if !from.is_file() {
            continue; // deleted in the checkout but still in git's index
        }
        copy_if_changed(&from, &ws.join(rel))?;
    }
    // The row's toolchain, for anyone who runs cargo in the copy by hand too.
    let toolchain = std::fs::read_to_string(src.join("rust-toolchain.toml"))?;
    let pinned = pinned_toolchain()?;
    write_if_changed(&ws.join("rust-toolchain.toml"), &toolchain.replace(&format!("\"{pinned}\""), &format!("\"{}\"", row.toolchain)))?;

    // node_modules: links to this checkout's (installed from the lockfiles by setup);
    // the lockfiles keep their time so the copy's setup sees node_modules as fresh.
    for dir in ["tests", "demo"] {
        link(&src.join(dir).join("node_modules"), &ws.join(dir).join("node_modules"))?;
        let lock = src.join(dir).join("package-lock.json");
        let copied = ws.join(dir).join("package-lock.json");
        std::fs::File::options().write(true).open(&copied)?.set_modified(std::fs::metadata(&lock)?.modified()?)?;
    }

    let tools = ws.join(".tools");
    let real_tools = src.join(".tools").canonicalize()?;
    match cli_bin {
        None => link(&real_tools, &tools)?,
        Some(cli) => {
            // Our own .tools: bin/ holds this row's CLI, geckodriver is shared.
            if tools.is_symlink() {
                std::fs::remove_file(&tools)?;
            }
            let bin = tools.join("bin");
            std::fs::create_dir_all(&bin)?;
            for name in ["wasm-bindgen", "wasm-bindgen-test-runner", "wasm2es6js"] {
                link(&cli.join(name), &bin.join(name))?;
            }
            link(&real_tools.join("bin/geckodriver"), &bin.join("geckodriver"))?;
            move_wasm_bindgen(row, ws)?;
        }
    }
    Ok(())
}

/// The wasm-bindgen row: the `=` pin and Cargo.lock's wasm-bindgen family moved to `row.wasm_bindgen`.
fn move_wasm_bindgen(row: &Row, ws: &Path) -> Result {
    let manifest = ws.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)?;
    let locked = setup::locked_wasm_bindgen_version()?;
    let pin = format!("wasm-bindgen = \"={locked}\"");
    if !text.contains(&pin) {
        return Err(format!("the workspace Cargo.toml has no `{pin}` line to move").into());
    }
    write_if_changed(&manifest, &text.replace(&pin, &format!("wasm-bindgen = \"={}\"", row.wasm_bindgen)))?;
    // js-sys, web-sys, wasm-bindgen-futures and wasm-bindgen-test pin wasm-bindgen
    // with `=`: they move with it, to their newest releases compatible with Cargo.toml.
    let mut c = Command::new("rustup");
    c.args(["run", &row.toolchain, "cargo", "update", "wasm-bindgen", "js-sys", "web-sys", "wasm-bindgen-futures", "wasm-bindgen-test"])
        .current_dir(ws)
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN");
    cmd::run(&mut c)?;
    let lock = std::fs::read_to_string(ws.join("Cargo.lock"))?;
    if !lock.contains(&format!("name = \"wasm-bindgen\"\nversion = \"{}\"", row.wasm_bindgen)) {
        return Err(format!("`cargo update` did not move Cargo.lock's wasm-bindgen to {}", row.wasm_bindgen).into());
    }
    Ok(())
}

fn copy_if_changed(from: &Path, to: &Path) -> Result {
    let new = std::fs::read(from)?;
    // Unchanged files keep their time, so cargo's rebuilds in the copy stay incremental.
    if std::fs::read(to).map(|old| old == new).unwrap_or(false) {
        return Ok(());
    }
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::copy(from, to)?;
    Ok(())
}

fn write_if_changed(path: &Path, text: &str) -> Result {
    if std::fs::read_to_string(path).map(|old| old == text).unwrap_or(false) {
        return Ok(());
    }
    Ok(std::fs::write(path, text)?)
}

/// Makes `link` a symlink to `target` (replacing a different one).
fn link(target: &Path, link: &Path) -> Result {
    if std::fs::read_link(link).map(|t| t == target).unwrap_or(false) {
        return Ok(());
    }
    if link.is_symlink() || link.is_file() {
        std::fs::remove_file(link)?;
    } else if link.is_dir() {
        return Err(format!("{} is a folder, expected a link to {}", link.display(), target.display()).into());
    }
    if let Some(dir) = link.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::os::unix::fs::symlink(target, link).map_err(|e| format!("could not link {} -> {}: {e}", link.display(), target.display()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tap_and_cargo_results() {
        let dir = std::env::temp_dir().join(format!("xtask-matrix-count-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("log");
        std::fs::write(&log, "# tests 12\n# pass 11\n# fail 1\ntest result: ok. 7 passed; 0 failed; 0 ignored\ntest result: FAILED. 2 passed; 3 failed;\n").unwrap();
        let mut o = Outcome::default();
        count(&log, &mut o);
        assert_eq!((o.passed, o.failed), (20, 4));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn reads_manifest_fields() {
        let m = "manifest-version = \"2\"\ndate = \"2026-10-30\"\n\n[pkg.rust]\nversion = \"1.99.1 (58cf8f9c3 2026-10-13)\"\n";
        assert_eq!(manifest_field(m, "date").as_deref(), Some("2026-10-30"));
        assert_eq!(manifest_field(m.split("\n[pkg.rust]\n").nth(1).unwrap(), "version").as_deref(), Some("1.99.1 (58cf8f9c3 2026-10-13)"));
    }

    #[test]
    fn excerpt_picks_the_compiler_and_test_messages() {
        let log = "   Compiling x\nerror[E0425]: cannot find value `y`\n --> src/lib.rs:1:1\n\nok 1 - fine\nnot ok 2 - broken\n  ---\n  error: 'expected 2'\n  stack: |-\n    at x\n";
        let e = excerpt(log);
        assert!(e.contains("error[E0425]") && e.contains("not ok 2 - broken") && e.contains("expected 2") && !e.contains("at x"), "{e}");
    }
}
