//! Scores responses against short, human-coded incident reports, with the definitions of
//! `score_incidents.py`: every report tells of an incident; a report is predicted in a group
//! of types ([`GROUPS`]) when any incident has one of them as `type` or in `also_types`; a
//! coded attacker or target is found when a mention of an entity in that role overlaps it.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    fmt,
};

use super::{
    Coded, Labelled,
    score::{Prf, overlaps, round3},
};
use crate::pb::{self, AttributionStatus, IncidentType, Role};

/// The groups the sources' codes decide, and the incident types in each.
pub const GROUPS: [(&str, &[IncidentType]); 8] = {
    use IncidentType::*;
    [
        ("account", &[AccountTakeover, Phishing]),
        ("data", &[DataBreach, Ransomware, Wiper, HackAndLeak]),
        ("ddos", &[Ddos]),
        ("defacement", &[Defacement]),
        ("disruption", &[Ddos, Defacement, Wiper, Sabotage, Ransomware]),
        ("message", &[Defacement, AccountTakeover]),
        ("ransomware", &[Ransomware]),
        ("theft", &[DataBreach, Espionage, HackAndLeak, FinancialTheft]),
    ]
};

/// The group `name`, if it is one: its name as [`GROUPS`] holds it, and its types.
pub fn group(name: &str) -> Option<(&'static str, &'static [IncidentType])> {
    GROUPS.iter().find(|(n, _)| *n == name).copied()
}

/// Found and all, of something counted by recall only.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Found {
    /// Found.
    pub found: usize,
    /// All there are.
    pub of: usize,
}

impl Found {
    fn add(&mut self, found: bool) {
        self.found += usize::from(found);
        self.of += 1;
    }

    fn share(&self) -> Option<f64> {
        (self.of > 0).then(|| self.found as f64 / self.of as f64)
    }
}

/// Per group: reports predicted in it that are coded in it, predicted but coded out of it,
/// and coded in it but not predicted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupCount {
    /// Right predictions.
    pub hits: usize,
    /// Wrong predictions.
    pub false_alarms: usize,
    /// Coded but not predicted.
    pub misses: usize,
}

impl GroupCount {
    fn prf(&self) -> Prf {
        let gold = self.hits + self.misses;
        Prf::new(self.hits, self.hits + self.false_alarms, self.hits, gold)
    }
}

/// Scores of a corpus of coded reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportScores {
    /// Reports.
    pub docs: usize,
    /// Reports with no prediction.
    pub missing: usize,
    /// Reports with at least one incident.
    pub with_incident: usize,
    /// Per group the codes decide either way.
    pub groups: BTreeMap<&'static str, GroupCount>,
    /// Per group the codes say is there without deciding its absence: recall only.
    pub present: BTreeMap<&'static str, Found>,
    /// Coded attacker spans found.
    pub attackers: Found,
    /// Coded target spans found.
    pub targets: Found,
    /// Of the reports with a coded attribution and attacker: those whose attacker has an
    /// attribution.
    pub attributed: Found,
    /// Of those, the ones whose statuses all fit the coded one.
    pub status_right: usize,
}

impl ReportScores {
    /// The groups with coded reports in them, the ones the figures are given for.
    fn scored(&self) -> impl Iterator<Item = (&&'static str, &GroupCount)> {
        self.groups.iter().filter(|(_, c)| c.hits + c.misses > 0)
    }

    /// Mean F1 of the scored groups.
    pub fn type_macro_f1(&self) -> f64 {
        let f1s: Vec<f64> = self.scored().map(|(_, c)| c.prf().f1).collect();
        if f1s.is_empty() { 0.0 } else { f1s.iter().sum::<f64>() / f1s.len() as f64 }
    }

    /// Share of reports with at least one incident.
    pub fn incident_recall(&self) -> f64 {
        self.with_incident as f64 / self.docs.max(1) as f64
    }

    /// The scores as one JSON object, in the shape `score_incidents.py --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        let mut put = |key: String, value: serde_json::Value| {
            out.insert(key, value);
        };
        let share = |f: &Found| f.share().map(round3).into();
        put("docs".into(), self.docs.into());
        put("missing".into(), self.missing.into());
        put("incident_recall".into(), round3(self.incident_recall()).into());
        for (name, c) in self.scored() {
            let Prf { p, r, f1 } = c.prf();
            let value =
                serde_json::json!({ "p": round3(p), "r": round3(r), "f1": round3(f1), "gold": c.hits + c.misses });
            put(name.to_string(), value);
        }
        put("type_macro_f1".into(), round3(self.type_macro_f1()).into());
        for (name, f) in &self.present {
            put(format!("{name}_recall"), share(f));
        }
        for (role, f) in [("attacker", &self.attackers), ("target", &self.targets)] {
            put(format!("{role}_recall"), share(f));
            put(format!("{role}_gold"), f.of.into());
        }
        if self.attributed.of > 0 {
            put("attribution_found".into(), share(&self.attributed));
            let accuracy = Found { found: self.status_right, of: self.attributed.found };
            put("attribution_status_accuracy".into(), round3(accuracy.share().unwrap_or(0.0)).into());
        }
        out.into()
    }
}

