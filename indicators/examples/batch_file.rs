//! Computes an ALMA batch natively and writes its values, for the demo tests
//! that check the wasm builds against the native crate.
//!
//! `batch_file <prices.f64> <out.f64> <p0> <p1> <pstep> <o0> <o1> <ostep> <s0> <s1> <sstep> <floor>`:
//! both files are raw little-endian f64; prints `{"rows":R,"cols":C}`.

use rayon_web_indicators::{alma_batch, AlmaBatchRange};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 12 {
        eprintln!("usage: batch_file <prices.f64> <out.f64> <p0> <p1> <pstep> <o0> <o1> <ostep> <s0> <s1> <sstep> <floor>");
        return ExitCode::from(2);
    }
    let bytes = match std::fs::read(&args[0]) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args[0]);
            return ExitCode::FAILURE;
        }
    };
    let prices: Vec<f64> = bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    let n = |i: usize| args[i].parse::<f64>().unwrap_or(f64::NAN);
    let range = AlmaBatchRange {
        period: (n(2) as usize, n(3) as usize, n(4) as usize),
        offset: (n(5), n(6), n(7)),
        sigma: (n(8), n(9), n(10)),
        floor: args[11] == "true",
    };
    match alma_batch(&prices, &range) {
        Ok(batch) => {
            let out: Vec<u8> = batch.values.iter().flat_map(|v| v.to_le_bytes()).collect();
            if let Err(e) = std::fs::write(&args[1], out) {
                eprintln!("cannot write {}: {e}", args[1]);
                return ExitCode::FAILURE;
            }
            println!("{{\"rows\":{},\"cols\":{}}}", batch.rows, batch.cols);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e} ({})", e.code());
            ExitCode::FAILURE
        }
    }
}
