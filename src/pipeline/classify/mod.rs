//! Classify: finds the sentences that report a cyber incident, the type their cue words
//! signal, and whether each is the news, background or a what-if; and lets the type model
//! score which of the types it knows the article reports.

mod cues;
pub mod model;

use std::sync::Arc;

use chrono::Datelike;

use super::{
    Category, CleanRange, Document, Report, Step,
    text::{Hits, sentences},
};
use crate::pb::{EntityKind, IncidentType, Temporality};

use cues::{
    ACTOR_DEED, ATTACK_ON_SYSTEMS, CUES, DATA_OFFERED, HYPOTHETICAL, MALWARE_CAMPAIGN, NEGATED, NOT_A_FLOOD,
    NOT_FLOODERS, NOTICE, OFFERED_WITHIN, PAST, TAKE_DOWN, YEAR,
};
use model::TypeModel;

/// Where the clause-level patterns match in the whole article (see [`Hits`]).
struct ArticleHits {
    cues: Vec<Hits>,
    year: Hits,
    past: Hits,
    hypothetical: Hits,
    attack: Hits,
    spreading: Hits,
    deed: Hits,
    take_down: Hits,
    offered: Hits,
}

impl ArticleHits {
    fn new(text: &str) -> Self {
        Self {
            cues: CUES.iter().map(|c| Hits::new(&c.pattern, text)).collect(),
            year: Hits::new(&YEAR, text),
            past: Hits::new(&PAST, text),
            hypothetical: Hits::new(&HYPOTHETICAL, text),
            attack: Hits::new(&ATTACK_ON_SYSTEMS.0, text),
            spreading: Hits::new(&MALWARE_CAMPAIGN.0, text),
            deed: Hits::new(&ACTOR_DEED.0, text),
            take_down: Hits::new(&TAKE_DOWN, text),
            offered: Hits::new(&DATA_OFFERED.0, text),
        }
    }
}

/// The classify stage, with the type model that scores which types an article reports.
#[derive(Debug, Clone)]
pub struct Classify {
    model: Arc<TypeModel>,
}

impl Default for Classify {
    fn default() -> Self {
        Self::new(Arc::new(model::BUILTIN.clone()))
    }
}

impl Classify {
    /// The stage with `model` instead of the built-in one (e.g. one trained on the user's data).
    pub fn new(model: Arc<TypeModel>) -> Self {
        Self { model }
    }
}

/// The mentions of what the entities stage named, in text order: wiper and ransomware
/// families, which say how an attack was made; other malware; threat actors.
struct Named {
    families: Vec<(CleanRange, IncidentType)>,
    malware: Vec<CleanRange>,
    actors: Vec<CleanRange>,
}

/// True when one of `mentions` (in text order) lies in `clause`.
fn in_clause(mentions: &[CleanRange], clause: &CleanRange) -> bool {
    mentions.get(mentions.partition_point(|m| m.start < clause.start)).is_some_and(|m| m.end <= clause.end)
}

