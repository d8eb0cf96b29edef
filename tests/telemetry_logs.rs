//! JSON logs join traces: a log line written while enriching an article carries the trace
//! id the caller sent in `traceparent`.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use incident_enricher::pb::{self, enricher_client::EnricherClient};
use tonic::transport::Endpoint;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_lines_carry_the_callers_trace_id() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback").local_addr().expect("bound").port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_incident-enricher"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--metrics-listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ])
        .env("RUST_LOG", "incident_enricher=debug")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");

    // Wait for readiness by connecting, never by sleeping a fixed time.
    let endpoint = Endpoint::from_shared(format!("http://127.0.0.1:{port}")).expect("uri");
    let started = Instant::now();
    let channel = loop {
        match endpoint.connect().await {
            Ok(channel) => break channel,
            Err(_) if started.elapsed() < Duration::from_secs(20) => tokio::task::yield_now().await,
            Err(e) => panic!("server never listened: {e}"),
        }
    };
    let trace_id = "5bf92f3577b34da6a3ce929d0e0e4737";
    let mut request = tonic::Request::new(pb::EnrichRequest {
        article: Some(pb::Article {
            id: "logged".into(),
            text: "Hackers defaced the ministry website.".into(),
            ..Default::default()
        }),
        include_clean_text: false,
    });
    request.metadata_mut().insert("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01").parse().expect("header"));
    EnricherClient::new(channel).enrich(request).await.expect("enriched");

    // SIGTERM, then read every line the server wrote, off the runtime so the client's
    // connection can close while the server drains.
    let _ = Command::new("kill").arg(server.id().to_string()).status();
    let (lines, status) = tokio::task::spawn_blocking(move || {
        let lines: Vec<String> =
            BufReader::new(server.stderr.take().expect("stderr")).lines().map_while(Result::ok).collect();
        (lines, server.wait().expect("exits"))
    })
    .await
    .expect("read");
    assert!(status.success());
    let enriched =
        lines.iter().find(|l| l.contains("article enriched")).unwrap_or_else(|| panic!("no line in {lines:#?}"));
    let json: serde_json::Value = serde_json::from_str(enriched).expect("a JSON line");
    assert_eq!(json["span"]["trace_id"], trace_id, "{enriched}");
    assert!(json["span"]["span_id"].as_str().is_some_and(|s| s.len() == 16), "{enriched}");
    assert!(lines.iter().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "every line is JSON");
}
