//! The wasm builds: cargo with the flags from `.cargo/config.toml`, then
//! wasm-bindgen `--target web` into `target/pkg/<name>/`.

use crate::cmd::{self, root, run, Result};
use crate::setup::Tools;
use std::path::PathBuf;

/// One wasm package the tests, benchmarks or demo use.
pub struct Variant {
    /// Folder under target/pkg/.
    pub name: &'static str,
    /// Cargo package.
    package: &'static str,
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
pub const CONSUMER: Variant = Variant { name: "consumer", package: "rayon-web-consumer", flags: Flags::Config, build_std: "std,panic_abort", features: "" };

/// The consumer with `panic = "unwind"` (wasm exception handling, in the legacy
/// encoding Node 20's V8 accepts): panics in parallel code reach the caller.
pub const CONSUMER_UNWIND: Variant = Variant {
    name: "consumer-unwind",
    package: "rayon-web-consumer",
    flags: Flags::ConfigPlus(&["-Cpanic=unwind", "-Ctarget-feature=+exception-handling", "-Cllvm-args=-wasm-use-legacy-eh"]),
    build_std: "std,panic_unwind",
    features: "",
};

/// The consumer built with `+atomics` but without the shared-memory link args:
/// what rustc produces since rust#147225 for users who kept the old flags.
pub const CONSUMER_UNSHARED: Variant = Variant {
    name: "consumer-unshared",
    package: "rayon-web-consumer",
    flags: Flags::Only(&["-Ctarget-feature=+atomics,+simd128"]),
    build_std: "std,panic_abort",
    features: "",
};

/// The indicators, threaded (needs a cross-origin isolated page), with their JS API.
pub const INDICATORS_THREADS: Variant = Variant {
    name: "indicators-threads",
    package: "rayon-web-indicators",
    flags: Flags::Config,
    build_std: "std,panic_abort",
    features: "js",
};

/// The indicators, single-threaded fallback (any page), with their JS API.
pub const INDICATORS_SINGLE: Variant = Variant {
    name: "indicators-single",
    package: "rayon-web-indicators",
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
        let _ = std::fs::remove_dir_all(&out);
        run(std::process::Command::new(&tools.wasm_bindgen).args(["--target", "web", "--out-dir"]).arg(&out).arg(&wasm))?;
        // wasm-bindgen writes no package.json: Node needs "type": "module" to load
        // the ES-module glue, and bundlers resolve a package by its "main".
        std::fs::write(
            out.join("package.json"),
            format!(
                "{{\n  \"name\": \"{}\",\n  \"private\": true,\n  \"type\": \"module\",\n  \"main\": \"{f}.js\",\n  \"types\": \"{f}.d.ts\"\n}}\n",
                self.name,
                f = self.crate_file()
            ),
        )?;
        Ok(())
    }
}

/// The wasm32 rustflags array of `.cargo/config.toml` (the one place they live).
fn config_rustflags() -> Result<Vec<String>> {
    let config = std::fs::read_to_string(root().join(".cargo/config.toml"))?;
    let table = config.split("[target.wasm32-unknown-unknown]").nth(1).ok_or("no wasm32 table in .cargo/config.toml")?;
    let array = table.split("rustflags = [").nth(1).and_then(|a| a.split(']').next()).ok_or("no rustflags in the wasm32 table")?;
    // Every other piece between double quotes is a flag (comments hold no quotes).
    let uncommented: String = array.lines().map(|l| l.split('#').next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    Ok(uncommented.split('"').skip(1).step_by(2).map(str::to_string).collect())
}

/// A user's crate depending on the indicators (without their `js` feature) and
/// exporting its own `alma`: wasm-bindgen must build it (issue 13).
pub const INDICATORS_USER: Variant = Variant {
    name: "indicators-user",
    package: "rayon-web-indicators-user",
    flags: Flags::Only(&["-Ctarget-feature=+simd128"]),
    build_std: "",
    features: "",
};

/// Every package the tests use.
pub fn build_all(tools: &Tools) -> Result {
    for v in [&CONSUMER, &CONSUMER_UNSHARED, &CONSUMER_UNWIND, &INDICATORS_THREADS, &INDICATORS_SINGLE, &INDICATORS_USER] {
        v.build(tools)?;
    }
    Ok(())
}
