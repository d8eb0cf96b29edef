//! Judgements that need a line's neighbours: appeal blocks, which headline is the article's,
//! repeated titles and paragraphs, bylines.

use std::sync::LazyLock;

use foldhash::{HashSet, HashSetExt};
use regex::Regex;

use chrono::NaiveDate;

use crate::pipeline::{
    Removal,
    text::{compile, dates},
};

use super::{lines::Line, rules};

/// What cleanup decided for a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Article text.
    Keep,
    /// The article's headline: kept, and marked.
    Title,
    /// Who wrote or contributed: kept, and marked.
    Byline,
    /// When the page says it was published or updated: kept, and marked.
    Dateline,
    /// Furniture, with the reason.
    Remove(Removal),
}

impl Verdict {
    pub(super) fn kept(self) -> bool {
        !matches!(self, Verdict::Remove(_))
    }
}

/// Words a line may have and still be a label or button of an appeal block.
const APPEAL_LABEL_WORDS: usize = 6;
/// Publisher voice that carries an appeal block on to a neighbouring paragraph.
const APPEAL_VOICE: f32 = 0.05;
const APPEAL_MAX_SENTENCES: usize = 5;
/// Letters a repeated title may carry after it: "Tags:", " – Site Name".
const MAX_TITLE_SUFFIX: usize = 30;
/// Share of a headline's content words found at the top of the article for it to be the
/// article's, and the most a headline from another story may share, relative to that.
const TITLE_MATCH: f32 = 0.3;
const OTHER_HEADLINE_RATIO: f32 = 0.5;
/// Paragraphs at the top of the article that a headline is compared with.
const REFERENCE_PARAGRAPHS: usize = 5;

/// Spreads each appeal paragraph over its block: the neighbouring paragraphs in the same
/// publisher voice and the short labels and buttons around them ("Dear readers,", "Maybe later").
///
/// A block reaches from one barrier (a kept line that is not part of an appeal, the title, a
/// byline) to the next, through removed lines; every line of it takes the reason of its first
/// appeal paragraph. One pass: a page of appeals costs no more than a page of prose.
pub(super) fn expand_appeals(lines: &[Line<'_>], verdicts: &mut [Verdict]) {
    let part_of_appeal = |line: &Line<'_>| {
        let label = line.words <= APPEAL_LABEL_WORDS && !line.headline_like();
        let voiced = line.voice() >= APPEAL_VOICE && line.sentences <= APPEAL_MAX_SENTENCES;
        label || voiced
    };
    let seed = |i: usize, verdict: Verdict| match verdict {
        Verdict::Remove(r @ (Removal::DonationAppeal | Removal::Promotion))
            if lines[i].prose && lines[i].voice() >= APPEAL_VOICE =>
        {
            Some(r)
        }
        _ => None,
    };
    let mut block_start = 0;
    let mut reason_opt = None;
    for i in 0..=lines.len() {
        let barrier = verdicts.get(i).is_none_or(|&v| match v {
            Verdict::Remove(_) => false,
            Verdict::Keep => !part_of_appeal(&lines[i]),
            Verdict::Title | Verdict::Byline | Verdict::Dateline => true,
        });
        if !barrier {
            reason_opt = reason_opt.or_else(|| seed(i, verdicts[i]));
            continue;
        }
        if let Some(reason) = reason_opt.take() {
            for v in &mut verdicts[block_start..i] {
                if *v == Verdict::Keep {
                    *v = Verdict::Remove(reason);
                }
            }
        }
        block_start = i + 1;
    }
}

/// Buttons of a donation form in a run of at least this many lines, with no appeal above them
/// ("Once" / "Monthly" / "Annual" / "Continue"), are the form.
const BUTTON_RUN: usize = 3;

