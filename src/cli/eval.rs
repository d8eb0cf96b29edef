//! `eval`: scores the pipeline against a labelled corpus, cross-validating the type and role
//! models with `--folds`, or measures what cleanup removes.

use std::{
    io::{self, Write},
    process::ExitCode,
};

use futures::StreamExt;

use super::{
    Outcome,
    enrich::{refused, responses},
};
use crate::{
    config::{self, EvalArgs, EvalCleanupArgs, EvalCommand, EvalScoreArgs},
    pb,
    pipeline::{Document, Pipeline},
    tools::eval::{self, Labelled, TrainOptions},
};

/// Runs the measurement `args` name.
pub async fn eval(args: EvalArgs) -> Outcome {
    match args.command {
        Some(EvalCommand::Cleanup(args)) => cleanup(&args),
        None => score(args.score).await,
    }
}

/// Enriches a labelled corpus, scores it, and writes the predictions when asked.
async fn score(args: EvalScoreArgs) -> Outcome {
    let gold = eval::read_labelled(args.gold.as_deref().expect("clap requires GOLD"))?;
    let pipeline = Pipeline::load(&config::pipeline_config(&args.gazetteers, &args.model))?;
    let predictions = match args.folds {
        None => enrich_all(&pipeline, gold.iter()).await,
        Some(folds) => {
            let extra = eval::read_all(&args.train_with)?;
            let mut predictions = Vec::with_capacity(gold.len());
            for fold in eval::folds(&gold, usize::from(folds)) {
                let training: Vec<Labelled> = fold.training.into_iter().chain(&extra).cloned().collect();
                let (model, _) = eval::train(&training, &TrainOptions::default())?;
                let pipeline = pipeline.clone().with_type_model(model);
                let (roles, _) = eval::train_roles(&training, &pipeline, config::DEFAULT_TRAIN_FOLDS)?;
                let pipeline = pipeline.with_role_model(roles);
                predictions.extend(enrich_all(&pipeline, fold.held_out.into_iter().map(|(_, g)| g)).await);
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
    let scores = eval::evaluate(&gold, &predictions);
    if args.json {
        println!("{}", scores.to_json());
    } else {
        print!("{scores}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The responses for `gold`'s articles, in order.
async fn enrich_all(pipeline: &Pipeline, gold: impl Iterator<Item = &Labelled>) -> Vec<pb::EnrichResponse> {
    let documents =
        gold.map(|g| Document::in_process(g.article.clone(), false).map_err(|e| refused(g.article.id.clone(), &e)));
    responses(pipeline, documents).collect().await
}

/// Prints what cleanup removes from the corpus.
fn cleanup(args: &EvalCleanupArgs) -> Outcome {
    print!("{}", eval::cleanup(&args.paths, args.show)?);
    Ok(ExitCode::SUCCESS)
}
