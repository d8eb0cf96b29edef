//! Enforces each document's own deadline (the caller's `grpc-timeout`, or the server default)
//! over everything below it: waiting for capacity and every stage.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use tower::{BoxError, Layer, Service, ServiceExt};

use super::Document;

/// The document's deadline passed before the pipeline finished it.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
#[error("deadline exceeded before the article was enriched")]
pub struct DeadlineExceeded;

/// Builds [`Deadline`]. tower's `TimeoutLayer` has one fixed duration; ours varies per request.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeadlineLayer;

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Deadline { inner }
    }
}

/// Fails a document with [`DeadlineExceeded`] once `Document::deadline` passes.
#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
}

impl<S> Service<Document> for Deadline<S>
where
    S: Service<Document, Response = Document, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Document;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Document, BoxError>> + Send>>;

    /// Always ready: readiness of the inner service is awaited inside `call`, so that waiting
    /// for capacity counts against the deadline too.
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, doc: Document) -> Self::Future {
        // A clone that has not been polled yet: `oneshot` drives it to readiness itself.
        let inner = self.inner.clone();
        let deadline = doc.deadline;
        Box::pin(async move {
            match tokio::time::timeout_at(deadline, inner.oneshot(doc)).await {
                Ok(result) => result,
                Err(_elapsed) => Err(DeadlineExceeded.into()),
            }
        })
    }
}
