//! Incidents: merges the reports of one incident across sentences, lets the type model settle
//! its types and confidence, and finds its participants, attributions, date and impact.

mod attribution;
mod coreference;
mod impact;
pub mod role_model;
mod roles;
pub mod unlisted;

pub use roles::is_attack;

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock},
};

use regex::Regex;

use super::{
    CleanRange, Document, Entity, Incident, Report, Step, TypeScores,
    text::{self, compile},
};
use crate::pb::{EntityKind, IncidentType, Temporality};

/// The incidents stage, with the model that gives named parties their roles.
#[derive(Debug, Clone)]
pub struct Incidents {
    roles: Arc<role_model::RoleModel>,
}

impl Default for Incidents {
    fn default() -> Self {
        Self::new(Arc::new(role_model::BUILTIN.clone()))
    }
}

impl Incidents {
    /// The stage with `roles` instead of the built-in role model (e.g. one being cross-validated).
    pub fn new(roles: Arc<role_model::RoleModel>) -> Self {
        Self { roles }
    }
}

impl Step for Incidents {
    const NAME: &'static str = "incidents";

    fn apply(&self, doc: &mut Document) {
        let mut groups: Vec<Vec<&Report>> = Vec::new();
        for report in &doc.classified.reports {
            match groups.iter_mut().find(|g| same_incident(g[0], report)) {
                Some(group) => group.push(report),
                None => groups.push(vec![report]),
            }
        }
        let mut incidents: Vec<Incident> = groups.iter().map(|g| assemble(g, &doc.tagged.entities)).collect();
        let sentences = &doc.cleaned.sentences;
        let short = is_short_report(sentences);
        settle_types(&mut incidents, &doc.classified.type_scores, doc.text(), short);
        let taken = unlisted::Taken::new(&doc.tagged.entities);
        // Unlisted names made entities, by name: another incident that finds one again shares it.
        let mut made: HashMap<String, usize> = HashMap::new();
        for incident in &mut incidents {
            let sentences = role_sentences(incident, sentences);
            let reading = roles::Reading { model: &self.roles, short, attack: roles::is_attack(incident) };
            let mut participants = roles::participants(&doc.tagged.entities, sentences, doc.text(), &reading);
            let found =
                if reading.attack { unlisted::parties(doc.text(), sentences, &taken, &reading) } else { Vec::new() };
            for (entity, role) in found {
                let entities = &mut doc.tagged.entities;
                let at = *made.entry(entity.name.clone()).or_insert_with(|| {
                    entities.push(entity);
                    entities.len() - 1
                });
                if !participants.contains(&(at, role)) {
                    participants.push((at, role));
                }
            }
            incident.participants = participants;
        }
        roles::add_parties_elsewhere(&mut incidents, &doc.tagged.entities, doc.text(), sentences);
        roles::drop_unnamed_victims_of_flaws(&mut incidents, &doc.tagged.entities);
        attribution::attribute(&mut incidents, &doc.tagged.entities, doc.text());
        coreference::name_described_groups(&mut incidents, &mut doc.tagged.entities, doc.cleaned.text.as_str());
        impact::assess(&mut incidents, &doc.tagged.entities, doc.text(), sentences);
        doc.incidents = incidents;
    }
}

/// Probability a type needs to join an article whose news is another specific kind of attack
/// (a DDoS, a defacement) when no sentence's cue words gave it: the model knows only its own
/// types, and reads most hacking news as one of them.
const OUTSIDE_DOMAIN_BAR: f32 = 0.9;

/// Probability a type needs to make an incident of an article whose cues found none: a word
/// like "breach" or "patch" alone says little.
const NO_CUE_BAR: f32 = 0.5;

/// Probability the sentence model must give the sentence that speaks most for a type the
/// model adds: that sentence becomes the incident's evidence, and one that barely tells of
/// the type would say little to an analyst.
const EVIDENCE_BAR: f32 = 0.2;

/// Sentences up to which a text is a short report ("X is hit by the Foozer ransomware"), where
/// the type model, which learnt from whole articles, has too few words to overrule a cue.
const SHORT_REPORT_SENTENCES: usize = 2;

/// The sentences whose named parties may take part in `incident`: its evidence, or every
/// sentence of a short report, all of which tell of its one incident ("One of the victims is
/// X" after the sentence that reports the attack).
pub fn role_sentences<'a>(incident: &'a Incident, sentences: &'a [CleanRange]) -> &'a [CleanRange] {
    if is_short_report(sentences) { sentences } else { &incident.evidence }
}

/// Whether a text of `sentences` is a short report ("X is hit by the Foozer ransomware").
pub fn is_short_report(sentences: &[CleanRange]) -> bool {
    sentences.len() <= SHORT_REPORT_SENTENCES
}

/// A negation in a sentence: "no data had been stolen".
static NEGATED: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\b(?:no|not|never|none|without)\b|n't\b"));

