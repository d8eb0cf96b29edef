//! Patterns for what no list can hold: people by the words around their names, national
//! bodies, unnamed parties, money and quantities; organisations come from [`organizations`].

use std::{collections::HashSet, ops::Range, sync::LazyLock};

use regex::Regex;

use super::organizations;
use crate::{
    pb::EntityKind,
    pipeline::{
        GroupRole,
        text::{after, before, compile, dates::CALENDAR_WORDS, overlaps_any},
    },
};

/// A pattern match: kind, byte range, canonical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// What was found.
    pub(super) kind: EntityKind,
    /// Where.
    pub(super) range: Range<usize>,
    /// Canonical name.
    pub(super) name: String,
}

/// A capitalised name of two or three words ("Oleg Nikolenko", "Jean-Marc de Vries").
const NAME: &str = r"\p{Lu}[\p{Ll}'\u{2019}\-]+(?:\s(?:de |van |von |al-|bin )?\p{Lu}[\p{Ll}'\u{2019}\-]+){1,2}";

/// Titles and roles that introduce a person's name.
const ROLE: &str = r"(?:[Ss]pokes(?:man|woman|person)|[Mm]inister|[Pp]resident|[Cc]hancellor|[Ss]ecretary|[Aa]mbassador|[Dd]irector|[Cc]hief|[Hh]ead|[Cc]ommissioner|[Ss]enator|[Gg]overnor|MEP|MP|CEO|CTO|CISO|[Ff]ounder|[Rr]esearcher|[Aa]nalyst|[Ee]xpert|[Oo]fficial|[Dd]eputy|[Mm]ayor|[Gg]eneral|[Pp]rofessor|[Dd]iplomat|[Cc]ounsel|[Ll]eader|[Mm]ember|Dr\.|Mr\.|Ms\.|Mrs\.)";

static PERSON: LazyLock<[Regex; 4]> = LazyLock::new(|| {
    [
        compile(&format!(r"\b{ROLE},?\s({NAME})")),
        compile(&format!(
            r"({NAME}),?\s(?:said|says|told|wrote|added|posted|noted|warned|confirmed|explained|tweeted|stated|argued)\b"
        )),
        compile(&format!(r"\b(?i:said|says|according to|told by|echoed by|quoted)\s({NAME})\b")),
        // Apposition: "Marcin Nowak, Polish Deputy Foreign Minister", "Anna Berg, a researcher at".
        compile(&format!(r"({NAME}),\s(?:the |a |an )?(?:[\p{{Lu}}\p{{Ll}}][\p{{L}}-]+\s){{0,3}}{ROLE}")),
    ]
});

/// Words that never start or make up a person's name: what the name patterns catch when a
/// sentence or a headline opens with capitals ("The Ministry said", "Officials Said").
const NOT_NAME_WORDS: &[&str] = &[
    "The",
    "This",
    "That",
    "These",
    "Those",
    "Our",
    "We",
    "He",
    "She",
    "They",
    "It",
    "In",
    "On",
    "At",
    "A",
    "An",
    "But",
    "And",
    "Its",
    "His",
    "Her",
    "Their",
    "Officials",
    "Ministry",
    "Minister",
    "Department",
    "Agency",
    "Council",
    "Committee",
    "Office",
    "Service",
    "Group",
    "Bank",
    "Police",
    "Government",
    "Parliament",
    "Commission",
    "Union",
    "Foreign",
    "Affairs",
    "National",
    "State",
    "Federal",
    "Cyber",
    "Security",
    "News",
    "Times",
    "Post",
    "Press",
    "Hackers",
    "Microsoft",
    "Google",
    "Spokesman",
    "Spokeswoman",
    "Deputy",
    "Prime",
    "President",
    "Secretary",
    "General",
    "Chief",
    "Director",
    "Pro",
    "Anti",
    "Russian",
    "Ukrainian",
    "American",
    "Chinese",
    "European",
    "British",
    "Iranian",
    "Israeli",
];

/// "Ministry of Foreign Affairs", "Foreign Ministry", "State Service of Special Communications",
/// "National Cyber Security Agency", "City of Ashford".
static GOVERNMENT_BODY: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:(?:City|County|Town) of \p{Lu}\p{L}+(?: \p{Lu}\p{L}+)?|(?:Ministry|Department|State Service|Office|Council|Cabinet|Agency|Commission|Directorate|Service) (?:of|for) (?:the )?\p{Lu}[\p{L}]+(?:(?:,? | and | of | for )\p{Lu}[\p{L}]+)*|(?:Foreign|Defen[cs]e|Interior|Finance|Justice|Health|Education|Energy|Digital|Economy|Agriculture|Home) (?:Ministry|Office|Department)|National (?:\p{Lu}[\p{L}]+ ){1,3}(?:Agency|Service|Centre|Center|Bureau|Authority|Police|Directorate)|Cabinet of Ministers|(?i:ministry of (?:foreign affairs|agriculture|education|finance|defen[cs]e|health|justice|interior|internal affairs|economy|energy|culture|digital transformation)))",
    )
});

