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
    config::{self, BackfillArgs, Cli, Command, EnrichArgs, EvalCleanupArgs, EvalCommand, ServeArgs},
    eval, input, pb,
    pipeline::{Document, Pipeline, entities::Gazetteer},
    server::{self, Listener, ServerConfig},
    telemetry::{self, Telemetry},
};
use tokio::time::Instant;
use tower::ServiceExt;
use tracing::error;
use tracing_subscriber::EnvFilter;

/// How long the CLI gives one article: generous, since nobody is waiting on a socket.
const CLI_DEADLINE: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime can start");
    // The server installs the full telemetry pipeline (inside the runtime: exporters spawn
    // tasks); the batch commands only log.
    let telemetry = match &cli.command {
        Command::Serve(args) => match runtime.block_on(async { Telemetry::init(&args.telemetry(cli.log_format)) }) {
            Ok(telemetry) => Some(telemetry),
            Err(e) => {
                eprintln!("incident-enricher: {e}");
                return ExitCode::FAILURE;
            }
        },
        _ => {
            let logs = tracing_subscriber::fmt()
                .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
                // Log lines make way for the backfill's progress bar.
                .with_writer(backfill::LogWriter);
            if cli.log_format.is_json() {
                logs.json().init()
            } else {
                logs.init()
            }
            None
        }
    };
    if let Err(e) = config::check_process_env() {
        error!("{e}");
        return ExitCode::FAILURE;
    }
    let result = match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args, telemetry.as_ref().map(Telemetry::registry))),
        Command::Enrich(args) => runtime.block_on(enrich(args)),
        Command::Backfill(args) => runtime.block_on(run_backfill(args)),
        Command::Eval(EvalCommand::Cleanup(args)) => eval_cleanup(&args),
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
    let (gazetteer, _) = Gazetteer::with_files(&args.gazetteers.files)?;
    let pipeline = Pipeline::with_gazetteer(gazetteer).unlimited();
    let parallel = config::default_concurrency();
    let mut responses = stream::iter(records.into_iter().flatten())
        .map(|record| {
            let pipeline = pipeline.clone();
            let (clean_text, max_bytes) = (args.clean_text, args.max_article_bytes);
            async move {
                let article = match record {
                    Ok(article) => article,
                    Err(bad) => {
                        let status = tonic::Status::invalid_argument(bad.message);
                        return server::error_response(bad.id, &status);
                    }
                };
                let id = article.id.clone();
                let request = pb::EnrichRequest { article: Some(article), include_clean_text: clean_text };
                let result = match Document::new(request, max_bytes, Instant::now() + CLI_DEADLINE) {
                    Ok(doc) => pipeline.oneshot(doc).await.map_err(|e| server::from_pipeline(e, &id)),
                    Err(e) => Err(server::to_status(&e, &id)),
                };
                result.map_or_else(|status| server::error_response(id, &status), Document::into_response)
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

fn eval_cleanup(args: &EvalCleanupArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    print!("{}", eval::cleanup(&args.paths, args.show)?);
    Ok(ExitCode::SUCCESS)
}
