//! Rules that recognise page furniture in one line of scraped text, by shape and lexical cues
//! that recur across sites rather than any one site's strings. When in doubt a line is kept:
//! a lost sentence of the article costs more than a kept widget.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use crate::pipeline::{
    Removal,
    text::{compile, compile_set},
};

use super::lines::Line;

/// Where a line stands on the page.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Context {
    /// Before the first line of article prose.
    pub(super) in_header: bool,
    /// The widget (donation appeal, cookie notice, promotion) a few lines above, whose
    /// buttons may follow.
    pub(super) widget_above: Option<Removal>,
    /// The reason of the line directly above, when it labels what follows ("Sponsored
    /// content", "More stories").
    pub(super) label_above: Option<Removal>,
}

/// Cue-bearing prose longer than this is an article paragraph that mentions the cue, not a
/// widget: scraped articles may arrive as one long line.
const MAX_WIDGET_SENTENCES: usize = 5;
const MAX_WIDGET_BYTES: usize = 900;
/// Lines this short are widget-sized: a label, a button, a credit.
const SHORT_WORDS: usize = 12;
/// Longest section label ("Cybersecurity", "World News").
const SECTION_LABEL_BYTES: usize = 30;
/// Longest line that may be a widget's fixed wording ("Save my name, email, and website...").
const WIDGET_WORDS_MAX: usize = 20;
/// Publisher voice: "we", "our", "you" as this share of the words outside quotations.
const VOICE_MIN: f32 = 0.025;

/// Lines that are furniture in their entirety, with their reason. Anchored at both ends or
/// at the start with a separator, so they never match a sentence of the article.
static WHOLE_LINE: LazyLock<Vec<(Regex, Removal)>> = LazyLock::new(|| {
    vec![
        (compile(r"^(?:</?[A-Za-z][^<>]*>\s*|<!--[^<>]*-->\s*|&[#A-Za-z0-9]+;\s*)+$"), Removal::Markup),
        (
            compile(
                r"(?i)^(?:skip to (?:main )?(?:content|navigation|search)|toggle navigation|main menu|menu|search|home|close|back to top|log ?in|sign ?in|log ?out|register|my account|sign in \| register)$",
            ),
            Removal::Navigation,
        ),
        (compile(r"(?i)^you are here\b|^\S+(?: \S+)?(?: [/>\u{203a}\u{bb}] \S+(?: \S+)?){2,}$"), Removal::Navigation),
        (
            compile(
                r"(?i)^\{?\s*(?:related(?: articles| stories| posts| news| coverage| reading)?|read(?: more| also| next)?|also read|see also|more on this(?: story)?|recommended(?: for you| reading)?|you may also like)\b\s*(?:[:}|\u{bb}>]|\s[-\u{2013}\u{2014}]\s|$)",
            ),
            Removal::RelatedLinks,
        ),
        // Headings of lists of other stories, and a story flagged as trending.
        (
            compile(
                r"(?i)^(?:more (?:stories|news|from \w+)|most (?:read|popular|viewed)|popular(?: now)?|trending(?: now)?(?:\s*:.*)?|top stories|latest news|editor'?s picks)$",
            ),
            Removal::OtherHeadline,
        ),
        (compile(r"^Related\p{Lu}"), Removal::RelatedLinks),
    ]
});

/// Lines that are widgets once reduced to their words ([`core`]): arrows, bullets, counts and
/// punctuation around them vary by site, the words do not.
static WIDGET_WORDS: LazyLock<Vec<(Regex, Removal)>> = LazyLock::new(|| {
    vec![
        (
            compile(
                r"^(?:share(?: this (?:article|story|post|page))?(?: (?:on|via|to) [a-z ]+)?|listen(?: to (?:this )?(?:article|story))?(?: min)?|press play to listen(?: to this article)?|voiced by artificial intelligence|post a comment|post comment|leave a (?:comment|reply)|cancel reply|comments?|view comments|load more(?: comments| stories)?|join the (?:conversation|discussion)|(?:previous|next|older|newer) (?:post|article|page|story|posts)|previous post next post|next|previous|page of|print(?: this (?:article|page))?|e ?mail|tweet|copy link|source link|facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|flipboard|name|website|min read|your email address will not be published.*|save my name email and website.*)$",
            ),
            Removal::SharePrompt,
        ),
        (
            compile(
                r"^(?:accept(?: all)?(?: cookies)?|reject(?: all)?(?: cookies)?|manage (?:options|preferences|cookies|settings)|cookie (?:settings|preferences|policy)|we value your privacy|your privacy choices)$",
            ),
            Removal::CookieNotice,
        ),
        (
            compile(r"^(?:back to top|about us|contact us|site ?map|terms of (?:use|service)|privacy policy)$"),
            Removal::Navigation,
        ),
        (
            compile(r"^(?:advertisement|ad|sponsored(?: content)?|story continues below(?: advertisement)?)$"),
            Removal::Promotion,
        ),
    ]
});