/// The name `score_incidents.py` reads for a status: proto3 JSON leaves the unset one out,
/// and the scorer takes a missing status for an allegation.
fn status_name(status: i32) -> &'static str {
    match AttributionStatus::try_from(status) {
        Ok(AttributionStatus::Unspecified) | Err(_) => "ALLEGED",
        Ok(s) => s.as_str_name(),
    }
}

/// Scores `predictions` (any order; matched by article id) against the coded reports of
/// `gold` (records of another kind are left out).
pub fn score(gold: &[Labelled], predictions: &[pb::EnrichResponse]) -> ReportScores {
    let by_id: HashMap<&str, &pb::EnrichResponse> = predictions.iter().map(|p| (p.article_id.as_str(), p)).collect();
    let mut scores = ReportScores::default();
    let empty = pb::EnrichResponse::default();
    for (id, coded) in gold.iter().filter_map(|g| Some((g.article.id.as_str(), g.coded()?))) {
        scores.docs += 1;
        let p = by_id.get(id).copied().unwrap_or_else(|| {
            scores.missing += 1;
            &empty
        });
        scores.with_incident += usize::from(!p.incidents.is_empty());
        let types: BTreeSet<i32> =
            p.incidents.iter().flat_map(|i| std::iter::once(i.r#type).chain(i.also_types.iter().copied())).collect();
        let predicted = |name: &str| group(name).is_some_and(|(_, g)| g.iter().any(|&t| types.contains(&(t as i32))));
        for (&name, &truth) in &coded.groups {
            let hit = predicted(name);
            let c = scores.groups.entry(name).or_default();
            c.hits += usize::from(hit && truth);
            c.false_alarms += usize::from(hit && !truth);
            c.misses += usize::from(truth && !hit);
        }
        for &name in &coded.present {
            scores.present.entry(name).or_default().add(predicted(name));
        }
        score_roles(p, coded, &mut scores);
    }
    scores
}

/// Adds what `p` finds of `coded`'s attackers, targets and attribution to `scores`.
fn score_roles(p: &pb::EnrichResponse, coded: &Coded, scores: &mut ReportScores) {
    let mentions: HashMap<&str, &[pb::Span]> = p.entities.iter().map(|e| (e.id.as_str(), &e.mentions[..])).collect();
    let (mut attackers, mut targets) = (BTreeSet::new(), BTreeSet::new());
    let mut statuses: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in &p.incidents {
        for part in &i.participants {
            if part.role == Role::Attacker as i32 {
                attackers.insert(part.entity_id.as_str());
            } else if part.role == Role::Target as i32 {
                targets.insert(part.entity_id.as_str());
            }
        }
        for a in &i.attributions {
            attackers.insert(a.actor_entity_id.as_str());
            statuses.entry(a.actor_entity_id.as_str()).or_default().insert(status_name(a.status));
        }
    }
    let over = |span: (u32, u32), id: &str| mentions.get(id).is_some_and(|ms| ms.iter().any(|m| overlaps(m, span)));
    for &span in &coded.attackers {
        scores.attackers.add(attackers.iter().any(|id| over(span, id)));
    }
    for &span in &coded.targets {
        scores.targets.add(targets.iter().any(|id| over(span, id)));
    }
    let Some(attribution) = coded.attribution.as_deref().filter(|_| !coded.attackers.is_empty()) else { return };
    let got: BTreeSet<&str> = statuses
        .iter()
        .filter(|(id, _)| coded.attackers.iter().any(|&span| over(span, id)))
        .flat_map(|(_, s)| s.iter().copied())
        .collect();
    scores.attributed.add(!got.is_empty());
    let want: &[&str] = if attribution == "CLAIMED" { &["CLAIMED"] } else { &["ALLEGED", "CONFIRMED"] };
    if !got.is_empty() && got.iter().all(|s| want.contains(s)) {
        scores.status_right += 1;
    }
}

impl fmt::Display for ReportScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let share = |x: &Found| x.share().map_or_else(|| "-".to_string(), |s| format!("{s:.3}"));
        writeln!(
            f,
            "reports {}  missing predictions {}  with an incident {:.3}",
            self.docs,
            self.missing,
            self.incident_recall()
        )?;
        for (name, c) in self.scored() {
            let gold = c.hits + c.misses;
            let Prf { p, r, f1 } = c.prf();
            writeln!(f, "  {name:12} P {p:.3} R {r:.3} F1 {f1:.3}  (n={gold})")?;
        }
        writeln!(f, "type_macro_f1 {:.3}", self.type_macro_f1())?;
        for (name, x) in &self.present {
            writeln!(f, "  {name:12} recall {}  (n={}, absence not coded)", share(x), x.of)?;
        }
        writeln!(f, "attackers found {}  (n={})", share(&self.attackers), self.attackers.of)?;
        writeln!(f, "targets found {}  (n={})", share(&self.targets), self.targets.of)?;
        if self.attributed.of > 0 {
            let right = Found { found: self.status_right, of: self.attributed.found };
            writeln!(
                f,
                "attributions found {}  (n={}), status right {}",
                share(&self.attributed),
                self.attributed.of,
                share(&right)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::eval::Gold;

    fn report(id: &str, coded: Coded) -> Labelled {
        Labelled { article: pb::Article { id: id.into(), ..Default::default() }, gold: Gold::Coded(coded) }
    }

    fn response(id: &str, incidents: Vec<pb::Incident>, entities: &[(&str, u32, u32)]) -> pb::EnrichResponse {
        let entities = entities
            .iter()
            .map(|&(e, start, end)| pb::Entity {
                id: e.into(),
                mentions: vec![pb::Span { start, end }],
                ..Default::default()
            })
            .collect();
        pb::EnrichResponse { article_id: id.into(), incidents, entities, ..Default::default() }
    }

    fn incident(kind: IncidentType, also: &[IncidentType]) -> pb::Incident {
        pb::Incident { r#type: kind.into(), also_types: also.iter().map(|&t| t.into()).collect(), ..Default::default() }
    }

    #[test]
    fn groups_count_any_incident_type_and_roles_count_overlapping_mentions() {
        let gold = [
            report(
                "a",
                Coded {
                    groups: [("ddos", true), ("message", false)].into(),
                    present: vec!["data"],
                    attackers: vec![(0, 6)],
                    targets: vec![(20, 30)],
                    attribution: Some("CLAIMED".into()),
                    ..Default::default()
                },
            ),
            report("b", Coded { groups: [("ddos", false), ("message", true)].into(), ..Default::default() }),
            report("c", Coded { groups: [("ddos", true), ("message", false)].into(), ..Default::default() }),
        ];
        let mut a = incident(IncidentType::UnknownCyberattack, &[IncidentType::Ddos, IncidentType::Ransomware]);
        a.participants = vec![pb::Participant { entity_id: "t".into(), role: Role::Target.into() }];
        // Proto3 JSON leaves an unset status out, which the reference scorer reads as alleged.
        a.attributions = vec![
            pb::Attribution {
                actor_entity_id: "x".into(),
                status: AttributionStatus::Claimed.into(),
                ..Default::default()
            },
            pb::Attribution { actor_entity_id: "x".into(), ..Default::default() },
        ];
        let predictions = [
            response("a", vec![a], &[("x", 2, 4), ("t", 29, 35)]),
            response("b", vec![incident(IncidentType::Ddos, &[])], &[]),
        ];
        let scores = score(&gold, &predictions);
        assert_eq!((scores.docs, scores.missing, scores.with_incident), (3, 1, 2));
        assert_eq!(scores.groups["ddos"], GroupCount { hits: 1, false_alarms: 1, misses: 1 });
        assert_eq!(scores.groups["message"], GroupCount { hits: 0, false_alarms: 0, misses: 1 });
        assert_eq!(scores.present["data"], Found { found: 1, of: 1 });
        assert_eq!((scores.attackers, scores.targets), (Found { found: 1, of: 1 }, Found { found: 1, of: 1 }));
        assert_eq!((scores.attributed, scores.status_right), (Found { found: 1, of: 1 }, 0));
        let json = scores.to_json();
        assert_eq!(json["ddos"], serde_json::json!({"p": 0.5, "r": 0.5, "f1": 0.5, "gold": 2}));
        assert_eq!(json["message"]["f1"], 0.0);
        // Both groups have coded reports, so both are averaged.
        assert_eq!(json["type_macro_f1"], 0.25);
        assert_eq!((json["incident_recall"].as_f64(), json["data_recall"].as_f64()), (Some(0.667), Some(1.0)));
        assert_eq!(json["attribution_status_accuracy"], 0.0);
    }

    #[test]
    fn a_group_no_report_is_coded_in_is_left_out_and_absent_roles_are_null() {
        let gold =
            [report("a", Coded { groups: [("ddos", false), ("defacement", true)].into(), ..Default::default() })];
        let json = score(&gold, &[response("a", vec![incident(IncidentType::Defacement, &[])], &[])]).to_json();
        assert!(json.get("ddos").is_none());
        assert_eq!(json["type_macro_f1"], 1.0);
        assert!(json["attacker_recall"].is_null() && json["attacker_gold"] == 0);
        assert!(json.get("attribution_found").is_none());
    }
}
