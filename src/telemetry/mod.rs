//! Telemetry: traces exported over OTLP and joined to the caller's trace, metrics for
//! Prometheus (and OTLP), and logs that carry the trace id.

mod http;
mod metrics;
mod trace;

use std::{io::IsTerminal, time::Duration};

use opentelemetry::{global, trace::TracerProvider as _};
use opentelemetry_otlp::{MetricExporter, SpanExporter, WithExportConfig};
use opentelemetry_sdk::{
    Resource, metrics::SdkMeterProvider, propagation::TraceContextPropagator, trace::SdkTracerProvider,
};
use tracing::{Level, Subscriber};
use tracing_subscriber::{
    EnvFilter, Layer, filter::Targets, fmt::MakeWriter, layer::SubscriberExt, registry::LookupSpan,
    util::SubscriberInitExt,
};

pub use self::http::serve_metrics;
pub use metrics::{Metrics, metrics};
pub use trace::{message_span, record_outcome, request_span};

/// How long one OTLP export may take: an unreachable collector must not hold up shutdown.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(3);

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable on a terminal, JSON otherwise.
    Auto,
    /// Human-readable.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

impl LogFormat {
    /// Whether lines are written as JSON: `auto` means JSON when standard error is not a terminal.
    pub fn is_json(self) -> bool {
        match self {
            LogFormat::Json => true,
            LogFormat::Human => false,
            LogFormat::Auto => !std::io::stderr().is_terminal(),
        }
    }
}

/// The OTLP wire protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    /// OTLP over gRPC (the collector's port 4317).
    Grpc,
    /// OTLP over HTTP with protobuf bodies (port 4318).
    HttpProtobuf,
}

/// Telemetry settings, from `serve`'s flags (`config::ServeArgs::telemetry`).
#[derive(Debug, Clone)]
pub struct TelemetryConfig {
    /// How logs are written.
    pub log_format: LogFormat,
    /// Where spans and metrics go; nothing is exported without it.
    pub otlp_endpoint: Option<String>,
    /// How they get there.
    pub otlp_protocol: OtlpProtocol,
    /// `service.name` of the resource.
    pub service_name: String,
}

/// A telemetry pipeline failed to start.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up telemetry: {0}")]
pub struct TelemetryError(String);

/// The installed providers; [`Telemetry::shutdown`] flushes what is still buffered.
#[derive(Debug)]
pub struct Telemetry {
    tracer_provider: SdkTracerProvider,
    meter_provider: SdkMeterProvider,
    registry: prometheus::Registry,
}

impl Telemetry {
    /// Installs the global tracing subscriber, trace propagator and meter provider. Spans are
    /// batched to the OTLP endpoint when one is set; without one they still get trace ids, so
    /// logs carry the caller's trace id.
    pub fn init(config: &TelemetryConfig) -> Result<Self, TelemetryError> {
        let resource = Resource::builder().with_service_name(config.service_name.clone()).build();
        let registry = prometheus::Registry::new();
        let prometheus = opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .without_target_info()
            .scope_info_enabled(false)
            .build()
            .map_err(|e| TelemetryError(e.to_string()))?;
        let mut meters = SdkMeterProvider::builder().with_resource(resource.clone()).with_reader(prometheus);
        let mut tracers = SdkTracerProvider::builder().with_resource(resource);
        if let Some(endpoint) = &config.otlp_endpoint {
            let error = |e: opentelemetry_otlp::ExporterBuildError| {
                TelemetryError(format!("OTLP exporter for {endpoint}: {e}"))
            };
            let (spans, metric_exporter) = match config.otlp_protocol {
                OtlpProtocol::Grpc => (
                    exporter(SpanExporter::builder().with_tonic(), endpoint.clone()).build().map_err(error)?,
                    exporter(MetricExporter::builder().with_tonic(), endpoint.clone()).build().map_err(error)?,
                ),
                OtlpProtocol::HttpProtobuf => {
                    // OTLP/HTTP has a path per signal under the collector's base URL.
                    let base = endpoint.trim_end_matches('/');
                    (
                        exporter(SpanExporter::builder().with_http(), format!("{base}/v1/traces"))
                            .build()
                            .map_err(error)?,
                        exporter(MetricExporter::builder().with_http(), format!("{base}/v1/metrics"))
                            .build()
                            .map_err(error)?,
                    )
                }
            };
            tracers = tracers.with_batch_exporter(spans);
            meters = meters.with_periodic_exporter(metric_exporter);
        }
        let tracer_provider = tracers.build();
        let meter_provider = meters.build();

        global::set_text_map_propagator(TraceContextPropagator::new());
        global::set_meter_provider(meter_provider.clone());
        metrics::install(&global::meter("incident-enricher"));

        let tracer = tracer_provider.tracer("incident-enricher");
        // RUST_LOG filters the log lines only: the request and stage spans are exported
        // whatever the log level.
        let spans = tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(Targets::new().with_target(env!("CARGO_CRATE_NAME"), Level::INFO));
        tracing_subscriber::registry()
            .with(log_lines(config.log_format, std::io::stderr))
            .with(spans)
            .try_init()
            .map_err(|e| TelemetryError(e.to_string()))?;
        Ok(Self { tracer_provider, meter_provider, registry })
    }

    /// The registry the Prometheus endpoint reads.
    pub fn registry(&self) -> prometheus::Registry {
        self.registry.clone()
    }

    /// Flushes and stops the exporters, so the last spans are not lost.
    pub fn shutdown(self) {
        let _ = self.tracer_provider.shutdown();
        let _ = self.meter_provider.shutdown();
    }
}

/// `builder` set to export to `endpoint` within [`EXPORT_TIMEOUT`].
fn exporter<B: WithExportConfig>(builder: B, endpoint: String) -> B {
    builder.with_endpoint(endpoint).with_timeout(EXPORT_TIMEOUT)
}

/// Installs the global tracing subscriber with log lines only, for the commands that export
/// nothing: lines in `format` to `writer`, filtered as [`Telemetry::init`] filters them.
pub fn init_logs<W>(format: LogFormat, writer: W) -> Result<(), TelemetryError>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::registry().with(log_lines(format, writer)).try_init().map_err(|e| TelemetryError(e.to_string()))
}

/// The log-line layer of every command: `format` to `writer`, at the levels RUST_LOG asks for
/// (`info` without it).
fn log_lines<S, W>(format: LogFormat, writer: W) -> impl Layer<S>
where
    S: Subscriber + for<'s> LookupSpan<'s>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(writer);
    let fmt =
        if format.is_json() { fmt.json().with_current_span(true).with_span_list(true).boxed() } else { fmt.boxed() };
    fmt.with_filter(filter)
}