/// Buttons that belong to whichever widget stands just above them ("Continue", "Got it").
static BUTTON_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?:once|monthly|annual(?:ly)?|yearly|one time|continue|other amount|remind me later|maybe later|not now|no thanks|got it|ok|okay|i agree|agree|dismiss|close|choose how often|before you go|payment methods|paiment methods)$",
    )
});

/// Buttons that choose how often to give: a run of them is a donation form on its own.
static FREQUENCY_WORDS: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^(?:once|monthly|annual(?:ly)?|yearly|one time|other amount)$"));

/// Whether `line` is a button of a donation form that says how often to give.
pub(super) fn is_frequency_button(line: &Line<'_>) -> bool {
    line.words <= 2 && FREQUENCY_WORDS.is_match(&core(line.text))
}

/// Whether `line` is a widget's button ("Continue", "Maybe later").
pub(super) fn is_button(line: &Line<'_>) -> bool {
    line.words <= WIDGET_WORDS_MAX && BUTTON_WORDS.is_match(&core(line.text))
}

/// The line reduced to lowercase words: everything but letters becomes a single space.
fn core(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Photo credits: a short line naming an image source.
static PHOTO_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^\(?(?:(?:file|main|top|header|lead) )?(?:photo|image|picture|illustration|video|credit|source|pictured)s?(?: credit)?\s*(?::|by\b)|\b(?:getty images|shutterstock|unsplash|flickr|wikimedia|pexels|alamy|istock|ap photo|afp via|reuters/|epa-efe)\b",
    )
});

/// Cues that make a line furniture when it is widget-shaped or speaks as the publisher.
static CUES: LazyLock<(RegexSet, Vec<Removal>)> = LazyLock::new(|| {
    let rules: [(&str, Removal); 6] = [
        (
            r"(?i)[\w.+-]+@[\w-]+\.[\w.]+|\+\d[\d ()-]{7,}\d|\(\d{2,5}\) ?\d{3,4}[ -]\d{3,4}|\b\d{3}[ -]\d{3}[ -]\d{4}\b|\b(?:opening (?:time|hours)|office hours|call us|contact us|open 24/7|road|street|avenue|boulevard|suite|p\.?o\.? box|news tips?|tip line)\b",
            Removal::ContactDetails,
        ),
        (
            r"(?i)\b(?:donat(?:e|es|ion|ions)|your support|support (?:us|our|independent)|(?:make|consider|consider making) a (?:contribution|gift)|contribute today|become a (?:member|supporter|patron)|we need your help|readers fund|reader-funded|nonprofit newsroom)\b",
            Removal::DonationAppeal,
        ),
        (
            r"(?i)\b(?:subscribe|subscription|subscriber|newsletter|sign up|signing up|free trial|try it free|free for \d+ days|premium|advertisement|advertising|sponsored|ad-free|disabled all ads|log in|sign in|enter your email|your email address|privacy policy)\b",
            Removal::Promotion,
        ),
        (
            r"(?i)\b(?:not all news on the site|views expressed|does not necessarily reflect|disclaimer|all rights reserved|translated (?:automatically|by machine)|programmatic(?:ally)? translat\w*|automatic (?:software|translation)|machine translation|general information only|(?:legal|financial|investment) advice)\b|(?:^|[^\p{L}])\u{a9}|\(c\) \d{4}|\bcopyright \d{4}",
            Removal::Disclaimer,
        ),
        (
            r"(?i)\bcookies?\b.*\b(?:accept|consent|policy|settings|preferences|experience|agree)\b",
            Removal::CookieNotice,
        ),
        // Rules read the line before NFC, so the Greek ano teleia (U+0387), which NFC turns into
        // a middle dot, counts as one.
        (
            r"^[\u{2022}\u{b7}\u{387}|>\u{bb}\u{2023}\u{25aa}-]|(?:\s[|\u{2022}\u{b7}\u{387}]\s.*){2}|^\S+(?:\s{2,}\S+){2,}$",
            Removal::Navigation,
        ),
    ];
    let set = compile_set(rules.iter().map(|(p, _)| *p));
    (set, rules.iter().map(|(_, reason)| *reason).collect())
});

