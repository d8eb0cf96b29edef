//! Attribution statements: who is said to be behind an incident, how firmly, and by whom.
//!
//! A statement is a trigger phrase ("claimed responsibility", "had denied involvement", "have
//! been blamed", "an act of") and an actor: the nearest eligible entity before the trigger
//! when the actor is its subject, the first one after when it is its object. Hints that name
//! no one ("one can figure who is behind it") point at the country the article keeps naming
//! besides the victim's.

use std::{
    collections::{HashMap, HashSet},
    ops::Range,
    sync::LazyLock,
};

use regex::Regex;

use super::roles::is_attacker_group;
use crate::{
    pb::{AttributionStatus, EntityKind, Role},
    pipeline::{
        Attribution, CleanRange, Entity, Incident,
        text::{self, compile, in_ranges},
    },
};

/// How far from its trigger an actor may be named, in bytes.
const ACTOR_REACH: usize = 80;

/// How far from a statement its source may be named, in bytes.
const SOURCE_REACH: usize = 300;

/// How far before an unnamed group a country may describe it ("Russian military hackers").
const COUNTRY_REACH: usize = 12;

/// Where a trigger's actor is named.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Actor {
    /// Before the trigger, as its subject ("Killnet has claimed responsibility").
    Subject,
    /// After it, as its object ("claimed by pro-Russian hackers", "an act of the U.S.").
    Object,
    /// Not named: the country the article keeps naming besides the victim's.
    Implied,
}

struct Trigger {
    pattern: Regex,
    status: AttributionStatus,
    actor: Actor,
}

fn trigger(status: AttributionStatus, actor: Actor, pattern: &str) -> Trigger {
    Trigger { pattern: compile(&format!("(?i){pattern}")), status, actor }
}

static TRIGGERS: LazyLock<Vec<Trigger>> = LazyLock::new(|| {
    use Actor::{Implied, Object, Subject};
    use AttributionStatus::{Alleged, Claimed, Confirmed, Denied};
    vec![
        trigger(Claimed, Subject, r"\b(?:claimed|claims|claiming|took|takes) (?:the )?(?:responsibility|credit)\b"),
        trigger(Claimed, Object, r"\b(?:claimed|carried out and claimed) by\b"),
        trigger(
            Denied,
            Subject,
            r"\b(?:denied|denies|deny|denying|rejected|rejects|dismissed) (?:any )?(?:involvement|responsibility|being behind|(?:the |these |those )?(?:accusations?|allegations?|claims))\b",
        ),
        trigger(
            Alleged,
            Subject,
            r"\b(?:has|have|had|was|were|is|are)(?: \w+)? (?:been )?(?:blamed|accused|suspected)\b",
        ),
        trigger(
            Alleged,
            Object,
            r"\b(?:blamed|accused|(?:have been |has been |were |was )?attributed to|an? (?:“|\x22)?act of|linked to|tied to|history of)\b",
        ),
        trigger(
            Confirmed,
            Object,
            r"\b(?:formally|officially|publicly) (?:attributed|blamed)\b[^.]{0,80}?\b(?:to|on)\b",
        ),
        trigger(
            Alleged,
            Implied,
            r"\b(?:one can figure|it is understandable|it is clear|it is obvious|everyone knows|we all know|not hard to guess)\W+(?:\w+\W+){0,2}?who is behind\b",
        ),
    ]
});

/// Whether an entity can be said to be behind an attack.
fn can_act(e: &Entity) -> bool {
    match e.kind {
        EntityKind::ThreatActor | EntityKind::Country | EntityKind::GovernmentBody => true,
        EntityKind::Group => is_attacker_group(e),
        _ => false,
    }
}

