//! The gazetteers (countries, organisations and government bodies, threat actors, malware):
//! compiled into the binary, extended at start-up from STIX and MISP files, and matched with
//! one Aho-Corasick automaton shared by every request.

use std::{collections::HashMap, path::Path, time::Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use tracing::info;

use super::load::{self, Cluster, GazetteerError};
use crate::{pb::EntityKind, pipeline::Category};

const COUNTRIES: &str = include_str!("data/countries.tsv");
const ORGANIZATIONS: &str = include_str!("data/organizations.tsv");
const THREAT_ACTORS: &str = include_str!("data/threat_actors.tsv");
const MALWARE: &str = include_str!("data/malware.tsv");

/// Single words that files from elsewhere use as names but that news uses as words: loaded
/// aliases equal to one of these are skipped. The built-in tables avoid them by hand.
const COMMON_WORDS: &[&str] = &[
    "agent",
    "alpha",
    "apt",
    "arrow",
    "axiom",
    "bad",
    "bear",
    "black",
    "blue",
    "bronze",
    "cobalt",
    "comment",
    "copper",
    "crystal",
    "dark",
    "dragon",
    "dust",
    "eagle",
    "earth",
    "echo",
    "equation",
    "falcon",
    "fire",
    "flame",
    "fox",
    "ghost",
    "gold",
    "gray",
    "green",
    "grey",
    "hidden",
    "ice",
    "iron",
    "lotus",
    "magic",
    "mars",
    "mercury",
    "moon",
    "night",
    "ocean",
    "orange",
    "panda",
    "patchwork",
    "phantom",
    "pirate",
    "plugin",
    "poison",
    "purple",
    "quantum",
    "red",
    "royal",
    "ruby",
    "sandstorm",
    "shadow",
    "sharpshooter",
    "silence",
    "silver",
    "snake",
    "spider",
    "star",
    "steel",
    "stone",
    "storm",
    "sun",
    "tempest",
    "thunder",
    "tick",
    "tiger",
    "titan",
    "typhoon",
    "venom",
    "viper",
    "volt",
    "white",
    "wild",
    "winter",
    "wolf",
    "zero",
    "play",
    "hive",
    "cuba",
    "medusa",
    "target",
    "update",
    "server",
    "client",
    "loader",
    "stealer",
    "backdoor",
    "downloader",
    "dropper",
    "trojan",
    "worm",
    "virus",
    "ransom",
    "ransomware",
    "malware",
    "exploit",
    "payload",
    "bot",
    "botnet",
    "miner",
    "shell",
    "proxy",
    "tunnel",
    "remote",
    "control",
    "admin",
    "system",
    "windows",
    "linux",
    "android",
    "apple",
    "google",
    "microsoft",
    "office",
    "adobe",
    "java",
    "chrome",
    "firefox",
    "outlook",
    "word",
    "excel",
    "teams",
    "zoom",
    "slack",
    "telegram",
    "discord",
    "signal",
];

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
    /// Finer kind, where the built-in tables give one.
    pub category: Option<Category>,
}

/// A name found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<'g> {
    /// Byte range of the match.
    pub range: std::ops::Range<usize>,
    /// The entry it names.
    pub entry: &'g Entry,
}

/// What one gazetteer file added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// The file.
    pub path: String,
    /// Entries in the file.
    pub clusters: usize,
    /// Names not known before.
    pub names_added: usize,
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
        Builder::builtin().build()
    }

    /// The built-in gazetteer extended with the STIX bundles and MISP galaxy files at `paths`.
    /// A name already known keeps its entry; a file that cannot be read or parsed is an error.
    pub fn with_files(paths: &[impl AsRef<Path>]) -> Result<(Self, Vec<LoadReport>), GazetteerError> {
        let mut builder = Builder::builtin();
        let mut reports = Vec::new();
        for path in paths {
            let started = Instant::now();
            let clusters = load::read(path.as_ref())?;
            let before = builder.names.len();
            for cluster in &clusters {
                builder.cluster(cluster);
            }
            let report = LoadReport {
                path: path.as_ref().display().to_string(),
                clusters: clusters.len(),
                names_added: builder.names.len() - before,
            };
            info!(path = %report.path, clusters = report.clusters, names_added = report.names_added, took = ?started.elapsed(), "gazetteer loaded");
            reports.push(report);
        }
        Ok((builder.build(), reports))
    }

    /// How many surface names the automaton matches.
    pub fn len(&self) -> usize {
        self.pattern_entry.len()
    }

    /// True when the gazetteer knows no names.
    pub fn is_empty(&self) -> bool {
        self.pattern_entry.is_empty()
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
    /// Each surface name and its entry: the first table to name a thing owns the name.
    surfaces: HashMap<String, usize>,
}

