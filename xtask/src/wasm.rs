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
    /// None: the flags of `.cargo/config.toml`; otherwise these rustflags replace
    /// them, in a target dir of its own.
    rustflags_override: Option<&'static str>,
    build_std: bool,
}

/// The consumer crate built as a user builds theirs.
pub const CONSUMER: Variant = Variant { name: "consumer", package: "rayon-web-consumer", rustflags_override: None, build_std: true };

/// The consumer built with `+atomics` but without the shared-memory link args:
/// what rustc produces since rust#147225 for users who kept the old flags.
pub const CONSUMER_UNSHARED: Variant = Variant {
    name: "consumer-unshared",
    package: "rayon-web-consumer",
    rustflags_override: Some("-Ctarget-feature=+atomics,+simd128"),
    build_std: true,
};

/// The indicators, threaded (needs a cross-origin isolated page).
pub const INDICATORS_THREADS: Variant = Variant { name: "indicators-threads", package: "rayon-web-indicators", rustflags_override: None, build_std: true };

/// The indicators, single-threaded fallback (any page).
pub const INDICATORS_SINGLE: Variant = Variant {
    name: "indicators-single",
    package: "rayon-web-indicators",
    rustflags_override: Some("-Ctarget-feature=+simd128"),
    build_std: false,
};

impl Variant {
    pub fn out_dir(&self) -> PathBuf {
        root().join("target/pkg").join(self.name)
    }

    fn crate_file(&self) -> String {
        self.package.replace('-', "_")
    }

    /// The generated glue's path.
    pub fn glue(&self) -> PathBuf {
        self.out_dir().join(format!("{}.js", self.crate_file()))
    }

    /// Builds the module and runs wasm-bindgen on it.
    pub fn build(&self, tools: &Tools) -> Result {
        let target_dir = match self.rustflags_override {
            None => root().join("target"),
            Some(_) => root().join("target").join(format!("wasm-{}", self.name)),
        };
        let mut c = cmd::cargo();
        c.args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", self.package])
            .arg("--target-dir")
            .arg(&target_dir);
        if self.build_std {
            // On the command line, not in an [unstable] table: that would rebuild std for native builds too.
            c.args(["-Z", "build-std=std,panic_abort"]);
        }
        // A RUSTFLAGS variable, even empty, replaces the config's rustflags entirely:
        // cleared for the normal builds, used on purpose for the variants (a
        // `--config` rustflags array would be appended to the config's, not replace it).
        for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS"] {
            c.env_remove(var);
        }
        if let Some(flags) = self.rustflags_override {
            c.env("CARGO_ENCODED_RUSTFLAGS", flags);
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

/// Every package the tests use.
pub fn build_all(tools: &Tools) -> Result {
    for v in [&CONSUMER, &CONSUMER_UNSHARED] {
        v.build(tools)?;
    }
    Ok(())
}
