//! Scores responses against CASIE-style annotations, with the definitions of
//! `score_casie.py`: document-level types (an article has a type when any incident has it as
//! `type` or in `also_types`), and role arguments found when a mention of an entity in that
//! role overlaps the annotated span.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    fmt,
};

use super::{Gold, Labelled};
use crate::pb::{self, IncidentType, Role};

/// The CASIE event types and the incident types that count as each.
pub const LABELS: [(&str, IncidentType); 5] = [
    ("Databreach", IncidentType::DataBreach),
    ("DiscoverVulnerability", IncidentType::VulnerabilityDisclosure),
    ("PatchVulnerability", IncidentType::PatchRelease),
    ("Phishing", IncidentType::Phishing),
    ("Ransom", IncidentType::Ransomware),
];

/// The CASIE roles and the participant roles that count as each, in report order.
pub const ROLES: [(&str, Role); 6] = [
    ("Attacker", Role::Attacker),
    ("Victim", Role::Target),
    ("Discoverer", Role::Discoverer),
    ("Releaser", Role::Vendor),
    ("Vulnerable_System", Role::AffectedProduct),
    ("Tool", Role::Tool),
];

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prf {
    /// Share of predictions that are right.
    pub p: f64,
    /// Share of the gold that was found.
    pub r: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

impl Prf {
    /// From counts: predictions that hit and all predictions, gold items found and all gold.
    pub(super) fn new(hit_predicted: usize, predicted: usize, hit_gold: usize, gold: usize) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let (p, r) = (ratio(hit_predicted, predicted), ratio(hit_gold, gold));
        Self { p, r, f1: if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 } }
    }
}

/// Counts for one label or role.
#[derive(Debug, Clone, Copy, Default)]
pub struct Count {
    /// Predictions that match the gold.
    pub hit_predicted: usize,
    /// Predictions.
    pub predicted: usize,
    /// Gold items found.
    pub hit_gold: usize,
    /// Gold items.
    pub gold: usize,
}

impl Count {
    /// Precision, recall and F1 of these counts.
    pub fn prf(&self) -> Prf {
        Prf::new(self.hit_predicted, self.predicted, self.hit_gold, self.gold)
    }
}

/// Scores of a corpus.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// Gold articles.
    pub docs: usize,
    /// Gold articles with no prediction.
    pub missing: usize,
    /// Counts per CASIE type.
    pub labels: BTreeMap<&'static str, Count>,
    /// Counts per CASIE role.
    pub roles: BTreeMap<&'static str, Count>,
}

/// Rounded to three decimals before averaging, as `score_casie.py` does, so the two agree:
/// from the exact value of `x`, as Python's `round` does, not from `x * 1000`, which may round
/// a value just below a half up (0.5345 is 0.53449999... in binary).
pub(super) fn round3(x: f64) -> f64 {
    format!("{x:.3}").parse().expect("a formatted float parses")
}

impl Scores {
    /// Mean F1 over the five types.
    pub fn type_macro_f1(&self) -> f64 {
        self.labels.values().map(|c| round3(c.prf().f1)).sum::<f64>() / LABELS.len() as f64
    }

    /// Mean F1 of the Attacker and Victim roles.
    pub fn attacker_victim_f1(&self) -> f64 {
        (round3(self.roles["Attacker"].prf().f1) + round3(self.roles["Victim"].prf().f1)) / 2.0
    }

    /// The scores as one JSON object, in the shape `score_casie.py --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        let prf = |c: &Count| {
            let Prf { p, r, f1 } = c.prf();
            serde_json::json!({ "p": round3(p), "r": round3(r), "f1": round3(f1) })
        };
        let labels: serde_json::Map<String, serde_json::Value> = self
            .labels
            .iter()
            .map(|(name, c)| {
                let mut v = prf(c);
                v["support"] = c.gold.into();
                (name.to_string(), v)
            })
            .collect();
        let roles: serde_json::Map<String, serde_json::Value> = self
            .roles
            .iter()
            .map(|(name, c)| {
                let mut v = prf(c);
                v["gold"] = c.gold.into();
                v["pred"] = c.predicted.into();
                (name.to_string(), v)
            })
            .collect();
        serde_json::json!({
            "docs": self.docs,
            "missing": self.missing,
            "labels": labels,
            "type_macro_f1": round3(self.type_macro_f1()),
            "roles": roles,
            "attacker_victim_f1": round3(self.attacker_victim_f1()),
        })
    }
}

