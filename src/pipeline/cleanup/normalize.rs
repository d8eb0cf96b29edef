//! Character normalisation for the later stages, offset-preserving: every change is recorded
//! as a replacement of an input range, so spans still map back to the caller's text.
//!
//! Quotes stay as written: the cleaned text is returned to callers who search it for the
//! article's own words, so patterns accept curly and straight quotes alike instead.

use unicode_normalization::{IsNormalized, UnicodeNormalization, char::canonical_combining_class, is_nfc_quick};

use crate::pipeline::offsets::CleanTextBuilder;

/// What to do with one input character.
enum Fix {
    Keep,
    Drop,
    Replace(char),
}

fn fix(c: char) -> Fix {
    match c {
        // Exotic spaces and tabs become a plain space.
        '\t' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => Fix::Replace(' '),
        c if is_invisible(c) => Fix::Drop,
        _ => Fix::Keep,
    }
}

/// What `c` becomes in the cleaned text, if anything: for characters that come from
/// somewhere other than the input as written (composition, a decoded HTML entity).
pub(super) fn normalized(c: char) -> Option<char> {
    match fix(c) {
        Fix::Keep => Some(c),
        Fix::Drop => None,
        Fix::Replace(r) => Some(r),
    }
}

/// Characters that only get in the way of matching: zero-width space, word joiner, BOM, soft
/// hyphen, and control characters.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}') || c.is_control()
}

/// Appends `line` (which starts at byte `at` of the input) to `out`, normalised.
pub(super) fn push_line(out: &mut CleanTextBuilder, at: usize, line: &str) {
    let needs_nfc = is_nfc_quick(line.chars()) != IsNormalized::Yes;
    let mut run_start = 0;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        // A cluster is a starter and the combining marks after it; NFC may merge it.
        let mut end = i + c.len_utf8();
        if needs_nfc {
            while let Some(&(j, m)) = chars.peek() {
                if canonical_combining_class(m) == 0 {
                    break;
                }
                end = j + m.len_utf8();
                chars.next();
            }
            let cluster = &line[i..end];
            if !unicode_normalization::is_nfc(cluster) {
                out.copy(at + run_start, &line[run_start..i]);
                // Composition can yield a character the fixes below rewrite (U+2000 is U+2002).
                let composed: String = cluster.nfc().filter_map(normalized).collect();
                out.replace(at + i..at + end, &composed);
                run_start = end;
                continue;
            }
        }
        match fix(c) {
            Fix::Keep => {}
            Fix::Drop => {
                out.copy(at + run_start, &line[run_start..i]);
                run_start = end;
            }
            Fix::Replace(r) => {
                out.copy(at + run_start, &line[run_start..i]);
                out.replace(at + i..end + at, r.encode_utf8(&mut [0; 4]));
                run_start = end;
            }
        }
    }
    out.copy(at + run_start, &line[run_start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalise(line: &str) -> (String, crate::pipeline::offsets::CleanText) {
        let mut b = CleanTextBuilder::default();
        push_line(&mut b, 0, line);
        let clean = b.finish();
        (clean.as_str().to_string(), clean)
    }

    #[test]
    fn spaces_and_invisibles_are_normalised_and_quotes_kept() {
        let (text, _) = normalise("\u{201c}Hi\u{201d},\u{00a0}it\u{2019}s\u{200b} me\u{0007}");
        assert_eq!(text, "\u{201c}Hi\u{201d}, it\u{2019}s me");
    }

    #[test]
    fn decomposed_letters_are_composed_and_map_back() {
        let input = "Nova\u{0301}k said";
        let (text, clean) = normalise(input);
        assert_eq!(text, "Novák said");
        let name = 0..text.find(' ').unwrap();
        assert_eq!(&input[clean.to_input(name)], "Nova\u{0301}k");
    }

    #[test]
    fn plain_text_is_one_verbatim_piece() {
        let (text, clean) = normalise("Kyiv, Київ");
        assert_eq!(text, "Kyiv, Київ");
        assert_eq!(clean.to_input(6..text.len()), 6..text.len());
    }
}
