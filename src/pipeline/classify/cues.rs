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
    /// Words that, anywhere in the clause, make the cue tell of another kind of attack: "took
    /// down their Twitter accounts" is no denial of service, nor is "the ransomware knocked its
    /// services offline".
    pub(super) unless_in_clause: &'static [&'static str],
    /// Words that, before the cue in its clause, name a doer of another kind: "Europol takes
    /// down the botnet's servers", not "hackers take down the website of the police".
    pub(super) unless_before: &'static [&'static str],
    /// A pattern that, ending right before the cue, tells what something is made for rather
    /// than what it did ([`PURPOSE`]).
    pub(super) unless_after: Option<&'static LazyLock<Regex>>,
}

fn cue(kind: IncidentType, pattern: &str, not_followed_by: &'static [&'static str]) -> Cue {
    let pattern = compile(&format!("(?i){pattern}"));
    Cue { kind, pattern, not_followed_by, unless_in_clause: &[], unless_before: &[], unless_after: None }
}

/// Words that open another party's things after "take down": "the", "several", a name; not
/// "its" or "their".
const OTHERS: &str = r"(?:the|an?|several|some|many|multiple|dozens of|hundreds of|(?:almost )?all(?: of)?(?: the)?|most of the|more|\d+)";

/// Where a web presence is: the object a denial of service takes down.
const WEB_OBJECT: &str = r"(?:websites?|web ?sites?|sites?|web ?pages?|home ?pages?|portals?|servers?|online services?|networks?|infrastructure|[\w-]+\.(?:com|org|net|gov|edu|[a-z]{2})\b)";

/// A named party taken down ("takes down Quillbank", "took down the Vexland bank Quelpcredit"):
/// by a party of attackers ([`ACTOR_DEED`]), how hacktivists' floods are told.
pub(super) static TAKE_DOWN: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:t(?:ake|akes|aking|ook|aken)|br(?:ing|ings|inging|ought)) (?:down|offline) (?:the |several |some |\d+ )?(?-i:[A-Z])",
    )
});

/// What a flood is made for, right before its cue: a botnet "used to carry out DDoS attacks"
/// or malware "built to launch" them tells what it can do, not an attack.
pub(super) static PURPOSE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:to (?:launch|carry out|perform|conduct|mount|power)|used (?:to|for|in)|capable of|able to|for (?:launching|carrying out))(?: \S+){0,3} \(?$",
    )
});

/// A negation right before a cue: "no data was stolen", "was not hacked".
pub(super) static NEGATED: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\b(?:no|not|never|without) $"));

/// Words in a clause that tell a take-down of another kind than a flood: of accounts, by
/// ransomware, or of a botnet, domains or a market.
pub(super) const NOT_A_FLOOD: &[&str] = &[
    "account",
    "accounts",
    "ransomware",
    "malware",
    "encrypted",
    "botnet",
    "botnets",
    "domain",
    "domains",
    "marketplace",
    "forum",
    "seized",
    "seizes",
];

/// Words that, before a take-down, name who takes down a botnet, domains or a market: the
/// police or researchers. After it they are its victim ("took down the website of the police").
pub(super) const NOT_FLOODERS: &[&str] = &["police", "FBI", "Europol", "authorities", "enforcement", "researchers"];

