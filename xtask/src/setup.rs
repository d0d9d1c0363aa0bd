//! First-use installation of everything outside cargo's reach, idempotent and
//! project-local where possible (`.tools/`), so a fresh Debian machine needs
//! nothing but rustup, Node 20 and root.

use crate::cmd::{self, output, root, run, Result};
use std::path::PathBuf;
use std::process::Command;

/// Paths of the tools the other commands use.
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub test_runner: PathBuf,
    pub geckodriver: PathBuf,
}

/// Debian packages: (binary that proves it is installed, package).
const APT: [(&str, &str); 5] = [
    ("/usr/bin/chromium", "chromium"),
    ("/usr/bin/chromedriver", "chromium-driver"),
    ("/usr/bin/firefox-esr", "firefox-esr"),
    ("/usr/bin/WebKitWebDriver", "webkit2gtk-driver"),
    ("/usr/bin/xvfb-run", "xvfb"),
];

/// The geckodriver release verified with Firefox ESR 153 here.
const GECKODRIVER_VERSION: &str = "0.37.1";

/// Everything `cargo xtask test` needs.
pub fn ensure_all() -> Result<Tools> {
    ensure_apt(&APT.iter().map(|(b, p)| (*b, *p)).collect::<Vec<_>>())?;
    let tools = ensure_cargo_tools(true)?;
    ensure_npm("tests")?;
    ensure_npm("demo")?;
    // The bundler fixture apps, Deno/Bun and newer Node releases (tests/browser/bundlers.test.mjs,
    // tests/runtimes/): each pins its own versions in its lockfile.
    for dir in NPM_FIXTURES {
        ensure_npm(dir)?;
    }
    Ok(tools)
}

/// Folders with their own package-lock.json besides tests/ and demo/.
const NPM_FIXTURES: [&str; 6] = [
    "tests/fixtures/webpack",
    "tests/fixtures/parcel",
    "tests/fixtures/rollup",
    "tests/fixtures/esbuild",
    "tests/runtimes",
    "tests/runtimes/node-versions",
];

/// The wasm-pack release verified here (tests/browser/wasm-pack.test.mjs).
const WASM_PACK_VERSION: &str = "0.15.1";

/// wasm-pack into `.tools/bin`, built from crates.io (its installer script and
/// prebuilt binaries come from GitHub, which is unreachable here).
pub fn ensure_wasm_pack() -> Result<PathBuf> {
    let path = root().join(".tools/bin/wasm-pack");
    if !tool_version_ok(&path, WASM_PACK_VERSION) {
        eprintln!("xtask: building wasm-pack {WASM_PACK_VERSION} into .tools (a few minutes, once)");
        run(cmd::cargo().args(["install", "wasm-pack", "--version", &format!("={WASM_PACK_VERSION}"), "--root"]).arg(root().join(".tools")))?;
    }
    Ok(path)
}

/// Installs the missing packages among `wanted` with apt-get (needs root).
pub fn ensure_apt(wanted: &[(&str, &str)]) -> Result {
    let missing: Vec<&str> = wanted.iter().filter(|(bin, _)| !std::path::Path::new(bin).exists()).map(|(_, p)| *p).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let uid = output(Command::new("id").arg("-u")).unwrap_or_default();
    if uid.trim() != "0" {
        return Err(format!(
            "these Debian packages are missing: {0}. Run as root, or install them first:\n  \
             sudo apt-get update && sudo apt-get install -y {0}",
            missing.join(" ")
        )
        .into());
    }
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "-qq"])
        .args(&missing))
}

/// The wasm-bindgen version the workspace resolves to (Cargo.lock, via `cargo
/// metadata`): the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let meta = cmd::metadata()?;
    let mut versions: Vec<String> =
        meta.packages.iter().filter(|p| p.name.as_str() == "wasm-bindgen").map(|p| p.version.to_string()).collect();
    versions.sort();
    versions.dedup();
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err("`cargo metadata` lists no wasm-bindgen package in the workspace".into()),
        many => Err(format!("the workspace resolves several wasm-bindgen versions ({}); the CLI can match only one", many.join(", ")).into()),
    }
}

fn tool_version_ok(path: &PathBuf, needle: &str) -> bool {
    path.is_file() && output(&mut Command::new(path).arg("--version")).map(|v| v.contains(needle)).unwrap_or(false)
}

/// wasm-bindgen-cli (== Cargo.lock) and, when `gecko`, geckodriver, into `.tools/bin`.
pub fn ensure_cargo_tools(gecko: bool) -> Result<Tools> {
    let bin = root().join(".tools/bin");
    let tools = Tools {
        wasm_bindgen: bin.join("wasm-bindgen"),
        test_runner: bin.join("wasm-bindgen-test-runner"),
        geckodriver: bin.join("geckodriver"),
    };
    let version = locked_wasm_bindgen_version()?;
    if !tool_version_ok(&tools.wasm_bindgen, &version) || !tools.test_runner.is_file() {
        eprintln!("xtask: installing wasm-bindgen-cli {version} into .tools (about 3 minutes, once)");
        // Not --locked: one of its locked dependencies is missing from the registry mirror.
        run(cmd::cargo().args(["install", "wasm-bindgen-cli", "--version", &format!("={version}"), "--root"]).arg(root().join(".tools")))?;
    }
    if gecko && !tool_version_ok(&tools.geckodriver, GECKODRIVER_VERSION) {
        eprintln!("xtask: building geckodriver {GECKODRIVER_VERSION} into .tools (about 2 minutes, once)");
        // From crates.io: the npm `geckodriver` package downloads from GitHub, which is unreachable here.
        run(cmd::cargo().args(["install", "geckodriver", "--version", GECKODRIVER_VERSION, "--root"]).arg(root().join(".tools")))?;
    }
    Ok(tools)
}

/// `npm ci` in `dir` (relative to the root) when its node_modules is missing or older than the lockfile.
pub fn ensure_npm(dir: &str) -> Result {
    let dir = root().join(dir);
    let stamp = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified()? >= l.modified()?,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    if !cmd::on_path("npm") {
        return Err("npm is not on PATH: install Node.js 20 (with npm)".into());
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))
}
