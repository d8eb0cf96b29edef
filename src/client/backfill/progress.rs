//! What a run has done: counters, a progress bar on a terminal (a log line every interval
//! elsewhere, where a bar would only fill log files with escape codes), and the summary.

use std::{
    collections::BTreeMap,
    fmt,
    io::{self, IsTerminal, Write},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinHandle;
use tracing::info;
use tracing_subscriber::fmt::MakeWriter;

use super::group::GroupSummary;

/// Counters shared by the reader, the workers and the writer.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Articles an earlier run finished, skipped.
    pub(crate) skipped: AtomicU64,
    /// Articles whose id came up again in the input, skipped.
    pub(crate) duplicates: AtomicU64,
    /// Articles written to the output.
    pub(crate) enriched: AtomicU64,
    /// Articles written to the errors file.
    pub(crate) failed: AtomicU64,
    /// Retries sent.
    pub(crate) retries: AtomicU64,
    /// Text bytes of the enriched articles.
    pub(crate) bytes_done: AtomicU64,
    /// Input bytes read so far (compressed bytes for gzip).
    pub(crate) input_read: Arc<AtomicU64>,
    /// Input bytes in all, when every input's size is known in advance.
    pub(crate) input_total_opt: Option<u64>,
}

impl Stats {
    fn rates(&self, elapsed: Duration) -> (f64, f64) {
        let secs = elapsed.as_secs_f64().max(1e-3);
        let articles = self.enriched.load(Ordering::Relaxed) + self.failed.load(Ordering::Relaxed);
        (articles as f64 / secs, self.bytes_done.load(Ordering::Relaxed) as f64 / 1e6 / secs)
    }

    /// Seconds left, from the rate the input has been read at.
    fn eta_secs(&self, elapsed: Duration) -> Option<u64> {
        let read = self.input_read.load(Ordering::Relaxed);
        let total = self.input_total_opt?;
        let rate = read as f64 / elapsed.as_secs_f64().max(1e-3);
        (rate > 0.0).then(|| (total.saturating_sub(read) as f64 / rate) as u64)
    }

    fn line(&self, elapsed: Duration) -> String {
        let (articles_per_s, mb_per_s) = self.rates(elapsed);
        format!(
            "{} done, {articles_per_s:.0} articles/s, {mb_per_s:.2} MB/s, {} errors, {} retries",
            self.enriched.load(Ordering::Relaxed) + self.failed.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            self.retries.load(Ordering::Relaxed),
        )
    }
}

/// The bar being drawn, if any, so log lines can be written around it.
static ACTIVE_BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Shows progress until [`Reporter::finish`].
#[derive(Debug)]
pub(crate) struct Reporter {
    bar_opt: Option<ProgressBar>,
    task: JoinHandle<()>,
}

impl Reporter {
    /// A bar when standard error is a terminal, else a log line every `interval`.
    pub(crate) fn start(stats: Arc<Stats>, interval: Duration) -> Self {
        let started = Instant::now();
        if !io::stderr().is_terminal() {
            let task = tokio::spawn(async move {
                let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
                loop {
                    ticks.tick().await;
                    let elapsed = started.elapsed();
                    let (articles_per_s, mb_per_s) = stats.rates(elapsed);
                    info!(
                        enriched = stats.enriched.load(Ordering::Relaxed),
                        errors = stats.failed.load(Ordering::Relaxed),
                        retries = stats.retries.load(Ordering::Relaxed),
                        articles_per_s = format_args!("{articles_per_s:.1}"),
                        mb_per_s = format_args!("{mb_per_s:.2}"),
                        eta_s = stats.eta_secs(elapsed),
                        "backfill progress"
                    );
                }
            });
            return Self { bar_opt: None, task };
        }
        let bar = match stats.input_total_opt {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{wide_bar}] {percent:>3}% ETA {eta} | {msg}",
                )
                .expect("the template is valid")
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}").expect("the template is valid"),
            ),
        };
        *ACTIVE_BAR.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
        let task = tokio::spawn({
            let bar = bar.clone();
            async move {
                let mut ticks = tokio::time::interval(Duration::from_millis(200));
                loop {
                    ticks.tick().await;
                    bar.set_position(stats.input_read.load(Ordering::Relaxed));
                    bar.set_message(stats.line(started.elapsed()));
                }
            }
        });
        Self { bar_opt: Some(bar), task }
    }

    /// Stops and clears the display.
    pub(crate) fn finish(self) {
        self.task.abort();
        if let Some(bar) = self.bar_opt {
            ACTIVE_BAR.lock().unwrap_or_else(PoisonError::into_inner).take();
            bar.finish_and_clear();
        }
    }
}

