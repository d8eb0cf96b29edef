//! Participants: which entities take part in an incident, and as what. Named actors and
//! malware say their role by their kind; unnamed groups by their noun ("hackers", "customers");
//! organisations, government bodies and countries by the words around them ("X was hacked",
//! "the websites of X", "originating in X").

use std::{collections::HashSet, ops::Range, sync::LazyLock};

use regex::Regex;

use super::role_model::{self, RoleModel};
use crate::{
    pb::{EntityKind, IncidentType, Role},
    pipeline::{
        Entity, GroupRole, Incident,
        text::{self, compile, containing},
    },
};

/// How far around a mention the context patterns look, in bytes.
const CONTEXT_BYTES: usize = 80;

/// Words before a mention that make it the one attacked: "attacks on", "the websites of".
static VICTIM_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)(?:attacks? (?:on|against)|attacked|breach(?:es)? (?:at|of)|hack(?:ing)? (?:of|on|at)|hacked|breached|targeted|targeting|infected|compromised|hit|defaced|crippled|stolen from|stole from|leaked from|(?:hacked|hacking|broke|breaking) into|victims? (?:include[sd]?|were|was)|affected were|(?:websites?|web ?sites?|sites?|servers?|networks?|systems|portals?|accounts?|data|databases?|e-?mails?|computers|files|records|information|details) (?:of|at|from|belonging to))\s+(?:the\s+|a\s+|an\s+)?(?:\p{L}+(?:'s|’s)\s+)?$",
    )
});

/// Words after a mention that make it the one attacked: "was hacked", "'s customers",
/// "suffered a breach", "has admitted ... a breach", "paid the ransom", "the X breach".
static VICTIM_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^(?:(?:'s|’s)\s+(?:customers|users|employees|patients|members|clients|network|systems|servers|data|database|website|site|computers|e-?mails?|accounts)\b|(?:(?:'s|’s)?\s+(?:official\s+)?(?:websites?|sites?|servers?|networks?|systems?|portals?|computers?|databases?))?\s+(?:(?:was|were|has been|had been|have been|is|are|got)\s+(?:\p{L}+\s+)?(?:hacked|breached|hit|attacked|compromised|targeted|infected|affected|struck|defaced|disrupted|crippled|knocked|taken down|down|offline)\b|(?:(?:has|have|had)\s+)?(?:suffered|disclosed|confirmed|reported|announced|experienced|faced|came under|fell victim|notified|admitted|acknowledged|revealed|paid|refused to pay|declined to pay|decided not to pay|agreed to pay|refused to meet|learned|(?:is|was) investigating)\b[^.]{0,50}\b(?:breach|attack|hack|incident|intrusion|ransom|compromise|cyber|victim|demands?))|\s+(?:data\s+)?(?:breach|hack)\b)",
    )
});

/// Words that say someone came to harm, for victims named outside the cue sentences.
static HARM: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:affected|impacted|targeted|targeting|victims?|stolen|stole|steal|exposed|leaked|compromised|infected|locked|encrypted|tricked|duped|lured|scammed|defrauded|notified|warned|hit|attacked|breached|hacked|ransom|phishing|scam|fraudulent|malicious|personal (?:data|information|details)|credentials|passwords)\b",
    )
});

/// Whether the sentence holding `mention` says someone came to harm.
fn harm_nearby(text: &str, sentences: &[Range<usize>], mention: &Range<usize>) -> bool {
    containing(sentences, mention).is_some_and(|s| HARM.is_match(&text[s.clone()]))
}

/// Whether a type tells of a flaw (its disclosure or fix) rather than of an attack.
fn is_flaw_type(t: &IncidentType) -> bool {
    matches!(t, IncidentType::VulnerabilityDisclosure | IncidentType::PatchRelease)
}

/// Whether an attack type is among an incident's: unnamed attackers and victims belong to
/// attacks, not to vulnerability or patch news.
pub fn is_attack(incident: &Incident) -> bool {
    !is_flaw_type(&incident.kind) || incident.also.iter().any(|t| !is_flaw_type(t))
}

/// Words just before an unnamed group that say it came to harm: "affected customers",
/// "tricked users into".
static HARMED_GROUP_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:affected|affecting|impacted|impacting|targeted|targeting|targets|hit|hitting|infected|infecting|trick(?:ed|ing)?|lur(?:e|ed|ing)|dup(?:e|ed|ing)|scammed|defrauded|extort(?:ed|ing)?|notif(?:y|ied|ying)|warn(?:ed|ing)|attacked|attacking|compromised|victimi[sz]ed|locked|encrypted)\s+(?:the\s+|its\s+|their\s+)?(?:[\p{L}-]+\s+){0,2}$",
    )
});

