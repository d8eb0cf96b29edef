//! Hackers' handles: "a hacker going by the online handle of zorb1x", "a threat actor under
//! the moniker of Foozer", "a hacker calling himself "Quelp"", "hackers identifying
//! themselves as Ember Fox". The phrase says the next words are a name, so a handle is taken
//! however it is written (lowercase, digits, symbols), where other names need capitals.

use std::{ops::Range, sync::LazyLock};

use aho_corasick::{AhoCorasick, MatchKind};

use super::last_clause;
use crate::pipeline::{entities::gazetteer::is_word_boundary, text::before};

/// Words after which a handle follows, once what may stand between is skipped.
const HANDLE_WORDS: &[&str] = &[
    "handle",
    "moniker",
    "nickname",
    "alias",
    "pseudonym",
    "username",
    "user name",
    "name",
    "calling himself",
    "calling herself",
    "calling themselves",
    "calls himself",
    "calls herself",
    "call themselves",
    "identifying himself as",
    "identifying herself as",
    "identifying themselves as",
    "identified as",
    "goes by",
    "going by",
    "go by",
    "went by",
];

/// Words that may stand between a handle word and the handle: "the handle of X".
const LINKS: &[&str] = &["of", "as"];

/// Nouns for attackers, one of which must stand shortly before the handle word in its clause:
/// "the name of the hospital" names no hacker.
const ATTACKER_NOUNS: &[&str] = &[
    "hacker",
    "hackers",
    "hacktivist",
    "hacktivists",
    "attacker",
    "attackers",
    "actor",
    "actors",
    "cybercriminal",
    "cybercriminals",
    "group",
    "crew",
    "collective",
    "team",
];

/// How far before a handle word its attacker noun may stand, in bytes: "a Pakistani hacker
/// who goes by the online handle of".
const NOUN_REACH_BYTES: usize = 48;

/// Words of a handle at most ("Red hell Sofyan"), and bytes in quotes.
const MAX_HANDLE_WORDS: usize = 3;
const MAX_QUOTED_BYTES: usize = 40;

static HANDLE_CUES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(HANDLE_WORDS)
        .expect("the handle words build an automaton")
});

/// The handles `text` gives hackers, each once ("going by the handle of X" has two cues).
pub(super) fn introduced(text: &str) -> Vec<Range<usize>> {
    let mut handles: Vec<Range<usize>> = HANDLE_CUES
        .find_iter(text)
        .filter(|m| is_word_boundary(text, m.start(), m.end()) && attacker_noun_before(text, m.start()))
        .filter_map(|m| handle_after(text, m.end()))
        .collect();
    handles.dedup();
    handles
}

/// True when a noun for attackers stands shortly before `at` in its clause.
fn attacker_noun_before(text: &str, at: usize) -> bool {
    last_clause(before(text, at, NOUN_REACH_BYTES))
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| ATTACKER_NOUNS.iter().any(|n| n.eq_ignore_ascii_case(w)))
}

/// The handle right after `at`: past "the", an "online" or "group" word, a handle word,
/// "of" or "as"; then up to a closing quote, or words up to the first plain lowercase one.
fn handle_after(text: &str, at: usize) -> Option<Range<usize>> {
    let mut rest = text[at..].strip_prefix(' ')?;
    // "goes by the online handle of X": the words between repeat what the first one said.
    loop {
        let word = rest.split(' ').next().unwrap_or("");
        let skip = ["the", "online", "group", "twitter", "internet"].contains(&word)
            || LINKS.contains(&word)
            || HANDLE_WORDS.contains(&word);
        match rest.split_once(' ') {
            Some((_, next)) if skip => rest = next,
            _ => break,
        }
    }
    let start = text.len() - rest.len();
    if let Some(inside) = rest.strip_prefix(['"', '“', '\'', '‘']) {
        let close = inside.find(['"', '”', '\'', '’']).filter(|&c| c > 0 && c <= MAX_QUOTED_BYTES)?;
        let from = text.len() - inside.len();
        let handle = inside[..close].trim_end_matches([',', '.', ';', ':']);
        return (!handle.is_empty()).then(|| from..from + handle.len());
    }
    let mut end = start;
    for (i, word) in rest.split(' ').take(MAX_HANDLE_WORDS).enumerate() {
        let word = word.trim_end_matches([',', '.', ';', ':', ')', '!', '?']);
        // Another name in parentheses or after "aka" is an alias, no part of the handle.
        if word.contains(['(', ')']) || word.eq_ignore_ascii_case("aka") {
            break;
        }
        let plain = word.chars().all(|c| c.is_lowercase());
        // The first word may be lowercase ("zorb1x"), but not an ordinary word ("his").
        let handle_like = word.chars().any(|c| c.is_uppercase() || c.is_ascii_digit() || "_$@!^".contains(c));
        if word.is_empty() || (i > 0 && (plain || !handle_like && !word.starts_with(char::is_uppercase))) {
            break;
        }
        if i == 0 && !handle_like && !word.starts_with(char::is_uppercase) {
            return None;
        }
        end = start + (word.as_ptr() as usize - rest.as_ptr() as usize) + word.len();
        if !text[end..].starts_with(' ') {
            break;
        }
    }
    (end > start).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handles(text: &str) -> Vec<&str> {
        introduced(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn a_handle_phrase_names_the_hacker() {
        assert_eq!(handles("A hacker going by the online handle of zorb1x defaced the site."), ["zorb1x"]);
        assert_eq!(handles("A threat actor under the moniker of Quelpa leaks the data."), ["Quelpa"]);
        assert_eq!(handles("A hacker calling himself \"Ivo\" hijacked the pages."), ["Ivo"]);
        assert_eq!(handles("A Kurdish hacker using the name Zorb Vexa defaces five subdomains."), ["Zorb Vexa"]);
        assert_eq!(handles("A hacker, who goes by the name qu3lp_x, takes down sites."), ["qu3lp_x"]);
        assert_eq!(handles("Hackers identifying themselves as Ember Vox took the portal."), ["Ember Vox"]);
        assert_eq!(handles("Hackers identifying themselves as \"Quelpers,\" deface a site."), ["Quelpers"]);
    }

    #[test]
    fn an_alias_is_no_part_of_the_handle() {
        assert_eq!(handles("A hacker going by the handle of Vexa Kor (Vexa Heart) breaches it."), ["Vexa Kor"]);
        assert_eq!(handles("A hacker going by the name Zorb AKA @zorb1x breaches a forum."), ["Zorb"]);
    }

    #[test]
    fn a_name_with_no_hacker_before_it_is_no_handle() {
        assert!(handles("The name of the hospital was changed.").is_empty());
        assert!(handles("The company goes by the name of its founder.").is_empty());
        assert!(handles("A hacker going by the handle of his friend posted it.").is_empty());
        assert!(handles("The attacker was identified as a Chinese national.").is_empty());
    }
}
