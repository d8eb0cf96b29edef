//! The Prometheus endpoint, scraped over HTTP after some requests: the counters and
//! histograms move as the requests did, and the text parses as the exposition format.

mod common;

use std::collections::HashMap;

use common::{ARTICLE, TestServer, config, request};
use incident_enricher::telemetry::{self, LogFormat, OtlpProtocol, Telemetry, TelemetryConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// GETs `path` over plain HTTP/1.1 and returns the status line and body.
async fn get(addr: std::net::SocketAddr, path: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("metrics endpoint accepts");
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("response read");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    (head.lines().next().unwrap_or_default().to_string(), body.to_string())
}

/// Parses the text exposition format: `# HELP`/`# TYPE` lines and `name{labels} value`
/// samples. Panics on any other line. Returns each sample by its name and sorted labels.
fn parse(text: &str) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            let kind = comment.split_whitespace().next();
            assert!(matches!(kind, Some("HELP" | "TYPE")), "bad comment line: {line}");
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("bad value: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let labels = rest.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels: {line}"));
                let mut pairs: Vec<&str> = labels.split(',').filter(|p| !p.is_empty()).collect();
                for pair in &pairs {
                    let (key, quoted) = pair.split_once('=').unwrap_or_else(|| panic!("bad label: {line}"));
                    assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "bad label name: {line}");
                    assert!(quoted.starts_with('"') && quoted.ends_with('"'), "unquoted label value: {line}");
                }
                pairs.sort();
                (name, pairs.join(","))
            }
            None => (series, String::new()),
        };
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'), "bad metric name: {line}");
        samples.insert(format!("{name}{{{labels}}}"), value);
    }
    samples
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_with_the_requests() {
    let telemetry = Telemetry::init(&TelemetryConfig {
        log_format: LogFormat::Human,
        otlp_endpoint: None,
        otlp_protocol: OtlpProtocol::Grpc,
        service_name: "enricher-under-test".into(),
    })
    .expect("telemetry starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback binds");
    let metrics_addr = listener.local_addr().expect("bound");
    tokio::spawn(telemetry::serve_metrics(listener, telemetry.registry(), std::future::pending()));

    let server = TestServer::start(config()).await;
    let (_, body) = get(metrics_addr, "/metrics").await;
    let before = parse(&body);
    for series in [
        "enricher_shed_requests_total{method=\"Enrich\"}",
        "enricher_shed_requests_total{method=\"EnrichStream\"}",
        "enricher_requests_total{code=\"OK\",method=\"EnrichStream\"}",
        "enricher_incidents_total{type=\"RANSOMWARE\"}",
    ] {
        assert_eq!(before.get(series), Some(&0.0), "{series} exists at 0 before any request:\n{body}");
    }
    let mut client = server.client().await;
    for id in ["m1", "m2"] {
        client.enrich(request(id, ARTICLE)).await.expect("enriched");
    }
    client.enrich(request("bad", "")).await.expect_err("empty text");
    // Refused by the transport, before the service sees it: over the message size limit.
    client.enrich(request("huge", &"x".repeat(300 * 1024))).await.expect_err("too large");
    let panics = format!("{}incidents", incident_enricher::pipeline::PANIC_IN_STAGE_ID);
    client.enrich(request(&panics, ARTICLE)).await.expect_err("the stage panicked");
    let mut answers =
        client.enrich_stream(futures::stream::iter([request("s1", ARTICLE)])).await.expect("stream").into_inner();
    while futures::StreamExt::next(&mut answers).await.is_some() {}

    let (status, body) = get(metrics_addr, "/metrics").await;
    assert!(status.contains("200"), "{status}");
    let samples = parse(&body);
    let value = |series: &str| samples.get(series).copied().unwrap_or_else(|| panic!("no {series} in\n{body}"));

    assert_eq!(value("enricher_requests_total{code=\"OK\",method=\"Enrich\"}"), 2.0);
    assert_eq!(value("enricher_requests_total{code=\"INVALID_ARGUMENT\",method=\"Enrich\"}"), 1.0);
    assert_eq!(value("enricher_requests_total{code=\"OUT_OF_RANGE\",method=\"Enrich\"}"), 1.0);
    assert_eq!(value("enricher_requests_total{code=\"INTERNAL\",method=\"Enrich\"}"), 1.0);
    assert_eq!(value("enricher_requests_total{code=\"OK\",method=\"EnrichStream\"}"), 1.0);
    // The service saw five articles (not the one the transport refused).
    assert_eq!(value("enricher_request_duration_seconds_count{method=\"Enrich\"}"), 4.0);
    assert_eq!(value("enricher_request_duration_seconds_bucket{le=\"+Inf\",method=\"Enrich\"}"), 4.0);
    // Four articles reached the stages, and so did the warm-up article at start-up; the
    // panicking one panicked in the last stage, after cleanup.
    assert_eq!(value("enricher_stage_duration_seconds_count{stage=\"cleanup\"}"), 5.0);
    assert_eq!(value("enricher_requests_in_flight{}"), 0.0);
    assert_eq!(value("enricher_article_size_bytes_count{}"), 5.0);
    assert!(value("enricher_incidents_total{type=\"DEFACEMENT\"}") >= 3.0);
    assert!(value("enricher_entities_total{kind=\"COUNTRY\"}") >= 3.0);
    assert_eq!(value(&format!("enricher_build_info{{version=\"{}\"}}", env!("CARGO_PKG_VERSION"))), 1.0);
    assert!(!body.contains("m1") && !body.contains("article_id"), "article ids must not be labels");

    let (status, _) = get(metrics_addr, "/other").await;
    assert!(status.contains("404"), "{status}");
    server.stop().await.expect("clean stop");
}