/// Lets the type model decide which of the types it knows the article reports:
/// - a type it rejects leaves the news and background incidents (an incident with no other
///   type goes); warnings keep it, since a what-if is not a report of the event;
/// - a type it finds that no cue sentence gave joins the main incident (as its type, when it is
///   more specific) with the sentence that speaks most for it, if that sentence tells of it
///   (and, in news of another kind of attack, does not deny it: "no data had been stolen");
/// - its probability becomes the confidence of incidents of that type.
///
/// In a `short` report, a type a cue gave stays with its prior whatever the model says; a
/// type the model learnt from short reports alone is settled in them only.
fn settle_types(incidents: &mut Vec<Incident>, scores: &TypeScores, text: &str, short: bool) {
    let main = main_incident(incidents);
    // Account takeovers and malware campaigns are how breaches and phishing are carried out:
    // news of one is no news of another kind.
    let other_news = main.is_some_and(|m| {
        let kind = incidents[m].kind;
        let learnt_from_articles = scores.types.iter().any(|t| t.kind == kind && !t.short_reports_only);
        specificity(kind) > 2 && kind != IncidentType::AccountTakeover && !learnt_from_articles
    });
    for score in scores.types.iter().filter(|t| short || !t.short_reports_only) {
        let (kind, p, threshold) = (score.kind, score.probability, score.threshold);
        if p < threshold && short {
            continue;
        }
        if p < threshold {
            for incident in incidents.iter_mut().filter(|i| i.temporality != Temporality::Hypothetical) {
                incident.also.retain(|&t| t != kind);
                if incident.kind == kind && !incident.also.is_empty() {
                    incident.kind = incident.also.remove(0);
                }
            }
            incidents.retain(|i| i.kind != kind || i.temporality == Temporality::Hypothetical);
            continue;
        }
        let reported = incidents.iter().any(|i| i.kind == kind || i.also.contains(&kind));
        let bar = if other_news {
            OUTSIDE_DOMAIN_BAR
        } else if incidents.is_empty() {
            NO_CUE_BAR.max(threshold)
        } else {
            threshold
        };
        let evidence = score.best_sentence.as_ref().filter(|s| {
            score.sentence_probability >= EVIDENCE_BAR && !(other_news && NEGATED.is_match(&text[(*s).clone()]))
        });
        if let Some(best) = evidence.filter(|_| !reported && p >= bar) {
            match main_incident(incidents).map(|m| &mut incidents[m]) {
                Some(main) => {
                    // A method the model finds says more than "a cyberattack" or "hacked".
                    if specificity(kind) > specificity(main.kind) {
                        if main.kind != IncidentType::UnknownCyberattack {
                            main.also.insert(0, main.kind);
                        }
                        main.kind = kind;
                    } else {
                        main.also.push(kind);
                    }
                    if let Err(at) = main.evidence.binary_search_by_key(&best.start, |e| e.start) {
                        main.evidence.insert(at, best.clone());
                    }
                }
                None => incidents.push(Incident {
                    kind,
                    also: Vec::new(),
                    confidence: p,
                    temporality: Temporality::Current,
                    participants: Vec::new(),
                    occurred: None,
                    attributions: Vec::new(),
                    impact: Default::default(),
                    evidence: vec![best.clone()],
                }),
            }
        }
        for incident in incidents.iter_mut().filter(|i| i.kind == kind) {
            incident.confidence = p;
        }
    }
}

