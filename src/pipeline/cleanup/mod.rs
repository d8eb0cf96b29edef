//! Cleanup: decides for every line of the scraped page whether it is article or furniture,
//! says why it removed what it removed, normalises what it keeps, and detects the language.

mod normalize;
mod rules;
#[cfg(test)]
mod tests;

use std::{collections::HashSet, ops::Range};

use super::{Document, Step, offsets::CleanTextBuilder};

/// How many lines after a donation appeal its buttons ("Once", "Monthly") may appear.
const APPEAL_REACH: usize = 8;
/// Language detection reads this many bytes at most: enough for a confident guess.
const LANGUAGE_SAMPLE_BYTES: usize = 4096;

/// The cleanup stage.
#[derive(Debug, Default)]
pub struct Cleanup;

impl Step for Cleanup {
    const NAME: &'static str = "cleanup";

    fn apply(&self, doc: &mut Document) {
        let input = doc.article.text.as_str();
        let title = comparable(&doc.article.title);
        let mut out = CleanTextBuilder::default();
        let mut removed: Vec<(Range<usize>, &'static str)> = Vec::new();
        let mut seen_short: HashSet<String> = HashSet::new();
        let mut in_header = true;
        let mut appeal_left = 0usize;
        // Where the line break after the last kept line is, and whether lines were skipped since.
        let mut pending_break: Option<(Range<usize>, bool)> = None;

        let mut at = 0;
        for raw in input.split_inclusive('\n') {
            let line_start = at;
            at += raw.len();
            let body = raw.trim_end_matches(['\n', '\r']);
            let lead = body.len() - body.trim_start().len();
            let text = body.trim();
            if text.is_empty() {
                if let Some((_, gap)) = pending_break.as_mut() {
                    *gap = true;
                }
                continue;
            }
            let range = line_start + lead..line_start + lead + text.len();
            let line = rules::Line { text, in_header, after_appeal: appeal_left > 0 };
            appeal_left = appeal_left.saturating_sub(1);
            let reason = rules::furniture(&line).or_else(|| {
                // A heading seen before (the title again, above and below a photo) is furniture.
                let key = comparable(text);
                let repeated = !rules::is_prose(text) && key.len() > 12 && !seen_short.insert(key.clone());
                (repeated || (!title.is_empty() && key == title && !seen_short.insert(format!("title:{key}"))))
                    .then_some("duplicate_title")
            });
            if let Some(reason) = reason {
                if reason == "donation_appeal" {
                    appeal_left = APPEAL_REACH;
                }
                match removed.last_mut() {
                    Some((last, last_reason)) if *last_reason == reason && last.end + 2 >= line_start => {
                        last.end = range.end;
                    }
                    _ => removed.push((range, reason)),
                }
                if let Some((_, gap)) = pending_break.as_mut() {
                    *gap = true;
                }
                continue;
            }
            if rules::is_prose(text) {
                in_header = false;
            }
            if let Some((newline, gap)) = pending_break.take() {
                out.replace(newline, if gap { "\n\n" } else { "\n" });
            }
            normalize::push_line(&mut out, range.start, text);
            pending_break = Some((range.end..at, false));
        }

        doc.clean = out.finish();
        doc.removed = removed;
        doc.language = if doc.article.language.is_empty() {
            detect_language(doc.clean.as_str())
        } else {
            doc.article.language.to_lowercase()
        };
    }
}

/// A line as compared for repetition: lowercase letters and digits only.
fn comparable(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// ISO 639-1 code of the text's language, or empty when unsure.
fn detect_language(text: &str) -> String {
    let sample = &text[..text.floor_char_boundary(LANGUAGE_SAMPLE_BYTES)];
    whatlang::detect(sample)
        .filter(|info| info.is_reliable() || info.confidence() >= 0.5)
        .and_then(|info| isolang::Language::from_639_3(info.lang().code()))
        .and_then(|lang| lang.to_639_1())
        .unwrap_or_default()
        .to_string()
}