/// A product name: capitalised words or version numbers, up to four.
const PRODUCT_NAME: &str = r"(?P<name>\p{Lu}[\p{L}\d.+-]*(?:\s(?:\p{Lu}[\p{L}\d.+-]*|\d[\d.]*)){0,3})";

/// Products named by the flaw found or fixed in them: "a vulnerability in Quillstack Router OS",
/// "a patch for Acme Mail 4.2".
static PRODUCT_BY_FLAW: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?i:vulnerabilit(?:y|ies)|flaws?|bugs?|zero-days?|security holes?|exploits?|patch(?:es)?|security updates?) (?i:in|for|affecting) (?:the |its |their )?{PRODUCT_NAME}"
    ))
});

/// Unnamed parties that incidents need: attackers and victims named by what they are.
static GROUP: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"(?i)\b(?:(?:unidentified|unknown|suspected|state-sponsored|state-backed|pro-[\p{{L}}]+|[\p{{L}}]+-linked|criminal|foreign|russian|chinese|iranian|north korean)\s)?(?:{ATTACKER_NOUNS}|{VICTIM_NOUNS}|{DISCOVERER_NOUNS})\b",
    ))
});

/// The side a group is on, by the noun its name ends in.
pub(super) fn group_role(name: &str) -> GroupRole {
    static ATTACKER: LazyLock<Regex> = LazyLock::new(|| compile(&format!(r"(?i)\b(?:{ATTACKER_NOUNS})$")));
    static DISCOVERER: LazyLock<Regex> = LazyLock::new(|| compile(&format!(r"(?i)\b(?:{DISCOVERER_NOUNS})$")));
    if ATTACKER.is_match(name) {
        GroupRole::Attacker
    } else if DISCOVERER.is_match(name) {
        GroupRole::Discoverer
    } else {
        GroupRole::Victim
    }
}

/// What unnamed attackers are called.
const ATTACKER_NOUNS: &str = r"hackers?|hacking groups?|hacker groups?|hacktivists?|cyber[- ]?criminals?|criminals|attackers?|cyber[- ]?attackers?|threat actors?|malicious actors?|bad actors?|scammers?|fraudsters?|crooks|phishers?|extortionists?|cyber ?thieves|thieves|(?:ransomware|criminal|cybercrime|hacking|hacker) (?:gangs?|groups?|operators?|crews?)|(?:ransomware|malware) (?:authors|developers|operators)";

/// What the unnamed finders of flaws are called.
const DISCOVERER_NOUNS: &str = r"(?:security )?researchers?|(?:security )?experts|analysts";

/// One of a group of victims: "the user", "a customer" in an article that speaks of users or
/// customers is one of them, a mention of that group. Alone, the word is too often generic
/// ("user names", "a customer service line") to make a party. In lower case only: "Bank" in
/// "Harbourline Bank" is part of a name.
static ONE_VICTIM: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:user|customer|recipient|employee|patient|member|client|consumer|student|subscriber|individual|computer|server|company|business|organi[sz]ation|hospital|bank)\b",
    )
});

/// Other words for an article's computers: "the infected machines", "its systems";
/// in lower case, as "Systems" in a name is not one.
static MACHINE: LazyLock<Regex> =
    LazyLock::new(|| compile(r"\b(?:machines?|PCs?|systems?|laptops?|workstations?|desktops?)\b"));

/// The plural of one of the nouns of [`ONE_VICTIM`].
fn plural(noun: &str) -> String {
    match noun.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None if noun.ends_with('s') => format!("{noun}es"),
        None => format!("{noun}s"),
    }
}

/// What unnamed victims are called.
const VICTIM_NOUNS: &str = r"victims?|customers|patients|users|employees|staff members|students|citizens|voters|residents|subscribers|account holders|consumers|individuals|members|businesses|companies|organi[sz]ations|hospitals|banks|recipients|workers|shoppers|taxpayers|universities|schools|computers|servers|people|staff|(?:the|a) (?:hospital|city|county)";