/// The reports of one clause: a report per type its cue words, named malware families,
/// malware spread, what a party of attackers did or attacks on systems signal, with the
/// clause's year and temporality (a year older than the news is settled by the caller).
fn report_clause(
    text: &str,
    clause: CleanRange,
    hits: &ArticleHits,
    named: &Named,
    reports: &mut Vec<Report>,
    non_cyber: &mut Vec<CleanRange>,
) {
    let s = &text[clause.clone()];
    let year = hits
        .year
        .may_match_in(&clause)
        .then(|| YEAR.find(s))
        .flatten()
        .and_then(|m| Some((m.as_str().parse().ok()?, clause.start + m.start()..clause.start + m.end())));
    let temporality = if hits.past.may_match_in(&clause) && PAST.is_match(s) {
        Temporality::Historical
    } else if hits.hypothetical.may_match_in(&clause)
        && HYPOTHETICAL.find_iter(s).any(|m| !NOTICE.is_match(&s[m.start()..]))
    {
        Temporality::Hypothetical
    } else {
        Temporality::Current
    };
    let first_of_clause = reports.len();
    let mut push = |kind| {
        // "could let an attacker run code" says what a flaw allows, not that its disclosure
        // is a what-if.
        let temporality = match kind {
            IncidentType::VulnerabilityDisclosure | IncidentType::PatchRelease
                if temporality == Temporality::Hypothetical =>
            {
                Temporality::Current
            }
            _ => temporality,
        };
        if !reports[first_of_clause..].iter().any(|r| r.kind == kind) {
            reports.push(Report { kind, sentence: clause.clone(), temporality, year: year.clone() });
        }
    };
    let mut any = false;
    let has_word = |text: &str, words: &[&str]| {
        !words.is_empty()
            && text.split(|c: char| !c.is_alphanumeric()).any(|w| words.iter().any(|u| w.eq_ignore_ascii_case(u)))
    };
    for (cue, _) in CUES.iter().zip(&hits.cues).filter(|(_, h)| h.may_match_in(&clause)) {
        if has_word(s, cue.unless_in_clause) {
            continue;
        }
        for m in cue.pattern.find_iter(s) {
            let followed_by = |p: &str| s.get(m.end()..m.end() + p.len()).is_some_and(|t| t.eq_ignore_ascii_case(p));
            if cue.not_followed_by.iter().any(|p| followed_by(p)) {
                non_cyber.push(clause.start + m.start()..clause.start + m.end());
                continue;
            }
            let before = &s[..m.start()];
            let purpose = cue.unless_after.is_some_and(|re| re.is_match(before));
            if NEGATED.is_match(before) || purpose || has_word(before, cue.unless_before) {
                continue;
            }
            push(cue.kind);
            any = true;
        }
    }
    let families = &named.families;
    let first = families.partition_point(|(m, _)| m.start < clause.start);
    for (_, kind) in families[first..].iter().take_while(|(m, _)| m.end <= clause.end) {
        push(*kind);
        any = true;
    }
    let (spreading, noun) = &*MALWARE_CAMPAIGN;
    let names_malware = || in_clause(&named.malware, &clause) || noun.is_match(s);
    if hits.spreading.may_match_in(&clause) && spreading.is_match(s) && names_malware() {
        push(IncidentType::MalwareCampaign);
        any = true;
    }
    let (deed, party) = &*ACTOR_DEED;
    let by_actor = || in_clause(&named.actors, &clause) || party.is_match(s);
    let take_down = || TAKE_DOWN.find(s).filter(|m| !has_word(&s[..m.start()], NOT_FLOODERS));
    if hits.take_down.may_match_in(&clause) && take_down().is_some() && by_actor() && !has_word(s, NOT_A_FLOOD) {
        push(IncidentType::Ddos);
        any = true;
    }
    let (offer, data) = &*DATA_OFFERED;
    let offered = |m: regex::Match<'_>| {
        let from = (m.start().saturating_sub(OFFERED_WITHIN)..m.start()).find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        data.is_match(&s[from..m.start()])
    };
    if hits.offered.may_match_in(&clause) && offer.find_iter(s).any(offered) {
        push(IncidentType::DataBreach);
        any = true;
    }
    let (attack, systems) = &*ATTACK_ON_SYSTEMS;
    let on_systems = || hits.attack.may_match_in(&clause) && systems.is_match(s) && attack.is_match(s);
    if !any && (hits.deed.may_match_in(&clause) && deed.is_match(s) && by_actor() || on_systems()) {
        push(IncidentType::UnknownCyberattack);
    }
}

impl Step for Classify {
    const NAME: &'static str = "classify";

    fn apply(&self, doc: &mut Document) {
        // The cues are English: read in another language they would invent incidents.
        let language = &doc.cleaned.language;
        if language.is_empty() || language == "en" {
            report(doc);
        }
        doc.classified.type_scores = self.model.type_scores(doc);
    }
}

