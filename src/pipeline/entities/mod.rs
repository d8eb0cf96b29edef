//! Entities: who and what the article names (gazetteers and patterns), the dates, money and
//! quantities it gives, and the technical indicators it contains, each with a canonical name
//! and every mention.

#[cfg(feature = "tools")]
pub mod catalogue;
mod coined;
mod cues;
mod dates;
mod gazetteer;
mod indicators;
mod load;
mod organizations;
mod patterns;
#[cfg(test)]
mod tests;

use std::{
    collections::{HashMap, HashSet},
    sync::LazyLock,
};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{
    CleanRange, Document, Entity, Indicator, Step,
    text::{Containing, overlaps_any},
};
use crate::pb::{EntityKind, IndicatorKind};

pub use gazetteer::{Entry, Gazetteer, LoadReport, Vouch};
pub use load::GazetteerError;

/// How far before a national body a country may name its owner ("Ukraine's Foreign Ministry").
const OWNER_REACH_BYTES: usize = 16;

/// Definite references and the words that the name they point back to carries.
const HEADS: &[(&str, &[&str])] = &[
    ("the ministry", &["Ministry"]),
    ("the agency", &["Agency"]),
    ("the department", &["Department"]),
    ("the council", &["Council"]),
    ("the parliament", &["Parliament"]),
    ("the commission", &["Commission"]),
    ("the hospital", &["Hospital"]),
    ("the bank", &["Bank"]),
    ("the university", &["University"]),
    ("the city", &["City of"]),
    ("the county", &["County of"]),
    ("the alliance", &["NATO"]),
    // Any organisation: the one named last.
    ("the company", &[""]),
    ("the firm", &[""]),
    ("the retailer", &[""]),
    ("the bloc", &["European Union"]),
];

/// The phrases of [`HEADS`], found in one pass whatever their case.
static DEFINITE_REFERENCES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(HEADS.iter().map(|(phrase, _)| phrase))
        .expect("the reference phrases build an automaton")
});

/// The entities stage.
#[derive(Debug)]
pub struct Entities {
    gazetteer: Gazetteer,
}

impl Entities {
    /// The stage with the built-in gazetteers.
    pub fn new() -> Self {
        Self::with_gazetteer(Gazetteer::builtin())
    }

    /// The stage with `gazetteer`, e.g. one extended from files.
    pub fn with_gazetteer(gazetteer: Gazetteer) -> Self {
        Self { gazetteer }
    }
}

impl Default for Entities {
    fn default() -> Self {
        Self::new()
    }
}

impl Step for Entities {
    const NAME: &'static str = "entities";