/// Why `line` is furniture, or `None` to keep it.
pub(super) fn furniture(line: &Line<'_>, ctx: Context) -> Option<Removal> {
    let text = line.text;
    let short = line.words <= SHORT_WORDS && !line.prose;
    // Credits before breadcrumbs: "Name / Flickr / modified" has the shape of both.
    if short && PHOTO_CREDIT.is_match(text) {
        return Some(Removal::PhotoCredit);
    }
    if let Some((_, reason)) = WHOLE_LINE.iter().find(|(re, _)| re.is_match(text)) {
        return Some(*reason);
    }
    if line.words <= WIDGET_WORDS_MAX {
        let words = core(text);
        if let Some((_, reason)) = WIDGET_WORDS.iter().find(|(re, _)| re.is_match(&words)) {
            return Some(*reason);
        }
        // A button word alone is only furniture under a widget ("Continue" may end a quote).
        if BUTTON_WORDS.is_match(&words) {
            return ctx.widget_above;
        }
    }
    // A headline right under a label ("Sponsored content", "More stories") is what it labels.
    if let Some(reason) = ctx.label_above.filter(|_| !line.blank_before)
        && !line.prose
        && line.words >= 3
        && !text.ends_with('.')
    {
        return Some(reason);
    }
    let (set, reasons) = &*CUES;
    let cue = set.matches(text).into_iter().next().map(|i| reasons[i]);
    // A long run of sentences is an article paragraph (or a whole article on one line) that
    // mentions the cue, never a widget.
    let widget_sized = line.sentences <= MAX_WIDGET_SENTENCES && text.len() <= MAX_WIDGET_BYTES;
    let by_cue = cue.filter(|_| widget_sized).and_then(|reason| match reason {
        // An address, e-mail or phone in the header or a short line is the site's own, and so
        // is one the reader is told to use ("Send tips to ...").
        Removal::ContactDetails => {
            (short && (ctx.in_header || line.words <= 8) || line.voice() >= VOICE_MIN || imperative(text))
                .then_some(reason)
        }
        Removal::Navigation => (short
            && (ctx.in_header || line.words <= 8 || text.contains(['|', '\u{b7}', '\u{387}', '\u{2022}'])))
        .then_some(reason),
        // Publishers word their disclaimers like nobody else does.
        Removal::Disclaimer => Some(reason),
        // Prose with a cue stays unless it speaks to the reader as the publisher does.
        _ => (!line.prose || line.voice() >= VOICE_MIN || imperative(text)).then_some(reason),
    });
    // A word or two above the article, with no punctuation, is a section label.
    let section_label = ctx.in_header
        && line.words <= 2
        && text.len() <= SECTION_LABEL_BYTES
        && text.chars().all(|c| c.is_alphanumeric() || c.is_whitespace());
    by_cue.or(section_label.then_some(Removal::Navigation))
}

/// "Sponsored", "Sponsored content": the headline below it is an advertisement.
pub(super) fn labels_sponsored(text: &str) -> bool {
    core(text).starts_with("sponsored") && text.split_whitespace().count() <= 3
}