/// Finds the reports in a document's sentences and the cue words it uses in a non-cyber sense.
fn report(doc: &mut Document) {
    let text = doc.text();
    let published_year = doc.published_date().and_then(|d| u16::try_from(d.year()).ok());
    // Without a date, the latest year the article mentions is the news.
    let hits = ArticleHits::new(text);
    let latest_year = hits.year.ranges().iter().filter_map(|r| text[r.clone()].parse().ok()).max();
    let mut named = Named { families: Vec::new(), malware: Vec::new(), actors: Vec::new() };
    for e in doc.tagged.entities.iter().filter(|e| e.kind == EntityKind::ThreatActor) {
        named.actors.extend(e.mentions.iter().cloned());
    }
    for e in doc.tagged.entities.iter().filter(|e| e.kind == EntityKind::Malware) {
        let kind = match e.category {
            Some(Category::Wiper) => Some(IncidentType::Wiper),
            Some(Category::Ransomware) => Some(IncidentType::Ransomware),
            _ => None,
        };
        match kind {
            Some(kind) => named.families.extend(e.mentions.iter().map(|m| (m.clone(), kind))),
            None => named.malware.extend(e.mentions.iter().cloned()),
        }
    }
    named.families.sort_by_key(|(m, _)| m.start);
    named.malware.sort_by_key(|m| m.start);
    named.actors.sort_by_key(|m| m.start);
    let mut reports: Vec<Report> = Vec::new();
    let mut non_cyber = Vec::new();
    for sentence in doc.cleaned.sentences.iter().cloned() {
        let years = if hits.year.may_match_in(&sentence) { YEAR.find_iter(&text[sentence.clone()]).count() } else { 0 };
        for clause in sentences::clauses(text, sentence, years) {
            report_clause(text, clause, &hits, &named, &mut reports, &mut non_cyber);
        }
    }
    // An undated article that tells its news without a year ("on Friday") gives years
    // only to the background.
    let undated_news =
        published_year.is_none() && reports.iter().any(|r| r.year.is_none() && r.temporality == Temporality::Current);
    for r in &mut reports {
        if let Some((year, _)) = r.year {
            let news = published_year.or(latest_year);
            if news.is_some_and(|news| year < news) || undated_news {
                r.temporality = Temporality::Historical;
            }
        }
    }
    // Cues are tried in turn, so a clause's spans come in cue order.
    non_cyber.sort_by_key(|r| r.start);
    doc.classified.reports = reports;
    doc.classified.non_cyber = non_cyber;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::test_util::through;

    fn reports(text: &str) -> Vec<(IncidentType, Temporality)> {
        let doc = through(Classify::NAME, text);
        doc.classified.reports.iter().map(|r| (r.kind, r.temporality)).collect()
    }

    #[test]
    fn news_background_and_warnings_are_told_apart() {
        let got = reports(
            "Hackers defaced the ministry's website in 2024. \
             In 2017, NotPetya wiper attacks crippled companies. \
             Officials warned that ransomware could follow.",
        );
        assert_eq!(
            got,
            [
                (IncidentType::Defacement, Temporality::Current),
                (IncidentType::Wiper, Temporality::Historical),
                (IncidentType::Ransomware, Temporality::Hypothetical),
            ]
        );
        // A warning to customers of what befell them is news.
        assert_eq!(
            reports("Quelp Bank warned 9,000 customers that their details were stolen."),
            [(IncidentType::DataBreach, Temporality::Current)]
        );
    }

    #[test]
    fn a_named_wiper_or_ransomware_family_types_the_sentence() {
        assert_eq!(
            reports("Back in 2017, Sandworm used NotPetya against Ukrainian companies."),
            [(IncidentType::Wiper, Temporality::Historical)]
        );
    }

    #[test]
    fn machine_translated_attacks_on_websites_are_cyber() {
        assert_eq!(
            reports("A robbery attack hit the websites of the ministries."),
            [(IncidentType::UnknownCyberattack, Temporality::Current)]
        );
    }

    /// The types the reports of `text` give, current ones only.
    fn kinds(text: &str) -> Vec<IncidentType> {
        let mut kinds: Vec<IncidentType> =
            reports(text).into_iter().filter(|(_, t)| *t == Temporality::Current).map(|(k, _)| k).collect();
        kinds.dedup();
        kinds
    }

    /// Asserts that each of `texts` reports a current incident of `kind`.
    fn each_reports(kind: IncidentType, texts: &[&str]) {
        for text in texts {
            assert!(kinds(text).contains(&kind), "{text}");
        }
    }

    #[test]
    fn a_web_presence_taken_down_by_others_is_a_denial_of_service() {
        use IncidentType::Ddos;
        each_reports(
            Ddos,
            &[
                "The Zorblax collective takes down the website of the Quillon Ministry of Tourism.",
                "The portals of three Vexland airports are taken down by the Foozer crew.",
                "Several Quelp state websites are knocked offline during the vote.",
                "Hacktivists take down Quillbank (quillbank.vx) and two more portals.",
                "The Zorblax collective disables some pages of the Quelp University departments.",
                "Hacktivists take down the website of the Quillon Police Office.",
                "The attacker who took down the Quelp Police also takes down the website of the Vexland Police.",
                "The Zorblax collective takes down the Vexland bank Quelpcredit.",
            ],
        );
        for text in [
            "The ticketing firm took down its websites while it investigated.",
            "The school network was taken offline as a precaution.",
            "The Zorblax crew takes down hundreds of Twitter accounts of the sect.",
            "The servers were taken down after the ransomware encrypted them.",
            "Europol takes down the Foozer botnet's servers.",
            "The FBI takes down Quelpmarket, a dark-web forum.",
        ] {
            assert!(!kinds(text).contains(&Ddos), "{text}");
        }
    }

    #[test]
    fn messages_left_on_sites_and_broadcasts_are_defacements() {
        each_reports(
            IncidentType::Defacement,
            &[
                "The hackers left a message on the Quelp council website.",
                "The Quillon broadcaster is briefly hijacked by the Zorblax front.",
                "Hacktivists hacked two Vexland streaming services to broadcast footage of the war.",
                "The carmaker's website in Quelpia is infiltrated with a message condemning the government.",
            ],
        );
        let breach = "The Quillon broadcaster was hacked and its payroll data stolen.";
        assert!(!kinds(breach).contains(&IncidentType::Defacement));
    }

    #[test]
    fn accounts_and_sites_taken_from_their_owners_are_account_takeovers() {
        each_reports(
            IncidentType::AccountTakeover,
            &[
                "The Twitter account of the singer Anna Quell is hacked by the Zorblax group.",
                "A hacker hijacked the Spotify pages of several artists.",
                "An attacker takes control of the army's Twitter account.",
                "Researchers see an increase in password spray attacks on cloud tenants.",
                "The Zorblax group runs a credential stuffing campaign against streaming services.",
                "Unknown hackers post slogans on the Quillon Motors Instagram account.",
                "The website of Quelp Hardware is taken over by a group of hackers.",
            ],
        );
        assert_eq!(kinds("Users were able to gain access to their accounts as normal."), []);
    }

    #[test]
    fn data_leaked_dumped_or_sold_is_a_breach() {
        each_reports(
            IncidentType::DataBreach,
            &[
                "The Foozer gang leaks 30 million accounts from Quelpdate.",
                "Zorblax has put up the Quillon.com database for sale.",
                "The data of 1.4 million Vexland users is on sale in the underground market.",
                "Quillon Hospital has some data dumped on the gang's website.",
                "A database with 129 thousand records of Vexland drivers is being offered for sale on a forum.",
                "About 62,000 e-mails may have been accessed by cyber criminals.",
                "Quelp University has 11 GB leaked on the gang's blog.",
                "Logins for 3,600 Quelpgov accounts are for sale on the dark web.",
                "A threat actor puts on sale a list of accounts of Vexland payment platforms.",
                "Researchers find user records of the Quillon delivery app on the dark web.",
                "A threat actor claims to be in possession of 500,000 records of Quelp Fund.",
                "The Zorblax collective leaks a 106 GB archive of the Quillon port authority.",
                "Over 70,000 credentials of Quelp Tools are leaked online.",
            ],
        );
    }

    #[test]
    fn malware_spread_to_many_is_a_campaign() {
        use IncidentType::MalwareCampaign;
        each_reports(
            MalwareCampaign,
            &[
                "Researchers discover a new campaign distributing the Foozer malware through obfuscated links.",
                "Researchers discover a new variant of the Quelp backdoor targeting mail servers.",
                "The Zorblax botnet is now spread through fake installer packages.",
                "Researchers discover Quelp, a new Android banking trojan in active development.",
                "Researchers uncover crypto-mining malware hidden inside three JavaScript libraries.",
                "Researchers reveal the details of Zorbmoth, a banking trojan targeting Vexland users.",
                "Researchers discover eleven fake crypto-wallet extensions in the Quelp browser's store.",
                "Researchers identify a malicious payload that infected the sites of three Vexland restaurants.",
            ],
        );
        // A campaign of another kind, and malware only named, are none; nor is a campaign
        // with no attacker an attack.
        for text in [
            "The senator's new campaign spread leaflets across the city.",
            "The senator's new campaign targets young voters.",
            "The senator's campaign focused on the economy.",
            "The trojan was found in 2019.",
        ] {
            assert_eq!(kinds(text), [], "{text}");
        }
    }

    #[test]
    fn attackers_hitting_or_targeting_a_party_report_an_attack() {
        for text in [
            "Hackers from the Foozer crew claim to have successfully attacked Quillbank.",
            "Quelp Systems was targeted by the Zorblax threat actors.",
            "Quillon Shipbuilders is the victim of a targeted attack.",
            "Quelp County Schools are hit by a cybersecurity attack.",
            "Quillon Care discloses a security incident.",
            "Researchers reveal a new campaign by the Zorblax APT targeting ministries.",
            "A hackers-for-hire group has compromised computers of a Quelp architecture firm.",
            "Unknown attackers obtain sensitive documents of the Vexland Foreign Office.",
            "The Quillon broadcaster was allegedly compromised by Zorblax.",
            "A cybercriminal manages to break into the Quelp delivery startup.",
            "Quillon Domains is compromised.",
            "Quelp Clinic announces a data incident that may have impacted patients.",
            "The Quillon Group suffers a cyber intrusion.",
            "Quelp Tissue says its computer systems were accessed without authorization.",
            "Quillon Care reveals it discovered suspicious activity within its computer network.",
            "Quelp Foods is the latest victim of the Zorblax hackers.",
            "Two Vexland agencies came under attack from cyberspies.",
            "Researchers reveal the details of Zorbcontrol, a criminal organization focused on casinos.",
            "A state-sponsored group called Quelpium has been probing Vexland electric utilities.",
            "Quelp Stores tells customers it was hit by a malicious script in its payment page.",
        ] {
            assert!(!kinds(text).is_empty(), "{text}");
        }
        // Attacks by others than attackers of computers are none.
        for text in [
            "A gang of robbers attacked the Quelp bank branch at night.",
            "The striker hit the post twice and the team obtained a draw.",
        ] {
            assert_eq!(kinds(text), [], "{text}");
        }
    }

    #[test]
    fn scam_mail_and_floods_by_their_size_are_typed() {
        each_reports(
            IncidentType::Phishing,
            &[
                "A business email compromise targets the Quelp school district.",
                "The Quillon broker lost $380,000 via a BEC scam.",
                "Researchers reveal a surge in sextortion emails.",
                "The Quelp school district says email scammers fleeced it out of $2.3 million.",
                "A malspam campaign delivers the Foozer trojan to Vexland firms.",
            ],
        );
        each_reports(
            IncidentType::Ddos,
            &["Researchers say they dealt with an 800 Gbps+ attack against a Vexland casino."],
        );
        // What a botnet is made for is no flood.
        let capability = "Researchers discover Zorbnet, a new botnet used to carry out DDoS attacks.";
        assert!(!kinds(capability).contains(&IncidentType::Ddos));
    }

    #[test]
    fn other_languages_get_no_incidents() {
        let german = "Die Stadtverwaltung wurde am Montag Opfer eines Angriffs mit Ransomware. \
            Die Hacker verschlüsselten alle Server, und die Bürgerdienste bleiben bis auf Weiteres geschlossen.";
        assert_eq!(reports(german), []);
    }

    #[test]
    fn non_cyber_uses_and_negated_cues_are_ignored() {
        for text in [
            "The company sued over a breach of contract.",
            "The agency said no data had been stolen.",
            "The Quelp portal was not hacked, officials said.",
            "Troops launched an attack on the town at dawn.",
            "They camped on a patch of land by the river.",
        ] {
            assert_eq!(reports(text), [], "{text}");
        }
    }
}
