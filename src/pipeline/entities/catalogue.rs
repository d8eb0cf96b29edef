//! Generates the built-in catalogue of threat actors and malware from MISP galaxy files
//! (`incident-enricher catalogue`): one row per thing, its names from every galaxy merged into
//! one entry, and the list of names that read as ordinary English and so need a cyber cue.

use std::{
    collections::{HashMap, HashSet},
    fmt::Write as _,
    path::{Path, PathBuf},
};

use super::{
    cues::{ACTOR_NOUNS, MALWARE_NOUNS},
    gazetteer::{Builder, TECH_WORDS},
    load::{self, Cluster, GazetteerError},
};
use crate::pb::EntityKind;

/// How common a word must be (zipf: log10 of its frequency per billion words) to read as an
/// ordinary word or a common name when capitalised: "Tick" 3.8, "Lazarus" 3.3, "Quasar" 2.4.
const WORD_ZIPF: f32 = 2.0;

/// How common a word must be for a name made of it alone to be dropped: "Dark" 5.0, "Play"
/// 5.6 tag too much prose even beside a cue ("the dark web hackers").
const COMMON_ZIPF: f32 = 4.5;

/// Galaxies anyone may add to, which mix legitimate software and stray words in ("PHP",
/// "Hunt" as ransomware): a name only they give needs a cue, as an ordinary word does.
const CROWD_GALAXIES: &[&str] = &["ransomware", "rat", "backdoor", "botnet", "stealer", "exploit-kit"];

/// Galaxy types, most trusted first: the first to name a thing gives its canonical name.
const GALAXY_ORDER: &[&str] = &[
    "mitre-intrusion-set",
    "threat-actor",
    "microsoft-activity-group",
    "mitre-malware",
    "mitre-tool",
    "malpedia",
    "ransomware",
    "rat",
    "android",
    "backdoor",
    "botnet",
    "stealer",
    "exploit-kit",
];

/// How common English words are, by zipf, lowercase.
#[derive(Debug, Default)]
pub struct WordFrequencies(HashMap<String, f32>);

impl WordFrequencies {
    /// Reads `word<TAB>zipf` lines (as `scripts/word_frequencies.py` prints them).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut words = HashMap::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
            let (word, zipf) = line.split_once('\t').ok_or_else(|| format!("line {}: no tab in {line:?}", i + 1))?;
            let zipf: f32 =
                zipf.trim().parse().map_err(|e| format!("line {}: zipf {zipf:?} is not a number: {e}", i + 1))?;
            words.entry(word.to_lowercase()).or_insert(zipf);
        }
        Ok(Self(words))
    }

    fn zipf(&self, word: &str) -> f32 {
        self.0.get(&word.to_lowercase()).copied().unwrap_or(0.0)
    }
}

/// Whether a name can stand alone in prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// Only a name reads like this: "Emotet", "KasperAgent", "APT28", "Quasar RAT".
    Name,
    /// An ordinary word or common name too: tagged only beside a cyber cue.
    Ambiguous,
    /// So common a word that it would tag prose even beside a cue.
    Common,
}

/// How `name` reads in English prose, from how common its words are, their capitals and
/// length.
pub(super) fn reading(name: &str, words: &WordFrequencies) -> Reading {
    let tokens: Vec<&str> = name.split_whitespace().collect();
    let is_cue_noun = |t: &str| MALWARE_NOUNS.iter().chain(ACTOR_NOUNS).any(|n| n.eq_ignore_ascii_case(t));
    // Words no English sentence writes: digits, inner capitals ("njRAT", "KasperAgent").
    let coined = |t: &str| {
        t.chars().any(|c| c.is_ascii_digit())
            || t.chars().zip(t.chars().skip(1)).any(|(a, b)| a.is_lowercase() && b.is_uppercase())
    };
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    let is_tech = |t: &str| TECH_WORDS.iter().any(|w| w.eq_ignore_ascii_case(t));
    let file_name = name.contains(".exe") || name.contains(".dll");
    if letters == 0 || file_name || (tokens.len() == 1 && (is_cue_noun(tokens[0]) || is_tech(tokens[0]))) {
        return Reading::Common;
    }
    // A digit before a common word is jargon for the word ("0day"); after it, a version
    // ("Get2").
    let numbered_word = |t: &str| {
        let word = t.trim_start_matches(|c: char| c.is_ascii_digit());
        word.len() + 1 == t.len() && words.zipf(word) >= COMMON_ZIPF
    };
    if tokens.len() == 1 && numbered_word(tokens[0]) {
        return Reading::Common;
    }
    if tokens.iter().any(|t| is_cue_noun(t) || coined(t)) {
        return Reading::Name;
    }
    let zipfs: Vec<f32> = tokens.iter().map(|t| words.zipf(t.trim_matches(|c: char| !c.is_alphanumeric()))).collect();
    let all = |floor: f32| zipfs.iter().all(|&z| z >= floor);
    let short = tokens.len() == 1 && name.chars().count() <= 3;
    match tokens.len() {
        1 if all(COMMON_ZIPF) => Reading::Common,
        2.. if all(COMMON_ZIPF + 0.5) => Reading::Common,
        _ if all(WORD_ZIPF) || short => Reading::Ambiguous,
        _ => Reading::Name,
    }
}

