//! Trains the incident type model ([`crate::pipeline::classify::model`]) from a labelled
//! corpus: one L2-regularised logistic regression per type, fitted with Adam on binary
//! features, and the reporting threshold chosen by k-fold cross-validation, whose held-out
//! predictions also give the figures and the calibration table the command prints.

use std::{collections::HashMap, fmt};

use tokio::time::{Duration, Instant};

use super::{
    Labelled,
    score::{LABELS, Prf},
};
use crate::{
    pb,
    pipeline::{
        Document, Step,
        classify::{
            Classify,
            model::{N, TYPES, TypeModel, features},
        },
        cleanup::Cleanup,
        entities::Entities,
    },
};

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Folds of the cross-validation that picks the threshold.
    pub folds: u16,
    /// Weight of the L2 penalty (sklearn's `1 / C`).
    pub l2: f32,
    /// Features seen in fewer training articles than this are left out.
    pub min_df: usize,
    /// Optimiser steps.
    pub epochs: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self { folds: 5, l2: 3.0, min_df: 3, epochs: 400 }
    }
}

/// Held-out figures of the cross-validation at the chosen threshold.
#[derive(Debug, Clone, Default)]
pub struct CvReport {
    /// Articles trained on.
    pub articles: usize,
    /// The threshold chosen.
    pub threshold: f32,
    /// Per type: true positives, predicted, gold.
    pub counts: [(usize, usize, usize); N],
    /// Calibration: per tenth of probability, held-out predictions and how many were right.
    pub calibration: [(usize, usize); 10],
}

/// A training article: feature indices and the types it is labelled with.
struct Example {
    features: Vec<u32>,
    labels: [bool; N],
}

/// The features of every article, after the stages the model reads (cleanup, entities,
/// classify's cues), and the article's labels as types.
fn featurise(gold: &[Labelled]) -> Vec<(Vec<String>, [bool; N])> {
    let entities = Entities::new();
    gold.iter()
        .map(|g| {
            let request = pb::EnrichRequest { article: Some(g.article.clone()), include_clean_text: false };
            let features = match Document::new(request, usize::MAX, Instant::now() + Duration::from_secs(60)) {
                Ok(mut doc) => {
                    Cleanup.apply(&mut doc);
                    entities.apply(&mut doc);
                    Classify.apply(&mut doc);
                    features(&doc)
                }
                Err(_) => Vec::new(),
            };
            let labels =
                TYPES.map(|t| LABELS.iter().any(|(name, kind)| *kind == t && g.labels.iter().any(|l| l == name)));
            (features, labels)
        })
        .collect()
}

/// The vocabulary of `docs`: features in at least `min_df` of them.
fn vocabulary<'a>(docs: impl Iterator<Item = &'a Vec<String>>, min_df: usize) -> HashMap<&'a str, u32> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for features in docs {
        for f in features {
            *df.entry(f.as_str()).or_default() += 1;
        }
    }
    let mut kept: Vec<&str> = df.into_iter().filter(|&(_, n)| n >= min_df).map(|(f, _)| f).collect();
    kept.sort_unstable();
    kept.into_iter().enumerate().map(|(i, f)| (f, i as u32)).collect()
}

/// Fits one logistic regression per type with Adam on the full batch.
fn fit(examples: &[Example], dims: usize, options: &TrainOptions) -> ([f32; N], Vec<[f32; N]>) {
    let (rate, beta1, beta2) = (0.05f32, 0.9f32, 0.999f32);
    let mut bias = [0.0f32; N];
    let mut weights = vec![[0.0f32; N]; dims];
    let (mut m, mut v) = (vec![[0.0f32; N]; dims + 1], vec![[0.0f32; N]; dims + 1]);
    for step in 1..=options.epochs {
        let mut grad = vec![[0.0f32; N]; dims + 1];
        for ex in examples {
            let mut z = bias;
            for &f in &ex.features {
                for (z, w) in z.iter_mut().zip(&weights[f as usize]) {
                    *z += w;
                }
            }
            for k in 0..N {
                let error = 1.0 / (1.0 + (-z[k]).exp()) - f32::from(u8::from(ex.labels[k]));
                grad[dims][k] += error;
                for &f in &ex.features {
                    grad[f as usize][k] += error;
                }
            }
        }
        let (c1, c2) = (1.0 - beta1.powi(step as i32), 1.0 - beta2.powi(step as i32));
        for j in 0..=dims {
            for k in 0..N {
                let param = if j == dims { &mut bias[k] } else { &mut weights[j][k] };
                let g = grad[j][k] + if j == dims { 0.0 } else { options.l2 * *param };
                m[j][k] = beta1 * m[j][k] + (1.0 - beta1) * g;
                v[j][k] = beta2 * v[j][k] + (1.0 - beta2) * g * g;
                *param -= rate * (m[j][k] / c1) / ((v[j][k] / c2).sqrt() + 1e-8);
            }
        }
    }
    (bias, weights)
}

