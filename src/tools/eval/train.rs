//! Trains the incident type models ([`crate::pipeline::classify::model`]) from labelled
//! corpora: per type, an L2-regularised logistic regression over the articles and one over
//! their sentences (labelled by the events whose arguments they hold), fitted with Adam on
//! binary features. A k-fold cross-validation gives held-out scores of every article: they fit
//! the stacking of the two models, choose the reporting threshold, and give the figures and
//! the calibration table the command prints.
//!
//! CASIE articles label the five types of their annotation. Coded reports label a type only
//! where their source's code decides it ([`coded_labels`]); every other label is unknown, and
//! an unknown label teaches nothing.

use std::{collections::HashMap, fmt, sync::LazyLock};

use regex::Regex;

use super::{
    Coded, Gold, Labelled, folds, reports,
    score::{LABELS, Prf},
};
use crate::{
    config::{self, TrainArgs},
    pb::IncidentType,
    pipeline::{
        Document, Pipeline, StageError,
        classify::model::{ARTICLE_TYPES, N, TYPES, TypeModel, features, sentence_features},
        offsets::CodePoints,
        text::compile,
    },
};

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Folds of the cross-validation that fits the stacking and picks the thresholds.
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

/// Held-out figures of the cross-validation at the chosen thresholds.
#[derive(Debug, Clone, Default)]
pub struct CvReport {
    /// Articles trained on.
    pub articles: usize,
    /// The threshold chosen per type.
    pub threshold: [f32; N],
    /// Per type, over the articles whose label of it is known: true positives, predicted,
    /// gold.
    pub counts: [Counts; N],
    /// Calibration per source (`casie` for CASIE records), over known labels: per tenth of
    /// probability, held-out predictions and how many were right.
    pub calibration: Vec<(String, [(usize, usize); 10])>,
}

/// Per type: labelled as reporting it, as not, or unknown.
type Labels = [Option<bool>; N];

/// Of one type: true positives, predicted, gold.
pub(super) type Counts = (usize, usize, usize);

/// An article as the models read it: its features, its sentences' features with the types of
/// the events whose arguments each sentence holds, and the article's types.
struct Featurised {
    source: String,
    article: Vec<String>,
    sentences: Vec<(Vec<String>, Labels)>,
    labels: Labels,
}

/// A training example for one model: feature indices and, per output, its label if known.
pub(super) struct Example<const K: usize> {
    pub(super) features: Vec<u32>,
    pub(super) labels: [Option<bool>; K],
}

/// The labels CASIE event type names give: the types CASIE annotates, known; the others not.
fn types_of<'a>(names: impl Iterator<Item = &'a str> + Clone) -> Labels {
    std::array::from_fn(|k| {
        (k < ARTICLE_TYPES)
            .then(|| LABELS.iter().any(|(name, kind)| *kind == TYPES[k] && names.clone().any(|l| l == *name)))
    })
}

/// Source codes that name one type of a group that holds several: a report in the group with
/// one of these codes is of that type.
const CODES: [(&str, IncidentType); 7] = [
    ("account takeover", IncidentType::AccountTakeover),
    ("account hijacking", IncidentType::AccountTakeover),
    ("brute-force", IncidentType::AccountTakeover),
    ("credential stuffing", IncidentType::AccountTakeover),
    ("oauth token hijacking", IncidentType::AccountTakeover),
    ("password-spraying", IncidentType::AccountTakeover),
    ("password-spraying/credential stuffing", IncidentType::AccountTakeover),
];

/// Words that name an account: a report of a manipulated message that names one tells of a
/// takeover, and one that names none of a defacement.
static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:accounts?|e-?mails?|inbox|Twitter|Facebook|Instagram|YouTube|TikTok|Telegram|LinkedIn|social media|profiles?)\b",
    )
});

