//! Threat actors and malware no table holds, named by the text itself: "the Foozer
//! ransomware", "Grimbolt and Zanzi droppers", "a new Android trojan dubbed Foozer", "a group
//! known as Ember Fox", "Ember Fox, a cyber espionage group", "the Foozer ransomware gang".
//! A name the article introduces so is a name in its every other mention, and in its versions
//! ("Foozer2", "Foozer 1.2"). An alias given beside a known name ("Foozer (aka Fooz)") is
//! another name of that entity.
//!
//! Only the words beside a cue are read, so the cost is the cues', not the article's.

mod agents;
mod handles;
mod lists;

pub(super) use agents::acts;
pub(super) use lists::listed_beside;

use std::{collections::HashSet, ops::Range, sync::LazyLock};

use aho_corasick::{AhoCorasick, MatchKind};

use super::{
    cues::{ACTOR_NOUNS, MALWARE_NOUNS, NOT_MALWARE_WORDS},
    gazetteer::{TECH_WORDS, is_word_boundary},
    organizations::is_head,
};
use crate::{
    pb::EntityKind,
    pipeline::text::{before, dates::CALENDAR_WORDS, overlaps_any},
};

/// Words a name may have: most names are one or two, "Ember Fox Team" three.
const MAX_NAME_WORDS: usize = 3;

/// Members a list of names before one cue may have ("Foozer, Grimbolt and Zanzi droppers").
const MAX_MEMBERS: usize = 6;

/// Words back from a naming word that the noun it names may stand ("a new Android banking
/// trojan dubbed Foozer").
const NOUN_REACH_WORDS: usize = 5;

/// How far back an appositive may open before its noun, in bytes and in describing words
/// ("Foozer, a new Android banking trojan").
const APPOSITIVE_BYTES: usize = 64;
const APPOSITIVE_WORDS: usize = 4;

/// Words that may stand between a name and its malware noun, besides software words, and
/// how many: "the Foozer remote access trojan".
const DESCRIBING_WORDS: &[&str] =
    &["mobile", "banking", "modular", "custom", "remote", "access", "iot", "pos", "point-of-sale", "crypto", "mining"];
const MAX_DESCRIBING_WORDS: usize = 2;

/// Malware nouns that name what stands before them; "payload", "sample" or "family" are said
/// of anything ("the PowerShell payload").
const NAMING_NOUNS_EXCLUDED: &[&str] = &[
    "payload", "payloads", "sample", "samples", "family", "families", "variant", "variants", "strain", "implant",
    "implants",
];

/// Words that introduce the name after them; the noun before says what it names ("a trojan
/// dubbed Foozer", "a group known as Ember Fox", but "a flaw known as Spectre").
const NAMING_WORDS: &[&str] = &[
    "dubbed",
    "codenamed",
    "code-named",
    "nicknamed",
    "named",
    "called",
    "known as",
    "tracked as",
    "identified as",
    "calling itself",
    "calls itself",
];

/// Words between two names of one thing: "Foozer (aka Fooz)", "Ember Fox, also known as".
const ALIAS_WORDS: &[&str] = &["aka", "a.k.a.", "a.k.a", "also known as", "also called", "also tracked as"];

/// Actor nouns that a name's own last word can be ("Xing Team", "Foozer Gang").
const ACTOR_NAME_ENDS: &[&str] = &["Team", "Gang", "Crew", "Army", "Squad", "Collective", "Hackers"];

/// Capitalised words that open a noun phrase before a name but are none of it: "The new
/// Android Foozer trojan".
const OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "its",
    "their",
    "our",
    "his",
    "her",
    "new",
    "novel",
    "latest",
    "same",
    "another",
    "other",
    "such",
    "some",
    "many",
    "several",
    "both",
    "each",
    "every",
    "all",
    "any",
    "most",
    "multiple",
    "previous",
    "known",
    "unknown",
    "similar",
    "related",
    "first",
    "mobile",
    "banking",
    "modular",
    "custom",
    "fake",
    "malicious",
    "sophisticated",
    "commodity",
    "remote",
    "open-source",
    "ios",
    "macos",
    "mac",
    "iphone",
    "cyber",
    "crypto",
    "state-sponsored",
    "nation-state",
    "no",
    "top",
];

/// Capitalised words that are no part of a name either, but do not open one: after them, the
/// capitals run on from something else ("Microsoft Threat Intelligence group").
const NOT_NAME_WORDS: &[&str] = &[
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "to",
    "with",
    "of",
    "as",
    "and",
    "or",
    "but",
    "when",
    "after",
    "before",
    "while",
    "if",
    "how",
    "why",
    "what",
    "which",
    "who",
    "where",
    "we",
    "they",
    "it",
    "he",
    "she",
    "i",
    "you",
    "researchers",
    "experts",
    "security",
    "threat",
    "hacking",
    "state",
    "access",
    "operation",
    "campaign",
    "incident",
    "response",
    "attack",
    "attacks",
    "anti",
    "espionage",
    "cybercrime",
    "intelligence",
    "research",
    "aka",
];

/// Words after a malware noun that make the name before it the victim's: "the Kestrel Mart
/// ransomware attack".
const VICTIM_WORDS: &[&str] = &["attack", "attacks", "incident", "breach", "infection", "outbreak", "demand"];

/// Words that end a noun phrase and open something else: "Michael Gillespie, the creator of
/// ID-Ransomware" is no ransomware.
const CLAUSE_WORDS: &[&str] = &[
    "of", "by", "for", "in", "on", "at", "with", "from", "to", "that", "which", "who", "was", "is", "are", "were",
    "and", "or",
];

/// Words after an appositive's noun that may go on describing it: "Foozer, a backdoor written
/// in Go", "a trojan that steals".
const PHRASE_GOES_ON: &[&str] = &[
    "that",
    "which",
    "used",
    "designed",
    "written",
    "known",
    "targeting",
    "aimed",
    "capable",
    "first",
    "discovered",
    "spotted",
    "found",
    "also",
    "linked",
    "believed",
    "based",
    "operating",
    "active",
    "with",
    "from",
    "for",
];

