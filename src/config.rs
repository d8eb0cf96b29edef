//! Every flag, environment variable, default and validation of the command line.

use std::{env, path::PathBuf, time::Duration};

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::telemetry::{LogFormat, OtlpProtocol, TelemetryConfig};
#[cfg(feature = "tools")]
use crate::tools::eval::TrainOptions;

/// Default gRPC listen address.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:50051";
/// Default largest article text accepted, in bytes (1 MiB).
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 1 << 20;
/// Default deadline for one article when the caller sends no `grpc-timeout`.
pub const DEFAULT_DEADLINE: &str = "10s";
/// Default number of articles a stream may have in the pipeline at once.
pub const DEFAULT_STREAM_WINDOW: usize = 32;
/// Default time open requests get to finish after SIGTERM, below Kubernetes' 30 s grace period.
pub const DEFAULT_DRAIN_TIMEOUT: &str = "20s";
/// Default address of the Prometheus metrics endpoint.
pub const DEFAULT_METRICS_LISTEN: &str = "0.0.0.0:9090";
/// Default HTTP/2 streams one connection may have open.
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 256;
/// Default largest header block (gRPC metadata) of one request: hyper's own default, stated.
pub const DEFAULT_MAX_HEADER_LIST_BYTES: u32 = 16 * 1024;
/// Default interval of HTTP/2 PINGs on a connection that has been quiet.
pub const DEFAULT_KEEPALIVE_INTERVAL: &str = "30s";
/// Default time a PING may go unanswered before the connection is closed.
pub const DEFAULT_KEEPALIVE_TIMEOUT: &str = "10s";
/// Default lifetime of a connection before GOAWAY asks the client to open a new one.
pub const DEFAULT_MAX_CONNECTION_AGE: &str = "30m";
/// Default number of EnrichStream streams a backfill keeps open.
pub const DEFAULT_BACKFILL_CONCURRENCY: usize = 4;
/// Default articles a backfill stream has in flight: the server's default stream window.
pub const DEFAULT_BACKFILL_WINDOW: usize = DEFAULT_STREAM_WINDOW;
/// Default retries of an article after a retryable failure.
pub const DEFAULT_MAX_RETRIES: u32 = 8;
/// Default first backoff before a retry; it doubles per attempt, with jitter.
pub const DEFAULT_RETRY_BACKOFF: &str = "100ms";
/// Default longest backoff before a retry.
pub const DEFAULT_RETRY_BACKOFF_MAX: &str = "10s";
/// Default longest wait for any answer on a stream with articles in flight.
pub const DEFAULT_BACKFILL_TIMEOUT: &str = "60s";
/// Default interval between DNS look-ups of the endpoints, and between rebalancing checks.
pub const DEFAULT_RESOLVE_INTERVAL: &str = "30s";
/// Default interval between progress log lines when standard error is not a terminal.
pub const DEFAULT_PROGRESS_INTERVAL: &str = "10s";
/// Default largest Hamming distance between the fingerprints of two articles grouped as
/// renderings of one report.
pub const DEFAULT_GROUP_DISTANCE: u32 = 8;
/// Default articles of `bench load`: the bundled examples, when run from the repository.
pub const DEFAULT_BENCH_ARTICLES: &str = "examples/articles";
/// Default length of each measured phase of `bench load`.
pub const DEFAULT_BENCH_DURATION: &str = "10s";
/// Default HTTP/2 connections of `bench load`: one per core, so the client's I/O spreads too.
pub const DEFAULT_BENCH_CONNECTIONS: usize = 2;
/// Default grpc-timeout of the open-loop and overload calls of `bench load`.
pub const DEFAULT_BENCH_DEADLINE: &str = "1s";
/// Default length of the overload phase: the bounded minute of issue 9.
pub const DEFAULT_OVERLOAD_DURATION: &str = "60s";
/// Default lateness past its deadline after which an answer counts as late.
pub const DEFAULT_LATE_SLACK: &str = "50ms";
/// Prefix of every environment variable the service reads.
pub const ENV_PREFIX: &str = "ENRICHER_";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "incident-enricher", version, about = "Turns scraped cyber-incident news into structured incidents")]
pub struct Cli {
    /// How log lines are written: `human`, `json` (for log collectors; each line carries the
    /// trace id), or `auto` (human on a terminal, JSON otherwise). Filter with RUST_LOG.
    #[arg(long, global = true, env = "ENRICHER_LOG_FORMAT", default_value = "auto", value_enum)]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the gRPC API (Enricher, health, reflection) until SIGTERM or SIGINT.
    Serve(ServeArgs),
    /// Enrich files in-process and print one EnrichResponse per line as proto3 JSON.
    Enrich(EnrichArgs),
    #[cfg(feature = "tools")]
    /// Score incident types and roles against a labelled corpus (`eval GOLD.jsonl`), or
    /// measure cleanup (`eval cleanup`).
    Eval(EvalArgs),
    #[cfg(feature = "tools")]
    /// Train the incident type model on a labelled corpus and write its file.
    Train(TrainArgs),
    /// Send archives of articles to one or more servers over EnrichStream: resumable,
    /// retrying, spread over replicas, every article answered exactly once.
    Backfill(BackfillArgs),
    #[cfg(feature = "tools")]
    /// Measure a server under load (`bench load`): throughput, latency at fixed rates, status
    /// codes, CPU per article, memory; `--overload` adds a run at twice the saturation rate.
    Bench(BenchArgs),
}