    fn apply(&self, doc: &mut Document) {
        let text = doc.text();
        let hits = confirmed(text, self.gazetteer.find(text));
        let mut found = Registry::default();
        // Per name as written, whether the article says it is malware (read once per name).
        let mut said_to_be_malware: HashMap<&str, bool> = HashMap::new();
        let named: Vec<coined::Known> =
            hits.iter().map(|h| coined::Known { range: h.range.clone(), kind: h.entry.kind }).collect();
        let coined = coined::find(text, &named);
        // A known name the article gives as another's alias is a mention of that other.
        let realiased: HashSet<&CleanRange> = coined.iter().flat_map(|c| &c.mentions).collect();
        for hit in hits.iter().filter(|h| !realiased.contains(&h.range)) {
            let e = hit.entry;
            // "Trojan.Sofacy", "the group's malware is Sofacy": the actor's name names malware.
            if e.kind == EntityKind::ThreatActor {
                let written = &text[hit.range.clone()];
                let said =
                    *said_to_be_malware.entry(written).or_insert_with(|| coined::said_to_be_malware(text, written));
                // Named as written: the actor's canonical name ("APT28") is no malware's.
                if said || coined::in_detection_name(text, &hit.range) {
                    found.mention(EntityKind::Malware, written, "", "", hit.range.clone());
                    continue;
                }
            }
            // "the Hive ransomware gang" is the gang named after its ransomware.
            if e.kind == EntityKind::Malware && coined::names_a_gang(text, &hit.range) {
                let (gang, written) = coined::gang_of(text, &e.name, hit.range.clone());
                found.mention(EntityKind::ThreatActor, &gang, "", "", written);
                continue;
            }
            let i = found.mention(e.kind, &e.name, &e.country_code, &e.external_id, hit.range.clone());
            found.entities[i].category = e.category;
        }
        for c in &coined {
            for range in c.mentions.iter().cloned() {
                if let Some(e) = c.alias_of.map(|k| hits[k].entry) {
                    let i = found.mention(e.kind, &e.name, &e.country_code, &e.external_id, range);
                    found.entities[i].category = e.category;
                } else {
                    let gang = c.kind == EntityKind::Malware && coined::names_a_gang(text, &range);
                    found.mention(if gang { EntityKind::ThreatActor } else { c.kind }, &c.name, "", "", range);
                }
            }
        }
        // Countries may sit inside a body's name ("Ministry of Foreign Affairs of Ukraine").
        let mut known: Vec<CleanRange> =
            hits.iter().filter(|h| h.entry.kind != EntityKind::Country).map(|h| h.range.clone()).collect();
        known.extend(coined.iter().flat_map(|c| c.mentions.iter().cloned()));
        known.sort_by_key(|r| r.start);
        let overlaps_known = |r: &CleanRange| overlaps_any(&known, r, patterns::MAX_NAME_BYTES);
        let country_hits: Vec<&gazetteer::Hit<'_>> =
            hits.iter().filter(|h| h.entry.kind == EntityKind::Country).collect();
        let countries: Vec<CleanRange> = country_hits.iter().map(|h| h.range.clone()).collect();
        // A country caught by an organisation pattern ("attacks on Ukraine") is the country.
        let is_country = |r: &CleanRange| {
            let i = countries.partition_point(|c| c.end < r.end);
            countries.get(i).is_some_and(|c| c.start <= r.start && r.end <= c.end)
        };
        for f in patterns::find(text) {
            let country_code = match f.kind {
                // A name that is also a known name is the known thing ("Lazarus said"), and a
                // noun for people in one is a word of it ("Gaza Hacker Team").
                EntityKind::Person | EntityKind::Organization | EntityKind::GovernmentBody | EntityKind::Group
                    if overlaps_known(&f.range) || is_country(&f.range) =>
                {
                    continue;
                }
                EntityKind::GovernmentBody => owner(&country_hits, &f.range).unwrap_or_default(),
                _ => String::new(),
            };
            found.mention(f.kind, &f.name, &country_code, "", f.range);
        }
        for date in dates::find(text, doc.published_date()) {
            found.mention(EntityKind::Date, &date.value, "", "", date.range);
        }
        found.link_versions(text);
        found.link_surnames(text);
        found.link_acronyms(text);
        found.link_repeated_names(text);
        found.link_definite_references(text);
        let mut indicators: Vec<Indicator> = Vec::new();
        let mut indicator_index: HashMap<(IndicatorKind, String), usize> = HashMap::new();
        for f in indicators::find(text) {
            // A CVE id names a vulnerability as well as being an indicator.
            if f.kind == IndicatorKind::Cve {
                found.mention(EntityKind::Vulnerability, &f.value, "", &f.value, f.range.clone());
            }
            let i = *indicator_index.entry((f.kind, f.value.clone())).or_insert_with(|| {
                indicators.push(Indicator { kind: f.kind, value: f.value, mentions: Vec::new(), defanged: false });
                indicators.len() - 1
            });
            indicators[i].mentions.push(f.range);
            indicators[i].defanged |= f.defanged;
        }
        doc.tagged.entities = found.into_entities();
        doc.tagged.indicators = indicators;
    }
}

/// The hits whose entry the article vouches for: a name that reads as an ordinary word too
/// ("Tick", "Lazarus") counts when some mention of its entry stands beside a cyber cue, acts
/// as attackers do, is listed beside a family that needs no cue ("Downeks and Quasar"), or the
/// entry is also named by a name that needs none; a short form ("Spark" of "Spark backdoor")
/// counts when the entry is named otherwise too.
fn confirmed<'g>(text: &str, mut hits: Vec<gazetteer::Hit<'g>>) -> Vec<gazetteer::Hit<'g>> {
    if hits.iter().all(|h| h.vouch == Vouch::Alone) {
        return hits;
    }
    // "Bart" in "Bart Groothuis" is part of a longer name, whatever the cue.
    hits.retain(|h| h.vouch == Vouch::Alone || !cues::inside_longer_name(text, &h.range));
    let entry = |h: &gazetteer::Hit<'_>| std::ptr::from_ref(h.entry);
    let families: Vec<CleanRange> = hits
        .iter()
        .filter(|h| h.vouch == Vouch::Alone && h.entry.kind == EntityKind::Malware)
        .map(|h| h.range.clone())
        .collect();
    let named: HashSet<*const Entry> = hits
        .iter()
        .filter(|h| {
            h.vouch == Vouch::Alone
                || (h.vouch == Vouch::Cue
                    && (cues::near_cue(text, &h.range)
                        || cues::shouted(text, &h.range)
                        || coined::acts(text, &h.range)
                        || (h.entry.kind == EntityKind::Malware && coined::listed_beside(text, &h.range, &families))))
        })
        .map(entry)
        .collect();
    hits.retain(|h| h.vouch == Vouch::Alone || named.contains(&entry(h)));
    hits
}

