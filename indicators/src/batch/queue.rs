//! Work queues: one worker per pool thread, each taking the next item.
//!
//! rayon's parallel iterators split a list in halves and balance by stealing
//! halves. Two things that does not give, and a queue does:
//!
//! - **Order.** Items taken in the caller's order (costliest first) let the
//!   cheap ones fill the end, so the threads finish together; halving a list of
//!   unequal items can give one thread the cheap half.
//! - **A bound on items in progress.** A thread waiting inside one item (its
//!   own parallel work stolen by another thread) pops the next job from its
//!   deque — with a parallel iterator, another item, which may wait in turn.
//!   Here the jobs are the `workers` worker loops, each holding one item at a
//!   time, so at most `workers` items are in progress: what the wasm exports'
//!   memory plans count (one chunk buffer, one run's block transforms per
//!   worker).

use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs `f(&mut state, item)` for every item, in `items`' order, on up to
/// `workers` workers of the current rayon pool, each with its own `state`
/// from `init`. Once an answer satisfies `stop`, workers take no more items.
/// Returns the answers by item position (`None`: not run, after a stop).
pub(crate) fn run<T, S, R>(
    items: Vec<T>,
    workers: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, T) -> R + Sync,
    stop: impl Fn(&R) -> bool + Sync,
) -> Vec<Option<R>>
where
    T: Send,
    R: Send,
{
    // Each slot is locked once, by the worker that took its index: never contended.
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    let done: Vec<Vec<(usize, R)>> = (0..workers.clamp(1, slots.len().max(1)))
        .into_par_iter()
        .map(|_| {
            let (mut state, mut mine) = (init(), Vec::new());
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(slot) = slots.get(i) else { break };
                let item = slot.lock().unwrap_or_else(|e| e.into_inner()).take().expect("each index is taken once");
                let answer = f(&mut state, item);
                let halt = stop(&answer);
                mine.push((i, answer));
                if halt {
                    next.store(slots.len(), Ordering::Relaxed);
                }
            }
            mine
        })
        .collect();
    let mut answers: Vec<Option<R>> = (0..slots.len()).map(|_| None).collect();
    for (i, answer) in done.into_iter().flatten() {
        answers[i] = Some(answer);
    }
    answers
}

#[cfg(test)]
mod tests {
    use super::run;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// Every item once, answers by position, the caller's order with one worker.
    #[test]
    fn every_item_once_in_order_answers_by_position() {
        let seen = Mutex::new(Vec::new());
        let answers = run((0..100).collect(), 1, || 0usize, |calls, i: usize| {
            *calls += 1;
            seen.lock().unwrap().push(i);
            i * 10
        }, |_| false);
        assert_eq!(*seen.lock().unwrap(), (0..100).collect::<Vec<_>>());
        assert_eq!(answers, (0..100).map(|i| Some(i * 10)).collect::<Vec<_>>());
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let ran = AtomicUsize::new(0);
        let answers = pool.install(|| run((0..1000).collect(), 4, || (), |_, i: usize| { ran.fetch_add(1, Ordering::Relaxed); i }, |_| false));
        assert_eq!(ran.load(Ordering::Relaxed), 1000);
        assert_eq!(answers, (0..1000).map(Some).collect::<Vec<_>>());
    }

    /// After an answer that stops, no worker takes another item; items not
    /// run are `None`. An empty list runs nothing.
    #[test]
    fn a_stop_ends_the_queue() {
        let answers = run((0..50).collect(), 1, || (), |_, i: usize| i, |&i| i == 7);
        assert_eq!(answers.iter().filter(|a| a.is_some()).count(), 8);
        assert_eq!(answers[7], Some(7));
        assert!(answers[8..].iter().all(Option::is_none));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let answers = pool.install(|| run((0..50).collect(), 2, || (), |_, i: usize| i, |&i| i == 3));
        // With two workers the other may take a few more before it sees the stop.
        assert_eq!(answers[3], Some(3));
        assert!(answers.iter().enumerate().all(|(i, a)| a.is_none() || *a == Some(i)));
        assert!(run(Vec::<usize>::new(), 2, || (), |_, i| i, |_| false).is_empty());
    }
}
