//! The `incident-enricher` command: parses the command line and dispatches.

use std::process::ExitCode;

use clap::Parser;
use incident_enricher::{
    cli,
    client::backfill::LogWriter,
    config::{self, Cli, Command},
    server,
    telemetry::{self, Telemetry},
};
use tracing::error;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match &cli.command {
        Command::Serve(args) => server::runtime(args.max_concurrency),
        _ => tokio::runtime::Runtime::new(),
    }
    .expect("a tokio runtime can start");
    // The server installs the full telemetry pipeline (inside the runtime: exporters spawn
    // tasks); the other commands only log, around the backfill's progress bar.
    let telemetry = match &cli.command {
        Command::Serve(args) => runtime.block_on(async { Telemetry::init(&args.telemetry(cli.log_format)) }).map(Some),
        _ => telemetry::init_logs(cli.log_format.into(), LogWriter).map(|()| None),
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
    let outcome = match cli.command {
        Command::Serve(args) => runtime.block_on(cli::serve(args, telemetry.as_ref().map(Telemetry::registry))),
        Command::Enrich(args) => runtime.block_on(cli::enrich(args)),
        Command::Backfill(args) => runtime.block_on(cli::backfill(args)),
        #[cfg(feature = "tools")]
        Command::Eval(args) => runtime.block_on(cli::eval(args)),
        #[cfg(feature = "tools")]
        Command::Train(args) => cli::train(&args),
        #[cfg(feature = "tools")]
        Command::Catalogue(args) => cli::catalogue(&args),
        #[cfg(feature = "tools")]
        Command::Bench(args) => runtime.block_on(cli::bench(args)),
    };
    if let Some(telemetry) = telemetry {
        runtime.block_on(async { telemetry.shutdown() });
    }
    outcome.unwrap_or_else(|e| {
        error!("{}", cli::error_chain(e.as_ref()));
        ExitCode::FAILURE
    })
}
