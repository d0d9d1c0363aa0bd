//! Stopping a running batch (`progress::begin_call` / `cancel`). One test in
//! this file: the record is per process, and tests in one binary run at once.

use rayon_web_indicators::progress::{begin_call, cancel, end_call, progress};
use rayon_web_indicators::*;
use std::time::Duration;

fn walk(n: usize) -> Vec<f64> {
    let mut x = 100.0;
    (0..n)
        .map(|i| {
            x += ((i as f64) * 0.37).sin();
            x
        })
        .collect()
}

#[test]
fn a_cancelled_call_stops_and_says_so_and_other_calls_do_not() {
    let data = walk(20_000);
    let range = AlmaBatchRange { period: (9, 300, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    let want = alma_batch(&data, &range).unwrap();

    // Asked to stop before it starts: nothing computed, Cancelled, for every form.
    begin_call(7);
    cancel(7);
    assert_eq!(alma_batch(&data, &range).unwrap_err().code(), "CANCELLED");
    let mut out = vec![0.0; want.values.len()];
    assert_eq!(alma_batch_into(&data, &range, &mut out).unwrap_err(), Error::Cancelled);
    assert_eq!(ema_batch(&data, &EmaBatchRange { period: (2, 50, 1) }).unwrap_err().code(), "CANCELLED");
    let reduced = alma_batch_reduce(&data, &range, &BatchOptions::default(), |_, row| row[row.len() - 1]);
    assert_eq!(reduced.unwrap_err().code(), "CANCELLED");
    let fft = BatchOptions { kernel: Kernel::Fft, ..BatchOptions::default() };
    assert_eq!(alma_batch_with(&data, &range, &fft).unwrap_err().code(), "CANCELLED");
    end_call();

    // Batches started on other threads are not part of call 7 (still cancelled here).
    begin_call(7);
    let other = std::thread::spawn({
        let (data, range) = (data.clone(), range);
        move || alma_batch(&data, &range).map(|b| b.values.len())
    });
    assert_eq!(other.join().unwrap(), Ok(want.values.len()), "another thread's batch was cancelled");
    end_call();

    // A request for another call, or for a call that ended, changes nothing.
    begin_call(8);
    let got = alma_batch(&data, &range).unwrap();
    assert_eq!(got.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), want.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    end_call();
    assert!(alma_batch(&data, &range).is_ok(), "no call running: nothing is cancelled");

    // Mid-run, from another thread: the call stops early (not every unit ran).
    let long = walk(200_000);
    let big = AlmaBatchRange { period: (9, 400, 1), ..range };
    let opts = BatchOptions::default();
    begin_call(9);
    let stopper = std::thread::spawn(|| {
        while progress().0 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        cancel(9);
    });
    let mut out = vec![0.0; 392 * long.len()];
    let r = alma_batch_into_with(&long, &big, &opts, &mut out);
    stopper.join().unwrap();
    end_call();
    let (done, total) = progress();
    assert_eq!(r.unwrap_err(), Error::Cancelled);
    assert!(done < total, "every unit ran ({done} of {total}): the request came too late to show anything");
}