/// Nouns after a malware or actor noun that make it describe them instead: "a ransomware
/// researcher", "a malware analysis firm".
const NOT_HEADS: &[&str] = &[
    "researcher",
    "researchers",
    "expert",
    "experts",
    "hunter",
    "hunters",
    "analyst",
    "analysts",
    "analysis",
    "author",
    "authors",
    "developer",
    "developers",
    "specialist",
    "specialists",
    "firm",
    "company",
    "vendor",
    "protection",
    "removal",
    "decryptor",
    "decrypter",
    "response",
    "attack",
    "attacks",
    "incident",
];

/// Nouns for one party of attackers, which may stand before its name.
const SINGULAR_ACTOR_NOUNS: &[&str] = &["group", "gang", "crew", "collective", "actor", "threat actor"];

/// Verbs by which one party names another: "the group Quillon calls Foozer".
const REFERRING_VERBS: &[&str] =
    &["calls", "called", "tracks", "tracked", "dubs", "dubbed", "names", "named", "refers"];

/// Counts that open a phrase about people: "Two Pakistani hackers".
const COUNT_WORDS: &[&str] = &["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozens"];

/// Nouns for the people behind malware: "the Foozer ransomware gang" names a gang.
const GANG_WORDS: &[&str] = &["gang", "group", "operators", "crew", "affiliates", "cartel"];

/// A name the article introduces, or another name of a known one.
#[derive(Debug)]
pub(super) struct Coined {
    pub(super) kind: EntityKind,
    /// The name as first introduced.
    pub(super) name: String,
    /// Every mention, in text order.
    pub(super) mentions: Vec<Range<usize>>,
    /// For an alias, the index of the known name it is given beside.
    pub(super) alias_of: Option<usize>,
}