#[cfg(feature = "tools")]
/// Flags of `bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// What to measure.
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[cfg(feature = "tools")]
/// The benchmarks.
#[derive(Debug, Clone, Subcommand)]
pub enum BenchCommand {
    /// Load a real server over gRPC with many concurrent calls. Without --endpoint the bench
    /// starts `serve` on a loopback port itself and also reports its start-up time, CPU and
    /// memory.
    Load(LoadArgs),
}

#[cfg(feature = "tools")]
/// Flags of `bench load`.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// The server to load: `http://host:port`, `host:port` or `unix:///path`. Default: start
    /// `incident-enricher serve` on 127.0.0.1 as a child process, stopped at the end.
    #[arg(long, value_name = "URL", value_parser = parse_endpoint, conflicts_with = "server_args")]
    pub endpoint: Option<EndpointAddr>,

    /// A flag for the `serve` the bench starts, e.g. `--server-arg=--max-concurrency=8`.
    /// Repeat for several.
    #[arg(long = "server-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub server_args: Vec<String>,

    /// Articles to send, in turn: JSONL with a "text" field on each line (e.g. CASIE's
    /// dev.jsonl), or a directory of `.txt` articles.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_BENCH_ARTICLES)]
    pub articles: PathBuf,

    /// Length of each measured phase (saturation, each rate, the recovery after an overload).
    #[arg(long, default_value = DEFAULT_BENCH_DURATION, value_parser = parse_duration)]
    pub duration: Duration,

    /// Unary calls in flight at once in the saturation phase (closed loop). Default: the
    /// server's default --max-concurrency on this machine, 2 per core, so no call is shed.
    #[arg(long, default_value_t = default_concurrency(), value_parser = parse_positive)]
    pub concurrency: usize,

    /// EnrichStream streams open at once in the streaming saturation phase.
    #[arg(long, default_value_t = DEFAULT_BACKFILL_CONCURRENCY, value_parser = parse_positive)]
    pub streams: usize,

    /// Articles each stream keeps in flight (the server's --stream-window).
    #[arg(long, default_value_t = DEFAULT_STREAM_WINDOW, value_parser = parse_positive)]
    pub window: usize,

    /// HTTP/2 connections the calls are spread over.
    #[arg(long, default_value_t = DEFAULT_BENCH_CONNECTIONS, value_parser = parse_positive)]
    pub connections: usize,

    /// Offered rates of the open-loop latency phases, in articles/s, comma-separated.
    /// Default: 25%, 50%, 75% and 100% of the measured unary saturation.
    #[arg(long, value_name = "N,...", value_delimiter = ',', value_parser = parse_positive)]
    pub rates: Vec<usize>,

    /// grpc-timeout of every open-loop and overload call.
    #[arg(long, default_value = DEFAULT_BENCH_DEADLINE, value_parser = parse_duration)]
    pub deadline: Duration,

    /// Instead of the latency phases: offer twice the saturation rate (or --overload-rate)
    /// for --overload-duration, then check that the server serves a low rate normally again.
    #[arg(long, conflicts_with = "rates")]
    pub overload: bool,

    /// Length of the overload phase.
    #[arg(long, default_value = DEFAULT_OVERLOAD_DURATION, value_parser = parse_duration)]
    pub overload_duration: Duration,

    /// Offered rate of the overload phase, in articles/s. Default: twice the measured unary
    /// saturation.
    #[arg(long, value_name = "N", value_parser = parse_positive)]
    pub overload_rate: Option<usize>,

    /// How much later than its deadline an answer may arrive before it counts as late
    /// (network and scheduling on a busy machine).
    #[arg(long, default_value = DEFAULT_LATE_SLACK, value_parser = parse_duration)]
    pub late_slack: Duration,
}

