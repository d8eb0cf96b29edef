//! Measurements on annotated corpora, for tuning and for users checking the service on their
//! own labelled data: incident types and roles against CASIE-style annotations ([`score()`]),
//! and how much text cleanup removes ([`cleanup()`]).

pub mod cleanup;
pub mod score;
pub mod train;

use std::path::Path;

pub use cleanup::{CleanupReport, cleanup};
pub use score::{Scores, score};
pub use train::{CvReport, TrainOptions, train};

use crate::{cli::input, pb};

/// A corpus record: an `Article` in proto3 JSON, or a CASIE record (`id`, `title`, `url`,
/// `text`, `published` as a date, `labels` and `arguments`).
#[derive(Debug, serde::Deserialize)]
struct CorpusRecord {
    id: serde_json::Value,
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
    text: String,
    /// The CASIE publication date, `YYYY-MM-DD`.
    #[serde(default)]
    published: Option<String>,
    #[serde(default, rename = "publishedAt")]
    published_at: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    arguments: Vec<Argument>,
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

/// An article and what annotators found in it.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The article, with its publication date when the record has one.
    pub article: pb::Article,
    /// Document-level event types (CASIE names: "Databreach", "Ransom", ...).
    pub labels: Vec<String>,
    /// Role arguments.
    pub arguments: Vec<Argument>,
}

/// `YYYY-MM-DD` or RFC 3339 as a timestamp at the start of that day or instant.
fn timestamp(date: &str) -> Option<pbjson_types::Timestamp> {
    let seconds = match chrono::DateTime::parse_from_rfc3339(date) {
        Ok(t) => t.timestamp(),
        Err(_) => chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0)?.and_utc().timestamp(),
    };
    Some(pbjson_types::Timestamp { seconds, nanos: 0 })
}

/// The records of a JSONL corpus file in order, with their line numbers (from 1); `None` for
/// a line that is not a record.
fn corpus(path: &Path) -> Result<impl Iterator<Item = (usize, Option<Labelled>)>, input::InputError> {
    let file = std::fs::File::open(path).map_err(|source| input::InputError { path: path.to_path_buf(), source })?;
    Ok(std::io::BufRead::lines(std::io::BufReader::new(file))
        .enumerate()
        .filter(|(_, l)| !l.as_ref().is_ok_and(|l| l.trim().is_empty()))
        .map(|(i, line)| (i + 1, record(line.ok()))))
}

fn record(line: Option<String>) -> Option<Labelled> {
    let record: CorpusRecord = serde_json::from_str(&line?).ok()?;
    let id = record.id.as_str().map_or_else(|| record.id.to_string(), str::to_string);
    let published_at = record.published_at.or(record.published).as_deref().and_then(timestamp);
    let article =
        pb::Article { id, text: record.text, title: record.title, url: record.url, published_at, ..Default::default() };
    Some(Labelled { article, labels: record.labels, arguments: record.arguments })
}

/// A corpus file that cannot be read, or a line of it that is not a labelled record.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The file cannot be opened.
    #[error(transparent)]
    Input(#[from] input::InputError),
    /// A line is not a record.
    #[error("{path}:{line}: not a labelled record (needs at least `id` and `text`)")]
    BadRecord {
        /// The file.
        path: std::path::PathBuf,
        /// Line number, from 1.
        line: usize,
    },
}

/// Every record of a labelled corpus; any bad line is an error, since scores over a corpus
/// with silently skipped articles would mislead.
pub fn read_labelled(path: &Path) -> Result<Vec<Labelled>, CorpusError> {
    corpus(path)?
        .map(|(line, record)| record.ok_or_else(|| CorpusError::BadRecord { path: path.to_path_buf(), line }))
        .collect()
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