/// A name the gazetteer found: where, and of what kind.
pub(super) struct Known {
    pub(super) range: Range<usize>,
    pub(super) kind: EntityKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cue {
    Malware,
    Actor,
    Naming,
    Alias,
}

static CUES: LazyLock<(AhoCorasick, Vec<Cue>)> = LazyLock::new(|| {
    let malware = MALWARE_NOUNS.iter().filter(|w| !NAMING_NOUNS_EXCLUDED.contains(w)).map(|w| (*w, Cue::Malware));
    // "the Google hacker" describes a person by another name; "Uyghur groups" are communities.
    let actors = ACTOR_NOUNS.iter().filter(|w| !matches!(**w, "hacker" | "groups")).map(|w| (*w, Cue::Actor));
    let naming = NAMING_WORDS.iter().map(|w| (*w, Cue::Naming));
    let alias = ALIAS_WORDS.iter().map(|w| (*w, Cue::Alias));
    let (words, kinds): (Vec<&str>, Vec<Cue>) = malware.chain(actors).chain(naming).chain(alias).unzip();
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(words)
        .expect("the cue words build an automaton");
    (automaton, kinds)
});

/// The names `text` introduces that `known` (the gazetteer's hits, in text order) does not
/// hold, with all their mentions, and the aliases it gives for known threat actors and malware.
pub(super) fn find(text: &str, known: &[Known]) -> Vec<Coined> {
    let (automaton, kinds) = &*CUES;
    // A country may be a word of a longer name ("Gaza Hacker Team"), not the whole of one nor
    // part of a word ("Pro-Russian").
    let (countries, names): (Vec<&Known>, Vec<&Known>) = known.iter().partition(|k| k.kind == EntityKind::Country);
    let taken: Vec<Range<usize>> = names.iter().map(|k| k.range.clone()).collect();
    let longest = taken.iter().map(ExactSizeIterator::len).max().unwrap_or(0);
    let within = |c: &Range<usize>, r: &Range<usize>| {
        if c.start < r.start || r.end < c.end {
            return false;
        }
        let word = (c.start == r.start || text[..c.start].ends_with(' '))
            && (c.end == r.end || text[c.end..].starts_with(' '));
        // "Two Pakistani hackers": a count and a nationality name nobody.
        let mut others = text[r.start..c.start].split_whitespace().chain(text[c.end..r.end].split_whitespace());
        word && others.any(|w| !COUNT_WORDS.contains(&w.to_lowercase().as_str()))
    };
    let free = |r: &Range<usize>| {
        !overlaps_any(&taken, r, longest)
            && !countries.iter().any(|c| c.range.start < r.end && r.start < c.range.end && !within(&c.range, r))
    };
    // What each cue introduces, and whether only by standing before the cue: such a name may
    // be an ordinary word with a sentence's capital ("Currently ransomware is").
    let mut introduced: Vec<(EntityKind, Range<usize>, bool)> = Vec::new();
    let mut aliases: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for m in automaton.find_iter(text).filter(|m| is_word_boundary(text, m.start(), m.end())) {
        let cue = &text[m.range()];
        let lowercase = cue.chars().all(|c| !c.is_uppercase());
        match kinds[m.pattern().as_usize()] {
            Cue::Malware => {
                if next_word_in(text, m.end(), VICTIM_WORDS) || in_title_or_detection(text, m.end(), lowercase) {
                    continue;
                }
                let kind =
                    if next_word_in(text, m.end(), GANG_WORDS) { EntityKind::ThreatActor } else { EntityKind::Malware };
                for name in members_before(text, m.start()) {
                    introduced.push((kind_of_name(&text[name.clone()], kind), name, true));
                }
                for name in members_in_parentheses(text, m.end()) {
                    introduced.push((kind_of_name(&text[name.clone()], kind), name, false));
                }
                if let Some((name, by_comma)) = appositive(text, m.start(), m.end()) {
                    introduced.push((kind_of_name(&text[name.clone()], kind), name, by_comma));
                }
            }
            // "the Foozer group", not "the Foozer Group" (a company's name), but "the Foozer APT".
            Cue::Actor if lowercase || cue == "APT" => {
                let names =
                    members_before(text, m.start()).into_iter().filter(|r| !is_demonym_shaped(&text[r.clone()]));
                introduced.extend(names.map(|r| (EntityKind::ThreatActor, r, true)));
                // "the threat group Foozer", "a hacking crew Ember Fox", but not "the group
                // Quillon calls Foozer" (a name given by someone else is the one after).
                let named_after = SINGULAR_ACTOR_NOUNS
                    .contains(&cue)
                    .then(|| name_after(text, m.end()))
                    .flatten()
                    .filter(|r| !next_word_in(text, r.end, REFERRING_VERBS));
                introduced.extend(named_after.map(|r| (EntityKind::ThreatActor, r, false)));
                introduced.extend(
                    appositive(text, m.start(), m.end()).map(|(r, by_comma)| (EntityKind::ThreatActor, r, by_comma)),
                );
            }
            Cue::Naming => {
                if let (Some(kind), Some(name)) = (noun_before(text, m.start()), name_after(text, m.end())) {
                    introduced.push((kind, name, false));
                }
            }
            Cue::Alias if lowercase => {
                let left = text[..m.start()].trim_end_matches([' ', '(', ',']);
                // "the MoleRATs group (aka ...)": the name before its noun.
                let noun = SINGULAR_ACTOR_NOUNS.iter().find_map(|n| left.strip_suffix(n)?.strip_suffix(' '));
                let left = noun.unwrap_or(left).len();
                let named_at = |r: Option<Range<usize>>, at: usize| {
                    let right = at + text[at..].len() - text[at..].trim_start_matches([' ', '"', '“']).len();
                    // A known name, unless it is only the first words of the one written.
                    let whole = |k: &&Known| r.as_ref().is_none_or(|r| k.range.end >= r.end);
                    known.iter().filter(whole).find(|k| k.range.start == right).map(|k| k.range.clone()).or(r)
                };
                let before = known
                    .iter()
                    .find(|k| k.range.end == left)
                    .map(|k| k.range.clone())
                    .or_else(|| name_ending_at(text, left, ""));
                // "(aka, The Gaza Cybergang": tokenised text's comma after the alias word.
                let at = if text[m.end()..].starts_with(" ,") { m.end() + 2 } else { m.end() };
                let mut after = named_at(name_after(text, at), at);
                // "(aka The Gaza Cybergang, Moonlight or DustySky)": each is another name.
                while let (Some(first), Some(other)) = (before.clone(), after.clone()) {
                    aliases.push((first, other.clone()));
                    let next = lists::SEPARATORS.iter().find(|(s, _)| text[other.end..].starts_with(s));
                    after = next.and_then(|(s, _)| {
                        let at = other.end + s.len() - 1;
                        named_at(name_after(text, at), at)
                    });
                }
            }
            _ => {}
        }
    }
    let agents = agents::introduced(text).into_iter().chain(handles::introduced(text));
    introduced.extend(agents.map(|r| (EntityKind::ThreatActor, r, false)));
    introduced.extend(lists::introduced(text, known).into_iter().map(|r| (EntityKind::Malware, r, false)));
    let mut coined: Vec<Coined> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut add = |coined: &mut Vec<Coined>, kind: EntityKind, range: Range<usize>, alias_of: Option<usize>| {
        let name = &text[range];
        // "USB worm", "ATM malware": short capitals alone say what the malware is for.
        let short_capitals =
            name.chars().filter(|c| c.is_alphabetic()).count() <= 3 && !name.chars().any(char::is_lowercase);
        if !names.contains(name) && !is_lowercase_elsewhere(text, name) && !short_capitals {
            names.insert(name.to_string());
            coined.push(Coined { kind, name: name.to_string(), mentions: Vec::new(), alias_of });
        }
    };
    for (kind, range, by_position) in introduced.into_iter().filter(|(_, r, _)| free(r)) {
        if !(by_position && only_opens_sentences(text, &text[range.clone()])) {
            add(&mut coined, kind, range, None);
        }
    }
    // Known names the article gives as another's alias: the mention names that other.
    let mut realiased: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for (before, after) in aliases {
        let owner = |r: &Range<usize>| known.iter().position(|k| k.range == *r && is_named_kind(k.kind));
        // "another group, Earworm (aka Zebrocy)": the noun before says what both name, and
        // may say otherwise than the known name's kind.
        let said = noun_before(text, before.start);
        match (owner(&before), owner(&after)) {
            (Some(k), None) if free(&after) => add(&mut coined, known[k].kind, after, Some(k)),
            (None, Some(k)) if free(&before) => match said.filter(|&kind| kind != known[k].kind) {
                Some(kind) => {
                    add(&mut coined, kind, before.clone(), None);
                    realiased.push((before, after));
                }
                None => add(&mut coined, known[k].kind, before, Some(k)),
            },
            // "APT28 (aka Sofacy)": a family's name given as a known actor's names the actor.
            (Some(a), Some(b)) if known[a].kind == EntityKind::ThreatActor && known[b].kind == EntityKind::Malware => {
                coined.push(Coined {
                    kind: EntityKind::ThreatActor,
                    name: text[after.clone()].to_string(),
                    mentions: Vec::new(),
                    alias_of: Some(a),
                });
                realiased.push((after.clone(), after));
            }
            _ => {}
        }
    }
    for c in &mut coined {
        c.mentions = mentions(text, &c.name).into_iter().filter(|r| free(r)).collect();
    }
    for (named, alias) in realiased {
        if let Some(c) = coined.iter_mut().find(|c| c.name == text[named.clone()]) {
            let at = c.mentions.partition_point(|r| r.start < alias.start);
            c.mentions.insert(at, alias);
        }
    }
    coined.retain(|c| !c.mentions.is_empty());
    coined
}

fn is_named_kind(kind: EntityKind) -> bool {
    matches!(kind, EntityKind::ThreatActor | EntityKind::Malware)
}

/// A name whose own last word is a noun for people ("Xing Team") is a threat actor's,
/// whatever malware noun follows it.
fn kind_of_name(name: &str, kind: EntityKind) -> EntityKind {
    let last = name.rsplit(' ').next().unwrap_or(name);
    if ACTOR_NAME_ENDS.contains(&last) { EntityKind::ThreatActor } else { kind }
}

/// True when the mention at `name` is a gang's, named after its malware: "the Foozer
/// ransomware gang", "Foozer operators", "Foozer claims the attack".
pub(super) fn names_a_gang(text: &str, name: &Range<usize>) -> bool {
    described_as_actor(text, name.end) || followed_by_gang_noun(text, name.end) || agents::acts_as_attacker(text, name)
}

/// True when an appositive right after `end` says a party of attackers: ", a cybercriminal
/// group".
fn described_as_actor(text: &str, end: usize) -> bool {
    let Some(rest) = text[end..].strip_prefix(", ") else { return false };
    let clause = &rest[..rest.find([',', '.', ';', ':', '(', ')']).unwrap_or(rest.len())];
    let Some(words) = ["a ", "an ", "the "].iter().find_map(|a| clause.strip_prefix(a)) else { return false };
    // Describing words, then the noun: not one after a malware noun or a word that turns to
    // another party ("a backdoor used by the group").
    for word in words.split(' ').take(APPOSITIVE_WORDS + 1) {
        if SINGULAR_ACTOR_NOUNS.contains(&word) {
            return true;
        }
        if MALWARE_NOUNS.contains(&word) || ["by", "of", "that", "which", "for", "with", "used"].contains(&word) {
            return false;
        }
    }
    false
}

/// True when a noun for people follows `end`, or a malware noun and then one: "Foozer
/// operators", "the Foozer ransomware gang".
fn followed_by_gang_noun(text: &str, end: usize) -> bool {
    let malware_noun = text[end..].strip_prefix(' ').and_then(|rest| {
        let noun = MALWARE_NOUNS.iter().find(|n| rest.get(..n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n)))?;
        Some(end + 1 + noun.len())
    });
    next_word_in(text, end, GANG_WORDS) || malware_noun.is_some_and(|at| next_word_in(text, at, GANG_WORDS))
}

