//! Spans for requests: named after the gRPC method, joined to the caller's trace through the
//! W3C `traceparent`/`tracestate` metadata, and filled in with what the request found.

use opentelemetry::{
    global,
    trace::{TraceContextExt, TraceId},
};
use opentelemetry_http::HeaderExtractor;
use tracing::{Span, field::Empty, info_span};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::pb;

/// The span of one gRPC request, child of the caller's span when the metadata names one.
pub fn request_span<B>(request: &http::Request<B>) -> Span {
    let name = request.uri().path().trim_start_matches('/');
    let (service, method) = name.split_once('/').unwrap_or((name, ""));
    let span = info_span!(
        "grpc",
        otel.name = %name,
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = %service,
        rpc.method = %method,
        rpc.grpc.status_code = Empty,
        otel.status_code = Empty,
        article_id = Empty,
        bytes_in = Empty,
        entities = Empty,
        incidents = Empty,
        trace_id = Empty,
        span_id = Empty,
    );
    let parent = global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(request.headers())));
    let _ = span.set_parent(parent);
    record_trace_id(&span);
    span
}

/// The span of one article of a stream, under the stream's request span.
pub fn message_span(request: &Span, article_id: &str, bytes: usize) -> Span {
    let span = info_span!(
        parent: request,
        "stream message",
        otel.name = "enricher.v1.Enricher/EnrichStream message",
        rpc.grpc.status_code = Empty,
        otel.status_code = Empty,
        article_id = %article_id,
        bytes_in = bytes,
        entities = Empty,
        incidents = Empty,
        trace_id = Empty,
        span_id = Empty,
    );
    record_trace_id(&span);
    span
}

/// Puts the trace and span ids among the span's fields, so that every log line inside it
/// carries them and logs join traces.
fn record_trace_id(span: &Span) {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    if span_context.trace_id() != TraceId::INVALID {
        span.record("trace_id", span_context.trace_id().to_string());
        span.record("span_id", span_context.span_id().to_string());
    }
}

/// Records the outcome of one article on `span`.
pub fn record_outcome(
    span: &Span,
    article_id: &str,
    bytes: usize,
    outcome: Result<&pb::EnrichResponse, &tonic::Status>,
) {
    span.record("article_id", article_id);
    span.record("bytes_in", bytes);
    match outcome {
        Ok(response) => {
            span.record("entities", response.entities.len());
            span.record("incidents", response.incidents.len());
            span.record("rpc.grpc.status_code", 0);
        }
        Err(status) => {
            span.record("rpc.grpc.status_code", status.code() as i32);
            span.record("otel.status_code", "ERROR");
        }
    }
}