/// Removes runs of adjacent buttons that choose how often to give, whatever is above them.
pub(super) fn remove_donation_buttons(lines: &[Line<'_>], verdicts: &mut [Verdict]) {
    let mut i = 0;
    while i < lines.len() {
        let run = (i..lines.len())
            .take_while(|&j| {
                verdicts[j] == Verdict::Keep && rules::is_button(&lines[j]) && (j == i || !lines[j].blank_before)
            })
            .count();
        if run >= BUTTON_RUN && lines[i..i + run].iter().filter(|l| rules::is_frequency_button(l)).count() >= 2 {
            verdicts[i..i + run].fill(Verdict::Remove(Removal::DonationAppeal));
        }
        i += run.max(1);
    }
}

/// Words a widget's heading may have ("The Threat Brief"), and its blurb.
const WIDGET_HEAD_WORDS: usize = 5;
const WIDGET_BLURB_WORDS: usize = 25;

/// Gives a box's heading and blurb the reason of the box below them: a short heading, at most
/// one short line, then two or more lines of one promotion or appeal, with no blank line
/// between ("The Threat Brief" / "Every weekday morning: ..." / "Enter your email" / "Sign up").
pub(super) fn absorb_widget_heads(lines: &[Line<'_>], verdicts: &mut [Verdict]) {
    let tight = |i: usize| i < lines.len() && !lines[i].blank_before;
    for head in 0..lines.len() {
        if verdicts[head] != Verdict::Keep || lines[head].prose || lines[head].words > WIDGET_HEAD_WORDS {
            continue;
        }
        let blurb = head + 1;
        let has_blurb = tight(blurb)
            && verdicts[blurb] == Verdict::Keep
            && lines[blurb].words <= WIDGET_BLURB_WORDS
            && lines[blurb].sentences <= 2;
        let body = if has_blurb { blurb + 1 } else { blurb };
        let Some(Verdict::Remove(reason @ (Removal::Promotion | Removal::DonationAppeal))) =
            verdicts.get(body).copied()
        else {
            continue;
        };
        let run = (body..lines.len()).take_while(|&i| tight(i) && verdicts[i] == Verdict::Remove(reason)).count();
        if tight(body) && run >= 2 {
            verdicts[head] = Verdict::Remove(reason);
            if has_blurb {
                verdicts[blurb] = Verdict::Remove(reason);
            }
        }
    }
}

/// Content words of a line, as five-letter stems so "attacked" meets "attack".
fn stems(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(|w| w.chars().take(5).flat_map(char::to_lowercase).collect())
        .collect()
}

fn overlap(headline: &HashSet<String>, body: &HashSet<String>) -> f32 {
    if headline.is_empty() {
        return 0.0;
    }
    headline.intersection(body).count() as f32 / headline.len() as f32
}

/// The kept prose lines, in order.
fn prose_lines(lines: &[Line<'_>], verdicts: &[Verdict]) -> Vec<usize> {
    (0..lines.len()).filter(|&i| verdicts[i] == Verdict::Keep && lines[i].prose).collect()
}

/// Finds the article's headline among the headline-like lines above the article, and marks
/// the others: stories from the site's header.
pub(super) fn choose_title(lines: &[Line<'_>], verdicts: &mut [Verdict], given_title: &str) {
    let prose = prose_lines(lines, verdicts);
    let Some(&first) = prose.first() else { return };
    // Above the article, headlines may be in sentence case too.
    let candidates: Vec<usize> = (0..first).filter(|&i| verdicts[i] == Verdict::Keep && lines[i].titled()).collect();
    if candidates.is_empty() {
        return;
    }
    let reference = if given_title.trim().is_empty() {
        prose.iter().take(REFERENCE_PARAGRAPHS).flat_map(|&i| stems(lines[i].text)).collect()
    } else {
        stems(given_title)
    };
    let candidates: Vec<(usize, f32)> =
        candidates.into_iter().map(|i| (i, overlap(&stems(lines[i].text), &reference))).collect();
    let Some(&(title, best)) = candidates.iter().max_by(|(a, x), (b, y)| x.total_cmp(y).then(b.cmp(a))) else {
        return;
    };
    verdicts[title] = Verdict::Title;
    for &(other, score) in candidates.iter().filter(|&&(i, _)| i != title) {
        // Only a clear difference removes a headline: with no evidence either way, keep both.
        if best >= TITLE_MATCH && score <= best * OTHER_HEADLINE_RATIO {
            verdicts[other] = Verdict::Remove(Removal::OtherHeadline);
        }
    }
}

/// Below the article, lines that are not sentences are the site's: its title again, or other
/// stories.
pub(super) fn mark_footer_headlines(lines: &[Line<'_>], verdicts: &mut [Verdict]) {
    let Some(&last) = prose_lines(lines, verdicts).last() else { return };
    let title = verdicts.iter().position(|v| *v == Verdict::Title).map(|t| stems(lines[t].text)).unwrap_or_default();
    for i in last + 1..lines.len() {
        if verdicts[i] == Verdict::Keep && lines[i].titled() && lines[i].words >= 4 {
            let similar = overlap(&stems(lines[i].text), &title) >= 0.8;
            verdicts[i] = Verdict::Remove(if similar { Removal::DuplicateTitle } else { Removal::OtherHeadline });
        }
    }
}

/// A line as compared for repetition: lowercase letters and digits only.
fn comparable(s: &str) -> String {
    if s.is_ascii() {
        return s.bytes().filter(u8::is_ascii_alphanumeric).map(|b| char::from(b.to_ascii_lowercase())).collect();
    }
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Marks second copies: of the title (also glued to a "Tags:" label), of any heading, and of
/// whole paragraphs the scraper picked up twice.
pub(super) fn mark_repeats(lines: &[Line<'_>], verdicts: &mut [Verdict]) {
    let title = verdicts.iter().position(|v| *v == Verdict::Title).map(|i| comparable(lines[i].text));
    let mut seen: HashSet<String> = HashSet::new();
    for (line, verdict) in lines.iter().zip(verdicts.iter_mut()) {
        if !verdict.kept() {
            continue;
        }
        let key = comparable(line.text);
        let is_title_copy = *verdict != Verdict::Title
            && title.as_ref().is_some_and(|t| {
                !t.is_empty() && key.starts_with(t.as_str()) && key.len() - t.len() <= MAX_TITLE_SUFFIX
            });
        if is_title_copy || (key.len() > 12 && !seen.insert(key)) {
            *verdict = Verdict::Remove(if line.prose && !is_title_copy {
                Removal::DuplicateParagraph
            } else {
                Removal::DuplicateTitle
            });
        }
    }
}

/// Marks the lines above the article that only say when it was published, and returns the
/// first whole day that they or the bylines give: the day the page says it was published.
pub(super) fn mark_datelines(lines: &[Line<'_>], verdicts: &mut [Verdict]) -> Option<NaiveDate> {
    let first_prose = lines.iter().position(|l| l.prose).unwrap_or(lines.len());
    let mut day = None;
    for (line, verdict) in lines[..first_prose].iter().zip(verdicts.iter_mut()) {
        if *verdict == Verdict::Keep && line.is_dateline() {
            *verdict = Verdict::Dateline;
        }
        if matches!(verdict, Verdict::Dateline | Verdict::Byline) {
            day = day.or_else(|| dates::first_day(line.text));
        }
    }
    day
}

/// "By Anna Berg", "Author: Rafael Quintero": a name after the label, on a line that is not a
/// sentence ("By Friday, ...").
static BY_NAME: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^(?i:by|written by|words by|posted by|author:|reporter:)\s*\p{Lu}[\p{L}'.-]+\s+\p{Lu}"));
/// Credits that read like nothing else: "Reporting by", "contributed reporting from".
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:reporting by|writing by|editing by|additional reporting|contributed (?:reporting |to this (?:report|story) )?(?:from|to|by)|staff (?:writer|reporter)|(?:senior |chief )?correspondent)\b",
    )
});

/// Marks who wrote the article: kept, but not article prose.
pub(super) fn mark_bylines(lines: &[Line<'_>], verdicts: &mut [Verdict]) {
    for (line, verdict) in lines.iter().zip(verdicts.iter_mut()) {
        let by_name = BY_NAME.is_match(line.text) && !line.text.ends_with('.');
        if *verdict == Verdict::Keep
            && line.words <= 20
            && line.sentences <= 2
            && (by_name || CREDIT.is_match(line.text))
        {
            *verdict = Verdict::Byline;
        }
    }
}