/// True when `name` ends in a word shaped like a people's adjective ("Middle Eastern
/// hackers", "Tibetan groups"): before a noun for people, it says where they are from.
fn is_demonym_shaped(name: &str) -> bool {
    let last = name.rsplit(' ').next().unwrap_or(name);
    let plain = last.chars().skip(1).all(char::is_lowercase);
    plain && ["ern", "ese", "ian", "ean", "ish", "an"].iter().any(|end| last.ends_with(end))
}

/// The gang's name and mention in a family's name that [`names_a_gang`]: the name without
/// its malware noun ("Ryuk" of "Ryuk ransomware gang").
pub(super) fn gang_of(text: &str, name: &str, mention: Range<usize>) -> (String, Range<usize>) {
    let written = &text[mention.clone()];
    (without_malware_noun(name).to_string(), mention.start..mention.start + without_malware_noun(written).len())
}

/// `name` without a malware noun it ends in ("Ryuk" of "Ryuk ransomware").
pub(super) fn without_malware_noun(name: &str) -> &str {
    match name.rsplit_once(' ') {
        Some((head, last)) if MALWARE_NOUNS.iter().any(|n| n.eq_ignore_ascii_case(last)) => head,
        _ => name,
    }
}

/// True when a malware noun ending at `end` is a headline's ("How the Devastating Malware
/// Was Found": a capitalised noun before another capitalised word) or part of a detection name
/// ("Trojan.Linux.Foozer.B"), where the word before it need not be a name.
fn in_title_or_detection(text: &str, end: usize, lowercase: bool) -> bool {
    let rest = &text[end..];
    let detection = rest.starts_with(['.', '/', ':']) && rest[1..].starts_with(char::is_alphanumeric);
    let title = !lowercase && rest.strip_prefix(' ').is_some_and(|r| r.starts_with(char::is_uppercase));
    detection || title
}

/// True when `text` says that the name written `name` is malware, by a copula either way: "the
/// group's primary malware is Foozer", "Foozer is a modular backdoor". A known actor's name
/// is then its malware in this article.
pub(super) fn said_to_be_malware(text: &str, name: &str) -> bool {
    text.match_indices(name).filter(|&(at, _)| is_word_boundary(text, at, at + name.len())).any(|(at, _)| {
        let noun_is = text[..at].strip_suffix(" is ").and_then(|head| {
            let start = word_ending_at(head, head.len())?;
            Some(MALWARE_NOUNS.contains(&head[start..].to_lowercase().as_str()))
        });
        let is_a = ["is a ", "is an "].iter().find_map(|c| text[at + name.len()..].strip_prefix(' ')?.strip_prefix(c));
        let is_a_noun = is_a.is_some_and(|rest| {
            for word in rest.split(' ').take(APPOSITIVE_WORDS) {
                let word = word.trim_end_matches([',', '.']).to_lowercase();
                if ACTOR_NOUNS.contains(&word.as_str()) {
                    return false;
                }
                if MALWARE_NOUNS.contains(&word.as_str()) {
                    return true;
                }
            }
            false
        });
        noun_is == Some(true) || is_a_noun
    })
}

/// Platforms that open detection names besides malware nouns: "OSX.Foozer", "Win32.Foozer".
const DETECTION_PLATFORMS: &[&str] = &["osx", "macos", "win32", "win64", "linux", "android", "hacktool", "ransom"];

/// True when the name at `name` ends a detection name ("Trojan.Foozer", "OSX.Foozer"): a
/// malware noun or a platform, then a dot, right before it.
pub(super) fn in_detection_name(text: &str, name: &Range<usize>) -> bool {
    let Some(head) = text[..name.start].strip_suffix('.') else { return false };
    let start = head.char_indices().rev().find(|(_, c)| !c.is_alphanumeric()).map_or(0, |(i, c)| i + c.len_utf8());
    let word = head[start..].to_lowercase();
    MALWARE_NOUNS.contains(&word.as_str()) || DETECTION_PLATFORMS.contains(&word.as_str())
}

/// True when the word right after `at` (one space on) is one of `words`, whatever its case.
fn next_word_in(text: &str, at: usize, words: &[&str]) -> bool {
    let Some(rest) = text[at..].strip_prefix(' ') else { return false };
    let word = &rest[..rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len())];
    words.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The names right before a cue at `at`: one ("Foozer ransomware") or the members of a list
