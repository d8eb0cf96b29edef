//! Starts a real server on a loopback socket for end-to-end tests.
#![allow(dead_code, unreachable_pub)]

pub mod collector;
pub mod unreachable;

use std::{sync::Arc, time::Duration};

use incident_enricher::{
    config::ListenAddr,
    pb::{self, enricher_client::EnricherClient},
    server::{self, ConnectionLimits, Limits, Listener, ServeError, ServerConfig},
};
use tokio::{
    sync::{Semaphore, oneshot},
    task::JoinHandle,
};
use tonic::transport::{Channel, Endpoint};

/// A server running in this process, and how to stop it.
pub struct TestServer {
    pub addr: String,
    stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<Result<(), ServeError>>,
}

/// Small limits, so tests reach them with few articles.
pub fn config() -> ServerConfig {
    ServerConfig {
        limits: Limits { max_article_bytes: 64 * 1024, stream_window: 8, ..Limits::default() },
        max_concurrency: 4,
        drain_timeout: Duration::from_secs(10),
        connection: ConnectionLimits { max_concurrent_streams: 64, ..ConnectionLimits::default() },
        ..ServerConfig::default()
    }
}

impl TestServer {
    /// Binds 127.0.0.1:0 before serving, so clients can connect at once: no sleeps.
    pub async fn start(config: ServerConfig) -> Self {
        let listener = Listener::bind(&ListenAddr::Tcp("127.0.0.1:0".into())).await.expect("loopback binds");
        Self::start_on(listener, config)
    }

    pub fn start_on(listener: Listener, config: ServerConfig) -> Self {
        let capacity = Arc::new(Semaphore::new(config.max_concurrency));
        Self::serve(listener, config, capacity)
    }

    /// [`Self::start`], with the pipeline permits returned so the test can hold them or count
    /// them.
    pub async fn start_with_capacity(config: ServerConfig) -> (Self, Arc<Semaphore>) {
        let listener = Listener::bind(&ListenAddr::Tcp("127.0.0.1:0".into())).await.expect("loopback binds");
        let capacity = Arc::new(Semaphore::new(config.max_concurrency));
        (Self::serve(listener, config, Arc::clone(&capacity)), capacity)
    }

    fn serve(listener: Listener, config: ServerConfig, capacity: Arc<Semaphore>) -> Self {
        let addr = listener.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve_with_capacity(listener, config, capacity, async {
            let _ = stopped.await;
        }));
        Self { addr, stop: Some(stop), task }
    }

    pub async fn channel(&self) -> Channel {
        Endpoint::from_shared(format!("http://{}", self.addr))
            .expect("valid uri")
            .connect()
            .await
            .expect("server accepts")
    }

    pub async fn client(&self) -> EnricherClient<Channel> {
        EnricherClient::new(self.channel().await)
    }

    /// Starts the graceful shutdown, as SIGTERM would.
    pub fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Shuts down and waits for the server to exit.
    pub async fn stop(mut self) -> Result<(), ServeError> {
        self.shutdown();
        self.task.await.expect("server task does not panic")
    }
}

pub fn request(id: &str, text: &str) -> pb::EnrichRequest {
    pb::EnrichRequest {
        article: Some(pb::Article { id: id.into(), text: text.into(), ..Default::default() }),
        include_clean_text: true,
    }
}

/// An article written for the tests, with page noise and multi-byte characters.
pub const ARTICLE: &str = "Skip to content\n\
Menu | World | Tech\n\
\n\
Hackers Deface Ministry Websites in Kyiv\n\
\n\
Pro-Russian hackers defaced the websites of Ukraine\u{2019}s Foreign Ministry and the Ministry of Education on Friday, \
leaving a message in Russian: \u{201c}\u{0411}\u{043e}\u{0439}\u{0442}\u{0435}\u{0441}\u{044c}\u{201d} \u{1f6a8}.\n\
Foreign Ministry spokesman Taras Melnyk said the sites were taken offline and no personal data had leaked.\n\
Moscow denied any involvement, and NATO said it would help Kyiv.\n\
Share this article\n";

/// Every span of a response, with what it belongs to.
pub fn spans(r: &pb::EnrichResponse) -> Vec<(String, pb::Span)> {
    let mut out = Vec::new();
    for e in &r.entities {
        out.extend(e.mentions.iter().map(|s| (format!("entity {}", e.name), *s)));
    }
    for i in &r.indicators {
        out.extend(i.mentions.iter().map(|s| (format!("indicator {}", i.value), *s)));
    }
    for inc in &r.incidents {
        out.extend(inc.evidence.iter().map(|s| (format!("incident {}", inc.id), *s)));
        if let Some(span) = inc.occurred.as_ref().and_then(|o| o.evidence) {
            out.push((format!("date of {}", inc.id), span));
        }
    }
    for removed in r.cleanup.iter().flat_map(|c| &c.removed) {
        out.extend(removed.span.map(|s| (format!("removed {}", removed.reason), s)));
    }
    out
}

/// Asserts every span lies inside `text` in code points, and entity mentions read as names.
pub fn assert_spans_inside(text: &str, r: &pb::EnrichResponse) {
    let chars: Vec<char> = text.chars().collect();
    let all = spans(r);
    assert!(!all.is_empty(), "no spans at all");
    for (what, span) in all {
        assert!(
            span.start < span.end && span.end as usize <= chars.len(),
            "{what}: {span:?} outside {} code points",
            chars.len()
        );
    }
    for e in r.entities.iter().filter(|e| e.kind() == pb::EntityKind::Person) {
        let s = e.mentions[0];
        let mention: String = chars[s.start as usize..s.end as usize].iter().collect();
        assert!(e.name.contains(&mention) || mention.contains(&e.name), "{} read as {mention:?}", e.name);
    }
}
