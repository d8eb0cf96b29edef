//! Compiles the stages' patterns. Every pattern runs in linear time (the `regex` crate never
//! backtracks); word boundaries are made ASCII-only, because a Unicode `\b` stops the fast
//! DFA at the first non-ASCII byte (a curly quote, a non-breaking space) and falls back to a
//! far slower engine. The cue words are English, so ASCII boundaries lose nothing.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_hold_next_to_non_ascii_text() {
        let re = compile(r"\bcookies?\b");
        assert!(re.is_match("\u{201c}cookies\u{201d}"));
        assert!(!re.is_match("cookiesx"));
    }
}
