//! The gazetteers (countries, organisations and government bodies, threat actors, malware):
//! curated tables and the catalogue generated from MISP galaxies, compiled into the binary,
//! extended at start-up from STIX and MISP files, and matched with one Aho-Corasick automaton
//! shared by every request.

use std::{collections::HashMap, path::Path, time::Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use tracing::info;

use super::load::{self, Cluster, GazetteerError};
use crate::{
    pb::EntityKind,
    pipeline::{Category, text::overlaps_any},
};

const COUNTRIES: &str = include_str!("data/countries.tsv");
const ORGANIZATIONS: &str = include_str!("data/organizations.tsv");
const THREAT_ACTORS: &str = include_str!("data/threat_actors.tsv");
const MALWARE: &str = include_str!("data/malware.tsv");
const CATALOGUE: &str = include_str!("data/catalogue/catalogue.tsv");
const READINGS: &str = include_str!("data/catalogue/readings.tsv");

/// Letters a threat actor or malware name needs before it matches in another case than its
/// own: short ones ("Duqu") are too near other words.
const MIN_CASELESS_LETTERS: usize = 5;

/// Letters a threat actor or malware name needs before digits written on it are its version:
/// "Ryuk2" is Ryuk's, "APT38" is no version of "APT3".
const MIN_VERSIONED_LETTERS: usize = 4;

/// Single words that files from elsewhere use as names but that news uses as words: loaded
/// aliases equal to one of these are skipped. The catalogue decides by word frequencies
/// instead, which a loaded file does not come with.
const ORDINARY_WORDS: &[&str] = &[
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
];

/// Single words for software, its parts and its makers, that galaxies use as names or aliases:
/// never a name of a threat actor or malware family, whatever the file.
pub(super) const TECH_WORDS: &[&str] = &[
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
    "unix",
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
    "php",
    "python",
    "javascript",
    "perl",
    "tor",
    "teamviewer",
    "anydesk",
    "powershell",
    "vbscript",
    "macro",
    "ddos",
    "msil",
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
    /// What the article must also say for the name to be the entry's.
    pub vouch: Vouch,
}

/// How a built-in name may match, as the catalogue's readings say.
#[derive(Debug, Clone, Copy)]
enum Reading {
    /// Tagged only with this vouching for it.
    Needs(Vouch),
    /// Spells an ordinary word in other cases: matched only as written.
    AsWritten,
}

/// What makes a name found in the text the gazetteer entry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vouch {
    /// Nothing: only a name reads like this.
    Alone,
    /// A cyber cue beside it, as it reads as an ordinary word too ("Tick", "Lazarus").
    Cue,
    /// The entry named by another name in the article, as it is a short form ("Spark" of
    /// "Spark backdoor").
    FullName,
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
    /// For each pattern, what vouches for it.
    pattern_vouch: Vec<Vouch>,
    /// The patterns.
    names: Vec<String>,
    /// Matches every pattern as written.
    automaton: AhoCorasick,
    /// Matches threat actor and malware patterns in any ASCII case, for
    /// [`Gazetteer::written_so`] to judge; each of its patterns' own index.
    caseless: AhoCorasick,
    caseless_pattern: Vec<usize>,
    /// Bytes of the longest pattern.
    longest: usize,
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
        let hit = |range: std::ops::Range<usize>, pattern: usize| Hit {
            range,
            entry: &self.entries[self.pattern_entry[pattern]],
            vouch: self.pattern_vouch[pattern],
        };
        let mut hits: Vec<Hit<'g>> = self
            .automaton
            .find_iter(text)
            .filter_map(|m| {
                let pattern = m.pattern().as_usize();
                let end = if is_word_boundary(text, m.start(), m.end()) {
                    m.end()
                } else {
                    self.version_written_on(text, m.start(), m.end(), pattern)?
                };
                Some(hit(m.start()..end, pattern))
            })
            .collect();
        let exact: Vec<std::ops::Range<usize>> = hits.iter().map(|h| h.range.clone()).collect();
        let before = hits.len();
        for m in self.caseless.find_iter(text) {
            let pattern = self.caseless_pattern[m.pattern().as_usize()];
            let written = &text[m.range()];
            let new = written != self.names[pattern]
                && self.written_so(written, pattern)
                && is_word_boundary(text, m.start(), m.end())
                && !overlaps_any(&exact, &m.range(), self.longest);
            if new {
                hits.push(hit(m.range(), pattern));
            }
        }
        if hits.len() > before {
            hits.sort_by_key(|h| h.range.start);
        }
        hits
    }

    /// Where a version written on a threat actor's or malware's name ends ("Shamoon2",
    /// "Foozer3.1"), when the name needs no cue ("Kraken0" is a word and digits), ends in a
    /// letter and is long enough that digits after it make no other name ("APT3" of "APT38").
    fn version_written_on(&self, text: &str, start: usize, end: usize, pattern: usize) -> Option<usize> {
        let entry = &self.entries[self.pattern_entry[pattern]];
        let name = &text[start..end];
        let named = matches!(entry.kind, EntityKind::ThreatActor | EntityKind::Malware)
            && self.pattern_vouch[pattern] == Vouch::Alone
            && name.ends_with(char::is_alphabetic)
            && name.chars().filter(|c| c.is_alphabetic()).count() >= MIN_VERSIONED_LETTERS;
        let run = version_digits(&text[end..]).filter(|&run| named && is_word_boundary(text, start, end + run))?;
        Some(end + run)
    }

    /// Whether `written`, the threat actor or malware name `pattern` in another case, stands
    /// for it: in capitals ("HIDDEN COBRA"), or, for a name no prose writes as a word, in any
    /// case with capitals inside ("MoleRATs" for "Molerats").
    fn written_so(&self, written: &str, pattern: usize) -> bool {
        let name = &self.names[pattern];
        let capitals = written.chars().all(|c| !c.is_lowercase());
        // Title case is how a company writes its name ("Synack" beside "SynAck").
        let telling = self.pattern_vouch[pattern] == Vouch::Alone
            && name.chars().filter(|c| c.is_alphabetic()).count() >= MIN_CASELESS_LETTERS
            && written.chars().filter(|c| c.is_uppercase()).count() >= 2;
        capitals || telling
    }
}

