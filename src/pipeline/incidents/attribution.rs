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

use super::roles::{is_attacker_group, is_victim};
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
    /// How far from the trigger its actor may be named, in bytes.
    reach: usize,
}

fn trigger(status: AttributionStatus, actor: Actor, pattern: &str) -> Trigger {
    Trigger { pattern: compile(&format!("(?i){pattern}")), status, actor, reach: ACTOR_REACH }
}

/// A trigger whose actor is named right after it ("suspected Russian hackers").
fn adjacent(status: AttributionStatus, pattern: &str) -> Trigger {
    Trigger { reach: 1, ..trigger(status, Actor::Object, pattern) }
}

static TRIGGERS: LazyLock<Vec<Trigger>> = LazyLock::new(|| {
    use Actor::{Implied, Object, Subject};
    use AttributionStatus::{Alleged, Claimed, Confirmed, Denied};
    vec![
        trigger(Claimed, Subject, r"\b(?:claimed|claims|claiming|took|takes) (?:the )?(?:responsibility|credit)\b"),
        trigger(Claimed, Object, r"\b(?:claimed|carried out and claimed) by\b"),
        // "claims to have taken down", "claimed the attack", "said it was behind".
        trigger(Claimed, Subject, r"\b(?:claimed|claims|claiming|claim) (?:to have|that it (?:had|has|was))\b"),
        trigger(
            Claimed,
            Subject,
            r"\b(?:claimed|claims|claiming) (?:the |an |a |this |these )?(?:[\w-]+ )?(?:cyber-?\s?attacks?|attacks?|hacks?|breach(?:es)?|intrusions?|DDoS|defacements?|outages?|leaks?)\b",
        ),
        trigger(
            Claimed,
            Subject,
            r"\b(?:says|said|announced|admitted|admits)(?: that)? it (?:was|is|had been|has been) behind\b",
        ),
        trigger(
            Denied,
            Subject,
            r"\b(?:denied|denies|deny|denying|rejected|rejects|dismissed) (?:any )?(?:involvement|responsibility|being behind|(?:the |these |those )?(?:accusations?|allegations?|claims))\b",
        ),
        trigger(
            Alleged,
            Subject,
            r"\b(?:(?:has|have|had)(?: \w+)? been|(?:was|were|is|are)(?: \w+)?(?: being)?) (?:blamed|accused|suspected)\b",
        ),
        trigger(
            Alleged,
            Object,
            r"\b(?:blamed|accused|(?:have been |has been |were |was )?attributed to|an? (?:“|\x22)?act of|linked to|tied to|history of)\b",
        ),
        // "links the attack on X to Sandworm", "attribute the campaign to".
        trigger(
            Alleged,
            Object,
            r"\b(?:links|linking|ties|tying|attributes|attribute|attributing|connects|connecting|pins|pinned|pinning) (?:the|this|these|those|an?|its|their) [^.;]{0,80}? (?:to|on)\b",
        ),
        adjacent(Alleged, r"\b(?:suspected|alleged|presumed|presumably)\b"),
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
        EntityKind::ThreatActor | EntityKind::Country | EntityKind::GovernmentBody | EntityKind::Malware => true,
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
    // Only the victims the words around them name are never the doer: the role model's
    // targets yield to what a statement says.
    let targets: Vec<Vec<usize>> = incidents
        .iter()
        .map(|i| {
            let mut t: Vec<usize> = i
                .participants
                .iter()
                .filter(|&&(e, r)| r == Role::Target && entities[e].mentions.iter().any(|m| is_victim(text, m)))
                .map(|&(e, _)| e)
                .collect();
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
            // "Moscow has repeatedly been accused of ...": a habit, not an incident's doer.
            if is_habitual(text, &at) {
                continue;
            }
            let incident = incidents.iter().position(|i| in_ranges(&i.evidence, &at)).unwrap_or(main);
            let targets = &targets[incident];
            let is_target = |e: &usize| targets.binary_search(e).is_ok();
            // "hackers blamed for a theft": a headline's passive, whose actor is its subject.
            let reduced_passive =
                t.actor == Actor::Object && [" for ", " of "].iter().any(|w| text[at.end..].starts_with(w));
            let own_statement = matches!(t.status, AttributionStatus::Claimed | AttributionStatus::Denied);
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
                            at.start - r.end <= t.reach && !crosses_sentence(text, r.end..at.start)
                        })
                        // A name after a preposition is not the subject that claims or
                        // denies ("the embassy in Prague denied").
                        .filter(|(_, (r, e))| !is_target(e) && (!own_statement || !after_preposition(text, r.start)))
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
                        .take_while(|(r, _)| r.start - at.end <= t.reach && !crosses_sentence(text, at.end..r.start))
                        .find(|(_, e)| !is_target(e))
                        .map(|(_, e)| *e)
                }
                Actor::Implied => *implied[incident].get_or_insert_with(|| most_named_country(entities, targets)),
            };
            let Some(actor) = actor else { continue };
            // Who is said to be behind an attack is not its target.
            if !is_target(&actor) {
                incidents[incident].participants.retain(|&(e, role)| e != actor || role != Role::Target);
            }
            if stated.insert((incident, actor, t.status)) {
                let subject = (t.actor == Actor::Object && !reduced_passive)
                    .then(|| sources.subject_of(text, &at))
                    .flatten()
                    .filter(|&(s, _)| s != actor);
                // The one who links an attack to its doer stands where its victims often do
                // ("CERT-UA links ..."): as the statement's subject, it is no target.
                if let Some((s, true)) = subject {
                    incidents[incident].participants.retain(|&(e, role)| e != s || role != Role::Target);
                }
                let source = sources.of(text, &at).or(subject.map(|(s, _)| s));
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

/// Adverbs that make a statement one about a habit rather than an incident.
const HABITUAL: [&str; 7] = ["repeatedly", "long", "often", "frequently", "previously", "routinely", "regularly"];

/// Whether a statement at `at` (or the few words before it) says it is a habit.
fn is_habitual(text: &str, at: &CleanRange) -> bool {
    let words = &text[at.start - text::before(text, at.start, 24).len()..at.end];
    words.split(|c: char| !c.is_alphabetic()).any(|w| HABITUAL.iter().any(|h| w.eq_ignore_ascii_case(h)))
}

/// Whether the word before byte `at` is a preposition other than the passive's "by".
fn after_preposition(text: &str, at: usize) -> bool {
    let word = text::before(text, at, 8).trim_end().rsplit(' ').next().unwrap_or_default();
    ["in", "of", "at", "from", "on", "for", "to", "with"].iter().any(|p| word.eq_ignore_ascii_case(p))
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

    /// Who makes a statement whose actor is its object: the party named last before it in
    /// its sentence ("CERT-UA links", "Estonian officials blamed", "researchers at Quillon
    /// attribute"), with whether it stands right before it, as the trigger's subject.
    fn subject_of(&self, text: &str, at: &CleanRange) -> Option<(usize, bool)> {
        let from = at.start - text::before(text, at.start, SOURCE_REACH).len();
        let sentence_start = text[from..at.start].rfind(['.', '\n']).map_or(from, |i| from + i + 1);
        let first = self.mentions.partition_point(|&(start, ..)| start < sentence_start);
        let last = self.mentions.partition_point(|&(start, ..)| start < at.start);
        self.mentions[first..last].iter().rev().find(|&&(_, _, end, _)| end <= at.start).map(|&(_, i, end, _)| {
            (i, text[end..at.start].trim_matches(|c: char| c.is_whitespace() || c == ')').is_empty())
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::test_util::enriched;

    /// Every attribution of every incident of `text`: actor, status, source.
    fn statements(text: &str) -> Vec<(String, AttributionStatus, Option<String>)> {
        let doc = enriched(text);
        let name = |e: usize| doc.tagged.entities[e].name.clone();
        doc.incidents
            .iter()
            .flat_map(|i| i.attributions.iter().map(|a| (name(a.actor), a.status, a.source.map(name))))
            .collect()
    }

    #[test]
    fn claims_take_the_forms_the_news_uses() {
        use AttributionStatus::Claimed;
        for text in [
            "Killnet claims to have taken down the website of the Quelp Port Authority.",
            "Killnet claimed the DDoS attack on the portal of the Quelp Port Authority.",
            "Killnet said it was behind the DDoS attack on the Quelp Port Authority.",
        ] {
            assert_eq!(statements(text), [("Killnet".to_string(), Claimed, None)], "{text}");
        }
    }

    #[test]
    fn allegations_name_their_source() {
        use AttributionStatus::Alleged;
        let got = statements("CERT-UA links the wiper attack on Quelp Energy, a power distributor, to Sandworm.");
        assert_eq!(got, [("Sandworm Team".to_string(), Alleged, Some("CERT-UA".to_string()))]);
        let got = statements("Estonian officials blamed Sandworm for the wiper attack on the Quelp port.");
        assert_eq!(got, [("Sandworm Team".to_string(), Alleged, Some("Estonia".to_string()))]);
        let got = statements("Suspected Russian hackers breached the mail servers of the Quelp Ministry of Transport.");
        assert!(got.iter().any(|(actor, status, _)| actor == "Russia" && *status == Alleged), "{got:?}");
    }

    #[test]
    fn a_habit_is_no_attribution_and_a_denial_is_its_subjects_own() {
        let got = statements(
            "Quelp Bank's portal was knocked offline by a DDoS attack. \
             Moscow has repeatedly been accused of cyberattacks against banks.",
        );
        assert!(got.is_empty(), "{got:?}");
        assert!(after_preposition("the embassy in Prague", 15));
        assert!(!after_preposition("Beijing", 0));
    }
}
