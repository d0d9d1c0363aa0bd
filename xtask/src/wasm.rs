//! The wasm builds: cargo with the flags from `.cargo/config.toml`, then
//! wasm-bindgen `--target web` into `target/pkg/<name>/`.

use crate::cmd::{self, root, run, Result};
use crate::setup::Tools;
use std::path::{Path, PathBuf};

/// One wasm package the tests, benchmarks or demo use.
pub struct Variant {
    /// Folder under target/pkg/.
    pub name: &'static str,
    /// Cargo package.
    package: &'static str,
    /// Cargo.toml of a separate workspace holding `package` (relative to the
    /// root), or the repository's workspace when empty. cargo reads
    /// `.cargo/config.toml` from its working directory (the root) upward, not
    /// from the manifest's, so such a package still gets the config's flags.
    manifest: &'static str,
    flags: Flags,
    /// `-Z build-std=<this>`, or the prebuilt std when empty.
    build_std: &'static str,
    /// Cargo features to enable (comma-separated), or none when empty.
    features: &'static str,
}

/// Which rustflags a variant builds with.
enum Flags {
    /// `.cargo/config.toml`'s, as users get them.
    Config,
    /// `.cargo/config.toml`'s plus these (read from the file, so the flags stay in one place).
    ConfigPlus(&'static [&'static str]),
    /// Only these, replacing the config's.
    Only(&'static [&'static str]),
}

/// The consumer crate built as a user builds theirs.
pub const CONSUMER: Variant = Variant {
    name: "consumer",
    package: "rayon-web-consumer",
    manifest: "",
    flags: Flags::Config,
    build_std: "std,panic_abort",
    features: "",
};

/// The consumer with `panic = "unwind"` (wasm exception handling, in the legacy
/// encoding Node 20's V8 accepts): panics in parallel code reach the caller.
pub const CONSUMER_UNWIND: Variant = Variant {
    name: "consumer-unwind",
    package: "rayon-web-consumer",
    manifest: "",
    flags: Flags::ConfigPlus(&["-Cpanic=unwind", "-Ctarget-feature=+exception-handling", "-Cllvm-args=-wasm-use-legacy-eh"]),
    build_std: "std,panic_unwind",
    features: "",
};

/// The consumer built with `+atomics` but without the shared-memory link args:
/// what rustc produces since rust#147225 for users who kept the old flags.
pub const CONSUMER_UNSHARED: Variant = Variant {
    name: "consumer-unshared",
    package: "rayon-web-consumer",
    manifest: "",
    flags: Flags::Only(&["-Ctarget-feature=+atomics,+simd128"]),
    build_std: "std,panic_abort",
    features: "",
};

/// The indicators, threaded (needs a cross-origin isolated page), with their JS API.
pub const INDICATORS_THREADS: Variant = Variant {
    name: "indicators-threads",
    package: "rayon-web-indicators",
    manifest: "",
    flags: Flags::Config,
    build_std: "std,panic_abort",
    features: "js",
};

/// The indicators, single-threaded fallback (any page), with their JS API.
pub const INDICATORS_SINGLE: Variant = Variant {
    name: "indicators-single",
    package: "rayon-web-indicators",
    manifest: "",
    flags: Flags::Only(&["-Ctarget-feature=+simd128"]),
    build_std: "",
    features: "js",
};

impl Variant {
    pub fn out_dir(&self) -> PathBuf {
        root().join("target/pkg").join(self.name)
    }

    fn crate_file(&self) -> String {
        self.package.replace('-', "_")
    }

