//! Trains the participant role model ([`crate::pipeline::incidents::role_model`]): one
//! L2-regularised logistic regression per role over the candidate mentions in the incidents'
//! sentences, as the pipeline finds them. A mention is of a role when an annotated span of that
//! role overlaps it: CASIE's Victim and Attacker arguments, the coded reports' targets and
//! attackers. A report that codes no target teaches nothing of targets (its coders may have
//! left it out), and likewise for attackers. A k-fold cross-validation over the articles
//! chooses each role's threshold and gives the held-out figures the command prints.

use std::fmt;

use super::{
    Gold, Labelled, folds,
    score::Prf,
    train::{Counts, Example, fit, prf, vocabulary},
};
use crate::{
    pb::EntityKind,
    pipeline::{
        CleanRange, Document, Entity, Pipeline, StageError,
        incidents::{
            self,
            role_model::{self, K, ROLES, RoleModel},
            unlisted,
        },
        offsets::CodePoints,
        text,
    },
};

/// Penalty of the fit: the features are general, so a light one (held-out F1 is flat from 1
/// to 10 and falls beyond).
const L2: f32 = 3.0;

/// Features seen in fewer candidate mentions than this are left out.
const MIN_DF: usize = 3;

/// Optimiser steps.
const EPOCHS: usize = 300;

/// An article's candidate mentions: each one's features and, per role, its label if known.
struct Candidates {
    source: String,
    mentions: Vec<(Vec<String>, [Option<bool>; K])>,
}

/// Held-out figures of the cross-validation at the chosen thresholds.
#[derive(Debug, Clone, Default)]
pub struct RoleReport {
    /// Candidate mentions trained on.
    pub mentions: usize,
    /// The threshold chosen per role.
    pub threshold: [f32; K],
    /// Per source, per role, the held-out counts at the thresholds.
    pub counts: Vec<(String, [Counts; K])>,
}

/// The annotated spans of each role in an article, in code points; `None` where the
/// annotation says nothing of the role.
fn gold_spans(gold: &Gold) -> [Option<Vec<(u32, u32)>>; K] {
    let known = |spans: &Vec<(u32, u32)>| (!spans.is_empty()).then(|| spans.clone());
    ROLES.map(|role| match gold {
        Gold::Casie { arguments, .. } => {
            let name = if role == crate::pb::Role::Target { "Victim" } else { "Attacker" };
            Some(arguments.iter().filter(|a| a.role == name).map(|a| (a.start, a.end)).collect())
        }
        Gold::Coded(coded) => known(if role == crate::pb::Role::Target { &coded.targets } else { &coded.attackers }),
    })
}

/// Every article through `pipeline`, and the candidate mentions in the sentences that tell of
/// its incidents: its entities', and the unlisted names beside them.
fn candidates(gold: &[Labelled], pipeline: &Pipeline) -> Result<Vec<Candidates>, StageError> {
    // Read without a role model, no unlisted name has become an entity yet.
    let pipeline = pipeline.clone().with_role_model(RoleModel::silent());
    gold.iter()
        .map(|g| {
            let source = match &g.gold {
                Gold::Casie { .. } => "casie".to_string(),
                Gold::Coded(coded) => coded.source.clone(),
            };
            let mut mentions = Vec::new();
            let Ok(doc) = Document::in_process(g.article.clone(), false) else {
                return Ok(Candidates { source, mentions });
            };
            let doc = pipeline.run(doc)?;
            let spans = gold_spans(&g.gold);
            let code_points = CodePoints::new(&g.article.text);
            let mut sentences: Vec<_> = doc
                .incidents
                .iter()
                .filter(|i| incidents::is_attack(i))
                .flat_map(|i| incidents::role_sentences(i, &doc.cleaned.sentences).iter().cloned())
                .collect();
            sentences.sort_by_key(|s| (s.start, s.end));
            sentences.dedup();
            let labels = |m: &CleanRange| {
                let input = doc.cleaned.text.to_input(m.clone());
                let (start, end) = (code_points.of(input.start), code_points.of(input.end));
                spans.clone().map(|s| Some(s?.iter().any(|&(a, b)| a < end && start < b)))
            };
            let entities = &doc.tagged.entities;
            let short = incidents::is_short_report(&doc.cleaned.sentences);
            let read = |e: &&Entity| role_model::is_candidate(e.kind) || e.kind == EntityKind::Malware;
            for e in entities.iter().filter(read) {
                for m in &e.mentions {
                    let Some(sentence) = text::containing(&sentences, m) else { continue };
                    let features = role_model::features(doc.text(), sentence, m, e.kind.as_str_name(), short);
                    mentions.push((features, labels(m)));
                }
            }
            let taken = unlisted::Taken::new(entities);
            for sentence in &sentences {
                for name in unlisted::names(doc.text(), sentence, &taken) {
                    let features = role_model::features(doc.text(), sentence, &name, unlisted::NAME, short);
                    mentions.push((features, labels(&name)));
                }
            }
            Ok(Candidates { source, mentions })
        })
        .collect()
}

/// Fits the model on `docs`, thresholds at even odds.
fn train_on(docs: &[&Candidates]) -> RoleModel {
    let all = || docs.iter().flat_map(|d| d.mentions.iter());
    let vocabulary = vocabulary(all().map(|(f, _)| f), MIN_DF);
    let examples: Vec<Example<K>> = all()
        .map(|(features, labels)| Example {
            features: features.iter().filter_map(|f| vocabulary.get(f.as_str()).copied()).collect(),
            labels: *labels,
        })
        .collect();
    let (bias, fitted) = fit(&examples, &vec![[1.0; K]; vocabulary.len()], L2, EPOCHS);
    let weights = vocabulary
        .into_iter()
        .map(|(f, i)| (f.to_string(), fitted[i as usize]))
        .filter(|(_, w)| w.iter().any(|w| w.abs() >= 0.01))
        .collect();
    RoleModel { threshold: [0.5; K], bias, weights }
}

