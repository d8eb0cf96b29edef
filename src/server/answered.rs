//! Counts, in `enricher_requests_total`, the calls answered with a status and no message: the
//! ones the service refuses and the ones the transport refuses before the service sees them
//! (a message over the size limit, one that does not decode). It also rewords the transport's
//! size refusal so that the caller learns the article limit and the flag that raises it.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use opentelemetry::KeyValue;
use tonic::{Code, Status, body::Body, server::NamedService};
use tower::Service;

use crate::{pb, telemetry};

/// Wraps the Enricher service of the router.
#[derive(Debug, Clone)]
pub(super) struct Answered<S> {
    inner: S,
    max_article_bytes: usize,
}

impl<S> Answered<S> {
    pub(super) fn new(inner: S, max_article_bytes: usize) -> Self {
        Self { inner, max_article_bytes }
    }
}

impl<S: NamedService> NamedService for Answered<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> Service<http::Request<B>> for Answered<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let method = method_name(request.uri().path());
        let max_article_bytes = self.max_article_bytes;
        Box::pin(async move {
            let response = inner.call(request).await?;
            // A status in the headers is a trailers-only answer: the call ended with no message.
            let Some(status) = Status::from_header_map(response.headers()) else { return Ok(response) };
            if let Some(m) = telemetry::metrics() {
                let code = KeyValue::new("code", pb::code_name(status.code()));
                m.requests.add(1, &[KeyValue::new("method", method), code]);
            }
            Ok(match too_large(&status, max_article_bytes) {
                Some(reworded) => reworded.into_http(),
                None => response,
            })
        })
    }
}

/// The method a request path names, as the metrics label it.
fn method_name(path: &str) -> &'static str {
    match path.rsplit('/').next() {
        Some("Enrich") => "Enrich",
        Some("EnrichStream") => "EnrichStream",
        _ => "other",
    }
}

/// The transport's refusal of a request message over its decoding limit, said in terms of the
/// article limit a caller can act on.
fn too_large(status: &Status, max_article_bytes: usize) -> Option<Status> {
    let found = status.message().contains("message length too large");
    (status.code() == Code::OutOfRange && found).then(|| {
        Status::out_of_range(format!(
            "request message is too large ({}): the article limit is {max_article_bytes} bytes of text; \
             the server's --max-article-bytes (ENRICHER_MAX_ARTICLE_BYTES) raises it",
            status.message().trim_start_matches("Error, ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_refusal_names_the_limit_and_the_flag() {
        let transport = Status::out_of_range(
            "Error, decoded message length too large: found 5242896 bytes, the limit is: 2162688 bytes",
        );
        let reworded = too_large(&transport, 1 << 20).expect("reworded");
        assert_eq!(reworded.code(), Code::OutOfRange);
        for part in ["1048576 bytes", "--max-article-bytes", "found 5242896 bytes"] {
            assert!(reworded.message().contains(part), "{reworded:?} lacks {part}");
        }
        assert!(too_large(&Status::out_of_range("deadline past the end of time"), 1 << 20).is_none());
    }
}
