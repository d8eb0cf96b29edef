//! End to end over a real loopback socket: the generated client against the real server.

mod common;

use std::{collections::HashMap, time::Duration};

use common::{ARTICLE, TestServer, assert_spans_inside, config, request};
use futures::{FutureExt, StreamExt};
use incident_enricher::pb::{self, enricher_client::EnricherClient};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};

#[tokio::test]
async fn enrich_finds_entities_and_incidents_with_spans_in_code_points() {
    let server = TestServer::start(config()).await;
    let mut client = server.client().await;
    let r = client.enrich(request("a1", ARTICLE)).await.expect("enriched").into_inner();

    assert_eq!(r.article_id, "a1");
    assert_spans_inside(ARTICLE, &r);
    let names: Vec<(&str, pb::EntityKind)> = r.entities.iter().map(|e| (e.name.as_str(), e.kind())).collect();
    for want in [
        ("Ukraine", pb::EntityKind::Country),
        ("Taras Melnyk", pb::EntityKind::Person),
        ("NATO", pb::EntityKind::Organization),
    ] {
        assert!(names.contains(&want), "{want:?} not in {names:?}");
    }
    let current = &r.incidents[0];
    assert_eq!((current.r#type(), current.temporality()), (pb::IncidentType::Defacement, pb::Temporality::Current));
    let cleanup = r.cleanup.as_ref().expect("cleanup");
    assert!(!cleanup.clean_text.contains("Skip to content") && cleanup.clean_text.contains("Taras Melnyk"));
    assert_eq!(cleanup.language, "en");
    let provenance = r.provenance.as_ref().expect("provenance");
    let stages: Vec<&str> = provenance.stages.iter().map(|s| s.stage.as_str()).collect();
    assert_eq!(stages, ["cleanup", "entities", "classify", "incidents"]);
    assert_eq!(provenance.service_version, incident_enricher::pipeline::SERVICE_VERSION);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn bad_input_gets_invalid_argument_with_a_clear_message() {
    let server = TestServer::start(config()).await;
    let mut client = server.client().await;
    let oversized = "x".repeat(64 * 1024 + 1);
    let cases = [
        (pb::EnrichRequest { article: None, include_clean_text: false }, "no article"),
        (request("empty", ""), "empty"),
        (request("blank", " \n\t\u{00a0}\n"), "empty"),
        (request("big", &oversized), "limit of 65536 bytes"),
    ];
    for (req, message) in cases {
        let status = client.enrich(req).await.expect_err("rejected");
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        assert!(status.message().contains(message), "{status:?}");
    }
    // Far over the limit, the message itself is refused before it is decoded.
    let huge = "x".repeat(200 * 1024);
    let status = client.enrich(request("huge", &huge)).await.expect_err("rejected");
    assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    for part in ["the article limit is 65536 bytes", "--max-article-bytes"] {
        assert!(status.message().contains(part), "the caller is told what to change: {status:?}");
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_passed_deadline_is_deadline_exceeded() {
    let mut cfg = config();
    cfg.limits.default_deadline = Duration::from_nanos(1);
    let server = TestServer::start(cfg).await;
    let mut client = server.client().await;
    let status = client.enrich(request("late", ARTICLE)).await.expect_err("too late");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    let mut stream =
        client.enrich_stream(futures::stream::iter([request("late", ARTICLE)])).await.expect("opens").into_inner();
    let r = stream.next().await.expect("a response").expect("the stream goes on");
    assert_eq!(r.error.expect("late article failed").code(), pb::error::Code::DeadlineExceeded);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_full_server_sheds_unary_calls_and_recovers() {
    let cfg = config();
    let (server, capacity) = TestServer::start_with_capacity(cfg.clone()).await;
    let mut client = server.client().await;
    // All pipeline permits taken, as by max_concurrency articles in flight.
    let held = capacity.clone().acquire_many_owned(cfg.max_concurrency as u32).await.expect("permits");

    let status = client.enrich(request("shed", ARTICLE)).await.expect_err("shed");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("concurrency limit"), "{status:?}");

    let (tx, rx) = mpsc::channel(4);
    let mut responses = client.enrich_stream(ReceiverStream::new(rx)).await.expect("opens").into_inner();
    tx.send(request("queued", ARTICLE)).await.expect("sent");
    drop(tx);
    drop(held);
    let r = responses.next().await.expect("answered once there is room").expect("ok");
    assert_eq!((r.article_id.as_str(), r.error), ("queued", None));
    assert!(client.enrich(request("again", ARTICLE)).await.is_ok(), "serves normally once load is gone");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn stream_answers_every_article_exactly_once_and_survives_a_bad_one() {
    let server = TestServer::start(config()).await;
    let mut client = server.client().await;
    let n = 300;
    let requests: Vec<pb::EnrichRequest> = (0..n)
        .map(|i| match i {
            150 => request("a150", "   "),
            _ => request(&format!("a{i}"), &format!("{ARTICLE}\nUpdate {i}: the ministry said its sites were back.")),
        })
        .collect();
    let mut responses = client.enrich_stream(futures::stream::iter(requests)).await.expect("stream opens").into_inner();

    let mut seen: HashMap<String, pb::EnrichResponse> = HashMap::new();
    while let Some(r) = responses.next().await {
        let r = r.expect("the stream does not fail");
        assert!(seen.insert(r.article_id.clone(), r).is_none(), "answered twice");
    }
    assert_eq!(seen.len(), n);
    let bad = seen["a150"].error.as_ref().expect("a150 failed");
    assert_eq!(bad.code(), pb::error::Code::InvalidArgument);
    assert!(bad.message.contains("empty"), "{bad:?}");
    assert!(seen.iter().filter(|(id, _)| *id != "a150").all(|(_, r)| r.error.is_none() && !r.incidents.is_empty()));
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn health_and_reflection() {
    use tonic_reflection::pb::{v1, v1alpha};

    let server = TestServer::start(config()).await;
    let channel = server.channel().await;
    let mut health = HealthClient::new(channel.clone());
    for service in ["", "enricher.v1.Enricher"] {
        let status = health.check(HealthCheckRequest { service: service.into() }).await.expect("checked").into_inner();
        assert_eq!(status.status(), ServingStatus::Serving, "{service:?}");
    }

    let list = || v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(String::new())),
    };
    let mut reflection = v1::server_reflection_client::ServerReflectionClient::new(channel.clone());
    let mut answers =
        reflection.server_reflection_info(futures::stream::iter([list()])).await.expect("v1").into_inner();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(services)) =
        answers.next().await.expect("an answer").expect("ok").message_response
    else {
        panic!("v1 reflection answered something else")
    };
    let names: Vec<String> = services.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"enricher.v1.Enricher".to_string()) && names.contains(&"grpc.health.v1.Health".to_string()),
        "{names:?}"
    );

    let list_alpha = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1alpha::server_reflection_request::MessageRequest::ListServices(String::new())),
    };
    let mut alpha = v1alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let mut answers =
        alpha.server_reflection_info(futures::stream::iter([list_alpha])).await.expect("v1alpha").into_inner();
    let Some(v1alpha::server_reflection_response::MessageResponse::ListServicesResponse(services)) =
        answers.next().await.expect("an answer").expect("ok").message_response
    else {
        panic!("v1alpha reflection answered something else")
    };
    assert!(services.service.iter().any(|s| s.name == "enricher.v1.Enricher"));
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn shutdown_turns_health_not_serving_and_finishes_open_streams() {
    let mut server = TestServer::start(config()).await;
    let channel = server.channel().await;
    let mut health = HealthClient::new(channel.clone());
    let mut watch = health.watch(HealthCheckRequest { service: String::new() }).await.expect("watch").into_inner();
    assert_eq!(watch.next().await.expect("status").expect("ok").status(), ServingStatus::Serving);

    // A stream with work in flight when shutdown begins.
    let mut client = EnricherClient::new(channel.clone());
    let (tx, rx) = mpsc::channel(64);
    let mut responses = client.enrich_stream(ReceiverStream::new(rx)).await.expect("stream opens").into_inner();
    for i in 0..10 {
        tx.send(request(&format!("before{i}"), ARTICLE)).await.expect("sent");
    }
    let first = responses.next().await.expect("a response").expect("ok");
    assert!(first.article_id.starts_with("before"));

    server.shutdown();
    assert_eq!(watch.next().await.expect("status").expect("ok").status(), ServingStatus::NotServing);
    drop(watch);

    // The open stream keeps working until the client closes it.
    for i in 0..10 {
        tx.send(request(&format!("after{i}"), ARTICLE)).await.expect("sent");
    }
    drop(tx);
    let mut ids = vec![first.article_id];
    while let Some(r) = responses.next().await {
        let r = r.expect("no response lost");
        assert!(r.error.is_none(), "{r:?}");
        ids.push(r.article_id);
    }
    ids.sort();
    assert_eq!(ids.len(), 20, "{ids:?}");

    // New calls are refused while draining, and the server exits cleanly.
    let refused = tokio::time::timeout(Duration::from_secs(5), client.enrich(request("late", ARTICLE))).await;
    assert!(!matches!(refused, Ok(Ok(_))), "new work accepted while draining: {refused:?}");
    server.task.await.expect("no panic").expect("clean exit");
}

#[tokio::test]
async fn serves_on_a_unix_socket() {
    use hyper_util::rt::TokioIo;
    use incident_enricher::{config::ListenAddr, server::Listener};
    use tonic::transport::{Endpoint, Uri};

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("enricher.sock");
    // A stale socket file from a crashed run is replaced.
    drop(std::os::unix::net::UnixListener::bind(&path).expect("stale socket"));
    let listener = Listener::bind(&ListenAddr::Unix(path.clone())).await.expect("binds over the stale file");
    let server = TestServer::start_on(listener, config());

    let connect_path = path.clone();
    let channel = Endpoint::from_static("http://sidecar")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let path = connect_path.clone();
            async move { tokio::net::UnixStream::connect(path).await.map(TokioIo::new) }
        }))
        .await
        .expect("connects over the socket");
    let r = EnricherClient::new(channel).enrich(request("u1", ARTICLE)).await.expect("enriched").into_inner();
    assert_eq!(r.article_id, "u1");
    server.stop().await.expect("clean stop");
    assert!(!path.exists(), "socket file removed on exit");
}