/// A sentence that tells the reader what to do: "Send it to", "Sign up", "Try it free".
fn imperative(text: &str) -> bool {
    static IMPERATIVE: LazyLock<Regex> = LazyLock::new(|| {
        compile(
            r"(?:^|[.?!]\s+)(?:Send|Call|Email|E-mail|Contact|Write to|Tip us|Try|Sign up|Subscribe|Join|Download|Click|Follow)\b",
        )
    });
    IMPERATIVE.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        line: &'static str,
        in_header: bool,
        want: Option<Removal>,
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
        case!("Skip to main content", Some(Removal::Navigation)),
        case!("News | Business | Tech | Opinion", Some(Removal::Navigation)),
        case!(header "\u{2022} 12 Harbour Street, Leeds", Some(Removal::ContactDetails)),
        case!(header "Email: desk@news.example", Some(Removal::ContactDetails)),
        case!(header "Call us on +44 113 496 0000", Some(Removal::ContactDetails)),
        case!("Related: Ferry operator hit by outage", Some(Removal::RelatedLinks)),
        case!("RelatedBank fined over outage", Some(Removal::RelatedLinks)),
        case!("{ Read: The grid attacks, one year on }", Some(Removal::RelatedLinks)),
        case!("Read more", Some(Removal::RelatedLinks)),
        case!("Press play to listen to this article", Some(Removal::SharePrompt)),
        case!("Share on LinkedIn", Some(Removal::SharePrompt)),
        case!("Previous Post Next Post", Some(Removal::SharePrompt)),
        case!("Page 2 of 5", Some(Removal::SharePrompt)),
        case!("Photo: Ana Silva/Agency", Some(Removal::PhotoCredit)),
        case!("Lena Ortiz / Unsplash / edited", Some(Removal::PhotoCredit)),
        case!("Sign up for our morning newsletter", Some(Removal::Promotion)),
        case!("We use cookies to improve your experience.", Some(Removal::CookieNotice)),
        case!("</text>", Some(Removal::Markup)),
        case!("Views expressed by contributors are their own", Some(Removal::Disclaimer)),
        case!("\u{a9} 2024 Quelp Media Group", Some(Removal::Disclaimer)),
        case!(
            "This text was translated automatically and may contain errors, which we regret.",
            Some(Removal::Disclaimer)
        ),
        case!(
            "If you value this reporting, your support helps us stay independent of advertisers.",
            Some(Removal::DonationAppeal)
        ),
    ];

    const ARTICLE: &[Case] = &[
        // "é" read twice in the wrong encoding holds the copyright sign after a letter.
        case!("Quelp Hospital of San Jos\u{c3}\u{a9} has some data dumped on the gang's website.", None),
        case!("The ministry said the attackers had defaced 20 websites overnight and demanded payment.", None),
        case!("\"We will not give in,\" she said.", None),
        case!("Read the statement, he told reporters, and judge for yourselves what happened that night.", None),
        case!("Continue", None),
        case!("The company said customers could call its helpline on +1 555 010 0199 for information.", None),
        case!("The gang sells premium access to stolen data to its subscribers on a dark-web forum.", None),
        case!(
            "\u{201c}We need your help to find the attackers,\u{201d} the police chief told reporters on Monday.",
            None
        ),
        case!("The attackers stole session cookies and used them to log in as administrators.", None),
        case!("Hackers hit the parliament website on Wednesday.", None),
        case!("Shares in the company fell 4% after it disclosed the breach.", None),
    ];

    fn check(cases: &[Case]) {
        for case in cases {
            let line = Line::new(0..case.line.len(), case.line, false);
            let ctx = Context { in_header: case.in_header, ..Context::default() };
            assert_eq!(furniture(&line, ctx), case.want, "line: {:?}", case.line);
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
    fn button_words_are_furniture_only_under_a_widget() {
        let line = Line::new(0..7, "Monthly", false);
        assert_eq!(
            furniture(&line, Context { widget_above: Some(Removal::DonationAppeal), ..Context::default() }),
            Some(Removal::DonationAppeal)
        );
        assert_eq!(furniture(&line, Context::default()), None);
    }

    #[test]
    fn a_whole_article_on_one_line_survives_its_cues() {
        let sentence = "Researchers said the flaw lets you bypass login, and we confirmed it on a test server. ";
        let article = format!("{}Subscribers of the service were told to reset passwords.", sentence.repeat(8));
        let line = Line::new(0..article.len(), &article, false);
        assert_eq!(furniture(&line, Context { in_header: true, ..Context::default() }), None);
    }
}