/// Where a version written right after a name ends: digits run on ("Shamoon2", "Spark4.2"),
/// or a dotted number after a space ("quasar 1.2.0.0", "Foozer v2.1").
fn version_end(text: &str, name_end: usize) -> Option<usize> {
    let rest = &text[name_end..];
    if let Some(run) = gazetteer::version_digits(rest) {
        return Some(name_end + run);
    }
    let spaced = rest.strip_prefix(' ')?;
    let spaced_v = spaced.strip_prefix(['v', 'V']).unwrap_or(spaced);
    let run = gazetteer::version_digits(spaced_v).filter(|&run| spaced_v[..run].contains('.'))?;
    Some(name_end + (rest.len() - spaced_v.len()) + run)
}

/// The country a national body belongs to: one named just before it, or inside it. `countries`
/// are the gazetteer's country hits, in text order and not overlapping, so only those ending
/// from just before the body to its end are looked at.
fn owner(countries: &[&gazetteer::Hit<'_>], body: &CleanRange) -> Option<String> {
    let first = countries.partition_point(|h| h.range.end < body.start.saturating_sub(OWNER_REACH_BYTES));
    countries[first..]
        .iter()
        .take_while(|h| h.range.start <= body.end)
        .find(|h| {
            let before = h.range.end <= body.start && body.start - h.range.end <= OWNER_REACH_BYTES;
            let inside = h.range.start >= body.start && h.range.end <= body.end;
            before || inside
        })
        .map(|h| h.entry.country_code.clone())
}

/// Entities keyed by kind, canonical name and country, in order of first mention.
#[derive(Default)]
struct Registry {
    entities: Vec<Entity>,
    index: HashMap<(EntityKind, String, String), usize>,
}

impl Registry {
    /// Adds a mention, to a new entity or the one with the same kind, name and country, and
    /// returns that entity's index.
    fn mention(
        &mut self,
        kind: EntityKind,
        name: &str,
        country_code: &str,
        external_id: &str,
        at: CleanRange,
    ) -> usize {
        let key = (kind, name.to_string(), country_code.to_string());
        let entities = &mut self.entities;
        let i = *self.index.entry(key).or_insert_with(|| {
            entities.push(Entity {
                kind,
                name: name.to_string(),
                mentions: Vec::new(),
                country_code: country_code.to_string(),
                external_id: external_id.to_string(),
                category: None,
                group_role: (kind == EntityKind::Group).then(|| patterns::group_role(name)),
            });
            entities.len() - 1
        });
        // Duplicates (two patterns finding one name) go in `into_entities`.
        self.entities[i].mentions.push(at);
        i
    }

    /// The versions of a threat actor's or malware's name, in one pass for all names: written
    /// on ("Shamoon2", "Spark4.2") or after it in any case ("quasar 1.2.0.0").
    fn link_versions(&mut self, text: &str) {
        // Versions are of software: a name both a family's and its gang's is the family's.
        let mut named: Vec<usize> = (0..self.entities.len())
            .filter(|&i| matches!(self.entities[i].kind, EntityKind::ThreatActor | EntityKind::Malware))
            .collect();
        named.sort_by_key(|&i| self.entities[i].kind != EntityKind::Malware);
        let mut surfaces: Vec<&str> = Vec::new();
        let mut owners: Vec<usize> = Vec::new();
        for &i in &named {
            for m in &self.entities[i].mentions {
                // "Ryuk2" is a version of "Ryuk ransomware".
                let written = &text[m.clone()];
                for surface in [written, coined::without_malware_noun(written)] {
                    if !surfaces.contains(&surface) {
                        surfaces.push(surface);
                        owners.push(i);
                    }
                }
            }
        }
        if surfaces.is_empty() {
            return;
        }
        let Ok(automaton) = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(&surfaces)
        else {
            return;
        };
        let mut linked: Vec<(usize, CleanRange)> = Vec::new();
        for m in automaton.find_iter(text) {
            let owner = owners[m.pattern().as_usize()];
            // "Quasar 1.2" where "Quasar" is a mention already is that mention.
            let mentioned = self.entities[owner].mentions.iter().any(|r| r.start == m.start());
            let version = version_end(text, m.end()).filter(|&end| gazetteer::is_word_boundary(text, m.start(), end));
            if let Some(end) = version.filter(|_| !mentioned) {
                linked.push((owner, m.start()..end));
            }
        }
        for (i, range) in linked {
            self.entities[i].mentions.push(range);
        }
    }

    /// Later mentions of a person by surname alone ("Nikolenko added"), in one pass over the
    /// text for all surnames: a person's mentions do not multiply the cost of the text.
    fn link_surnames(&mut self, text: &str) {
        let mut surnames: Vec<&str> = Vec::new();
        // For each surname, the people who bear it.
        let mut bearers: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, person) in self.entities.iter().enumerate().filter(|(_, e)| e.kind == EntityKind::Person) {
            let Some(surname) = person.name.split_whitespace().last().filter(|s| s.chars().count() > 2) else {
                continue;
            };
            let k = *index.entry(surname).or_insert_with(|| {
                surnames.push(surname);
                bearers.push(Vec::new());
                surnames.len() - 1
            });
            bearers[k].push(i);
        }
        let Ok(automaton) = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&surnames) else {
            return;
        };
        let known: HashMap<usize, Containing> =
            bearers.iter().flatten().map(|&i| (i, Containing::new(&self.entities[i].mentions))).collect();
        let mut linked: Vec<(usize, CleanRange)> = Vec::new();
        for m in automaton.find_iter(text).filter(|m| gazetteer::is_word_boundary(text, m.start(), m.end())) {
            for &i in &bearers[m.pattern().as_usize()] {
                if !known[&i].contains(&m.range()) {
                    linked.push((i, m.range()));
                }
            }
        }
        for (i, range) in linked {
            self.entities[i].mentions.push(range);
        }
    }

    /// "Universal Health Services (UHS) ... UHS said": an acronym defined after the name of an
    /// organisation or body is another name for it, and each use of it a mention.
    fn link_acronyms(&mut self, text: &str) {
        let mut defined: Vec<(usize, CleanRange)> = Vec::new();
        for (i, e) in self.entities.iter().enumerate() {
            if matches!(e.kind, EntityKind::Organization | EntityKind::GovernmentBody) {
                defined.extend(e.mentions.iter().filter_map(|m| organizations::acronym_after(text, m)).map(|a| (i, a)));
            }
        }
        defined.dedup_by(|a, b| a.0 == b.0 && text[a.1.clone()] == text[b.1.clone()]);
        if defined.is_empty() {
            return;
        }
        // An acronym that another entity's mention already covers is that entity's.
        let mut named: Vec<CleanRange> = self.entities.iter().flat_map(|e| e.mentions.iter().cloned()).collect();
        named.sort_by_key(|r| r.start);
        for (i, acronym) in defined {
            let word = &text[acronym];
            for (at, _) in text.match_indices(word) {
                let range = at..at + word.len();
                if gazetteer::is_word_boundary(text, range.start, range.end)
                    && !overlaps_any(&named, &range, patterns::MAX_NAME_BYTES)
                {
                    self.entities[i].mentions.push(range);
                }
            }
        }
    }

    /// Every other mention of an organisation or product a pattern found once ("a breach at
    /// Kestrel Mart ... Kestrel Mart said"), in one pass over the text.
    fn link_repeated_names(&mut self, text: &str) {
        let orgs: Vec<usize> = (0..self.entities.len())
            .filter(|&i| matches!(self.entities[i].kind, EntityKind::Organization | EntityKind::Product))
            .collect();
        let names: Vec<&str> = orgs.iter().map(|&i| self.entities[i].name.as_str()).collect();
        // A handful of names searched once: an NFA is far cheaper to build than the default DFA.
        let Ok(automaton) = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(&names)
        else {
            return;
        };
        let known: Vec<Containing> = orgs.iter().map(|&i| Containing::new(&self.entities[i].mentions)).collect();
        let mut linked: Vec<(usize, CleanRange)> = Vec::new();
        for m in automaton.find_iter(text) {
            let (k, range) = (m.pattern().as_usize(), m.range());
            if !known[k].contains(&range) && gazetteer::is_word_boundary(text, range.start, range.end) {
                linked.push((orgs[k], range));
            }
        }
        for (i, range) in linked {
            self.entities[i].mentions.push(range);
        }
    }

    /// "the ministry" after "Ministry of Foreign Affairs", "the bloc" after "European Union":
    /// a definite reference to the head noun of the last body or organisation named before it.
    fn link_definite_references(&mut self, text: &str) {
        // Names only: "the company" is also a mention of the unnamed group "companies".
        let mut named: Vec<CleanRange> = self
            .entities
            .iter()
            .filter(|e| e.kind != EntityKind::Group)
            .flat_map(|e| e.mentions.iter().cloned())
            .collect();
        named.sort_by_key(|r| r.start);
        // Where each phrase occurs, all found in one pass.
        let mut occurrences: Vec<Vec<CleanRange>> = vec![Vec::new(); HEADS.len()];
        for m in DEFINITE_REFERENCES.find_iter(text) {
            occurrences[m.pattern().as_usize()].push(m.range());
        }
        for ((_, heads), ranges) in HEADS.iter().zip(occurrences).filter(|(_, r)| !r.is_empty()) {
            // Where the entities the phrase may refer to are mentioned, as (start, entity), in
            // order; a tie goes to the later entity.
            let mut candidates: Vec<(usize, usize)> = self
                .entities
                .iter()
                .enumerate()
                .filter(|(_, e)| matches!(e.kind, EntityKind::GovernmentBody | EntityKind::Organization))
                .filter(|(_, e)| heads.iter().any(|h| e.name.contains(h)))
                .flat_map(|(i, e)| e.mentions.iter().map(move |m| (m.start, i)))
                .collect();
            candidates.sort_unstable();
            // The reference linked last: it is a mention of its referent too.
            let mut last_linked: Option<(usize, usize)> = None;
            for range in ranges {
                let at = range.start;
                // "the Ministry of Agriculture" is a name, not a reference back.
                let in_a_name = overlaps_any(&named, &range, patterns::MAX_NAME_BYTES);
                if in_a_name || !gazetteer::is_word_boundary(text, range.start, range.end) {
                    continue;
                }
                // The last entity mentioned before `at` whose name carries the head.
                let before = candidates.partition_point(|&(start, _)| start < at);
                let last_named = before.checked_sub(1).map(|i| candidates[i]);
                let Some((_, entity)) = last_named.into_iter().chain(last_linked).max() else { continue };
                self.entities[entity].mentions.push(range);
                last_linked = Some((at, entity));
            }
        }
    }

    /// A body named once with its country ("Russia's Foreign Ministry") and later without
    /// ("the Foreign Ministry's website") is one body, when only one country claims the name.
    fn merge_unowned_bodies(&mut self) {
        let is_body = |e: &Entity| e.kind == EntityKind::GovernmentBody;
        // For each body name, how many countries claim it, and the entity of the last one.
        let mut owners: HashMap<String, (usize, usize)> = HashMap::new();
        for (i, e) in self.entities.iter().enumerate().filter(|(_, e)| is_body(e) && !e.country_code.is_empty()) {
            let entry = owners.entry(e.name.clone()).or_insert((0, i));
            *entry = (entry.0 + 1, i);
        }
        for orphan in 0..self.entities.len() {
            let e = &self.entities[orphan];
            if !is_body(e) || !e.country_code.is_empty() {
                continue;
            }
            if let Some(&(1, owner)) = owners.get(&e.name) {
                let mentions = std::mem::take(&mut self.entities[orphan].mentions);
                self.entities[owner].mentions.extend(mentions);
            }
        }
        // Merged orphans are left without mentions; they go.
        self.entities.retain(|e| !e.mentions.is_empty());
    }

    fn into_entities(mut self) -> Vec<Entity> {
        self.merge_unowned_bodies();
        for e in &mut self.entities {
            e.mentions.sort_by_key(|m| m.start);
            e.mentions.dedup();
        }
        self.entities.sort_by_key(|e| e.mentions.first().map_or(usize::MAX, |m| m.start));
        self.entities
    }
}
