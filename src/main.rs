//! The `incident-enricher` command: parses the command line and dispatches.

use std::{
    io::{self, Write},
    process::ExitCode,
    time::Duration,
};

use clap::Parser;
use futures::{StreamExt, stream};
use incident_enricher::{
    client::backfill,
    config::{self, BackfillArgs, Cli, Command, EnrichArgs, GazetteerArgs, ModelArgs, ServeArgs},
    input, pb,
    pipeline::{Document, Pipeline, PipelineService},
    server::{self, Listener, ServerConfig},
    telemetry::{self, Telemetry},
};
#[cfg(feature = "tools")]
use incident_enricher::{
    config::{BenchArgs, BenchCommand, EvalArgs, EvalCleanupArgs, EvalCommand, EvalScoreArgs, TrainArgs},
    tools::{eval, load},
};
use tokio::time::Instant;
use tower::ServiceExt;
use tracing::error;

/// How long the CLI gives one article: generous, since nobody is waiting on a socket.
const CLI_DEADLINE: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match &cli.command {
        Command::Serve(args) => server::runtime(args.max_concurrency),
        _ => tokio::runtime::Runtime::new(),
    }
    .expect("a tokio runtime can start");
    // The server installs the full telemetry pipeline (inside the runtime: exporters spawn
    // tasks); the batch commands only log.
    let telemetry = match &cli.command {
        Command::Serve(args) => runtime.block_on(async { Telemetry::init(&args.telemetry(cli.log_format)) }).map(Some),
        // Log lines make way for the backfill's progress bar.
        _ => telemetry::init_logs(cli.log_format.into(), backfill::LogWriter).map(|()| None),
    };
    let telemetry = match telemetry {
        Ok(telemetry) => telemetry,
        Err(e) => {
            eprintln!("incident-enricher: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = config::check_process_env() {
        error!("{e}");
        return ExitCode::FAILURE;
    }
    let result = match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args, telemetry.as_ref().map(Telemetry::registry))),
        Command::Enrich(args) => runtime.block_on(enrich(args)),
        #[cfg(feature = "tools")]
        Command::Eval(EvalArgs { command: Some(EvalCommand::Cleanup(args)), .. }) => eval_cleanup(&args),
        #[cfg(feature = "tools")]
        Command::Eval(EvalArgs { command: None, score }) => runtime.block_on(eval_score(score)),
        #[cfg(feature = "tools")]
        Command::Train(args) => train(&args),
        Command::Backfill(args) => runtime.block_on(run_backfill(args)),
        #[cfg(feature = "tools")]
        Command::Bench(BenchArgs { command: BenchCommand::Load(args) }) => runtime.block_on(bench_load(args)),
    };
    if let Some(telemetry) = telemetry {
        runtime.block_on(async { telemetry.shutdown() });
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            error!("{}", error_chain(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

async fn serve(
    args: ServeArgs,
    registry: Option<prometheus::Registry>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
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

/// Enriches every record of every path in order, one response per line; a bad record gets an
/// error response and the run goes on. Fails when any record failed.
async fn enrich(args: EnrichArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut records = Vec::new();
    for path in &args.paths {
        records.push(input::records(path)?);
    }
    let pipeline = pipeline(&args.gazetteers, &args.model)?.unlimited();
    let parallel = config::default_concurrency();
    let mut responses = stream::iter(records.into_iter().flatten())
        .map(|record| {
            let pipeline = pipeline.clone();
            let (clean_text, max_bytes) = (args.clean_text, args.max_article_bytes);
            async move {
                match record {
                    Ok(article) => enrich_one(pipeline, article, clean_text, max_bytes).await,
                    Err(bad) => server::error_response(bad.id, &tonic::Status::invalid_argument(bad.message)),
                }
            }
        })
        .buffered(parallel);

    let mut out = io::stdout().lock();
    let mut failed = 0usize;
    while let Some(response) = responses.next().await {
        if let Some(error) = &response.error {
            failed += 1;
            error!(article_id = %response.article_id, message = %error.message, "article not enriched");
        }
        let line =
            if args.pretty { serde_json::to_string_pretty(&response)? } else { serde_json::to_string(&response)? };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The pipeline with the user's gazetteers and type model.
fn pipeline(gazetteers: &GazetteerArgs, model: &ModelArgs) -> Result<Pipeline, Box<dyn std::error::Error>> {
    Ok(Pipeline::load(&config::pipeline_config(gazetteers, model))?)
}

/// The response for one article, or the error response saying why there is none.
async fn enrich_one(
    pipeline: PipelineService,
    article: pb::Article,
    include_clean_text: bool,
    max_bytes: usize,
) -> pb::EnrichResponse {
    let id = article.id.clone();
    let request = pb::EnrichRequest { article: Some(article), include_clean_text };
    let result = match Document::new(request, max_bytes, Instant::now() + CLI_DEADLINE) {
        Ok(doc) => pipeline.oneshot(doc).await.map_err(|e| server::from_pipeline(e, &id)),
        Err(e) => Err(server::to_status(&e, &id)),
    };
    result.map_or_else(|status| server::error_response(id, &status), Document::into_response)
}

#[cfg(feature = "tools")]
/// The responses for `gold`'s articles, in order.
async fn enrich_all(pipeline: Pipeline, gold: impl Iterator<Item = &eval::Labelled>) -> Vec<pb::EnrichResponse> {
    let pipeline = pipeline.unlimited();
    stream::iter(gold.map(|g| g.article.clone()))
        .map(|article| enrich_one(pipeline.clone(), article, false, usize::MAX))
        .buffered(config::default_concurrency())
        .collect()
        .await
}

#[cfg(feature = "tools")]
/// Enriches a labelled corpus, scores it, and writes the predictions when asked.
async fn eval_score(args: EvalScoreArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let gold = eval::read_labelled(args.gold.as_deref().expect("clap requires GOLD"))?;
    let predictions = match args.folds {
        None => enrich_all(pipeline(&args.gazetteers, &args.model)?, gold.iter()).await,
        Some(folds) => {
            let base = pipeline(&args.gazetteers, &args.model)?;
            let folds = usize::from(folds);
            let mut predictions = Vec::with_capacity(gold.len());
            for fold in 0..folds {
                let (held_out, training): (Vec<_>, Vec<_>) =
                    gold.iter().enumerate().partition(|(i, _)| i % folds == fold);
                let training: Vec<eval::Labelled> = training.into_iter().map(|(_, g)| g.clone()).collect();
                let (model, _) = eval::train(&training, &eval::TrainOptions::default());
                let pipeline = base.clone().with_type_model(model);
                predictions.extend(enrich_all(pipeline, held_out.into_iter().map(|(_, g)| g)).await);
            }
            predictions
        }
    };
    if let Some(path) = &args.predictions {
        let mut out = io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?,
        );
        for response in &predictions {
            writeln!(out, "{}", serde_json::to_string(response)?)?;
        }
        out.flush()?;
    }
    let scores = eval::score(&gold, &predictions);
    if args.json {
        println!("{}", scores.to_json());
    } else {
        print!("{scores}");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "tools")]
/// Trains the type model, prints its cross-validated figures, and writes it.
fn train(args: &TrainArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let gold = eval::read_labelled(&args.gold)?;
    let (model, report) = eval::train(&gold, &eval::TrainOptions::from(args));
    print!("{report}");
    let provenance = format!(
        "`incident-enricher train` from {} ({} articles, l2 {}, min-df {}, sentence l2 {}, sentence min-df {})",
        args.gold.file_name().map_or_else(|| args.gold.display().to_string(), |n| n.to_string_lossy().into_owned()),
        gold.len(),
        args.l2,
        args.min_df,
        args.sentence_l2,
        args.sentence_min_df
    );
    std::fs::write(&args.out, model.to_tsv(&provenance))
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    println!("wrote {} ({} features)", args.out.display(), model.weights.len());
    Ok(ExitCode::SUCCESS)
}

/// Exit codes of `backfill`: every article enriched, some in the errors file, or the run could
/// not finish (as for bad flags).
const BACKFILL_ARTICLES_FAILED: u8 = 1;
const BACKFILL_INCOMPLETE: u8 = 2;

async fn run_backfill(args: BackfillArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match backfill::run(&args).await {
        Ok(summary) => {
            eprint!("{summary}");
            if summary.all_enriched() {
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("  see {} for the articles not enriched", args.errors_path().display());
                Ok(ExitCode::from(BACKFILL_ARTICLES_FAILED))
            }
        }
        Err(e) => {
            error!("{}", error_chain(&e));
            Ok(ExitCode::from(BACKFILL_INCOMPLETE))
        }
    }
}

#[cfg(feature = "tools")]
/// Runs the load benchmark and prints its tables; fails when the overload checks do.
async fn bench_load(args: config::LoadArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let report = load::run(&args).await?;
    print!("{report}");
    Ok(if report.passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// An error and its sources, one after another.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}

#[cfg(feature = "tools")]
fn eval_cleanup(args: &EvalCleanupArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    print!("{}", eval::cleanup(&args.paths, args.show)?);
    Ok(ExitCode::SUCCESS)
}
