//! Trains the incident type models ([`crate::pipeline::classify::model`]) from a labelled
//! corpus: per type, an L2-regularised logistic regression over the articles and one over
//! their sentences (labelled by the events whose arguments they hold), fitted with Adam on
//! binary features. A k-fold cross-validation gives held-out scores of every article: they fit
//! the stacking of the two models, choose the reporting threshold, and give the figures and
//! the calibration table the command prints.

use std::{collections::HashMap, fmt};

use super::{
    Labelled, folds,
    score::{LABELS, Prf},
};
use crate::{
    config::{self, TrainArgs},
    pipeline::{
        Document, Pipeline, StageError,
        classify::model::{N, TYPES, TypeModel, features, sentence_features},
        offsets::CodePoints,
    },
};

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Folds of the cross-validation that fits the stacking and picks the threshold.
    pub folds: u16,
    /// Weight of the article model's L2 penalty (sklearn's `1 / C`).
    pub l2: f32,
    /// Article features seen in fewer training articles than this are left out.
    pub min_df: usize,
    /// Weight of the sentence model's L2 penalty.
    pub sentence_l2: f32,
    /// Sentence features seen in fewer training sentences than this are left out.
    pub sentence_min_df: usize,
    /// Optimiser steps.
    pub epochs: usize,
}

/// Optimiser steps of every fit.
const EPOCHS: usize = 400;

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            folds: config::DEFAULT_TRAIN_FOLDS,
            l2: config::DEFAULT_L2,
            min_df: config::DEFAULT_MIN_DF,
            sentence_l2: config::DEFAULT_SENTENCE_L2,
            sentence_min_df: config::DEFAULT_SENTENCE_MIN_DF,
            epochs: EPOCHS,
        }
    }
}

impl From<&TrainArgs> for TrainOptions {
    fn from(args: &TrainArgs) -> Self {
        Self {
            folds: args.folds,
            l2: args.l2,
            min_df: args.min_df,
            sentence_l2: args.sentence_l2,
            sentence_min_df: args.sentence_min_df,
            epochs: EPOCHS,
        }
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

/// An article as the models read it: its features, its sentences' features with the types of
/// the events whose arguments each sentence holds, and the article's types.
struct Featurised {
    article: Vec<String>,
    sentences: Vec<(Vec<String>, [bool; N])>,
    labels: [bool; N],
}

/// A training example for one model: feature indices and the types it is labelled with.
struct Example {
    features: Vec<u32>,
    labels: [bool; N],
}

/// The types named by CASIE event type names.
fn types_of<'a>(names: impl Iterator<Item = &'a str> + Clone) -> [bool; N] {
    TYPES.map(|t| LABELS.iter().any(|(name, kind)| *kind == t && names.clone().any(|l| l == *name)))
}

/// Every article through the built-in pipeline, as the models read it (its text, entities
/// and classify's cues), with its labels, and each sentence labelled with the events whose
/// arguments overlap it.
fn featurise(gold: &[Labelled]) -> Result<Vec<Featurised>, StageError> {
    let pipeline = Pipeline::new();
    gold.iter()
        .map(|g| {
            let labels = types_of(g.labels.iter().map(String::as_str));
            let Ok(doc) = Document::in_process(g.article.clone(), false) else {
                return Ok(Featurised { article: Vec::new(), sentences: Vec::new(), labels });
            };
            let doc = pipeline.run(doc)?;
            let code_points = CodePoints::new(&g.article.text);
            let sentences = doc
                .cleaned
                .sentences
                .iter()
                .map(|s| {
                    let input = doc.cleaned.text.to_input(s.clone());
                    let (start, end) = (code_points.of(input.start), code_points.of(input.end));
                    let events = g.arguments.iter().filter(|a| a.start < end && start < a.end);
                    (sentence_features(&doc, s.clone()), types_of(events.map(|a| a.subtype.as_str())))
                })
                .collect();
            Ok(Featurised { article: features(&doc), sentences, labels })
        })
        .collect()
}

/// The vocabulary of `texts`: features in at least `min_df` of them.
fn vocabulary<'a>(texts: impl Iterator<Item = &'a Vec<String>>, min_df: usize) -> HashMap<&'a str, u32> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for features in texts {
        for f in features {
            *df.entry(f.as_str()).or_default() += 1;
        }
    }
    let mut kept: Vec<&str> = df.into_iter().filter(|&(_, n)| n >= min_df).map(|(f, _)| f).collect();
    kept.sort_unstable();
    kept.into_iter().enumerate().map(|(i, f)| (f, i as u32)).collect()
}

