//! `train`: fits the type model on labelled corpora and writes its file.

use std::process::ExitCode;

use super::Outcome;
use crate::{
    config::TrainArgs,
    tools::eval::{self, TrainOptions},
};

/// Trains the type model, prints its cross-validated figures, and writes it with a header
/// saying how it was made.
pub fn train(args: &TrainArgs) -> Outcome {
    let gold = eval::read_all(&args.gold)?;
    let (model, report) = eval::train(&gold, &TrainOptions::from(args))?;
    print!("{report}");
    let names: Vec<String> = args
        .gold
        .iter()
        .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()))
        .collect();
    let provenance = format!(
        "`incident-enricher train` from {} ({} articles, l2 {}, min-df {}, sentence l2 {}, sentence min-df {})",
        names.join(", "),
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
