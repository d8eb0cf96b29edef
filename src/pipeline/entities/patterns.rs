//! Patterns for what no list can hold: people by the words around their names, national
//! bodies, unnamed parties, dates, money and quantities. All regexes run in linear time.

use std::{ops::Range, sync::LazyLock};

use regex::Regex;

use crate::pipeline::regex::compile;

use crate::pb::EntityKind;

/// A pattern match: kind, byte range, canonical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// What was found.
    pub kind: EntityKind,
    /// Where.
    pub range: Range<usize>,
    /// Canonical name.
    pub name: String,
}

/// A capitalised name of two or three words ("Oleg Nikolenko", "Jean-Marc de Vries").
const NAME: &str = r"\p{Lu}[\p{Ll}'\u{2019}\-]+(?:\s(?:de |van |von |al-)?\p{Lu}[\p{Ll}'\u{2019}\-]+){1,2}";

/// Titles and roles that introduce a person's name.
const ROLE: &str = r"(?:[Ss]pokes(?:man|woman|person)|[Mm]inister|[Pp]resident|[Pp]rime [Mm]inister|[Cc]hancellor|[Ss]ecretary|[Aa]mbassador|[Dd]irector|[Cc]hief|[Hh]ead|[Cc]ommissioner|[Ss]enator|MEP|MP|CEO|CTO|CISO|[Ff]ounder|[Rr]esearcher|[Aa]nalyst|[Ee]xpert|[Oo]fficial|[Dd]eputy|[Mm]ayor|[Gg]eneral|[Pp]rofessor|[Dd]r\.|[Mm]r\.|[Mm]s\.|[Mm]rs\.)";

static PERSON_AFTER_ROLE: LazyLock<Regex> = LazyLock::new(|| compile(&format!(r"\b{ROLE},?\s({NAME})")));
static PERSON_BEFORE_SAID: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(r"({NAME}),?\s(?:said|says|told|wrote|added|posted|noted|warned|confirmed|explained)\b"))
});
static PERSON_AFTER_SAID: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"\b(?:said|says|according to)\s({NAME})\b")));

/// "Ministry of Foreign Affairs", "Foreign Ministry", "State Service of Special Communications",
/// "National Cyber Security Agency".
static GOVERNMENT_BODY: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:(?:Ministry|Department|State Service|Office|Council|Cabinet|Agency|Commission|Directorate|Service) (?:of|for) (?:the )?\p{Lu}[\p{L}]+(?:(?:,? | and | of | for )\p{Lu}[\p{L}]+)*|(?:Foreign|Defen[cs]e|Interior|Finance|Justice|Health|Education|Energy|Digital|Economy|Agriculture|Home) (?:Ministry|Office|Department)|National (?:\p{Lu}[\p{L}]+ ){1,3}(?:Agency|Service|Centre|Center|Bureau|Authority|Police)|Cabinet of Ministers)",
    )
});

/// Unnamed parties that incidents need: attackers and victims named by what they are.
static GROUP: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:(?:unidentified|unknown|suspected|state-sponsored|state-backed|pro-[\p{L}]+|[\p{L}]+-linked|criminal|foreign)\s)?(?:hackers?|hacking groups?|hacker groups?|hacktivists?|cyber ?criminals?|attackers|threat actors?|ransomware (?:gang|group|operators?)|customers|patients|users|employees|students|clients|citizens|voters|residents)\b",
    )
});

static MONTH: &str = r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?|Sep(?:t(?:ember|\.)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)";

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"\b(?:(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)|(?P<m1>{MONTH})\s(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s(?P<y1>(?:19|20)\d\d))?|(?P<d2>[0-3]?\d)\s(?P<m2>{MONTH})(?:\s(?P<y2>(?:19|20)\d\d))?|(?P<m3>{MONTH})\s(?P<y3>(?:19|20)\d\d)|(?:in|since|of|during|early|late|mid-?)\s(?P<y4>(?:19|20)\d\d)|(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
    ))
});

static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)(?:[$\u{20ac}\u{a3}]\s?\d[\d,.]*(?:\s?(?:million|billion|thousand|m|bn|k)\b)?|\b\d[\d,.]*\s?(?:million |billion |thousand )?(?:dollars|euros|pounds|hryvnias?|rubles|roubles|bitcoins?|BTC|USD|EUR|GBP)\b)",
    )
});

static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b\d[\d,.]*(?:\s(?:million|billion|thousand))?\s(?:(?:government |personal |customer |user )?(?:websites?|sites|servers|computers|devices|systems|records|accounts|files|documents|customers|users|patients|people|employees|machines|emails|terabytes|gigabytes|TB|GB))\b",
    )
});

