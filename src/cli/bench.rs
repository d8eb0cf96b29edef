//! `bench`: the load benchmark.

use std::process::ExitCode;

use super::Outcome;
use crate::{
    config::{BenchArgs, BenchCommand},
    tools::load,
};

/// Runs the benchmark and prints its tables; fails when the overload checks do.
pub async fn bench(args: BenchArgs) -> Outcome {
    let BenchCommand::Load(args) = args.command;
    let report = load::run(&args).await?;
    print!("{report}");
    Ok(if report.passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