#[cfg(feature = "tools")]
/// Flags of `train`.
#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    /// Labelled corpus, in the format `eval` reads.
    #[arg(required = true, value_name = "GOLD")]
    pub gold: PathBuf,

    /// Where to write the model; the shipped one is src/pipeline/classify/data/type_model.tsv,
    /// built into the binary.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Folds of the cross-validation that fits how the article and sentence models combine,
    /// chooses the threshold and reports held-out figures.
    #[arg(long, default_value_t = TrainOptions::default().folds, value_parser = clap::value_parser!(u16).range(2..))]
    pub folds: u16,

    /// Weight of the article model's L2 penalty: higher generalises more and fits the corpus
    /// less.
    #[arg(long, default_value_t = TrainOptions::default().l2)]
    pub l2: f32,

    /// Leave out article features seen in fewer articles than this.
    #[arg(long, default_value_t = TrainOptions::default().min_df)]
    pub min_df: usize,

    /// Weight of the sentence model's L2 penalty.
    #[arg(long, default_value_t = TrainOptions::default().sentence_l2)]
    pub sentence_l2: f32,

    /// Leave out sentence features seen in fewer sentences than this.
    #[arg(long, default_value_t = TrainOptions::default().sentence_min_df)]
    pub sentence_min_df: usize,
}

#[cfg(feature = "tools")]
/// Flags of `eval`: scoring by default, or a subcommand.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct EvalArgs {
    /// Something else to measure.
    #[command(subcommand)]
    pub command: Option<EvalCommand>,

    /// Flags of scoring, the default.
    #[command(flatten)]
    pub score: EvalScoreArgs,
}

#[cfg(feature = "tools")]
/// Flags of `eval GOLD.jsonl`.
#[derive(Debug, Clone, Args)]
pub struct EvalScoreArgs {
    /// Labelled corpus in the format of CASIE's JSONL (see the README, "Evaluation"): `id`,
    /// `text`, optional `published` (YYYY-MM-DD), `labels` and `arguments`.
    #[arg(required = true, value_name = "GOLD")]
    pub gold: Option<PathBuf>,

    /// Also write the responses, one proto3 JSON line per article, to this file.
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,

    /// Print the scores as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Cross-validate: split GOLD into this many folds and enrich each with a type model
    /// trained (as `train` does) on the others, so the scores say how the model does on text
    /// it was not trained on.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(2..))]
    pub folds: Option<u16>,

    /// Extra gazetteers, as for `serve`.
    #[command(flatten)]
    pub gazetteers: GazetteerArgs,