/// Words just after an unnamed group that say it came to harm: "customers were affected".
static HARMED_GROUP_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^\s+(?:were|was|have been|had been|are|who were|who had|whose)\s+(?:\p{L}+\s+)?(?:affected|impacted|targeted|hit|infected|tricked|scammed|defrauded|notified|warned|attacked|compromised|exposed|stolen|locked|hacked|breached|victims?)\b",
    )
});

/// Whether the words next to a group's mention say it came to harm.
fn is_harmed_group(text: &str, mention: &Range<usize>) -> bool {
    HARMED_GROUP_BEFORE.is_match(before(text, mention.start)) || HARMED_GROUP_AFTER.is_match(after(text, mention.end))
}

/// Whether an entity is an unnamed group of attackers ("hackers").
pub(super) fn is_attacker_group(e: &Entity) -> bool {
    e.group_role == Some(GroupRole::Attacker)
}

fn before(text: &str, at: usize) -> &str {
    text::before(text, at, CONTEXT_BYTES)
}

fn after(text: &str, at: usize) -> &str {
    text::after(text, at, CONTEXT_BYTES)
}

/// Whether the words around `mention` say it was attacked.
pub(super) fn is_victim(text: &str, mention: &Range<usize>) -> bool {
    VICTIM_BEFORE.is_match(before(text, mention.start)) || VICTIM_AFTER.is_match(after(text, mention.end))
}

/// Words before a name that cheer or back it ("pro-Russian hackers", "Glory to Ukraine"):
/// the name is then neither the attack's doer nor its victim.
const CHEERS: [&str; 6] = ["pro-", "glory to ", "long live ", "slava ", "solidarity with ", "stand with "];

/// Words before a name that make it where a statement was posted ("claimed responsibility
/// on Telegram", "wrote on its X account"), not a party.
static CHANNEL_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:responsibility|credit|posted|posts|wrote|writes|said|says|announced|announces|tweeted|claimed|claims|published|shared)(?:\s[\w-]+){0,3}?\s(?:on|via)\s(?:its\s|their\s|his\s|her\s|a\s|the\s)?$",
    )
});

/// Whether the name at byte `at` is cheered or backed rather than a party.
fn is_cheered(text: &str, at: usize) -> bool {
    let before = text::before(text, at, 20).to_lowercase();
    CHEERS.iter().any(|c| before.ends_with(c))
}

/// "originating in Iran", "from Russia": where an attack came from, not who was hit.
pub(super) fn is_origin(text: &str, at: usize) -> bool {
    let before = before(text, at).trim_end();
    ["originating in", "originating from", "originated in", "from", "based in"].iter().any(|w| before.ends_with(w))
}

/// The role an entity's kind alone gives it, for kinds that name a party to any incident.
fn party_role(e: &Entity) -> Option<Role> {
    Some(match e.kind {
        EntityKind::ThreatActor => Role::Attacker,
        EntityKind::Malware => Role::Tool,
        EntityKind::Product => Role::AffectedProduct,
        EntityKind::Group if is_attacker_group(e) => Role::Attacker,
        EntityKind::Group if is_discoverer_group(e) => return None,
        EntityKind::Group => Role::Target,
        _ => return None,
    })
}

/// How an incident's parties are read: by which role model, in a short report or a long
/// article, and whether the incident is an attack (in news of a flaw or its fix, only the
/// context rules name a victim: the model learnt its targets from attacks).
pub(super) struct Reading<'a> {
    pub(super) model: &'a RoleModel,
    pub(super) short: bool,
    pub(super) attack: bool,
}

/// Entities mentioned in the evidence sentences, in the role their kind gives them or, for
/// the parties whose kind says nothing of it, the role model gives their likeliest mention; a
/// country the attack came from is its origin. Malware is the attack's tool, and its attacker
/// too where it is spoken of as its operators ("the Quelp ransomware gang claims").
pub(super) fn participants(
    entities: &[Entity],
    evidence: &[Range<usize>],
    text: &str,
    reading: &Reading,
) -> Vec<(usize, Role)> {
    let mut out = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        let mentions: Vec<_> = e
            .mentions
            .iter()
            .filter(|m| !is_cheered(text, m.start) && !CHANNEL_BEFORE.is_match(before(text, m.start)))
            .filter_map(|m| Some((m, containing(evidence, m)?)))
            .collect();
        if mentions.is_empty() {
            continue;
        }
        let modelled = || {
            let mut best: Option<(Role, f32)> = None;
            for &(m, sentence) in &mentions {
                if e.kind == EntityKind::Country && is_origin(text, m.start) {
                    return Some(Role::Origin);
                }
                // What the context rules say stands; the model reads what they do not cover.
                if is_victim(text, m) && e.kind != EntityKind::Malware {
                    return Some(Role::Target);
                }
                if !reading.attack {
                    continue;
                }
                let features = role_model::features(text, sentence, m, e.kind.as_str_name(), reading.short);
                let found = reading.model.role(&features);
                if found.is_some_and(|(_, p)| best.is_none_or(|(_, q)| p > q)) {
                    best = found;
                }
            }
            best.map(|(role, _)| role)
        };
        if role_model::is_candidate(e.kind) {
            out.extend(modelled().map(|role| (i, role)));
            continue;
        }
        out.extend(party_role(e).map(|role| (i, role)));
        if e.kind == EntityKind::Malware && modelled() == Some(Role::Attacker) {
            out.push((i, Role::Attacker));
        }
    }
    out
}

