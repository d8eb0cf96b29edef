//! Every flag, environment variable, default and validation of the command line, a file per
//! subcommand: `serve` (with `enrich`, which shares its pipeline flags), `backfill`, and the
//! tools (`eval`, `train`, `bench`, with the `tools` feature); the value parsers in `parse`.

mod backfill;
mod parse;
mod serve;
#[cfg(feature = "tools")]
mod tools;

use std::env;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

pub(crate) use self::parse::unix_url;
#[cfg(feature = "tools")]
pub use self::tools::*;
pub use self::{backfill::*, serve::*};
use crate::{
    cli::input::{self, ReadOptions},
    telemetry::{LogFormat, OtlpProtocol},
};

/// How `enrich` and `backfill` read their inputs.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Publication time of the `.txt` inputs, which carry none (JSONL articles give their own
    /// `publishedAt`): RFC 3339, or a date read as midnight UTC. Without it, a `.txt` article
    /// is dated by its own dateline or byline, when it has one.
    #[arg(long, value_name = "TIME", value_parser = input::timestamp)]
    pub published_at: Option<pbjson_types::Timestamp>,

    /// Refuse JSONL lines with fields an Article does not have, instead of ignoring the
    /// fields with one warning.
    #[arg(long)]
    pub strict_input: bool,
}

impl InputArgs {
    /// The reading these flags ask for.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions::new(self.strict_input, self.published_at)
    }
}

/// Prefix of every environment variable the service reads.
pub const ENV_PREFIX: &str = "ENRICHER_";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "incident-enricher", version, about = "Turns scraped cyber-incident news into structured incidents")]
pub struct Cli {
    /// How log lines are written: `human`, `json` (for log collectors; each line carries the
    /// trace id), or `auto` (human on a terminal, JSON otherwise). Filter with RUST_LOG.
    #[arg(long, global = true, env = "ENRICHER_LOG_FORMAT", default_value = "auto", value_enum)]
    pub log_format: LogFormatArg,

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
    /// Score incident types and roles against a labelled corpus (`eval GOLD.jsonl`), or
    /// measure cleanup (`eval cleanup`).
    #[cfg(feature = "tools")]
    Eval(EvalArgs),
    /// Train the incident type model on a labelled corpus and write its file.
    #[cfg(feature = "tools")]
    Train(TrainArgs),
    /// Generate the built-in threat actor and malware catalogue from MISP galaxy files.
    #[cfg(feature = "tools")]
    Catalogue(CatalogueArgs),
    /// Send archives of articles to one or more servers over EnrichStream: resumable,
    /// retrying, spread over replicas, every article answered exactly once.
    Backfill(BackfillArgs),
    /// Measure a server under load (`bench load`): throughput, latency at fixed rates, status
    /// codes, CPU per article, memory; `--overload` adds a run at twice the saturation rate.
    #[cfg(feature = "tools")]
    Bench(BenchArgs),
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// Human-readable on a terminal, JSON otherwise.
    Auto,
    /// Human-readable.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

impl From<LogFormatArg> for LogFormat {
    fn from(arg: LogFormatArg) -> Self {
        match arg {
            LogFormatArg::Auto => Self::Auto,
            LogFormatArg::Human => Self::Human,
            LogFormatArg::Json => Self::Json,
        }
    }
}

/// `--otlp-protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OtlpProtocolArg {
    /// OTLP over gRPC (the collector's port 4317).
    #[value(name = "grpc")]
    Grpc,
    /// OTLP over HTTP with protobuf bodies (port 4318).
    #[value(name = "http/protobuf")]
    HttpProtobuf,
}

impl From<OtlpProtocolArg> for OtlpProtocol {
    fn from(arg: OtlpProtocolArg) -> Self {
        match arg {
            OtlpProtocolArg::Grpc => Self::Grpc,
            OtlpProtocolArg::HttpProtobuf => Self::HttpProtobuf,
        }
    }
}