/// People, bodies, groups, dates, money and quantities in `text`.
pub(super) fn find(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    for pattern in [&*PERSON_AFTER_ROLE, &*PERSON_BEFORE_SAID, &*PERSON_AFTER_SAID] {
        for c in pattern.captures_iter(text) {
            let name = c.get(1).expect("person patterns capture the name");
            if !is_stop_name(name.as_str()) {
                found.push(Found { kind: EntityKind::Person, range: name.range(), name: name.as_str().to_string() });
            }
        }
    }
    let simple: [(&Regex, EntityKind); 4] = [
        (&GOVERNMENT_BODY, EntityKind::GovernmentBody),
        (&GROUP, EntityKind::Group),
        (&MONEY, EntityKind::Money),
        (&QUANTITY, EntityKind::Quantity),
    ];
    for (pattern, kind) in simple {
        for m in pattern.find_iter(text) {
            let name = match kind {
                EntityKind::Group => m.as_str().to_lowercase(),
                _ => m.as_str().to_string(),
            };
            found.push(Found { kind, range: m.range(), name });
        }
    }
    for c in DATE.captures_iter(text) {
        let whole = c.get(0).expect("group 0 is the match");
        found.push(Found {
            kind: EntityKind::Date,
            range: whole.range(),
            name: iso_date(&c).unwrap_or_else(|| whole.as_str().to_string()),
        });
    }
    found
}

/// Capitalised phrases the person patterns catch that are not people.
fn is_stop_name(name: &str) -> bool {
    let first = name.split_whitespace().next().unwrap_or_default();
    matches!(first, "The" | "This" | "That" | "Our" | "We" | "He" | "She" | "They" | "It" | "In" | "On" | "A" | "An")
}

/// The date in ISO 8601 at the precision the text gives ("2022-01-14", "2022-01", "--01-14").
fn iso_date(c: &regex::Captures<'_>) -> Option<String> {
    if let Some(iso) = c.name("iso") {
        return Some(iso.as_str().to_string());
    }
    if let Some(y) = c.name("y4") {
        return Some(y.as_str().to_string());
    }
    if let (Some(m), Some(y)) = (c.name("m3"), c.name("y3")) {
        return Some(format!("{}-{:02}", y.as_str(), month(m.as_str())?));
    }
    let (m, d, y) = match (c.name("m1"), c.name("m2")) {
        (Some(m), _) => (m, c.name("d1")?, c.name("y1")),
        (None, Some(m)) => (m, c.name("d2")?, c.name("y2")),
        _ => return None,
    };
    let day: u32 = d.as_str().parse().ok().filter(|d| (1..=31).contains(d))?;
    let month = month(m.as_str())?;
    Some(match y {
        Some(y) => format!("{}-{month:02}-{day:02}", y.as_str()),
        None => format!("--{month:02}-{day:02}"),
    })
}

fn month(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let key = name.get(..3)?.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == key).map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, kind: EntityKind) -> Vec<(String, String)> {
        find(text).into_iter().filter(|f| f.kind == kind).map(|f| (text[f.range].to_string(), f.name)).collect()
    }

    #[test]
    fn people_by_role_and_speech() {
        let text = "Foreign Ministry spokesman Oleg Petrenko wrote on Facebook. Anna Kowalska said the site was down.";
        let people: Vec<String> = found(text, EntityKind::Person).into_iter().map(|(_, n)| n).collect();
        assert!(people.contains(&"Oleg Petrenko".to_string()), "{people:?}");
        assert!(people.contains(&"Anna Kowalska".to_string()), "{people:?}");
    }

    #[test]
    fn government_bodies() {
        let text =
            "the Ministry of Foreign Affairs, the Foreign Ministry and the State Service of Special Communications";
        let bodies: Vec<String> = found(text, EntityKind::GovernmentBody).into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            bodies,
            ["Ministry of Foreign Affairs", "Foreign Ministry", "State Service of Special Communications"]
        );
    }

    #[test]
    fn dates_at_the_precision_given() {
        let dates: Vec<String> =
            found("On Jan. 14, 2022, in 2017, on 3 March and in June 2021, on Friday", EntityKind::Date)
                .into_iter()
                .map(|(_, n)| n)
                .collect();
        assert_eq!(dates, ["2022-01-14", "2017", "--03-03", "2021-06", "Friday"]);
    }

    #[test]
    fn groups_money_and_quantities() {
        let text = "Unidentified hackers stole $4.5 million and 31 million euros from 120,000 customers.";
        assert_eq!(found(text, EntityKind::Group)[0].1, "unidentified hackers");
        let money: Vec<String> = found(text, EntityKind::Money).into_iter().map(|(s, _)| s).collect();
        assert_eq!(money, ["$4.5 million", "31 million euros"]);
        assert_eq!(found(text, EntityKind::Quantity)[0].0, "120,000 customers");
    }
}