/// Every cue, specific first.
pub(super) static CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    use IncidentType as T;
    vec![
        Cue {
            unless_after: Some(&PURPOSE),
            ..cue(
                T::Ddos,
                // An attack measured in traffic ("an 800 Gbps attack") is a flood.
                r"\b(?:d?dos(?:ed|ing)?|denial[- ]of[- ]service|flood(?:ed|ing)? (?:[a-z]+ )?with (?:junk |bogus )?(?:traffic|requests))\b|\b\d+(?:\.\d+)? ?[GT]bps\b\S* (?:\S+ ){0,3}?attacks?\b",
                &[],
            )
        },
        // A web presence taken down, knocked offline or disabled, as one-line reports of
        // hacktivists tell a denial of service; not a victim's own ("took down its websites",
        // "was taken offline as a precaution").
        Cue {
            unless_in_clause: NOT_A_FLOOD,
            unless_before: NOT_FLOODERS,
            unless_after: Some(&PURPOSE),
            ..cue(
                T::Ddos,
                &format!(
                    r"\b(?:t(?:ake|akes|aking|ook|aken)|br(?:ing|ings|inging|ought)) down (?:{OTHERS}\s|(?-i:[A-Z0-9@#]))(?:\S*\s){{0,6}}?{WEB_OBJECT}|\b{WEB_OBJECT} (?:\S+ ){{0,8}}?(?:(?:are|is|were|was|been|be|get|gets|got) )?(?:knocked (?:down|offline)|(?:taken|brought) (?:down|offline) by|forced offline)\b|\bknock(?:s|ed|ing)? (?:\S+ ){{0,6}}?offline\b|\b(?:paraly[sz]|disabl)(?:e|es|ed|ing) (?:\S+ ){{0,4}}?(?:{WEB_OBJECT}|pages\b)"
                ),
                &[],
            )
        },
        cue(
            T::Defacement,
            // A message left on a site is a defacement, however a translation words it.
            // So is a site hacked to show one.
            r"\bdefac(?:e|ed|es|ing|ement)\b|\b(?:websites?|web ?pages?|home ?pages?|sites?)\b[^.]{0,30}\b(?:contain(?:ed|s)?|displayed|showed|carried) (?:a |the )?message\b|\bmessage\b[^.]{0,60}\bbefore the (?:web ?)?page was\b|\b(?:left|leav(?:e|es|ing)|post(?:s|ed|ing)?|plant(?:s|ed|ing)?) (?:\S+ ){0,4}?messages? (?:\S+ ){0,3}?on (?:\S+ ){0,5}?(?:websites?|web ?pages?|home ?pages?|sites?)\b|\b(?:websites?|sites?|web ?pages?|home ?pages?|main pages?|broadcasts?|webcasts?|(?:TV|television) channels?|streaming services?)\b[^.]{0,80}\b(?:hacked|infiltrated)\b[^.]{0,80}\b(?:display(?:s|ed|ing)?|show(?:s|ed|ing)?|post(?:s|ed|ing)?|broadcast|play(?:s|ed|ing)?|propaganda|messages?|slogans?|flags?|footage|images|videos)\b|\bhack(?:s|ed)?\b[^.]{0,120}\bto (?:broadcast|air|display|show|play|spread) (?:\S+ ){0,3}?(?:messages?|footage|videos?|images?|slogans?|propaganda|flags?)\b|\b(?:broadcasts?|broadcasters?|webcasts?|(?:TV|television) channels?|radio stations?) (?:\S+ ){0,6}?(?:is|was|were|are|been|gets?|got) (?:[a-z]+ )?hijacked\b",
            &[],
        ),
        cue(
            T::Ransomware,
            r"\bransomware\b|\bransom (?:demand|note|payment)s?\b|\bencrypted (?:its |their |the )?(?:files|systems|servers|data)\b|\bencrypt(?:s|ed)? the (?:files|systems|servers|computers|networks?|data) of\b",
            &[],
        ),
        cue(T::Wiper, r"\bwipers?\b|\bwip(?:ed|ing) (?:data|hard drives|disks|computers|systems)\b", &[]),
        // Mail that tricks its reader: business email compromise, sextortion, scam mails, and
        // malicious spam (CASIE's annotators call phishing that delivers malware phishing).
        cue(
            T::Phishing,
            r"\b(?:spear-?)?phish(?:ing|ed)?\b|\bmal-?spam\b|\bmalicious (?:spam|e-?mails?|attachments?)\b|\bspam (?:campaigns?|e-?mails?|waves?)\b|\bbusiness e-?mail compromise\b|\bBEC (?:scams?|attacks?|fraud)\b|\bsextortion\b|\b(?:e-?mail|sms|text message|covid(?:-19)?|coronavirus|pandemic) scam(?:s|mers?)?\b",
            &[],
        ),
        cue(T::HackAndLeak, r"\bhack[- ]and[- ]leak\b", &[]),
        cue(T::SupplyChain, r"\bsupply[- ]chain (?:attack|compromise|hack)s?\b", &[]),
        cue(T::Espionage, r"\b(?:cyber[- ]?)?espionage\b|\bcyber[- ]?spying\b", &[]),
        cue(
            T::Sabotage,
            r"\bsabotag(?:e|ed|ing)\b|\b(?:shut(?:ting)? down|knock(?:ed|ing)? out|cut(?:ting)? off|disrupt(?:ed|ing)?|attacks? on)\b[^.]{0,40}\b(?:power grids?|electricity (?:grid|supply|network)s?|power (?:stations?|plants?|supply)|energy grids?|water (?:supply|treatment))\b",
            &[],
        ),
        // An account or a site taken from its owner.
        cue(
            T::AccountTakeover,
            r"\baccount (?:takeovers?|hijacking)\b|\bpassword[- ]spray(?:s|ing)?\b|\bcredential[- ]stuffing\b|\bbrute[- ]?force (?:attacks?|attempts?|campaigns?)\b|\b(?:hijack(?:s|ed|ing)?|hjack(?:s|ed)?|t(?:ake|akes|aking|ook|aken) (?:over|control of)|compromis(?:e|es|ed|ing)|hack(?:s|ed|ing)?(?: into)?|br(?:eak|eaks|oke|eaking) into|gain(?:s|ed)? control of) (?:\S+ ){0,5}?(?:accounts?|(?:social media|Facebook|Instagram|YouTube|Spotify|LinkedIn|Twitter) (?:pages?|profiles?|channels?))\b|\b(?:accounts?|(?:social media|Facebook|Instagram|YouTube|Spotify|LinkedIn|Twitter) (?:pages?|profiles?|channels?)) (?:\S+ ){0,8}?(?:(?:is|was|were|are|been|gets?|got) )(?:[a-z]+ )?(?:hacked|hijacked|compromised|taken over)\b|\bpost(?:s|ed|ing)? (?:\S+ ){0,6}?on (?:\S+ ){0,4}?(?:Facebook|Instagram|Twitter|YouTube|TikTok|LinkedIn|social media) (?:accounts?|pages?|profiles?|channels?)\b|\b(?:hijack(?:s|ed|ing)?|t(?:ake|akes|aking|ook|aken) (?:over|control of)) (?:\S+ ){0,5}?(?:websites?|sites?|home ?pages?)\b|\b(?:websites?|sites?|home ?pages?) (?:\S+ ){0,8}?(?:is|was|were|are|been) (?:[a-z]+ )?(?:taken over|hijacked)\b",
            &[],
        ),
        cue(
            T::FinancialTheft,
            r"\b(?:stole|stolen|theft of|heist|siphoned)\b[^.]{0,40}(?:\$|\bmillion\b|\bfunds\b|\bcrypto|\bbitcoin)|[$€£][\d.,]+ ?(?:million|billion|[mb]n)? (?:crypto(?:currency)? )?(?:theft|heist)\b",
            &[],
        ),
        cue(
            T::DataBreach,
            r"\bdata breach(?:es)?\b|\bbreach(?:ed|es)?\b|\b(?:st(?:eal|eals|ealing|ole|olen)|exfiltrat(?:e|es|ed|ing)|leak(?:s|ed|ing)?|dump(?:s|ed|ing)?|expos(?:e|es|ed|ing)|publish(?:es|ed)?|releas(?:e|es|ed)|s(?:ell|ells|elling|old)|put(?:s|ting)? up|offer(?:s|ed|ing)?|advertis(?:e|es|ed|ing)|post(?:s|ed|ing)? online)\b (?:\S+ ){0,5}?(?:data(?:bases?)?|information|records|documents|files|e-?mails|credentials|logins|passwords|accounts|details|addresses|photos|source code|PII)\b|\b(?:data(?:bases?)?|records|credentials|documents|files|e-?mails|details|information|passwords)\b (?:\S+ ){0,3}?(?:are|is|were|was|been|being|get|gets|got) (?:[a-z]+ )?(?:leaked|stolen|dumped|exfiltrated|published)\b|\bdata dumps?\b|\bleak (?:site|page)s?\b|\bdumped\b|\bput(?:s|ting)? (?:\S+ )?on sale\b|\bin possession of (?:\S+ ){0,6}?(?:data(?:bases?)?|records|documents|files|e-?mails|credentials)\b|\b(?:accessed|viewed|stolen|exfiltrated) by (?:\S+ ){0,2}?(?:hackers|cyber ?criminals|attackers|threat actors|an? unauthori[sz]ed (?:party|third party|user|individual))\b|\b\d+(?:\.\d+)? ?(?:GB|TB|MB)\b (?:\S+ ){0,4}?(?:leaked|stolen|dumped|exfiltrated|published)\b|\b(?:leak|dump|releas|publish)\w* (?:an? |over |more than |nearly |about )?\d+(?:\.\d+)? ?(?:GB|TB|MB)\b",
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
            r"\bhack(?:ed|ing|s)?\b|\bpwned\b|\binfiltrat(?:ed|ion)\b|\bgained (?:unauthori[sz]ed )?access\b|\bunauthori[sz]ed (?:access|activity)\b|\baccessed without (?:authori[sz]ation|permission)\b|\b(?:cyber[- ]?|network |computer |system )intrusions?\b|\bintrusions? (?:into|of|on|in) (?:\S+ ){0,3}?(?:networks?|systems?|servers?|computers?|infrastructure)\b|\bintrusion (?:activity|attempts?|campaigns?)\b|\bsuspicious activity (?:\S+ ){0,4}?(?:networks?|systems?|servers?|computers?|environment)\b|\bcompromised (?:the |its |their )?(?:network|systems?|servers?|email)\b|\b(?:is|was|were|are|been|being|gets?|got) (?:[a-z]+ )?compromised\b|\bDNS hijack(?:s|ing)?\b|\bzoom ?-?bomb(?:ing|ed|ers?)?\b",
            &[],
        ),
        cue(
            T::UnknownCyberattack,
            r"\bcyber[- ]?attacks?\b|\bcyber[- ]?incidents?\b|\b(?:hacker|hacking|cyber|targeted|computer) attacks?\b|\b(?:hackers?|hacktivists?|threat actors?|attackers|cyber ?criminals) (?:\S+ ){0,4}?(?:target(?:s|ed)?|hit|hits|attack(?:s|ed)?|strike|strikes|struck|paralyz\w*|claim(?:s|ed)? to have (?:successfully )?attacked)\b|\b(?:target(?:s|ed)?|attacked|hit|struck) by (?:the |a |an )?(?:\S+ ){0,4}?(?:hackers?|hacktivists?|group|gang|collective|threat actors?|APT ?\d*|malware|trojans?|skimmers?|malicious (?:scripts?|code|payloads?))\b|\b(?:hit|struck|targeted) (?:by|with) (?:a |an )?(?:\S+ ){0,3}?(?:attack|incident)\b|\b(?:security|cybersecurity|cyber security|network|malware|data|privacy) (?:incident|attack)s?\b|\bmalicious (?:cyber )?activity\b",
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

/// A campaign that spreads malware: what spreads it (or researchers' finding it), and a noun
/// for the malware where no family is named ("a new campaign distributing the Foozer loader",
/// "a fresh variant of the Quelp backdoor", "researchers uncover malicious packages").
pub(super) static MALWARE_CAMPAIGN: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    (
        compile(
            r"(?i)\b(?:campaigns?|spread(?:s|ing)?|distribut(?:e|es|ed|ing|ion)|deliver(?:s|ed|ing)?|drop(?:s|ped|ping)?|push(?:es|ed|ing)?|deploy(?:s|ed|ing)?|infect(?:s|ed|ing)?|(?:new|fresh|latest|updated) (?:variant|version|strain|wave)s?|waves? of attacks|malspam|new|(?:attacks?|operations?) (?:using|leveraging|with)|operations?|inject(?:s|ed|ing)?|hidden (?:in|inside)|discover(?:s|ed)?|uncover(?:s|ed)?|identif(?:y|ies|ied)|spot(?:s|ted)?|(?:reveal|detail)(?:s|ed)? the details of)\b",
        ),
        compile(
            r"(?i)\b(?:malware|trojans?|RATs?|remote access (?:trojan|tool)s?|(?:info)?stealers?|loaders?|botnets?|backdoors?|spyware|worms?|droppers?|keyloggers?|adware|(?:crypto|coin ?)-?miners?|(?:crypto|coin ?)-?mining|malspam|malvertising|cryptojack\w*|(?:web |card )?(?:skimmers?|swipers?)|(?:malicious|fake|rogue|bogus) (?:\S+ )?(?:campaigns?|plugins?|packages?|extensions?|add-ons?|apps?|applications?|librar(?:y|ies)|scripts?|JavaScript|code|documents?|payloads?)|malware (?:famil(?:y|ies)|strains?)|surveillance(?:ware| campaigns?| tools?))\b",
        ),
    )
});