/// Every attribution statement in `text`, on the incident it is about: the one whose evidence
/// holds it, else the main (first current) one.
pub(super) fn attribute(incidents: &mut [Incident], entities: &[Entity], text: &str) {
    let Some(main) = super::main_incident(incidents).or(
        // Background-only articles still carry their statements.
        (!incidents.is_empty()).then_some(0),
    ) else {
        return;
    };
    // Mentions of entities that can act, in text order.
    let mut mentions: Vec<(CleanRange, usize)> = entities
        .iter()
        .enumerate()
        .filter(|(_, e)| can_act(e))
        .flat_map(|(i, e)| e.mentions.iter().map(move |m| (m.clone(), i)))
        // "a pro-Kremlin group" is not the Kremlin.
        .filter(|(m, _)| !(m.start >= 4 && text.as_bytes()[m.start - 4..m.start].eq_ignore_ascii_case(b"pro-")))
        .collect();
    mentions.sort_by_key(|(m, _)| m.start);
    let sources = Sources::new(entities);
    // Per incident, computed once: a text full of triggers must not redo them per trigger.
    let targets: Vec<Vec<usize>> = incidents
        .iter()
        .map(|i| {
            let mut t: Vec<usize> =
                i.participants.iter().filter(|&&(_, r)| r == Role::Target).map(|&(e, _)| e).collect();
            t.sort_unstable();
            t
        })
        .collect();
    let mut implied: Vec<Option<Option<usize>>> = vec![None; incidents.len()];
    let mut stated: HashSet<(usize, usize, AttributionStatus)> = HashSet::new();
    for t in TRIGGERS.iter() {
        for m in t.pattern.find_iter(text) {
            let at = m.range();
            // "have been blamed": the passive names its actor as the subject, which the
            // subject trigger reads.
            if t.actor == Actor::Object && is_passive(text, at.start) {
                continue;
            }
            let incident = incidents.iter().position(|i| in_ranges(&i.evidence, &at)).unwrap_or(main);
            let targets = &targets[incident];
            let is_target = |e: &usize| targets.binary_search(e).is_ok();
            // "hackers blamed for a theft": a headline's passive, whose actor is its subject.
            let reduced_passive =
                t.actor == Actor::Object && [" for ", " of "].iter().any(|w| text[at.end..].starts_with(w));
            let actor = match if reduced_passive { Actor::Subject } else { t.actor } {
                Actor::Subject => {
                    let before = mentions.partition_point(|(r, _)| r.end <= at.start);
                    let found = mentions[..before]
                        .iter()
                        .enumerate()
                        .rev()
                        // Sorted by start, a mention that holds a shorter one can end after
                        // the trigger: it is not before it.
                        .filter(|(_, (r, _))| r.end <= at.start)
                        .take_while(|(_, (r, _))| {
                            at.start - r.end <= ACTOR_REACH && !crosses_sentence(text, r.end..at.start)
                        })
                        .filter(|(_, (_, e))| !is_target(e))
                        // A named actor is the one that claims or denies, not a body named
                        // beside it ("Cyber Av3ngers, linked to the IRGC, claimed ...").
                        .max_by_key(|(i, (_, e))| (entities[*e].kind == EntityKind::ThreatActor, *i));
                    found.map(|(i, (group_at, e))| {
                        // "Russian military hackers": the state, not the unnamed group.
                        match i.checked_sub(1).map(|j| &mentions[j]) {
                            Some((r, country))
                                if entities[*e].kind == EntityKind::Group
                                    && entities[*country].kind == EntityKind::Country
                                    && group_at.start.saturating_sub(r.end) <= COUNTRY_REACH =>
                            {
                                *country
                            }
                            _ => *e,
                        }
                    })
                }
                Actor::Object => {
                    let after = mentions.partition_point(|(r, _)| r.start < at.end);
                    mentions[after..]
                        .iter()
                        .take_while(|(r, _)| {
                            r.start - at.end <= ACTOR_REACH && !crosses_sentence(text, at.end..r.start)
                        })
                        .find(|(_, e)| !is_target(e))
                        .map(|(_, e)| *e)
                }
                Actor::Implied => *implied[incident].get_or_insert_with(|| most_named_country(entities, targets)),
            };
            let Some(actor) = actor else { continue };
            if stated.insert((incident, actor, t.status)) {
                let source = sources.of(text, &at);
                incidents[incident].attributions.push(Attribution { actor, status: t.status, source, evidence: at });
            }
        }
    }
}

