//! How much article text cleanup removes from articles that are known to be (mostly) clean.

use std::{collections::BTreeMap, fmt, path::Path};

use super::corpus;
use crate::{
    cli::input,
    pipeline::{Document, Step, cleanup::Cleanup, text::sentences},
};

/// What cleanup did to a corpus.
#[derive(Debug, Default)]
pub struct CleanupReport {
    /// Articles read.
    pub articles: usize,
    /// Records that were not articles.
    pub bad_records: usize,
    /// Code points of input.
    pub chars: usize,
    /// Code points inside removed spans.
    pub removed_chars: usize,
    /// Sentences of the input.
    pub sentences: usize,
    /// Sentences of the input no longer whole in the cleaned text.
    pub lost_sentences: usize,
    /// Articles by detected language.
    pub languages: BTreeMap<String, usize>,
    /// Removed spans and their code points, by reason.
    pub by_reason: BTreeMap<&'static str, (usize, usize)>,
    /// The first lost sentences, for a look.
    pub lost_examples: Vec<(String, String)>,
    /// Bytes of input.
    pub bytes: usize,
    /// Time spent in the cleanup step alone.
    pub elapsed: std::time::Duration,
}

/// White space folded, so a sentence matches across reflowed lines.
fn folded(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs cleanup over every article in `paths` and counts what it removed.
pub fn cleanup(paths: &[impl AsRef<Path>], examples: usize) -> Result<CleanupReport, input::InputError> {
    let mut report = CleanupReport::default();
    for path in paths {
        for (_, record) in corpus(path.as_ref())? {
            let Ok(article) = record.map(|r| r.article) else {
                report.bad_records += 1;
                continue;
            };
            let id = article.id.clone();
            let Ok(mut doc) = Document::in_process(article, true) else {
                report.bad_records += 1;
                continue;
            };
            let started = std::time::Instant::now();
            Cleanup.apply(&mut doc);
            report.elapsed += started.elapsed();
            report.add(&id, &doc, examples);
        }
    }
    Ok(report)
}

impl CleanupReport {
    fn add(&mut self, id: &str, doc: &Document, examples: usize) {
        let input = doc.article.text.as_str();
        self.articles += 1;
        *self.languages.entry(doc.cleaned.language.clone()).or_default() += 1;
        self.bytes += input.len();
        self.chars += input.chars().count();
        for (range, reason) in &doc.cleaned.removed {
            let chars = input[range.clone()].chars().count();
            self.removed_chars += chars;
            let entry = self.by_reason.entry(reason.as_str()).or_default();
            entry.0 += 1;
            entry.1 += chars;
        }
        let clean = folded(doc.text());
        for sentence in sentences::split(input) {
            self.sentences += 1;
            let sentence = folded(&input[sentence]);
            if !clean.contains(&sentence) {
                self.lost_sentences += 1;
                if self.lost_examples.len() < examples {
                    self.lost_examples.push((id.to_string(), sentence));
                }
            }
        }
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}

impl fmt::Display for CleanupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "articles            {} ({} records skipped)", self.articles, self.bad_records)?;
        writeln!(
            f,
            "characters removed  {} of {} ({:.3}%)",
            self.removed_chars,
            self.chars,
            percent(self.removed_chars, self.chars)
        )?;
        writeln!(
            f,
            "sentences lost      {} of {} ({:.3}%)",
            self.lost_sentences,
            self.sentences,
            percent(self.lost_sentences, self.sentences)
        )?;
        let languages: Vec<String> =
            self.languages.iter().map(|(l, n)| format!("{} {n}", if l.is_empty() { "unknown" } else { l })).collect();
        writeln!(f, "languages           {}", languages.join(", "))?;
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        writeln!(f, "cleanup throughput  {:.1} MB/s on one core", self.bytes as f64 / 1e6 / secs)?;
        for (reason, (blocks, chars)) in &self.by_reason {
            writeln!(f, "  removed {reason:<20} {blocks:>5} blocks {chars:>8} chars")?;
        }
        for (id, sentence) in &self.lost_examples {
            let short: String = sentence.chars().take(160).collect();
            writeln!(f, "  lost [{id}] {short}")?;
        }
        Ok(())
    }
}
