//! Flags of `serve`, and of `enrich`, which runs the same pipeline in-process.

use std::{path::PathBuf, time::Duration};

use clap::Args;

use super::{InputArgs, LogFormatArg, OtlpProtocolArg, default_concurrency, parse};
use crate::{pipeline::PipelineConfig, telemetry::TelemetryConfig};

/// Default gRPC listen address.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:50051";
/// Default largest article text accepted, in bytes (1 MiB).
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 1 << 20;
/// Default deadline for one article when the caller sends no `grpc-timeout`.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);
/// Default number of articles a stream may have in the pipeline at once.
pub const DEFAULT_STREAM_WINDOW: usize = 32;
/// Default time open requests get to finish after SIGTERM, below Kubernetes' 30 s grace period.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(20);
/// Default address of the Prometheus metrics endpoint.
pub const DEFAULT_METRICS_LISTEN: &str = "0.0.0.0:9464";
/// Default HTTP/2 streams one connection may have open.
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 256;
/// Default largest header block (gRPC metadata) of one request: hyper's own default, stated.
pub const DEFAULT_MAX_HEADER_LIST_BYTES: u32 = 16 * 1024;
/// Default interval of HTTP/2 PINGs on a connection that has been quiet.
pub const DEFAULT_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Default time a PING may go unanswered before the connection is closed.
pub const DEFAULT_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default lifetime of a connection before GOAWAY asks the client to open a new one.
pub const DEFAULT_MAX_CONNECTION_AGE: Duration = Duration::from_secs(30 * 60);

/// Flags of `serve`; each also reads the environment variable named in its help.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on: `host:port` for TCP, or `unix:///path/to.sock` for a Unix socket
    /// (the sidecar pattern).
    #[arg(long, env = "ENRICHER_LISTEN", default_value = DEFAULT_LISTEN, value_parser = parse::listen)]
    pub listen: ListenAddr,

    /// Largest article text accepted, in bytes; larger articles get INVALID_ARGUMENT.
    #[arg(long, env = "ENRICHER_MAX_ARTICLE_BYTES", default_value_t = DEFAULT_MAX_ARTICLE_BYTES, value_parser = parse::positive)]
    pub max_article_bytes: usize,

    /// Articles in the pipeline at once, across all connections. A unary request beyond it
    /// gets RESOURCE_EXHAUSTED at once; a stream waits for room. Default: 2 per CPU core.
    #[arg(long, env = "ENRICHER_MAX_CONCURRENCY", default_value_t = default_concurrency(), value_parser = parse::positive)]
    pub max_concurrency: usize,

    /// Deadline for one article when the caller sends no grpc-timeout (e.g. 10s, 500ms).
    #[arg(long, env = "ENRICHER_DEADLINE", default_value = parse::duration_text(DEFAULT_DEADLINE), value_parser = parse::duration)]
    pub deadline: Duration,

    /// Articles one EnrichStream may have in the pipeline at once; the stream stops reading
    /// requests while its window is full.
    #[arg(long, env = "ENRICHER_STREAM_WINDOW", default_value_t = DEFAULT_STREAM_WINDOW, value_parser = parse::positive)]
    pub stream_window: usize,

    /// After SIGTERM or SIGINT, how long open requests and streams may take to finish before
    /// the server exits anyway.
    #[arg(long, env = "ENRICHER_DRAIN_TIMEOUT", default_value = parse::duration_text(DEFAULT_DRAIN_TIMEOUT), value_parser = parse::duration)]
    pub drain_timeout: Duration,

    /// HTTP/2 streams (concurrent calls) one connection may have open.
    #[arg(long, env = "ENRICHER_MAX_CONCURRENT_STREAMS", default_value_t = DEFAULT_MAX_CONCURRENT_STREAMS)]
    pub max_concurrent_streams: u32,

    /// Largest HTTP/2 header block (the gRPC metadata) one request may send, in bytes; a
    /// larger one is refused (HTTP 431) without touching the connection's other calls.
    #[arg(long, env = "ENRICHER_MAX_HEADER_LIST_BYTES", default_value_t = DEFAULT_MAX_HEADER_LIST_BYTES)]
    pub max_header_list_bytes: u32,

    /// Interval of HTTP/2 PINGs on a connection with nothing received, to find dead peers.
    #[arg(long, env = "ENRICHER_KEEPALIVE_INTERVAL", default_value = parse::duration_text(DEFAULT_KEEPALIVE_INTERVAL), value_parser = parse::duration)]
    pub keepalive_interval: Duration,

    /// A connection whose peer leaves a PING unanswered this long is closed.
    #[arg(long, env = "ENRICHER_KEEPALIVE_TIMEOUT", default_value = parse::duration_text(DEFAULT_KEEPALIVE_TIMEOUT), value_parser = parse::duration)]
    pub keepalive_timeout: Duration,

    /// Age at which a connection gets GOAWAY: its open calls and streams finish, new calls
    /// go to a new connection. Bounds idle connections and lets clients find new replicas.
    #[arg(long, env = "ENRICHER_MAX_CONNECTION_AGE", default_value = parse::duration_text(DEFAULT_MAX_CONNECTION_AGE), value_parser = parse::duration)]
    pub max_connection_age: Duration,

    /// Gazetteer files to load at start-up.
    #[command(flatten)]
    pub gazetteers: GazetteerArgs,

    /// The type model.
    #[command(flatten)]
    pub model: ModelArgs,

    /// Where the Prometheus metrics endpoint (`/metrics`) listens.
    #[arg(long, env = "ENRICHER_METRICS_LISTEN", default_value = DEFAULT_METRICS_LISTEN)]
    pub metrics_listen: String,

    /// OTLP collector to export spans and metrics to; nothing is exported without it.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,

    /// OTLP protocol: `grpc` or `http/protobuf`.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_PROTOCOL", default_value = "grpc", value_enum)]
    pub otlp_protocol: OtlpProtocolArg,

    /// `service.name` of the exported telemetry; more resource attributes come from
    /// OTEL_RESOURCE_ATTRIBUTES, and sampling from OTEL_TRACES_SAMPLER(_ARG).
    #[arg(long, env = "OTEL_SERVICE_NAME", default_value = "incident-enricher")]
    pub service_name: String,
}

