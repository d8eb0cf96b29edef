//! Backfill throughput against one local server, next to the pipeline's own throughput in
//! this process, on the CASIE texts in `../shared/casie/dev.jsonl` when present (else on the
//! bundled examples), repeated a few rounds. Prints articles per second for both.
//!
//! `cargo bench --bench backfill`

use std::{
    fmt::Write as _,
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use futures::StreamExt;
use incident_enricher::{
    config::{self, ListenAddr},
    pb,
    pipeline::{Document, Pipeline},
    server::{self, Limits, Listener, ServerConfig},
};
use tower::ServiceExt;

/// Times the corpus is sent, with distinct ids, so a run lasts long enough to measure.
const ROUNDS: usize = 12;

/// The corpus as Articles: CASIE records (`id`, `text`, `title`, `url`, `published`) or the
/// bundled examples.
fn corpus() -> (String, Vec<pb::Article>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Ok(casie) = std::fs::read_to_string(root.join("../shared/casie/dev.jsonl")) {
        let articles = casie
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .map(|record| {
                let field = |name: &str| record.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                pb::Article {
                    id: format!("casie-{}", field("id")),
                    text: field("text"),
                    title: field("title"),
                    url: field("url"),
                    published_at: chrono::NaiveDate::parse_from_str(&field("published"), "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(|t| pbjson_types::Timestamp { seconds: t.and_utc().timestamp(), nanos: 0 }),
                    ..Default::default()
                }
            })
            .filter(|article| !article.text.trim().is_empty())
            .collect();
        return ("CASIE dev".into(), articles);
    }
    let articles = incident_enricher::cli::input::records(&root.join("examples/articles.jsonl"), &Default::default())
        .expect("examples exist")
        .filter_map(Result::ok)
        .collect();
    ("examples".into(), articles)
}

fn rounds(articles: &[pb::Article]) -> Vec<pb::Article> {
    (0..ROUNDS)
        .flat_map(|round| articles.iter().map(move |a| pb::Article { id: format!("{}#{round}", a.id), ..a.clone() }))
        .collect()
}

/// Articles per second through the pipeline in this process, as many at once as the server
/// allows by default, each a task of its own so that every core works, as in the server.
async fn in_process(articles: &[pb::Article]) -> f64 {
    let pipeline = Pipeline::new();
    pipeline.warm_up().await;
    let service = pipeline.unlimited();
    let started = Instant::now();
    let done = futures::stream::iter(articles.iter().cloned())
        .map(|article| {
            let service = service.clone();
            tokio::spawn(async move {
                let request = pb::EnrichRequest { article: Some(article), include_clean_text: false };
                let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
                let doc = Document::new(request, 1 << 20, deadline).expect("a valid article");
                service.oneshot(doc).await.is_ok()
            })
        })
        .buffer_unordered(config::default_concurrency())
        .filter(|ok| futures::future::ready(matches!(ok, Ok(true))))
        .count()
        .await;
    assert_eq!(done, articles.len(), "every article enriched");
    done as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (name, corpus) = corpus();
    let articles = rounds(&corpus);
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("articles.jsonl");
    let mut jsonl = String::new();
    for article in &articles {
        writeln!(jsonl, "{}", serde_json::to_string(article).expect("serialises")).expect("writes");
    }
    std::fs::write(&input, jsonl).expect("input written");
    println!(
        "{name}: {} articles ({} x {ROUNDS} rounds), {:.1} MB of text, {} cores",
        articles.len(),
        corpus.len(),
        bytes as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let pipeline_rate = runtime.block_on(in_process(&articles));
    println!("pipeline in process:        {pipeline_rate:>7.1} articles/s");

    let (addr, stop, server) = runtime.block_on(async {
        let listener = Listener::bind(&ListenAddr::Tcp("127.0.0.1:0".into())).await.expect("loopback binds");
        let addr = listener.local_addr();
        let config = ServerConfig {
            limits: Limits { default_deadline: Duration::from_secs(30), ..Limits::default() },
            drain_timeout: Duration::from_secs(5),
            ..ServerConfig::default()
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(server::serve(listener, config, async {
            let _ = stopped.await;
        }));
        (addr, stop, server)
    });
    let output = dir.path().join("out.jsonl");
    let started = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_incident-enricher"))
        .args(["backfill", "--endpoint", &addr, "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .env("RUST_LOG", "warn")
        .output()
        .expect("backfill runs");
    let took = started.elapsed();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let lines = std::fs::read_to_string(&output).expect("output").lines().count();
    assert_eq!(lines, articles.len(), "every article in the output");
    let backfill_rate = articles.len() as f64 / took.as_secs_f64();
    println!(
        "backfill over loopback gRPC: {backfill_rate:>7.1} articles/s ({:.2} MB/s, {:.1}s, client process included)",
        bytes as f64 / 1e6 / took.as_secs_f64(),
        took.as_secs_f64()
    );
    println!("backfill / pipeline:        {:>7.0} %", 100.0 * backfill_rate / pipeline_rate);
    let _ = stop.send(());
    runtime.block_on(server).expect("no panic").expect("clean stop");
}
