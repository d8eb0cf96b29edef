//! Measurements on annotated corpora, for tuning and for users checking the service on their
//! own labelled data: incident types and roles against CASIE-style annotations ([`score()`])
//! or short reports coded by people ([`reports`]), and how much text cleanup removes
//! ([`cleanup()`]).

pub mod cleanup;
pub mod reports;
pub mod roles;
pub mod score;
pub mod train;

use std::{collections::BTreeMap, fmt, path::Path};

pub use cleanup::{CleanupReport, cleanup};
pub use reports::ReportScores;
pub use roles::{RoleReport, train_roles};
pub use score::{Scores, score};
pub use train::{CvReport, TrainOptions, train};

use crate::{cli::input, pb};

/// A corpus record: an `Article` in proto3 JSON with CASIE's annotation (`labels` as a list of
/// event types, `arguments`), or a coded report (`labels` as groups decided either way,
/// `present`, `attackers`, `targets`, `attribution`); `published` is a date.
#[derive(Debug, serde::Deserialize)]
struct CorpusRecord {
    id: serde_json::Value,
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
    text: String,
    /// The publication date, `YYYY-MM-DD`.
    #[serde(default)]
    published: Option<String>,
    #[serde(default, rename = "publishedAt")]
    published_at: Option<String>,
    #[serde(default)]
    labels: Option<RecordLabels>,
    #[serde(default)]
    arguments: Vec<Argument>,
    /// A coded report's source.
    #[serde(default)]
    source: Option<String>,
    /// A coded report's code in its source's own words.
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    present: Vec<String>,
    #[serde(default)]
    attackers: Vec<(u32, u32)>,
    #[serde(default)]
    targets: Vec<(u32, u32)>,
    #[serde(default)]
    attribution: Option<String>,
}

/// What a record's `labels` holds: CASIE's event types, or a coded report's groups.
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum RecordLabels {
    Events(Vec<String>),
    Groups(BTreeMap<String, bool>),
}

/// An annotated role argument: a span of the text, in code points, and its role.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Argument {
    /// CASIE role name ("Attacker", "Victim", ...).
    pub role: String,
    /// First code point.
    pub start: u32,
    /// One past the last code point.
    pub end: u32,
    /// CASIE type of the event the argument belongs to ("Databreach", ...), if given.
    #[serde(default)]
    pub subtype: String,
}

/// A short incident report as people coded it (`../shared/news`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coded {
    /// The source, e.g. `cissm`.
    pub source: String,
    /// The source's own code ("External Denial of Service", "Account Hijacking").
    pub code: String,
    /// The groups of [`reports::GROUPS`] the code decides, and whether the report is in each.
    pub groups: BTreeMap<&'static str, bool>,
    /// Groups the code says the report is in without deciding their absence.
    pub present: Vec<&'static str>,
    /// Where the coded attackers are named, in code points.
    pub attackers: Vec<(u32, u32)>,
    /// Where the coded targets are named, in code points.
    pub targets: Vec<(u32, u32)>,
    /// `CLAIMED` or `ALLEGED`, when the code says who says the attacker did it.
    pub attribution: Option<String>,
}

/// What annotators said of an article.
#[derive(Debug, Clone)]
pub enum Gold {
    /// CASIE's annotation.
    Casie {
        /// Document-level event types (CASIE names: "Databreach", "Ransom", ...).
        labels: Vec<String>,
        /// Role arguments.
        arguments: Vec<Argument>,
    },
    /// A coded report.
    Coded(Coded),
}

/// An article and what annotators found in it.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The article, with its publication date when the record has one.
    pub article: pb::Article,
    /// The annotation.
    pub gold: Gold,
}

impl Labelled {
    /// The report's coding, if it is a coded report.
    pub fn coded(&self) -> Option<&Coded> {
        match &self.gold {
            Gold::Coded(coded) => Some(coded),
            Gold::Casie { .. } => None,
        }
    }
}

/// `YYYY-MM-DD` or RFC 3339 as a timestamp at the start of that day or instant.
fn timestamp(date: &str) -> Option<pbjson_types::Timestamp> {
    let seconds = match chrono::DateTime::parse_from_rfc3339(date) {
        Ok(t) => t.timestamp(),
        Err(_) => chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0)?.and_utc().timestamp(),
    };
    Some(pbjson_types::Timestamp { seconds, nanos: 0 })
}

