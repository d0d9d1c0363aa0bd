use crate::PoolOptions;
use rayon::prelude::*;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    // The native build future never awaits anything pending, so one poll finishes it.
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("native build should be ready at once"),
    }
}

#[test]
fn native_custom_pool_has_the_requested_threads_and_names() {
    let pool = block_on(PoolOptions::new(3).name_prefix("calc-").build()).unwrap();
    assert_eq!(pool.current_num_threads(), 3);
    let name = pool.install(|| std::thread::current().name().map(String::from));
    assert!(name.unwrap().starts_with("calc-"));
    let sum: u64 = pool.install(|| (0..1000u64).into_par_iter().sum());
    assert_eq!(sum, 499_500);
}

#[test]
fn native_build_validates_like_wasm() {
    let err = block_on(PoolOptions::new(0).build()).unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::InvalidArgument);
}
