//! Splits cleaned text into sentences: at line breaks, and after `.`, `!` or `?` followed by
//! white space and a capital or a quote, unless the dot ends an abbreviation ("Jan.", "U.S.").

use std::{ops::Range, sync::LazyLock};

use regex::Regex;

use crate::pipeline::text::compile;

/// Words whose dot does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "Inc", "Corp", "Ltd", "Co", "No", "Gen", "Gov", "Sen", "Rep", "vs", "e.g", "i.e",
];

/// Where a sentence that reports several incidents divides: "... power grids in 2015 and 2016
/// and for triggering a ransomware attack in 2017".
static CLAUSE_BREAK: LazyLock<Regex> =
    LazyLock::new(|| compile(r"; | and for | as well as |, and (?:then |later |also )?"));

/// The clauses of `sentence` (a range of `text`), when it names more than one year: each
/// clause is read as a report of its own. Other sentences are one clause.
pub(crate) fn clauses(text: &str, sentence: Range<usize>, years: usize) -> Vec<Range<usize>> {
    if years < 2 {
        return vec![sentence];
    }
    let mut out = Vec::new();
    let mut start = sentence.start;
    for m in CLAUSE_BREAK.find_iter(&text[sentence.clone()]) {
        out.push(start..sentence.start + m.start());
        start = sentence.start + m.end();
    }
    out.push(start..sentence.end);
    out
}

/// Byte ranges of the sentences of `text`, trimmed, in order.
pub(crate) fn split(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end = match b {
            b'\n' => Some(i),
            // Closing quotes and brackets after the stop belong to the sentence.
            b'.' | b'!' | b'?' if ends_sentence(text, i) => {
                let rest = &text[i + 1..];
                Some(i + 1 + rest.len() - rest.trim_start_matches(CLOSERS).len())
            }
            _ => None,
        };
        if let Some(end) = end {
            push_trimmed(text, start..end, &mut out);
            start = end;
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

/// What may close a sentence after its stop.
const CLOSERS: [char; 5] = ['"', '\'', ')', '\u{201d}', '\u{2019}'];

fn ends_sentence(text: &str, at: usize) -> bool {
    let rest = text[at + 1..].trim_start_matches(CLOSERS);
    let Some(after_space) = rest.strip_prefix(' ') else { return false };
    let next_is_start = after_space
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || matches!(c, '"' | '\'' | '\u{201c}' | '\u{2018}'));
    if !next_is_start || text.as_bytes()[at] != b'.' {
        return next_is_start;
    }
    let word = text[..at].rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or_default();
    // A lone capital ("J. Smith", "U.S.") or a listed abbreviation keeps the sentence going.
    let initial =
        word.chars().last().is_some_and(char::is_uppercase) && word.trim_matches('.').len() <= 3 && word.contains('.')
            || word.len() == 1 && word.chars().all(char::is_uppercase);
    !initial && !ABBREVIATIONS.contains(&word)
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start().len());
    let end = range.start + s.trim_end().len();
    if start < end {
        out.push(start..end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_sentence_ends_but_not_abbreviations() {
        let text = "On Jan. 14 the U.S. agency said so. \"It was bad,\" he said! Was it?\nNext line. “Quoted.” Last";
        let got: Vec<&str> = split(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            got,
            [
                "On Jan. 14 the U.S. agency said so.",
                "\"It was bad,\" he said!",
                "Was it?",
                "Next line.",
                "“Quoted.”",
                "Last"
            ]
        );
    }

    #[test]
    fn sentences_naming_several_years_divide_into_clauses() {
        let text = "Hackers cut power in 2015 and 2016 and for triggering NotPetya in 2017.";
        let got: Vec<&str> = clauses(text, 0..text.len(), 3).into_iter().map(|r| &text[r]).collect();
        assert_eq!(got, ["Hackers cut power in 2015 and 2016", "triggering NotPetya in 2017."]);
        assert_eq!(clauses(text, 0..7, 1), vec![0..7]);
    }
}
