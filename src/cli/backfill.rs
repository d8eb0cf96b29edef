//! `backfill`: runs it and turns its end into an exit code.

use std::process::ExitCode;

use tracing::error;

use super::{Outcome, error_chain};
use crate::{client::backfill, config::BackfillArgs};

/// Exit codes of `backfill`: every article enriched, some in the errors file, or the run could
/// not finish (as for bad flags).
const ARTICLES_FAILED: u8 = 1;
const INCOMPLETE: u8 = 2;

/// Runs a backfill and prints its summary.
pub async fn backfill(args: BackfillArgs) -> Outcome {
    match backfill::run(&args).await {
        Ok(summary) => {
            eprint!("{summary}");
            if summary.all_enriched() {
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("  see {} for the articles not enriched", args.errors_path().display());
                Ok(ExitCode::from(ARTICLES_FAILED))
            }
        }
        Err(e) => {
            error!("{}", error_chain(&e));
            Ok(ExitCode::from(INCOMPLETE))
        }
    }
}
