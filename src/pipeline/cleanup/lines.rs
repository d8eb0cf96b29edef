//! Lines of the scraped page and the shape features cleanup judges them by.

use std::{ops::Range, sync::LazyLock};

use regex::Regex;

use crate::pipeline::text::compile;

/// One non-blank line of the input, trimmed, with its features.
#[derive(Debug, Clone)]
pub(super) struct Line<'a> {
    /// Byte range of the trimmed line in the input.
    pub(super) range: Range<usize>,
    /// The trimmed line.
    pub(super) text: &'a str,
    /// Whether a blank line separates it from the previous non-blank line.
    pub(super) blank_before: bool,
    /// Words in the line.
    pub(super) words: usize,
    /// Reads as prose: several words and a sentence's closing punctuation.
    pub(super) prose: bool,
    /// Sentence-ending punctuation marks in the line.
    pub(super) sentences: usize,
}

/// Splits `input` into its non-blank lines (LF or CRLF), trimmed.
pub(super) fn split(input: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut at = 0;
    let mut blank_before = false;
    for raw in input.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let body = raw.trim_end_matches(['\n', '\r']);
        let text = body.trim();
        // A line of nothing but invisible characters is as blank as an empty one.
        if text.chars().all(super::normalize::is_invisible) {
            blank_before = true;
            continue;
        }
        let lead = body.len() - body.trim_start().len();
        lines.push(Line::new(start + lead..start + lead + text.len(), text, blank_before));
        blank_before = false;
    }
    lines
}

impl<'a> Line<'a> {
    pub(super) fn new(range: Range<usize>, text: &'a str, blank_before: bool) -> Self {
        let words = text.split_whitespace().count();
        let sentences = text.matches(['.', '!', '?']).count();
        let prose = is_prose(text, words);
        Self { range, text, blank_before, words, prose, sentences }
    }

    /// Share of the words outside quotations that address the reader as a publisher does
    /// ("we", "our", "you", "your"). Computed on demand: only lines with a cue need it.
    pub(super) fn voice(&self) -> f32 {
        let unquoted = QUOTED.replace_all(self.text, " ");
        let words = unquoted.split_whitespace().count();
        if words == 0 {
            return 0.0;
        }
        let addresses = READER.captures_iter(&unquoted).filter(|c| c.get(1).is_none()).count();
        addresses as f32 / words as f32
    }

    /// Share of words that start with a capital letter or a digit: headlines are title case.
    fn capitalised(&self) -> f32 {
        let caps = self
            .text
            .split_whitespace()
            .filter(|w| w.starts_with(|c: char| c.is_uppercase() || c.is_numeric()))
            .count();
        caps as f32 / self.words.max(1) as f32
    }

    /// Looks like a headline: several title-case words and no closing full stop.
    pub(super) fn headline_like(&self) -> bool {
        self.titled() && self.capitalised() >= 0.5
    }

    /// Could be a headline in any case: several words that are not just a date or a time,
    /// and no closing full stop.
    pub(super) fn titled(&self) -> bool {
        self.words >= 3 && self.words <= 25 && !self.text.ends_with(['.', ',', ';', ':']) && !is_dateline(self.text)
    }

    /// Only says when: "Updated 10:42 GMT", "Published March 9, 2024 at 6:15 p.m. ET |
    /// Updated March 10, 2024", "Wednesday, 6 March 2024 — 16:20 CET".
    pub(super) fn is_dateline(&self) -> bool {
        is_dateline(self.text)
    }
}

/// Whether every word of `text` is a calendar or clock word, a number or a separator.
fn is_dateline(text: &str) -> bool {
    static DATE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
        compile(
            r"(?i)^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$|^(?:updated|published|posted|last|modified|on|at|am|pm|a\.m\.|p\.m\.|ago|hours?|minutes?|days?|uhr|(?:[ecmp][sd]?t|gmt|utc|bst|cet|cest|eet|eest|ist|jst|kst|msk|aest|aedt|z)\.?)$",
        )
    });
    let separator = |c: char| c.is_whitespace() || matches!(c, ',' | ':' | '|' | '\u{2014}' | '\u{2013}' | '\u{b7}');
    let mut words = text.split(separator).filter(|w| !w.is_empty()).peekable();
    words.peek().is_some()
        && words
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '-' | '/')))
            .all(|w| DATE_WORDS.is_match(w))
}

fn is_prose(text: &str, words: usize) -> bool {
    let end = text.trim_end_matches(['"', '\'', ')', '\u{201d}', '\u{2019}', '\u{bb}']);
    words >= 8 && end.ends_with(['.', '!', '?', ':', '\u{2026}'])
}

/// Quoted passages: what officials say in the first person is not the publisher's voice.
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| compile(r#""[^"]*"|\u{201c}[^\u{201d}]*\u{201d}|\u{ab}[^\u{bb}]*\u{bb}"#));
/// Words that address the reader; a page's name ("the contact us page") is captured apart, as
/// it speaks to nobody.
static READER: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?i)(\b(?:contact|about) us (?:pages?|forms?|sections?)\b)|\b(?:we|our|ours|us|you|your|you're|yours)\b")
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_input_ranges_and_blank_gaps() {
        let input = "  Title here \r\n\r\nFirst line.\nSecond\n";
        let lines = split(input);
        let got: Vec<(&str, bool)> = lines.iter().map(|l| (&input[l.range.clone()], l.blank_before)).collect();
        assert_eq!(got, [("Title here", false), ("First line.", true), ("Second", false)]);
    }

    #[test]
    fn publisher_voice_ignores_quotations() {
        let appeal = Line::new(0..0, "Your support keeps our newsroom going, and we thank you.", false);
        let quote = Line::new(0..0, "\u{201c}We will restore our systems,\u{201d} the mayor said on Monday.", false);
        assert!(appeal.voice() > 0.3, "{}", appeal.voice());
        assert_eq!(quote.voice(), 0.0);
        let page = Line::new(0..0, "The hackers defaced the contact us page of the Quelp bakery's site.", false);
        assert_eq!(page.voice(), 0.0);
    }

    #[test]
    fn datelines_are_not_titles() {
        for dateline in
            ["Updated 10:42 GMT", "March 4, 2024", "Published 14 May 2024, 07:55", "Nov 3, 2024 at 2:15 p.m. UTC"]
        {
            assert!(!Line::new(0..0, dateline, false).titled(), "{dateline}");
        }
        assert!(Line::new(0..0, "Ferry operator restores bookings", false).titled());
    }

    #[test]
    fn headlines_are_title_case_without_a_full_stop() {
        assert!(Line::new(0..0, "Hackers Hit City Water Utility", false).headline_like());
        assert!(!Line::new(0..0, "Hackers hit the city water utility on Monday.", false).headline_like());
    }
}
