//! The README is tested: a fresh crate is made from exactly the snippets of
//! README.md's "Using rayon-web in your crate", built with exactly its commands,
//! and its Node script is run.
//!
//! Snippets are found by marker comments, never copied, and taken in the
//! README's order: files are written (or appended to) and commands run as a
//! reader meets them.
//!
//! ```text
//! <!-- readme-test: Cargo.toml -->      the next fenced block is (appended to) this file of the crate
//! <!-- readme-test: run -->             the next fenced block is shell run in the crate (bash -eu), in order
//! ```
//!
//! Every `// → X` comment in a `.mjs` or `.cjs` snippet is an expected line of the run's
//! output, in order. The crate lives in a temporary folder outside this
//! repository (so neither our `.cargo/config.toml` nor our `rust-toolchain.toml`
//! helps it), and depends on `rayon-web = "0.1"` like a user's; a
//! `.cargo/config.toml` in the folder *above* it patches that to this checkout
//! (`[patch.crates-io] rayon-web = { path = ... }`, merged by cargo with the
//! crate's own config), so the crate's files are the README's and nothing else.
//! The wasm-bindgen CLI on PATH is the one `setup.rs` installed, at the version
//! the README's install command names (checked).

use crate::cmd::{self, root, Result};
use crate::setup::Tools;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A fenced block of README.md that follows a `<!-- readme-test: X -->` marker.
pub struct Snippet {
    /// What the marker says: a file path in the crate, or `run`.
    pub target: String,
    pub body: String,
    /// 1-based line of the marker, for messages.
    pub line: usize,
}

/// Every marked snippet of `markdown`, in order. A marker not followed by a
/// fenced block is an error (a snippet silently dropped would test nothing).
pub fn snippets(markdown: &str) -> Result<Vec<Snippet>> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(target) = lines[i].trim().strip_prefix("<!-- readme-test:").and_then(|r| r.strip_suffix("-->")) else {
            i += 1;
            continue;
        };
        let marker_line = i + 1;
        let mut j = i + 1;
        while j < lines.len() && lines[j].trim().is_empty() {
            j += 1;
        }
        let fence = lines.get(j).map(|l| l.trim_start()).filter(|l| l.starts_with("```"));
        let Some(fence) = fence else {
            return Err(format!("README.md:{marker_line}: a readme-test marker must be followed by a fenced code block").into());
        };
        let ticks = fence.len() - fence.trim_start_matches('`').len();
        let close = "`".repeat(ticks);
        let mut body = String::new();
        j += 1;
        while j < lines.len() && lines[j].trim() != close {
            body.push_str(lines[j]);
            body.push('\n');
            j += 1;
        }
        if j == lines.len() {
            return Err(format!("README.md:{marker_line}: unclosed code block").into());
        }
        out.push(Snippet { target: target.trim().to_string(), body, line: marker_line });
        i = j + 1;
    }
    Ok(out)
}

/// The expected output lines: every `// → X` comment of the `.mjs` and `.cjs` snippets.
fn expected_output(snippets: &[Snippet]) -> Vec<String> {
    snippets
        .iter()
        .filter(|s| s.target.ends_with(".mjs") || s.target.ends_with(".cjs"))
        .flat_map(|s| s.body.lines())
        .filter_map(|l| l.split_once("// → ").map(|(_, x)| x.trim().to_string()))
        .collect()
}

/// Checks that the README's copies of the project's single sources of truth
/// agree with them: the wasm32 flags, the nightly, the wasm-bindgen version.
fn check_copies(snippets: &[Snippet], all: &str) -> Result {
    let file = |name: &str| -> Result<String> {
        let s: String = snippets.iter().filter(|s| s.target == name).map(|s| s.body.as_str()).collect();
        if s.is_empty() {
            return Err(format!("README.md has no `<!-- readme-test: {name} -->` snippet").into());
        }
        Ok(s)
    };
    // The flags: the README's config table must be exactly the repository's.
    let theirs: toml::Table = file(".cargo/config.toml")?.parse().map_err(|e| format!("README's .cargo/config.toml: {e}"))?;
    let flags: Vec<String> = theirs["target"]["wasm32-unknown-unknown"]["rustflags"]
        .as_array()
        .ok_or("README's .cargo/config.toml has no wasm32 rustflags array")?
        .iter()
        .map(|f| f.as_str().unwrap_or_default().to_string())
        .collect();
    if flags != crate::wasm::config_rustflags()? {
        return Err(format!("README's wasm32 rustflags differ from .cargo/config.toml's:\n  README: {flags:?}").into());
    }
    // The nightly: the README's rust-toolchain.toml names ours.
    let tc: toml::Table = file("rust-toolchain.toml")?.parse().map_err(|e| format!("README's rust-toolchain.toml: {e}"))?;
    let ours: toml::Table = std::fs::read_to_string(root().join("rust-toolchain.toml"))?.parse()?;
    if tc["toolchain"].get("channel") != ours["toolchain"].get("channel") {
        return Err(format!("README's rust-toolchain.toml channel {:?} is not ours ({:?})", tc["toolchain"].get("channel"), ours["toolchain"].get("channel")).into());
    }
    // wasm-bindgen: the crate pin, the CLI install command and the lockfile agree.
    let version = crate::setup::locked_wasm_bindgen_version()?;
    let manifest: toml::Table = file("Cargo.toml")?.parse().map_err(|e| format!("README's Cargo.toml: {e}"))?;
    let dep = manifest["dependencies"].get("wasm-bindgen").and_then(|d| d.as_str().map(str::to_string).or_else(|| d.get("version")?.as_str().map(str::to_string)));
    if dep.as_deref() != Some(&format!("={version}")) {
        return Err(format!("README's Cargo.toml must pin wasm-bindgen = \"={version}\" (the CLI must equal it), has {dep:?}").into());
    }
    let install = format!("cargo install wasm-bindgen-cli --version ={version}");
    if !all.contains(&install) {
        return Err(format!("README.md must tell users to run `{install}`").into());
    }
    Ok(())
}

