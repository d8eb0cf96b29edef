//! The built-in gazetteers (countries, organisations, threat actors, malware), compiled into
//! the binary and matched with one Aho-Corasick automaton built once at start-up.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::pb::EntityKind;

const COUNTRIES: &str = include_str!("data/countries.tsv");
const ORGANIZATIONS: &str = include_str!("data/organizations.tsv");

/// What a gazetteer name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Kind of the entity.
    pub kind: EntityKind,
    /// Canonical name.
    pub name: String,
    /// ISO 3166-1 alpha-2 code, or empty.
    pub country_code: String,
    /// Stable external id, or empty.
    pub external_id: String,
}

/// A name found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<'g> {
    /// Byte range of the match.
    pub range: std::ops::Range<usize>,
    /// The entry it names.
    pub entry: &'g Entry,
}

/// Surface names and the entries they stand for.
#[derive(Debug)]
pub struct Gazetteer {
    entries: Vec<Entry>,
    /// For each pattern of `automaton`, its entry.
    pattern_entry: Vec<usize>,
    automaton: AhoCorasick,
}

impl Gazetteer {
    /// The built-in gazetteer.
    pub fn builtin() -> Self {
        let mut builder = Builder::default();
        for fields in rows(COUNTRIES) {
            let [code, name, aliases, adjectives, metonyms] = fields;
            let entry = builder.entry(EntityKind::Country, name, code, "");
            for surface in [name].into_iter().chain(items(aliases)).chain(items(adjectives)).chain(items(metonyms)) {
                builder.name(surface, entry);
            }
        }
        for fields in rows(ORGANIZATIONS) {
            let [kind, name, aliases, code, external_id] = fields;
            let kind = EntityKind::from_str_name(kind).expect("organizations.tsv names EntityKind values");
            let entry = builder.entry(kind, name, code, external_id);
            for surface in [name].into_iter().chain(items(aliases)) {
                builder.name(surface, entry);
            }
        }
        builder.build()
    }

    /// Every whole-word match in `text`, leftmost-longest, in order.
    pub fn find<'g>(&'g self, text: &str) -> Vec<Hit<'g>> {
        self.automaton
            .find_iter(text)
            .filter(|m| is_word_boundary(text, m.start(), m.end()))
            .map(|m| Hit { range: m.range(), entry: &self.entries[self.pattern_entry[m.pattern().as_usize()]] })
            .collect()
    }
}

#[derive(Default)]
struct Builder {
    entries: Vec<Entry>,
    names: Vec<String>,
    pattern_entry: Vec<usize>,
}

impl Builder {
    fn entry(&mut self, kind: EntityKind, name: &str, code: &str, external_id: &str) -> usize {
        self.entries.push(Entry {
            kind,
            name: name.to_string(),
            country_code: code.to_string(),
            external_id: external_id.to_string(),
        });
        self.entries.len() - 1
    }

    fn name(&mut self, surface: &str, entry: usize) {
        self.names.push(surface.to_string());
        self.pattern_entry.push(entry);
    }

    fn build(self) -> Gazetteer {
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.names)
            .expect("the gazetteer fits an Aho-Corasick automaton");
        Gazetteer { entries: self.entries, pattern_entry: self.pattern_entry, automaton }
    }
}

/// Data rows of a TSV table with `N` columns; `#` lines are comments.
fn rows<const N: usize>(table: &'static str) -> impl Iterator<Item = [&'static str; N]> {
    table.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(|line| {
        let fields: Vec<&str> = line.split('\t').collect();
        fields
            .try_into()
            .unwrap_or_else(|f: Vec<&str>| panic!("gazetteer row needs {N} columns, has {}: {line}", f.len()))
    })
}

fn items(column: &str) -> impl Iterator<Item = &str> {
    column.split('|').filter(|s| !s.is_empty())
}

/// True when `text[start..end]` is not part of a longer word.
pub(super) fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, String)> {
        let g = Gazetteer::builtin();
        g.find(text).into_iter().map(|h| (text[h.range].to_string(), h.entry.name.clone())).collect()
    }

    #[test]
    fn countries_by_name_adjective_and_seat_of_government() {
        let found = names("Ukrainian officials said Moscow denied that Russia was behind it; the Kremlin agreed.");
        let want = [("Ukrainian", "Ukraine"), ("Moscow", "Russia"), ("Russia", "Russia"), ("the Kremlin", "Russia")];
        let found: Vec<(&str, &str)> = found.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(found, want);
    }

    #[test]
    fn longest_name_wins_and_words_stay_whole() {
        let found = names("NoName057(16) hit the European Parliament; Russians in Prussia.");
        assert_eq!(found[0], ("NoName057(16)".to_string(), "NoName057(16)".to_string()));
        assert_eq!(found[1].1, "European Parliament");
        assert!(!found.iter().any(|(s, _)| s == "Russia"), "Prussia is not Russia: {found:?}");
    }

    #[test]
    fn every_row_parses() {
        let g = Gazetteer::builtin();
        assert!(g.entries.iter().filter(|e| e.kind == EntityKind::Country).count() >= 249);
        assert!(g.entries.iter().all(|e| !e.name.is_empty()));
    }
}