/// Fits one logistic regression per type with Adam on the full batch, penalised by `l2`, over
/// the features scaled per type by `scale`; the weights returned include the scale.
fn fit(examples: &[Example], scale: &[[f32; N]], l2: f32, epochs: usize) -> ([f32; N], Vec<[f32; N]>) {
    let dims = scale.len();
    let (rate, beta1, beta2) = (0.05f32, 0.9f32, 0.999f32);
    let mut bias = [0.0f32; N];
    let mut weights = vec![[0.0f32; N]; dims];
    let (mut m, mut v) = (vec![[0.0f32; N]; dims + 1], vec![[0.0f32; N]; dims + 1]);
    for step in 1..=epochs {
        let mut grad = vec![[0.0f32; N]; dims + 1];
        for ex in examples {
            let mut z = bias;
            for &f in &ex.features {
                for k in 0..N {
                    z[k] += weights[f as usize][k] * scale[f as usize][k];
                }
            }
            for k in 0..N {
                let error = 1.0 / (1.0 + (-z[k]).exp()) - f32::from(u8::from(ex.labels[k]));
                grad[dims][k] += error;
                for &f in &ex.features {
                    grad[f as usize][k] += error * scale[f as usize][k];
                }
            }
        }
        let (c1, c2) = (1.0 - beta1.powi(step as i32), 1.0 - beta2.powi(step as i32));
        for j in 0..=dims {
            for k in 0..N {
                let param = if j == dims { &mut bias[k] } else { &mut weights[j][k] };
                let g = grad[j][k] + if j == dims { 0.0 } else { l2 * *param };
                m[j][k] = beta1 * m[j][k] + (1.0 - beta1) * g;
                v[j][k] = beta2 * v[j][k] + (1.0 - beta2) * g * g;
                *param -= rate * (m[j][k] / c1) / ((v[j][k] / c2).sqrt() + 1e-8);
            }
        }
    }
    for (w, s) in weights.iter_mut().zip(scale) {
        for k in 0..N {
            w[k] *= s[k];
        }
    }
    (bias, weights)
}

/// Per feature and type, the log of how much likelier the feature is in examples of the type
/// than in the others (Wang and Manning's NB weighting, add-one smoothed): scaling binary
/// features by it lets the penalty favour the telling words.
fn log_count_ratios(examples: &[Example], dims: usize) -> Vec<[f32; N]> {
    let mut counts = vec![[[1.0f32; 2]; N]; dims];
    for ex in examples {
        for &f in &ex.features {
            for k in 0..N {
                counts[f as usize][k][usize::from(ex.labels[k])] += 1.0;
            }
        }
    }
    let mut totals = [[0.0f32; 2]; N];
    for c in &counts {
        for k in 0..N {
            totals[k][0] += c[k][0];
            totals[k][1] += c[k][1];
        }
    }
    counts.iter().map(|c| std::array::from_fn(|k| (c[k][1] / totals[k][1] / (c[k][0] / totals[k][0])).ln())).collect()
}

/// One model's training settings.
struct Fit {
    min_df: usize,
    l2: f32,
    naive_bayes: bool,
    epochs: usize,
}

/// Fits a model on `texts` (features and labels) and adds its weights to `weights`: its
/// intercept per type is returned.
fn fit_texts(texts: &[(&Vec<String>, [bool; N])], how: Fit, weights: &mut impl Extend<(String, [f32; N])>) -> [f32; N] {
    let vocabulary = vocabulary(texts.iter().map(|(f, _)| *f), how.min_df);
    let examples: Vec<Example> = texts
        .iter()
        .map(|(features, labels)| Example {
            features: features.iter().filter_map(|f| vocabulary.get(f.as_str()).copied()).collect(),
            labels: *labels,
        })
        .collect();
    let scale =
        if how.naive_bayes { log_count_ratios(&examples, vocabulary.len()) } else { vec![[1.0; N]; vocabulary.len()] };
    let (bias, fitted) = fit(&examples, &scale, how.l2, how.epochs);
    weights.extend(
        vocabulary
            .into_iter()
            .map(|(f, i)| (f.to_string(), fitted[i as usize]))
            // Near-zero weights change no decision: leave them out of the file.
            .filter(|(_, w)| w.iter().any(|w| w.abs() >= 0.01)),
    );
    bias
}

/// Trains the article and sentence models on `docs`; the stacking is left to the article
/// model and the threshold unset.
fn train_on(docs: &[&Featurised], options: &TrainOptions) -> TypeModel {
    let mut model = TypeModel { threshold: 0.5, ..Default::default() };
    let articles: Vec<_> = docs.iter().map(|d| (&d.article, d.labels)).collect();
    let how = Fit { min_df: options.min_df, l2: options.l2, naive_bayes: true, epochs: options.epochs };
    model.bias = fit_texts(&articles, how, &mut model.weights);
    let sentences: Vec<_> = docs.iter().flat_map(|d| d.sentences.iter().map(|(f, l)| (f, *l))).collect();
    let how =
        Fit { min_df: options.sentence_min_df, l2: options.sentence_l2, naive_bayes: false, epochs: options.epochs };
    model.sentence_bias = fit_texts(&sentences, how, &mut model.weights);
    model
}

