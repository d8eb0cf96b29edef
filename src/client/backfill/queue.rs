//! The work every stream worker pulls from: articles fresh from the input (bounded, so the
//! reader stays a window ahead and no further) and articles waiting for a retry (first served).
//! Pulling, rather than dealing articles out, is what balances the run: a fast replica's
//! workers simply take more.

use std::{
    collections::VecDeque,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::sync::{Notify, mpsc};

use crate::{cli::input::Position, pb};

/// One article on its way.
#[derive(Debug)]
pub(crate) struct Job {
    /// The article.
    pub(crate) article: pb::Article,
    /// Where it came from, for the errors file.
    pub(crate) position: Position,
    /// Failed tries so far.
    pub(crate) attempts: u32,
}

/// The shared queue.
#[derive(Debug)]
pub(crate) struct Queue {
    fresh: tokio::sync::Mutex<mpsc::Receiver<Job>>,
    retries: Mutex<VecDeque<Job>>,
    /// Articles handed in and not yet finished (queued, waiting for a retry, or in flight):
    /// the run is over when the input is done and this is zero.
    outstanding: AtomicUsize,
    input_done: AtomicBool,
    fresh_drained: AtomicBool,
    /// Set when nothing can be finished any more (the writer failed).
    stopped: AtomicBool,
    changed: Notify,
}

/// The queue takes no more articles: the run is ending early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// The reader's end: hands articles in, and marks the input done when dropped.
#[derive(Debug)]
pub(crate) struct Feed {
    tx: mpsc::Sender<Job>,
    queue: Arc<Queue>,
}

impl Queue {
    /// A queue holding at most `capacity` fresh articles.
    pub(crate) fn new(capacity: usize) -> (Arc<Self>, Feed) {
        let (tx, rx) = mpsc::channel(capacity);
        let queue = Arc::new(Self {
            fresh: tokio::sync::Mutex::new(rx),
            retries: Mutex::default(),
            outstanding: AtomicUsize::new(0),
            input_done: AtomicBool::new(false),
            fresh_drained: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            changed: Notify::new(),
        });
        (Arc::clone(&queue), Feed { tx, queue })
    }

    /// The next article to send, retries first; `None` once every article is finished.
    /// Cancel-safe: an article is taken only when this returns.
    pub(crate) async fn pop(&self) -> Option<Job> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(job) = self.retries.lock().unwrap_or_else(PoisonError::into_inner).pop_front() {
                return Some(job);
            }
            if self.is_finished() {
                return None;
            }
            if self.fresh_drained.load(Ordering::Acquire) {
                changed.await;
                continue;
            }
            tokio::select! {
                job = async { self.fresh.lock().await.recv().await } => match job {
                    Some(job) => return Some(job),
                    None => self.fresh_drained.store(true, Ordering::Release),
                },
                () = &mut changed => {}
            }
        }
    }

    /// Puts `job` back after `delay`.
    pub(crate) fn retry_later(self: &Arc<Self>, job: Job, delay: Duration) {
        let queue = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            queue.retries.lock().unwrap_or_else(PoisonError::into_inner).push_back(job);
            queue.changed.notify_waiters();
        });
    }

    /// Marks one article finished (written to the output or the errors file).
    pub(crate) fn finish_one(&self) {
        if self.outstanding.fetch_sub(1, Ordering::AcqRel) == 1 && self.input_done.load(Ordering::Acquire) {
            self.changed.notify_waiters();
        }
    }

    /// True once the input is done and every article from it finished, or the queue stopped.
    pub(crate) fn is_finished(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
            || self.input_done.load(Ordering::Acquire) && self.outstanding.load(Ordering::Acquire) == 0
    }

    /// Finishes the queue at once, articles or not: for a run that cannot go on.
    pub(crate) fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.changed.notify_waiters();
    }

    /// Completes when [`Queue::is_finished`].
    pub(crate) async fn finished(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.is_finished() {
                return;
            }
            changed.await;
        }
    }

    /// Stops taking fresh articles, so a reader blocked on a full queue gives up: for a run
    /// that is ending early.
    pub(crate) async fn close(&self) {
        self.fresh.lock().await.close();
    }
}

impl Feed {
    /// Hands `job` in, waiting while the queue is full.
    pub(crate) fn send_blocking(&self, job: Job) -> Result<(), Closed> {
        // Counted before it is visible, so the queue is never finished with `job` inside it.
        self.queue.outstanding.fetch_add(1, Ordering::AcqRel);
        self.tx.blocking_send(job).map_err(|_| {
            self.queue.finish_one();
            Closed
        })
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.queue.input_done.store(true, Ordering::Release);
        self.queue.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str) -> Job {
        Job {
            article: pb::Article { id: id.into(), ..Default::default() },
            position: Position { input: "-".into(), line_opt: None },
            attempts: 0,
        }
    }

    #[tokio::test]
    async fn retries_come_first_and_the_queue_finishes_when_everything_is_done() {
        let (queue, feed) = Queue::new(4);
        let feed = tokio::task::spawn_blocking(move || {
            for id in ["a", "b"] {
                feed.send_blocking(job(id)).expect("queue open");
            }
            feed
        })
        .await
        .expect("feeds");
        let a = queue.pop().await.expect("a");
        assert_eq!(a.article.id, "a");
        queue.retry_later(a, Duration::ZERO);
        let waiting = queue.pop();
        drop(feed);
        // The retry is queued behind a zero sleep; "b" is fresh. Both come, in some order.
        let first = waiting.await.expect("a job");
        let second = queue.pop().await.expect("another job");
        let mut ids = [first.article.id, second.article.id];
        ids.sort();
        assert_eq!(ids, ["a", "b"]);
        assert!(!queue.is_finished(), "two articles are still out");
        queue.finish_one();
        queue.finish_one();
        assert!(queue.is_finished());
        assert!(queue.pop().await.is_none());
        queue.finished().await;
    }

    #[tokio::test]
    async fn a_waiting_worker_wakes_for_a_retry_and_for_the_end() {
        let (queue, feed) = Queue::new(1);
        let feed = tokio::task::spawn_blocking(move || {
            feed.send_blocking(job("a")).expect("queue open");
            feed
        })
        .await
        .expect("feeds");
        drop(feed);
        let a = queue.pop().await.expect("a");
        let waiter = tokio::spawn({
            let queue = Arc::clone(&queue);
            async move { queue.pop().await.map(|j| j.article.id) }
        });
        queue.retry_later(a, Duration::ZERO);
        assert_eq!(waiter.await.expect("no panic").as_deref(), Some("a"));
        let waiter = tokio::spawn({
            let queue = Arc::clone(&queue);
            async move { queue.pop().await.map(|j| j.article.id) }
        });
        queue.finish_one();
        assert_eq!(waiter.await.expect("no panic"), None);
    }
}