/// What a coded report says of the types CASIE does not annotate: a group coded absent has
/// none of its types; a group coded present has its type if it holds one, or the one its code
/// names ([`CODES`]), or, when all its types are of short reports only (a manipulated message
/// is a defacement or a takeover), the one the report's words tell ([`ACCOUNT`]). The five
/// CASIE types stay unknown: the sources file some of them otherwise (phishing that delivers
/// malware is "Malware" to Hackmageddon and phishing to CASIE), and CASIE's reading is the
/// one the service keeps.
fn coded_labels(coded: &Coded, text: &str) -> Labels {
    let mut labels: Labels = [None; N];
    let index = |t: IncidentType| TYPES.iter().position(|&k| k == t).filter(|&k| k >= ARTICLE_TYPES);
    let groups = |coded_in: bool| {
        coded.groups.iter().filter(move |(_, v)| **v == coded_in).filter_map(|(g, _)| reports::group(g))
    };
    for (_, types) in groups(false) {
        for k in types.iter().filter_map(|&t| index(t)) {
            labels[k] = Some(false);
        }
    }
    let code = coded.code.to_lowercase();
    let named = CODES.iter().find(|(c, _)| *c == code).map(|(_, t)| *t);
    for (_, types) in groups(true) {
        let short_only = types.iter().all(|&t| index(t).is_some());
        let told = || {
            let kind = if ACCOUNT.is_match(text) { IncidentType::AccountTakeover } else { IncidentType::Defacement };
            short_only.then_some(kind).filter(|t| types.contains(t))
        };
        let kind = match types {
            [only] => Some(*only),
            _ => named.filter(|t| types.contains(t)).or_else(told),
        };
        if let Some(k) = kind.and_then(index) {
            labels[k] = Some(true);
        }
    }
    labels
}

/// Every article through the built-in pipeline, as the models read it (its text, entities
/// and classify's cues), with its labels, and each sentence labelled with the events whose
/// arguments overlap it.
///
/// A coded report is one or two sentences that all tell of its incident: each is labelled as
/// the report is.
fn featurise(gold: &[Labelled]) -> Result<Vec<Featurised>, StageError> {
    let pipeline = Pipeline::new();
    gold.iter()
        .map(|g| {
            let (source, labels) = match &g.gold {
                Gold::Casie { labels, .. } => ("casie".to_string(), types_of(labels.iter().map(String::as_str))),
                Gold::Coded(coded) => (coded.source.clone(), coded_labels(coded, &g.article.text)),
            };
            let Ok(doc) = Document::in_process(g.article.clone(), false) else {
                return Ok(Featurised { source, article: Vec::new(), sentences: Vec::new(), labels });
            };
            let doc = pipeline.run(doc)?;
            let code_points = CodePoints::new(&g.article.text);
            let sentences = doc
                .cleaned
                .sentences
                .iter()
                .map(|s| {
                    let features = sentence_features(&doc, s.clone());
                    let Gold::Casie { arguments, .. } = &g.gold else { return (features, labels) };
                    let input = doc.cleaned.text.to_input(s.clone());
                    let (start, end) = (code_points.of(input.start), code_points.of(input.end));
                    let events = arguments.iter().filter(|a| a.start < end && start < a.end);
                    (features, types_of(events.map(|a| a.subtype.as_str())))
                })
                .collect();
            Ok(Featurised { source, article: features(&doc), sentences, labels })
        })
        .collect()
}

/// The vocabulary of `texts`: features in at least `min_df` of them.
pub(super) fn vocabulary<'a>(texts: impl Iterator<Item = &'a Vec<String>>, min_df: usize) -> HashMap<&'a str, u32> {
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