/// The article model's log-odds and the highest sentence log-odds of `doc`, per type.
fn logits(model: &TypeModel, doc: &Featurised) -> ([f32; N], [f32; N]) {
    let sentence = doc
        .sentences
        .iter()
        .map(|(f, _)| model.sentence_logits(f))
        .fold(None, |best, z| Some(best.map_or(z, |b: [f32; N]| std::array::from_fn(|k| b[k].max(z[k])))));
    (model.article_logits(&doc.article), sentence.unwrap_or(model.sentence_bias))
}

/// Fits the stacking of one type: a logistic regression of the labels on the two log-odds,
/// by Newton's method, with the L2 penalty `l2` on the two weights.
fn fit_stack(inputs: &[([f32; 2], bool)], l2: f64) -> [f32; 3] {
    let mut w = [1.0f64, 0.0, 0.0];
    for _ in 0..50 {
        let mut grad = [l2 * w[0], l2 * w[1], 0.0];
        let mut hessian = [[l2, 0.0, 0.0], [0.0, l2, 0.0], [0.0, 0.0, 1e-9]];
        for &(x, y) in inputs {
            let x = [f64::from(x[0]), f64::from(x[1]), 1.0];
            let p = 1.0 / (1.0 + (-(w[0] * x[0] + w[1] * x[1] + w[2])).exp());
            for i in 0..3 {
                grad[i] += (p - f64::from(u8::from(y))) * x[i];
                for j in 0..3 {
                    hessian[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        let step = solve3(hessian, grad);
        for i in 0..3 {
            w[i] -= step[i];
        }
    }
    w.map(|w| w as f32)
}

/// Solves the 3×3 system `a x = b` by Cramer's rule (`a` is positive definite here).
fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> [f64; 3] {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(a);
    std::array::from_fn(|col| {
        let mut m = a;
        for row in 0..3 {
            m[row][col] = b[row];
        }
        det(m) / d
    })
}

/// Trains the models on `gold`: the held-out scores of a k-fold cross-validation fit the
/// stacking and choose the threshold, and give the figures. Fails when a stage fails on an
/// article.
pub fn train(gold: &[Labelled], options: &TrainOptions) -> Result<(TypeModel, CvReport), StageError> {
    let docs = featurise(gold)?;
    let mut held_out = vec![([0.0f32; N], [0.0f32; N]); docs.len()];
    for fold in folds(&docs, usize::from(options.folds.max(2))) {
        let model = train_on(&fold.training, options);
        for (i, doc) in fold.held_out {
            held_out[i] = logits(&model, doc);
        }
    }
    let mut model = train_on(&docs.iter().collect::<Vec<_>>(), options);
    for k in 0..N {
        let inputs: Vec<_> = docs.iter().zip(&held_out).map(|(d, (a, s))| ([a[k], s[k]], d.labels[k])).collect();
        [model.stack.article[k], model.stack.sentence[k], model.stack.bias[k]] = fit_stack(&inputs, 1.0);
    }
    let probabilities: Vec<[f32; N]> = held_out.iter().map(|(a, s)| model.stacked(a, s)).collect();
    let counts_at = |threshold: f32| {
        let mut counts = [(0, 0, 0); N];
        for (doc, p) in docs.iter().zip(&probabilities) {
            for k in 0..N {
                let predicted = p[k] >= threshold;
                counts[k].0 += usize::from(predicted && doc.labels[k]);
                counts[k].1 += usize::from(predicted);
                counts[k].2 += usize::from(doc.labels[k]);
            }
        }
        counts
    };
    let threshold = (4..=12)
        .map(|t| t as f32 * 0.05)
        .max_by(|&a, &b| macro_f1(&counts_at(a)).total_cmp(&macro_f1(&counts_at(b))))
        .expect("thresholds to try");
    let mut calibration = [(0, 0); 10];
    for (doc, p) in docs.iter().zip(&probabilities) {
        for (&p, labelled) in p.iter().zip(doc.labels) {
            let bin = ((p * 10.0) as usize).min(9);
            calibration[bin].0 += 1;
            calibration[bin].1 += usize::from(labelled);
        }
    }
    model.threshold = threshold;
    let report = CvReport { articles: docs.len(), threshold, counts: counts_at(threshold), calibration };
    Ok((model, report))
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