pub(super) fn overlaps(a: &pb::Span, (start, end): (u32, u32)) -> bool {
    a.start < end && start < a.end
}

/// Scores `predictions` (any order; matched by article id) against `gold`.
pub fn score(gold: &[Labelled], predictions: &[pb::EnrichResponse]) -> Scores {
    let by_id: HashMap<&str, &pb::EnrichResponse> = predictions.iter().map(|p| (p.article_id.as_str(), p)).collect();
    let mut scores = Scores { docs: gold.len(), ..Scores::default() };
    for (name, _) in LABELS {
        scores.labels.insert(name, Count::default());
    }
    for (name, _) in ROLES {
        scores.roles.insert(name, Count::default());
    }
    let empty = pb::EnrichResponse::default();
    for g in gold {
        let Gold::Casie { labels, arguments } = &g.gold else { continue };
        let p = by_id.get(g.article.id.as_str()).copied().unwrap_or_else(|| {
            scores.missing += 1;
            &empty
        });
        let types: BTreeSet<i32> =
            p.incidents.iter().flat_map(|i| std::iter::once(i.r#type).chain(i.also_types.iter().copied())).collect();
        for (name, kind) in LABELS {
            let (in_gold, predicted) = (labels.iter().any(|l| l == name), types.contains(&(kind as i32)));
            let count = scores.labels.get_mut(name).expect("every label has a count");
            count.hit_predicted += usize::from(in_gold && predicted);
            count.predicted += usize::from(predicted);
            count.hit_gold += usize::from(in_gold && predicted);
            count.gold += usize::from(in_gold);
        }
        let mentions: HashMap<&str, &[pb::Span]> =
            p.entities.iter().map(|e| (e.id.as_str(), &e.mentions[..])).collect();
        for (name, role) in ROLES {
            let entities: BTreeSet<&str> = p
                .incidents
                .iter()
                .flat_map(|i| &i.participants)
                .filter(|part| part.role == role as i32)
                .map(|part| part.entity_id.as_str())
                .collect();
            let predicted: Vec<&[pb::Span]> =
                entities.iter().map(|e| mentions.get(e).copied().unwrap_or(&[])).collect();
            // Annotators mark the same span once per event it takes part in: count it once.
            let spans: BTreeSet<(u32, u32)> =
                arguments.iter().filter(|a| a.role == name).map(|a| (a.start, a.end)).collect();
            let count = scores.roles.get_mut(name).expect("every role has a count");
            count.hit_predicted +=
                predicted.iter().filter(|ms| ms.iter().any(|m| spans.iter().any(|&s| overlaps(m, s)))).count();
            count.predicted += predicted.len();
            count.hit_gold +=
                spans.iter().filter(|&&s| predicted.iter().flat_map(|ms| ms.iter()).any(|m| overlaps(m, s))).count();
            count.gold += spans.len();
        }
    }
    scores
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "docs {}  missing predictions {}", self.docs, self.missing)?;
        for (name, count) in &self.labels {
            let Prf { p, r, f1 } = count.prf();
            writeln!(f, "  {name:22} P {p:.3} R {r:.3} F1 {f1:.3}  (n={})", count.gold)?;
        }
        for (name, _) in ROLES {
            let count = &self.roles[name];
            let Prf { p, r, f1 } = count.prf();
            writeln!(
                f,
                "  role {name:17} P {p:.3} R {r:.3} F1 {f1:.3}  (gold {}, pred {})",
                count.gold, count.predicted
            )?;
        }
        writeln!(f, "type_macro_f1 {:.3}  attacker_victim_f1 {:.3}", self.type_macro_f1(), self.attacker_victim_f1())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::eval::{Argument, Gold, Labelled};

    fn gold(id: &str, labels: &[&str], arguments: &[(&str, u32, u32)]) -> Labelled {
        Labelled {
            article: pb::Article { id: id.into(), ..Default::default() },
            gold: Gold::Casie {
                labels: labels.iter().map(|l| l.to_string()).collect(),
                arguments: arguments
                    .iter()
                    .map(|&(role, start, end)| Argument { role: role.into(), start, end, subtype: String::new() })
                    .collect(),
            },
        }
    }

    #[test]
    fn rounding_follows_the_exact_value_as_python_does() {
        // What Python's round(x, 3) gives for each: in binary, the first three lie just below a
        // half, and go down.
        assert_eq!(round3((0.543 + 0.526) / 2.0), 0.534);
        assert_eq!(round3(0.1235), 0.123);
        assert_eq!(round3(0.5355), 0.535);
        assert_eq!(round3(0.9996), 1.0);
    }

    fn entity(id: &str, spans: &[(u32, u32)]) -> pb::Entity {
        pb::Entity {
            id: id.into(),
            mentions: spans.iter().map(|&(start, end)| pb::Span { start, end }).collect(),
            ..Default::default()
        }
    }

    fn incident(kind: IncidentType, also: &[IncidentType], parts: &[(&str, Role)]) -> pb::Incident {
        pb::Incident {
            r#type: kind.into(),
            also_types: also.iter().map(|&t| t.into()).collect(),
            participants: parts
                .iter()
                .map(|&(e, role)| pb::Participant { entity_id: e.into(), role: role.into() })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn types_count_per_document_and_roles_by_overlapping_mentions() {
        let gold = [
            gold("a", &["Databreach", "Phishing"], &[("Victim", 0, 5), ("Victim", 0, 5), ("Attacker", 10, 17)]),
            gold("b", &["Ransom"], &[("Victim", 3, 8)]),
            gold("c", &["Databreach"], &[]),
        ];
        let predictions = [
            pb::EnrichResponse {
                article_id: "a".into(),
                entities: vec![entity("e0", &[(2, 4), (40, 45)]), entity("e1", &[(20, 25)])],
                incidents: vec![incident(
                    IncidentType::Phishing,
                    &[IncidentType::DataBreach, IncidentType::Ddos],
                    &[("e0", Role::Target), ("e1", Role::Attacker)],
                )],
                ..Default::default()
            },
            pb::EnrichResponse {
                article_id: "b".into(),
                entities: vec![entity("e0", &[(0, 2)])],
                incidents: vec![incident(IncidentType::DataBreach, &[], &[("e0", Role::Target)])],
                ..Default::default()
            },
        ];
        let scores = score(&gold, &predictions);
        assert_eq!(scores.missing, 1);
        let breach = scores.labels["Databreach"];
        assert_eq!((breach.hit_predicted, breach.predicted, breach.gold), (1, 2, 2));
        assert_eq!(scores.labels["Ransom"].prf(), Prf::default());
        assert_eq!(scores.labels["Phishing"].prf(), Prf { p: 1.0, r: 1.0, f1: 1.0 });
        // The duplicated gold span counts once; "b"'s target misses its span.
        let victim = scores.roles["Victim"];
        assert_eq!((victim.hit_predicted, victim.predicted, victim.hit_gold, victim.gold), (1, 2, 1, 2));
        let attacker = scores.roles["Attacker"];
        assert_eq!((attacker.hit_predicted, attacker.predicted, attacker.hit_gold, attacker.gold), (0, 1, 0, 1));
        assert!((scores.type_macro_f1() - (0.5 + 0.0 + 0.0 + 1.0 + 0.0) / 5.0).abs() < 1e-9);
    }
}
