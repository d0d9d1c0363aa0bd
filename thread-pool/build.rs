//! One check the library cannot make itself: a wasm32 build whose rustflags ask
//! for `+atomics` but whose compiler ignored them.
//!
//! A stable `rustc` (without `RUSTC_BOOTSTRAP=1`) ignores unstable target
//! features — it only warns "unstable feature specified for -Ctarget-feature:
//! atomics" — so `cfg(target_feature = "atomics")` stays unset and the build
//! would silently become a single-threaded one (or fail to link with the
//! shared-memory arguments, naming std). Without `+atomics` in the rustflags a
//! wasm32 build is a deliberate single-threaded build, which rayon-web supports
//! (src/lib.rs, "Single-threaded builds"); with it and no `atomics` cfg, src/lib.rs
//! stops the build with a message that says why and what to do.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rayon_web_atomics_ignored)");
    println!("cargo::rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch != "wasm32" {
        return;
    }
    let enabled = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let has_atomics = enabled.split(',').any(|f| f == "atomics");
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if asks_for_atomics(&flags) && !has_atomics {
        println!("cargo::rustc-cfg=rayon_web_atomics_ignored");
    }
}

/// Whether `-C target-feature=…` in the (0x1f-separated) rustflags turns
/// `atomics` on, the last mention winning as in rustc.
fn asks_for_atomics(encoded: &str) -> bool {
    let args: Vec<&str> = encoded.split('\x1f').collect();
    let mut on = false;
    for (i, arg) in args.iter().enumerate() {
        // `-Ctarget-feature=…`, `-C target-feature=…`, `--codegen target-feature=…`
        let value = arg
            .strip_prefix("-Ctarget-feature=")
            .or_else(|| arg.strip_prefix("target-feature=").filter(|_| i > 0 && matches!(args[i - 1], "-C" | "--codegen")));
        for feature in value.into_iter().flat_map(|v| v.split(',')) {
            match feature.trim() {
                "+atomics" => on = true,
                "-atomics" => on = false,
                _ => {}
            }
        }
    }
    on
}