/// Whether the word before byte `at` is a passive's auxiliary ("been", "was"). Only the last
/// few bytes are read: text before a trigger may be one long word.
fn is_passive(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    let tail = &before[before.floor_char_boundary(before.len().saturating_sub(5))..];
    let last = match tail.rsplit_once(' ') {
        Some((_, last)) => last,
        None if tail.len() == before.len() => tail,
        // No space in the tail: the word is longer than any auxiliary.
        None => return false,
    };
    ["been", "was", "were", "is", "are", "be"].iter().any(|w| last.eq_ignore_ascii_case(w))
}

/// Whether a sentence ends between two points: the actor of a trigger is in its sentence.
fn crosses_sentence(text: &str, between: Range<usize>) -> bool {
    text.get(between).is_some_and(|s| s.contains(['.', '!', '?']) && !s.contains("U.S"))
}

/// The country named most often, other than the victims: who "one can figure" is behind it.
fn most_named_country(entities: &[Entity], targets: &[usize]) -> Option<usize> {
    let target_countries: Vec<&str> = targets.iter().map(|&t| entities[t].country_code.as_str()).collect();
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for (i, e) in entities.iter().enumerate() {
        if e.kind == EntityKind::Country && !target_countries.contains(&e.country_code.as_str()) {
            *counts.entry(i).or_default() += e.mentions.len();
        }
    }
    counts.into_iter().max_by_key(|&(i, n)| (n, std::cmp::Reverse(i))).map(|(i, _)| i)
}

/// The mentions of the parties that can make a statement, in text order, to find who makes
/// one near it without a pass over every entity.
struct Sources {
    /// (start, entity, end, kind); for one start, the lowest entity first.
    mentions: Vec<(usize, usize, usize, EntityKind)>,
}

impl Sources {
    const PARTIES: [EntityKind; 4] =
        [EntityKind::Country, EntityKind::GovernmentBody, EntityKind::Organization, EntityKind::Person];

    fn new(entities: &[Entity]) -> Self {
        let mut mentions: Vec<(usize, usize, usize, EntityKind)> = entities
            .iter()
            .enumerate()
            .filter(|(_, e)| Self::PARTIES.contains(&e.kind))
            .flat_map(|(i, e)| e.mentions.iter().map(move |m| (m.start, i, m.end, e.kind)))
            .collect();
        mentions.sort_unstable_by_key(|&(start, i, _, _)| (start, i));
        Self { mentions }
    }

    /// The entity of one of `kinds` mentioned first within `from..to`.
    fn first_in(&self, kinds: &[EntityKind], from: usize, to: usize) -> Option<usize> {
        let first = self.mentions.partition_point(|&(start, ..)| start < from);
        self.mentions[first..]
            .iter()
            .take_while(|&&(start, ..)| start <= to)
            .find(|&&(_, _, end, kind)| end <= to && kinds.contains(&kind))
            .map(|&(_, i, ..)| i)
    }

    /// Who makes a statement: the party after "by" in a passive ("accused by Kyiv"), else the
    /// first person named in the sentence.
    fn of(&self, text: &str, at: &CleanRange) -> Option<usize> {
        // The sentence around the statement, looked for no further than SOURCE_REACH either side.
        let from = at.start - text::before(text, at.start, SOURCE_REACH).len();
        let to = at.end + text::after(text, at.end, SOURCE_REACH).len();
        let sentence_start = text[from..at.start].rfind(['.', '\n']).map_or(from, |i| from + i + 1);
        let sentence_end = text[at.end..to].find(['.', '\n']).map_or(to, |i| at.end + i);
        let by = text[at.end..sentence_end].find(" by ").map(|i| at.end + i + 4);
        by.and_then(|from| self.first_in(&Self::PARTIES, from, (from + 40).min(sentence_end)))
            .or_else(|| self.first_in(&[EntityKind::Person], sentence_start, sentence_end))
    }
}
