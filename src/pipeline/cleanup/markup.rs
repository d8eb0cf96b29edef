//! Markup left inside a line by the scraper: HTML tags are dropped and character entities
//! decoded, each as an edit of an input range so offsets survive.

use std::{ops::Range, sync::LazyLock};

use regex::Regex;

use crate::pipeline::text::compile;

/// A change to one range of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Edit {
    /// A tag: removed.
    Drop(Range<usize>),
    /// An entity: replaced by the character it stands for.
    Replace(Range<usize>, char),
}

/// HTML tags by name (a closed list, so "x<y and z>w" stays prose; `text` is the scrapers'
/// own leftover), and character entities.
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    const NAMES: &str = "a|abbr|article|aside|audio|b|blockquote|body|br|button|center|div|em|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|label|li|link|meta|nav|noscript|ol|p|picture|script|section|small|source|span|strong|style|sub|sup|table|tbody|td|text|th|thead|title|tr|u|ul|video";
    compile(&format!(
        r#"(?i)</?(?:{NAMES})(?:\s+[a-z_:-]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s<>"']+))?)*\s*/?>|&(?:[A-Za-z]{{2,8}}|#[0-9]{{1,7}}|#[xX][0-9A-Fa-f]{{1,6}});"#
    ))
});

/// A tag the prose talks about ("the <form> tag") is content, not a leftover.
static NAMED_IN_PROSE: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)^\s*(?:tags?|elements?|attributes?)\b"));

/// The edits that clean `line`, in order.
pub(super) fn edits(line: &str) -> Vec<Edit> {
    if !line.contains(['<', '&']) {
        return Vec::new();
    }
    TAG.find_iter(line)
        .filter_map(|m| {
            let s = m.as_str();
            if let Some(entity) = s.strip_prefix('&') {
                return decode(entity.trim_end_matches(';')).map(|c| Edit::Replace(m.range(), c));
            }
            (!NAMED_IN_PROSE.is_match(&line[m.end()..])).then(|| Edit::Drop(m.range()))
        })
        .collect()
}

fn decode(entity: &str) -> Option<char> {
    let code = match entity {
        "amp" => return Some('&'),
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        "nbsp" => return Some(' '),
        "ndash" => return Some('\u{2013}'),
        "mdash" => return Some('\u{2014}'),
        "rsquo" => return Some('\u{2019}'),
        "lsquo" => return Some('\u{2018}'),
        "rdquo" => return Some('\u{201d}'),
        "ldquo" => return Some('\u{201c}'),
        "hellip" => return Some('\u{2026}'),
        e => match e.strip_prefix("#x").or_else(|| e.strip_prefix("#X")) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => e.strip_prefix('#')?.parse().ok()?,
        },
    };
    char::from_u32(code).filter(|c| !c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_and_entities_decode() {
        let line = "Data of 5&nbsp;000 users &amp; staff leaked.</text>";
        let got = edits(line);
        assert_eq!(got, [Edit::Replace(9..15, ' '), Edit::Replace(25..30, '&'), Edit::Drop(44..51)]);
    }

    #[test]
    fn content_that_looks_like_markup_stays() {
        assert!(edits("WordPress removed the <form> tag from its whitelist.").is_empty());
        assert!(edits("Reports went to <mailto:abuse@bank.example> and AT&T.").is_empty());
        assert!(edits("R&D spending &unknown; rose").is_empty());
    }
}