impl Builder {
    fn builtin() -> Self {
        let mut b = Builder::default();
        for [code, name, aliases, adjectives, metonyms] in rows(COUNTRIES) {
            let entry = b.entry(EntityKind::Country, name, code, "", "");
            for surface in [name].into_iter().chain(items(aliases)).chain(items(adjectives)).chain(items(metonyms)) {
                b.name(surface, entry);
            }
        }
        for [kind, name, aliases, code, external_id] in rows(ORGANIZATIONS) {
            let kind = EntityKind::from_str_name(kind).expect("organizations.tsv names EntityKind values");
            let entry = b.entry(kind, name, code, external_id, "");
            b.names_of(entry, name, aliases);
        }
        for [name, aliases, code, external_id, category] in rows(THREAT_ACTORS) {
            let entry = b.entry(EntityKind::ThreatActor, name, code, external_id, category);
            b.names_of(entry, name, aliases);
        }
        for [name, aliases, external_id, category] in rows(MALWARE) {
            let entry = b.entry(EntityKind::Malware, name, "", external_id, category);
            b.names_of(entry, name, aliases);
        }
        b
    }

    fn entry(&mut self, kind: EntityKind, name: &str, code: &str, external_id: &str, category: &str) -> usize {
        self.entries.push(Entry {
            kind,
            name: name.to_string(),
            country_code: code.to_string(),
            external_id: external_id.to_string(),
            category: (!category.is_empty()).then(|| {
                Category::from_name(category)
                    .unwrap_or_else(|| panic!("built-in table names an unknown category {category:?}"))
            }),
        });
        self.entries.len() - 1
    }

    fn names_of(&mut self, entry: usize, name: &str, aliases: &str) {
        for surface in [name].into_iter().chain(items(aliases)) {
            self.name(surface, entry);
        }
    }

    /// Adds a surface name, unless another entry already owns it.
    fn name(&mut self, surface: &str, entry: usize) {
        if self.surfaces.contains_key(surface) {
            return;
        }
        self.surfaces.insert(surface.to_string(), entry);
        self.names.push(surface.to_string());
        self.pattern_entry.push(entry);
    }

    /// Adds a loaded cluster: into the entry of the same kind that already owns one of its
    /// names, or as a new entry. Names that would match ordinary prose are skipped.
    fn cluster(&mut self, c: &Cluster) {
        let names: Vec<&str> = std::iter::once(c.name.as_str())
            .chain(c.aliases.iter().map(String::as_str))
            .map(str::trim)
            .filter(|n| usable_loaded_name(n))
            .collect();
        if names.is_empty() {
            return;
        }
        let known =
            names.iter().filter_map(|n| self.surfaces.get(*n)).copied().find(|&e| self.entries[e].kind == c.kind);
        let entry = match known {
            Some(entry) => {
                let e = &mut self.entries[entry];
                if e.external_id.is_empty() {
                    e.external_id.clone_from(&c.external_id);
                }
                if e.country_code.is_empty() {
                    e.country_code.clone_from(&c.country_code);
                }
                entry
            }
            None => self.entry(c.kind, names[0], &c.country_code, &c.external_id, ""),
        };
        for name in names {
            self.name(name, entry);
        }
    }

    fn build(self) -> Gazetteer {
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.names)
            .expect("the gazetteer fits an Aho-Corasick automaton");
        Gazetteer { entries: self.entries, pattern_entry: self.pattern_entry, automaton }
    }
}

/// A name from a file is used when it is long enough and not an ordinary word, which would
/// tag prose ("Equation", "Storm", lowercase "loader").
fn usable_loaded_name(name: &str) -> bool {
    let single_word = !name.contains(char::is_whitespace);
    name.chars().count() >= 3
        && !(single_word && name.chars().all(|c| c.is_lowercase()))
        && !(single_word && COMMON_WORDS.iter().any(|w| w.eq_ignore_ascii_case(name)))
}

/// Data rows of a TSV table with `N` columns; `#` lines are comments.
fn rows<const N: usize>(table: &'static str) -> impl Iterator<Item = [&'static str; N]> {
    table.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(|line| {
        let fields: Vec<&str> = line.split('\t').collect();
        fields
            .try_into()
            .unwrap_or_else(|f: Vec<&str>| panic!("built-in gazetteer row needs {N} columns, has {}: {line}", f.len()))
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
