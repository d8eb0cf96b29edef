//! Parties named by what they do: the agent of an attack verb is an attacker, whatever its
//! name looks like ("Foozer Crew defaces the site", "hacked by Ember Fox", "hackers from
//! Quillon"). One-line incident reports name their attackers so and no other way.

use std::{ops::Range, sync::LazyLock};

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

use super::{at_sentence_start, name_after, name_ending_at, word_ending_at};
use crate::pipeline::entities::{gazetteer::is_word_boundary, indicators};

/// Verbs only attackers do, in the active voice: a name before one is its agent.
const ATTACKER_VERBS: &[&str] = &[
    "hacks",
    "hacked",
    "hack",
    "defaces",
    "defaced",
    "deface",
    "breaches",
    "breached",
    "breach",
    "leaks",
    "leaked",
    "leak",
    "hijacks",
    "hijacked",
    "hijack",
    "takes down",
    "took down",
    "take down",
    "knocks offline",
    "knocked offline",
    "claims",
    "claimed",
    "claim",
    "ddoses",
    "ddosed",
    "infiltrates",
    "infiltrated",
    "infiltrate",
];

/// Verbs that malware does too ("Foozer steals passwords"): they vouch for a known name as
/// a cue does, and an attacker verb may follow them ("encrypted and leaked data").
const ACTION_VERBS: &[&str] = &[
    "steals",
    "stole",
    "steal",
    "encrypts",
    "encrypted",
    "encrypt",
    "targets",
    "targeted",
    "target",
    "compromises",
    "compromised",
    "compromise",
    "attacks",
    "attacked",
    "wipes",
    "wiped",
    "disrupts",
    "disrupted",
];

/// Words after a verb that open its object, so that the verb is one ("Foozer leaks a trove",
/// not "the Foozer leak exposed"). Claims are of responsibility or of having done something.
const OBJECT_OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "its",
    "their",
    "his",
    "her",
    "several",
    "multiple",
    "more",
    "over",
    "some",
    "about",
    "nearly",
    "around",
    "data",
    "into",
    "responsibility",
    "credit",
    "to",
    "and",
];

/// Words before `by` whose agent is an attacker: "defaced by Zorblax", "an attack by".
const PASSIVE_WORDS: &[&str] = &[
    "hacked",
    "defaced",
    "breached",
    "compromised",
    "targeted",
    "attacked",
    "claimed",
    "leaked",
    "stolen",
    "hijacked",
    "disrupted",
    "encrypted",
    "down",
    "offline",
    "conducted",
    "perpetrated",
    "orchestrated",
    "attack",
    "attacks",
    "cyberattack",
    "cyberattacks",
    "hack",
    "intrusion",
];

/// Nouns for attackers whose party follows after "from": "hackers from Zorblax".
const MEMBER_NOUNS: &[&str] = &["hackers", "hacktivists", "actors", "members", "operators", "affiliates", "attackers"];

/// Generic agents, written with a capital at a sentence's start: no party's name.
const GENERIC_AGENTS: &[&str] = &[
    "someone",
    "somebody",
    "nobody",
    "criminals",
    "cybercriminals",
    "thieves",
    "intruders",
    "scammers",
    "fraudsters",
    "insiders",
    "employees",
    "police",
    "authorities",
    "officials",
    "activists",
    "hacktivists",
    "spammers",
    "adversaries",
    "teenagers",
    "students",
    "users",
    "operators",
    "actors",
    "members",
    "affiliates",
    "attackers",
    "people",
    "one",
    "army",
];

/// Words before a name that make it their object, not the verb's subject: "the site of
/// Quillon hacked", "Operation Foozer targeted".
const NOT_SUBJECT_BEFORE: &[&str] = &[
    "of",
    "from",
    "in",
    "at",
    "on",
    "for",
    "with",
    "to",
    "by",
    "about",
    "against",
    "operation",
    "campaign",
    "'s",
    "’s",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    Attacker,
    Action,
}