/// Parties mentioned outside the reports join the main incident (the first current one),
/// unless a report already gave them a role: articles name actors, malware, unnamed attackers
/// and victims, and victims said to be hacked, in sentences that carry no cue word. The finders,
/// vendors and products of a flaw join the incident that discloses or patches it.
pub(super) fn add_parties_elsewhere(
    incidents: &mut [Incident],
    entities: &[Entity],
    text: &str,
    sentences: &[Range<usize>],
) {
    let main = super::main_incident(incidents);
    let flaw = incidents.iter().position(is_flaw);
    let attack = main.is_some_and(|m| is_attack(&incidents[m]));
    let taken: HashSet<usize> = incidents.iter().flat_map(|i| i.participants.iter().map(|&(e, _)| e)).collect();
    for (i, e) in entities.iter().enumerate().filter(|(i, _)| !taken.contains(i)) {
        if let Some((flaw, role)) = flaw.zip(flaw_role(e, text)) {
            incidents[flaw].participants.push((i, role));
            continue;
        }
        let Some(main) = main else { continue };
        let role = match e.kind {
            EntityKind::Group if !attack || is_discoverer_group(e) => None,
            // Named once, away from the reports, a group is mostly spoken of in general
            // ("phishing often targets users"): then only the words next to it may say it was hit.
            EntityKind::Group if party_role(e) == Some(Role::Target) => match &e.mentions[..] {
                [once] => is_harmed_group(text, once),
                mentions => mentions.iter().any(|m| harm_nearby(text, sentences, m)),
            }
            .then_some(Role::Target),
            EntityKind::Organization | EntityKind::GovernmentBody if attack => {
                e.mentions.iter().any(|m| is_victim(text, m)).then_some(Role::Target)
            }
            EntityKind::Product => None,
            _ => party_role(e),
        };
        if let Some(role) = role {
            incidents[main].participants.push((i, role));
        }
    }
}

/// Unnamed victims ("users", "customers") belong to attacks: in news of a flaw or its fix they
/// are those who might be hit, not those who were. Runs once the type model has settled the
/// incidents' types.
pub(super) fn drop_unnamed_victims_of_flaws(incidents: &mut [Incident], entities: &[Entity]) {
    for incident in incidents.iter_mut().filter(|i| !is_attack(i)) {
        incident.participants.retain(|&(e, role)| role != Role::Target || entities[e].kind != EntityKind::Group);
    }
}

/// Whether an incident discloses or patches a flaw.
fn is_flaw(incident: &Incident) -> bool {
    is_flaw_type(&incident.kind) || incident.also.iter().any(is_flaw_type)
}

/// Whether an entity is an unnamed group of finders ("researchers").
fn is_discoverer_group(e: &Entity) -> bool {
    e.group_role == Some(GroupRole::Discoverer)
}

/// Words before a mention that make it the finder of a flaw: "researchers at", "found by".
static DISCOVERER_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)(?:researchers?|experts?|analysts?|team) (?:at|from|with|of)\s+(?:the\s+)?$|(?:discovered|found|spotted|uncovered|identified|reported|disclosed) by\s+(?:the\s+)?(?:\p{L}+\s+)?$",
    )
});

/// Words after a mention that make it the finder of a flaw: "X researchers found".
static DISCOVERER_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^(?:'s|’s)?\s+(?:security\s+)?(?:researchers?\s+|experts?\s+|team\s+)?(?:has\s+|have\s+)?(?:discovered|found|spotted|uncovered|identified|disclosed)\b",
    )
});

/// Words after a mention that make it the vendor that fixes a flaw: "X released a patch".
static VENDOR_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^(?:'s|’s)?\s+(?:has\s+|have\s+|had\s+)?(?:\p{L}+ly\s+)?(?:released|issued|rolled out|pushed out|shipped|patched|fixed|addressed)\b",
    )
});

