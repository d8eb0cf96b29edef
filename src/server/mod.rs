//! The gRPC server: the Enricher service with its limits, health, reflection, and a graceful
//! shutdown that drains open work before exiting.

mod answered;
mod connection;
mod service;
mod status;

use std::{
    future::Future,
    io,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use tokio::{
    net::{TcpListener, UnixListener},
    sync::{Semaphore, oneshot},
};
use tokio_stream::wrappers::UnixListenerStream;
use tonic::transport::{Server, server::TcpIncoming};
use tonic_health::ServingStatus;
use tracing::{info, warn};

pub use connection::ConnectionLimits;
pub use service::{EnricherService, Limits, error_response};
pub use status::{Draining, from_pipeline, to_status};

use crate::{
    config::{self, ListenAddr, ServeArgs},
    pb::{self, enricher_server::EnricherServer},
    pipeline::{LoadError, Pipeline, PipelineConfig},
};

/// The service name health reports on, besides the server as a whole ("").
pub const SERVICE_NAME: &str = "enricher.v1.Enricher";

/// Room above the article limit for the rest of a request message. Messages up to twice the
/// limit are decoded, so an oversized article gets INVALID_ARGUMENT naming the limit rather
/// than a bare transport error.
fn max_message_bytes(max_article_bytes: usize) -> usize {
    max_article_bytes.saturating_mul(2).saturating_add(64 * 1024)
}

/// A bound socket, ready to serve.
#[derive(Debug)]
pub enum Listener {
    /// TCP.
    Tcp(TcpListener),
    /// A Unix socket, removed again when the server stops.
    Unix(UnixListener, PathBuf),
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The transport failed.
    #[error("gRPC transport failed")]
    Transport(#[from] tonic::transport::Error),
    /// A file the pipeline is built from could not be used.
    #[error(transparent)]
    Pipeline(#[from] LoadError),
}

impl Listener {
    /// Binds `addr`. A stale Unix socket file left by a crashed server is replaced.
    pub async fn bind(addr: &ListenAddr) -> Result<Self, ServeError> {
        match addr {
            ListenAddr::Tcp(hostport) => TcpListener::bind(hostport)
                .await
                .map(Listener::Tcp)
                .map_err(|source| ServeError::Bind { addr: hostport.clone(), source }),
            ListenAddr::Unix(path) => {
                let bind_error = |source| ServeError::Bind { addr: config::unix_url(path), source };
                if std::fs::metadata(path).is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_socket(&m.file_type())) {
                    std::fs::remove_file(path).map_err(bind_error)?;
                }
                UnixListener::bind(path).map(|l| Listener::Unix(l, path.clone())).map_err(bind_error)
            }
        }
    }

    /// The bound address, for logs and tests.
    pub fn local_addr(&self) -> String {
        match self {
            Listener::Tcp(l) => l.local_addr().map_or_else(|e| e.to_string(), |a| a.to_string()),
            Listener::Unix(_, path) => config::unix_url(path),
        }
    }
}

/// Server settings, from [`ServeArgs`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Per-request limits.
    pub limits: Limits,
    /// Articles in the pipeline at once, across all connections.
    pub max_concurrency: usize,
    /// How long open requests may take to finish after shutdown starts.
    pub drain_timeout: Duration,
    /// What one HTTP/2 connection may hold.
    pub connection: ConnectionLimits,
    /// The files the pipeline is built from.
    pub pipeline: PipelineConfig,
}

impl Default for ServerConfig {
    /// The settings `serve` has without flags.
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            max_concurrency: config::default_concurrency(),
            drain_timeout: config::DEFAULT_DRAIN_TIMEOUT,
            connection: ConnectionLimits::default(),
            pipeline: PipelineConfig::default(),
        }
    }
}

impl From<&ServeArgs> for ServerConfig {
    fn from(a: &ServeArgs) -> Self {
        Self {
            limits: Limits {
                max_article_bytes: a.max_article_bytes,
                default_deadline: a.deadline,
                stream_window: a.stream_window,
            },
            max_concurrency: a.max_concurrency,
            drain_timeout: a.drain_timeout,
            connection: ConnectionLimits::from(a),
            pipeline: config::pipeline_config(&a.gazetteers, &a.model),
        }
    }
}