/// The records of a JSONL corpus file in order, with their line numbers (from 1), or why a
/// line is not one.
fn corpus(path: &Path) -> Result<impl Iterator<Item = (usize, Result<Labelled, String>)>, input::InputError> {
    let file = std::fs::File::open(path).map_err(|source| input::InputError { path: path.to_path_buf(), source })?;
    Ok(std::io::BufRead::lines(std::io::BufReader::new(file))
        .enumerate()
        .filter(|(_, l)| !l.as_ref().is_ok_and(|l| l.trim().is_empty()))
        .map(|(i, line)| (i + 1, line.map_err(|e| e.to_string()).and_then(|l| record(&l)))))
}

/// A group name a coded record gives, as [`reports::GROUPS`] holds it.
fn group_name(name: &str) -> Result<&'static str, String> {
    reports::group(name).map(|(name, _)| name).ok_or_else(|| {
        let known: Vec<&str> = reports::GROUPS.iter().map(|(n, _)| *n).collect();
        format!("unknown group {name:?} (known: {})", known.join(", "))
    })
}

fn record(line: &str) -> Result<Labelled, String> {
    let record: CorpusRecord = serde_json::from_str(line)
        .map_err(|e| format!("not a labelled record (needs at least `id` and `text`): {e}"))?;
    let id = record.id.as_str().map_or_else(|| record.id.to_string(), str::to_string);
    let published_at = record.published_at.or(record.published).as_deref().and_then(timestamp);
    let article =
        pb::Article { id, text: record.text, title: record.title, url: record.url, published_at, ..Default::default() };
    let gold = match record.labels {
        Some(RecordLabels::Groups(groups)) => Gold::Coded(Coded {
            source: record.source.unwrap_or_default(),
            code: record.label.unwrap_or_default(),
            groups: groups.iter().map(|(g, &v)| Ok((group_name(g)?, v))).collect::<Result<_, String>>()?,
            present: record.present.iter().map(|g| group_name(g)).collect::<Result<_, _>>()?,
            attackers: record.attackers,
            targets: record.targets,
            attribution: record.attribution,
        }),
        Some(RecordLabels::Events(labels)) => Gold::Casie { labels, arguments: record.arguments },
        None => Gold::Casie { labels: Vec::new(), arguments: record.arguments },
    };
    Ok(Labelled { article, gold })
}

/// A corpus file that cannot be read, or a line of it that is not a labelled record.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The file cannot be opened.
    #[error(transparent)]
    Input(#[from] input::InputError),
    /// A line is not a record.
    #[error("{path}:{line}: {reason}")]
    BadRecord {
        /// The file.
        path: std::path::PathBuf,
        /// Line number, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// Every record of a labelled corpus, all of one kind (CASIE or coded reports); any bad line
/// is an error, since scores over a corpus with silently skipped articles would mislead.
pub fn read_labelled(path: &Path) -> Result<Vec<Labelled>, CorpusError> {
    let mut records: Vec<Labelled> = Vec::new();
    for (line, record) in corpus(path)? {
        let bad = |reason: String| CorpusError::BadRecord { path: path.to_path_buf(), line, reason };
        let record = record.map_err(bad)?;
        if let Some(first) = records.first()
            && first.coded().is_some() != record.coded().is_some()
        {
            let kind = |r: &Labelled| match r.coded() {
                Some(_) => ("a coded report", "coded reports"),
                None => ("a CASIE record", "CASIE records"),
            };
            return Err(bad(format!("{} in a corpus of {}", kind(&record).0, kind(first).1)));
        }
        records.push(record);
    }
    Ok(records)
}

/// Every record of each corpus in `paths`, in order: corpora of several kinds to learn from
/// together.
pub fn read_all(paths: &[std::path::PathBuf]) -> Result<Vec<Labelled>, CorpusError> {
    let mut records = Vec::new();
    for path in paths {
        records.extend(read_labelled(path)?);
    }
    Ok(records)
}

/// The scores of a corpus, by its kind.
#[derive(Debug, Clone)]
pub enum Report {
    /// Of CASIE records.
    Casie(Scores),
    /// Of coded reports.
    Coded(ReportScores),
}

/// Scores `predictions` against `gold` with the definitions of its kind's reference scorer:
/// `score_casie.py` or `score_incidents.py`.
pub fn evaluate(gold: &[Labelled], predictions: &[pb::EnrichResponse]) -> Report {
    if gold.first().is_some_and(|g| g.coded().is_some()) {
        Report::Coded(reports::score(gold, predictions))
    } else {
        Report::Casie(score(gold, predictions))
    }
}

impl Report {
    /// The scores as one JSON object, as the reference scorer's `--json` prints them.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Casie(s) => s.to_json(),
            Self::Coded(s) => s.to_json(),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Casie(s) => s.fmt(f),
            Self::Coded(s) => s.fmt(f),
        }
    }
}