/// Answers one article on each open stream, in turn.
async fn round_trip(
    open: &mut [(mpsc::Sender<pb::EnrichRequest>, tonic::Streaming<pb::EnrichResponse>)],
    round: usize,
) {
    for (i, (tx, responses)) in open.iter_mut().enumerate() {
        tx.send(request(&format!("s{i}-{round}"), ARTICLE)).await.expect("stream open");
        let r = responses.next().await.expect("answered").expect("ok");
        assert_eq!(r.error, None);
    }
}

#[tokio::test]
async fn one_connection_holds_at_most_max_concurrent_streams_calls() {
    let mut cfg = config();
    cfg.connection.max_concurrent_streams = 2;
    let server = TestServer::start(cfg).await;
    // One channel is one HTTP/2 connection.
    let client = server.client().await;
    let mut open = Vec::new();
    for _ in 0..2 {
        let (tx, rx) = mpsc::channel(1);
        let responses = client.clone().enrich_stream(ReceiverStream::new(rx)).await.expect("opens").into_inner();
        open.push((tx, responses));
    }
    round_trip(&mut open, 0).await;

    let mut third = tokio::spawn({
        let mut client = client.clone();
        async move { client.enrich(request("third", ARTICLE)).await }
    });
    // The two streams keep working while the third call waits for a free stream.
    for round in 1..=5 {
        round_trip(&mut open, round).await;
        assert!(futures::poll!(&mut third).is_pending(), "a third call ran beside two open streams");
    }
    let (tx, mut responses) = open.pop().expect("two streams");
    drop(tx);
    assert!(responses.next().await.is_none(), "the stream ends once its requests do");
    let answered = third.await.expect("no panic").expect("answered once a stream is free");
    assert_eq!(answered.into_inner().article_id, "third");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn the_server_advertises_its_stream_limit_to_raw_http2_clients() {
    let mut cfg = config();
    cfg.connection.max_concurrent_streams = 3;
    let server = TestServer::start(cfg).await;
    let tcp = tokio::net::TcpStream::connect(&server.addr).await.expect("connects");
    let (mut send, mut connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");
    let check = http::Request::post(format!("http://{}/grpc.health.v1.Health/Check", server.addr))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("a valid request");
    let (response, _) = send.send_request(check, true).expect("sent");
    // The server's SETTINGS come before its first answer.
    let mut response = std::pin::pin!(response);
    let head = std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(Err(e)) = connection.poll_unpin(cx) {
            panic!("connection failed: {e}");
        }
        response.as_mut().poll(cx)
    })
    .await
    .expect("a response");
    assert_eq!(head.status(), http::StatusCode::OK);
    assert_eq!(connection.max_concurrent_send_streams(), 3);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn oversized_metadata_is_refused_and_the_connection_serves_on() {
    let mut cfg = config();
    cfg.connection.max_header_list_bytes = 8 * 1024;
    let server = TestServer::start(cfg).await;
    let mut client = server.client().await;
    let mut big = tonic::Request::new(request("big", ARTICLE));
    big.metadata_mut().insert("x-padding", "p".repeat(16 * 1024).parse().expect("ASCII"));
    let status = client.enrich(big).await.expect_err("refused");
    assert_ne!(status.code(), Code::Ok);
    let r = client.enrich(request("small", ARTICLE)).await.expect("the same connection serves on");
    assert_eq!(r.into_inner().article_id, "small");
    server.stop().await.expect("clean stop");
}

/// The id of an article that makes `stage` panic (the suite builds the crate with `fault-injection`).
fn panics_in(stage: &str) -> String {
    format!("{}{stage}", incident_enricher::pipeline::PANIC_IN_STAGE_ID)
}

#[tokio::test]
async fn a_panic_in_a_stage_fails_only_its_article_and_the_server_goes_on() {
    let cfg = config();
    let (server, capacity) = TestServer::start_with_capacity(cfg.clone()).await;
    let mut client = server.client().await;
    // Small articles run their steps on the reactor, large ones on the blocking pool.
    let large = format!("{ARTICLE}{}", "The ministry said its other services ran normally all week.\n".repeat(200));
    for (stage, text) in [("cleanup", ARTICLE), ("incidents", ARTICLE), ("entities", large.as_str())] {
        let status = client.enrich(request(&panics_in(stage), text)).await.expect_err("the stage panicked");
        assert_eq!(status.code(), Code::Internal, "{stage}: {status:?}");
        assert!(!status.message().contains("fault injected"), "details stay in the log: {status:?}");
    }

    let requests = (0..9).map(|i| match i {
        4 => request(&panics_in("classify"), ARTICLE),
        _ => request(&format!("s{i}"), ARTICLE),
    });
    let mut responses = client.enrich_stream(futures::stream::iter(requests)).await.expect("opens").into_inner();
    let mut answered = HashMap::new();
    while let Some(r) = responses.next().await {
        let r = r.expect("a panic does not end the stream");
        answered.insert(r.article_id.clone(), r);
    }
    assert_eq!(answered.len(), 9);
    let failed = answered.remove(&panics_in("classify")).expect("answered");
    assert_eq!(failed.error.expect("the panicking article failed").code(), pb::error::Code::Internal);
    assert!(answered.values().all(|r| r.error.is_none() && !r.incidents.is_empty()), "{answered:?}");

    // The panicking articles gave their pipeline permits back, and the server serves on.
    assert_eq!(capacity.available_permits(), cfg.max_concurrency);
    let r = client.enrich(request("after", ARTICLE)).await.expect("served after the panics").into_inner();
    assert!(r.error.is_none() && !r.incidents.is_empty());
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn languages_are_read_as_people_write_them_and_unknown_ones_refused() {
    let server = TestServer::start(config()).await;
    let mut client = server.client().await;
    for language in ["en-US", "eng", "English"] {
        let mut req = request(language, ARTICLE);
        req.article.as_mut().expect("article").language = language.into();
        let r = client.enrich(req).await.expect("enriched").into_inner();
        assert_eq!(r.cleanup.expect("cleanup").language, "en", "{language}");
        assert!(!r.incidents.is_empty(), "{language}: an English article has incidents");
    }
    let mut req = request("klingon", ARTICLE);
    req.article.as_mut().expect("article").language = "tlhIngan-Hol-x".into();
    let status = client.enrich(req).await.expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().contains("\"tlhIngan-Hol-x\"") && status.message().contains("BCP 47"), "{status:?}");
    server.stop().await.expect("clean stop");
}