static VERBS: LazyLock<(AhoCorasick, Vec<Verb>)> = LazyLock::new(|| {
    let attacker = ATTACKER_VERBS.iter().map(|w| (*w, Verb::Attacker));
    let (words, kinds): (Vec<&str>, Vec<Verb>) =
        attacker.chain(ACTION_VERBS.iter().map(|w| (*w, Verb::Action))).unzip();
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .start_kind(StartKind::Both)
        .build(words)
        .expect("the attack verbs build an automaton");
    (automaton, kinds)
});

/// The names `text` makes attackers by their deeds: before an attacker verb in the active
/// voice, after "by" an attack word, after "hackers from".
pub(super) fn introduced(text: &str) -> Vec<Range<usize>> {
    let mut names: Vec<Range<usize>> = Vec::new();
    for (verb, kind) in verbs(text) {
        if kind == Verb::Attacker || attacker_verb_follows(text, verb.end) {
            names.extend(agent_before(text, verb.start).filter(|r| !is_generic(text, r)));
        }
    }
    // After "by" or "from", a generic word is no name anywhere: "hackers from the Army".
    let generic = |r: &Range<usize>| GENERIC_AGENTS.contains(&text[r.clone()].to_lowercase().as_str());
    names.extend(names_after(text, " by ", PASSIVE_WORDS).filter(|r| !generic(r)));
    names.extend(names_after(text, " from ", MEMBER_NOUNS).filter(|r| !generic(r)));
    names
}

/// True when the name at `name` is the agent of an attack verb right after it, of either
/// list: a known name that acts so is meant ("Anonymous defaces", "Equation hacked").
pub(in crate::pipeline::entities) fn acts(text: &str, name: &Range<usize>) -> bool {
    verb_after(text, name).is_some()
}

/// True when the name at `name` acts as attackers do, not as malware: before an attacker
/// verb ("Foozer claims the attack", "Foozer encrypted and leaked data").
pub(super) fn acts_as_attacker(text: &str, name: &Range<usize>) -> bool {
    verb_after(text, name).is_some_and(|(kind, end)| kind == Verb::Attacker || attacker_verb_follows(text, end))
}

/// The attack verb right after the name at `name`, with an object, and where it ends.
fn verb_after(text: &str, name: &Range<usize>) -> Option<(Verb, usize)> {
    let at = name.end + 1;
    text[name.end..].strip_prefix(' ')?;
    let (automaton, kinds) = &*VERBS;
    let m = automaton.find(Input::new(text).range(at..).anchored(Anchored::Yes))?;
    let acts = is_word_boundary(text, m.start(), m.end())
        && object_follows(text, m.end())
        && !before_is_not_subject(text, name.start);
    acts.then(|| (kinds[m.pattern().as_usize()], m.end()))
}

/// The names right after `link` ("by", "from") where the word before it is one of `words`.
fn names_after<'t>(text: &'t str, link: &'t str, words: &'t [&str]) -> impl Iterator<Item = Range<usize>> + 't {
    text.match_indices(link).filter_map(move |(at, _)| {
        let word = word_ending_at(text, at).map(|s| text[s..at].to_lowercase())?;
        words.contains(&word.as_str()).then(|| name_after(text, at + link.len() - 1)).flatten()
    })
}

/// The attack verbs of `text` that have an object, as written in lowercase.
fn verbs(text: &str) -> impl Iterator<Item = (Range<usize>, Verb)> + '_ {
    let (automaton, kinds) = &*VERBS;
    automaton
        .find_iter(text)
        .filter(|m| is_word_boundary(text, m.start(), m.end()) && object_follows(text, m.end()))
        .map(|m| (m.range(), kinds[m.pattern().as_usize()]))
}

/// True when the word after `end` opens an object: an opener, a number, a name or a domain
/// ("Zorblax hacks foozle.com").
fn object_follows(text: &str, end: usize) -> bool {
    let Some(rest) = text[end..].strip_prefix(' ') else { return false };
    let word = &rest[..rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len())];
    word.starts_with(|c: char| c.is_ascii_digit() || c.is_uppercase())
        || OBJECT_OPENERS.contains(&word)
        || is_domain(&rest[..rest.find([' ', ',', ';', ')']).unwrap_or(rest.len())])
}

