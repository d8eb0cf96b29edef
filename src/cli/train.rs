//! `train`: fits the type model, the role model or both on labelled corpora and writes their
//! files.

use std::{path::Path, process::ExitCode};

use super::Outcome;
use crate::{
    config::TrainArgs,
    pipeline::Pipeline,
    tools::eval::{self, TrainOptions},
};

/// Trains the models asked for, prints their cross-validated figures, and writes each with a
/// header saying how it was made.
pub fn train(args: &TrainArgs) -> Outcome {
    let gold = eval::read_all(&args.gold)?;
    let names: Vec<String> = args
        .gold
        .iter()
        .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()))
        .collect();
    let corpora = format!("{} ({} articles", names.join(", "), gold.len());
    if let Some(out) = &args.out {
        let (model, report) = eval::train(&gold, &TrainOptions::from(args))?;
        print!("{report}");
        let provenance = format!(
            "`incident-enricher train` from {corpora}, l2 {}, min-df {}, sentence l2 {}, sentence min-df {})",
            args.l2, args.min_df, args.sentence_l2, args.sentence_min_df
        );
        write(out, &model.to_tsv(&provenance), model.weights.len())?;
    }
    if let Some(out) = &args.roles_out {
        let (model, report) = eval::train_roles(&gold, &Pipeline::new(), args.folds)?;
        print!("{report}");
        let provenance = format!("`incident-enricher train --roles-out` from {corpora})");
        write(out, &model.to_tsv(&provenance), model.weights.len())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, contents: &str, features: usize) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {} ({features} features)", path.display());
    Ok(())
}
