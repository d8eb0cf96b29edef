//! With the OTLP HTTP/protobuf endpoint at a closed port, requests still succeed.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_succeed_with_the_http_collector_down() {
    common::unreachable::requests_succeed_with_the_collector_down(
        incident_enricher::telemetry::OtlpProtocol::HttpProtobuf,
    )
    .await;
}