/// A `tracing` writer to standard error that lifts the progress bar out of the way of each
/// log line, so the two never tear each other.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogWriter;

/// One log line, written when dropped.
#[derive(Debug)]
pub struct LogLine(Vec<u8>);

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LogLine;

    fn make_writer(&'a self) -> LogLine {
        LogLine(Vec::new())
    }
}

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        let bar_opt = ACTIVE_BAR.lock().unwrap_or_else(PoisonError::into_inner).clone();
        // Nowhere to report a failed write to standard error.
        let write = || drop(io::stderr().lock().write_all(&self.0));
        match bar_opt {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

/// What a finished run did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Articles enriched in this run.
    pub enriched: u64,
    /// Articles that went to the errors file in this run.
    pub failed: u64,
    /// Lines the errors file held before this run (when resuming).
    pub earlier_errors: u64,
    /// Articles skipped because an earlier run finished them.
    pub skipped: u64,
    /// Articles skipped because their id came up again.
    pub duplicates: u64,
    /// Retries sent.
    pub retries: u64,
    /// Text bytes of the enriched articles.
    pub bytes: u64,
    /// How long the run took.
    pub elapsed: Duration,
    /// Incidents found in this run, by type.
    pub incidents: BTreeMap<&'static str, u64>,
    /// What `--group` wrote.
    pub groups_opt: Option<GroupSummary>,
}

impl Summary {
    pub(crate) fn new(stats: &Stats, earlier_errors: u64, elapsed: Duration) -> Self {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Self {
            enriched: load(&stats.enriched),
            failed: load(&stats.failed),
            earlier_errors,
            skipped: load(&stats.skipped),
            duplicates: load(&stats.duplicates),
            retries: load(&stats.retries),
            bytes: load(&stats.bytes_done),
            elapsed,
            incidents: BTreeMap::new(),
            groups_opt: None,
        }
    }

    /// True when every article of the input is in the output: nothing in the errors file.
    pub fn all_enriched(&self) -> bool {
        self.failed == 0 && self.earlier_errors == 0
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-3);
        let done = self.enriched + self.failed;
        writeln!(
            f,
            "backfill: {} articles enriched, {} errors, {} retries in {:.1}s",
            self.enriched, self.failed, self.retries, secs
        )?;
        writeln!(f, "  throughput: {:.1} articles/s, {:.2} MB/s", done as f64 / secs, self.bytes as f64 / 1e6 / secs)?;
        if self.skipped > 0 || self.earlier_errors > 0 {
            writeln!(
                f,
                "  resumed: {} articles finished earlier skipped ({} of them errors)",
                self.skipped, self.earlier_errors
            )?;
        }
        if self.duplicates > 0 {
            writeln!(f, "  {} articles skipped: their id came up earlier in the input", self.duplicates)?;
        }
        if !self.incidents.is_empty() {
            let by_type: Vec<String> = self.incidents.iter().map(|(t, n)| format!("{t} {n}")).collect();
            writeln!(f, "  incidents: {}", by_type.join(", "))?;
        }
        if let Some(groups) = &self.groups_opt {
            writeln!(
                f,
                "  groups: {} articles in {} groups, {} of them with several articles",
                groups.articles, groups.groups, groups.merged
            )?;
        }
        Ok(())
    }
}
