//! The JavaScript list of error codes (`IndicatorErrorCode` in
//! `src/wasm/indicators.d.ts`, what users and the fuzz suite see) equals the
//! codes the Rust side can return: the crate's `Error::CODES` plus every
//! `=> "CODE"` match arm under `src/` (the crate's `Error::code()` and the JS
//! layer's `JsCode` in `src/wasm/`). Adding a code on one side without the
//! other fails here.

use std::collections::BTreeSet;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `"CODE"` literals right after `=>`, made only of A-Z and `_`.
fn codes_in_rust() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut codes = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for piece in text.split("=>").skip(1) {
            let piece = piece.trim_start();
            let Some(rest) = piece.strip_prefix('"') else { continue };
            let Some(end) = rest.find('"') else { continue };
            let lit = &rest[..end];
            if lit.len() > 2 && lit.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                codes.insert(lit.to_string());
            }
        }
    }
    codes
}

fn codes_in_typescript() -> BTreeSet<String> {
    let dts = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/wasm/indicators.d.ts")).unwrap();
    let union = dts.split("export type IndicatorErrorCode =").nth(1).expect("IndicatorErrorCode in indicators.d.ts");
    let union = &union[..union.find(';').expect("the union ends with ;")];
    union.split('|').map(|s| s.trim().trim_matches('"').to_string()).filter(|s| !s.is_empty()).collect()
}

#[test]
fn typescript_error_codes_equal_the_rust_ones() {
    let mut rust = codes_in_rust();
    rust.extend(rayon_web_indicators::Error::CODES.iter().map(|c| c.to_string()));
    assert!(rust.contains("INVALID_PERIOD") && rust.contains("INVALID_ARGUMENT"), "scan found {rust:?}");
    assert_eq!(codes_in_typescript(), rust);
}

#[test]
fn every_error_variant_reached_here_has_a_listed_code() {
    // Spot check through the public API that the scan sees real codes.
    let ts = codes_in_typescript();
    let e = rayon_web_indicators::alma(&[], &Default::default()).unwrap_err();
    assert!(ts.contains(e.code()), "{}", e.code());
}
