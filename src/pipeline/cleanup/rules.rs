//! Rules that recognise page furniture in one line of scraped text, by shape and lexical cues
//! that recur across sites rather than any one site's strings. When in doubt a line is kept:
//! a lost sentence of the article costs more than a kept widget.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// What cleanup knows about a line when it judges it.
pub(super) struct Line<'a> {
    /// The line, trimmed.
    pub text: &'a str,
    /// True before the first line that reads as article prose.
    pub in_header: bool,
    /// True within a few lines after a donation appeal.
    pub after_appeal: bool,
}

/// Words in the line.
fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// A line that reads as prose: several words and a sentence's closing punctuation.
pub(super) fn is_prose(s: &str) -> bool {
    words(s) >= 8 && s.trim_end_matches(['"', '\'', ')']).ends_with(['.', '!', '?', ':'])
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("furniture patterns are valid regexes")
}

/// Lines that are furniture wherever they appear, with their reason. Anchored and short, so
/// they never match a sentence of the article.
static WHOLE_LINE: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (re(r"^(?:</?[A-Za-z][^<>]*>\s*|&[#A-Za-z0-9]+;\s*)+$"), "markup"),
        (
            re(
                r"(?i)^(?:skip to (?:main )?(?:content|navigation|search)|toggle navigation|main menu|menu|search|home|close)$",
            ),
            "navigation",
        ),
        (
            re(
                r"(?i)^\{?\s*(?:related(?: articles| stories| posts| news| coverage)?|read(?: more| also| next)?|also read|see also|more on this(?: story)?|recommended(?: for you)?|you may also like|trending)\b\s*(?:[:}\-\u{2013}|]|$)",
            ),
            "related_links",
        ),
        (re(r"^Related\p{Lu}"), "related_links"),
        (
            re(
                r"(?i)^(?:share(?: this(?: article| story| post)?)?(?: on [\w ]+)?|press play to listen(?: to this article)?|listen to (?:this )?article|post a comment|leave a (?:comment|reply)|\d+ comments?|comments?|previous (?:post|article)(?: next (?:post|article))?|next (?:post|article)|print(?: this article)?|tweet|email|copy link)[.:]?$",
            ),
            "share_prompt",
        ),
        (
            re(
                r"(?i)^(?:once|monthly|annual(?:ly)?|yearly|one[- ]time|continue|other amount|[$\u{20ac}\u{a3}]\s?\d+)$",
            ),
            "donation_appeal",
        ),
        (
            re(
                r"(?i)^(?:photo|image|picture|illustration|video|credit|source)s?(?: credit)?\s*(?::|by\b)|(?:getty images|shutterstock|ap photo|afp via getty|reuters/)",
            ),
            "photo_credit",
        ),
    ]
});

/// Cues that make a line furniture when it is short or not prose.
static CUES: LazyLock<(RegexSet, Vec<&'static str>)> = LazyLock::new(|| {
    let rules: [(&str, &'static str); 6] = [
        (
            r"(?i)[\w.+-]+@[\w-]+\.[\w.]+|\+\d[\d ()-]{7,}\d|\(\d{2,5}\) ?\d{3,4}[ -]\d{3,4}|\b\d{3}[ -]\d{3}[ -]\d{4}\b|\b(?:opening (?:time|hours)|office hours|call us|contact us)\b",
            "contact_details",
        ),
        (
            r"(?i)\b(?:donate|donation|support (?:our|independent) journalism|make a contribution|become a (?:member|supporter))\b",
            "donation_appeal",
        ),
        (
            r"(?i)\b(?:subscribe|newsletter|sign up|free trial|premium|advertisement|sponsored|log in|sign in)\b",
            "promotion",
        ),
        (
            r"(?i)\b(?:not all news on the site|views expressed|does not necessarily reflect|disclaimer|all rights reserved)\b|\u{a9}|\bcopyright \d{4}",
            "disclaimer",
        ),
        (r"(?i)\bcookies?\b", "cookie_notice"),
        (r"^[\u{2022}\u{b7}|>\u{bb}\u{2023}\u{25aa}-]|(?:\s[|\u{2022}\u{b7}]\s.*){2}", "navigation"),
    ];
    let set = RegexSet::new(rules.iter().map(|(p, _)| p)).expect("furniture cues are valid regexes");
    (set, rules.iter().map(|(_, reason)| *reason).collect())
});

