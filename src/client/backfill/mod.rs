//! The backfill client: streams archives of articles through one or more servers, every
//! article answered exactly once, resumable after a crash.
//!
//! A reader thread turns the inputs into articles and feeds a bounded queue (`queue`); stream
//! workers (`worker`, `--concurrency` of them) pull from it, each keeping one EnrichStream on
//! an address the balancer (`balance`) leased it; failures come back through `retry`; a writer
//! thread appends each finished article to the output or errors file (`output`); `progress`
//! shows how it goes; `group` merges articles that report the same incident at the end.

mod balance;
mod group;
mod output;
mod progress;
mod queue;
mod retry;
mod worker;

use std::{
    collections::HashSet,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::{sync::mpsc, task::JoinSet};
use tonic::Code;
use tracing::warn;

pub use group::GroupSummary;
pub use output::ErrorLine;
pub use progress::{LogLine, LogWriter, Summary};

use self::{
    balance::Balancer,
    output::{Key, Outcome},
    progress::{Reporter, Stats},
    queue::{Feed, Job, Queue},
    retry::Backoff,
};
use crate::{
    cli::input::{self, Entry, InputError, ReadOptions},
    config::BackfillArgs,
};

/// Finished articles waiting for the writer.
const OUTCOME_BUFFER: usize = 1024;
/// Longest wait for a connection to one address.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Duplicate ids logged one by one; the rest are only counted.
const DUPLICATES_LOGGED: u64 = 10;

/// Why a run could not start or finish. The articles not finished are left for `--resume`.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    /// The output or errors file has lines and neither `--resume` nor `--force` was given.
    #[error("{path} exists and is not empty; pass --resume to continue that run or --force to start over")]
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// Two of the output, errors and group files are one file.
    #[error("the output, errors and group files must be different files")]
    SameFile,
    /// A file could not be read or written.
    #[error("cannot use {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A whole line of an output or errors file that a backfill did not write.
    #[error("{path}:{line} is not a line a backfill wrote; fix or remove it before resuming")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// Why it does not parse.
        #[source]
        source: serde_json::Error,
    },
    /// An input could not be opened.
    #[error(transparent)]
    Input(#[from] InputError),
    /// An endpoint's host name does not resolve.
    #[error("cannot resolve endpoint {endpoint}")]
    Resolve {
        /// The endpoint.
        endpoint: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Every address failed, again and again.
    #[error("no endpoint reachable: every address failed {attempts} times in a row")]
    NoEndpoint {
        /// Failures in a row of each address.
        attempts: u32,
    },
}

/// What the stream workers share.
#[derive(Debug)]
pub(crate) struct Context {
    queue: Arc<Queue>,
    balancer: Arc<Balancer>,
    outcomes: mpsc::Sender<Outcome>,
    stats: Arc<Stats>,
    window: usize,
    timeout: Duration,
    resolve_interval: Duration,
    clean_text: bool,
    max_retries: u32,
    backoff: Backoff,
}

impl Context {
    /// Hands a finished article to the writer. Fails when the writer is gone, which also
    /// stops the queue, since nothing can be finished any more.
    async fn finish(&self, outcome: Outcome) -> Result<(), ()> {
        if self.outcomes.send(outcome).await.is_err() {
            self.queue.stop();
            return Err(());
        }
        self.queue.finish_one();
        Ok(())
    }

    /// Sends `job` again after a backoff, or to the errors file once it has had every retry.
    async fn retry(&self, mut job: Job, code: Code, message: &str) -> Result<(), ()> {
        job.attempts += 1;
        if job.attempts > self.max_retries {
            let message = format!("gave up after {} attempts: {message}", job.attempts);
            let line = ErrorLine::new(job.article.id.clone(), &job.position, code, message, job.attempts);
            return self.finish(Outcome::Failed(line)).await;
        }
        self.stats.retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let delay = self.backoff.delay(job.attempts);
        self.queue.retry_later(job, delay);
        Ok(())
    }
}

/// Runs a backfill to the end. Articles that fail for good are in the errors file and in
/// [`Summary::failed`], not an `Err`: that is for a run that could not finish.
pub async fn run(args: &BackfillArgs) -> Result<Summary, BackfillError> {
    let started = Instant::now();
    let errors_path = args.errors_path();
    if args.group.as_ref().is_some_and(|g| *g == args.output || *g == errors_path) {
        return Err(BackfillError::SameFile);
    }
    for path in args.inputs.iter().filter(|p| p.as_os_str() != "-") {
        std::fs::metadata(path).map_err(|source| InputError { path: path.clone(), source })?;
    }
    let mut files = output::prepare(&args.output, &errors_path, args.resume, args.force)?;
    let done = std::mem::take(&mut files.done);
    let earlier_errors = files.earlier_errors;
    let backoff = Backoff { base: args.retry_backoff, max: args.retry_backoff_max };
    let balancer =
        Balancer::new(args.endpoints.clone(), backoff, args.max_retries.saturating_add(1), CONNECT_TIMEOUT).await?;
    let resolver = tokio::spawn(Arc::clone(&balancer).keep_resolving(args.resolve_interval));

    let input_total_opt = args.inputs.iter().map(|p| input::size(p)).sum();
    let stats = Arc::new(Stats { input_total_opt, ..Stats::default() });
    let (queue, feed) = Queue::new(args.concurrency.saturating_mul(args.window));
    let (outcomes, outcomes_rx) = mpsc::channel(OUTCOME_BUFFER);
    let writer = tokio::task::spawn_blocking({
        let stats = Arc::clone(&stats);
        move || output::write_all(&files, outcomes_rx, stats)
    });
    let reader = tokio::task::spawn_blocking({
        let (inputs, outcomes, stats) = (args.inputs.clone(), outcomes.clone(), Arc::clone(&stats));
        let (max_bytes, options) = (args.max_article_bytes, args.input.read_options());
        move || {
            let read = read_inputs(&inputs, &options, &done, feed, &outcomes, &stats, max_bytes);
            options.warn_ignored();
            read
        }
    });
    let reporter = Reporter::start(Arc::clone(&stats), args.progress_interval);

    let context = Arc::new(Context {
        queue: Arc::clone(&queue),
        balancer: Arc::clone(&balancer),
        outcomes,
        stats: Arc::clone(&stats),
        window: args.window,
        timeout: args.timeout,
        resolve_interval: args.resolve_interval,
        clean_text: args.clean_text,
        max_retries: args.max_retries,
        backoff,
    });
    let mut workers = JoinSet::new();
    for _ in 0..args.concurrency {
        workers.spawn(worker::run(Arc::clone(&context)));
    }
    drop(context);
    let mut failed_opt = None;
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                if failed_opt.is_none() {
                    failed_opt = Some(e);
                    workers.abort_all();
                }
            }
            Err(e) if e.is_cancelled() => {}
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    // A reader blocked on a full queue (the run ended early) gives up.
    queue.close().await;
    resolver.abort();
    balancer.stop();
    let read = reader.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    // The workers and the reader are gone with their senders: the writer drains and ends.
    let written = writer.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    reporter.finish();
    // The writer's error is the cause when there is one (the workers stopped because of it).
    let written = written?;
    if let Some(e) = failed_opt {
        return Err(e);
    }
    read?;
    let mut summary = Summary::new(&stats, earlier_errors, started.elapsed());
    summary.incidents = written.incidents;
    if let Some(path) = &args.group {
        summary.groups_opt = Some(group::write(&args.output, path, args.group_distance)?);
    }
    Ok(summary)
}

