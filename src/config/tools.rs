//! Flags of the tools (`eval`, `train`, `catalogue`, `bench`), built with the `tools` feature.

use std::{path::PathBuf, time::Duration};

use clap::{Args, Subcommand};

use super::{
    DEFAULT_BACKFILL_CONCURRENCY, DEFAULT_STREAM_WINDOW, EndpointAddr, GazetteerArgs, ModelArgs, default_concurrency,
    parse,
};

/// Default articles of `bench load`: the bundled examples, when run from the repository.
pub const DEFAULT_BENCH_ARTICLES: &str = "examples/articles";
/// Default length of each measured phase of `bench load`.
pub const DEFAULT_BENCH_DURATION: Duration = Duration::from_secs(10);
/// Default HTTP/2 connections of `bench load`: one per core, so the client's I/O spreads too.
pub const DEFAULT_BENCH_CONNECTIONS: usize = 2;
/// Default grpc-timeout of the open-loop and overload calls of `bench load`.
pub const DEFAULT_BENCH_DEADLINE: Duration = Duration::from_secs(1);
/// Default length of the overload phase: a minute, long enough for queues to build up.
pub const DEFAULT_OVERLOAD_DURATION: Duration = Duration::from_secs(60);
/// Default lateness past its deadline after which an answer counts as late.
pub const DEFAULT_LATE_SLACK: Duration = Duration::from_millis(50);
/// Default folds of `train`'s cross-validation.
pub const DEFAULT_TRAIN_FOLDS: u16 = 5;
/// Default weight of the article model's L2 penalty (sklearn's `1 / C`).
pub const DEFAULT_L2: f32 = 10.0;
/// Default least number of training articles a feature of the article model is seen in.
pub const DEFAULT_MIN_DF: usize = 3;
/// Default weight of the sentence model's L2 penalty.
pub const DEFAULT_SENTENCE_L2: f32 = 2.0;
/// Default least number of training sentences a feature of the sentence model is seen in.
pub const DEFAULT_SENTENCE_MIN_DF: usize = 2;

/// Flags of `bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// What to measure.
    #[command(subcommand)]
    pub command: BenchCommand,
}

/// The benchmarks.
#[derive(Debug, Clone, Subcommand)]
pub enum BenchCommand {
    /// Load a real server over gRPC with many concurrent calls. Without --endpoint the bench
    /// starts `serve` on a loopback port itself and also reports its start-up time, CPU and
    /// memory.
    Load(LoadArgs),
}

/// Flags of `bench load`.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// The server to load: `http://host:port`, `host:port` or `unix:///path`. Default: start
    /// `incident-enricher serve` on 127.0.0.1 as a child process, stopped at the end.
    #[arg(long, value_name = "URL", value_parser = parse::endpoint, conflicts_with = "server_args")]
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
    #[arg(long, default_value = parse::duration_text(DEFAULT_BENCH_DURATION), value_parser = parse::duration)]
    pub duration: Duration,

    /// Unary calls in flight at once in the saturation phase (closed loop). Default: the
    /// server's default --max-concurrency on this machine, 2 per core, so no call is shed.
    #[arg(long, default_value_t = default_concurrency(), value_parser = parse::positive)]
    pub concurrency: usize,

    /// EnrichStream streams open at once in the streaming saturation phase.
    #[arg(long, default_value_t = DEFAULT_BACKFILL_CONCURRENCY, value_parser = parse::positive)]
    pub streams: usize,

    /// Articles each stream keeps in flight (the server's --stream-window).
    #[arg(long, default_value_t = DEFAULT_STREAM_WINDOW, value_parser = parse::positive)]
    pub window: usize,

    /// HTTP/2 connections the calls are spread over.
    #[arg(long, default_value_t = DEFAULT_BENCH_CONNECTIONS, value_parser = parse::positive)]
    pub connections: usize,

    /// Offered rates of the open-loop latency phases, in articles/s, comma-separated.
    /// Default: 25%, 50%, 75% and 100% of the measured unary saturation.
    #[arg(long, value_name = "N,...", value_delimiter = ',', value_parser = parse::positive)]
    pub rates: Vec<usize>,

    /// grpc-timeout of every open-loop and overload call.
    #[arg(long, default_value = parse::duration_text(DEFAULT_BENCH_DEADLINE), value_parser = parse::duration)]
    pub deadline: Duration,

    /// Instead of the latency phases: offer twice the saturation rate (or --overload-rate)
    /// for --overload-duration, then check that the server serves a low rate normally again.
    #[arg(long, conflicts_with = "rates")]
    pub overload: bool,

    /// Length of the overload phase.
    #[arg(long, default_value = parse::duration_text(DEFAULT_OVERLOAD_DURATION), value_parser = parse::duration)]
    pub overload_duration: Duration,

    /// Offered rate of the overload phase, in articles/s. Default: twice the measured unary
    /// saturation.
    #[arg(long, value_name = "N", value_parser = parse::positive)]
    pub overload_rate: Option<usize>,

    /// How much later than its deadline an answer may arrive before it counts as late
    /// (network and scheduling on a busy machine).
    #[arg(long, default_value = parse::duration_text(DEFAULT_LATE_SLACK), value_parser = parse::duration)]
    pub late_slack: Duration,
}