/// Why `line` is furniture, or `None` to keep it.
pub(super) fn furniture(line: &Line<'_>) -> Option<&'static str> {
    let text = line.text;
    if let Some((_, reason)) = WHOLE_LINE.iter().find(|(re, _)| re.is_match(text)) {
        // A button word alone is only furniture next to an appeal ("Continue" may end a quote).
        if *reason != "donation_appeal" || line.after_appeal {
            return Some(reason);
        }
    }
    let (set, reasons) = &*CUES;
    let first = set.matches(text).into_iter().next()?;
    let reason = reasons[first];
    let short = text.chars().count() <= 120;
    match reason {
        // Short lines with an address, e-mail or phone are the site's, not the story's.
        "contact_details" | "navigation" if !is_prose(text) && (line.in_header || short) => Some(reason),
        "contact_details" | "navigation" => None,
        // Prose with a cue stays unless it speaks to the reader as the publisher does.
        _ if !is_prose(text) || addresses_reader(text) => Some(reason),
        _ => None,
    }
}

/// Publisher voice: "you", "your", "our" addressed to the reader.
fn addresses_reader(s: &str) -> bool {
    static READER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:you|your|our)\b"));
    READER.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        line: &'static str,
        in_header: bool,
        want: Option<&'static str>,
    }

    macro_rules! case {
        ($line:expr, $want:expr) => {
            Case { line: $line, in_header: false, want: $want }
        };
        (header $line:expr, $want:expr) => {
            Case { line: $line, in_header: true, want: $want }
        };
    }

    const FURNITURE: &[Case] = &[
        case!("Skip to main content", Some("navigation")),
        case!("News | Business | Tech | Opinion", Some("navigation")),
        case!(header "\u{2022} 12 Harbour Street, Leeds", Some("navigation")),
        case!(header "Email: desk@news.example", Some("contact_details")),
        case!(header "Call us on +44 113 496 0000", Some("contact_details")),
        case!("Related: Ferry operator hit by outage", Some("related_links")),
        case!("RelatedBank fined over outage", Some("related_links")),
        case!("{ Read: The grid attacks, one year on }", Some("related_links")),
        case!("Read more", Some("related_links")),
        case!("Press play to listen to this article", Some("share_prompt")),
        case!("Share on LinkedIn", Some("share_prompt")),
        case!("Previous Post Next Post", Some("share_prompt")),
        case!("Photo: Ana Silva/Agency", Some("photo_credit")),
        case!("Sign up for our morning newsletter", Some("promotion")),
        case!("We use cookies to improve your experience.", Some("cookie_notice")),
        case!("</text>", Some("markup")),
        case!("Views expressed by contributors are their own", Some("disclaimer")),
    ];

    const ARTICLE: &[Case] = &[
        case!("The ministry said the attackers had defaced 20 websites overnight and demanded payment.", None),
        case!("\"We will not give in,\" she said.", None),
        case!("Read the statement, he told reporters, and judge for yourselves what happened that night.", None),
        case!("Continue", None),
        case!("The company said customers could call its helpline on +1 555 010 0199 for information.", None),
        case!("The gang claimed it stole data and posted a sample on its leak site, which offered a free trial.", None),
        case!("Hackers hit the parliament website on Wednesday.", None),
    ];

    fn check(cases: &[Case]) {
        for case in cases {
            let line = Line { text: case.line, in_header: case.in_header, after_appeal: false };
            assert_eq!(furniture(&line), case.want, "line: {:?}", case.line);
        }
    }

    #[test]
    fn furniture_is_recognised() {
        check(FURNITURE);
    }

    #[test]
    fn article_lines_are_kept() {
        check(ARTICLE);
    }

    #[test]
    fn button_words_are_furniture_only_after_an_appeal() {
        let line = Line { text: "Monthly", in_header: false, after_appeal: true };
        assert_eq!(furniture(&line), Some("donation_appeal"));
    }
}