/// Builds the README's crate with the README's commands and runs its Node script.
pub fn check(tools: &Tools) -> Result {
    let readme = std::fs::read_to_string(root().join("README.md"))?;
    let snippets = snippets(&readme)?;
    check_copies(&snippets, &readme)?;
    let expected = expected_output(&snippets);
    if expected.is_empty() {
        return Err("README.md's Node snippet has no `// → expected output` comment: the run would check nothing".into());
    }

    let base = std::env::temp_dir().join(format!("rayon-web-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let krate = base.join("my_crate");
    std::fs::create_dir_all(base.join(".cargo"))?;
    // The only thing not from the README: rayon-web comes from this checkout, not crates.io.
    std::fs::write(
        base.join(".cargo/config.toml"),
        format!("[patch.crates-io]\nrayon-web = {{ path = {:?} }}\n", root().join("thread-pool").display().to_string()),
    )?;
    if !snippets.iter().any(|s| s.target == "run") {
        return Err("README.md has no `<!-- readme-test: run -->` commands".into());
    }
    let path = std::env::join_paths(
        std::iter::once(tools.wasm_bindgen.parent().expect(".tools/bin").to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )?;
    // In the README's order, as a reader goes: a file exists (or has grown) only
    // from its snippet on, and each command runs when the reader meets it — a
    // command that needs a snippet shown further down fails here as it would for them.
    let mut output = String::new();
    for s in &snippets {
        if s.target == "run" {
            output.push_str(&run(s, &krate, &path)?);
            continue;
        }
        if s.target.starts_with('/') || s.target.contains("..") {
            return Err(format!("README.md:{}: snippet target {} leaves the crate", s.line, s.target).into());
        }
        let path = krate.join(&s.target);
        std::fs::create_dir_all(path.parent().expect("a file in the crate"))?;
        let mut content = std::fs::read_to_string(&path).unwrap_or_default();
        content.push_str(&s.body);
        std::fs::write(&path, content)?;
    }
    let got: Vec<&str> = output.lines().map(str::trim).collect();
    let mut rest = got.iter();
    for want in &expected {
        if !rest.any(|g| g == want) {
            return Err(format!("the README's Node script printed {got:?}; expected the lines {expected:?} in this order (crate kept in {})", krate.display()).into());
        }
    }
    eprintln!("ok: the README's crate builds with the README's commands and its script prints {expected:?}");
    std::fs::remove_dir_all(&base)?;
    Ok(())
}

/// Runs one `run` snippet in the crate (bash -euo pipefail), with only the
/// user's environment; returns its output.
fn run(s: &Snippet, krate: &Path, path: &std::ffi::OsStr) -> Result<String> {
    eprintln!("xtask: README crate in {} (files: {})", krate.display(), list(krate)?.join(", "));
    let mut c = Command::new("bash");
    c.args(["-euo", "pipefail", "-c", &s.body]).current_dir(krate).env("PATH", path);
    // What our own invocation put in the environment must not help (or hurt)
    // the user's build: the crate's rust-toolchain.toml and config decide.
    for var in ["RUSTUP_TOOLCHAIN", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET", "RUSTC", "RUSTDOC", "CARGO"] {
        c.env_remove(var);
    }
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("CARGO_") && k != "CARGO_HOME" {
            c.env_remove(k);
        }
    }
    eprintln!("xtask: README.md:{}: running\n{}", s.line, s.body.trim_end());
    Ok(cmd::output_with_deadline(&mut c, Duration::from_secs(900))
        .map_err(|e| format!("README.md:{}: the README's commands failed (crate kept in {}): {e}", s.line, krate.display()))?)
}

fn list(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type()?.is_dir() {
            out.extend(list(&e.path())?.into_iter().map(|n| format!("{name}/{n}")));
        } else {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}
