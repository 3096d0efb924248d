//! Cancelling a running save: one flag per save, shared by the exported `cancelSave`
//! and the pipeline. What it stops is decided where the save is run (`save.rs`): a step
//! not started does not start, a read in flight (a download, a lookup) is abandoned,
//! and a write already sent (the record, the folder, a document upload) finishes, since
//! iMIS may store it although it answers an error. Plain Rust, no browser types: the
//! browser's `AbortController` is hooked in with `on_cancel`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_util::future::{select, Either};
use thiserror::Error;

/// A step stopped because the save was cancelled.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[error("Cancelled before it was saved.")]
pub struct Cancelled;

/// The reason a cancelled attachment shows in the report and the record's note.
pub const CANCELLED_REASON: &str = "Cancelled before it was saved.";

/// A save's cancel flag. Clones share it; a new save makes a new one.
#[derive(Clone, Default)]
pub struct Cancel(Rc<RefCell<State>>);

#[derive(Default)]
struct State {
    cancelled: bool,
    /// Tasks waiting in `cancelled()`, woken when the flag is set.
    waiting: Vec<Waker>,
    /// Run once when the flag is set (e.g. `AbortController.abort`).
    hooks: Vec<Box<dyn FnOnce()>>,
}

impl Cancel {
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Sets the flag (once; later calls do nothing), runs the hooks and wakes every
    /// waiting step.
    pub fn cancel(&self) {
        let (waiting, hooks) = {
            let mut state = self.0.borrow_mut();
            if state.cancelled {
                return;
            }
            state.cancelled = true;
            (
                std::mem::take(&mut state.waiting),
                std::mem::take(&mut state.hooks),
            )
        };
        // Outside the borrow: a hook or a woken task may look at the flag.
        for hook in hooks {
            hook();
        }
        for waker in waiting {
            waker.wake();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.borrow().cancelled
    }

    /// `Err(Cancelled)` once the flag is set: for a check just before a step starts.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Runs `hook` when the save is cancelled (at once when it already is).
    pub fn on_cancel(&self, hook: impl FnOnce() + 'static) {
        if self.is_cancelled() {
            hook();
        } else {
            self.0.borrow_mut().hooks.push(Box::new(hook));
        }
    }

    /// Ready when the save is cancelled.
    pub fn cancelled(&self) -> impl Future<Output = ()> + '_ {
        WaitCancel { cancel: self }
    }

    /// `step`'s output, unless the save is cancelled first: then `step` is dropped
    /// (abandoned where it stands) and the answer is `Err(Cancelled)`. Not started at
    /// all when the save is already cancelled. Only for steps that write nothing, or
    /// whose write may be lost safely: a write already sent must be awaited instead.
    pub async fn unless_cancelled<F: Future>(&self, step: F) -> Result<F::Output, Cancelled> {
        self.check()?;
        // The flag is polled first: once it is set, a step woken in the same turn (a
        // fetch failing because the cancel aborted it) is not looked at.
        match select(pin!(self.cancelled()), pin!(step)).await {
            Either::Left(_) => Err(Cancelled),
            Either::Right((output, _)) => Ok(output),
        }
    }
}

struct WaitCancel<'a> {
    cancel: &'a Cancel,
}

