//! The words that make a name nearby a cyber one: "the Cerberus banking trojan", "a group
//! known as Patchwork". Names that are also ordinary words or common names need one.

use std::{ops::Range, sync::LazyLock};

use aho_corasick::{AhoCorasick, MatchKind};

use super::gazetteer::is_word_boundary;
use crate::pipeline::text::{after, before};

/// Nouns for malicious software, singular and plural, as news and threat reports use them.
pub(super) const MALWARE_NOUNS: &[&str] = &[
    "malware",
    "ransomware",
    "trojan",
    "trojans",
    "rat",
    "rats",
    "backdoor",
    "backdoors",
    "botnet",
    "botnets",
    "loader",
    "loaders",
    "stealer",
    "stealers",
    "infostealer",
    "infostealers",
    "spyware",
    "wiper",
    "wipers",
    "worm",
    "worms",
    "dropper",
    "droppers",
    "downloader",
    "downloaders",
    "keylogger",
    "keyloggers",
    "rootkit",
    "rootkits",
    "implant",
    "implants",
    "payload",
    "payloads",
    "variant",
    "variants",
    "strain",
    "family",
    "families",
    "sample",
    "samples",
    "exploit kit",
    "remote access tool",
    "remote access tools",
    "hacking tool",
    "hacking tools",
    "ddos tool",
    "ddos bot",
    "irc bot",
    "banker",
    "bankers",
    "virus",
];

/// Nouns for the people behind attacks.
pub(super) const ACTOR_NOUNS: &[&str] = &[
    "group",
    "groups",
    "apt",
    "hackers",
    "hacker",
    "gang",
    "crew",
    "actor",
    "actors",
    "threat actor",
    "collective",
    "operators",
    "affiliates",
    "hacktivists",
    "cybercriminals",
    "adversary",
    "persona",
];

/// Words that introduce a name as one of an attacker's: "dubbed X", "tracked as X". Not
/// "named", "called" or "known as", which introduce any name ("a flaw known as Spectre").
const NAMING_WORDS: &[&str] = &["dubbed", "tracked as"];

/// Words that make the thing beside them a flaw or software, whatever cue is near: "Spectre
/// variant 2 vulnerabilities", "PHP code".
pub(super) const NOT_MALWARE_WORDS: &[&str] = &[
    "vulnerability",
    "vulnerabilities",
    "flaw",
    "flaws",
    "bug",
    "cve",
    "patch",
    "patches",
    "code",
    "script",
    "language",
];

static NOT_MALWARE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder().ascii_case_insensitive(true).build(NOT_MALWARE_WORDS).expect("the words build an automaton")
});

/// Words a cue may be from its name: "Cerberus banking trojan", "Tick, a cyber espionage
/// group", "the trojan Cerberus", "a group known as Patchwork". Farther, the cue is as likely
/// about something else the sentence names ("Tor", "PHP" in a report on malware).
const WORDS_AFTER: usize = 6;
const WORDS_BEFORE: usize = 3;

static CUES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(MALWARE_NOUNS.iter().chain(ACTOR_NOUNS).chain(NAMING_WORDS))
        .expect("the cue words build an automaton")
});

/// True when a cue word stands right beside `name` in `text`, in the same clause.
pub(super) fn near_cue(text: &str, name: &Range<usize>) -> bool {
    let stops = |c: char| matches!(c, '.' | '!' | '?' | ';' | ':' | '(' | ')' | '\n');
    let right = after(text, name.end, 64);
    // Quotes around the name are no words: 'a group calling itself "X"'.
    let quote = |c: char| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’' | '«' | '»');
    let right = words_span(&right[..right.find(stops).unwrap_or(right.len())], WORDS_AFTER, false);
    let left = before(text, name.start, 48).trim_end_matches(quote);
    let left = words_span(&left[left.rfind(|c| stops(c) || c == ',').map_or(0, |i| i + 1)..], WORDS_BEFORE, true);
    let found = |words: &AhoCorasick, part: &str, offset: usize| {
        words.find_iter(part).any(|m| is_word_boundary(text, offset + m.start(), offset + m.end()))
    };
    // Both windows are slices of `text`: where they start in it.
    let at = |part: &str| part.as_ptr() as usize - text.as_ptr() as usize;
    let (left_at, right_at) = (at(left), at(right));
    let cued = found(&CUES, right, right_at) || found(&CUES, left, left_at);
    cued && !found(&NOT_MALWARE, right, right_at) && !found(&NOT_MALWARE, left, left_at)
}

/// True when `name` is written in capitals amid lowercase prose ("STRONTIUM sent lures"), as
/// reports write actor and family names and prose does not write words: its capitals vouch
/// for it as a cue would. Not when it opens an identifier ("DESKTOP-PC").
pub(super) fn shouted(text: &str, name: &Range<usize>) -> bool {
    let written = &text[name.clone()];
    let capitals =
        written.chars().filter(|c| c.is_alphabetic()).count() >= 4 && !written.chars().any(char::is_lowercase);
    let identifier = text[name.end..].starts_with(['-', '_', '\\', '/', '.'])
        && text[name.end..].chars().nth(1).is_some_and(|c| !c.is_whitespace());
    let lowercase_word = |w: &str| w.chars().any(char::is_lowercase);
    let prose = before(text, name.start, 40).split_whitespace().next_back().is_some_and(lowercase_word)
        || after(text, name.end, 40).split_whitespace().next().is_some_and(lowercase_word);
    capitals && prose && !identifier
}

