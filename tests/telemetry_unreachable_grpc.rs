//! With the OTLP/gRPC endpoint at a closed port, requests still succeed.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_succeed_with_the_grpc_collector_down() {
    common::unreachable::requests_succeed_with_the_collector_down(incident_enricher::telemetry::OtlpProtocol::Grpc)
        .await;
}
