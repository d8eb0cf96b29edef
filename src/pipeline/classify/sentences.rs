//! Splits cleaned text into sentences: at line breaks, and after `.`, `!` or `?` followed by
//! white space and a capital or a quote, unless the dot ends an abbreviation ("Jan.", "U.S.").

use std::ops::Range;

/// Words whose dot does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "Inc", "Corp", "Ltd", "Co", "No", "Gen", "Gov", "Sen", "Rep", "vs", "e.g", "i.e",
];

/// Byte ranges of the sentences of `text`, trimmed, in order.
pub(crate) fn split(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end = match b {
            b'\n' => Some(i),
            b'.' | b'!' | b'?' if ends_sentence(text, i) => Some(i + 1),
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

fn ends_sentence(text: &str, at: usize) -> bool {
    let rest = text[at + 1..].trim_start_matches(['"', '\'', ')']);
    let Some(after_space) = rest.strip_prefix(' ') else { return false };
    let next_is_start = after_space.chars().next().is_some_and(|c| c.is_uppercase() || c == '"' || c == '\'');
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
        let text = "On Jan. 14 the U.S. agency said so. \"It was bad,\" he said! Was it?\nNext line";
        let got: Vec<&str> = split(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(got, ["On Jan. 14 the U.S. agency said so.", "\"It was bad,\" he said!", "Was it?", "Next line"]);
    }
}
