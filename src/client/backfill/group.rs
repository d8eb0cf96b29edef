//! Incident groups: articles that report the same incident, merged into one record.
//!
//! Two articles are linked when their content fingerprints (64-bit SimHashes of the cleaned
//! text) differ in at most `max_distance` bits (two renderings of one report), or when both
//! report a current incident of the same type, against the same target, on the same day or,
//! when the day is not known, quoting the same person.
//! Groups are the connected components of those links, found with union-find. Near pairs are
//! found without comparing every pair: the fingerprint is cut into four 16-bit quarters, and
//! two fingerprints within `d` bits agree within `d / 4` bits on at least one quarter, so only
//! articles in the same or a nearby bucket of some quarter are compared.

use std::{
    collections::{BTreeSet, HashMap, hash_map::Entry},
    fs::File,
    io::{self, BufRead, BufReader, BufWriter, Write},
    path::Path,
};

use serde::Serialize;

use super::BackfillError;
use crate::pb;

/// What [`write`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSummary {
    /// Enriched articles read.
    pub articles: usize,
    /// Groups written, one per record.
    pub groups: usize,
    /// Groups of more than one article.
    pub merged: usize,
}

/// One line of the group file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupRecord {
    /// The smallest article id in the group: stable whatever order the articles came in.
    group_id: String,
    article_ids: Vec<String>,
    /// How the articles were linked: `near_duplicate`, `same_incident`.
    matched_by: BTreeSet<&'static str>,
    incident_types: BTreeSet<&'static str>,
    dates: BTreeSet<String>,
    participants: BTreeSet<Party>,
    attributions: BTreeSet<Claim>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