/// The first date in the evidence that resolved to ISO 8601 ("2022-06-29", "--06-29"), with
/// its mention: a day says more than the year a report carries.
fn date_in(entities: &[Entity], evidence: &[CleanRange]) -> Option<(String, CleanRange)> {
    entities
        .iter()
        .filter(|e| e.kind == EntityKind::Date && e.name.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
        .flat_map(|e| e.mentions.iter().map(move |m| (e, m)))
        .filter(|(_, m)| text::in_ranges(evidence, m))
        .min_by_key(|(_, m)| m.start)
        .map(|(e, m)| (e.name.clone(), m.clone()))
}

/// The main incident: the first current one, which the article is news of.
fn main_incident(incidents: &[Incident]) -> Option<usize> {
    incidents.iter().position(|i| i.temporality == Temporality::Current)
}

/// Reports of one incident share temporality and year (a current report with no year is
/// the same news as one that names this year).
fn same_incident(a: &Report, b: &Report) -> bool {
    let year = |r: &Report| r.year.as_ref().map(|(y, _)| *y);
    a.temporality == b.temporality
        && (year(a) == year(b) || a.temporality == Temporality::Current && (year(a).is_none() || year(b).is_none()))
}

/// How specific a type is: a named method beats "hacked", which beats "a cyberattack"; an
/// attack's effect on its victim beats the campaign that spread its malware.
fn specificity(kind: IncidentType) -> u8 {
    match kind {
        IncidentType::UnknownCyberattack => 0,
        IncidentType::Intrusion => 1,
        IncidentType::MalwareCampaign => 2,
        _ => 3,
    }
}

fn assemble(reports: &[&Report], entities: &[Entity]) -> Incident {
    let mut kinds: Vec<(IncidentType, usize)> = Vec::new();
    for r in reports {
        match kinds.iter_mut().find(|(k, _)| *k == r.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((r.kind, 1)),
        }
    }
    // Most specific first, then best supported, then first reported.
    kinds.sort_by_key(|&(k, n)| (std::cmp::Reverse(specificity(k)), std::cmp::Reverse(n)));
    let (kind, support) = kinds[0];
    let mut evidence: Vec<_> = reports.iter().map(|r| r.sentence.clone()).collect();
    evidence.dedup();
    let occurred = date_in(entities, &evidence)
        .or_else(|| reports.iter().find_map(|r| r.year.as_ref()).map(|(y, at)| (y.to_string(), at.clone())));
    Incident {
        kind,
        // "A cyberattack" says nothing a named method does not.
        also: kinds[1..].iter().map(|&(k, _)| k).filter(|&k| k != IncidentType::UnknownCyberattack).collect(),
        // A prior, where no labelled data calibrates it (the type model replaces it for its
        // types): more specific and better supported is likelier right.
        confidence: (0.4 + 0.15 * f32::from(specificity(kind).min(2)) + 0.05 * support as f32).min(0.95),
        temporality: reports[0].temporality,
        participants: Vec::new(),
        occurred,
        attributions: Vec::new(),
        impact: Default::default(),
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::Role;
    use crate::pipeline::test_util::enriched;

    const ARTICLE: &str = "Pro-Russian hackers defaced the websites of Ukraine's Foreign Ministry on Friday. \
        The DDoS attack also took down the parliament portal, officials said. \
        In 2017, Sandworm used the NotPetya wiper against Ukrainian companies. \
        Traffic originating in Iran was also seen.";

    fn incidents(text: &str) -> Document {
        enriched(text)
    }

    #[test]
    fn reports_merge_into_current_and_historical_incidents() {
        let doc = incidents(ARTICLE);
        let summary: Vec<(IncidentType, Temporality)> = doc.incidents.iter().map(|i| (i.kind, i.temporality)).collect();
        assert_eq!(summary[0], (IncidentType::Defacement, Temporality::Current), "{:#?}", doc.incidents);
        assert!(doc.incidents[0].also.contains(&IncidentType::Ddos));
        let past = doc.incidents.iter().find(|i| i.temporality == Temporality::Historical).expect("NotPetya incident");
        assert_eq!(past.occurred.as_ref().map(|(d, _)| d.as_str()), Some("2017"));
        let roles: Vec<(&str, Role)> =
            past.participants.iter().map(|&(e, r)| (doc.tagged.entities[e].name.as_str(), r)).collect();
        assert!(
            roles.contains(&("Sandworm Team", Role::Attacker)) && roles.contains(&("NotPetya", Role::Tool)),
            "{roles:?}"
        );
    }

    #[test]
    fn participants_take_roles_from_kind_and_context() {
        let doc = incidents(ARTICLE);
        let current = &doc.incidents[0];
        let role_of = |name: &str| {
            current.participants.iter().find(|&&(e, _)| doc.tagged.entities[e].name == name).map(|&(_, r)| r)
        };
        assert_eq!(role_of("pro-russian hackers"), Some(Role::Attacker));
        assert_eq!(role_of("Foreign Ministry"), Some(Role::Target));
        assert!(doc.cleaned.fingerprint != 0);
    }

    fn unknown_attack(evidence: CleanRange) -> Incident {
        Incident {
            kind: IncidentType::UnknownCyberattack,
            also: Vec::new(),
            confidence: 0.45,
            temporality: Temporality::Current,
            participants: Vec::new(),
            occurred: None,
            attributions: Vec::new(),
            impact: Default::default(),
            evidence: vec![evidence],
        }
    }

    #[test]
    fn a_type_learnt_from_short_reports_is_settled_in_short_reports_only() {
        let text = "The Zorblax crew hits the portal of Quelp Bank.";
        let scores = TypeScores {
            types: vec![crate::pipeline::TypeScore {
                kind: IncidentType::Ddos,
                threshold: 0.3,
                probability: 0.8,
                best_sentence: Some(0..text.len()),
                sentence_probability: 0.7,
                short_reports_only: true,
            }],
        };
        use IncidentType::{Ddos, UnknownCyberattack};
        for (short, want) in [(true, Ddos), (false, UnknownCyberattack)] {
            let mut incidents = vec![unknown_attack(0..text.len())];
            settle_types(&mut incidents, &scores, text, short);
            assert_eq!((incidents[0].kind, &incidents[0].also[..]), (want, &[][..]), "short: {short}");
        }
        // The model's probability is the confidence of what it found.
        let mut incidents = vec![unknown_attack(0..text.len())];
        settle_types(&mut incidents, &scores, text, true);
        assert_eq!(incidents[0].confidence, 0.8);
    }
}