/// The generated files' contents.
#[derive(Debug)]
pub struct Catalogue {
    /// `catalogue.tsv`: a row per threat actor or malware family.
    pub table: String,
    /// `readings.tsv`: the built-in actor and malware names that do not stand alone, each with
    /// what it needs: `cue`, `full name`, or `as written` (see [`name_readings`]).
    pub readings: String,
    /// Rows written.
    pub rows: usize,
    /// Galaxy clusters read.
    pub clusters: usize,
}

/// One thing the catalogue names, merged from the curated tables and the galaxies.
struct Node {
    kind: EntityKind,
    canonical: String,
    /// Names not in the curated tables, in the order first seen.
    names: Vec<String>,
    country_code: String,
    external_id: String,
    category: String,
    /// The curated entry it extends, or the galaxy file that first named it.
    origin: Origin,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The curated entry, by index.
    Curated(usize),
    /// The galaxy file, by index.
    Galaxy(usize),
}

/// Galaxy files in `dir` in the order [`GALAXY_ORDER`] trusts them, then by name.
pub fn galaxy_files(dir: &Path) -> Result<Vec<PathBuf>, GazetteerError> {
    let fail = |problem: String| GazetteerError { path: dir.display().to_string(), problem };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| fail(format!("cannot list: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    let rank = |p: &PathBuf| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let stem = name.trim_start_matches("misp-galaxy-").trim_end_matches(".json").to_string();
        (GALAXY_ORDER.iter().position(|t| *t == stem).unwrap_or(GALAXY_ORDER.len()), name)
    };
    files.sort_by_key(rank);
    if files.is_empty() {
        return Err(fail("holds no .json galaxy files".into()));
    }
    Ok(files)
}

/// Merges the clusters of `files` into the curated tables' actors and malware.
pub fn generate(files: &[PathBuf], words: &WordFrequencies) -> Result<Catalogue, GazetteerError> {
    let curated = Builder::curated();
    let mut merger = Merger {
        words,
        nodes: Vec::new(),
        keys: HashMap::new(),
        surfaces: HashSet::new(),
        taken: HashSet::new(),
        votes: HashMap::new(),
        direct: HashSet::new(),
        curated_sources: HashSet::new(),
        stems: HashSet::new(),
    };
    for (surface, &entry) in &curated.surfaces {
        if !is_catalogued(curated.entries[entry].kind) {
            merger.taken.insert(surface.clone());
        }
    }
    let mut derivations: Vec<(usize, String)> = Vec::new();
    for (entry, e) in curated.entries.iter().enumerate().filter(|(_, e)| is_catalogued(e.kind)) {
        let node = merger.node(e.kind, &e.name, Origin::Curated(entry));
        merger.nodes[node].country_code.clone_from(&e.country_code);
        merger.nodes[node].external_id.clone_from(&e.external_id);
        let mut names: Vec<&String> =
            curated.surfaces.iter().filter(|&(_, &i)| i == entry).map(|(surface, _)| surface).collect();
        names.sort();
        for name in &names {
            merger.keys.entry((e.kind, fold(name))).or_insert(node);
            merger.surfaces.insert((*name).clone());
            merger.direct.insert((*name).clone());
            merger.curated_sources.insert(fold(name));
            merger.stems.extend(stem(name, words).map(str::to_string));
        }
        derivations.extend(names.iter().flat_map(|n| derived(n, words)).map(|d| (node, d)));
    }
    for (node, name) in derivations {
        if merger.usable(merger.nodes[node].kind, &name) {
            merger.adopt(node, name);
        }
    }
    let galaxies = files.iter().map(|path| load::read(path)).collect::<Result<Vec<_>, _>>()?;
    // Each cluster's names, with those they derive: counted first, merged after.
    let names: Vec<Vec<Vec<String>>> =
        galaxies.iter().map(|clusters| clusters.iter().map(|c| names_of(c, words)).collect()).collect();
    for (file, clusters) in galaxies.iter().enumerate() {
        for (c, names) in clusters.iter().zip(&names[file]) {
            let crowd = CROWD_GALAXIES.contains(&c.galaxy.as_str());
            for name in std::iter::once(&c.name).chain(&c.aliases).map(|n| n.trim()) {
                merger.direct.insert(name.to_string());
                if !crowd {
                    merger.curated_sources.insert(fold(name));
                }
                merger.stems.extend(stem(name, words).map(str::to_string));
            }
            for name in names {
                let votes = merger.votes.entry(fold(name)).or_default();
                let kind = usize::from(c.kind == EntityKind::Malware);
                if !votes[kind].contains(&file) {
                    votes[kind].push(file);
                }
            }
        }
    }
    for (file, clusters) in galaxies.iter().enumerate() {
        for (cluster, names) in clusters.iter().zip(&names[file]) {
            merger.cluster(file, cluster, names);
        }
    }
    Ok(merger.write(&curated, files, galaxies.iter().map(Vec::len).sum()))
}

fn is_catalogued(kind: EntityKind) -> bool {
    matches!(kind, EntityKind::ThreatActor | EntityKind::Malware)
}

/// The catalogue as it is built.
struct Merger<'w> {
    words: &'w WordFrequencies,
    nodes: Vec<Node>,
    /// Merge keys (kind, folded name), each to its node.
    keys: HashMap<(EntityKind, String), usize>,
    /// Exact names some node holds.
    surfaces: HashSet<String>,
    /// Names the curated tables give to countries and organisations: theirs.
    taken: HashSet<String>,
    /// For each folded name, the galaxy files that give it to an actor, and to malware.
    votes: HashMap<String, [Vec<usize>; 2]>,
    /// Names some table or galaxy gives as they are, and names that are another's stem.
    direct: HashSet<String>,
    /// Folded names a curated table or a curated galaxy gives.
    curated_sources: HashSet<String>,
    stems: HashSet<String>,
}

