//! Telemetry overhead: throughput of the real server over loopback, first with no tracing
//! subscriber at all, then with the full telemetry (trace context, spans exported over OTLP
//! to a collector in this process, metrics). Prints articles per second for both.
//!
//! `cargo bench --bench telemetry`

use std::time::{Duration, Instant};

use futures::StreamExt;
use incident_enricher::{
    config::ListenAddr,
    pb::{self, enricher_client::EnricherClient},
    server::{self, Limits, Listener, ServerConfig},
    telemetry::{LogFormat, OtlpProtocol, Telemetry, TelemetryConfig},
};
use tonic::transport::Endpoint;

#[path = "../tests/common/collector.rs"]
mod collector;

const ARTICLES: usize = 4000;
const CONCURRENCY: usize = 16;
const TEXT: &str = include_str!("../examples/articles/03-ddos-parliament.txt");

/// Articles per second through a fresh server.
async fn throughput() -> f64 {
    let listener = Listener::bind(&ListenAddr::Tcp("127.0.0.1:0".into())).await.expect("loopback binds");
    let addr = listener.local_addr();
    let config = ServerConfig {
        limits: Limits { default_deadline: Duration::from_secs(30), ..Limits::default() },
        max_concurrency: 64,
        drain_timeout: Duration::from_secs(5),
        ..ServerConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, config, async {
        let _ = stopped.await;
    }));
    let channel = Endpoint::from_shared(format!("http://{addr}")).expect("uri").connect().await.expect("connects");
    let client = EnricherClient::new(channel);
    let started = Instant::now();
    futures::stream::iter(0..ARTICLES)
        .map(|i| {
            let mut client = client.clone();
            async move {
                let article = pb::Article { id: format!("a{i}"), text: TEXT.into(), ..Default::default() };
                client
                    .enrich(pb::EnrichRequest { article: Some(article), include_clean_text: false })
                    .await
                    .expect("enriched");
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<()>()
        .await;
    let rate = ARTICLES as f64 / started.elapsed().as_secs_f64();
    let _ = stop.send(());
    task.await.expect("no panic").expect("clean stop");
    rate
}

#[tokio::main]
async fn main() {
    let off = throughput().await;

    let (collector, mut spans) = collector::start().await;
    // Run with RUST_LOG=warn to keep log lines out of the measurement; spans export anyway.
    let telemetry = Telemetry::init(&TelemetryConfig {
        log_format: LogFormat::Json,
        otlp_endpoint: Some(format!("http://{collector}")),
        otlp_protocol: OtlpProtocol::Grpc,
        service_name: "enricher-bench".into(),
    })
    .expect("telemetry starts");
    let on = throughput().await;
    tokio::task::spawn_blocking(move || telemetry.shutdown()).await.expect("flushed");
    let mut exported = 0;
    while spans.try_recv().is_ok() {
        exported += 1;
    }

    println!("articles: {ARTICLES} over loopback, {CONCURRENCY} in flight, {} bytes each", TEXT.len());
    println!("telemetry off: {off:>8.0} articles/s");
    println!("telemetry on:  {on:>8.0} articles/s  ({:.1}% of off; {exported} spans exported)", 100.0 * on / off);
}