/// Data offered where stolen data is sold ("the data of 1.4 million users is on sale in the
/// underground", "logins for 3,600 accounts are for sale on the dark web"): the offer, and the
/// data named in the [`OFFERED_WITHIN`] bytes before it. A frame rather than one pattern, whose
/// gap would make the lazy DFA rebuild its states on every article.
pub(super) static DATA_OFFERED: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    (
        compile(
            r"(?i)\b(?:(?:on|for|offered for|available for) sale|sold (?:on|in|via|through)|on (?:the |a )?(?:dark ?web|darknet|underground|(?:hacking|hacker|cybercrime|criminal) forums?))\b",
        ),
        compile(
            r"(?i)\b(?:data(?:bases?)?|records|credentials|logins|documents|details|information|accounts|PII|source code)\b",
        ),
    )
});

/// How far before an offer of data its data may be named.
pub(super) const OFFERED_WITHIN: usize = 120;

/// What a party of attackers is said to do, its method unsaid ("the Foozer gang claims to
/// have attacked Quillbank", "Quelp Air was compromised by Zorblax", "a new campaign by the
/// Foozer APT"): the deed, and a noun for the party where no threat actor is named.
pub(super) static ACTOR_DEED: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    (
        compile(
            r"(?i)\b(?:campaigns?|operations?|activit(?:y|ies)|attack(?:s|ed|ing)?|compromis(?:e|es|ed|ing)|breach(?:es|ed|ing)?|target(?:s|ed|ing)?|hit|hits|struck|access(?:es|ed|ing)?|obtain(?:s|ed|ing)?|st(?:eal|eals|ealing|ole|olen)|inject(?:s|ed|ing)?|hid|hides?|hiding|hidden|disclos(?:e|es|ed|ing)|infect(?:s|ed|ing)?|hijack(?:s|ed|ing)?|exploit(?:s|ed|ing)|infiltrat(?:e|es|ed|ing)|penetrat(?:e|es|ed|ing)|prob(?:e|es|ed|ing)|focus(?:es|ed|ing)? on|br(?:eak|eaks|eaking|oke) into|claim(?:s|ed|ing)? (?:responsibility|to have)|(?:latest|newest|new|another|first) victims? of)\b",
        ),
        compile(
            r"(?i)\b(?:APT ?\d*|(?:APT|threat) actors?|threat groups?|hackers?|hacktivists?|attackers?|cyber ?criminals?|criminal (?:organi[sz]ations?|groups?|gangs?)|cyber ?spies|malicious (?:cyber )?actors?|hacking groups?|(?:ransomware|hacker|hacking|cyber) (?:gangs?|groups?|crews?)|collectives?|state-sponsored|hackers-for-hire)\b",
        ),
    )
});

/// Words that make a report a warning or a what-if rather than news.
pub(super) static HYPOTHETICAL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:could|might|would|warn(?:ed|s|ing)?|threaten(?:ed|s)?|if|risk of|potential(?:ly)?|possible|prepare for|expect(?:ed)? more)\b",
    )
});

/// A warning that is a notice of what happened ("warned 85,000 customers that their details
/// were stolen"), not of what may come.
pub(super) static NOTICE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^warn(?:ed|s|ing)? (?:\S+ ){0,4}?(?:customers|users|patients|clients|employees|staff|members|students|subscribers|guests|residents|people) (?:that|of)\b",
    )
});

/// Words that place a report in the past, before the news.
pub(super) static PAST: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?i)\b(?:previous(?:ly)?|earlier attacks?|last year|years ago|in the past|history of|back in)\b")
});

/// A year, for temporality and dating.
pub(super) static YEAR: LazyLock<Regex> = LazyLock::new(|| compile(r"\b(?:19[89]\d|20[0-4]\d)\b"));
