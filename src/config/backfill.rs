//! Flags of `backfill`, and the servers it (and `bench load`) sends to.

use std::{path::PathBuf, time::Duration};

use clap::Args;

use super::{DEFAULT_MAX_ARTICLE_BYTES, DEFAULT_STREAM_WINDOW, InputArgs, parse};

/// Default number of EnrichStream streams a backfill keeps open.
pub const DEFAULT_BACKFILL_CONCURRENCY: usize = 4;
/// Default articles a backfill stream has in flight: the server's default stream window.
pub const DEFAULT_BACKFILL_WINDOW: usize = DEFAULT_STREAM_WINDOW;
/// Default retries of an article after a retryable failure.
pub const DEFAULT_MAX_RETRIES: u32 = 8;
/// Default first backoff before a retry; it doubles per attempt, with jitter.
pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(100);
/// Default longest backoff before a retry.
pub const DEFAULT_RETRY_BACKOFF_MAX: Duration = Duration::from_secs(10);
/// Default longest wait for any answer on a stream with articles in flight.
pub const DEFAULT_BACKFILL_TIMEOUT: Duration = Duration::from_secs(60);
/// Default interval between DNS look-ups of the endpoints, and between rebalancing checks.
pub const DEFAULT_RESOLVE_INTERVAL: Duration = Duration::from_secs(30);
/// Default interval between progress log lines when standard error is not a terminal.
pub const DEFAULT_PROGRESS_INTERVAL: Duration = Duration::from_secs(10);
/// Default largest Hamming distance between the fingerprints of two articles grouped as
/// renderings of one report.
pub const DEFAULT_GROUP_DISTANCE: u32 = 8;

/// Flags of `backfill`.
#[derive(Debug, Clone, Args)]
pub struct BackfillArgs {
    /// A server to send articles to: `http://host:port` or `host:port` (every address the name
    /// resolves to is used, re-resolved every --resolve-interval, as for a Kubernetes headless
    /// Service), or `unix:///path/to.sock` (a sidecar). Repeat for several.
    #[arg(long = "endpoint", required = true, value_name = "URL", value_parser = parse::endpoint)]
    pub endpoints: Vec<EndpointAddr>,

    /// Articles to send: JSONL of Article in proto3 JSON (`.jsonl`, or gzip-compressed
    /// `.jsonl.gz`), a `.txt` article, a directory of `.txt` articles (the id is the path
    /// under the directory), or `-` for JSONL on standard input. Repeat for several.
    #[arg(long = "input", required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,

    /// How the inputs are read.
    #[command(flatten)]
    pub input: InputArgs,

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
    #[arg(long, default_value_t = DEFAULT_BACKFILL_CONCURRENCY, value_parser = parse::positive)]
    pub concurrency: usize,

    /// Articles each stream has in flight at once.
    #[arg(long, default_value_t = DEFAULT_BACKFILL_WINDOW, value_parser = parse::positive)]
    pub window: usize,

    /// Times an article is retried after UNAVAILABLE, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED,
    /// or after its stream failed, before it goes to the errors file.
    #[arg(long, default_value_t = DEFAULT_MAX_RETRIES)]
    pub max_retries: u32,

    /// Backoff before the first retry; it doubles with each attempt, with random jitter.
    #[arg(long, default_value = parse::duration_text(DEFAULT_RETRY_BACKOFF), value_parser = parse::duration)]
    pub retry_backoff: Duration,

    /// Longest backoff before a retry.
    #[arg(long, default_value = parse::duration_text(DEFAULT_RETRY_BACKOFF_MAX), value_parser = parse::duration)]
    pub retry_backoff_max: Duration,

    /// A stream with articles in flight that gets no answer for this long is abandoned: its
    /// articles are retried on another address.
    #[arg(long, default_value = parse::duration_text(DEFAULT_BACKFILL_TIMEOUT), value_parser = parse::duration)]
    pub timeout: Duration,

    /// How often host names are resolved again and streams rebalanced over the addresses.
    #[arg(long, default_value = parse::duration_text(DEFAULT_RESOLVE_INTERVAL), value_parser = parse::duration)]
    pub resolve_interval: Duration,

    /// Articles whose text is longer (in UTF-8 bytes) go to the errors file unsent; set it to
    /// the servers' --max-article-bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_ARTICLE_BYTES, value_parser = parse::positive)]
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
    #[arg(long, default_value = parse::duration_text(DEFAULT_PROGRESS_INTERVAL), value_parser = parse::duration)]
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
            Self::Unix(path) => f.write_str(&parse::unix_url(path)),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::config::{Cli, Command};

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
}
