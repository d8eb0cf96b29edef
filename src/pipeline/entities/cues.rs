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
    "spyware",
    "wiper",
    "worm",
    "dropper",
    "downloader",
    "keylogger",
    "rootkit",
    "implant",
    "implants",
    "payload",
    "payloads",
    "variant",
    "variants",
    "strain",
    "family",
    "sample",
    "samples",
    "exploit kit",
    "banker",
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
];

/// Words that mark the text around them as about attacks, without saying what the name is.
const CONTEXT_WORDS: &[&str] = &[
    "dubbed",
    "known as",
    "tracked as",
    "named",
    "campaign",
    "campaigns",
    "operation",
    "attack",
    "attacks",
    "attackers",
    "cyberattack",
    "cyber",
    "espionage",
    "infection",
    "infected",
    "c2",
    "c&c",
    "command-and-control",
    "phishing",
    "exploit",
    "exploited",
    "hacking",
    "hacked",
    "breach",
    "intrusion",
    "compromised",
];

/// How far, in bytes, a cue may be from the name it vouches for: about a dozen words.
const CUE_REACH_BYTES: usize = 80;

static CUES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(MALWARE_NOUNS.iter().chain(ACTOR_NOUNS).chain(CONTEXT_WORDS))
        .expect("the cue words build an automaton")
});

/// True when a cue word stands within reach of `name` in `text`, in the same sentence.
pub(super) fn near_cue(text: &str, name: &Range<usize>) -> bool {
    let stops_sentence = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    let left = before(text, name.start, CUE_REACH_BYTES);
    let left = left.rfind(stops_sentence).map_or(left, |i| &left[i + 1..]);
    let right = after(text, name.end, CUE_REACH_BYTES);
    let right = right.find(stops_sentence).map_or(right, |i| &right[..i]);
    let left_start = name.start - left.len();
    [(left, left_start), (right, name.end)].into_iter().any(|(part, offset)| {
        CUES.find_iter(part).any(|m| is_word_boundary(text, offset + m.start(), offset + m.end()))
    })
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
    }

    #[test]
    fn without_a_cue_the_word_is_a_word() {
        assert!(!cued("Cerberus guards the gates of the underworld in the myth.", "Cerberus"));
        assert!(!cued("The dog bit him. Hackers were not involved in any way at all here.", "dog"));
        assert!(!cued("She bought a machete and a patchwork quilt.", "machete"));
    }

    #[test]
    fn cues_must_be_whole_words() {
        assert!(!cued("Tick tock, the rattle of the grouped sparrows.", "Tick"), "'rat' in 'rattle' is no cue");
    }

    #[test]
    fn the_window_is_unicode_safe() {
        assert!(cued("Ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé: Alien, ein Trojan für Android.", "Alien"));
    }
}
