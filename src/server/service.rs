//! The `enricher.v1.Enricher` gRPC service: validates requests, runs them through the
//! pipeline, and turns failures into statuses (unary) or per-article errors (streams).

use std::{
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures::{Stream, StreamExt};
use opentelemetry::KeyValue;
use tokio::time::Instant;
use tonic::{Request, Response, Status, Streaming, metadata::MetadataMap};
use tower::ServiceExt;
use tracing::{Instrument, Span, debug};

use super::status::{Draining, from_pipeline, to_status};
use crate::{
    config,
    pb::{self, enricher_server::Enricher},
    pipeline::{Document, PipelineService},
    telemetry,
};

/// Limits the service applies to each request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest article text accepted, in bytes.
    pub max_article_bytes: usize,
    /// Deadline when the caller sends none.
    pub default_deadline: Duration,
    /// Articles one stream may have in the pipeline at once.
    pub stream_window: usize,
}

impl Default for Limits {
    /// The limits `serve` has without flags.
    fn default() -> Self {
        Self {
            max_article_bytes: config::DEFAULT_MAX_ARTICLE_BYTES,
            default_deadline: config::DEFAULT_DEADLINE,
            stream_window: config::DEFAULT_STREAM_WINDOW,
        }
    }
}

/// The service, cheap to clone.
#[derive(Clone)]
pub struct EnricherService {
    unary: PipelineService,
    stream: PipelineService,
    limits: Limits,
    draining: Arc<AtomicBool>,
}

impl EnricherService {
    /// A service running unary calls on `unary` and stream messages on `stream`.
    pub fn new(unary: PipelineService, stream: PipelineService, limits: Limits, draining: Arc<AtomicBool>) -> Self {
        Self { unary, stream, limits, draining }
    }
}

/// Runs one request through `pipeline`, recording it on `span` and in the metrics.
async fn enrich_one(
    pipeline: PipelineService,
    request: pb::EnrichRequest,
    limits: Limits,
    deadline: Instant,
    method: &'static str,
    span: &Span,
) -> Result<pb::EnrichResponse, Status> {
    let article_id = request.article.as_ref().map(|a| a.id.clone()).unwrap_or_default();
    let bytes = request.article.as_ref().map_or(0, |a| a.text.len());
    let metrics = telemetry::metrics();
    let started = std::time::Instant::now();
    // Counted down when this future ends or is dropped (a caller that gives up).
    let _in_flight = metrics.map(InFlight::enter);
    let outcome = match Document::new(request, limits.max_article_bytes, deadline) {
        Ok(doc) => pipeline.oneshot(doc).await.map(Document::into_response).map_err(|e| from_pipeline(e, &article_id)),
        Err(e) => Err(to_status(&e, &article_id)),
    };
    telemetry::record_outcome(span, &article_id, bytes, outcome.as_ref());
    match &outcome {
        Ok(response) => debug!(
            article_id,
            entities = response.entities.len(),
            incidents = response.incidents.len(),
            "article enriched"
        ),
        Err(status) => debug!(article_id, code = ?status.code(), error = status.message(), "article refused"),
    }
    if let Some(m) = metrics {
        record_metrics(m, method, bytes, started.elapsed(), outcome.as_ref());
    }
    outcome
}