    /// The type model.
    #[command(flatten)]
    pub model: ModelArgs,
}

#[cfg(feature = "tools")]
/// What `eval` measures besides scores.
#[derive(Debug, Clone, Subcommand)]
pub enum EvalCommand {
    /// How much text cleanup removes from JSONL articles (e.g. ../shared/casie/dev.jsonl, whose
    /// articles are nearly clean): characters, whole sentences lost, blocks by reason.
    Cleanup(EvalCleanupArgs),
}

#[cfg(feature = "tools")]
/// Flags of `eval cleanup`.
#[derive(Debug, Clone, Args)]
pub struct EvalCleanupArgs {
    /// JSONL corpus files: records with `id`, `text` and optionally `title` and `url` (an
    /// Article in proto3 JSON, or a CASIE record); other fields are ignored.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Print up to this many lost sentences, to see what cleanup took.
    #[arg(long, default_value_t = 10)]
    pub show: usize,
}

/// Flags of `serve`; each also reads the environment variable named in its help.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on: `host:port` for TCP, or `unix:///path/to.sock` for a Unix socket
    /// (the sidecar pattern).
    #[arg(long, env = "ENRICHER_LISTEN", default_value = DEFAULT_LISTEN, value_parser = parse_listen)]
    pub listen: ListenAddr,

    /// Largest article text accepted, in bytes; larger articles get INVALID_ARGUMENT.
    #[arg(long, env = "ENRICHER_MAX_ARTICLE_BYTES", default_value_t = DEFAULT_MAX_ARTICLE_BYTES, value_parser = parse_positive)]
    pub max_article_bytes: usize,

    /// Articles in the pipeline at once, across all connections. A unary request beyond it
    /// gets RESOURCE_EXHAUSTED at once; a stream waits for room. Default: 2 per CPU core.
    #[arg(long, env = "ENRICHER_MAX_CONCURRENCY", default_value_t = default_concurrency(), value_parser = parse_positive)]
    pub max_concurrency: usize,

    /// Deadline for one article when the caller sends no grpc-timeout (e.g. 10s, 500ms).
    #[arg(long, env = "ENRICHER_DEADLINE", default_value = DEFAULT_DEADLINE, value_parser = parse_duration)]
    pub deadline: Duration,

    /// Articles one EnrichStream may have in the pipeline at once; the stream stops reading
    /// requests while its window is full.
    #[arg(long, env = "ENRICHER_STREAM_WINDOW", default_value_t = DEFAULT_STREAM_WINDOW, value_parser = parse_positive)]
    pub stream_window: usize,

    /// After SIGTERM or SIGINT, how long open requests and streams may take to finish before
    /// the server exits anyway.
    #[arg(long, env = "ENRICHER_DRAIN_TIMEOUT", default_value = DEFAULT_DRAIN_TIMEOUT, value_parser = parse_duration)]
    pub drain_timeout: Duration,

    /// HTTP/2 streams (concurrent calls) one connection may have open.
    #[arg(long, env = "ENRICHER_MAX_CONCURRENT_STREAMS", default_value_t = DEFAULT_MAX_CONCURRENT_STREAMS)]
    pub max_concurrent_streams: u32,

    /// Largest HTTP/2 header block (the gRPC metadata) one request may send, in bytes; a
    /// larger one is refused (HTTP 431) without touching the connection's other calls.
    #[arg(long, env = "ENRICHER_MAX_HEADER_LIST_BYTES", default_value_t = DEFAULT_MAX_HEADER_LIST_BYTES)]
    pub max_header_list_bytes: u32,

    /// Interval of HTTP/2 PINGs on a connection with nothing received, to find dead peers.
    #[arg(long, env = "ENRICHER_KEEPALIVE_INTERVAL", default_value = DEFAULT_KEEPALIVE_INTERVAL, value_parser = parse_duration)]
    pub keepalive_interval: Duration,

    /// A connection whose peer leaves a PING unanswered this long is closed.
    #[arg(long, env = "ENRICHER_KEEPALIVE_TIMEOUT", default_value = DEFAULT_KEEPALIVE_TIMEOUT, value_parser = parse_duration)]
    pub keepalive_timeout: Duration,

    /// Age at which a connection gets GOAWAY: its open calls and streams finish, new calls
    /// go to a new connection. Bounds idle connections and lets clients find new replicas.
    #[arg(long, env = "ENRICHER_MAX_CONNECTION_AGE", default_value = DEFAULT_MAX_CONNECTION_AGE, value_parser = parse_duration)]
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
    pub otlp_protocol: OtlpProtocol,

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
pub fn pipeline_config(gazetteers: &GazetteerArgs, model: &ModelArgs) -> crate::pipeline::PipelineConfig {
    crate::pipeline::PipelineConfig { gazetteers: gazetteers.files.clone(), type_model: model.type_model.clone() }
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
    /// Input files: `.txt` articles (the id is the file name) or JSONL of Article in proto3
    /// JSON; `-` reads JSONL from standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Include the cleaned article text (cleanup.cleanText) in each response.
    #[arg(long)]
    pub clean_text: bool,

    /// Pretty-print each response over several lines instead of one line per response.
    #[arg(long)]
    pub pretty: bool,

    /// Largest article text accepted, in bytes.
    #[arg(long, env = "ENRICHER_MAX_ARTICLE_BYTES", default_value_t = DEFAULT_MAX_ARTICLE_BYTES, value_parser = parse_positive)]
    pub max_article_bytes: usize,

    /// Gazetteer files to load at start-up.
    #[command(flatten)]
    pub gazetteers: GazetteerArgs,

    /// The type model.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Flags of `backfill`.
#[derive(Debug, Clone, Args)]
pub struct BackfillArgs {
    /// A server to send articles to: `http://host:port` or `host:port` (every address the name
    /// resolves to is used, re-resolved every --resolve-interval, as for a Kubernetes headless
    /// Service), or `unix:///path/to.sock` (a sidecar). Repeat for several.
    #[arg(long = "endpoint", required = true, value_name = "URL", value_parser = parse_endpoint)]
    pub endpoints: Vec<EndpointAddr>,

    /// Articles to send: JSONL of Article in proto3 JSON (`.jsonl`, or gzip-compressed
    /// `.jsonl.gz`), a `.txt` article, a directory of `.txt` articles (the id is the path
    /// under the directory), or `-` for JSONL on standard input. Repeat for several.
    #[arg(long = "input", required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,

    /// Where the EnrichResponse lines go (proto3 JSON, one per article).
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,

    /// Where articles that failed for good go, as JSON lines. Default: the output path with
    /// `.errors.jsonl` appended.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,

    /// Also write groups of articles that report the same incident to FILE, as JSON lines.
    #[arg(long, value_name = "FILE")]
    pub group: Option<PathBuf>,

    /// Continue a run that stopped: skip the articles already in the output and errors files
    /// (a torn last line is cut away and its article done again).
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,

    /// Start over, emptying an existing output and errors file.
    #[arg(long)]
    pub force: bool,

    /// EnrichStream streams open at once, spread over the endpoints' addresses.
    #[arg(long, default_value_t = DEFAULT_BACKFILL_CONCURRENCY, value_parser = parse_positive)]
    pub concurrency: usize,

    /// Articles each stream has in flight at once.
    #[arg(long, default_value_t = DEFAULT_BACKFILL_WINDOW, value_parser = parse_positive)]
    pub window: usize,

    /// Times an article is retried after UNAVAILABLE, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED,
    /// or after its stream failed, before it goes to the errors file.
    #[arg(long, default_value_t = DEFAULT_MAX_RETRIES)]
    pub max_retries: u32,

    /// Backoff before the first retry; it doubles with each attempt, with random jitter.
    #[arg(long, default_value = DEFAULT_RETRY_BACKOFF, value_parser = parse_duration)]
    pub retry_backoff: Duration,

    /// Longest backoff before a retry.
    #[arg(long, default_value = DEFAULT_RETRY_BACKOFF_MAX, value_parser = parse_duration)]
    pub retry_backoff_max: Duration,

    /// A stream with articles in flight that gets no answer for this long is abandoned: its
    /// articles are retried on another address.
    #[arg(long, default_value = DEFAULT_BACKFILL_TIMEOUT, value_parser = parse_duration)]
    pub timeout: Duration,

    /// How often host names are resolved again and streams rebalanced over the addresses.
    #[arg(long, default_value = DEFAULT_RESOLVE_INTERVAL, value_parser = parse_duration)]
    pub resolve_interval: Duration,

    /// Articles whose text is longer (in UTF-8 bytes) go to the errors file unsent; set it to
    /// the servers' --max-article-bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_ARTICLE_BYTES, value_parser = parse_positive)]
    pub max_article_bytes: usize,

    /// Ask for cleanup.cleanText in each response.
    #[arg(long)]
    pub clean_text: bool,

    /// Largest Hamming distance (of 64 bits) between content fingerprints that --group treats
    /// as two renderings of one report.
    #[arg(long, default_value_t = DEFAULT_GROUP_DISTANCE, value_parser = clap::value_parser!(u32).range(0..=15))]
    pub group_distance: u32,

    /// Interval between progress log lines when standard error is not a terminal (on a
    /// terminal a progress bar is drawn instead).
    #[arg(long, default_value = DEFAULT_PROGRESS_INTERVAL, value_parser = parse_duration)]
    pub progress_interval: Duration,
}

impl BackfillArgs {
    /// The errors file: `--errors`, or the output path with `.errors.jsonl` appended.
    pub fn errors_path(&self) -> PathBuf {
        self.errors.clone().unwrap_or_else(|| {
            let mut path = self.output.clone().into_os_string();
            path.push(".errors.jsonl");
            PathBuf::from(path)
        })
    }
}

/// A server a backfill sends to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointAddr {
    /// A host name or IP address and port; a name may resolve to several addresses.
    Tcp {
        /// Host name or IP address (without brackets for IPv6).
        host: String,
        /// Port.
        port: u16,
    },
    /// A Unix socket path.
    Unix(PathBuf),
}

