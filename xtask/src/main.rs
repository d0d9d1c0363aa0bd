//! `cargo xtask <command>`: the project's build, test, benchmark and demo
//! entry points. Everything a fresh Debian machine needs (apt packages, the
//! wasm-bindgen CLI matching Cargo.lock, geckodriver, npm packages) is
//! installed on first use by `setup.rs`, so the README's two commands are all
//! a new contributor or CI runs.
//!
//! The command line is one clap derive: a subcommand is one variant of
//! [`Command`] (its doc comment is its help, its fields are its flags) and one
//! arm in [`Command::run`]. `--help` on any level prints help and runs nothing;
//! unknown flags and arguments are errors (exit code 2).

mod bench;
mod cmd;
mod demo;
mod readme;
mod release;
mod fuzz;
mod matrix;
mod setup;
mod test;
mod wasm;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Build, test, benchmark and demo rayon-web. Installs what is missing on first use.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every test: native, wasm-bindgen-test in Chromium, release checks, Node, browsers, demo.
    Test,
    /// Build and serve the demo twice (with and without COOP/COEP), or run it headless.
    Demo(demo::Args),
    /// Print the benchmarks (pool start-up, speed-ups, ALMA); figures, never pass/fail.
    Bench,
    /// Run the fuzz suites of tests/fuzz/ longer than `test` does (fast-check).
    Fuzz(fuzz::Args),
    /// Build the wasm packages into target/pkg/ (each replaced atomically).
    Build,
    /// The core checks under the pinned and newest nightly, newest stable (RUSTC_BOOTSTRAP=1)
    /// and newest wasm-bindgen; prints one table, fails if a row fails.
    Matrix(matrix::Args),
    /// Install what the other commands need (also done by each of them).
    Setup,
    /// What users get from crates.io, docs.rs and the README: the README-built crate,
    /// package contents, publish dry-run, docs.rs-style rustdoc (also part of `test`).
    ReleaseCheck,
}

impl Command {
    fn run(self) -> cmd::Result {
        match self {
            Command::Test => test::run_all(),
            Command::Demo(args) => demo::run(&args),
            Command::Bench => bench::run(),
            Command::Fuzz(args) => fuzz::run(&args),
            Command::Build => setup::ensure_all().and_then(|t| wasm::build_all(&t)),
            Command::Matrix(args) => matrix::run(&args),
            Command::Setup => setup::ensure_all().map(|_| ()),
            Command::ReleaseCheck => release::run_all(),
        }
    }
}

fn main() -> ExitCode {
    // `cargo xtask` runs us with the subcommand name `xtask` stripped by the alias
    // (`run --package xtask --`), so the arguments parse as they are.
    let cli = Cli::parse();
    match cli.command.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