/// True when `token`, less a closing full stop, is a domain under a known public suffix
/// ("foozle.co.uk"), as the indicators stage reads one.
fn is_domain(token: &str) -> bool {
    let token = token.trim_end_matches('.');
    token.contains('.') && indicators::domain(token, false).is_some()
}

/// True when "and" and an attacker verb follow `end`: "encrypted and leaked".
fn attacker_verb_follows(text: &str, end: usize) -> bool {
    let Some(rest) = text[end..].strip_prefix(" and ") else { return false };
    ATTACKER_VERBS.iter().any(|v| rest.strip_prefix(v).is_some_and(|r| r.starts_with(' ')))
}

/// The name that ends one space before `verb`, unless a word before it makes it an object.
fn agent_before(text: &str, verb: usize) -> Option<Range<usize>> {
    let name = name_ending_at(text, verb, " ")?;
    (!before_is_not_subject(text, name.start)).then_some(name)
}

fn before_is_not_subject(text: &str, start: usize) -> bool {
    let end = text[..start].trim_end_matches(' ').len();
    let possessive = text[..start].ends_with("'s ") || text[..start].ends_with("’s ");
    let word = word_ending_at(text, end).map(|s| text[s..end].to_lowercase());
    possessive || word.is_some_and(|w| NOT_SUBJECT_BEFORE.contains(&w.as_str()))
}

/// True when the name at `name` is one generic word opening its sentence ("Criminals
/// breached the network").
fn is_generic(text: &str, name: &Range<usize>) -> bool {
    let word = text[name.clone()].to_lowercase();
    at_sentence_start(text, name.start) && GENERIC_AGENTS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agents(text: &str) -> Vec<&str> {
        introduced(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn the_subject_of_an_attacker_verb_is_an_attacker() {
        assert_eq!(agents("Zorblax Nine defaces the website of a town council."), ["Zorblax Nine"]);
        assert_eq!(agents("Quillonix claims responsibility for the outage."), ["Quillonix"]);
        assert_eq!(agents("In name of #OpFoo, the Vexmoor leak 20 GB of mail."), ["Vexmoor"]);
        assert_eq!(agents("Krelltide encrypted and leaked data stolen from a dentist."), ["Krelltide"]);
        assert_eq!(agents("Zorgax7 hacks foozle.co.uk and dumps 4,833 records."), ["Zorgax7"]);
    }

    #[test]
    fn a_malware_verb_alone_coins_no_attacker() {
        assert!(agents("Foozer steals passwords from browsers.").is_empty());
        assert!(agents("Foozer targeted the banks of three countries.").is_empty());
    }

    #[test]
    fn the_agent_after_by_or_from_is_an_attacker() {
        assert_eq!(agents("The city portal was defaced by Zorblax Nine last night."), ["Zorblax Nine"]);
        assert_eq!(agents("It suffered a ransomware attack by Krelltide."), ["Krelltide"]);
        assert_eq!(agents("Hackers from the Vexmoor Kin posted the files."), ["Vexmoor Kin"]);
        assert!(agents("Hackers from the Army posted the files.").is_empty());
    }

    #[test]
    fn nouns_objects_and_generic_agents_are_no_attackers() {
        // A noun, not a verb: nothing opens an object after it.
        assert!(agents("The Quillon leak exposed millions.").is_empty());
        // The name belongs to a preposition or a possessive before it.
        assert!(agents("The website of Quillon Mart hacked to show a message.").is_empty());
        assert!(agents("Data of Quillon Mart leaked the same day.").is_empty());
        assert!(agents("Criminals breached the network of a school.").is_empty());
        // Headline capitals are no verbs.
        assert!(agents("Quillon Hacked The Vote").is_empty());
    }

    #[test]
    fn a_known_name_that_acts_is_vouched_for() {
        let text = "Equation hacked the mail servers of a ministry.";
        assert!(acts(text, &(0..8)));
        assert!(!acts("The Equation was solved.", &(4..12)));
        let text = "Ryukka claims the attack on a hospital.";
        assert!(acts_as_attacker(text, &(0..6)));
        assert!(!acts_as_attacker("Ryukka encrypted the files of a hospital.", &(0..6)));
    }
}
