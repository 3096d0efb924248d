//! A counting semaphore for one thread: at most N Graph requests in flight for one
//! mailbox (Graph's documented limit is 4), and at most N uploads at once.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

#[derive(Clone)]
pub struct Slots(Rc<RefCell<State>>);

struct State {
    free: usize,
    waiting: VecDeque<Waker>,
}

/// A taken slot; dropping it frees the slot and wakes the next waiter.
pub struct Slot(Rc<RefCell<State>>);

impl Slots {
    pub fn new(n: usize) -> Self {
        Slots(Rc::new(RefCell::new(State {
            free: n.max(1),
            waiting: VecDeque::new(),
        })))
    }

    pub fn take(&self) -> impl Future<Output = Slot> + '_ {
        Take { slots: self }
    }
}

struct Take<'a> {
    slots: &'a Slots,
}

impl Future for Take<'_> {
    type Output = Slot;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Slot> {
        let mut state = self.slots.0.borrow_mut();
        if state.free > 0 {
            state.free -= 1;
            Poll::Ready(Slot(self.slots.0.clone()))
        } else {
            state.waiting.push_back(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.0.borrow_mut();
        state.free += 1;
        if let Some(waker) = state.waiting.pop_front() {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_executor::LocalPool;
    use futures_util::task::LocalSpawnExt;
    use std::cell::Cell;

    #[test]
    fn never_more_than_n_at_once_and_all_finish() {
        let mut pool = LocalPool::new();
        let slots = Slots::new(3);
        let now = Rc::new(Cell::new(0));
        let peak = Rc::new(Cell::new(0));
        let done = Rc::new(Cell::new(0));
        for _ in 0..10 {
            let (slots, now, peak, done) = (slots.clone(), now.clone(), peak.clone(), done.clone());
            pool.spawner()
                .spawn_local(async move {
                    let _slot = slots.take().await;
                    now.set(now.get() + 1);
                    peak.set(peak.get().max(now.get()));
                    // Yield so the others run while this one holds its slot.
                    futures_util::future::ready(()).await;
                    YieldOnce(false).await;
                    now.set(now.get() - 1);
                    done.set(done.get() + 1);
                })
                .unwrap();
        }
        pool.run();
        assert_eq!((peak.get(), done.get()), (3, 10));
    }

    struct YieldOnce(bool);

    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}