/// ("Foozer, Grimbolt and Zanzi droppers").
fn members_before(text: &str, at: usize) -> Vec<Range<usize>> {
    let Some(mut end) = text[..at].strip_suffix(' ').map(str::len) else { return Vec::new() };
    // Describing words between: "the Foozer banking trojan", "DeltaCharlie DDoS malware".
    for _ in 0..MAX_DESCRIBING_WORDS {
        let Some(start) = word_ending_at(text, end) else { break };
        let lower = text[start..end].to_lowercase();
        let describing = DESCRIBING_WORDS.contains(&lower.as_str()) || TECH_WORDS.contains(&lower.as_str());
        match text[..start].strip_suffix(' ') {
            Some(rest) if describing => end = rest.len(),
            _ => break,
        }
    }
    // Quotes around the name: 'the so-called "VPN Filter" malware', spaced in tokenised text.
    let quoted = text[..end].strip_suffix(['"', '”', '’', '\'']).map(|q| q.strip_suffix(' ').unwrap_or(q));
    let Some(first) = name_ending_at(text, quoted.map_or(end, str::len), "") else { return Vec::new() };
    let mut members = vec![first];
    while members.len() < MAX_MEMBERS {
        let start = members[members.len() - 1].start;
        let separator = [", and ", ", or ", " and ", " or ", ", "].into_iter().find(|s| text[..start].ends_with(s));
        let Some(next) = separator.and_then(|s| name_ending_at(text, start, s)) else { break };
        members.push(next);
    }
    members.reverse();
    members
}

/// The names in parentheses right after a malware noun: "Windows malware (Kasperagent,
/// Micropsia)".
fn members_in_parentheses(text: &str, at: usize) -> Vec<Range<usize>> {
    let rest = &text[at..];
    let Some(inside) = rest.strip_prefix(" (").or_else(|| rest.strip_prefix('(')) else { return Vec::new() };
    let Some(close) = inside.find(')').filter(|&c| c <= APPOSITIVE_BYTES) else { return Vec::new() };
    let start = text.len() - inside.len();
    let mut members = Vec::new();
    for part in inside[..close].split(',').flat_map(|p| p.split(" and ")) {
        let trimmed = part.trim_start_matches(' ');
        let from = start + (part.as_ptr() as usize - inside.as_ptr() as usize) + (part.len() - trimmed.len());
        let word = trimmed.trim_end_matches(' ');
        let all_name_words =
            !word.is_empty() && word.split(' ').count() <= MAX_NAME_WORDS && word.split(' ').all(is_name_word);
        if !all_name_words {
            return Vec::new();
        }
        members.push(from..from + word.len());
    }
    members
}

/// The name an appositive or a copula gives a noun from `at` to `end`: "Foozer, a new
/// Android trojan", "Ember Fox, a Chinese-speaking group", "Foozer is a backdoor"; and whether
/// by a comma, after which a sentence's first word may stand ("However, a new trojan").
/// Not when the noun describes another ("Anna Berg, a ransomware researcher").
fn appositive(text: &str, at: usize, end: usize) -> Option<(Range<usize>, bool)> {
    if next_word_in(text, end, NOT_HEADS) || !ends_phrase(text, end) {
        return None;
    }
    let window = before(text, at, APPOSITIVE_BYTES);
    let (introduction, words) = [", a ", ", an ", ", the ", " is a ", " is an "]
        .iter()
        .filter_map(|i| window.rfind(i).map(|p| (p, &window[p + i.len()..])))
        .max_by_key(|(p, _)| *p)?;
    // Only describing words between: lowercase, compounds, and the capitals that open names.
    let describing = |w: &str| {
        let lower = w.to_lowercase();
        let adjective = (w.contains('-') || lower == w) && !CLAUSE_WORDS.contains(&w);
        adjective || OPENERS.contains(&lower.as_str()) || TECH_WORDS.contains(&lower.as_str())
    };
    let between: Vec<&str> = words.split_whitespace().collect();
    let one_phrase = !words.contains(['.', ',', ';', ':', '!', '?', '(', ')']);
    if !one_phrase || between.len() > APPOSITIVE_WORDS || !between.iter().all(|w| describing(w)) {
        return None;
    }
    let by_comma = window[introduction..].starts_with(',');
    // Tokenised text spaces its commas: "Foozer , a backdoor".
    let name_end = at - window.len() + introduction;
    let name_end = if by_comma { text[..name_end].strip_suffix(' ').map_or(name_end, str::len) } else { name_end };
    name_ending_at(text, name_end, "").map(|name| (name, by_comma))
}

/// True when the noun phrase of an appositive ends at `end`, or goes on describing its noun;
/// not when a verb follows ("Costin Raiu, the malware was still spreading").
fn ends_phrase(text: &str, end: usize) -> bool {
    // Tokenised text spaces its punctuation: "a backdoor , used".
    let rest =
        text[end..].strip_prefix(' ').filter(|r| r.starts_with([',', '.', ';', ':', ')'])).unwrap_or(&text[end..]);
    rest.is_empty() || rest.starts_with([',', '.', ';', ':', ')', '—', '–']) || next_word_in(text, end, PHRASE_GOES_ON)
}

/// The name that ends right before `separator`, itself right before `at`: up to
/// [`MAX_NAME_WORDS`] name words. None when the capitals run on from a longer name or a
/// headline ("Microsoft Threat Intelligence group").
fn name_ending_at(text: &str, at: usize, separator: &str) -> Option<Range<usize>> {
    let end = text[..at].strip_suffix(separator)?.len();
    // A version closes a name: "the Guccifer 2.0 persona".
    let version = word_ending_at(text, end)
        .filter(|&s| text[s..end].starts_with(|c: char| c.is_ascii_digit()))
        .filter(|&s| text[s..end].chars().all(|c| c.is_ascii_digit() || c == '.'))
        .and_then(|s| text[..s].strip_suffix(' '))
        .map(str::len);
    let scan_from = version.unwrap_or(end);
    let (mut start, mut scan, mut words) = (scan_from, scan_from, 0);
    // A word ending in a full stop ends a sentence: the name is in the next one.
    let in_name = |s: usize, e: usize| !text[s..e].ends_with('.') && is_name_word(&text[s..e]);
    while let Some(s) = word_ending_at(text, scan).filter(|&s| in_name(s, scan)) {
        if words == MAX_NAME_WORDS {
            return None;
        }
        words += 1;
        start = s;
        match text[..s].strip_suffix(' ') {
            Some(rest) => scan = rest.len(),
            None => break,
        }
    }
    if words == 0 {
        return None;
    }
    let previous_end = text[..start].trim_end_matches(' ').len();
    let previous = word_ending_at(text, previous_end).map(|s| &text[s..previous_end]);
    let runs_on = previous.is_some_and(|w| {
        let lower = w.to_lowercase();
        w.starts_with(char::is_uppercase) && !OPENERS.contains(&lower.as_str()) && !TECH_WORDS.contains(&lower.as_str())
    });
    (!runs_on || at_sentence_start(text, start)).then_some(start..end)
}