/// The part an entity plays in a flaw's disclosure or fix, if any.
fn flaw_role(e: &Entity, text: &str) -> Option<Role> {
    match e.kind {
        EntityKind::Product => Some(Role::AffectedProduct),
        EntityKind::Group if is_discoverer_group(e) => Some(Role::Discoverer),
        EntityKind::Organization | EntityKind::Person | EntityKind::GovernmentBody => {
            let discoverer = e.mentions.iter().any(|m| {
                DISCOVERER_BEFORE.is_match(before(text, m.start)) || DISCOVERER_AFTER.is_match(after(text, m.end))
            });
            if discoverer {
                Some(Role::Discoverer)
            } else {
                (e.kind == EntityKind::Organization
                    && e.mentions.iter().any(|m| VENDOR_AFTER.is_match(after(text, m.end))))
                .then_some(Role::Vendor)
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::Temporality;

    fn incident(kind: IncidentType, participants: Vec<(usize, Role)>) -> Incident {
        Incident {
            kind,
            also: Vec::new(),
            confidence: 0.9,
            temporality: Temporality::Current,
            participants,
            occurred: None,
            attributions: Vec::new(),
            impact: Default::default(),
            evidence: Vec::new(),
        }
    }

    fn entity(kind: EntityKind, name: &str) -> Entity {
        Entity {
            kind,
            name: name.into(),
            mentions: Vec::new(),
            country_code: String::new(),
            external_id: String::new(),
            category: None,
            group_role: (kind == EntityKind::Group).then_some(GroupRole::Victim),
        }
    }

    #[test]
    fn a_group_named_once_is_harmed_only_by_the_words_next_to_it() {
        for (text, group, harmed) in [
            ("The scam tricked elderly customers into paying.", "customers", true),
            ("Some users were affected by the outage.", "users", true),
            ("Phishing is a growing problem, and users should stay alert.", "users", false),
            ("Ransomware hit the region, the report on businesses said.", "businesses", false),
        ] {
            let at = text.find(group).expect("group in text");
            assert_eq!(is_harmed_group(text, &(at..at + group.len())), harmed, "{text}");
        }
    }

    #[test]
    fn a_cheered_country_or_a_channel_is_no_party() {
        for (text, name, cheered) in [
            ("attacks by pro-Russian hackers", "Russian", true),
            ("My response: Glory to Ukraine.", "Ukraine", true),
            ("the attack on Ukraine", "Ukraine", false),
        ] {
            assert_eq!(is_cheered(text, text.find(name).expect("name in text")), cheered, "{text}");
        }
        for (text, channel) in [
            ("Killnet claimed responsibility on Telegram", true),
            ("the group wrote on its Telegram", true),
            ("hackers hit a bank on Telegram", false),
        ] {
            assert_eq!(CHANNEL_BEFORE.is_match(before(text, text.rfind(' ').expect("a space") + 1)), channel, "{text}");
        }
    }

    #[test]
    fn unnamed_victims_belong_to_attacks_not_to_flaws() {
        let entities = [entity(EntityKind::Group, "users"), entity(EntityKind::Organization, "Paymaxa")];
        let both = vec![(0, Role::Target), (1, Role::Target)];
        let mut incidents = [
            incident(IncidentType::VulnerabilityDisclosure, both.clone()),
            incident(IncidentType::DataBreach, both.clone()),
        ];
        drop_unnamed_victims_of_flaws(&mut incidents, &entities);
        assert_eq!(incidents[0].participants, [(1, Role::Target)]);
        assert_eq!(incidents[1].participants, both);
    }

    #[test]
    fn victims_are_told_by_the_words_around_them() {
        for (text, name) in [
            ("Hackers defaced the websites of Ukraine's Foreign Ministry.", "Foreign Ministry"),
            ("The European Parliament website was hit by a cyberattack.", "European Parliament"),
            ("Northfield Bank suffered a data breach last week.", "Northfield Bank"),
            ("A ransomware attack on Harbourline Hospital disrupted care.", "Harbourline Hospital"),
            ("Paymaxa's customers received phishing emails.", "Paymaxa"),
            ("Intruders broke into Quorvane Freight and took payroll files.", "Quorvane Freight"),
            ("Kestrel Mart has admitted that a breach exposed card numbers.", "Kestrel Mart"),
            ("Northfield Clinic paid the ransom on Friday.", "Northfield Clinic"),
            ("Northfield Clinic declined to pay the hackers' demands.", "Northfield Clinic"),
            ("Fallout from the Paymaxa breach continues.", "Paymaxa"),
        ] {
            let at = text.find(name).expect("name in text");
            assert!(is_victim(text, &(at..at + name.len())), "{text}");
        }
        for (text, name) in [
            ("Researchers at Brightlock Labs found the flaw.", "Brightlock Labs"),
            ("Microsoft released a patch on Tuesday.", "Microsoft"),
            ("Microsoft announced a new phone.", "Microsoft"),
            ("Microsoft has revealed a new phone and paid its staff.", "Microsoft"),
        ] {
            let at = text.find(name).expect("name in text");
            assert!(!is_victim(text, &(at..at + name.len())), "{text}");
        }
    }
}