impl std::fmt::Display for EndpointAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Self::Tcp { host, port } => write!(f, "{host}:{port}"),
            Self::Unix(path) => write!(f, "unix://{}", path.display()),
        }
    }
}

impl ServeArgs {
    /// The telemetry settings among these flags.
    pub fn telemetry(&self, log_format: LogFormat) -> TelemetryConfig {
        TelemetryConfig {
            log_format,
            otlp_endpoint: self.otlp_endpoint.clone().filter(|e| !e.is_empty()),
            otlp_protocol: self.otlp_protocol,
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

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// An `ENRICHER_*` variable that no flag reads: most likely a typo.
    #[error("unknown environment variable {name}; known: {known}")]
    UnknownEnv {
        /// The variable.
        name: String,
        /// The variables the service reads.
        known: String,
    },
}

/// Two articles per CPU core: one in a stage, one waiting on I/O around it.
pub fn default_concurrency() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn parse_listen(s: &str) -> Result<ListenAddr, String> {
    if let Some(path) = s.strip_prefix("unix://") {
        if path.is_empty() {
            return Err("unix:// needs a socket path, e.g. unix:///run/enricher.sock".into());
        }
        return Ok(ListenAddr::Unix(PathBuf::from(path)));
    }
    let (host, port) = s.rsplit_once(':').ok_or("expected host:port or unix:///path")?;
    port.parse::<u16>().map_err(|_| format!("invalid port {port:?}"))?;
    if host.is_empty() {
        return Err("missing host; use 0.0.0.0:PORT to listen on every interface".into());
    }
    Ok(ListenAddr::Tcp(s.to_string()))
}

fn parse_endpoint(s: &str) -> Result<EndpointAddr, String> {
    if let Some(path) = s.strip_prefix("unix://") {
        if path.is_empty() {
            return Err("unix:// needs a socket path, e.g. unix:///run/enricher.sock".into());
        }
        return Ok(EndpointAddr::Unix(PathBuf::from(path)));
    }
    if s.starts_with("https://") {
        return Err("TLS is not supported; use http://host:port or unix:///path".into());
    }
    let hostport = s.strip_prefix("http://").unwrap_or(s).trim_end_matches('/');
    let (host, port) = hostport.rsplit_once(':').ok_or("expected http://host:port, host:port or unix:///path")?;
    let port = port.parse::<u16>().map_err(|_| format!("invalid port {port:?}"))?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if host.is_empty() || host.contains('/') {
        return Err(format!("invalid host {host:?}"));
    }
    Ok(EndpointAddr::Tcp { host: host.to_string(), port })
}

fn parse_positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{e} (examples: 10s, 500ms, 1m)")),
    }
}