impl Merger<'_> {
    fn node(&mut self, kind: EntityKind, canonical: &str, origin: Origin) -> usize {
        self.nodes.push(Node {
            kind,
            canonical: canonical.to_string(),
            names: Vec::new(),
            country_code: String::new(),
            external_id: String::new(),
            category: String::new(),
            origin,
        });
        self.nodes.len() - 1
    }

    /// Whether a name from a galaxy, or derived from another, may name a `kind`.
    fn usable(&self, kind: EntityKind, name: &str) -> bool {
        let single_lowercase_word = !name.contains(' ') && name.chars().all(char::is_lowercase);
        // An operation is a campaign of its actor, not the actor.
        let operation = kind == EntityKind::ThreatActor && name.starts_with("Operation ");
        // A name galaxies disagree on goes to the kind more of them give it ("HenBox").
        let outvoted = self.votes.get(&fold(name)).is_some_and(|[actor, malware]| {
            let (mine, other) = if kind == EntityKind::Malware { (malware, actor) } else { (actor, malware) };
            other.len() > mine.len()
        });
        name.chars().count() >= 3
            && !single_lowercase_word
            && !operation
            && !outvoted
            && !is_attack_id(name)
            && !name.contains(['\t', '|', '\n'])
            && !self.taken.contains(name)
            && !self.surfaces.contains(name)
            && reading(name, self.words) != Reading::Common
    }

    /// Gives `name` to `node`.
    fn adopt(&mut self, node: usize, name: String) {
        self.keys.entry((self.nodes[node].kind, fold(&name))).or_insert(node);
        self.surfaces.insert(name.clone());
        if name != self.nodes[node].canonical {
            self.nodes[node].names.push(name);
        }
    }

    /// Merges a cluster of galaxy file `file` into the first node another source gave one of
    /// its names, or makes it a node; a name two clusters of one galaxy share tells them
    /// apart, and merges nothing.
    fn cluster(&mut self, file: usize, c: &Cluster, all: &[String]) {
        let known = all
            .iter()
            .filter_map(|n| self.keys.get(&(c.kind, fold(n))))
            .copied()
            .find(|&i| self.nodes[i].origin != Origin::Galaxy(file));
        let names: Vec<String> = all.iter().filter(|n| self.usable(c.kind, n)).cloned().collect();
        let Some(first) = names.first() else { return };
        let node = match known {
            Some(node) => node,
            None => self.node(c.kind, &first.clone(), Origin::Galaxy(file)),
        };
        fill(&mut self.nodes[node], c);
        for name in names {
            self.adopt(node, name);
        }
    }

    /// What a name needs besides itself to be tagged, if anything.
    fn needs(&self, name: &str) -> Option<&'static str> {
        if self.stems.contains(name) && !self.direct.contains(name) {
            return Some("full name");
        }
        let letters: String = name.chars().filter(|c| c.is_alphabetic()).collect();
        let crowd_only = !self.curated_sources.contains(&fold(name))
            && stem(name, self.words).is_none_or(|s| !self.curated_sources.contains(&fold(s)));
        match reading(name, self.words) {
            Reading::Ambiguous | Reading::Common => Some("cue"),
            Reading::Name if crowd_only => Some("cue"),
            Reading::Name if !name.contains(' ') && self.words.zipf(&letters) >= WORD_ZIPF => Some("as written"),
            Reading::Name => None,
        }
    }

    fn write(self, curated: &Builder, files: &[PathBuf], clusters: usize) -> Catalogue {
        let sources: Vec<String> =
            files.iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
        let mut table = format!(
            "# Generated by `incident-enricher catalogue` from MISP galaxy clusters (CC0 1.0, see LICENSE.md):\n\
             # {}.\n# Do not edit: edit the curated tables beside this directory, or regenerate.\n\
             # KIND<TAB>Canonical name<TAB>aliases<TAB>country<TAB>external id<TAB>category\n\
             # A row whose name a curated entry of its kind holds adds to that entry.\n",
            sources.join(", ")
        );
        let mut rows = 0;
        for n in &self.nodes {
            if let Origin::Curated(entry) = n.origin {
                let e = &curated.entries[entry];
                if n.names.is_empty() && n.external_id == e.external_id && n.country_code == e.country_code {
                    continue;
                }
            }
            rows += 1;
            let _ = writeln!(
                table,
                "{}\t{}\t{}\t{}\t{}\t{}",
                n.kind.as_str_name(),
                n.canonical,
                n.names.join("|"),
                n.country_code,
                n.external_id,
                n.category
            );
        }
        let mut readings: Vec<(&String, &str)> =
            self.surfaces.iter().filter_map(|n| Some((n, self.needs(n)?))).collect();
        readings.sort();
        let mut listed = String::from(
            "# Generated by `incident-enricher catalogue`: built-in threat actor and malware names that do not\n\
             # stand alone. cue: reads as an ordinary word or common name, tagged only beside a cyber cue;\n\
             # full name: another name without its family noun, tagged only where the article names the\n\
             # thing otherwise too; as written: spells a word in other cases, so matched only as written.\n",
        );
        for (name, needs) in readings {
            let _ = writeln!(listed, "{name}\t{needs}");
        }
        Catalogue { table, readings: listed, rows, clusters }
    }
}