/// A setting that cannot be used: an unknown variable, or a value no flag accepts (clap names
/// the flag in front of the message).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    /// An `ENRICHER_*` variable that no flag reads: most likely a typo.
    #[error("unknown environment variable {name}; known: {known}")]
    UnknownEnv {
        /// The variable.
        name: String,
        /// The variables the service reads.
        known: String,
    },
    /// `unix://` with nothing after it.
    #[error("unix:// needs a socket path, e.g. unix:///run/enricher.sock")]
    NoSocketPath,
    /// A listen address that is neither `host:port` nor `unix://`.
    #[error("expected host:port or unix:///path")]
    NotListenAddr,
    /// A listen address without a host.
    #[error("missing host; use 0.0.0.0:PORT to listen on every interface")]
    NoListenHost,
    /// An endpoint that is neither `http://host:port`, `host:port` nor `unix://`.
    #[error("expected http://host:port, host:port or unix:///path")]
    NotEndpoint,
    /// An `https://` endpoint.
    #[error("TLS is not supported; use http://host:port or unix:///path")]
    Tls,
    /// A port that is not a number from 0 to 65535.
    #[error("invalid port {0:?}")]
    Port(String),
    /// An endpoint's host that is empty or holds a path.
    #[error("invalid host {0:?}")]
    Host(String),
    /// Zero for a count that must be at least 1.
    #[error("must be at least 1")]
    Zero,
    /// A count that is not a number.
    #[error(transparent)]
    NotANumber(#[from] std::num::ParseIntError),
    /// A zero duration.
    #[error("must be longer than zero")]
    ZeroDuration,
    /// A duration humantime cannot read.
    #[error("{0} (examples: 10s, 500ms, 1m)")]
    NotADuration(humantime::DurationError),
}

/// Two articles per CPU core: one in a stage, one waiting on I/O around it.
pub fn default_concurrency() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Checks `vars` for `ENRICHER_*` names no flag reads, so a misspelt setting is an error
/// rather than a silently ignored default.
pub fn check_env(vars: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
    check_env_of(&Cli::command(), vars)
}

/// [`check_env`] against the flags of `command` and of its subcommands at any depth.
fn check_env_of(command: &clap::Command, vars: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
    let mut known = Vec::new();
    env_names(command, &mut known);
    known.sort();
    known.dedup();
    for (name, _) in vars {
        if name.starts_with(ENV_PREFIX) && !known.contains(&name) {
            return Err(ConfigError::UnknownEnv { name, known: known.join(", ") });
        }
    }
    Ok(())
}

/// Adds the environment variables read by `command`'s flags and its subcommands' to `names`.
fn env_names(command: &clap::Command, names: &mut Vec<String>) {
    names.extend(command.get_arguments().filter_map(|arg| arg.get_env()).map(|e| e.to_string_lossy().into_owned()));
    for sub in command.get_subcommands() {
        env_names(sub, names);
    }
}

/// Checks the process environment with [`check_env`].
pub fn check_process_env() -> Result<(), ConfigError> {
    check_env(env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().unwrap_or_default()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_environment_variables_are_errors() {
        let vars = |name: &str| vec![(name.to_string(), "1".to_string()), ("HOME".to_string(), "/".to_string())];
        assert!(check_env(vars("ENRICHER_MAX_CONCURRENCY")).is_ok());
        let err = check_env(vars("ENRICHER_MAX_CONCURENCY")).expect_err("typo caught");
        assert!(matches!(err, ConfigError::UnknownEnv { ref name, .. } if name == "ENRICHER_MAX_CONCURENCY"));
    }

    #[test]
    fn variables_of_nested_subcommands_are_known() {
        let nested = clap::Command::new("t").subcommand(
            clap::Command::new("a")
                .subcommand(clap::Command::new("b").arg(clap::Arg::new("x").long("x").env("ENRICHER_DEEP"))),
        );
        let vars = |name: &str| vec![(name.to_string(), "1".to_string())];
        assert!(check_env_of(&nested, vars("ENRICHER_DEEP")).is_ok());
        assert!(check_env_of(&nested, vars("ENRICHER_DEEPER")).is_err());
    }
}
