//! Names listed with known families: "tools such as PlugX, Foozer, and Cobalt Strike". A
//! list names things of one kind, so an unknown member of a closed list that holds two known
//! malware families or more is malware too.

use std::ops::Range;

use super::{Known, MAX_NAME_WORDS, is_name_word};
use crate::pb::EntityKind;

/// What separates the members of a list, tokenised text's spaced commas included; the last
/// member comes after "and" or "or".
pub(super) const SEPARATORS: &[(&str, bool)] = &[
    (" , and ", true),
    (" , or ", true),
    (", and ", true),
    (", or ", true),
    (" and ", true),
    (" or ", true),
    (" , ", false),
    (", ", false),
];

/// Known families a list needs before its other members count as families.
const MIN_KNOWN_MEMBERS: usize = 2;

/// The unknown members of closed lists of known malware in `text` ("PlugX and Emotet,
/// Quillon said" ends at "Emotet"); `known` is in text order.
pub(super) fn introduced(text: &str, known: &[Known]) -> Vec<Range<usize>> {
    let known_at = |at: usize| known.iter().find(|k| k.range.start == at);
    let mut found = Vec::new();
    let mut resume = 0;
    for first in known.iter().filter(|k| k.kind == EntityKind::Malware) {
        if first.range.start < resume {
            continue;
        }
        let (mut cursor, mut known_members, mut closed) = (first.range.end, 1, false);
        let mut unknown: Vec<Range<usize>> = Vec::new();
        while let Some((separator, last)) = SEPARATORS.iter().find(|(s, _)| text[cursor..].starts_with(s)) {
            let at = cursor + separator.len();
            match known_at(at) {
                Some(k) if k.kind == EntityKind::Malware => {
                    known_members += 1;
                    cursor = k.range.end;
                }
                Some(_) => break,
                None => match member(text, at) {
                    Some(name) => {
                        cursor = name.end;
                        unknown.push(name);
                    }
                    None => break,
                },
            }
            closed |= *last;
            if *last {
                break;
            }
        }
        resume = cursor;
        if closed && known_members >= MIN_KNOWN_MEMBERS {
            found.extend(unknown);
        }
    }
    found
}

/// True when the name at `name` and one of `families` (sorted) are members of one list, next
/// to each other: "Downeks and Quasar", "Quasar, Downeks".
pub(in crate::pipeline::entities) fn listed_beside(text: &str, name: &Range<usize>, families: &[Range<usize>]) -> bool {
    SEPARATORS.iter().any(|(separator, _)| {
        let before = text[..name.start].strip_suffix(separator).map(str::len);
        let after = text[name.end..].starts_with(separator).then_some(name.end + separator.len());
        families.iter().any(|f| before == Some(f.end) || after == Some(f.start))
    })
}

/// The name that starts at `at` and ends before a separator or the end of a clause: up to
/// [`MAX_NAME_WORDS`] name words.
fn member(text: &str, at: usize) -> Option<Range<usize>> {
    let mut end = at;
    for _ in 0..MAX_NAME_WORDS {
        let rest = &text[end..];
        let word_len = rest.find([' ', ',', '.', ';', ':', ')']).unwrap_or(rest.len());
        if word_len == 0 || !is_name_word(&rest[..word_len]) {
            return None;
        }
        end += word_len;
        let rest = &text[end..];
        let ends = rest.is_empty()
            || rest.starts_with([',', '.', ';', ':', ')'])
            || SEPARATORS.iter().any(|(s, _)| rest.starts_with(s))
            || rest.starts_with(" .");
        if ends {
            return Some(at..end);
        }
        end += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(text: &str, names: &[&str]) -> Vec<Known> {
        let mut known: Vec<Known> = names
            .iter()
            .map(|n| {
                let at = text.find(n).expect("in the text");
                Known { range: at..at + n.len(), kind: EntityKind::Malware }
            })
            .collect();
        known.sort_by_key(|k| k.range.start);
        known
    }

    fn members(text: &str, names: &[&str]) -> Vec<String> {
        introduced(text, &known(text, names)).into_iter().map(|r| text[r].to_string()).collect()
    }

    #[test]
    fn an_unknown_member_of_a_list_of_families_is_one() {
        let text = "They used tools such as Cobalt Strike, PlugX, Foozer, and Quelp.";
        assert_eq!(members(text, &["Cobalt Strike", "PlugX"]), ["Foozer", "Quelp"]);
        let text = "Tools include Destover , Grim Fox , and Hangvex .";
        assert_eq!(members(text, &["Destover", "Hangvex"]), ["Grim Fox"]);
    }

    #[test]
    fn a_name_next_to_a_family_in_a_list_is_listed_beside_it() {
        let text = "It is protected from Downeks and Quasar used here, and from Quasar alone.";
        let families = [text.find("Downeks").map(|at| at..at + 7).expect("in the text")];
        let first = text.find("Quasar").expect("in the text");
        assert!(listed_beside(text, &(first..first + 6), &families));
        let second = text.rfind("Quasar").expect("in the text");
        assert!(!listed_beside(text, &(second..second + 6), &families));
    }

    #[test]
    fn a_list_needs_two_families_and_an_end() {
        assert!(members("PlugX and Foozer were seen.", &["PlugX"]).is_empty(), "one known family");
        assert!(members("PlugX, Emotet, Foozer were seen.", &["PlugX", "Emotet"]).is_empty(), "no closing and");
        let text = "It dropped PlugX and Emotet, Quillon said.";
        assert!(members(text, &["PlugX", "Emotet"]).is_empty(), "the source after the list");
    }
}