/// The names a cluster goes by, and the names they derive.
fn names_of(c: &Cluster, words: &WordFrequencies) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in std::iter::once(&c.name).chain(&c.aliases) {
        let name = raw.trim();
        for n in std::iter::once(name.to_string()).chain(derived(name, words)) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Other ways reports write a name: without its family noun, and a group's number apart from
/// its letters ("APT 29", "APT-29" for "APT29").
fn derived(name: &str, words: &WordFrequencies) -> Vec<String> {
    let mut out: Vec<String> = stem(name, words).map(str::to_string).into_iter().collect();
    let letters = name.find(|c: char| c.is_ascii_digit()).unwrap_or(name.len());
    let (prefix, number) = name.split_at(letters);
    let numbered = (2..=5).contains(&prefix.len())
        && prefix.chars().all(|c| c.is_ascii_uppercase())
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit());
    if numbered {
        out.extend([format!("{prefix} {number}"), format!("{prefix}-{number}")]);
    }
    out
}

/// A name without the family noun it ends in: "Spark" of "Spark backdoor", as reports write
/// the name alone once the family is clear. Not when what is left is ordinary words ("Donald
/// Trump" of "Donald Trump Ransomware"), which no cue would tell from prose.
fn stem<'n>(name: &'n str, words: &WordFrequencies) -> Option<&'n str> {
    let (stem, last) = name.rsplit_once(' ')?;
    let stem = stem.trim_end();
    let family_noun = MALWARE_NOUNS.iter().any(|n| n.eq_ignore_ascii_case(last));
    let telling = !stem.contains(' ') || reading(stem, words) == Reading::Name;
    (family_noun && telling).then_some(stem)
}