impl Future for WaitCancel<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.cancel.0.borrow_mut();
        if state.cancelled {
            return Poll::Ready(());
        }
        // The attachments of a save run in one task: keep one waker per task.
        if !state.waiting.iter().any(|w| w.will_wake(cx.waker())) {
            state.waiting.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_executor::LocalPool;
    use futures_util::task::LocalSpawnExt;
    use std::cell::Cell;

    /// Never ready: a download that has not answered yet.
    struct Forever;

    impl Future for Forever {
        type Output = u32;
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
            Poll::Pending
        }
    }

    /// Records whether it was dropped (abandoned) before it ended.
    struct Tracked(Rc<Cell<bool>>);

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }

    #[test]
    fn a_step_ends_normally_when_nobody_cancels() {
        let cancel = Cancel::new();
        let out = futures_executor::block_on(cancel.unless_cancelled(async { 7 }));
        assert_eq!(out, Ok(7));
        assert!(!cancel.is_cancelled());
        assert_eq!(cancel.check(), Ok(()));
    }

    #[test]
    fn a_cancelled_save_starts_no_step() {
        let cancel = Cancel::new();
        cancel.cancel();
        let started = Cell::new(false);
        let out = futures_executor::block_on(cancel.unless_cancelled(async {
            started.set(true);
            1
        }));
        assert_eq!(out, Err(Cancelled));
        assert!(!started.get(), "the step never ran");
        assert_eq!(cancel.check(), Err(Cancelled));
    }

    #[test]
    fn a_step_in_flight_is_abandoned_and_dropped_when_the_save_is_cancelled() {
        let mut pool = LocalPool::new();
        let cancel = Cancel::new();
        let dropped = Rc::new(Cell::new(false));
        let answer = Rc::new(Cell::new(None));
        {
            let (cancel, dropped, answer) = (cancel.clone(), dropped.clone(), answer.clone());
            pool.spawner()
                .spawn_local(async move {
                    let guard = Tracked(dropped);
                    let step = async move {
                        let _guard = guard;
                        Forever.await
                    };
                    answer.set(Some(cancel.unless_cancelled(step).await));
                })
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!(answer.get(), None, "still downloading");
        assert!(!dropped.get());
        cancel.cancel();
        pool.run_until_stalled();
        assert_eq!(answer.get(), Some(Err(Cancelled)));
        assert!(dropped.get(), "the abandoned step was dropped");
    }

    #[test]
    fn every_waiting_step_wakes_and_hooks_run_once() {
        let mut pool = LocalPool::new();
        let cancel = Cancel::new();
        let aborted = Rc::new(Cell::new(0));
        {
            let aborted = aborted.clone();
            cancel.on_cancel(move || aborted.set(aborted.get() + 1));
        }
        let stopped = Rc::new(Cell::new(0));
        for _ in 0..5 {
            let (cancel, stopped) = (cancel.clone(), stopped.clone());
            pool.spawner()
                .spawn_local(async move {
                    if cancel.unless_cancelled(Forever).await == Err(Cancelled) {
                        stopped.set(stopped.get() + 1);
                    }
                })
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!((stopped.get(), aborted.get()), (0, 0));
        cancel.cancel();
        cancel.cancel();
        pool.run_until_stalled();
        assert_eq!((stopped.get(), aborted.get()), (5, 1));
        // A hook added after the cancel runs at once.
        let late = Rc::new(Cell::new(false));
        {
            let late = late.clone();
            cancel.on_cancel(move || late.set(true));
        }
        assert!(late.get());
    }

    #[test]
    fn a_step_that_ends_by_itself_keeps_its_output() {
        let cancel = Cancel::new();
        let inner = cancel.clone();
        let out = futures_executor::block_on(cancel.unless_cancelled(async move {
            inner.cancel();
            Err::<(), &str>("aborted")
        }));
        // The step ended before the flag was looked at again: its output stands, and
        // the caller's next check stops the save.
        assert_eq!(out, Ok(Err("aborted")));
        assert!(cancel.is_cancelled());
    }

    /// Cancels the save on its first poll and fails on the next: a fetch that the
    /// cancel's `AbortController` makes fail.
    struct AbortedFetch(Cancel, bool);

    impl Future for AbortedFetch {
        type Output = Result<(), &'static str>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            if self.1 {
                return Poll::Ready(Err("AbortError"));
            }
            self.1 = true;
            self.0.cancel();
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    #[test]
    fn a_fetch_failing_because_of_the_cancel_counts_as_cancelled_not_failed() {
        let cancel = Cancel::new();
        let out = futures_executor::block_on(
            cancel.unless_cancelled(AbortedFetch(cancel.clone(), false)),
        );
        assert_eq!(out, Err(Cancelled));
    }
}
