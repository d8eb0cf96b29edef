//! Texts built to find where the pipeline's cost stops growing linearly with the text, at any
//! size: each generator repeats or varies a short piece, written for the project, until the
//! text is at least the size asked for. Shared by `tests/linear_time.rs` and `benches/pipeline.rs`.
#![allow(dead_code)]

use std::fmt::Write as _;

/// Sentences that exercise every stage: names, bodies, actors, malware, dates, money, counts,
/// indicators, cue words, attributions, quotations.
const PROSE: &[&str] = &[
    "Pro-Russian hackers defaced the websites of Ukraine's Foreign Ministry on Friday, spokesman Oleg Petrenko said.",
    "The DDoS attack took the portal of the Ministry of Education offline for six hours.",
    "Northfield Regional Hospital said ransomware had encrypted its servers and that the attackers demanded $2 million.",
    "Kestrel Mart was hacked in March 2024, and the company said the data of 12,000 customers was stolen.",
    "Killnet claimed responsibility, while Moscow denied any involvement in the attack.",
    "In 2017, Sandworm used the NotPetya wiper against Ukrainian companies, researchers at Brightlock Labs found.",
    "The malware contacted hxxp://update-check[.]example[.]com/gate and 203.0.113[.]7 before it spread.",
    "Quillstack released a patch for CVE-2024-31337, a vulnerability in Quillstack Router OS.",
    "\u{201c}We will restore every service,\u{201d} Anna Kowalska, the ministry's director, told reporters.",
    "Officials warned that the group could strike again, according to the National Cyber Security Agency.",
];

/// Makes a text of at least the size asked for, in bytes.
pub type Generator = fn(usize) -> String;

/// Each input's name and generator.
pub const INPUTS: &[(&str, Generator)] = &[
    ("prose", prose),
    ("one long line", one_long_line),
    ("no spaces", no_spaces),
    ("short lines", short_lines),
    ("capitalised words", capitalised_words),
    ("distinct people", distinct_people),
    ("repeated punctuation", repeated_punctuation),
    ("dots", dots),
    ("gazetteer names", gazetteer_names),
    ("appeal blocks", appeal_blocks),
    ("indicator runs", indicator_runs),
    ("markup", markup),
    ("incident every year", incident_every_year),
    ("attribution triggers", attribution_triggers),
    ("one trigger glued", one_trigger_glued),
    ("one person again", one_person_again),
    ("one company again", one_company_again),
    ("the company again", the_company_again),
    ("bodies of countries", bodies_of_countries),
];

/// Repeats `piece(i)` for i = 0, 1, ... until `size` bytes.
fn repeat(size: usize, mut piece: impl FnMut(usize, &mut String)) -> String {
    let mut out = String::with_capacity(size + 256);
    let mut i = 0;
    while out.len() < size {
        piece(i, &mut out);
        i += 1;
    }
    out
}

/// Article prose, a paragraph a line.
pub fn prose(size: usize) -> String {
    repeat(size, |i, out| {
        out.push_str(PROSE[i % PROSE.len()]);
        out.push(if i % 3 == 2 { '\n' } else { ' ' });
    })
}

/// Article prose whose paragraphs all differ (each ends in a made-up place of its own), so that
/// cleanup keeps every one: what the cost of a long article is measured on.
pub fn distinct_prose(size: usize) -> String {
    repeat(size, |i, out| {
        out.push_str(PROSE[i % PROSE.len()]);
        if i % 3 == 2 {
            out.push_str(" It was reported from ");
            capitalised(i, out);
            out.push_str(".\n");
        } else {
            out.push(' ');
        }
    })
}

/// The same prose with no line break at all.
fn one_long_line(size: usize) -> String {
    repeat(size, |i, out| {
        out.push_str(PROSE[i % PROSE.len()]);
        out.push(' ');
    })
}

/// The prose with every white space character taken out.
fn no_spaces(size: usize) -> String {
    repeat(size, |i, out| out.extend(PROSE[i % PROSE.len()].chars().filter(|c| !c.is_whitespace())))
}

/// Lines of a word or two, as navigation menus and button rows are.
fn short_lines(size: usize) -> String {
    const WORDS: &[&str] = &["Menu", "Share", "Once", "a", "Hackers.", "Read more", "\u{2022} News", "2024", "Donate"];
    repeat(size, |i, out| {
        out.push_str(WORDS[i % WORDS.len()]);
        out.push('\n');
    })
}

/// A distinct capitalised word, made from the number `i`: "Bavo", "Kelimu", ...
fn capitalised(i: usize, out: &mut String) {
    const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
    const VOWELS: &[u8] = b"aeiou";
    let mut n = i;
    let mut first = true;
    loop {
        let c = CONSONANTS[n % CONSONANTS.len()] as char;
        out.push(if first { c.to_ascii_uppercase() } else { c });
        out.push(VOWELS[(n / CONSONANTS.len()) % VOWELS.len()] as char);
        first = false;
        n /= CONSONANTS.len() * VOWELS.len();
        if n == 0 {
            break;
        }
    }
}

