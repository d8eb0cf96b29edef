//! Calendar words and whole days as news pages write them ("Jan. 14, 2024", "6 March 2024",
//! "2024-03-06", "21.02.2024").

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::compile;

/// A month's name or its abbreviation.
pub(crate) const MONTH: &str = r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)";

/// A year news may report.
pub(crate) const YEAR: &str = r"(?:19[89]\d|20[0-4]\d)";

/// Weekday and month names as capitalised words: they start sentences and dates, never names.
pub(crate) const CALENDAR_WORDS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month a name of [`MONTH`] stands for, 1 to 12.
pub(crate) fn month(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let key = name.get(..3)?.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == key).map(|i| i as u32 + 1)
}

/// A whole day: month first, day first, ISO 8601, or day.month.year as most of Europe writes it.
static DAY: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"\b(?:(?P<m1>{MONTH}) (?P<d1>[0-3]?\d)(?:st|nd|rd|th)?,? (?P<y1>{YEAR})|(?P<d2>[0-3]?\d)(?:st|nd|rd|th)? (?P<m2>{MONTH}),? (?P<y2>{YEAR})|(?P<d4>[0-3]?\d)\.(?P<m4>[01]?\d)\.(?P<y4>{YEAR}))\b|\b(?P<y3>{YEAR})-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)(?:T|\b)"
    ))
});

/// The first whole day `text` names, if it names a real one.
pub(crate) fn first_day(text: &str) -> Option<NaiveDate> {
    DAY.captures_iter(text).find_map(|c| {
        let group = |name: &str| c.name(name).map(|m| m.as_str());
        let number = |name: &str| group(name).and_then(|n| n.parse::<u32>().ok());
        let (year, month, day) = if let Some(m) = group("m1") {
            (group("y1")?, month(m)?, number("d1")?)
        } else if let Some(m) = group("m2") {
            (group("y2")?, month(m)?, number("d2")?)
        } else if let Some(y) = group("y3") {
            (y, number("m3")?, number("d3")?)
        } else {
            (group("y4")?, number("m4")?, number("d4")?)
        };
        NaiveDate::from_ymd_opt(year.parse().ok()?, month, day)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_days_are_read_in_the_orders_pages_write_them() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        for (text, want) in [
            ("By Olena Marchuk | Jan. 14, 2024, 11:42", day(2024, 1, 14)),
            ("Published March 9, 2024 at 6:15 p.m. ET | Updated March 10, 2024", day(2024, 3, 9)),
            ("Wednesday, 6 March 2024 — 16:20 CET", day(2024, 3, 6)),
            ("Published: Tuesday 14 May 2024, 07:05 BST", day(2024, 5, 14)),
            ("Von Sabine Kröger | 21.02.2024, 14:10 Uhr", day(2024, 2, 21)),
            ("Posted 2023-11-30T08:00Z", day(2023, 11, 30)),
            ("June 31, 2024", None),
            ("in March 2024", None),
            ("Updated 10:42 GMT", None),
        ] {
            assert_eq!(first_day(text), want, "{text}");
        }
    }
}
