//! Compiles the stages' patterns. Every pattern runs in linear time (the `regex` crate never
//! backtracks); word boundaries are made ASCII-only, because a Unicode `\b` stops the fast
//! DFA at the first non-ASCII byte (a curly quote, a non-breaking space) and falls back to a
//! far slower engine. The cue words are English, so ASCII boundaries lose nothing.

use std::ops::Range;

use regex::{Regex, RegexSet};

fn ascii_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

/// Compiles a pattern written into the program.
pub(crate) fn compile(pattern: &str) -> Regex {
    Regex::new(&ascii_boundaries(pattern)).unwrap_or_else(|e| panic!("built-in pattern {pattern:?} is invalid: {e}"))
}

/// Compiles a set of patterns written into the program.
pub(crate) fn compile_set<'a>(patterns: impl IntoIterator<Item = &'a str>) -> RegexSet {
    RegexSet::new(patterns.into_iter().map(ascii_boundaries))
        .unwrap_or_else(|e| panic!("built-in pattern set is invalid: {e}"))
}

/// Where a pattern matches in a whole text, searched once, so that the sentences it cannot
/// match need no search of their own: running many patterns over each short sentence costs
/// more in per-search set-up than in scanning.
///
/// Exact: when a pattern matches inside a part of the text that starts and ends at word
/// boundaries, the whole-text search reports a match overlapping that part, because its
/// leftmost-first matches can only start at or before the part's own.
pub(crate) struct Hits(Vec<Range<usize>>);

impl Hits {
    /// The non-overlapping matches of `pattern` in `text`.
    pub(crate) fn new(pattern: &Regex, text: &str) -> Self {
        Self(pattern.find_iter(text).map(|m| m.range()).collect())
    }

    /// The matches, in order.
    pub(crate) fn ranges(&self) -> &[Range<usize>] {
        &self.0
    }

    /// Whether any match overlaps `part`: if not, `pattern` cannot match inside it.
    pub(crate) fn may_match_in(&self, part: &Range<usize>) -> bool {
        // Matches do not overlap, so their ends are sorted as their starts are.
        let after = self.0.partition_point(|m| m.end <= part.start);
        self.0.get(after).is_some_and(|m| m.start < part.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_hold_next_to_non_ascii_text() {
        let re = compile(r"\bcookies?\b");
        assert!(re.is_match("\u{201c}cookies\u{201d}"));
        assert!(!re.is_match("cookiesx"));
    }

    #[test]
    fn hits_say_which_parts_a_pattern_can_match() {
        let text = "The site was defaced. Nothing else. A defacement, again.";
        let hits = Hits::new(&compile(r"\bdefac(?:ed|ement)\b"), text);
        let parts = [0..21, 22..35, 36..56];
        let touched: Vec<bool> = parts.iter().map(|p| hits.may_match_in(p)).collect();
        assert_eq!(touched, [true, false, true]);
        assert!(!hits.may_match_in(&(0..13)), "the match starts after the part");
        assert!(hits.may_match_in(&(19..22)), "the match ends inside the part");
    }
}
