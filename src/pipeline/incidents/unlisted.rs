//! Parties no table or cue named: a capitalised name in an incident's sentence ("Keralty",
//! "La Piamontesa", "eKRÉTA") that the entities stage left alone becomes an entity when the
//! role model, reading where it stands in the clause, finds it the incident's target (an
//! organisation) or attacker (a threat actor). The model learnt these names apart from the
//! listed ones (kind `NAME`): an unlisted capitalised word is more often a sentence's first word
//! or a product than a party.

use std::ops::Range;

use super::{role_model, roles::Reading};
use crate::{
    pb::{EntityKind, Role},
    pipeline::{
        Entity,
        text::{dates::CALENDAR_WORDS, overlaps_any},
    },
};

/// The kind the role model knows unlisted names by.
pub const NAME: &str = "NAME";

/// Words a name may run to.
const MAX_WORDS: usize = 6;

/// Lowercase words that may join the words of a name ("Bank of Costa Rica", "Centro de la").
const CONNECTORS: [&str; 9] = ["of", "de", "del", "la", "di", "du", "des", "da", "the"];

/// Capitalised words that open a name without being part of it.
const DETERMINERS: [&str; 4] = ["The", "A", "An", "This"];

/// The words of `text` from byte `from`, with their ranges: runs of letters, digits and inner
/// `.`, `'`, `’`, `-`, `&`, without a possessive ending.
fn words(text: &str, from: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    let bytes = text.char_indices().map(|(i, c)| (i + from, c)).chain(std::iter::once((from + text.len(), ' ')));
    for (i, c) in bytes {
        let inner = start.is_some() && matches!(c, '.' | '\'' | '’' | '-' | '&');
        match (c.is_alphanumeric() || inner, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let word = &text[s - from..i - from];
                let word = word.strip_suffix("'s").or_else(|| word.strip_suffix("’s")).unwrap_or(word);
                let word = word.trim_end_matches(['.', '\'', '’', '-', '&']);
                if !word.is_empty() {
                    out.push(s..s + word.len());
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Whether a word can be part of a name: it holds a capital letter ("Keralty", "eKRÉTA"), is
/// no calendar word, and is no compound adjective ("English-speaking", "Kremlin-backed").
fn is_name_word(word: &str) -> bool {
    let adjective = word.rsplit_once('-').is_some_and(|(_, last)| last.chars().all(char::is_lowercase));
    word.chars().any(char::is_uppercase) && !CALENDAR_WORDS.contains(&word) && !adjective
}

/// Where the entities found are mentioned, sorted, for a name to stay clear of them.
pub struct Taken {
    mentions: Vec<Range<usize>>,
    longest: usize,
}

impl Taken {
    /// The mentions of `entities`.
    pub fn new(entities: &[Entity]) -> Self {
        let mut mentions: Vec<Range<usize>> = entities.iter().flat_map(|e| e.mentions.iter().cloned()).collect();
        mentions.sort_by_key(|r| r.start);
        let longest = mentions.iter().map(|m| m.len()).max().unwrap_or(0);
        Self { mentions, longest }
    }

    fn has(&self, r: &Range<usize>) -> bool {
        overlaps_any(&self.mentions, r, self.longest)
    }
}

/// The capitalised names in `sentence` of `text` clear of the `taken` mentions: runs of name
/// words joined by single spaces or connectors.
pub fn names(text: &str, sentence: &Range<usize>, taken: &Taken) -> Vec<Range<usize>> {
    let words = words(&text[sentence.clone()], sentence.start);
    let free = |w: &Range<usize>| !taken.has(w);
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if !(is_name_word(&text[w.clone()]) && free(w)) || DETERMINERS.contains(&&text[w.clone()]) {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut j = i + 1;
        while j < words.len() && j - i < MAX_WORDS {
            let joined = text[words[j - 1].end..words[j].start] == *" ";
            let word = &text[words[j].clone()];
            if !joined || !free(&words[j]) {
                break;
            }
            if is_name_word(word) {
                end = j;
            } else if !CONNECTORS.contains(&word) {
                break;
            }
            j += 1;
        }
        out.push(w.start..words[end].end);
        i = end + 1;
    }
    out
}

/// The unlisted names in `sentences` the role model gives a role, with the role and the
/// entity it makes: an organisation for a target, a threat actor for an attacker.
pub(super) fn parties(text: &str, sentences: &[Range<usize>], taken: &Taken, reading: &Reading) -> Vec<(Entity, Role)> {
    let mut out = Vec::new();
    for sentence in sentences {
        for name in names(text, sentence, taken) {
            let features = role_model::features(text, sentence, &name, NAME, reading.short);
            let Some((role, _)) = reading.model.role(&features) else { continue };
            let kind = match role {
                Role::Target => EntityKind::Organization,
                Role::Attacker => EntityKind::ThreatActor,
                _ => continue,
            };
            let entity = Entity {
                kind,
                name: text[name.clone()].to_string(),
                mentions: vec![name],
                country_code: String::new(),
                external_id: String::new(),
                category: None,
                group_role: None,
            };
            out.push((entity, role));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, taken: &[&str]) -> Vec<String> {
        let entities: Vec<Entity> = taken
            .iter()
            .map(|t| {
                let at = text.find(t).expect("taken in text");
                let mention = at..at + t.len();
                Entity {
                    kind: EntityKind::Country,
                    name: t.to_string(),
                    mentions: vec![mention],
                    country_code: String::new(),
                    external_id: String::new(),
                    category: None,
                    group_role: None,
                }
            })
            .collect();
        names(text, &(0..text.len()), &Taken::new(&entities)).into_iter().map(|r| text[r].to_string()).collect()
    }

    #[test]
    fn names_are_runs_of_capitalised_words_and_their_connectors() {
        assert_eq!(found("The Quelvo multinational firm suffers an attack.", &[]), ["Quelvo"]);
        assert_eq!(
            found("Hackers breached eZORBA, the company behind Quillon Rail of Vexland.", &[]),
            ["Hackers", "eZORBA", "Quillon Rail of Vexland"]
        );
        assert_eq!(found("Centro de la Quelp's data leaked on Monday.", &[]), ["Centro de la Quelp"]);
        assert_eq!(found("Mostly English-speaking and Kremlin-backed crews", &[]), ["Mostly"]);
    }

    #[test]
    fn names_stop_at_found_entities_and_punctuation() {
        assert_eq!(
            found("The Vexland Ministry of Quelp, hit by Zorblax.", &["Vexland"]),
            ["Ministry of Quelp", "Zorblax"]
        );
    }
}