/// One fold of a k-fold cross-validation.
#[derive(Debug)]
pub struct Fold<'a, T> {
    /// The items held out, with their indices.
    pub held_out: Vec<(usize, &'a T)>,
    /// The items trained on, in order.
    pub training: Vec<&'a T>,
}

/// The `k` folds of a cross-validation of `items`: item `i` is held out in fold `i % k` and
/// trained on in the others.
pub fn folds<T>(items: &[T], k: usize) -> impl Iterator<Item = Fold<'_, T>> {
    (0..k).map(move |fold| {
        let (held_out, training): (Vec<_>, Vec<_>) = items.iter().enumerate().partition(|(i, _)| i % k == fold);
        Fold { held_out, training: training.into_iter().map(|(_, item)| item).collect() }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_file(lines: &[serde_json::Value]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
        for line in lines {
            std::io::Write::write_all(&mut file, format!("{line}\n").as_bytes()).expect("written");
        }
        file
    }

    fn coded_line(id: &str, labels: serde_json::Value) -> serde_json::Value {
        serde_json::json!({"id": id, "source": "zine", "text": "Quelp Bank's portal is knocked offline.",
            "published": "2024-05-02", "label": "Web Outage", "labels": labels, "present": ["data"],
            "attackers": [[0, 5]], "targets": [[6, 10], [12, 14]], "attribution": "CLAIMED"})
    }

    #[test]
    fn a_coded_report_reads_with_its_groups_spans_and_date() {
        let file = corpus_file(&[coded_line("r1", serde_json::json!({"ddos": true, "message": false}))]);
        let records = read_labelled(file.path()).expect("reads");
        let coded = records[0].coded().expect("a coded report");
        assert_eq!(coded.code, "Web Outage");
        assert_eq!(coded.groups, [("ddos", true), ("message", false)].into());
        assert_eq!((coded.present.clone(), coded.attackers.clone()), (vec!["data"], vec![(0, 5)]));
        assert_eq!(coded.targets, [(6, 10), (12, 14)]);
        assert_eq!(records[0].article.published_at.as_ref().map(|t| t.seconds), Some(1_714_608_000));
    }

    #[test]
    fn a_bad_group_or_a_mixed_corpus_is_refused_with_its_line() {
        let file = corpus_file(&[
            coded_line("r1", serde_json::json!({"ddos": true})),
            coded_line("r2", serde_json::json!({"dos": true})),
        ]);
        let error = read_labelled(file.path()).expect_err("an unknown group").to_string();
        assert!(error.ends_with(":2: unknown group \"dos\" (known: account, data, ddos, defacement, disruption, message, ransomware, theft)"), "{error}");
        let casie = serde_json::json!({"id": "c1", "text": "Hackers stole data.", "labels": ["Databreach"]});
        let file = corpus_file(&[casie, coded_line("r1", serde_json::json!({"ddos": true}))]);
        let error = read_labelled(file.path()).expect_err("a mixed corpus").to_string();
        assert!(error.ends_with(":2: a coded report in a corpus of CASIE records"), "{error}");
    }

    #[test]
    fn each_item_is_held_out_once_and_trained_on_in_the_other_folds() {
        let folds: Vec<Fold<'_, char>> = folds(&['a', 'b', 'c', 'd', 'e'], 2).collect();
        let held_out: Vec<Vec<(usize, char)>> =
            folds.iter().map(|f| f.held_out.iter().map(|&(i, &c)| (i, c)).collect()).collect();
        assert_eq!(held_out, [vec![(0, 'a'), (2, 'c'), (4, 'e')], vec![(1, 'b'), (3, 'd')]]);
        let training: Vec<String> = folds.iter().map(|f| f.training.iter().copied().collect()).collect();
        assert_eq!(training, ["bd", "ace"]);
    }
}
