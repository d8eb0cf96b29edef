//! Cue words for each incident type, with the non-cyber uses of the same words ("breach of
//! contract", "patch of land", military attacks) kept out.

use std::sync::LazyLock;

use regex::Regex;

use crate::pipeline::text::compile;

use crate::pb::IncidentType;

/// A cue pattern and the type it signals. Specific cues come before general ones.
pub(super) struct Cue {
    pub(super) kind: IncidentType,
    pub(super) pattern: Regex,
    /// Phrases that, right after the cue, make it a non-cyber use.
    pub(super) not_followed_by: &'static [&'static str],
}

fn cue(kind: IncidentType, pattern: &str, not_followed_by: &'static [&'static str]) -> Cue {
    let pattern = compile(&format!("(?i){pattern}"));
    Cue { kind, pattern, not_followed_by }
}

/// Every cue, specific first.
pub(super) static CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    use IncidentType as T;
    vec![
        cue(
            T::Ddos,
            r"\b(?:d?dos(?:ed|ing)?|denial[- ]of[- ]service|flood(?:ed|ing)? (?:\w+ )?with (?:junk |bogus )?(?:traffic|requests))\b",
            &[],
        ),
        cue(
            T::Defacement,
            // A message left on a site is a defacement, however a translation words it.
            r"\bdefac(?:e|ed|es|ing|ement)\b|\b(?:websites?|web ?pages?|home ?pages?|sites?)\b[^.]{0,30}\b(?:contain(?:ed|s)?|displayed|showed|carried) (?:a |the )?message\b|\bmessage\b[^.]{0,60}\bbefore the (?:web ?)?page was\b",
            &[],
        ),
        cue(
            T::Ransomware,
            r"\bransomware\b|\bransom (?:demand|note|payment)s?\b|\bencrypted (?:its |their |the )?(?:files|systems|servers|data)\b",
            &[],
        ),
        cue(T::Wiper, r"\bwipers?\b|\bwip(?:ed|ing) (?:data|hard drives|disks|computers|systems)\b", &[]),
        cue(T::Phishing, r"\b(?:spear-?)?phish(?:ing|ed)?\b", &[]),
        cue(T::HackAndLeak, r"\bhack[- ]and[- ]leak\b", &[]),
        cue(T::SupplyChain, r"\bsupply[- ]chain (?:attack|compromise|hack)s?\b", &[]),
        cue(T::Espionage, r"\b(?:cyber[- ]?)?espionage\b|\bcyber[- ]?spying\b", &[]),
        cue(
            T::Sabotage,
            r"\bsabotag(?:e|ed|ing)\b|\b(?:shut(?:ting)? down|knock(?:ed|ing)? out|cut(?:ting)? off|disrupt(?:ed|ing)?|attacks? on)\b[^.]{0,40}\b(?:power grids?|electricity (?:grid|supply|network)s?|power (?:stations?|plants?|supply)|energy grids?|water (?:supply|treatment))\b",
            &[],
        ),
        cue(
            T::AccountTakeover,
            r"\baccount takeovers?\b|\b(?:hijacked|took over|compromised) (?:the |its |their |his |her )?(?:\w+ )?accounts?\b",
            &[],
        ),
        cue(
            T::FinancialTheft,
            r"\b(?:stole|stolen|theft of|heist|siphoned)\b[^.]{0,40}(?:\$|\bmillion\b|\bfunds\b|\bcrypto|\bbitcoin)|[$€£][\d.,]+ ?(?:million|billion|[mb]n)? (?:crypto(?:currency)? )?(?:theft|heist)\b",
            &[],
        ),
        cue(
            T::DataBreach,
            r"\bdata breach(?:es)?\b|\bbreach(?:ed|es)?\b|\b(?:stole|stolen|exfiltrated|leaked|exposed)\b (?:\w+ ){0,3}(?:data|information|records|documents|files|emails)\b",
            &[" of contract", " of the peace", " of trust", " of the ceasefire", " of international law"],
        ),
        cue(
            T::VulnerabilityDisclosure,
            r"\bzero-day\b|\b0-day\b|\bvulnerabilit(?:y|ies)\b|\bCVE-\d{4}-\d+\b|\bsecurity (?:flaw|hole|bug)s?\b",
            &[],
        ),
        cue(
            T::PatchRelease,
            r"\b(?:security )?patch(?:ed|es)?\b|\bsecurity updates?\b|\bfix(?:ed)? (?:the |a )?(?:flaw|vulnerability|bug)\b",
            &[" of land", " of grass", " of ice"],
        ),
        cue(
            T::Intrusion,
            r"\bhack(?:ed|ing|s)?\b|\binfiltrat(?:ed|ion)\b|\bgained (?:unauthori[sz]ed )?access\b|\bunauthori[sz]ed access\b|\bcompromised (?:the |its |their )?(?:network|systems?|servers?|email)\b",
            &[],
        ),
        cue(
            T::UnknownCyberattack,
            r"\bcyber[- ]?attacks?\b|\bcyber[- ]?incidents?\b|\b(?:hacker|hacking|cyber) attacks?\b",
            &[],
        ),
    ]
});

/// "attack" in a sentence that is about websites, servers or networks: cyber, even when a
/// machine translation calls it a "robbery attack" or "terrorist attacks".
pub(super) static ATTACK_ON_SYSTEMS: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    (
        compile(r"(?i)\battack(?:s|ed)?\b"),
        compile(r"(?i)\b(?:websites?|web ?sites?|servers?|networks?|online|computers?|IT systems?|portals?)\b"),
    )
});

/// Words that make a report a warning or a what-if rather than news.
pub(super) static HYPOTHETICAL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:could|might|would|warn(?:ed|s|ing)?|threaten(?:ed|s)?|if|risk of|potential(?:ly)?|possible|prepare for|expect(?:ed)? more)\b",
    )
});

/// Words that place a report in the past, before the news.
pub(super) static PAST: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?i)\b(?:previous(?:ly)?|earlier attacks?|last year|years ago|in the past|history of|back in)\b")
});

/// A year, for temporality and dating.
pub(super) static YEAR: LazyLock<Regex> = LazyLock::new(|| compile(r"\b(?:19[89]\d|20[0-4]\d)\b"));
