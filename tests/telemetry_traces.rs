//! Spans reach a real OTLP collector: one built into this test from `opentelemetry-proto`'s
//! server types, on loopback. The request span and one span per stage join the trace the test
//! client sent in `traceparent`, with the article's attributes; stream messages get theirs.

mod common;

use common::{ARTICLE, TestServer, config, request};
use incident_enricher::telemetry::{LogFormat, OtlpProtocol, Telemetry, TelemetryConfig};
use opentelemetry_proto::tonic::{
    common::v1::{AnyValue, any_value},
    trace::v1::Span,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    let value = span.attributes.iter().find(|kv| kv.key == key)?.value.as_ref()?;
    Some(match value {
        AnyValue { value: Some(any_value::Value::StringValue(s)) } => s.clone(),
        AnyValue { value: Some(any_value::Value::IntValue(i)) } => i.to_string(),
        other => format!("{other:?}"),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_join_the_callers_trace_at_the_collector() {
    let (collector, mut spans) = common::collector::start().await;

    let telemetry = Telemetry::init(&TelemetryConfig {
        log_format: LogFormat::Human,
        otlp_endpoint: Some(format!("http://{collector}")),
        otlp_protocol: OtlpProtocol::Grpc,
        service_name: "enricher-under-test".into(),
    })
    .expect("telemetry starts");

    let server = TestServer::start(config()).await;
    let mut client = server.client().await;
    let (trace_id, caller_span) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let mut unary = tonic::Request::new(request("traced", ARTICLE));
    unary.metadata_mut().insert("traceparent", format!("00-{trace_id}-{caller_span}-01").parse().expect("header"));
    let response = client.enrich(unary).await.expect("enriched").into_inner();

    let stream_trace = "0af7651916cd43dd8448eb211c80319c";
    let mut streamed = tonic::Request::new(futures::stream::iter([request("s1", ARTICLE), request("s2", ARTICLE)]));
    streamed
        .metadata_mut()
        .insert("traceparent", format!("00-{stream_trace}-b7ad6b7169203331-01").parse().expect("header"));
    let mut answers = client.enrich_stream(streamed).await.expect("stream").into_inner();
    while let Some(answer) = futures::StreamExt::next(&mut answers).await {
        answer.expect("answered");
    }
    server.stop().await.expect("clean stop");
    tokio::task::spawn_blocking(move || telemetry.shutdown()).await.expect("flushed");

    // Shutdown flushed every span, and the collector took each before answering the export.
    let mut got = Vec::new();
    while let Ok(span) = spans.try_recv() {
        got.push(span);
    }
    let in_trace = |t: &str| got.iter().filter(|s| hex(&s.trace_id) == t).collect::<Vec<_>>();

    let unary_spans = in_trace(trace_id);
    let request_span =
        unary_spans.iter().find(|s| s.name == "enricher.v1.Enricher/Enrich").expect("the request span arrived");
    assert_eq!(hex(&request_span.parent_span_id), caller_span, "the request span is the caller's child");
    assert_eq!(attribute(request_span, "article_id").as_deref(), Some("traced"));
    assert_eq!(attribute(request_span, "bytes_in"), Some(ARTICLE.len().to_string()));
    assert_eq!(attribute(request_span, "entities"), Some(response.entities.len().to_string()));
    assert_eq!(attribute(request_span, "incidents"), Some(response.incidents.len().to_string()));
    assert_eq!(attribute(request_span, "rpc.grpc.status_code").as_deref(), Some("0"));
    let mut stages: Vec<&str> = unary_spans
        .iter()
        .filter(|s| s.parent_span_id == request_span.span_id)
        .filter_map(|s| Some(s.name.as_str()).filter(|n| ["cleanup", "entities", "classify", "incidents"].contains(n)))
        .collect();
    stages.sort();
    assert_eq!(stages, ["classify", "cleanup", "entities", "incidents"], "one span per stage under the request");

    let stream_spans = in_trace(stream_trace);
    let stream_request =
        stream_spans.iter().find(|s| s.name == "enricher.v1.Enricher/EnrichStream").expect("stream span");
    let messages: Vec<String> = stream_spans
        .iter()
        .filter(|s| s.name == "enricher.v1.Enricher/EnrichStream message" && s.parent_span_id == stream_request.span_id)
        .filter_map(|s| attribute(s, "article_id"))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages.contains(&"s1".to_string()) && messages.contains(&"s2".to_string()));
}
