//! Shared by the tests that point the exporter at a closed port.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use incident_enricher::telemetry::{LogFormat, OtlpProtocol, Telemetry, TelemetryConfig};

use super::{ARTICLE, TestServer, config, request};

/// Requests succeed while the collector is unreachable, shutdown still returns, and no thread
/// (the exporters run on their own) panics on the way.
pub async fn requests_succeed_with_the_collector_down(protocol: OtlpProtocol) {
    static PANICKED: AtomicBool = AtomicBool::new(false);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICKED.store(true, Ordering::SeqCst);
        default_hook(info);
    }));
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback binds");
        listener.local_addr().expect("bound")
    };
    let telemetry = Telemetry::init(&TelemetryConfig {
        log_format: LogFormat::Human,
        otlp_endpoint: Some(format!("http://{closed}")),
        otlp_protocol: protocol,
        service_name: "enricher-under-test".into(),
    })
    .expect("telemetry starts even when the collector is down");
    let server = TestServer::start(config()).await;
    let mut client = server.client().await;
    let started = Instant::now();
    let n = 50u32;
    for i in 0..n {
        // A hang guard, not a speed assertion: every request must come back.
        let answer = tokio::time::timeout(Duration::from_secs(10), client.enrich(request(&format!("u{i}"), ARTICLE)))
            .await
            .expect("answered without waiting on the collector");
        assert!(answer.is_ok(), "{answer:?}");
    }
    eprintln!("{n} requests with the collector down: {:?} each", started.elapsed() / n);
    server.stop().await.expect("clean stop");
    let shutdown = tokio::task::spawn_blocking(move || telemetry.shutdown());
    tokio::time::timeout(Duration::from_secs(30), shutdown).await.expect("shutdown returns").expect("no panic");
    assert!(!PANICKED.load(Ordering::SeqCst), "a thread panicked (see above)");
}