/// Fits one logistic regression per output with Adam on the full batch, penalised by `l2`,
/// over the features scaled per output by `scale`; the weights returned include the scale.
pub(super) fn fit<const K: usize>(
    examples: &[Example<K>],
    scale: &[[f32; K]],
    l2: f32,
    epochs: usize,
) -> ([f32; K], Vec<[f32; K]>) {
    let dims = scale.len();
    let (rate, beta1, beta2) = (0.05f32, 0.9f32, 0.999f32);
    let mut bias = [0.0f32; K];
    let mut weights = vec![[0.0f32; K]; dims];
    let (mut m, mut v) = (vec![[0.0f32; K]; dims + 1], vec![[0.0f32; K]; dims + 1]);
    for step in 1..=epochs {
        let mut grad = vec![[0.0f32; K]; dims + 1];
        for ex in examples {
            let mut z = bias;
            for &f in &ex.features {
                for k in 0..K {
                    z[k] += weights[f as usize][k] * scale[f as usize][k];
                }
            }
            for k in 0..K {
                let Some(label) = ex.labels[k] else { continue };
                let error = 1.0 / (1.0 + (-z[k]).exp()) - f32::from(u8::from(label));
                grad[dims][k] += error;
                for &f in &ex.features {
                    grad[f as usize][k] += error * scale[f as usize][k];
                }
            }
        }
        let (c1, c2) = (1.0 - beta1.powi(step as i32), 1.0 - beta2.powi(step as i32));
        for j in 0..=dims {
            for k in 0..K {
                let param = if j == dims { &mut bias[k] } else { &mut weights[j][k] };
                let g = grad[j][k] + if j == dims { 0.0 } else { l2 * *param };
                m[j][k] = beta1 * m[j][k] + (1.0 - beta1) * g;
                v[j][k] = beta2 * v[j][k] + (1.0 - beta2) * g * g;
                *param -= rate * (m[j][k] / c1) / ((v[j][k] / c2).sqrt() + 1e-8);
            }
        }
    }
    for (w, s) in weights.iter_mut().zip(scale) {
        for k in 0..K {
            w[k] *= s[k];
        }
    }
    (bias, weights)
}