/// Reads every input in order and feeds the queue, skipping what an earlier run finished (in
/// `done`) and ids seen before in this run; input that is not an article goes straight to the
/// errors file. Returns early, without error, when the queue or the writer closes.
fn read_inputs(
    inputs: &[PathBuf],
    options: &ReadOptions,
    done: &HashSet<Key>,
    feed: Feed,
    outcomes: &mpsc::Sender<Outcome>,
    stats: &Stats,
    max_article_bytes: usize,
) -> Result<(), BackfillError> {
    use std::sync::atomic::Ordering::Relaxed;

    let mut seen = HashSet::new();
    let mut first_time = |key: Key, position: &input::Position| {
        if done.contains(&key) {
            stats.skipped.fetch_add(1, Relaxed);
            return false;
        }
        if !seen.insert(key) {
            if stats.duplicates.fetch_add(1, Relaxed) < DUPLICATES_LOGGED {
                warn!(%position, "article id seen before in the input; skipped");
            }
            return false;
        }
        true
    };
    let bad = |article_id: String, position: &input::Position, message: String| {
        Outcome::Failed(ErrorLine::new(article_id, position, Code::InvalidArgument, message, 0))
    };
    for path in inputs {
        for Entry { position, record } in input::entries(path, options, Arc::clone(&stats.input_read))? {
            let outcome = match record {
                Err(record) => {
                    let key = record.article_id_opt.as_deref().map_or_else(|| Key::position(&position), Key::id);
                    if !first_time(key, &position) {
                        continue;
                    }
                    bad(record.article_id_opt.unwrap_or_default(), &position, record.message)
                }
                Ok(article) if article.id.is_empty() => {
                    if !first_time(Key::position(&position), &position) {
                        continue;
                    }
                    bad(String::new(), &position, "article has no id".into())
                }
                Ok(article) => {
                    if !first_time(Key::id(&article.id), &position) {
                        continue;
                    }
                    if article.text.len() > max_article_bytes {
                        let message = format!(
                            "article text of {} bytes is over the limit of {max_article_bytes} bytes (--max-article-bytes)",
                            article.text.len()
                        );
                        bad(article.id, &position, message)
                    } else {
                        if feed.send_blocking(Job { article, position, attempts: 0 }).is_err() {
                            return Ok(());
                        }
                        continue;
                    }
                }
            };
            if outcomes.blocking_send(outcome).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}