#[derive(Default)]
pub(super) struct Builder {
    pub(super) entries: Vec<Entry>,
    names: Vec<String>,
    pattern_entry: Vec<usize>,
    /// Each surface name and its entry: the first table to name a thing owns the name.
    pub(super) surfaces: HashMap<String, usize>,
    /// Names that do not stand alone, and what they need.
    readings: HashMap<&'static str, Reading>,
}

impl Builder {
    /// The curated tables and the generated catalogue.
    fn builtin() -> Self {
        let mut b = Self::curated();
        for [kind, name, aliases, code, external_id, category] in rows(CATALOGUE) {
            let kind = EntityKind::from_str_name(kind).expect("catalogue.tsv names EntityKind values");
            let entry = match b.surfaces.get(name) {
                Some(&e) if b.entries[e].kind == kind => {
                    b.fill(e, code, external_id);
                    e
                }
                _ => b.entry(kind, name, code, external_id, category),
            };
            b.names_of(entry, name, aliases);
        }
        b.readings = rows(READINGS)
            .map(|[name, needs]| {
                let reading = match needs {
                    "cue" => Reading::Needs(Vouch::Cue),
                    "full name" => Reading::Needs(Vouch::FullName),
                    "as written" => Reading::AsWritten,
                    other => panic!("readings.tsv: unknown need {other:?} of {name:?}"),
                };
                (name, reading)
            })
            .collect();
        b
    }

    /// The tables written by hand, which own their names: countries, organisations and
    /// government bodies, threat actors, malware.
    pub(super) fn curated() -> Self {
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

    /// Gives `entry` a country and an external id where it has none.
    fn fill(&mut self, entry: usize, code: &str, external_id: &str) {
        let e = &mut self.entries[entry];
        if e.external_id.is_empty() {
            e.external_id = external_id.to_string();
        }
        if e.country_code.is_empty() {
            e.country_code = code.to_string();
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
                self.fill(entry, &c.country_code, &c.external_id);
                entry
            }
            None => {
                let category = c.category.map_or("", Category::name);
                self.entry(c.kind, names[0], &c.country_code, &c.external_id, category)
            }
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
        let reading = |n: &String| self.readings.get(n.as_str()).copied();
        // Names in other cases: threat actors and malware, but not one word that reads as an
        // ordinary one ("DESKTOP"), nor names that spell one ("Legend" for "LeGeNd").
        let caseless_pattern: Vec<usize> = (0..self.names.len())
            .filter(|&i| {
                matches!(self.entries[self.pattern_entry[i]].kind, EntityKind::ThreatActor | EntityKind::Malware)
            })
            .filter(|&i| match reading(&self.names[i]) {
                None => true,
                Some(Reading::AsWritten) => false,
                Some(Reading::Needs(_)) => self.names[i].contains(' '),
            })
            .collect();
        let caseless = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(caseless_pattern.iter().map(|&i| &self.names[i]))
            .expect("the gazetteer fits an Aho-Corasick automaton");
        let pattern_vouch = self
            .names
            .iter()
            .map(|n| match reading(n) {
                Some(Reading::Needs(vouch)) => vouch,
                _ => Vouch::Alone,
            })
            .collect();
        let longest = self.names.iter().map(String::len).max().unwrap_or(0);
        Gazetteer {
            entries: self.entries,
            pattern_entry: self.pattern_entry,
            pattern_vouch,
            names: self.names,
            automaton,
            caseless,
            caseless_pattern,
            longest,
        }
    }
}

/// A name from a file is used when it is long enough and not an ordinary word, which would
/// tag prose ("Equation", "Storm", lowercase "loader").
fn usable_loaded_name(name: &str) -> bool {
    let single_word = !name.contains(char::is_whitespace);
    name.chars().count() >= 3
        && !(single_word && name.chars().all(|c| c.is_lowercase()))
        && !(single_word && ORDINARY_WORDS.iter().chain(TECH_WORDS).any(|w| w.eq_ignore_ascii_case(name)))
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

/// How long the version that opens `rest` is: digits and dots ("2", "4.2", "1.2.0.0"), without
/// a closing full stop; none unless a digit opens it.
pub(super) fn version_digits(rest: &str) -> Option<usize> {
    let run = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
    rest.starts_with(|c: char| c.is_ascii_digit()).then(|| rest[..run].trim_end_matches('.').len())
}

/// True when `text[start..end]` is not part of a longer word.
pub(super) fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}
