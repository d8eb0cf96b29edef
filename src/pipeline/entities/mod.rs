//! Entities: who and what the article names (gazetteers and patterns), and the technical
//! indicators it contains, each with a canonical name and every mention.

mod gazetteer;
mod indicators;
mod patterns;

use std::collections::HashMap;

use super::{CleanRange, Document, Entity, Indicator, Step};
use crate::pb::EntityKind;

pub use gazetteer::Gazetteer;

/// How far before a national body a country may name its owner ("Ukraine's Foreign Ministry").
const OWNER_REACH_BYTES: usize = 16;

/// The entities stage.
#[derive(Debug)]
pub struct Entities {
    gazetteer: Gazetteer,
}

impl Entities {
    /// The stage with the built-in gazetteers.
    pub fn new() -> Self {
        Self { gazetteer: Gazetteer::builtin() }
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
        let hits = self.gazetteer.find(text);
        let mut found = Registry::default();
        for hit in &hits {
            let e = hit.entry;
            found.mention(e.kind, &e.name, &e.country_code, &e.external_id, hit.range.clone());
        }
        for f in patterns::find(text) {
            let overlaps_known = hits.iter().any(|h| h.range.start < f.range.end && f.range.start < h.range.end);
            let country_code = match f.kind {
                // A person's name that is also a known name is the known thing ("Lazarus said").
                EntityKind::Person if overlaps_known => continue,
                EntityKind::GovernmentBody => owner(&hits, &f.range).unwrap_or_default(),
                _ => String::new(),
            };
            found.mention(f.kind, &f.name, &country_code, "", f.range);
        }
        found.link_surnames(text);
        let mut indicators: Vec<Indicator> = Vec::new();
        for f in indicators::find(text) {
            match indicators.iter_mut().find(|i| i.kind == f.kind && i.value == f.value) {
                Some(known) => known.mentions.push(f.range),
                None => indicators.push(Indicator { kind: f.kind, value: f.value, mentions: vec![f.range] }),
            }
        }
        doc.entities = found.into_entities();
        doc.indicators = indicators;
    }
}

/// The country a national body belongs to: one named just before it, or inside it.
fn owner(hits: &[gazetteer::Hit<'_>], body: &CleanRange) -> Option<String> {
    hits.iter()
        .filter(|h| h.entry.kind == EntityKind::Country)
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
    fn mention(&mut self, kind: EntityKind, name: &str, country_code: &str, external_id: &str, at: CleanRange) {
        let key = (kind, name.to_string(), country_code.to_string());
        let entities = &mut self.entities;
        let i = *self.index.entry(key).or_insert_with(|| {
            entities.push(Entity {
                kind,
                name: name.to_string(),
                mentions: Vec::new(),
                country_code: country_code.to_string(),
                external_id: external_id.to_string(),
            });
            entities.len() - 1
        });
        let mentions = &mut self.entities[i].mentions;
        if !mentions.contains(&at) {
            mentions.push(at);
        }
    }

    /// Later mentions of a person by surname alone ("Nikolenko added").
    fn link_surnames(&mut self, text: &str) {
        for person in self.entities.iter_mut().filter(|e| e.kind == EntityKind::Person) {
            let Some(surname) = person.name.split_whitespace().last().filter(|s| s.chars().count() > 2) else {
                continue;
            };
            for (at, _) in text.match_indices(surname) {
                let range = at..at + surname.len();
                let covered = person.mentions.iter().any(|m| m.start <= range.start && range.end <= m.end);
                if !covered && gazetteer::is_word_boundary(text, range.start, range.end) {
                    person.mentions.push(range);
                }
            }
        }
    }

    fn into_entities(mut self) -> Vec<Entity> {
        for e in &mut self.entities {
            e.mentions.sort_by_key(|m| m.start);
        }
        self.entities.sort_by_key(|e| e.mentions.first().map_or(usize::MAX, |m| m.start));
        self.entities
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{
        cleanup::Cleanup,
        test_util::{run, step},
    };

    fn entities(text: &str) -> Document {
        run(text, &[&step(&Cleanup), &step(&Entities::new())])
    }

    fn named<'d>(doc: &'d Document, kind: EntityKind, name: &str) -> &'d Entity {
        doc.entities
            .iter()
            .find(|e| e.kind == kind && e.name == name)
            .unwrap_or_else(|| panic!("no {kind:?} {name:?} in {:#?}", doc.entities))
    }

    #[test]
    fn national_bodies_belong_to_the_country_before_them() {
        let doc = entities("Ukraine's Foreign Ministry and the Russian Foreign Ministry traded accusations on Friday.");
        let bodies: Vec<(&str, &str)> = doc
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::GovernmentBody)
            .map(|e| (e.name.as_str(), e.country_code.as_str()))
            .collect();
        assert_eq!(bodies, [("Foreign Ministry", "UA"), ("Foreign Ministry", "RU")]);
    }

    #[test]
    fn people_are_linked_to_later_surname_mentions() {
        let text =
            "Cabinet spokeswoman Marta Kovalenko said the sites were restored. Kovalenko did not name a culprit.";
        let doc = entities(text);
        let person = named(&doc, EntityKind::Person, "Marta Kovalenko");
        let mentions: Vec<&str> = person.mentions.iter().map(|m| &doc.text()[m.clone()]).collect();
        assert_eq!(mentions, ["Marta Kovalenko", "Kovalenko"]);
    }

    #[test]
    fn actors_malware_and_indicators_carry_their_ids() {
        let doc = entities("Sandworm deployed NotPetya in 2017 from 203.0.113[.]9, exploiting CVE-2017-0144 again.");
        assert_eq!(named(&doc, EntityKind::ThreatActor, "Sandworm Team").external_id, "G0034");
        assert_eq!(named(&doc, EntityKind::Malware, "NotPetya").external_id, "S0368");
        let values: Vec<&str> = doc.indicators.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(values, ["203.0.113.9", "CVE-2017-0144"]);
    }
}