static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)(?:(?P<sym>[$\u{20ac}\u{a3}])\s?(?P<n1>\d[\d,.]*)(?:\s?(?P<s1>million|billion|thousand|mn|m|bn|k)\b)?|\b(?P<n2>\d[\d,.]*)\s?(?P<s2>million |billion |thousand )?(?P<cur>dollars|euros|pounds|hryvnias?|rubles|roubles|bitcoins?|BTC|USD|EUR|GBP)\b)",
    )
});

/// Counted things: "100,000 troops", "1,997 records", "5.4 million customers".
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?P<n>\d[\d,.]*)(?:\s(?P<s>million|billion|thousand))?\s(?:\p{Lu}\p{Ll}+\s)?(?:(?:government|personal|customer|user|email|bank|patient|employee|medical)\s)?(?P<unit>websites?|sites|servers|computers|devices|systems|records|accounts|files|documents|customers|users|patients|people|employees|machines|emails|troops|soldiers|victims|organi[sz]ations|companies|terabytes|gigabytes|TB|GB|attacks|requests)\b",
    )
});

/// People, organisations, bodies, groups, money and quantities in `text`.
pub(super) fn find(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    for m in GOVERNMENT_BODY.find_iter(text) {
        let (range, name) = strip_article(text, m.range());
        found.push(Found { kind: EntityKind::GovernmentBody, range, name });
    }
    let bodies = sorted_ranges(&found);
    found.extend(organizations::by_head(text).into_iter().filter(|f| !overlaps_any(&bodies, &f.range, MAX_NAME_BYTES)));
    let bodies = sorted_ranges(&found);
    // Names already found by an earlier person pattern.
    let mut people: HashSet<Range<usize>> = HashSet::new();
    for pattern in PERSON.iter() {
        for c in pattern.captures_iter(text) {
            let name = c.get(1).expect("person patterns capture the name");
            let r = name.range();
            // Inside a body's name ("... and Information Protection said") it is not a person.
            let taken = overlaps_any(&bodies, &r, MAX_NAME_BYTES) || people.contains(&r);
            if !taken && is_person_name(name.as_str()) && !in_headline(text, r.start) {
                people.insert(r.clone());
                found.push(Found { kind: EntityKind::Person, range: r, name: name.as_str().to_string() });
            }
        }
    }
    let named = sorted_ranges(&found);
    found.extend(organizations::by_context(text, &named));
    for c in PRODUCT_BY_FLAW.captures_iter(text) {
        let name = c.name("name").expect("the pattern captures the name");
        let product = name.as_str().trim_end_matches('.');
        if is_person_name(product) && !in_headline(text, name.start()) {
            let range = name.start()..name.start() + product.len();
            found.push(Found { kind: EntityKind::Product, range, name: product.to_string() });
        }
    }
    for m in GROUP.find_iter(text) {
        let mut name = m.as_str().to_lowercase();
        // "the victim" and "victims" are one party.
        if name.ends_with("victim") {
            name.push('s');
        }
        found.push(Found { kind: EntityKind::Group, range: m.range(), name });
    }
    let groups: HashSet<String> =
        found.iter().filter(|f| f.kind == EntityKind::Group).map(|f| f.name.clone()).collect();
    for m in ONE_VICTIM.find_iter(text) {
        let plural = plural(&m.as_str().to_lowercase());
        if groups.contains(&plural) {
            found.push(Found { kind: EntityKind::Group, range: m.range(), name: plural });
        }
    }
    // Machines are the computers the article speaks of; not its servers, which are as often
    // the attackers' as the victims'.
    if groups.contains("computers") {
        for m in MACHINE.find_iter(text) {
            // An operating system is software, not a machine.
            let before = before(text, m.start(), 10);
            if before.to_lowercase().ends_with("operating ") {
                continue;
            }
            found.push(Found { kind: EntityKind::Group, range: m.range(), name: "computers".into() });
        }
    }
    for c in MONEY.captures_iter(text) {
        let whole = c.get(0).expect("group 0 is the match");
        let currency = match (c.name("sym").map(|m| m.as_str()), c.name("cur").map(|m| m.as_str().to_lowercase())) {
            (Some("$"), _) => "USD",
            (Some("\u{20ac}"), _) => "EUR",
            (Some(_), _) => "GBP",
            (None, Some(cur)) if cur.starts_with("dollar") || cur == "usd" => "USD",
            (None, Some(cur)) if cur.starts_with("euro") || cur == "eur" => "EUR",
            (None, Some(cur)) if cur.starts_with("pound") || cur == "gbp" => "GBP",
            (None, Some(cur)) if cur.starts_with("hryvnia") => "UAH",
            (None, Some(cur)) if cur.starts_with("bitcoin") || cur == "btc" => "BTC",
            (None, _) => "RUB",
        };
        let number = c.name("n1").or(c.name("n2")).map(|m| m.as_str()).unwrap_or_default();
        let scale = c.name("s1").or(c.name("s2")).map(|m| m.as_str().trim()).unwrap_or_default();
        let name = amount(number, scale).map_or_else(|| whole.as_str().to_string(), |n| format!("{n} {currency}"));
        found.push(Found { kind: EntityKind::Money, range: whole.range(), name });
    }
    for c in QUANTITY.captures_iter(text) {
        let whole = c.get(0).expect("group 0 is the match");
        let unit = c.name("unit").map(|m| m.as_str().to_lowercase()).unwrap_or_default();
        let scale = c.name("s").map(|m| m.as_str()).unwrap_or_default();
        let Some(n) = amount(c.name("n").map(|m| m.as_str()).unwrap_or_default(), scale) else { continue };
        found.push(Found { kind: EntityKind::Quantity, range: whole.range(), name: format!("{n} {unit}") });
    }
    found
}