/// Checks `vars` for `ENRICHER_*` names no flag reads, so a misspelt setting is an error
/// rather than a silently ignored default.
pub fn check_env(vars: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
    let command = Cli::command();
    let mut known: Vec<String> = command
        .get_arguments()
        .chain(command.get_subcommands().flat_map(|sub| sub.get_arguments()))
        .filter_map(|arg| arg.get_env().map(|e| e.to_string_lossy().into_owned()))
        .collect();
    known.sort();
    known.dedup();
    for (name, _) in vars {
        if name.starts_with(ENV_PREFIX) && !known.contains(&name) {
            return Err(ConfigError::UnknownEnv { name, known: known.join(", ") });
        }
    }
    Ok(())
}

/// Checks the process environment with [`check_env`].
pub fn check_process_env() -> Result<(), ConfigError> {
    check_env(env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().unwrap_or_default()))))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn backfill_endpoints_and_defaults() {
        let parse = |args: &[&str]| -> Result<BackfillArgs, clap::Error> {
            let base = ["incident-enricher", "backfill", "--input", "-", "--output", "out.jsonl"];
            match Cli::try_parse_from(base.iter().chain(args))?.command {
                Command::Backfill(a) => Ok(a),
                _ => unreachable!("parsed backfill"),
            }
        };
        let a =
            parse(&["--endpoint", "http://enricher:50051", "--endpoint", "[::1]:7", "--endpoint", "unix:///s.sock"])
                .expect("parses");
        assert_eq!(
            a.endpoints,
            [
                EndpointAddr::Tcp { host: "enricher".into(), port: 50051 },
                EndpointAddr::Tcp { host: "::1".into(), port: 7 },
                EndpointAddr::Unix("/s.sock".into())
            ]
        );
        assert_eq!(a.endpoints[1].to_string(), "[::1]:7");
        assert_eq!(a.errors_path(), PathBuf::from("out.jsonl.errors.jsonl"));
        assert_eq!((a.concurrency, a.window, a.max_retries), (4, 32, 8));
        for bad in ["https://e:1", "e", "http://:1", "e:port", "unix://"] {
            assert!(parse(&["--endpoint", bad]).is_err(), "{bad} accepted");
        }
        assert!(parse(&["--endpoint", "e:1", "--resume", "--force"]).is_err(), "resume and force conflict");
    }

    #[test]
    fn misspelt_environment_variables_are_errors() {
        let vars = |name: &str| vec![(name.to_string(), "1".to_string()), ("HOME".to_string(), "/".to_string())];
        assert!(check_env(vars("ENRICHER_MAX_CONCURRENCY")).is_ok());
        let err = check_env(vars("ENRICHER_MAX_CONCURENCY")).expect_err("typo caught");
        assert!(matches!(err, ConfigError::UnknownEnv { ref name, .. } if name == "ENRICHER_MAX_CONCURENCY"));
    }
}