struct Party {
    role: &'static str,
    kind: &'static str,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
struct Claim {
    actor: String,
    status: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    source: String,
}

const NEAR_DUPLICATE: u8 = 1;
const SAME_INCIDENT: u8 = 2;

/// Reads the EnrichResponse lines of `output` and writes one group record per line to
/// `path` (through a temporary file, so a reader never sees half of it).
pub(crate) fn write(output: &Path, path: &Path, max_distance: u32) -> Result<GroupSummary, BackfillError> {
    let read_error = |source| BackfillError::Io { path: output.to_path_buf(), source };
    let mut grouper = Grouper::new(max_distance);
    for (index, line) in BufReader::new(File::open(output).map_err(read_error)?).lines().enumerate() {
        let line = line.map_err(read_error)?;
        let line_no = index as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let response: pb::EnrichResponse = serde_json::from_str(&line).map_err(|source| BackfillError::Corrupt {
            path: output.to_path_buf(),
            line: line_no,
            source,
        })?;
        if response.error.is_none() {
            grouper.add(&response);
        }
    }
    let records = grouper.groups();
    let summary = GroupSummary {
        articles: records.iter().map(|r| r.article_ids.len()).sum(),
        groups: records.len(),
        merged: records.iter().filter(|r| r.article_ids.len() > 1).count(),
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let write_error = |source| BackfillError::Io { path: path.to_path_buf(), source };
    let mut out = BufWriter::new(File::create(&tmp).map_err(write_error)?);
    for record in &records {
        serde_json::to_writer(&mut out, record).map_err(io::Error::from).map_err(write_error)?;
        out.write_all(b"\n").map_err(write_error)?;
    }
    out.into_inner().map_err(|e| write_error(e.into_error()))?.sync_all().map_err(write_error)?;
    std::fs::rename(&tmp, path).map_err(write_error)?;
    Ok(summary)
}

/// What grouping keeps of one article.
#[derive(Debug)]
struct Member {
    id: String,
    incident_types: BTreeSet<&'static str>,
    dates: BTreeSet<String>,
    participants: BTreeSet<Party>,
    attributions: BTreeSet<Claim>,
}

#[derive(Debug)]
struct Grouper {
    max_distance: u32,
    members: Vec<Member>,
    sets: UnionFind,
    /// For each quarter of the fingerprint, the members by that quarter's value.
    quarters: [HashMap<u16, Vec<usize>>; 4],
    fingerprints: Vec<u64>,
    /// The first member to report each (type, target, day or person quoted).
    incidents: HashMap<(&'static str, String, String), usize>,
}

impl Grouper {
    fn new(max_distance: u32) -> Self {
        Self {
            max_distance,
            members: Vec::new(),
            sets: UnionFind::default(),
            quarters: Default::default(),
            fingerprints: Vec::new(),
            incidents: HashMap::new(),
        }
    }

    fn add(&mut self, response: &pb::EnrichResponse) {
        let index = self.members.len();
        self.sets.push();
        let names: HashMap<&str, &pb::Entity> = response.entities.iter().map(|e| (e.id.as_str(), e)).collect();
        let name = |id: &str| names.get(id).map_or_else(String::new, |e| e.name.clone());
        let mut member = Member {
            id: response.article_id.clone(),
            incident_types: BTreeSet::new(),
            dates: BTreeSet::new(),
            participants: BTreeSet::new(),
            attributions: BTreeSet::new(),
        };
        // People named in full ("Josep Borrell"), the most specific witnesses of a report.
        let people: Vec<String> = response
            .entities
            .iter()
            .filter(|e| e.kind() == pb::EntityKind::Person && e.name.contains(' '))
            .map(|e| e.name.to_lowercase())
            .collect();
        // Only the news an article reports, not the background it recalls or what it fears.
        for incident in response.incidents.iter().filter(|i| i.temporality() == pb::Temporality::Current) {
            let kind = incident.r#type().as_str_name();
            member.incident_types.insert(kind);
            let date = incident.occurred.as_ref().map(|o| o.date.clone()).unwrap_or_default();
            if !date.is_empty() {
                member.dates.insert(date.clone());
            }
            for participant in &incident.participants {
                let Some(entity) = names.get(participant.entity_id.as_str()) else { continue };
                member.participants.insert(Party {
                    role: participant.role().as_str_name(),
                    kind: entity.kind().as_str_name(),
                    name: entity.name.clone(),
                });
                // A named target and a day-precise date (YYYY-MM-DD) make an incident specific
                // enough to merge articles on; without the day, a person both quote does (two
                // translations of one report name the same spokesman).
                if participant.role() == pb::Role::Target {
                    let target = entity.name.to_lowercase();
                    let witnesses: Vec<String> = if is_day(&date) {
                        vec![date.clone()]
                    } else {
                        people.iter().map(|p| format!("person:{p}")).collect()
                    };
                    for witness in witnesses {
                        match self.incidents.entry((kind, target.clone(), witness)) {
                            Entry::Occupied(first) => self.sets.union(*first.get(), index, SAME_INCIDENT),
                            Entry::Vacant(slot) => {
                                slot.insert(index);
                            }
                        }
                    }
                }
            }
            for attribution in &incident.attributions {
                member.attributions.insert(Claim {
                    actor: name(&attribution.actor_entity_id),
                    status: attribution.status().as_str_name(),
                    source: name(&attribution.source_entity_id),
                });
            }
        }
        self.members.push(member);
        let fingerprint = u64::from_str_radix(&response.content_fingerprint, 16).unwrap_or(0);
        self.fingerprints.push(fingerprint);
        // Zero is the fingerprint of text too short to have one.
        if fingerprint != 0 {
            self.link_near(index, fingerprint);
        }
    }

    fn link_near(&mut self, index: usize, fingerprint: u64) {
        let radius = self.max_distance / 4;
        for (q, table) in self.quarters.iter_mut().enumerate() {
            let quarter = (fingerprint >> (16 * q)) as u16;
            for probe in within(quarter, radius) {
                for &other in table.get(&probe).into_iter().flatten() {
                    if (self.fingerprints[other] ^ fingerprint).count_ones() <= self.max_distance {
                        self.sets.union(other, index, NEAR_DUPLICATE);
                    }
                }
            }
            table.entry(quarter).or_default().push(index);
        }
    }

    fn groups(self) -> Vec<GroupRecord> {
        let Self { members, mut sets, .. } = self;
        let mut by_root: HashMap<usize, GroupRecord> = HashMap::new();
        for (index, member) in members.into_iter().enumerate() {
            let root = sets.find(index);
            let record = by_root.entry(root).or_insert_with(|| GroupRecord {
                group_id: String::new(),
                article_ids: Vec::new(),
                matched_by: BTreeSet::new(),
                incident_types: BTreeSet::new(),
                dates: BTreeSet::new(),
                participants: BTreeSet::new(),
                attributions: BTreeSet::new(),
            });
            record.article_ids.push(member.id);
            record.incident_types.extend(member.incident_types);
            record.dates.extend(member.dates);
            record.participants.extend(member.participants);
            record.attributions.extend(member.attributions);
        }
        let mut records: Vec<GroupRecord> = by_root
            .into_iter()
            .map(|(root, mut record)| {
                record.article_ids.sort();
                record.group_id = record.article_ids[0].clone();
                let reasons = sets.reasons[root];
                if reasons & NEAR_DUPLICATE != 0 {
                    record.matched_by.insert("near_duplicate");
                }
                if reasons & SAME_INCIDENT != 0 {
                    record.matched_by.insert("same_incident");
                }
                record
            })
            .collect();
        records.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        records
    }
}

fn is_day(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Every 16-bit value within `radius` bits of `value` (radius at most 3: up to 697 values).
fn within(value: u16, radius: u32) -> Vec<u16> {
    let mut out = vec![value];
    let mut frontier = vec![(value, 0u32)];
    for _ in 0..radius.min(3) {
        let mut next = Vec::new();
        for (v, lowest) in frontier {
            // Flip bits above the last flipped one, so each set of bits is produced once.
            for bit in lowest..16 {
                let flipped = v ^ (1 << bit);
                out.push(flipped);
                next.push((flipped, bit + 1));
            }
        }
        frontier = next;
    }
    out
}

/// Disjoint sets with path halving and union by size; each root also keeps how its set was
/// linked.
#[derive(Debug, Default)]
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
    reasons: Vec<u8>,
}

impl UnionFind {
    fn push(&mut self) {
        self.parent.push(self.parent.len());
        self.size.push(1);
        self.reasons.push(0);
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize, reason: u8) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            self.reasons[a] |= reason;
            return;
        }
        let (big, small) = if self.size[a] >= self.size[b] { (a, b) } else { (b, a) };
        self.parent[small] = big;
        self.size[big] += self.size[small];
        self.reasons[big] |= self.reasons[small] | reason;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(id: &str, fingerprint: u64) -> pb::EnrichResponse {
        pb::EnrichResponse {
            article_id: id.into(),
            content_fingerprint: format!("{fingerprint:016x}"),
            ..Default::default()
        }
    }

    fn ids(records: &[GroupRecord]) -> Vec<Vec<&str>> {
        records.iter().map(|r| r.article_ids.iter().map(String::as_str).collect()).collect()
    }

    #[test]
    fn near_fingerprints_group_and_far_ones_do_not() {
        let base = 0x9e37_79b9_7f4a_7c15u64;
        let mut grouper = Grouper::new(8);
        grouper.add(&response("c", base ^ 0b1011)); // 3 bits from a
        grouper.add(&response("a", base));
        grouper.add(&response("b", base ^ 0x0101_0101_0101_0101)); // 8 bits, two in each quarter
        grouper.add(&response("d", !base)); // 64 bits away
        grouper.add(&response("e", 0)); // no fingerprint
        grouper.add(&response("f", 0));
        let records = grouper.groups();
        assert_eq!(ids(&records), [vec!["a", "b", "c"], vec!["d"], vec!["e"], vec!["f"]]);
        assert_eq!(records[0].group_id, "a");
        assert_eq!(records[0].matched_by, BTreeSet::from(["near_duplicate"]));
    }

    #[test]
    fn the_index_finds_every_pair_within_the_distance() {
        // Exhaustive against pairwise comparison, on fingerprints built to sit near the limit.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for max_distance in [0, 3, 7, 8, 11, 15] {
            let base = next();
            let prints: Vec<u64> = (0..60)
                .map(|_| {
                    let mut p = base;
                    for _ in 0..(next() % 12) {
                        p ^= 1 << (next() % 64);
                    }
                    p
                })
                .collect();
            let mut grouper = Grouper::new(max_distance);
            for (i, p) in prints.iter().enumerate() {
                grouper.add(&response(&format!("{i:02}"), *p));
            }
            let mut expected = UnionFind::default();
            for (i, a) in prints.iter().enumerate() {
                expected.push();
                for (j, b) in prints[..i].iter().enumerate() {
                    if (a ^ b).count_ones() <= max_distance {
                        expected.union(i, j, NEAR_DUPLICATE);
                    }
                }
            }
            for i in 0..prints.len() {
                for j in 0..i {
                    assert_eq!(
                        grouper.sets.find(i) == grouper.sets.find(j),
                        expected.find(i) == expected.find(j),
                        "distance {max_distance}: {i} and {j}"
                    );
                }
            }
        }
    }

    fn entity(id: &str, kind: pb::EntityKind, name: &str) -> pb::Entity {
        pb::Entity { id: id.into(), kind: kind.into(), name: name.into(), ..Default::default() }
    }

    #[test]
    fn same_type_target_and_day_group_with_the_union_of_parties() {
        let article = |id: &str, date: &str, attacker: &str| pb::EnrichResponse {
            article_id: id.into(),
            entities: vec![
                entity("e1", pb::EntityKind::GovernmentBody, "Ministry of Ports"),
                entity("e2", pb::EntityKind::ThreatActor, attacker),
            ],
            incidents: vec![pb::Incident {
                r#type: pb::IncidentType::Ddos.into(),
                temporality: pb::Temporality::Current.into(),
                occurred: Some(pb::Occurrence { date: date.into(), evidence: None }),
                participants: vec![
                    pb::Participant { entity_id: "e1".into(), role: pb::Role::Target.into() },
                    pb::Participant { entity_id: "e2".into(), role: pb::Role::Attacker.into() },
                ],
                attributions: vec![pb::Attribution {
                    actor_entity_id: "e2".into(),
                    status: pb::AttributionStatus::Claimed.into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut grouper = Grouper::new(8);
        grouper.add(&article("x1", "2024-05-02", "NoName057(16)"));
        grouper.add(&article("x2", "2024-05-02", "Killnet"));
        grouper.add(&article("x3", "2024-05-03", "Killnet"));
        grouper.add(&article("x4", "2024-05", "Killnet"));
        let records = grouper.groups();
        assert_eq!(ids(&records), [vec!["x1", "x2"], vec!["x3"], vec!["x4"]]);
        let merged = &records[0];
        assert_eq!(merged.matched_by, BTreeSet::from(["same_incident"]));
        let actors: Vec<&str> = merged.attributions.iter().map(|c| c.actor.as_str()).collect();
        assert_eq!(actors, ["Killnet", "NoName057(16)"]);
        assert_eq!(merged.participants.len(), 3, "{:?}", merged.participants);
    }

    #[test]
    fn undated_reports_of_one_target_quoting_the_same_person_group() {
        let article = |id: &str, person: &str| pb::EnrichResponse {
            article_id: id.into(),
            entities: vec![
                entity("e1", pb::EntityKind::GovernmentBody, "Ministry of Ports"),
                entity("e2", pb::EntityKind::Person, person),
            ],
            incidents: vec![pb::Incident {
                r#type: pb::IncidentType::Defacement.into(),
                temporality: pb::Temporality::Current.into(),
                participants: vec![pb::Participant { entity_id: "e1".into(), role: pb::Role::Target.into() }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut grouper = Grouper::new(8);
        grouper.add(&article("y1", "Lena Holt"));
        grouper.add(&article("y2", "Lena Holt"));
        grouper.add(&article("y3", "Arno Vik"));
        grouper.add(&article("y4", "Holt"));
        assert_eq!(ids(&grouper.groups()), [vec!["y1", "y2"], vec!["y3"], vec!["y4"]]);
    }

    #[test]
    fn neighbours_within_a_radius() {
        assert_eq!(within(0, 0), [0]);
        assert_eq!(within(0, 1).len(), 17);
        let two = within(0xbeef, 2);
        assert_eq!(two.len(), 1 + 16 + 120);
        assert_eq!(two.iter().collect::<BTreeSet<_>>().len(), two.len(), "no value twice");
        assert!(two.iter().all(|v| (v ^ 0xbeef).count_ones() <= 2));
        assert_eq!(within(0, 3).len(), 1 + 16 + 120 + 560);
    }
}
