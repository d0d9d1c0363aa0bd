//! The TypeScript declarations rayon-web adds to its users' generated `.d.ts`.
//!
//! wasm-bindgen would declare `initThreadPool(options: any): Promise<any>` (its
//! argument is a `JsValue`, its result a `Promise`), and would also declare the
//! exports only rayon-web's own JS calls (`__rayonWebWorkerEntry`,
//! `rayonWebMemory`, `rayonWebCrashRecord`). Those are marked
//! `skip_typescript`, and `initThreadPool` (and the re-exported JS function
//! `prewarmThreadPool`, which wasm-bindgen would type `unknown`) are declared
//! here, precisely, in a
//! `typescript_custom_section` — wasm-bindgen copies custom sections of every
//! crate of the module into the user's `.d.ts`.
//!
//! The error-code union is tested against [`ErrorCode`](crate::ErrorCode)
//! (below), and the declarations are type-checked against the generated
//! `.d.ts` of the test consumer (`tests/node/types.test.mjs`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_SECTION: &str = INIT_THREAD_POOL_TS;

/// The declarations (a plain const as well, for the tests below).
// The custom section's macro copies the text without counting as a use.
#[allow(dead_code)]
pub(crate) const INIT_THREAD_POOL_TS: &str = r#"
/** The options object of `initThreadPool` (rayon-web). */
export interface InitThreadPoolOptions {
  /** Number of pool threads (workers), usually navigator.hardwareConcurrency: 1 to 65536, and a pool has at most 64 (a larger count starts 64). */
  numThreads: number;
  /** Stack size of each thread in bytes: a nonzero multiple of 65536, at most 268435456 (default 2 MiB). */
  stackSize?: number;
  /** Worker names are this prefix plus the thread index (default "rayon-web-"). */
  namePrefix?: string;
  /** Start-up deadline in ms, 1 to 2147483647 (default 4000 + 250 per thread). */
  timeoutMs?: number;
  /** URL the workers import this wasm-bindgen glue from (default: the glue's own URL). */
  glueUrl?: string;
}

/** The `code` of a `RayonWebError` (see rayon-web's README, "Options and errors"). */
export type RayonWebErrorCode =
  | "INVALID_ARGUMENT"
  | "ALREADY_INITIALIZED"
  | "GLOBAL_POOL_EXISTS"
  | "NOT_CROSS_ORIGIN_ISOLATED"
  | "SHARED_MEMORY_UNAVAILABLE"
  | "WORKERS_UNAVAILABLE"
  | "MEMORY_NOT_SHARED"
  | "WORKER_LOAD_FAILED"
  | "WORKER_INIT_FAILED"
  | "WORKER_TIMEOUT"
  | "BUILD_FAILED"
  | "POOL_BROKEN";

/** What rayon-web rejects or throws with: an `Error` named "RayonWebError" with a stable `code`. */
export interface RayonWebError extends Error {
  name: "RayonWebError";
  code: RayonWebErrorCode;
}

/**
 * Starts rayon's global thread pool on `numThreads` workers (at most 64) sharing this
 * module's memory. Call once per module instance, before any rayon call.
 * Resolves with the number of threads started; rejects with a `RayonWebError`.
 */
export function initThreadPool(options: number | InitThreadPoolOptions): Promise<number>;

/**
 * Starts creating the workers of the next pool now, so that `initThreadPool`
 * (or a custom pool) started later on this thread only hands them the module.
 * Callable before the glue's `init()`: call it first, then `init()`. Takes what
 * `initThreadPool` takes (give `glueUrl` for the workers to start importing
 * the glue too); throws a `RayonWebError` (`INVALID_ARGUMENT`) for what it
 * would reject. Returns how many prewarmed workers wait now: 0 where no pool
 * can run (then `initThreadPool` says why). Unclaimed workers end after 10 s.
 */
export function prewarmThreadPool(options: number | InitThreadPoolOptions): number;
"#;

#[cfg(test)]
mod test {
    use super::INIT_THREAD_POOL_TS;
    use crate::ErrorCode;

    #[test]
    fn the_error_code_union_is_exactly_error_code() {
        let union: Vec<&str> = INIT_THREAD_POOL_TS
            .split("export type RayonWebErrorCode =")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .split('|')
            .map(|s| s.trim().trim_matches('"'))
            .filter(|s| !s.is_empty())
            .collect();
        for code in &union {
            assert!(ErrorCode::parse(code).is_some(), "{code} is not an ErrorCode");
        }
        assert_eq!(union.len(), ErrorCode::ALL.len(), "{union:?}");
    }

    #[test]
    fn the_documented_limits_are_the_crates() {
        use crate::options::*;
        assert!(INIT_THREAD_POOL_TS.contains(&format!("1 to {MAX_CORE_COUNT}, and a pool has at most {MAX_THREADS} (a larger count starts {MAX_THREADS})")));
        assert!(INIT_THREAD_POOL_TS.contains(&format!("at most {MAX_STACK_SIZE} ")));
        assert!(INIT_THREAD_POOL_TS.contains(&format!("1 to {MAX_TIMEOUT_MS} (default {DEFAULT_TIMEOUT_MS} + {DEFAULT_TIMEOUT_PER_THREAD_MS} per thread)")));
    }
}