/// Default directory of the generated catalogue, as the repository holds it.
pub const DEFAULT_CATALOGUE_OUT: &str = "src/pipeline/entities/data/catalogue";

/// Flags of `catalogue`.
#[derive(Debug, Clone, Args)]
pub struct CatalogueArgs {
    /// Directory of MISP galaxy cluster files (`misp-galaxy-*.json`, from the misp-galaxy
    /// repository's `clusters/`): threat actors, intrusion sets, activity groups, malware,
    /// tools, ransomware, RATs and the like.
    #[arg(long, value_name = "DIR")]
    pub galaxies: PathBuf,

    /// The galaxies' licence, copied beside the tables [default: DIR/MISP-GALAXY-LICENSE.md].
    #[arg(long, value_name = "FILE")]
    pub licence: Option<PathBuf>,

    /// How common English words are, `word<TAB>zipf` per line, as
    /// `scripts/word_frequencies.py` prints them: names that read as ordinary words need a
    /// cyber cue, and the commonest are dropped.
    #[arg(long, value_name = "FILE")]
    pub word_frequencies: PathBuf,

    /// Where to write `catalogue.tsv`, `readings.tsv` and `LICENSE.md`; the built-in ones are
    /// compiled from the default, so rebuild after regenerating.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_CATALOGUE_OUT)]
    pub out: PathBuf,
}

/// Flags of `train`.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("models").required(true).multiple(true).args(["out", "roles_out"]))]
pub struct TrainArgs {
    /// Labelled corpora, in the formats `eval` reads (CASIE records, coded reports), learnt
    /// from together.
    #[arg(required = true, value_name = "GOLD")]
    pub gold: Vec<PathBuf>,

    /// Where to write the incident type model; the shipped one is
    /// src/pipeline/classify/data/type_model.tsv, built into the binary.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Where to write the participant role model, trained on the articles as the built-in
    /// type model reads them; the shipped one is src/pipeline/incidents/data/role_model.tsv.
    #[arg(long, value_name = "FILE")]
    pub roles_out: Option<PathBuf>,

    /// Folds of the cross-validation that fits how the article and sentence models combine,
    /// chooses the threshold and reports held-out figures.
    #[arg(long, default_value_t = DEFAULT_TRAIN_FOLDS, value_parser = clap::value_parser!(u16).range(2..))]
    pub folds: u16,

    /// Weight of the article model's L2 penalty: higher generalises more and fits the corpus
    /// less.
    #[arg(long, default_value_t = DEFAULT_L2)]
    pub l2: f32,

    /// Leave out article features seen in fewer articles than this.
    #[arg(long, default_value_t = DEFAULT_MIN_DF)]
    pub min_df: usize,

    /// Weight of the sentence model's L2 penalty.
    #[arg(long, default_value_t = DEFAULT_SENTENCE_L2)]
    pub sentence_l2: f32,

    /// Leave out sentence features seen in fewer sentences than this.
    #[arg(long, default_value_t = DEFAULT_SENTENCE_MIN_DF)]
    pub sentence_min_df: usize,
}

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

/// Flags of `eval GOLD.jsonl`.
#[derive(Debug, Clone, Args)]
pub struct EvalScoreArgs {
    /// Labelled corpus (docs/evaluation.md): CASIE's JSONL (`id`, `text`, optional
    /// `published` as YYYY-MM-DD, `labels` and `arguments`), or coded incident reports as in
    /// ../shared/news (`labels` as groups, `present`, `attackers`, `targets`).
    #[arg(required = true, value_name = "GOLD")]
    pub gold: Option<PathBuf>,

    /// Also write the responses, one proto3 JSON line per article, to this file.
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,

    /// Print the scores as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Cross-validate: split GOLD into this many folds and enrich each with a type model and a
    /// role model trained (as `train` does) on the others, so the scores say how the models do
    /// on text they were not trained on.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(2..))]
    pub folds: Option<u16>,

    /// With --folds: another labelled corpus every fold's models also learn from (repeat for
    /// more), as the shipped models learn from several.
    #[arg(long, value_name = "FILE", requires = "folds")]
    pub train_with: Vec<PathBuf>,

    /// Extra gazetteers, as for `serve`.
    #[command(flatten)]
    pub gazetteers: GazetteerArgs,

    /// The type model.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// What `eval` measures besides scores.
#[derive(Debug, Clone, Subcommand)]
pub enum EvalCommand {
    /// How much text cleanup removes from JSONL articles (e.g. ../shared/casie/dev.jsonl, whose
    /// articles are nearly clean): characters, whole sentences lost, blocks by reason.
    Cleanup(EvalCleanupArgs),
}

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