/// True when the word at `at` opens its sentence or the text.
fn at_sentence_start(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    before.is_empty() || before.ends_with(['.', '!', '?', ':', '\n', '"', '“'])
}

/// Where the word ending at `end` starts, if one does.
fn word_ending_at(text: &str, end: usize) -> Option<usize> {
    let start = text[..end].char_indices().rev().take_while(|&(_, c)| is_word_char(c)).last().map(|(i, _)| i)?;
    Some(start)
}

/// The name right after `at` (one space on, quotes allowed, with the space that tokenised text
/// puts inside them: "“ Foozer ”"): up to [`MAX_NAME_WORDS`] name words.
fn name_after(text: &str, at: usize) -> Option<Range<usize>> {
    let rest = text[at..].strip_prefix(' ')?;
    let rest = rest.strip_prefix(['"', '“', '\'', '‘']).map_or(rest, |r| r.strip_prefix(' ').unwrap_or(r));
    let rest = rest.strip_prefix("the ").or_else(|| rest.strip_prefix("The ")).unwrap_or(rest);
    let start = text.len() - rest.len();
    let mut end = start;
    for _ in 0..MAX_NAME_WORDS {
        let word_end = end + text[end..].find(|c: char| !is_word_char(c)).unwrap_or(text.len() - end);
        let word = text[end..word_end].trim_end_matches(['.', '-', '_']);
        // "Gaza Hacker Team": a capitalised noun for people inside a name is a word of it.
        let inner = end > start
            && word.starts_with(char::is_uppercase)
            && ACTOR_NOUNS.contains(&word.to_lowercase().as_str())
            && text[end + word.len()..].strip_prefix(' ').is_some_and(|n| n.starts_with(char::is_uppercase));
        if word.is_empty() || !(is_name_word(word) || inner) {
            break;
        }
        end += word.len();
        let next = text[end..].strip_prefix(' ');
        match next.and_then(|n| n.chars().next()) {
            Some(c) if c.is_uppercase() => end += 1,
            _ => return Some(start..end),
        }
    }
    None
}

/// The noun a naming word at `at` names by: the nearest malware or actor noun a few words
/// before it in the clause; none past a word for a flaw or software ("a flaw known as Spectre").
fn noun_before(text: &str, at: usize) -> Option<EntityKind> {
    let clause = last_clause(&text[..at]);
    for word in clause.split_whitespace().rev().take(NOUN_REACH_WORDS) {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        if NOT_MALWARE_WORDS.contains(&word.as_str()) {
            return None;
        }
        if MALWARE_NOUNS.contains(&word.as_str()) || word == "kit" {
            return Some(EntityKind::Malware);
        }
        if ACTOR_NOUNS.contains(&word.as_str()) {
            return Some(EntityKind::ThreatActor);
        }
        // An article opens the phrase the naming word names: "the RAT registers a service
        // called X" names a service.
        if ["a", "an", "the"].contains(&word.as_str()) {
            return None;
        }
    }
    None
}

/// What follows the last mark that ends a sentence or a clause in `text`.
fn last_clause(text: &str) -> &str {
    &text[text.rfind(['.', ';', ':', '!', '?', '(', ')', '\n']).map_or(0, |i| i + 1)..]
}

/// Every mention of a coined `name`: as written or in capitals, and its versions written on
/// ("Foozer2" of "Foozer"), in text order.
fn mentions(text: &str, name: &str) -> Vec<Range<usize>> {
    let capitals = name.to_uppercase();
    let forms: &[&str] = if capitals == name { &[name] } else { &[name, &capitals] };
    let mut found: Vec<Range<usize>> = Vec::new();
    for form in forms {
        for (at, _) in text.match_indices(form) {
            let end = at + form.len();
            let version = text[end..].find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len() - end);
            let end = end + version;
            if is_word_boundary(text, at, end) {
                found.push(at..end);
            }
        }
    }
    found.sort_by_key(|r| r.start);
    found
}

/// True when a one-word `name` is written in lowercase elsewhere in `text`: a word that the
/// article's own prose writes so is a word ("banking"), not a name.
fn is_lowercase_elsewhere(text: &str, name: &str) -> bool {
    let lower = name.to_lowercase();
    !name.contains(' ')
        && lower != name
        && text.match_indices(&lower).any(|(at, _)| is_word_boundary(text, at, at + lower.len()))
}

/// True when a one-word `name` written as a word is (like "Currently" or "Retrieve") only
/// ever at the start of a sentence, where every word has its capital.
fn only_opens_sentences(text: &str, name: &str) -> bool {
    let plain = name.chars().skip(1).all(char::is_lowercase) && !name.contains(' ');
    plain
        && text
            .match_indices(name)
            .filter(|&(at, _)| is_word_boundary(text, at, at + name.len()))
            .all(|(at, _)| at_sentence_start(text, at))
}