/// The first (or, `from_end`, the last) `n` words of `part`, as a slice of it.
fn words_span(part: &str, n: usize, from_end: bool) -> &str {
    let starts: Vec<usize> = part
        .char_indices()
        .filter(|&(i, c)| !c.is_whitespace() && part[..i].chars().next_back().is_none_or(char::is_whitespace))
        .map(|(i, _)| i)
        .collect();
    if starts.len() <= n {
        part
    } else if from_end {
        &part[starts[starts.len() - n]..]
    } else {
        &part[..starts[n]]
    }
}

/// True when a capitalised word other than a cue runs on from `name` ("Bart Groothuis"), or
/// one mid-sentence runs into it ("Simon Bart"): the name is part of a longer one.
pub(super) fn inside_longer_name(text: &str, name: &Range<usize>) -> bool {
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let is_cue = |w: &str| CUES.find(w).is_some_and(|m| m.range() == (0..w.len()));
    let next = text[name.end..].strip_prefix(' ').and_then(|rest| rest.split([' ', ',', '.', ';', ':']).next());
    let runs_on = next.is_some_and(|w| capitalised(w) && !is_cue(w));
    let left = text[..name.start].strip_suffix(' ');
    let previous = left.and_then(|l| l.rsplit(' ').next()).filter(|w| !w.is_empty());
    // A capitalised word after another word, not after a sentence's end.
    let mid_sentence = left.is_some_and(|l| {
        let mut words = l.rsplit(' ');
        words.next();
        words.next().is_some_and(|w| !w.ends_with(['.', '!', '?', ':']))
    });
    let joined = |w: &str| w.chars().next_back().is_some_and(char::is_alphanumeric);
    let runs_into = previous.is_some_and(|w| capitalised(w) && joined(w) && !is_cue(w) && mid_sentence);
    runs_on || runs_into
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cued(text: &str, name: &str) -> bool {
        let start = text.find(name).expect("the name is in the text");
        near_cue(text, &(start..start + name.len()))
    }

    #[test]
    fn a_cue_word_in_the_same_sentence_vouches_for_a_name() {
        assert!(cued("Researchers found the Cerberus banking trojan on phones.", "Cerberus"));
        assert!(cued("A group known as Patchwork sent the lures.", "Patchwork"));
        assert!(cued("Machete, the APT, returned.", "Machete"));
        assert!(cued("A group calling itself \"Cyber Army\" posted it.", "Cyber Army"));
    }

    #[test]
    fn without_a_cue_the_word_is_a_word() {
        assert!(!cued("Cerberus guards the gates of the underworld in the myth.", "Cerberus"));
        assert!(!cued("The dog bit him. Hackers were not involved in any way at all here.", "dog"));
        assert!(!cued("She bought a machete and a patchwork quilt.", "machete"));
    }

    #[test]
    fn flaws_and_code_beside_a_name_outweigh_a_cue() {
        assert!(!cued("It fixes the Spectre variant 2 vulnerabilities.", "Spectre"));
        assert!(!cued("The server ran malicious PHP code, a backdoor.", "PHP"));
    }

    #[test]
    fn cues_must_be_whole_words() {
        assert!(!cued("Tick tock, the rattle of the grouped sparrows.", "Tick"), "'rat' in 'rattle' is no cue");
    }

    #[test]
    fn a_word_of_a_longer_name_is_not_the_name() {
        let inside = |text: &str, name: &str| {
            let start = text.find(name).expect("the name is in the text");
            inside_longer_name(text, &(start..start + name.len()))
        };
        assert!(inside("According to Bart Groothuis, a cyber official.", "Bart"));
        assert!(inside("Analyst Simon Bart said the cyber attack ended.", "Bart"));
        assert!(!inside("The Bart ransomware encrypted files.", "Bart"));
        assert!(!inside("Bart Ransomware hit. Hospitals. Bart returned.", "Bart"));
        assert!(!inside("Ünï. Bart, the ransomware, hit.", "Bart"));
        assert!(!inside("They deployed NotPetya; Bart followed.", "Bart"));
    }

    #[test]
    fn capitals_amid_prose_vouch_for_a_name() {
        let shouts = |text: &str, name: &str| {
            let start = text.find(name).expect("the name is in the text");
            shouted(text, &(start..start + name.len()))
        };
        assert!(shouts("Then STRONTIUM sent the lures.", "STRONTIUM"));
        assert!(shouts("We saw COZY BEAR again.", "COZY BEAR"));
        assert!(!shouts("HEADLINE: STRONTIUM PRICES RISE", "STRONTIUM"), "a headline in capitals");
        assert!(!shouts("signed as CN = DESKTOP-PC by someone", "DESKTOP"));
        assert!(!shouts("Then Strontium sent the lures.", "Strontium"));
        assert!(!shouts("the RAT was found", "RAT"), "too short to tell");
    }

    #[test]
    fn the_window_is_unicode_safe() {
        assert!(cued("Ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé: Alien, ein Trojan für Android.", "Alien"));
    }
}