/// The runtime to serve on. Articles under the pipeline's inline limit run their stages on
/// the worker thread that polls them, so up to `max_concurrency` workers can be busy
/// enriching; one more per core stays free to read requests, shed and answer, so that under
/// overload a refusal never waits behind enrichment.
pub fn runtime(max_concurrency: usize) -> io::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::runtime::Builder::new_multi_thread().worker_threads(max_concurrency + cores).enable_all().build()
}

/// Serves on `listener` until `shutdown` completes, then drains: health turns NOT_SERVING,
/// new calls are refused, and open calls get up to `drain_timeout` to finish.
pub async fn serve(
    listener: Listener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let capacity = Arc::new(Semaphore::new(config.max_concurrency));
    serve_with_capacity(listener, config, capacity, shutdown).await
}

/// [`serve`], with the permits that bound pipeline work (`max_concurrency` of them) given by
/// the caller, who may hold some: a test holds them all to see the server shed load.
pub async fn serve_with_capacity(
    listener: Listener,
    config: ServerConfig,
    capacity: Arc<Semaphore>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let pipeline = Pipeline::load(&config.pipeline)?;
    // Ready means ready: health reports SERVING only after the patterns are compiled.
    pipeline.warm_up().await;
    let draining = Arc::new(AtomicBool::new(false));
    let enricher = EnricherService::new(
        pipeline.shedding(Arc::clone(&capacity)),
        pipeline.waiting(capacity),
        config.limits,
        Arc::clone(&draining),
    );
    let max_message = max_message_bytes(config.limits.max_article_bytes);
    let enricher = EnricherServer::new(enricher).max_decoding_message_size(max_message);

    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_service_status(SERVICE_NAME, ServingStatus::Serving).await;
    // Both reflection versions: grpcurl-era clients still ask for v1alpha.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1().expect("the embedded descriptor sets decode");
    let reflection_v1alpha = reflection().build_v1alpha().expect("the embedded descriptor sets decode");

    let router = config
        .connection
        .apply(Server::builder())
        // A span per request, joined to the caller's trace.
        .trace_fn(crate::telemetry::request_span)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(answered::Answered::new(enricher, config.limits.max_article_bytes));

    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let stop = async move {
        let _ = stop_rx.await;
    };
    let addr = listener.local_addr();
    let unix_path = match &listener {
        Listener::Unix(_, path) => Some(path.clone()),
        Listener::Tcp(_) => None,
    };
    let server = async move {
        match listener {
            Listener::Tcp(l) => {
                router.serve_with_incoming_shutdown(TcpIncoming::from(l).with_nodelay(Some(true)), stop).await
            }
            Listener::Unix(l, _) => router.serve_with_incoming_shutdown(UnixListenerStream::new(l), stop).await,
        }
    };
    tokio::pin!(server);
    info!(%addr, max_concurrency = config.max_concurrency, "serving");

    tokio::select! {
        result = &mut server => return finish(result, unix_path),
        () = shutdown => {}
    }
    info!(drain_timeout = ?config.drain_timeout, "shutting down: draining open requests");
    draining.store(true, Ordering::Release);
    health.set_service_status("", ServingStatus::NotServing).await;
    health.set_service_status(SERVICE_NAME, ServingStatus::NotServing).await;
    let _ = stop_tx.send(());
    match tokio::time::timeout(config.drain_timeout, &mut server).await {
        Ok(result) => finish(result, unix_path),
        Err(_) => {
            warn!("drain timeout reached; closing the connections still open");
            finish(Ok(()), unix_path)
        }
    }
}

fn finish(result: Result<(), tonic::transport::Error>, unix_path: Option<PathBuf>) -> Result<(), ServeError> {
    if let Some(path) = unix_path {
        let _ = std::fs::remove_file(path);
    }
    result?;
    info!("stopped");
    Ok(())
}

/// Completes on SIGTERM (what Kubernetes sends, also as PID 1) or SIGINT.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler can be installed at start-up");
    tokio::select! {
        _ = term.recv() => info!("received SIGTERM"),
        _ = tokio::signal::ctrl_c() => info!("received SIGINT"),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::config::{Cli, Command};

    #[test]
    fn the_default_config_is_serve_without_flags() {
        let Command::Serve(args) = Cli::parse_from(["incident-enricher", "serve"]).command else {
            unreachable!("parsed serve")
        };
        assert_eq!(format!("{:?}", ServerConfig::from(&args)), format!("{:?}", ServerConfig::default()));
    }
}
