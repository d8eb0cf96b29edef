//! `serve`: the gRPC server, and the Prometheus endpoint when telemetry is on.

use std::process::ExitCode;

use super::Outcome;
use crate::{
    config::ServeArgs,
    server::{self, Listener, ServerConfig},
    telemetry,
};

/// Serves until SIGTERM or SIGINT; metrics are served from `registry` when there is one.
pub async fn serve(args: ServeArgs, registry: Option<prometheus::Registry>) -> Outcome {
    let listener = Listener::bind(&args.listen).await?;
    let metrics = match registry {
        Some(registry) => {
            let metrics_listener = tokio::net::TcpListener::bind(&args.metrics_listen)
                .await
                .map_err(|e| format!("cannot listen for metrics on {}: {e}", args.metrics_listen))?;
            Some(tokio::spawn(telemetry::serve_metrics(metrics_listener, registry, std::future::pending())))
        }
        None => None,
    };
    let served = server::serve(listener, ServerConfig::from(&args), server::shutdown_signal()).await;
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    served?;
    Ok(ExitCode::SUCCESS)
}