/// The ranges of `found`, sorted by start.
fn sorted_ranges(found: &[Found]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = found.iter().map(|f| f.range.clone()).collect();
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// Whether byte `at` lies in a line in title case ("Hackers Hit Regional Water Utility"), where
/// capitals say nothing about names.
pub(super) fn in_headline(text: &str, at: usize) -> bool {
    // Headlines are short: look no further than this for the line's ends, so the check costs
    // the same on an article that arrives as one long line.
    const MAX_HEADLINE_BYTES: usize = 300;
    let from = at - before(text, at, MAX_HEADLINE_BYTES).len();
    let to = at + after(text, at, MAX_HEADLINE_BYTES).len();
    let start = match text[from..at].rfind('\n') {
        Some(i) => from + i + 1,
        None if from == 0 => 0,
        None => return false,
    };
    let end = match text[at..to].find('\n') {
        Some(i) => at + i,
        None if to == text.len() => to,
        None => return false,
    };
    let line = text[start..end].trim();
    let words: Vec<&str> = line.split_whitespace().filter(|w| w.len() > 3).collect();
    let capitalised = words.iter().filter(|w| w.starts_with(char::is_uppercase)).count();
    !line.ends_with(['.', '!', '?']) && (3..=20).contains(&words.len()) && capitalised * 10 >= words.len() * 8
}

/// A captured name that is a person's: no word of it is a function word, a title, an
/// organisation's head noun or a calendar word.
fn is_person_name(name: &str) -> bool {
    let not_name = |w: &str| NOT_NAME_WORDS.contains(&w) || CALENDAR_WORDS.contains(&w);
    name.split_whitespace().all(|w| !not_name(w.trim_end_matches(['\'', '\u{2019}', 's'])) && !not_name(w))
}

/// Longest name a pattern or gazetteer match spans, which bounds how far back an overlapping
/// range can start.
pub(super) const MAX_NAME_BYTES: usize = 256;

/// Drops a leading "The" from an organisation's name and span.
fn strip_article(text: &str, range: Range<usize>) -> (Range<usize>, String) {
    let s = &text[range.clone()];
    let (range, name) = match s.strip_prefix("The ") {
        Some(rest) => (range.start + 4..range.end, rest),
        None => (range, s),
    };
    (range, title_case(name))
}

/// "ministry of foreign affairs" as "Ministry of Foreign Affairs"; names already capitalised
/// are left as written.
fn title_case(name: &str) -> String {
    if name.starts_with(char::is_uppercase) {
        return name.to_string();
    }
    let words = name.split(' ').map(|w| match w {
        "of" | "and" | "for" | "the" => w.to_string(),
        _ => w.chars().take(1).flat_map(char::to_uppercase).chain(w.chars().skip(1)).collect(),
    });
    words.collect::<Vec<_>>().join(" ")
}

/// "4.5" and "million" as a whole number; `None` for what does not parse.
fn amount(number: &str, scale: &str) -> Option<u64> {
    let digits = number.trim_end_matches(['.', ',']).replace(',', "");
    let value: f64 = digits.parse().ok()?;
    let factor = match scale.to_ascii_lowercase().as_str() {
        "thousand" | "k" => 1e3,
        "million" | "mn" | "m" => 1e6,
        "billion" | "bn" => 1e9,
        _ => 1.0,
    };
    let total = value * factor;
    (total.is_finite() && (0.0..1e18).contains(&total)).then(|| total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        text: &'static str,
        kind: EntityKind,
        want: &'static [&'static str],
    }

    macro_rules! case {
        ($kind:ident, $text:expr, [$($want:expr),*]) => {
            Case { text: $text, kind: EntityKind::$kind, want: &[$($want),*] }
        };
    }

    const CASES: &[Case] = &[
        // People: by role, by speech, and not the capitals that open sentences or headlines.
        case!(Person, "Foreign Ministry spokesman Oleg Petrenko wrote on Facebook.", ["Oleg Petrenko"]),
        case!(
            Person,
            "Anna Kowalska said the site was down, according to Marek Nowak.",
            ["Anna Kowalska", "Marek Nowak"]
        ),
        case!(Person, "Dr. Lena Ortiz told reporters the flaw was old.", ["Lena Ortiz"]),
        case!(
            Person,
            "It was echoed by Marek Lis, Polish Deputy Foreign Minister. According to Eva Berg, it failed.",
            ["Marek Lis", "Eva Berg"]
        ),
        case!(Person, "The State Service of Communication and Information Protection said it was fine.", []),
        case!(Person, "The Foreign Ministry said the attack failed. Ukrainian Officials Said More.", []),
        case!(Person, "Hackers Hit Water Utility In Ohio, Officials Say", []),
        case!(Person, "ATTACKERS SAID THEY WOULD RETURN", []),
        // Organisations by suffix.
        case!(
            Organization,
            "The breach hit Northfield Regional Hospital and Harbourline Bank.",
            ["Northfield Regional Hospital", "Harbourline Bank"]
        ),
        case!(Organization, "Staff at the hospital said banks were fine.", []),
        // Organisations by what happened to them.
        case!(Organization, "Intruders hacked into Quorvane Freight last week.", ["Quorvane Freight"]),
        case!(Organization, "The Paymaxa breach exposed cards.", ["Paymaxa"]),
        case!(Organization, "Shares fell as Quorvane Freight refused to pay the ransom.", ["Quorvane Freight"]),
        case!(Organization, "Northwind's customers got phishing emails.", ["Northwind"]),
        case!(Organization, "The Monday breach hit shops; the company's network held.", []),
        case!(Organization, "Hackers Poisoned Regional Water Supply, Officials Say\nThe text goes on.", []),
        // National bodies.
        case!(
            GovernmentBody,
            "the Ministry of Foreign Affairs, the Foreign Ministry and the State Service of Special Communications",
            ["Ministry of Foreign Affairs", "Foreign Ministry", "State Service of Special Communications"]
        ),
        case!(GovernmentBody, "Ransomware hit the City of Ashford, Kestrel Mart and Paymaxa.", ["City of Ashford"]),
        // Unnamed parties.
        case!(Group, "Unidentified hackers stole data of customers.", ["unidentified hackers", "customers"]),
        // One of a group named elsewhere is a mention of the group; alone, the word makes none.
        case!(Group, "Users were warned after the user database leaked.", ["users", "users"]),
        case!(Group, "A victim paid; other victims did not.", ["victims", "victims"]),
        case!(Group, "The company said companies should patch.", ["companies", "companies"]),
        case!(Group, "The user interface and the server room changed.", []),
        case!(Group, "Banks said Harbourline Bank and Quorvane Systems were spared.", ["banks"]),
        case!(
            Group,
            "Infected computers and machines running Windows systems went down.",
            ["computers", "computers", "computers"]
        ),
        case!(Group, "Computers and one laptop, but not the operating system.", ["computers", "computers"]),
        case!(Group, "Servers abroad hit our systems.", ["servers"]),
        case!(Group, "The machines and systems were fine.", []),
        // Money and quantities, normalised.
        case!(
            Money,
            "They stole $4.5 million, \u{20ac}31 million and 31 million euros; the fee was $2.",
            ["4500000 USD", "31000000 EUR", "31000000 EUR", "2 USD"]
        ),
        case!(Money, "Version 2.0 shipped to 300 users.", []),
        case!(
            Quantity,
            "some 100,000 Russian troops; 1,997 records; 5.4 million customers",
            ["100000 troops", "1997 records", "5400000 customers"]
        ),
    ];

    #[test]
    fn patterns_find_what_they_should_and_nothing_else() {
        for case in CASES {
            let mut got: Vec<String> =
                find(case.text).into_iter().filter(|f| f.kind == case.kind).map(|f| f.name).collect();
            got.sort();
            let mut want: Vec<String> = case.want.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(got, want, "{:?} in {:?}", case.kind, case.text);
        }
    }
}