    /// Builds the module and runs wasm-bindgen on it.
    pub fn build(&self, tools: &Tools) -> Result {
        let target_dir = match self.flags {
            Flags::Config => root().join("target"),
            _ => root().join("target").join(format!("wasm-{}", self.name)),
        };
        let mut c = cmd::cargo();
        c.args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", self.package])
            .arg("--target-dir")
            .arg(&target_dir);
        if !self.manifest.is_empty() {
            c.args(["--manifest-path", self.manifest]);
        }
        if !self.features.is_empty() {
            c.args(["--features", self.features]);
        }
        if !self.build_std.is_empty() {
            // On the command line, not in an [unstable] table: that would rebuild std for native builds too.
            c.arg("-Z").arg(format!("build-std={}", self.build_std));
        }
        // A RUSTFLAGS variable, even empty, replaces the config's rustflags entirely:
        // cleared for the normal builds, used on purpose for the variants (a
        // `--config` rustflags array would be appended to the config's, not replace it).
        for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS"] {
            c.env_remove(var);
        }
        let extra: Option<Vec<String>> = match self.flags {
            Flags::Config => None,
            Flags::ConfigPlus(more) => Some(config_rustflags()?.into_iter().chain(more.iter().map(|s| s.to_string())).collect()),
            Flags::Only(only) => Some(only.iter().map(|s| s.to_string()).collect()),
        };
        if let Some(flags) = extra {
            c.env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"));
        }
        run(&mut c)?;
        let wasm = target_dir.join("wasm32-unknown-unknown/release").join(format!("{}.wasm", self.crate_file()));
        let out = self.out_dir();
        // Built beside its final place (same file system, so the swap is a rename).
        let tmp = out.with_file_name(format!(".{}.tmp-{}", self.name, std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        run(std::process::Command::new(&tools.wasm_bindgen).args(["--target", "web", "--out-dir"]).arg(&tmp).arg(&wasm))?;
        // wasm-bindgen writes no package.json: Node needs "type": "module" to load
        // the ES-module glue, and bundlers resolve a package by its "main".
        std::fs::write(
            tmp.join("package.json"),
            format!(
                "{{\n  \"name\": \"{}\",\n  \"private\": true,\n  \"type\": \"module\",\n  \"main\": \"{f}.js\",\n  \"types\": \"{f}.d.ts\"\n}}\n",
                self.name,
                f = self.crate_file()
            ),
        )?;
        replace_dir(&tmp, &out)?;
        Ok(())
    }
}

/// The wasm32 rustflags array of `.cargo/config.toml` (the one place they live).
pub fn config_rustflags() -> Result<Vec<String>> {
    let path = root().join(".cargo/config.toml");
    let config: toml::Table = std::fs::read_to_string(&path)?.parse().map_err(|e| format!("{}: {e}", path.display()))?;
    let flags = config
        .get("target")
        .and_then(|t| t.get("wasm32-unknown-unknown"))
        .and_then(|t| t.get("rustflags"))
        .and_then(|f| f.as_array())
        .ok_or_else(|| format!("{}: no [target.wasm32-unknown-unknown] rustflags array", path.display()))?;
    flags
        .iter()
        .map(|f| f.as_str().map(str::to_string).ok_or_else(|| format!("{}: a wasm32 rustflag is not a string: {f}", path.display()).into()))
        .collect()
}

/// Replaces `dest` by `fresh` (a fully written folder beside it) so that at no
/// moment `dest` is missing or half-written: an interrupted build leaves the old
/// package or the new one, never neither.
fn replace_dir(fresh: &Path, dest: &Path) -> Result {
    if !dest.exists() {
        std::fs::rename(fresh, dest)?;
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        // rename(2) cannot replace a non-empty directory; renameat2's RENAME_EXCHANGE
        // swaps the two names in one step (Linux >= 3.15).
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).expect("no NUL in paths");
        let (a, b) = (c(fresh), c(dest));
        // SAFETY: both are valid NUL-terminated paths that outlive the call; the
        // syscall only reads them.
        let rc = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
        if rc == 0 {
            // `fresh` now holds the old package.
            std::fs::remove_dir_all(fresh)?;
            return Ok(());
        }
        eprintln!("xtask: renameat2 failed ({}), replacing in two steps", std::io::Error::last_os_error());
    }
    let old = dest.with_extension("old");
    let _ = std::fs::remove_dir_all(&old);
    std::fs::rename(dest, &old)?;
    std::fs::rename(fresh, dest)?;
    std::fs::remove_dir_all(&old)?;
    Ok(())
}

/// A user's crate depending on the indicators (without their `js` feature) and
/// exporting its own `alma`: wasm-bindgen must build it (issue 13).
pub const INDICATORS_USER: Variant = Variant {
    name: "indicators-user",
    package: "rayon-web-indicators-user",
    manifest: "",
    flags: Flags::Only(&["-Ctarget-feature=+simd128"]),
    build_std: "",
    features: "",
};

/// The start-up benchmark's client (bench/startup-compare) on wasm-bindgen-rayon
/// 1.3.0 (crates.io, `no-bundler`), built exactly as [`CONSUMER`] (same config
/// flags, build-std and target dir, so std is not rebuilt); tests/bench/startup.mjs
/// compares it with [`STARTUP_RAYON_WEB`] on the same page. Its own workspace
/// so ours never depends on the crate it replaces; built by `cargo xtask bench`
/// only, not by `build_all`. Its Cargo.toml pins the wasm-bindgen of the root
/// Cargo.lock by hand (the CLI in .tools, installed from the root's lock, must
/// match it exactly): bump both together.
pub const STARTUP_WBR: Variant = Variant {
    name: "startup-wbr",
    package: "startup-compare",
    manifest: "bench/startup-compare/Cargo.toml",
    flags: Flags::Config,
    build_std: "std,panic_abort",
    features: "wbr",
};

/// The same client on rayon-web's pool: the other side of [`STARTUP_WBR`].
pub const STARTUP_RAYON_WEB: Variant = Variant {
    name: "startup-rayon-web",
    package: "startup-compare",
    manifest: "bench/startup-compare/Cargo.toml",
    flags: Flags::Config,
    build_std: "std,panic_abort",
    features: "rayon-web",
};

/// Every package the tests use.
pub fn build_all(tools: &Tools) -> Result {
    for v in [&CONSUMER, &CONSUMER_UNSHARED, &CONSUMER_UNWIND, &INDICATORS_THREADS, &INDICATORS_SINGLE, &INDICATORS_USER] {
        v.build(tools)?;
    }
    Ok(())
}
