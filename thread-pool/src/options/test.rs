use super::*;
use crate::error::ErrorCode;

#[test]
fn defaults_are_valid() {
    assert_eq!(PoolOptions::new(2).validate(), Ok(()));
    assert_eq!(PoolOptions::new(MAX_THREADS).validate(), Ok(()));
}

#[test]
fn zero_and_too_many_threads_are_rejected_with_the_cap() {
    let zero = PoolOptions::new(0).validate().unwrap_err();
    assert_eq!(zero.code(), ErrorCode::InvalidArgument);
    assert!(zero.message().contains("at least 1, got 0"), "{zero}");
    let many = PoolOptions::new(MAX_CORE_COUNT + 1).validate().unwrap_err();
    assert_eq!(many.code(), ErrorCode::InvalidArgument);
    assert!(many.message().contains("numThreads is 65537, more than any machine's core count"), "{many}");
}

#[test]
fn a_core_count_above_the_maximum_starts_the_maximum() {
    // navigator.hardwareConcurrency of a 128- or 192-thread workstation.
    for cores in [MAX_THREADS + 1, 128, 192, MAX_CORE_COUNT] {
        let options = PoolOptions::new(cores);
        assert_eq!(options.validate(), Ok(()));
        assert_eq!(options.num_threads(), MAX_THREADS);
        assert_eq!(options.start_timeout_ms(), default_timeout_ms(MAX_THREADS));
        assert_eq!(check_threads(cores as f64, &cores.to_string()), Ok(MAX_THREADS));
    }
    assert_eq!(PoolOptions::new(MAX_THREADS).num_threads(), MAX_THREADS);
    assert_eq!(PoolOptions::new(3).num_threads(), 3);
}

#[test]
fn stack_size_must_be_whole_pages() {
    for bad in [0, 1000, 65536 + 1, MAX_STACK_SIZE + WASM_PAGE] {
        let err = PoolOptions::new(1).stack_size(bad).validate().unwrap_err();
        assert!(err.message().contains("multiple of 65536"), "{err}");
    }
    assert_eq!(PoolOptions::new(1).stack_size(4 * WASM_PAGE).validate(), Ok(()));
}

#[test]
fn keep_alive_defaults_to_ten_seconds_and_any_value_is_valid() {
    assert_eq!(PoolOptions::new(2).keep_alive_ms, DEFAULT_KEEP_ALIVE_MS);
    assert_eq!(DEFAULT_KEEP_ALIVE_MS, 10_000);
    for ms in [0, 1, u32::MAX] {
        let options = PoolOptions::new(2).keep_alive_ms(ms);
        assert_eq!(options.keep_alive_ms, ms);
        assert_eq!(options.validate(), Ok(()));
    }
}

#[test]
fn timeout_defaults_to_the_formula_and_is_bounded_by_set_timeout() {
    assert_eq!(default_timeout_ms(2), 4500);
    assert_eq!(default_timeout_ms(64), 20_000);
    assert_eq!(PoolOptions::new(8).start_timeout_ms(), DEFAULT_TIMEOUT_MS + 8 * DEFAULT_TIMEOUT_PER_THREAD_MS);
    assert_eq!(PoolOptions::new(8).timeout_ms(7).start_timeout_ms(), 7);
    assert_eq!(PoolOptions::new(1).timeout_ms(MAX_TIMEOUT_MS).validate(), Ok(()));
    for bad in [0, MAX_TIMEOUT_MS + 1, u32::MAX] {
        let err = PoolOptions::new(1).timeout_ms(bad).validate().unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        assert!(err.message().contains(&format!("timeoutMs is {bad};")), "{err}");
        assert!(err.message().contains("from 1 to 2147483647"), "{err}");
    }
}

#[test]
fn messages_name_the_value_as_passed() {
    let err = check_threads(1e300, "1e300").unwrap_err();
    assert!(err.message().contains("numThreads is 1e300, more than any machine's core count"), "{err}");
    let err = check_threads(f64::NAN, "NaN").unwrap_err();
    assert!(err.message().contains("must be an integer, got NaN"), "{err}");
    let err = check_threads(-0.0, "-0").unwrap_err();
    assert!(err.message().contains("at least 1, got -0"), "{err}");
    let err = check_stack_size(2f64.powi(31), "2147483648").unwrap_err();
    assert!(err.message().contains("stackSize is 2147483648;"), "{err}");
    let err = check_timeout(f64::INFINITY, "Infinity").unwrap_err();
    assert!(err.message().contains("timeoutMs must be an integer, got Infinity"), "{err}");
    let err = PoolOptions::new(1).stack_size(usize::MAX).validate().unwrap_err();
    assert!(err.message().contains(&format!("stackSize is {};", usize::MAX)), "{err}");
}

/// `prewarmThreadPool` checks its argument in JS (js/options.js, `checkOptions`)
/// because it runs before the module exists: its limits must be these. (Node's
/// tests/node/prewarm.test.mjs checks that both sides accept and reject alike.)
#[test]
fn the_js_copies_of_the_limits_are_these() {
    let options_js = include_str!("../../js/options.js");
    for (name, value) in [
        ("MAX_THREADS", MAX_THREADS as u64),
        ("MAX_CORE_COUNT", MAX_CORE_COUNT as u64),
        ("MAX_STACK_SIZE", MAX_STACK_SIZE as u64),
        ("WASM_PAGE", WASM_PAGE as u64),
        ("MAX_TIMEOUT_MS", u64::from(MAX_TIMEOUT_MS)),
    ] {
        let line = format!("const {name} = {value};");
        assert!(options_js.contains(&line), "js/options.js lacks `{line}`");
    }
    assert!(options_js.contains(&format!("namePrefix?.value ?? {:?}", PoolOptions::new(1).name_prefix)));
    let spawn_js = include_str!("../../js/spawn.js");
    let keep_alive = format!("const PREWARM_KEEP_ALIVE_MS = {}_{:03};", DEFAULT_KEEP_ALIVE_MS / 1000, DEFAULT_KEEP_ALIVE_MS % 1000);
    assert!(spawn_js.contains(&keep_alive), "js/spawn.js lacks `{keep_alive}`");
}
