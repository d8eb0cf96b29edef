//! Cleanup: decides for every line of the scraped page whether it is article or furniture,
//! says why it removed what it removed, normalises what it keeps without losing the way back
//! to the input, detects the language, splits the sentences and fingerprints the text.

mod blocks;
mod fingerprint;
mod language;
mod lines;
mod markup;
mod normalize;
mod rules;
#[cfg(test)]
mod tests;

use std::ops::Range;

use blocks::Verdict;
use lines::Line;
use markup::Edit;

use super::{Document, Marked, Removal, Step, offsets::CleanTextBuilder, text::sentences};

/// How many lines below a widget its buttons ("Once", "Monthly", "Got it") may appear.
const WIDGET_REACH: usize = 8;

/// The cleanup stage.
#[derive(Debug, Default)]
pub struct Cleanup;

impl Step for Cleanup {
    const NAME: &'static str = "cleanup";

    fn apply(&self, doc: &mut Document) {
        let input = doc.article.text.as_str();
        let lines = lines::split(input);
        let mut verdicts = judge_lines(&lines);
        // Bylines first: a contributor line next to an appeal is not part of it.
        blocks::mark_bylines(&lines, &mut verdicts);
        let published = blocks::mark_datelines(&lines, &mut verdicts);
        blocks::expand_appeals(&lines, &mut verdicts);
        blocks::remove_donation_buttons(&lines, &mut verdicts);
        blocks::choose_title(&lines, &mut verdicts, &doc.article.title);
        blocks::absorb_widget_heads(&lines, &mut verdicts);
        blocks::mark_repeats(&lines, &mut verdicts);
        // Last: which lines are below the article depends on what the passes above removed.
        blocks::mark_footer_headlines(&lines, &mut verdicts);

        let mut out = Output::default();
        let kept: Vec<usize> = (0..lines.len()).filter(|&i| verdicts[i].kept()).collect();
        let mut next_kept = kept.iter().copied().skip(1);
        for (i, (line, verdict)) in lines.iter().zip(&verdicts).enumerate() {
            match verdict {
                Verdict::Remove(reason) => out.remove(line.range.clone(), *reason),
                Verdict::Title => out.mark(line.range.clone(), Marked::Title),
                Verdict::Byline => out.mark(line.range.clone(), Marked::Byline),
                Verdict::Dateline => out.mark(line.range.clone(), Marked::Dateline),
                Verdict::Keep => {}
            }
            if verdict.kept() {
                // The next line, when it is kept and directly below: a hyphenated word may continue there.
                let below = next_kept.next().filter(|&k| k == i + 1).map(|k| &lines[k]).filter(|n| !n.blank_before);
                out.push_line(input, line, below);
            }
        }
        doc.cleaned.text = out.text.finish();
        doc.cleaned.removed = out.removed;
        doc.cleaned.marked = out.marked;
        doc.cleaned.language = if doc.article.language.is_empty() {
            language::detect(doc.cleaned.text.as_str())
        } else {
            doc.article.language.clone()
        };
        doc.cleaned.published = published;
        doc.cleaned.sentences = sentences::split(doc.text());
        doc.cleaned.fingerprint = fingerprint::simhash(doc.text());
    }
}

/// The line rules, in page order, with the context they need.
fn judge_lines(lines: &[Line<'_>]) -> Vec<Verdict> {
    let mut ctx = rules::Context { in_header: true, ..rules::Context::default() };
    let mut widget_left = 0usize;
    lines
        .iter()
        .map(|line| {
            if widget_left == 0 {
                ctx.widget_above = None;
            }
            widget_left = widget_left.saturating_sub(1);
            let verdict = rules::furniture(line, ctx);
            // Labels of lists reach the line directly below them.
            ctx.label_above = verdict.filter(|r| *r == Removal::OtherHeadline || rules::labels_sponsored(line.text));
            match verdict {
                Some(reason) => {
                    if matches!(reason, Removal::DonationAppeal | Removal::CookieNotice | Removal::Promotion) {
                        ctx.widget_above = Some(reason);
                        widget_left = WIDGET_REACH;
                    }
                    Verdict::Remove(reason)
                }
                None => {
                    ctx.in_header &= !line.prose;
                    Verdict::Keep
                }
            }
        })
        .collect()
}

/// The cleaned text being built, and what was removed or marked on the way.
#[derive(Default)]
struct Output {
    text: CleanTextBuilder,
    removed: Vec<(Range<usize>, Removal)>,
    marked: Vec<(Range<usize>, Marked)>,
    /// The line break after the last kept line, and whether it stands right above the next.
    pending_break: Option<Range<usize>>,
    /// Input byte up to which article text has been kept.
    kept_until: usize,
}

impl Output {
    /// Records a removal; removals with the same reason and no article text between them form
    /// one block.
    fn remove(&mut self, range: Range<usize>, reason: Removal) {
        match self.removed.last_mut() {
            Some((last, last_reason)) if *last_reason == reason && self.kept_until <= last.end => last.end = range.end,
            _ => self.removed.push((range, reason)),
        }
    }

    fn mark(&mut self, range: Range<usize>, role: Marked) {
        self.marked.push((range, role));
    }

    /// Appends a kept line: markup out, characters normalised, and a word hyphenated across
    /// the line break to `below` joined again.
    fn push_line(&mut self, input: &str, line: &Line<'_>, below: Option<&Line<'_>>) {
        if let Some(newline) = self.pending_break.take() {
            // Lines directly below each other stay one paragraph; a gap or removed lines end it.
            let adjacent = !line.blank_before && newline.end == line_start_of(input, line.range.start);
            self.text.replace(newline, if adjacent { "\n" } else { "\n\n" });
        }
        let hyphenated = below.is_some_and(|n| n.text.starts_with(char::is_lowercase))
            && line.text.strip_suffix('-').is_some_and(|t| t.ends_with(char::is_alphabetic));
        let body = if hyphenated { &line.text[..line.text.len() - 1] } else { line.text };
        let at = line.range.start;
        let mut done = 0;
        for edit in markup::edits(body) {
            let (Edit::Drop(r) | Edit::Replace(r, _)) = &edit;
            let r = r.clone();
            self.keep(at + done, &body[done..r.start]);
            match edit {
                Edit::Drop(_) => self.remove(at + r.start..at + r.end, Removal::Markup),
                Edit::Replace(_, c) => {
                    // "&#160;" is a non-breaking space as much as U+00A0 is.
                    if let Some(c) = normalize::normalized(c) {
                        self.text.replace(at + r.start..at + r.end, c.encode_utf8(&mut [0; 4]));
                    }
                }
            }
            done = r.end;
        }
        self.keep(at + done, &body[done..]);
        // After a joined hyphen the next line follows directly; otherwise a break is due.
        self.pending_break = (!hyphenated).then(|| line.range.end..next_break_end(input, line.range.end));
    }

    fn keep(&mut self, at: usize, s: &str) {
        if !s.is_empty() {
            normalize::push_line(&mut self.text, at, s);
            self.kept_until = at + s.len();
        }
    }
}

/// Start of the input line holding byte `at`.
fn line_start_of(input: &str, at: usize) -> usize {
    input[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// End of the line break that follows byte `at` (the `\n`, after an optional `\r`).
fn next_break_end(input: &str, at: usize) -> usize {
    input[at..].find('\n').map_or(input.len(), |i| at + i + 1)
}