/// Which incident type model to use.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// An incident type model written by `train`, instead of the built-in one.
    #[arg(long, value_name = "PATH", env = "ENRICHER_TYPE_MODEL")]
    pub type_model: Option<PathBuf>,
}

/// The pipeline's files, as `serve`, `enrich` and `eval` take them.
pub fn pipeline_config(gazetteers: &GazetteerArgs, model: &ModelArgs) -> PipelineConfig {
    PipelineConfig { gazetteers: gazetteers.files.clone(), type_model: model.type_model.clone() }
}

/// Where more names come from.
#[derive(Debug, Clone, Args)]
pub struct GazetteerArgs {
    /// A STIX 2.1 bundle (e.g. MITRE ATT&CK's enterprise-attack.json) or MISP galaxy cluster
    /// file whose threat actors, malware and tools are added to the built-in gazetteers at
    /// start-up. Repeat for several; the environment variable takes a comma-separated list.
    #[arg(long = "gazetteer", value_name = "PATH", env = "ENRICHER_GAZETTEERS", value_delimiter = ',')]
    pub files: Vec<PathBuf>,
}

/// Flags of `enrich`.
#[derive(Debug, Clone, Args)]
pub struct EnrichArgs {
    /// Input files: `.txt` articles (the id is the file name), JSONL of Article in proto3 JSON
    /// (`.jsonl`, also gzip-compressed as `.jsonl.gz`), directories of `.txt` articles (the id is
    /// the path under the directory), or `-` for JSONL on standard input. Exits 1 when any
    /// article was not enriched (its line carries the error), 0 otherwise.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How the inputs are read.
    #[command(flatten)]
    pub input: InputArgs,

    /// Include the cleaned article text (cleanup.cleanText) in each response.
    #[arg(long)]
    pub clean_text: bool,

    /// Pretty-print each response over several lines instead of one line per response.
    #[arg(long)]
    pub pretty: bool,

    /// Instead of JSON, print each incident as one readable line: the article's id, then type,
    /// temporality, date, attackers with what is said of them, and targets.
    #[arg(long, conflicts_with = "pretty")]
    pub summary: bool,

    /// Largest article text accepted, in bytes.
    #[arg(long, env = "ENRICHER_MAX_ARTICLE_BYTES", default_value_t = DEFAULT_MAX_ARTICLE_BYTES, value_parser = parse::positive)]
    pub max_article_bytes: usize,

    /// Gazetteer files to load at start-up.
    #[command(flatten)]
    pub gazetteers: GazetteerArgs,

    /// The type model.
    #[command(flatten)]
    pub model: ModelArgs,
}

impl ServeArgs {
    /// The telemetry settings among these flags.
    pub fn telemetry(&self, log_format: LogFormatArg) -> TelemetryConfig {
        TelemetryConfig {
            log_format: log_format.into(),
            otlp_endpoint: self.otlp_endpoint.clone().filter(|e| !e.is_empty()),
            otlp_protocol: self.otlp_protocol.into(),
            service_name: self.service_name.clone(),
        }
    }
}

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddr {
    /// `host:port`, resolved when binding.
    Tcp(String),
    /// A Unix socket path.
    Unix(PathBuf),
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::config::{Cli, Command};

    fn serve(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        let cli = Cli::try_parse_from(["incident-enricher", "serve"].iter().chain(args))?;
        match cli.command {
            Command::Serve(a) => Ok(a),
            _ => unreachable!("parsed serve"),
        }
    }

    #[test]
    fn defaults_are_documented_values() {
        let a = serve(&[]).expect("defaults parse");
        assert_eq!(a.listen, ListenAddr::Tcp(DEFAULT_LISTEN.into()));
        assert_eq!(a.max_article_bytes, 1 << 20);
        assert_eq!(a.deadline, Duration::from_secs(10));
        assert!(a.max_concurrency >= 2);
        assert_eq!((a.max_concurrent_streams, a.max_header_list_bytes), (256, 16 * 1024));
        assert_eq!((a.keepalive_interval, a.keepalive_timeout), (Duration::from_secs(30), Duration::from_secs(10)));
        assert_eq!(a.max_connection_age, Duration::from_secs(30 * 60));
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(serve(&["--listen", "unix:///tmp/e.sock"]).unwrap().listen, ListenAddr::Unix("/tmp/e.sock".into()));
        assert_eq!(serve(&["--listen", "localhost:9"]).unwrap().listen, ListenAddr::Tcp("localhost:9".into()));
        for bad in ["50051", ":50051", "host:port", "unix://"] {
            assert!(serve(&["--listen", bad]).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn bad_values_are_rejected_with_the_flag_named() {
        for (flag, bad) in
            [("--max-article-bytes", "0"), ("--deadline", "soon"), ("--stream-window", "-1"), ("--drain-timeout", "0s")]
        {
            let err = serve(&[&format!("{flag}={bad}")]).expect_err("rejected").to_string();
            assert!(err.contains(flag), "{err}");
        }
    }
}