/// Capitalised words and nothing else, all different.
fn capitalised_words(size: usize) -> String {
    repeat(size, |i, out| {
        capitalised(i, out);
        out.push(if i % 500 == 499 { '\n' } else { ' ' });
    })
}

/// A different person in every sentence, each said to speak, and quoted by surname later.
fn distinct_people(size: usize) -> String {
    repeat(size, |i, out| {
        out.push_str("Spokesman ");
        capitalised(2 * i, out);
        out.push(' ');
        capitalised(2 * i + 1, out);
        out.push_str(" said hackers hit the Ministry of Defence. ");
        capitalised(2 * i + 1, out);
        out.push_str(" added that the company was fine.\n");
    })
}

/// Runs of punctuation and symbols, no letters.
fn repeated_punctuation(size: usize) -> String {
    const RUNS: &[&str] = &[
        "!!!",
        "???",
        "...",
        ",,,",
        ";;;",
        "(((",
        ")))",
        "<<<",
        ">>>",
        "&&&",
        "---",
        "\u{2014}",
        "\u{201c}\u{201d}",
        "|",
        "/",
    ];
    repeat(size, |i, out| out.push_str(RUNS[i % RUNS.len()]))
}

/// One full stop after another.
fn dots(size: usize) -> String {
    ".".repeat(size)
}

/// Every surface name of the built-in gazetteers, again and again.
fn gazetteer_names(size: usize) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src/pipeline/entities/data/");
    let mut names = String::new();
    for table in ["countries.tsv", "organizations.tsv", "threat_actors.tsv", "malware.tsv"] {
        let text = std::fs::read_to_string(format!("{root}{table}")).expect("the gazetteer tables are readable");
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            // Every column: names and aliases, and the codes and ids beside them.
            for column in line.split('\t') {
                for name in column.split('|').filter(|n| n.chars().any(char::is_alphabetic)) {
                    names.push_str(name);
                    names.push_str(", ");
                }
            }
        }
        names.push('\n');
    }
    repeat(size, |_, out| out.push_str(&names))
}

/// Donation appeals in the publisher's voice, paragraph after paragraph.
fn appeal_blocks(size: usize) -> String {
    repeat(size, |i, out| {
        let _ = writeln!(out, "Your support keeps our newsroom going, and we thank you for donation number {i}.");
    })
}

/// Digits, dots, at signs and hex runs that almost make indicators.
fn indicator_runs(size: usize) -> String {
    const RUNS: &[&str] = &["1.1.1.1.", "a.b.c.d.", "x@y.z@", "deadbeef", "[.]", "::", "hxxp://", "CVE-2024-"];
    repeat(size, |i, out| out.push_str(RUNS[(i / 64) % RUNS.len()]))
}

/// Tags and entities with no text between them.
fn markup(size: usize) -> String {
    repeat(size, |_, out| out.push_str("<p class=\"x\"><span>&amp;&#160;&nbsp;</span></p>"))
}

/// A report of an incident in every year the patterns know, over and over: as many incidents
/// as the text can give.
fn incident_every_year(size: usize) -> String {
    repeat(size, |i, out| {
        let year = 1980 + i % 70;
        let _ = write!(out, "In {year}, hackers breached the Ministry of Finance and stole 5,000 records. ");
    })
}

/// Attribution triggers glued by punctuation, with actors near them.
fn attribution_triggers(size: usize) -> String {
    let mut out = String::from("Hackers defaced the website of the parliament.\n");
    out.push_str(&repeat(size, |i, out| {
        out.push_str(["blamed,", "claimed responsibility,", "Killnet,", "Russia,", "an act of,"][i % 5]);
    }));
    out
}

/// One trigger again and again with no space: the words before each are one long word.
fn one_trigger_glued(size: usize) -> String {
    let mut out = String::from("Hackers defaced the website of the parliament.\n");
    out.push_str(&"blamed,".repeat(size / 7 + 1));
    out
}

/// The shortest sentence that names a person, again and again.
fn one_person_again(size: usize) -> String {
    repeat(size, |_, out| out.push_str("Ana Bel said. "))
}

/// An organisation found by what happened to it, again and again.
fn one_company_again(size: usize) -> String {
    repeat(size, |_, out| out.push_str("Kestrel Mart was hacked. "))
}

/// A definite reference back to an organisation, after each mention of it.
fn the_company_again(size: usize) -> String {
    repeat(size, |_, out| out.push_str("Acme Bank was hit. The company said so. "))
}

/// National bodies named with their country, again and again.
fn bodies_of_countries(size: usize) -> String {
    repeat(size, |_, out| out.push_str("Ukraine's Foreign Ministry and Poland's Ministry of Finance. "))
}