/// Characters of one word of a name: letters, digits, and the dots, hyphens and underscores
/// inside versions and compounds ("Foozer.B", "Zanzi-2").
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// True when `word` may be part of a name: written with a capital first, or inside a word of
/// letters and digits ("njRAT"); no ordinary, calendar, software or organisation word, and no
/// compound of a lowercase word ("Foozer-based", "Russia-linked").
fn is_name_word(word: &str) -> bool {
    let word = word.trim_end_matches(['.', '-', '_']);
    let Some(first) = word.chars().next() else { return false };
    let camel =
        first.is_lowercase() && word.chars().all(char::is_alphanumeric) && word.chars().skip(1).any(char::is_uppercase);
    let lower = word.to_lowercase();
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    // "Foozer-based", "Arabic-Speaking", "Russia-linked": a word that describes.
    let describing = word.rsplit_once('-').is_some_and(|(_, tail)| {
        let tail_lower = tail.to_lowercase();
        let participle = tail_lower.ends_with("ing") || tail_lower.ends_with("ed");
        tail.chars().all(char::is_lowercase) || (tail.chars().all(char::is_alphabetic) && participle)
    });
    // "Svchost.exe", "Backdoor.Foozer.B": files and detection names, not families.
    let dotted = word.contains('.');
    let vulnerability = lower.starts_with("cve-");
    let ordinary = |list: &[&str]| list.contains(&lower.as_str());
    (first.is_uppercase() || camel)
        && letters >= 2
        && !describing
        && !dotted
        && !vulnerability
        && !ordinary(OPENERS)
        && !ordinary(NOT_NAME_WORDS)
        && !ordinary(TECH_WORDS)
        && !ordinary(MALWARE_NOUNS)
        && !ordinary(ACTOR_NOUNS)
        && !CALENDAR_WORDS.contains(&word)
        && !is_head(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names `text` introduces when nothing is known, as (kind, name, mentions).
    fn coined(text: &str) -> Vec<(EntityKind, String, usize)> {
        find(text, &[]).into_iter().map(|c| (c.kind, c.name, c.mentions.len())).collect()
    }

    fn one(kind: EntityKind, name: &str, mentions: usize) -> Vec<(EntityKind, String, usize)> {
        vec![(kind, name.to_string(), mentions)]
    }

    #[test]
    fn a_malware_noun_names_the_word_before_it() {
        let text = "Researchers found the Foozer ransomware on the servers. Later, Foozer deleted backups.";
        assert_eq!(coined(text), one(EntityKind::Malware, "Foozer", 2));
        assert_eq!(
            coined("Attackers used the new Grimbolt Loader to fetch it."),
            one(EntityKind::Malware, "Grimbolt", 1)
        );
    }

    #[test]
    fn each_member_of_a_list_is_named() {
        let names: Vec<String> =
            coined("They dropped the Grimbolt, Zanzi and Quelp droppers.").into_iter().map(|c| c.1).collect();
        assert_eq!(names, ["Grimbolt", "Zanzi", "Quelp"]);
    }

    #[test]
    fn naming_words_name_by_the_noun_before_them() {
        let text = "A new Android banking trojan dubbed Foozer spreads by text message.";
        assert_eq!(coined(text), one(EntityKind::Malware, "Foozer", 1));
        let text = "The hosts are part of a botnet , identified as Foozer , run from abroad.";
        assert_eq!(coined(text), one(EntityKind::Malware, "Foozer", 1));
        assert!(coined("The attacker was identified as a Chinese national.").is_empty());
        let text = "A hacking group known as Ember Fox targeted ministries.";
        assert_eq!(coined(text), one(EntityKind::ThreatActor, "Ember Fox", 1));
        assert_eq!(
            coined("A group calling itself \"Quelp Squad\" claimed it."),
            one(EntityKind::ThreatActor, "Quelp Squad", 1)
        );
        assert!(coined("The flaw known as Quillbleed was patched.").is_empty(), "a flaw is no malware");
        assert_eq!(
            coined("In June a group called “ Quelp Leakers ” on telegram posted it ."),
            one(EntityKind::ThreatActor, "Quelp Leakers", 1)
        );
        assert_eq!(coined("A hacker known as Zanzi posted the data."), one(EntityKind::ThreatActor, "Zanzi", 1));
        assert_eq!(coined("A hacker dubbed Zanzi aka Zan hacked it."), one(EntityKind::ThreatActor, "Zanzi", 1));
    }

    #[test]
    fn a_copula_says_a_name_is_malware() {
        assert!(said_to_be_malware("The group's primary malware is Quelp , which has two parts.", "Quelp"));
        assert!(said_to_be_malware("Quelp is a modular backdoor.", "Quelp"));
        assert!(!said_to_be_malware("Quelp is a group that uses a backdoor.", "Quelp"));
        assert!(!said_to_be_malware("The Quelp group is active; its malware is new.", "Quelp"));
    }

    #[test]
    fn a_detection_name_ends_in_the_family() {
        let text = "Detected as Trojan.Quelp and OSX.Quelp, not as Mr.Quelp.";
        let at = |from: usize| text[from..].find("Quelp").map(|i| from + i..from + i + 5).expect("in the text");
        let first = at(0);
        let second = at(first.end);
        assert!(in_detection_name(text, &first) && in_detection_name(text, &second));
        assert!(!in_detection_name(text, &at(second.end)));
    }

    #[test]
    fn appositives_and_copulas_name() {
        let text = "Ember Fox, a Chinese-speaking espionage group, sent lures.";
        assert_eq!(coined(text), one(EntityKind::ThreatActor, "Ember Fox", 1));
        assert_eq!(coined("Grimbolt is a backdoor written in Go."), one(EntityKind::Malware, "Grimbolt", 1));
        assert_eq!(
            coined("It was infected with Quelp Ivy , a popular backdoor ."),
            one(EntityKind::Malware, "Quelp Ivy", 1)
        );
        assert_eq!(coined("Zanzi is a DDoS tool used by the group."), one(EntityKind::Malware, "Zanzi", 1));
        assert_eq!(
            coined("They loaded the so-called “ Quelp Filter ” malware ."),
            one(EntityKind::Malware, "Quelp Filter", 1)
        );
        assert!(coined("Kestrel Mart. A ransomware outbreak followed.").is_empty());
    }

    #[test]
    fn malware_nouns_before_people_name_a_gang() {
        assert_eq!(coined("The Foozer ransomware gang leaked the files."), one(EntityKind::ThreatActor, "Foozer", 1));
        assert_eq!(coined("The Xanthe Team ransomware hit."), one(EntityKind::ThreatActor, "Xanthe Team", 1));
        let text = "The Hive ransomware gang struck.";
        let end = text.find(" ransomware").expect("in the text");
        assert!(names_a_gang(text, &(end - 4..end)));
        assert!(!names_a_gang("The Hive ransomware struck.", &(4..8)));
        assert!(names_a_gang("Hive claims the attack on a clinic.", &(0..4)), "a family that claims is its gang");
    }

    #[test]
    fn a_noun_for_one_party_names_the_name_after_it() {
        assert_eq!(coined("The threat group Quelp leaked the files."), one(EntityKind::ThreatActor, "Quelp", 1));
        assert!(coined("It is the group Quillon calls Foozer.").is_empty(), "Quillon names it, and is no group");
    }

    #[test]
    fn an_appositive_that_says_a_group_makes_a_family_name_a_gang() {
        let text = "Check Point describes Foozer Banker, a cybercriminal group that sends lures.";
        let end = text.find(", a").expect("in the text");
        assert!(names_a_gang(text, &(end - 12..end)));
        let text = "Foozer, a backdoor used by the group, returned.";
        assert!(!names_a_gang(text, &(0..6)), "the group is another party");
    }

    #[test]
    fn versions_and_capitals_are_mentions() {
        let text = "The Foozer backdoor returned as Foozer2, and FOOZER beacons hourly. Foozerine is another.";
        assert_eq!(coined(text), one(EntityKind::Malware, "Foozer", 3));
    }

    #[test]
    fn an_alias_beside_a_known_name_is_that_name() {
        let text = "Grimbolt (aka Zanzi) came back; Zanzi now steals keys.";
        let known = [Known { range: 0..8, kind: EntityKind::Malware }];
        let found = find(text, &known);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].name.as_str(), found[0].alias_of, found[0].mentions.len()), ("Zanzi", Some(0), 2));
        let text = "Another attack group, Earworm (aka Grimbolt), is active.";
        let start = text.find("Grimbolt").expect("in the text");
        let known = [Known { range: start..start + 8, kind: EntityKind::Malware }];
        let found = find(text, &known);
        assert_eq!((found[0].kind, found[0].alias_of), (EntityKind::ThreatActor, None), "the noun before says a group");
    }

    #[test]
    fn every_name_of_an_alias_list_is_an_alias() {
        let text = "Grimbolt (aka The Ember Fox, Quelp or Zanzi Team) is back.";
        let found = find(text, &[Known { range: 0..8, kind: EntityKind::ThreatActor }]);
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ember Fox", "Quelp", "Zanzi Team"]);
        assert!(found.iter().all(|c| c.alias_of == Some(0)));
    }

    #[test]
    fn a_known_family_given_as_an_actors_alias_names_the_actor() {
        let text = "The Grimbolt group ( aka , Zanzi , Ember Hacker Team ) is back; Zanzi spreads.";
        let zanzi = text.find("Zanzi").expect("in the text");
        let again = text.rfind("Zanzi").expect("in the text");
        let known = [
            Known { range: 4..12, kind: EntityKind::ThreatActor },
            Known { range: zanzi..zanzi + 5, kind: EntityKind::Malware },
            Known { range: again..again + 5, kind: EntityKind::Malware },
        ];
        let found = find(text, &known);
        let named: Vec<(&str, Option<usize>, Vec<usize>)> =
            found.iter().map(|c| (c.name.as_str(), c.alias_of, c.mentions.iter().map(|r| r.start).collect())).collect();
        let team = text.find("Ember").expect("in the text");
        // Only the alias names the actor; the later "Zanzi" stays the known family.
        assert_eq!(named, [("Zanzi", Some(0), vec![zanzi]), ("Ember Hacker Team", Some(0), vec![team])]);
        let text = "Another group, Earworm (aka Zanzi), is active.";
        let zanzi = text.find("Zanzi").expect("in the text");
        let found = find(text, &[Known { range: zanzi..zanzi + 5, kind: EntityKind::Malware }]);
        assert_eq!(
            (found[0].name.as_str(), found[0].mentions.len()),
            ("Earworm", 2),
            "the alias is the group's mention"
        );
    }

    #[test]
    fn a_country_is_a_word_of_a_name_but_no_name_alone() {
        let known = |text: &str, country: &str| {
            let at = text.find(country).expect("in the text");
            [Known { range: at..at + country.len(), kind: EntityKind::Country }]
        };
        let text = "A group known as the Libyan Ember Army defaced it.";
        let found = find(text, &known(text, "Libyan"));
        assert_eq!(found.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Libyan Ember Army"]);
        let cases = [
            ("Two Pakistani hackers defaced it.", "Pakistani"),
            ("Pro-Russian hackers hit it.", "Russian"),
            // A country found with the article before the name.
            ("Hackers from the Ukraine's Ember Army hit it.", "the Ukraine"),
        ];
        for (text, country) in cases {
            assert!(find(text, &known(text, country)).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_version_closes_a_name() {
        assert_eq!(coined("Then the Quelp 2.0 persona leaked it."), one(EntityKind::ThreatActor, "Quelp 2.0", 1));
    }

    #[test]
    fn known_names_are_not_coined_again() {
        let text = "The Foozer ransomware spread.";
        assert!(find(text, &[Known { range: 4..10, kind: EntityKind::Malware }]).is_empty());
    }

    #[test]
    fn words_that_only_look_like_names_are_not_names() {
        for text in [
            "The Kestrel Mart ransomware attack closed stores.",
            "Currently ransomware is the main threat. Currently, that is.",
            "Middle Eastern hackers and Tibetan groups were named.",
            "How the Devastating Malware Was Inserted Into Networks",
            "A report by the Microsoft Threat Intelligence group followed.",
            "It loads Trojan.Linux.Foozer.B and a USB worm and a PowerShell backdoor.",
            "Operation Blockbuster malware and Foozer-based trojans and Svchost.exe malware.",
            "The banking trojan Banking spreads; banking is hard.",
            "However, a new ransomware strain spread. Moreover, a backdoor.",
            "Anna Berg, a ransomware researcher, said so.",
            "According to Anna Berg, the malware was still spreading.",
            "Anna Berg, the creator of ID-Ransomware, agreed.",
            "Quelp is an attractive avenue for malware because it is popular.",
            "Request forgery (CSRF, or Quelp) was a sleeping giant.",
            "The RAT registers a service called AutoQuelp.",
            "The No 3 mobile malware is a trojan.",
            "It spread across Europe. Ransomware followed.",
        ] {
            assert!(coined(text).is_empty(), "{text}: {:?}", coined(text));
        }
    }

    #[test]
    fn offsets_hold_in_any_script() {
        let text = "Ünïcödé: the Föözer trojan hit Zürich. Föözer2 returned.";
        let found = find(text, &[]);
        assert_eq!(found[0].name, "Föözer");
        assert!(found[0].mentions.iter().all(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end)));
        assert_eq!(found[0].mentions.len(), 2);
    }
}