/// Takes a cluster's ids, country and category where the node has none.
fn fill(node: &mut Node, c: &Cluster) {
    let attack_id = std::iter::once(&c.external_id).chain(&c.aliases).find(|id| is_attack_id(id));
    if let Some(id) = attack_id.filter(|_| !is_attack_id(&node.external_id)) {
        node.external_id.clone_from(id);
    } else if node.external_id.is_empty() {
        node.external_id.clone_from(&c.uuid);
    }
    if node.country_code.is_empty() {
        node.country_code.clone_from(&c.country_code);
    }
    if node.category.is_empty() {
        node.category = c.category.map(|k| k.name().to_string()).unwrap_or_default();
    }
}

/// "G0007", "S0368": MITRE ATT&CK group and software ids.
fn is_attack_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && matches!(b[0], b'G' | b'S') && b[1..].iter().all(u8::is_ascii_digit)
}

/// The key names merge by: "Poison Ivy", "PoisonIvy" and "POISON IVY" are one name.
fn fold(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> WordFrequencies {
        WordFrequencies::parse(
            "the\t7.7\nof\t7.3\ndark\t5.0\nred\t5.3\nteam\t5.7\nagent\t4.8\nsmith\t4.9\ntick\t3.8\nlazarus\t3.3\n\
             quasar\t2.4\nday\t5.9\nget\t6.5\nmidnight\t4.3\nblizzard\t3.5\nemotet\t0.0\nrat\t3.9\ngroup\t5.6\n",
        )
        .expect("valid frequencies")
    }

    #[test]
    fn names_that_read_as_words_need_a_cue() {
        let w = words();
        for name in ["Tick", "Lazarus", "Quasar", "Agent Smith", "Midnight Blizzard", "TICK", "Zox"] {
            assert_eq!(reading(name, &w), Reading::Ambiguous, "{name}");
        }
    }

    #[test]
    fn names_no_sentence_writes_stand_alone() {
        let w = words();
        for name in
            ["Emotet", "KasperAgent", "njRAT", "APT28", "Quasar RAT", "Lazarus Group", "Sofacy", "Get2", "T9000"]
        {
            assert_eq!(reading(name, &w), Reading::Name, "{name}");
        }
    }

    #[test]
    fn the_commonest_words_are_no_names_at_all() {
        let w = words();
        for name in ["Dark", "Red Team", "Trojan", "Windows", "777", "cmd.exe", "0day"] {
            assert_eq!(reading(name, &w), Reading::Common, "{name}");
        }
    }

    #[test]
    fn names_derive_their_stem_and_spaced_numbers() {
        let w = words();
        assert_eq!(derived("Spark backdoor", &w), ["Spark"]);
        assert_eq!(derived("APT29", &w), ["APT 29", "APT-29"]);
        assert!(derived("Agent Smith Ransomware", &w).is_empty(), "ordinary words left are no stem");
        assert!(derived("Emotet", &w).is_empty());
    }

    #[test]
    fn bad_frequency_lines_are_named() {
        let err = WordFrequencies::parse("the\t7.7\nof seven\n").expect_err("no tab");
        assert!(err.contains("line 2"), "{err}");
        let err = WordFrequencies::parse("the\tmany\n").expect_err("not a number");
        assert!(err.contains("line 1") && err.contains("many"), "{err}");
    }
}
