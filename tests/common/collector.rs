//! An OTLP trace receiver built from `opentelemetry-proto`'s server types, on loopback: what
//! the real exporter sends arrives here as spans on a channel. Used by tests and benches.

use std::net::SocketAddr;

use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
        trace_service_server::{TraceService, TraceServiceServer},
    },
    trace::v1::Span,
};
use tokio::sync::mpsc;
use tonic::transport::{Server, server::TcpIncoming};

struct Collector(mpsc::UnboundedSender<Span>);

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        for span in request.into_inner().resource_spans.into_iter().flat_map(|r| r.scope_spans).flat_map(|s| s.spans) {
            let _ = self.0.send(span);
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

/// Starts a collector; returns its address and the spans it receives, each once its export
/// call has been answered.
pub async fn start() -> (SocketAddr, mpsc::UnboundedReceiver<Span>) {
    let (tx, spans) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback binds");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(
        Server::builder()
            .add_service(TraceServiceServer::new(Collector(tx)))
            .serve_with_incoming(TcpIncoming::from(listener)),
    );
    (addr, spans)
}