/// Per feature and type, the log of how much likelier the feature is in examples of the type
/// than in the others (Wang and Manning's NB weighting, add-one smoothed): scaling binary
/// features by it lets the penalty favour the telling words.
fn log_count_ratios(examples: &[Example<N>], dims: usize) -> Vec<[f32; N]> {
    let mut counts = vec![[[1.0f32; 2]; N]; dims];
    for ex in examples {
        for &f in &ex.features {
            for (count, label) in counts[f as usize].iter_mut().zip(ex.labels) {
                if let Some(label) = label {
                    count[usize::from(label)] += 1.0;
                }
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
fn fit_texts(texts: &[(&Vec<String>, Labels)], how: Fit, weights: &mut impl Extend<(String, [f32; N])>) -> [f32; N] {
    let vocabulary = vocabulary(texts.iter().map(|(f, _)| *f), how.min_df);
    let examples: Vec<Example<N>> = texts
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
/// model and the thresholds at even odds.
fn train_on(docs: &[&Featurised], options: &TrainOptions) -> TypeModel {
    let mut model = TypeModel { threshold: [0.5; N], ..Default::default() };
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

/// The stacking intercept of a type no training article is labelled with: its probability is
/// nil, so the model never reports it.
const NEVER: f32 = -30.0;

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
/// stacking and choose each type's threshold, and give the figures. Fails when a stage fails on an
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
        let inputs: Vec<_> =
            docs.iter().zip(&held_out).filter_map(|(d, (a, s))| Some(([a[k], s[k]], d.labels[k]?))).collect();
        [model.stack.article[k], model.stack.sentence[k], model.stack.bias[k]] =
            if inputs.iter().any(|(_, y)| *y) { fit_stack(&inputs, 1.0) } else { [0.0, 0.0, NEVER] };
    }
    let probabilities: Vec<[f32; N]> = held_out.iter().map(|(a, s)| model.stacked(a, s)).collect();
    let counts_at = |threshold: [f32; N]| {
        let mut counts = [(0, 0, 0); N];
        for (doc, p) in docs.iter().zip(&probabilities) {
            for k in 0..N {
                let Some(label) = doc.labels[k] else { continue };
                let predicted = p[k] >= threshold[k];
                counts[k].0 += usize::from(predicted && label);
                counts[k].1 += usize::from(predicted);
                counts[k].2 += usize::from(label);
            }
        }
        counts
    };
    // The types whole articles teach share the threshold their held-out macro-F1 is best at
    // (one per type would fit the folds' noise); each type only short reports teach has its
    // own, since its sources report it at their own rates.
    let candidates: Vec<(f32, [Counts; N])> =
        (4..=12).map(|t| t as f32 * 0.05).map(|t| (t, counts_at([t; N]))).collect();
    let best = |f1: &dyn Fn(&[Counts; N]) -> f64| {
        candidates.iter().max_by(|a, b| f1(&a.1).total_cmp(&f1(&b.1))).expect("thresholds to try").0
    };
    let shared = best(&|c| macro_f1(&c[..ARTICLE_TYPES]));
    let threshold: [f32; N] = std::array::from_fn(|k| if k < ARTICLE_TYPES { shared } else { best(&|c| prf(c[k]).f1) });
    let mut calibration: Vec<(String, [(usize, usize); 10])> = Vec::new();
    for (doc, p) in docs.iter().zip(&probabilities) {
        let at = match calibration.iter().position(|(s, _)| *s == doc.source) {
            Some(at) => at,
            None => {
                calibration.push((doc.source.clone(), [(0, 0); 10]));
                calibration.len() - 1
            }
        };
        for (&p, label) in p.iter().zip(doc.labels) {
            let Some(label) = label else { continue };
            let bin = ((p * 10.0) as usize).min(9);
            calibration[at].1[bin].0 += 1;
            calibration[at].1[bin].1 += usize::from(label);
        }
    }
    model.threshold = threshold;
    let report = CvReport { articles: docs.len(), threshold, counts: counts_at(threshold), calibration };
    Ok((model, report))
}

/// Precision, recall and F1 of (true positives, predicted, gold) counts.
pub(super) fn prf((hits, predicted, gold): Counts) -> Prf {
    Prf::new(hits, predicted, hits, gold)
}

/// Mean F1 over the types the corpus labels anywhere.
fn macro_f1(counts: &[Counts]) -> f64 {
    let labelled: Vec<f64> = counts.iter().filter(|c| c.2 > 0).map(|&c| prf(c).f1).collect();
    labelled.iter().sum::<f64>() / labelled.len().max(1) as f64
}

impl fmt::Display for CvReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "cross-validated on {} articles", self.articles)?;
        for ((t, &c), threshold) in TYPES.iter().zip(&self.counts).zip(self.threshold).filter(|((_, c), _)| c.2 > 0) {
            let Prf { p, r, f1 } = prf(c);
            writeln!(f, "  {:26} P {p:.3} R {r:.3} F1 {f1:.3}  (threshold {threshold:.2})", t.as_str_name())?;
        }
        writeln!(f, "  macro-F1 {:.3}", macro_f1(&self.counts))?;
        for (source, bins) in &self.calibration {
            writeln!(f, "calibration on {source} (held-out probability: predictions, share labelled)")?;
            for (bin, &(n, right)) in bins.iter().enumerate().filter(|(_, (n, _))| *n > 0) {
                let share = right as f64 / n as f64;
                writeln!(f, "  {:.1}-{:.1}  {n:5}  {share:.2}", bin as f32 / 10.0, (bin + 1) as f32 / 10.0)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb;

    fn coded(code: &str, groups: &[(&'static str, bool)]) -> Coded {
        Coded { code: code.into(), groups: groups.iter().copied().collect(), ..Default::default() }
    }

    fn label(labels: &Labels, kind: IncidentType) -> Option<bool> {
        labels[TYPES.iter().position(|&t| t == kind).expect("a modelled type")]
    }

    #[test]
    fn a_code_decides_the_types_its_groups_and_name_settle_and_no_other() {
        use IncidentType::{AccountTakeover, DataBreach, Ddos, Defacement, Phishing};
        let ddos = coded_labels(&coded("External Denial of Service", &[("ddos", true), ("message", false)]), "");
        assert_eq!(
            [Ddos, Defacement, AccountTakeover].map(|t| label(&ddos, t)),
            [Some(true), Some(false), Some(false)]
        );
        // "message" holds defacements and takeovers: coded present, the report's words tell which.
        let message = |text| coded_labels(&coded("Message Manipulation", &[("ddos", false), ("message", true)]), text);
        let site = message("The Zorblax crew hacks the website of the Quelp ministry.");
        assert_eq!([Ddos, Defacement, AccountTakeover].map(|t| label(&site, t)), [Some(false), Some(true), None]);
        let account = message("The Twitter account of the Quelp ministry is hijacked.");
        assert_eq!([Defacement, AccountTakeover].map(|t| label(&account, t)), [None, Some(true)]);
        let hijack = coded_labels(&coded("Account hijacking", &[("account", true), ("defacement", false)]), "");
        assert_eq!([AccountTakeover, Defacement].map(|t| label(&hijack, t)), [Some(true), Some(false)]);
        // A group with a type CASIE annotates is not told by the words.
        let bec =
            coded_labels(&coded("Business Email Compromise", &[("account", true)]), "The mail account of a clerk.");
        assert_eq!(label(&bec, AccountTakeover), None);
        // The types CASIE annotates are left to CASIE.
        let not_account = coded_labels(&coded("Malware", &[("account", false)]), "");
        assert_eq!([Phishing, DataBreach, AccountTakeover].map(|t| label(&not_account, t)), [None, None, Some(false)]);
    }

    fn article(id: usize, text: &str) -> pb::Article {
        pb::Article { id: id.to_string(), text: text.into(), ..Default::default() }
    }

    #[test]
    fn coded_reports_teach_their_types_and_a_type_nothing_labels_is_never_reported() {
        let victims =
            ["Quelp Bank", "the Vexland Post", "Quillon Rail", "the Zorblax Museum", "Foozer Energy", "Quelp Air"];
        let mut gold = Vec::new();
        for (i, victim) in victims.iter().enumerate() {
            let ddos = format!("The website of {victim} is knocked offline by a flood of junk traffic from a botnet.");
            let breach = format!("Hackers stole the records of customers of {victim} and leaked them online.");
            let groups = |ddos| Coded { groups: [("ddos", ddos)].into(), ..Default::default() };
            gold.push(Labelled { article: article(2 * i, &ddos), gold: Gold::Coded(groups(true)) });
            gold.push(Labelled { article: article(2 * i + 1, &breach), gold: Gold::Coded(groups(false)) });
        }
        // Three folds, so that each holds reports of both kinds.
        let options = TrainOptions { folds: 3, epochs: 100, ..Default::default() };
        let (model, report) = train(&gold, &options).expect("trains");
        let k = |kind| TYPES.iter().position(|&t| t == kind).expect("a modelled type");
        let probability = |text: &str| {
            let doc =
                Pipeline::new().run(Document::in_process(article(99, text), false).expect("valid")).expect("runs");
            model.score(&doc).probabilities
        };
        let flood = probability("The portal of Quillon Bank is knocked offline by junk traffic.");
        let theft = probability("Hackers stole and leaked the records of Quillon Bank.");
        assert!(flood[k(IncidentType::Ddos)] > 0.5 && theft[k(IncidentType::Ddos)] < 0.5, "{flood:?} {theft:?}");
        assert_eq!(report.counts[k(IncidentType::Ddos)].2, victims.len());
        for kind in [IncidentType::DataBreach, IncidentType::Defacement] {
            assert!(flood[k(kind)] < 1e-6 && theft[k(kind)] < 1e-6, "{kind:?}: nothing labels it");
            assert_eq!(report.counts[k(kind)], (0, 0, 0));
        }
    }
}
