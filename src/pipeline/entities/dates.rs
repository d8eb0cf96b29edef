//! Dates as news writes them ("on Friday", "last month", "June 29", "in 2017", "between April
//! and September of this year"), resolved to ISO 8601 at the precision the text gives, using
//! the article's publication date for the relative ones.

use std::{ops::Range, sync::LazyLock};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use regex::{Captures, Regex};

use crate::pipeline::text::{
    compile,
    dates::{MONTH, YEAR, month},
};

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"\b(?:(?P<iso>{YEAR}-[01]\d-[0-3]\d)|between (?P<rm1>{MONTH}) and (?P<rm2>{MONTH})(?: of)?(?: (?P<ry>{YEAR}|this year|last year))?|(?P<m1>{MONTH}) (?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,? (?P<y1>{YEAR}))?|(?P<d2>[0-3]?\d) (?P<m2>{MONTH})(?: (?P<y2>{YEAR}))?|(?P<m3>{MONTH}),? (?P<y3>{YEAR})|(?:in|since|of|during|early|late|mid-?|until|by) (?P<y4>{YEAR})|(?P<rel>yesterday|today|(?:last|this|earlier this|next) (?:week|month|year))|(?:(?:on|last|this|since|from|until|by) )?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
    ))
});

/// A date in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// Where.
    pub(super) range: Range<usize>,
    /// ISO 8601 ("2022-01-14", "2022-01", "2017", "--06-29", "2022-04/2022-09", "2024-W10"),
    /// or the words themselves when a relative date has no publication date to hang on.
    pub(super) value: String,
}

/// Every date in `text`, resolved against `published` when the text is relative to it.
pub(super) fn find(text: &str, published: Option<NaiveDate>) -> Vec<Found> {
    DATE.captures_iter(text)
        .map(|c| {
            let whole = c.get(0).expect("group 0 is the match");
            // Unresolved, a relative date is named by its words alone ("Friday", not "on Friday").
            let words = c.name("wd").or(c.name("rel")).unwrap_or(whole);
            let value = resolve(&c, published).unwrap_or_else(|| words.as_str().to_string());
            Found { range: whole.range(), value }
        })
        .collect()
}

fn resolve(c: &Captures<'_>, published: Option<NaiveDate>) -> Option<String> {
    let group = |name| c.name(name).map(|m| m.as_str());
    if let Some(iso) = group("iso") {
        return Some(iso.to_string());
    }
    if let Some(year) = group("y4") {
        return Some(year.to_string());
    }
    if let (Some(m), Some(y)) = (group("m3"), group("y3")) {
        return Some(format!("{y}-{:02}", month(m)?));
    }
    if let (Some(from), Some(to)) = (group("rm1"), group("rm2")) {
        let year = year_of(group("ry"), published)?;
        return Some(format!("{year}-{:02}/{year}-{:02}", month(from)?, month(to)?));
    }
    if let Some(rel) = group("rel") {
        return relative(rel, published?);
    }
    if let Some(day) = group("wd") {
        return weekday(day, published?);
    }
    let (m, d, y) = match (group("m1"), group("m2")) {
        (Some(m), _) => (m, group("d1")?, group("y1")),
        (None, Some(m)) => (m, group("d2")?, group("y2")),
        _ => return None,
    };
    let (month, day) = (month(m)?, d.parse::<u32>().ok().filter(|d| (1..=31).contains(d))?);
    match (y, published) {
        (Some(y), _) => Some(NaiveDate::from_ymd_opt(y.parse().ok()?, month, day)?.format("%Y-%m-%d").to_string()),
        // A day without a year is the latest such day up to the publication date.
        (None, Some(p)) => {
            let this_year = NaiveDate::from_ymd_opt(p.year(), month, day)?;
            let date = if this_year > p { NaiveDate::from_ymd_opt(p.year() - 1, month, day)? } else { this_year };
            Some(date.format("%Y-%m-%d").to_string())
        }
        // Any leap year admits every day a year without one does.
        (None, None) => NaiveDate::from_ymd_opt(2000, month, day).map(|_| format!("--{month:02}-{day:02}")),
    }
}

fn year_of(words: Option<&str>, published: Option<NaiveDate>) -> Option<i32> {
    match words {
        Some("this year") | None => published.map(|p| p.year()),
        Some("last year") => published.map(|p| p.year() - 1),
        Some(year) => year.parse().ok(),
    }
}

fn relative(words: &str, p: NaiveDate) -> Option<String> {
    let month_of = |d: NaiveDate| d.format("%Y-%m").to_string();
    Some(match words {
        "today" => p.format("%Y-%m-%d").to_string(),
        "yesterday" => (p - Duration::days(1)).format("%Y-%m-%d").to_string(),
        "this week" | "earlier this week" => p.format("%G-W%V").to_string(),
        "last week" => (p - Duration::days(7)).format("%G-W%V").to_string(),
        "next week" => (p + Duration::days(7)).format("%G-W%V").to_string(),
        "this month" | "earlier this month" => month_of(p),
        "last month" => month_of(p.with_day(1)? - Duration::days(1)),
        "next month" => month_of(p.with_day(28)? + Duration::days(7)),
        "this year" | "earlier this year" => p.year().to_string(),
        "last year" => (p.year() - 1).to_string(),
        "next year" => (p.year() + 1).to_string(),
        _ => return None,
    })
}

/// The latest day with that name on or before the publication date.
fn weekday(name: &str, p: NaiveDate) -> Option<String> {
    let wanted: Weekday = name.parse().ok()?;
    let back = (7 + p.weekday().num_days_from_monday() - wanted.num_days_from_monday()) % 7;
    Some((p - Duration::days(i64::from(back))).format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Saturday.
    fn published() -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2022, 1, 15)
    }

    fn values(text: &str, published: Option<NaiveDate>) -> Vec<String> {
        find(text, published).into_iter().map(|f| f.value).collect()
    }

    #[test]
    fn dates_resolve_against_the_publication_date() {
        let text = "On Friday, and last month, on June 29, on Jan. 14, 2022, in 2017, in March 2021, \
                    between April and September of this year, yesterday and last week.";
        assert_eq!(
            values(text, published()),
            [
                "2022-01-14",
                "2021-12",
                "2021-06-29",
                "2022-01-14",
                "2017",
                "2021-03",
                "2022-04/2022-09",
                "2022-01-14",
                "2022-W01"
            ]
        );
    }

    #[test]
    fn without_a_publication_date_the_precision_drops() {
        assert_eq!(values("on June 29 and on Friday, in 2016", None), ["--06-29", "Friday", "2016"]);
    }

    #[test]
    fn impossible_days_are_not_dates() {
        assert_eq!(values("on 31 February 2024 and on June 31", None), ["31 February 2024", "June 31"]);
    }

    #[test]
    fn numbers_and_names_that_are_not_dates() {
        assert_eq!(
            values("He may say 2,017 troops marched; Mayday calls; March Madness; 1,997 records", None),
            Vec::<String>::new()
        );
    }
}
