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
    assert!(zero.message().contains("at least 1"), "{zero}");
    let many = PoolOptions::new(MAX_THREADS + 1).validate().unwrap_err();
    assert!(many.message().contains("maximum of 64"), "{many}");
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