/// Trains the role model on `gold`, each article read by `pipeline`: cross-validated, the
/// threshold per role is the one its held-out F1 is best at. Fails when a stage fails on an
/// article.
pub fn train_roles(
    gold: &[Labelled],
    pipeline: &Pipeline,
    folds_k: u16,
) -> Result<(RoleModel, RoleReport), StageError> {
    let docs = candidates(gold, pipeline)?;
    let mut held_out: Vec<Vec<[f32; K]>> = vec![Vec::new(); docs.len()];
    for fold in folds(&docs, usize::from(folds_k.max(2))) {
        let model = train_on(&fold.training);
        for (i, doc) in fold.held_out {
            held_out[i] = doc.mentions.iter().map(|(f, _)| model.probabilities(f)).collect();
        }
    }
    let counts_at = |k: usize, threshold: f32, source: Option<&str>| {
        let mut c = (0, 0, 0);
        for (doc, p) in docs.iter().zip(&held_out).filter(|(d, _)| source.is_none_or(|s| d.source == s)) {
            for ((_, labels), p) in doc.mentions.iter().zip(p) {
                let Some(label) = labels[k] else { continue };
                let predicted = p[k] >= threshold;
                c.0 += usize::from(predicted && label);
                c.1 += usize::from(predicted);
                c.2 += usize::from(label);
            }
        }
        c
    };
    let threshold: [f32; K] = std::array::from_fn(|k| {
        (2..=16)
            .map(|t| t as f32 * 0.05)
            .max_by(|&a, &b| prf(counts_at(k, a, None)).f1.total_cmp(&prf(counts_at(k, b, None)).f1))
            .expect("thresholds to try")
    });
    let mut sources: Vec<&str> = docs.iter().map(|d| d.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    let counts = sources
        .iter()
        .map(|&s| (s.to_string(), std::array::from_fn(|k| counts_at(k, threshold[k], Some(s)))))
        .collect();
    let mut model = train_on(&docs.iter().collect::<Vec<_>>());
    model.threshold = threshold;
    let mentions = docs.iter().map(|d| d.mentions.len()).sum();
    Ok((model, RoleReport { mentions, threshold, counts }))
}

impl fmt::Display for RoleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "role model cross-validated on {} candidate mentions (held out, per mention)", self.mentions)?;
        for (source, counts) in &self.counts {
            for ((role, &c), threshold) in ROLES.iter().zip(counts).zip(self.threshold).filter(|((_, c), _)| c.2 > 0) {
                let Prf { p, r, f1 } = prf(c);
                let role = role.as_str_name();
                writeln!(
                    f,
                    "  {source:14} {role:9} P {p:.3} R {r:.3} F1 {f1:.3}  (threshold {threshold:.2}, {} gold)",
                    c.2
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{pb, tools::eval::Coded};

    fn span(text: &str, name: &str) -> (u32, u32) {
        let at = text.find(name).expect("name in text") as u32;
        (at, at + name.len() as u32)
    }

    #[test]
    fn coded_names_teach_where_targets_and_attackers_stand() {
        let crews = ["Quelp Crew", "Zorblax Team", "Vexo Squad", "Quillon Gang", "Foozer Unit", "Brisk Cell"];
        let victims = ["Vexo Bank", "Quelp Rail", "Zorblax Foods", "Harbourline Port", "Kestrel Mart", "Paymaxa"];
        let mut gold = Vec::new();
        for (i, (crew, victim)) in crews.iter().zip(victims).enumerate() {
            for (j, text) in [
                format!("{crew} claims a DDoS attack on the portal of {victim}."),
                format!("The website of {victim} is knocked offline by {crew}."),
            ]
            .into_iter()
            .enumerate()
            {
                let coded = Coded {
                    source: "zine".into(),
                    attackers: vec![span(&text, crew)],
                    targets: vec![span(&text, victim)],
                    ..Default::default()
                };
                let article = pb::Article { id: format!("{i}-{j}"), text, ..Default::default() };
                gold.push(Labelled { article, gold: Gold::Coded(coded) });
            }
        }
        let (model, report) = train_roles(&gold, &Pipeline::new(), 3).expect("trains");
        // Every victim is a candidate; crews the entities stage already names as actors are not.
        let [targets, attackers] = report.counts[0].1.map(|(_, _, n)| n);
        assert_eq!((report.counts[0].0.as_str(), targets), ("zine", gold.len()), "{report}");
        assert!(attackers > 0 && report.mentions >= targets + attackers, "{report}");
        // A new report, read with the trained model.
        let article = pb::Article {
            id: "new".into(),
            text: "Brisk Wave claims a DDoS attack on the portal of Quillon Bank.".into(),
            ..Default::default()
        };
        let pipeline = Pipeline::new().with_role_model(model.clone());
        let doc = pipeline.run(Document::in_process(article, false).expect("valid")).expect("runs");
        let role_of = |name: &str| {
            doc.incidents
                .iter()
                .flat_map(|i| &i.participants)
                .find(|&&(e, _)| doc.tagged.entities[e].name == name)
                .map(|&(_, r)| r)
        };
        assert_eq!(role_of("Quillon Bank"), Some(crate::pb::Role::Target), "{:?}", doc.incidents);
        assert_eq!(role_of("Brisk Wave"), Some(crate::pb::Role::Attacker), "{:?}", doc.tagged.entities);
        // Deterministic: the same corpus gives the same model.
        assert_eq!(train_roles(&gold, &Pipeline::new(), 3).expect("trains").0, model);
    }
}