/// One article in `enricher_requests_in_flight`, for as long as it lives.
struct InFlight(&'static telemetry::Metrics);

impl InFlight {
    fn enter(metrics: &'static telemetry::Metrics) -> Self {
        metrics.in_flight.add(1, &[]);
        Self(metrics)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.add(-1, &[]);
    }
}

fn record_metrics(
    m: &telemetry::Metrics,
    method: &'static str,
    bytes: usize,
    took: Duration,
    outcome: Result<&pb::EnrichResponse, &Status>,
) {
    let code = match outcome {
        Ok(_) => tonic::Code::Ok,
        Err(status) => status.code(),
    };
    // A unary call that fails ends with a status alone, counted with the transport's refusals
    // where the router answers (`Answered`); a stream answers each article with a message.
    if outcome.is_ok() || method != "Enrich" {
        m.requests.add(1, &[KeyValue::new("method", method), KeyValue::new("code", pb::code_name(code))]);
    }
    m.request_duration.record(took.as_secs_f64(), &[KeyValue::new("method", method)]);
    m.article_bytes.record(bytes as u64, &[]);
    if code == tonic::Code::ResourceExhausted {
        m.shed.add(1, &[KeyValue::new("method", method)]);
    }
    if let Ok(response) = outcome {
        for incident in &response.incidents {
            m.incidents.add(1, &[KeyValue::new("type", incident.r#type().as_str_name())]);
        }
        for entity in &response.entities {
            m.entities.add(1, &[KeyValue::new("kind", entity.kind().as_str_name())]);
        }
    }
}

/// The response standing for an article that failed inside a stream or a CLI run.
pub fn error_response(article_id: String, status: &Status) -> pb::EnrichResponse {
    pb::EnrichResponse {
        article_id,
        error: Some(pb::Error { code: i32::from(status.code()), message: status.message().to_string() }),
        ..Default::default()
    }
}

#[tonic::async_trait]
impl Enricher for EnricherService {
    async fn enrich(&self, request: Request<pb::EnrichRequest>) -> Result<Response<pb::EnrichResponse>, Status> {
        if self.draining.load(Ordering::Acquire) {
            return Err(to_status(&Draining, ""));
        }
        let timeout = requested_timeout(request.metadata()).unwrap_or(self.limits.default_deadline);
        let deadline = Instant::now() + timeout;
        let span = Span::current();
        let response =
            enrich_one(self.unary.clone(), request.into_inner(), self.limits, deadline, "Enrich", &span).await?;
        Ok(Response::new(response))
    }

    type EnrichStreamStream = Pin<Box<dyn Stream<Item = Result<pb::EnrichResponse, Status>> + Send>>;

    async fn enrich_stream(
        &self,
        request: Request<Streaming<pb::EnrichRequest>>,
    ) -> Result<Response<Self::EnrichStreamStream>, Status> {
        if self.draining.load(Ordering::Acquire) {
            return Err(to_status(&Draining, ""));
        }
        let pipeline = self.stream.clone();
        let limits = self.limits;
        // The stream is polled after this handler returns: its messages' spans hang under the
        // request span explicitly.
        let stream_span = Span::current();
        let responses = request
            .into_inner()
            .map(move |message| {
                let pipeline = pipeline.clone();
                let stream_span = stream_span.clone();
                async move {
                    // A message that cannot be decoded ends the stream; a bad article does not.
                    let request = message?;
                    let article_id = request.article.as_ref().map(|a| a.id.clone()).unwrap_or_default();
                    let bytes = request.article.as_ref().map_or(0, |a| a.text.len());
                    let span = telemetry::message_span(&stream_span, &article_id, bytes);
                    let deadline = Instant::now() + limits.default_deadline;
                    let outcome = enrich_one(pipeline, request, limits, deadline, "EnrichStream", &span)
                        .instrument(span.clone())
                        .await;
                    Ok(outcome.unwrap_or_else(|status| error_response(article_id, &status)))
                }
            })
            // At most a window of articles in flight; reading stops while it is full.
            .buffer_unordered(limits.stream_window);
        Ok(Response::new(Box::pin(responses)))
    }
}

/// The caller's `grpc-timeout` header ("100m", "5S"): at most 8 digits and a unit.
fn requested_timeout(metadata: &MetadataMap) -> Option<Duration> {
    let value = metadata.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use tokio::sync::Semaphore;

    use super::*;
    use crate::pipeline::Pipeline;

    fn service(max_concurrency: usize) -> EnricherService {
        let pipeline = Pipeline::new();
        let capacity = Arc::new(Semaphore::new(max_concurrency));
        let limits = Limits { max_article_bytes: 1 << 20, default_deadline: Duration::from_secs(60), stream_window: 4 };
        EnricherService::new(
            pipeline.shedding(Arc::clone(&capacity)),
            pipeline.waiting(capacity),
            limits,
            Arc::default(),
        )
    }

    fn request(text: &str) -> Request<pb::EnrichRequest> {
        Request::new(pb::EnrichRequest {
            article: Some(pb::Article { id: "t".into(), text: text.into(), ..Default::default() }),
            include_clean_text: false,
        })
    }

    #[tokio::test]
    async fn the_callers_grpc_timeout_overrides_the_default() {
        let svc = service(2);
        assert!(svc.enrich(request("Hackers defaced a website.")).await.is_ok());
        let mut late = request("Hackers defaced a website.");
        late.metadata_mut().insert("grpc-timeout", "1n".parse().unwrap());
        assert_eq!(svc.enrich(late).await.expect_err("expired").code(), tonic::Code::DeadlineExceeded);
    }

    #[tokio::test]
    async fn draining_refuses_new_calls_as_unavailable() {
        let svc = service(2);
        svc.draining.store(true, Ordering::Release);
        assert_eq!(svc.enrich(request("text")).await.expect_err("refused").code(), tonic::Code::Unavailable);
    }

    #[test]
    fn grpc_timeout_header_is_parsed() {
        let timeout = |v: &str| {
            let mut md = MetadataMap::new();
            md.insert("grpc-timeout", v.parse().unwrap());
            requested_timeout(&md)
        };
        assert_eq!(timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(timeout("123456789S"), None);
        assert_eq!(timeout("5x"), None);
        assert_eq!(timeout("m"), None);
        assert_eq!(requested_timeout(&MetadataMap::new()), None);
    }
}
