//! Impact: what an incident did, read from the sentences about it: services disrupted, data
//! compromised, a leak claimed by the attackers or denied by the victim, records affected and
//! the ransom demanded.

use std::{ops::Range, sync::LazyLock};

use regex::Regex;

use crate::{
    pb::EntityKind,
    pipeline::{
        Entity, Impact, Incident,
        text::{compile, containing, in_ranges},
    },
};

static DISRUPTION: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:went (?:down|offline|dark)|(?:is|are|was|were|remain(?:ed)?) (?:still )?(?:down|offline|unavailable|inaccessible|unreachable)|taken (?:down|offline)|knocked (?:out|offline)|(?:temporarily )?collapsed|not available|unavailable|inaccessible|disrupt(?:ed|ing|ion|ions)|crippled|outages?|blocked (?:its |the )?(?:mail|e-?mail|service|access)|shut (?:down|off)|paraly[sz]ed|could not be reached|brought down)\b",
    )
});

static COMPROMISE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:accessed|stole|stolen|exfiltrated|obtained|siphoned|exposed|compromised (?:the )?(?:data|information|records|accounts|e-?mails|correspondence|credentials)|(?:data|information|records|correspondence|e-?mails|files|credentials) (?:was|were|had been|have been) (?:stolen|accessed|exposed|compromised|taken))\b",
    )
});

/// Something said to be published: the attackers' claim.
static LEAK: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:data|information|documents|files|records|e-?mails)\b[^.]{0,60}\b(?:leaked|uploaded|published|released|dumped|made public|posted online|put up for sale)\b",
    )
});

/// A denial that anything was taken.
static LEAK_DENIED: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:no|not any)\b[^.]{0,30}\b(?:data|information|documents|records)\b[^.]{0,30}\b(?:leaked|stolen|compromised|accessed|taken)\b|\b(?:data|information)\b[^.]{0,20}\b(?:was|were|had|has) not been (?:leaked|stolen|compromised|accessed)\b|\bdenied\b[^.]{0,30}\b(?:leak|data|information)\b",
    )
});

static RANSOM: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\b(?:ransom|demand(?:ed|s|ing)?|extort)"));

/// Units of a count that says how many were affected.
const AFFECTED_UNITS: &[&str] =
    &["records", "accounts", "customers", "users", "patients", "people", "employees", "files", "documents", "emails"];

/// The impact of an incident, read from `sentences` (in text order, not overlapping: its own,
/// or for the main incident every sentence not about another one).
pub(super) fn impact(text: &str, sentences: &[Range<usize>], entities: &[Entity]) -> Impact {
    let mut impact = Impact::default();
    for s in sentences {
        let sentence = &text[s.clone()];
        impact.service_disruption |= DISRUPTION.is_match(sentence);
        let denied = LEAK_DENIED.is_match(sentence);
        impact.data_leak_denied |= denied;
        if !denied {
            impact.data_compromised |= COMPROMISE.is_match(sentence);
            impact.data_leak_claimed |= LEAK.is_match(sentence);
        }
    }
    let inside = |m: &Range<usize>| in_ranges(sentences, m);
    for e in entities {
        match e.kind {
            EntityKind::Quantity => {
                let mut parts = e.name.splitn(2, ' ');
                let (Some(n), Some(unit)) = (parts.next().and_then(|n| n.parse::<u64>().ok()), parts.next()) else {
                    continue;
                };
                if AFFECTED_UNITS.contains(&unit) && e.mentions.iter().any(inside) {
                    impact.records_affected = impact.records_affected.max(n);
                }
            }
            EntityKind::Money if impact.ransom_demand.is_empty() => {
                let in_ransom_sentence = e
                    .mentions
                    .iter()
                    .any(|m| containing(sentences, m).is_some_and(|s| RANSOM.is_match(&text[s.clone()])));
                if in_ransom_sentence {
                    impact.ransom_demand.clone_from(&e.name);
                }
            }
            _ => {}
        }
    }
    impact
}

/// The sentences each incident's impact is read from: an incident's evidence, and for the
/// main (first current) incident every sentence that is not another incident's evidence.
pub(super) fn assess(incidents: &mut [Incident], entities: &[Entity], text: &str, sentences: &[Range<usize>]) {
    let main = super::main_incident(incidents);
    let mut others: Vec<Range<usize>> = incidents
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != main)
        .flat_map(|(_, inc)| inc.evidence.iter().cloned())
        .collect();
    others.sort_by_key(|o| o.end);
    let about_another = |s: &Range<usize>| {
        let i = others.partition_point(|o| o.end <= s.start);
        others[i..].iter().take_while(|o| o.start < s.end || o.end <= s.end).any(|o| o.start < s.end)
    };
    for (i, incident) in incidents.iter_mut().enumerate() {
        let read: Vec<Range<usize>> = if Some(i) == main {
            let own = incident.evidence.clone();
            sentences.iter().filter(|s| !about_another(s) || own.contains(s)).cloned().collect()
        } else {
            incident.evidence.clone()
        };
        incident.impact = impact(text, &read, entities);
    }
}
