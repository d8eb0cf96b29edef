//! The tower plumbing shared by every stage: a [`Step`] is a plain synchronous function over a
//! [`Document`]; [`StageLayer`] turns it into a layer that runs it, times it, traces it and
//! keeps it off the async reactor.

use std::{
    any::Any,
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Instant,
};

use tower::{BoxError, Layer, Service};
use tracing::{Instrument, Span, info_span};

use super::{DeadlineExceeded, Document};

/// One pipeline step: synchronous, no I/O, deterministic.
pub trait Step: Send + Sync + 'static {
    /// Names the span, metric label and provenance timing.
    const NAME: &'static str;

    /// Adds what this step finds to the document.
    fn apply(&self, doc: &mut Document);
}

/// A step failed in a way that is the service's fault, not the caller's.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The step panicked; the panic was contained to this article.
    #[error("{stage} stage panicked: {message}")]
    Panicked {
        /// The step's name.
        stage: &'static str,
        /// The panic payload, when it is a string.
        message: String,
    },
    /// The blocking task running the step was cancelled.
    #[error("{stage} stage was cancelled")]
    Cancelled {
        /// The step's name.
        stage: &'static str,
        /// Why the runtime gave up on the task.
        #[source]
        source: tokio::task::JoinError,
    },
}

/// Articles above this size run their steps on the blocking pool. Every step is linear in the
/// text and the slowest costs about 60 µs per KiB in a release build, so smaller articles stay
/// within the ~500 µs a task may hold a reactor thread, and skip the hand-off to another thread.
const INLINE_MAX_BYTES: usize = 8 * 1024;

/// Wraps a service with the step `T`, run before the inner service sees the document.
#[derive(Debug)]
pub struct StageLayer<T> {
    step: Arc<T>,
}

impl<T> StageLayer<T> {
    /// A layer that runs `step`.
    pub fn new(step: T) -> Self {
        Self { step: Arc::new(step) }
    }
}

/// A stage run on the caller's thread, whatever its step.
pub(super) trait InProcess {
    /// The step's name.
    #[cfg(test)]
    fn name(&self) -> &'static str;

    /// Runs the step, as [`Stage`] does off the reactor.
    fn run(&self, doc: Document) -> Result<Document, StageError>;
}

impl<T: Step> InProcess for StageLayer<T> {
    #[cfg(test)]
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn run(&self, doc: Document) -> Result<Document, StageError> {
        run::<T>(&self.step, doc)
    }
}

impl<T> Clone for StageLayer<T> {
    fn clone(&self) -> Self {
        Self { step: Arc::clone(&self.step) }
    }
}

impl<S, T> Layer<S> for StageLayer<T> {
    type Service = Stage<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        Stage { inner, step: Arc::clone(&self.step) }
    }
}

/// Runs the step `T` on each document, then hands the document to `S`.
#[derive(Debug)]
pub struct Stage<S, T> {
    inner: S,
    step: Arc<T>,
}

impl<S: Clone, T> Clone for Stage<S, T> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), step: Arc::clone(&self.step) }
    }
}

// === impl Stage ===

impl<S, T> Service<Document> for Stage<S, T>
where
    S: Service<Document, Response = Document, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
    T: Step,
{
    type Response = Document;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Document, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, doc: Document) -> Self::Future {
        // Take the service that was driven to readiness; leave a fresh clone in its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let step = Arc::clone(&self.step);
        let span = info_span!(
            "stage",
            otel.name = T::NAME,
            stage = T::NAME,
            article_id = %doc.article.id,
            bytes = doc.article.text.len(),
        );
        Box::pin(async move {
            if tokio::time::Instant::now() >= doc.deadline {
                return Err(DeadlineExceeded.into());
            }
            // The step runs in its span; the next stage runs after it, as its sibling.
            let doc = async {
                if doc.article.text.len() <= INLINE_MAX_BYTES {
                    run::<T>(&step, doc)
                } else {
                    let span = Span::current();
                    tokio::task::spawn_blocking(move || span.in_scope(|| run::<T>(&step, doc)))
                        .await
                        .map_err(|source| StageError::Cancelled { stage: T::NAME, source })?
                }
            }
            .instrument(span)
            .await?;
            inner.call(doc).await
        })
    }
}

/// Articles with this id followed by a step's name make that step panic, so tests can check
/// that a bug in a stage costs one article and nothing else. Built only with the
/// `fault-injection` feature, which the test suite turns on and release builds leave off.
#[cfg(feature = "fault-injection")]
pub const PANIC_IN_STAGE_ID: &str = "fault-injection:panic-in:";

/// Applies the step and records its time; a panic becomes an error for this article only.
fn run<T: Step>(step: &T, mut doc: Document) -> Result<Document, StageError> {
    let started = Instant::now();
    catch_unwind(AssertUnwindSafe(|| {
        #[cfg(feature = "fault-injection")]
        if doc.article.id.strip_prefix(PANIC_IN_STAGE_ID) == Some(T::NAME) {
            panic!("fault injected into the {} stage", T::NAME);
        }
        step.apply(&mut doc)
    }))
    .map_err(|payload| StageError::Panicked { stage: T::NAME, message: panic_message(payload) })?;
    let took = started.elapsed();
    if let Some(m) = crate::telemetry::metrics() {
        m.stage_duration.record(took.as_secs_f64(), &[opentelemetry::KeyValue::new("stage", T::NAME)]);
    }
    doc.timings.push((T::NAME, took));
    Ok(doc)
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_string())
}