/// Trains on `docs` (features and labels) and returns the model, threshold unset.
fn train_on(docs: &[&(Vec<String>, [bool; N])], options: &TrainOptions) -> TypeModel {
    let vocabulary = vocabulary(docs.iter().map(|(f, _)| f), options.min_df);
    let examples: Vec<Example> = docs
        .iter()
        .map(|(features, labels)| Example {
            features: features.iter().filter_map(|f| vocabulary.get(f.as_str()).copied()).collect(),
            labels: *labels,
        })
        .collect();
    let (bias, weights) = fit(&examples, vocabulary.len(), options);
    let weights = vocabulary
        .into_iter()
        .map(|(f, i)| (f.to_string(), weights[i as usize]))
        // Near-zero weights change no decision: leave them out of the file.
        .filter(|(_, w)| w.iter().any(|w| w.abs() >= 0.01))
        .collect();
    TypeModel { threshold: 0.5, bias, weights }
}

/// Trains the model on `gold`, choosing its threshold by cross-validation.
pub fn train(gold: &[Labelled], options: &TrainOptions) -> (TypeModel, CvReport) {
    let docs = featurise(gold);
    let folds = usize::from(options.folds.max(2));
    // Held-out probabilities of every article.
    let mut held_out = vec![[0.0f32; N]; docs.len()];
    for fold in 0..folds {
        let training: Vec<_> = docs.iter().enumerate().filter(|(i, _)| i % folds != fold).map(|(_, d)| d).collect();
        let model = train_on(&training, options);
        for (i, (features, _)) in docs.iter().enumerate().filter(|(i, _)| i % folds == fold) {
            held_out[i] = model.probabilities(features);
        }
    }
    let counts_at = |threshold: f32| {
        let mut counts = [(0, 0, 0); N];
        for ((_, labels), p) in docs.iter().zip(&held_out) {
            for k in 0..N {
                let predicted = p[k] >= threshold;
                counts[k].0 += usize::from(predicted && labels[k]);
                counts[k].1 += usize::from(predicted);
                counts[k].2 += usize::from(labels[k]);
            }
        }
        counts
    };
    let threshold = (4..=12)
        .map(|t| t as f32 * 0.05)
        .max_by(|&a, &b| macro_f1(&counts_at(a)).total_cmp(&macro_f1(&counts_at(b))))
        .expect("thresholds to try");
    let mut calibration = [(0, 0); 10];
    for ((_, labels), p) in docs.iter().zip(&held_out) {
        for k in 0..N {
            let bin = ((p[k] * 10.0) as usize).min(9);
            calibration[bin].0 += 1;
            calibration[bin].1 += usize::from(labels[k]);
        }
    }
    let mut model = train_on(&docs.iter().collect::<Vec<_>>(), options);
    model.threshold = threshold;
    let report = CvReport { articles: docs.len(), threshold, counts: counts_at(threshold), calibration };
    (model, report)
}

/// Precision, recall and F1 of (true positives, predicted, gold) counts.
fn prf((hits, predicted, gold): (usize, usize, usize)) -> Prf {
    Prf::new(hits, predicted, hits, gold)
}

fn macro_f1(counts: &[(usize, usize, usize); N]) -> f64 {
    counts.iter().map(|&c| prf(c).f1).sum::<f64>() / N as f64
}

impl fmt::Display for CvReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "cross-validated on {} articles, threshold {:.2}", self.articles, self.threshold)?;
        for (t, &c) in TYPES.iter().zip(&self.counts) {
            let Prf { p, r, f1 } = prf(c);
            writeln!(f, "  {:26} P {p:.3} R {r:.3} F1 {f1:.3}", t.as_str_name())?;
        }
        writeln!(f, "  macro-F1 {:.3}", macro_f1(&self.counts))?;
        writeln!(f, "calibration (held-out probability: predictions, share labelled)")?;
        for (bin, &(n, right)) in self.calibration.iter().enumerate() {
            if n > 0 {
                writeln!(
                    f,
                    "  {:.1}-{:.1}  {n:5}  {:.2}",
                    bin as f32 / 10.0,
                    (bin + 1) as f32 / 10.0,
                    right as f64 / n as f64
                )?;
            }
        }
        Ok(())
    }
}
