use std::path::{Path, PathBuf};

use super::{Entities, Gazetteer};
use crate::{
    pb::{self, EntityKind},
    pipeline::{
        Document, Entity, Step,
        test_util::{cleaned, doc, through},
    },
};

fn entities(text: &str) -> Document {
    through(Entities::NAME, text)
}

fn named<'d>(doc: &'d Document, kind: EntityKind, name: &str) -> &'d Entity {
    doc.tagged
        .entities
        .iter()
        .find(|e| e.kind == kind && e.name == name)
        .unwrap_or_else(|| panic!("no {kind:?} {name:?} in {:#?}", doc.tagged.entities))
}

fn mentions<'d>(doc: &'d Document, e: &Entity) -> Vec<&'d str> {
    e.mentions.iter().map(|m| &doc.text()[m.clone()]).collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gazetteers").join(name)
}

/// Gazetteer cases: the surface in the text, and what it must (or must not) be tagged as.
struct Case {
    text: &'static str,
    want: &'static [(&'static str, EntityKind, &'static str)],
    not: &'static [&'static str],
}

const GAZETTEER: &[Case] = &[
    Case {
        text: "Ukrainian officials said Moscow denied that Russia was behind it; the Kremlin agreed.",
        want: &[
            ("Ukrainian", EntityKind::Country, "Ukraine"),
            ("Moscow", EntityKind::Country, "Russia"),
            ("Kremlin", EntityKind::Country, "Russia"),
        ],
        not: &[],
    },
    // "Brussels" in news stands for the EU, not Belgium.
    Case {
        text: "Brussels condemned the attack.",
        want: &[("Brussels", EntityKind::Organization, "European Union")],
        not: &[],
    },
    Case {
        text: "NoName057(16) hit the European Parliament; NATO and the OSCE condemned it.",
        want: &[
            ("NoName057(16)", EntityKind::ThreatActor, "NoName057(16)"),
            ("European Parliament", EntityKind::GovernmentBody, "European Parliament"),
            ("NATO", EntityKind::Organization, "NATO"),
        ],
        not: &[],
    },
    Case {
        text: "Sandworm deployed NotPetya; Fancy Bear and Lazarus Group were blamed for WannaCry.",
        want: &[
            ("Sandworm", EntityKind::ThreatActor, "Sandworm Team"),
            ("NotPetya", EntityKind::Malware, "NotPetya"),
            ("Fancy Bear", EntityKind::ThreatActor, "APT28"),
            ("WannaCry", EntityKind::Malware, "WannaCry"),
        ],
        not: &[],
    },
    // REGRESSION: parts of words, ordinary words and all-caps shouting are not names.
    Case {
        text: "Russians in Prussia read a storm of news about the equation.",
        want: &[],
        not: &["Prussia", "storm", "equation"],
    },
];

#[test]
fn gazetteer_names_by_kind_and_canonical_form() {
    for case in GAZETTEER {
        let doc = entities(case.text);
        for (surface, kind, name) in case.want {
            let e = named(&doc, *kind, name);
            // A name may be matched with its article ("the Kremlin", "the European Parliament").
            let found = mentions(&doc, e).iter().any(|m| m.trim_start_matches("the ") == *surface);
            assert!(found, "{surface:?} not a mention of {name} in {:?}", case.text);
        }
        for surface in case.not {
            let tagged = doc.tagged.entities.iter().any(|e| mentions(&doc, e).contains(surface));
            assert!(!tagged, "{surface:?} tagged in {:?}", case.text);
        }
    }
}

#[test]
fn actors_and_malware_carry_their_ids() {
    let doc = entities("Sandworm deployed NotPetya in 2017 from 203.0.113[.]9, exploiting CVE-2017-0144 again.");
    assert_eq!(named(&doc, EntityKind::ThreatActor, "Sandworm Team").external_id, "G0034");
    assert_eq!(named(&doc, EntityKind::Malware, "NotPetya").external_id, "S0368");
    assert_eq!(named(&doc, EntityKind::Vulnerability, "CVE-2017-0144").external_id, "CVE-2017-0144");
    let values: Vec<&str> = doc.tagged.indicators.iter().map(|i| i.value.as_str()).collect();
    assert_eq!(values, ["203.0.113.9", "CVE-2017-0144"]);
}

#[test]
fn national_bodies_belong_to_the_country_before_them() {
    let doc = entities("Ukraine's Foreign Ministry and the Russian Foreign Ministry traded accusations on Friday.");
    let bodies: Vec<(&str, &str)> = doc
        .tagged
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::GovernmentBody)
        .map(|e| (e.name.as_str(), e.country_code.as_str()))
        .collect();
    assert_eq!(bodies, [("Foreign Ministry", "UA"), ("Foreign Ministry", "RU")]);
}

#[test]
fn later_mentions_link_to_the_first() {
    let text = "Cabinet spokeswoman Marta Kovalenko said the Ministry of Coastal Fisheries was hit. \
                Kovalenko said the ministry restored its site. The European Union offered help, and the bloc sent experts.";
    let doc = entities(text);
    let person = named(&doc, EntityKind::Person, "Marta Kovalenko");
    assert_eq!(mentions(&doc, person), ["Marta Kovalenko", "Kovalenko"]);
    let ministry = named(&doc, EntityKind::GovernmentBody, "Ministry of Coastal Fisheries");
    assert_eq!(mentions(&doc, ministry), ["Ministry of Coastal Fisheries", "the ministry"]);
    let eu = named(&doc, EntityKind::Organization, "European Union");
    assert_eq!(mentions(&doc, eu), ["European Union", "the bloc"]);
    let doc = entities("Ransomware locked files at the City of Ashford. Later the city paid.");
    let city = named(&doc, EntityKind::GovernmentBody, "City of Ashford");
    assert_eq!(mentions(&doc, city), ["City of Ashford", "the city"]);
}

#[test]
fn a_definite_reference_links_to_its_name_when_it_also_names_a_group() {
    let text = "Hackers breached Harbourline Bank. Other companies were spared, but the company lost data.";
    let doc = entities(text);
    let company = named(&doc, EntityKind::Organization, "Harbourline Bank");
    assert_eq!(mentions(&doc, company), ["Harbourline Bank", "the company"]);
    let companies = named(&doc, EntityKind::Group, "companies");
    assert_eq!(mentions(&doc, companies), ["companies", "company"]);
}

#[test]
fn dates_resolve_with_the_publication_date() {
    let mut d = doc("The attack began on Friday and was first seen last month, officials said.");
    d.article.published_at = Some(pbjson_types::Timestamp { seconds: 1_642_248_000, nanos: 0 }); // 2022-01-15
    let mut d = cleaned(d);
    Entities::new().apply(&mut d);
    let dates: Vec<&str> =
        d.tagged.entities.iter().filter(|e| e.kind == EntityKind::Date).map(|e| e.name.as_str()).collect();
    assert_eq!(dates, ["2022-01-14", "2021-12"]);
}

#[test]
fn files_add_names_with_their_kind_and_id() {
    let (gazetteer, reports) =
        Gazetteer::with_files(&[fixture("stix_bundle.json"), fixture("misp_galaxy.json")]).expect("fixtures load");
    let builtin = Gazetteer::builtin().len();
    assert_eq!(reports.iter().map(|r| r.names_added).sum::<usize>(), gazetteer.len() - builtin);
    let stage = Entities::with_gazetteer(gazetteer);
    let mut d = cleaned(doc(
        "Glass Kestrel used MarrowWipe and TunnelSnail; Lantern Moth and the Telebots Crew followed. A Storm hit.",
    ));
    stage.apply(&mut d);
    let tagged = |surface: &str| {
        d.tagged
            .entities
            .iter()
            .find(|e| mentions(&d, e).contains(&surface))
            .map(|e| (e.kind, e.name.clone(), e.external_id.clone(), e.country_code.clone()))
    };
    assert_eq!(
        tagged("Glass Kestrel"),
        Some((EntityKind::ThreatActor, "Quiet Heron".into(), "G9901".into(), String::new()))
    );
    assert_eq!(tagged("MarrowWipe"), Some((EntityKind::Malware, "MarrowWipe".into(), "S9902".into(), String::new())));
    assert_eq!(tagged("TunnelSnail").map(|t| t.2), Some("S9903".into()));
    assert_eq!(tagged("Lantern Moth").map(|t| (t.0, t.3)), Some((EntityKind::ThreatActor, "IR".into())));
    // A new alias of a known actor joins the built-in entry and its id.
    assert_eq!(tagged("Telebots Crew").map(|t| (t.1, t.2)), Some(("Sandworm Team".into(), "G0034".into())));
    // An ordinary word among the synonyms is not taken.
    assert_eq!(tagged("Storm"), None);
}

#[test]
fn bad_files_fail_with_the_file_and_the_problem() {
    for (file, problem) in [
        ("malformed_misp.json", "value 0 has no \"value\""),
        ("not_json.json", "not JSON"),
        ("missing.json", "cannot read"),
    ] {
        let err = Gazetteer::with_files(&[fixture(file)]).expect_err("rejected");
        let message = err.to_string();
        assert!(message.contains(file) && message.contains(problem), "{message}");
    }
}

#[test]
fn indicators_from_text_keep_their_defanged_flag() {
    let doc = entities("The loader called hxxps://cdn-update[.]example/a.js and https://vendor.example.com/fix.");
    let flags: Vec<(pb::IndicatorKind, bool)> = doc.tagged.indicators.iter().map(|i| (i.kind, i.defanged)).collect();
    assert_eq!(flags, [(pb::IndicatorKind::Url, true), (pb::IndicatorKind::Url, false)]);
}

/// The entity of `kind` that the mention `surface` belongs to, if it is tagged.
fn tagged_as<'d>(doc: &'d Document, kind: EntityKind, surface: &str) -> Option<&'d Entity> {
    doc.tagged.entities.iter().find(|e| e.kind == kind && mentions(doc, e).contains(&surface))
}

#[test]
fn ordinary_words_among_the_catalogue_names_need_a_cyber_cue() {
    for (text, name) in [
        ("Researchers found the Cerberus banking trojan on phones.", "Cerberus"),
        ("The attack was the work of Lazarus, the North Korean hacking group.", "Lazarus"),
        ("Tick, a cyber espionage group, sent the lures.", "Tick"),
        ("Android malware Agent Smith replaced apps on millions of phones.", "Agent Smith"),
    ] {
        let d = entities(text);
        let kinds = [EntityKind::Malware, EntityKind::ThreatActor];
        assert!(kinds.iter().any(|&k| tagged_as(&d, k, name).is_some()), "{name} untagged in {text:?}");
    }
    for (text, name) in [
        ("In the myth, Cerberus guards the gates of the underworld.", "Cerberus"),
        ("Lazarus rose from the dead, the story goes.", "Lazarus"),
        ("Tick the box on the form before you sign it.", "Tick"),
        ("Agent Smith is the villain of the film.", "Agent Smith"),
    ] {
        let d = entities(text);
        let kinds = [EntityKind::Malware, EntityKind::ThreatActor];
        assert!(kinds.iter().all(|&k| tagged_as(&d, k, name).is_none()), "{name} tagged in {text:?}");
    }
}

#[test]
fn one_cued_mention_vouches_for_the_others_of_its_entity() {
    let d = entities("The Cerberus trojan spread in March. Later, Cerberus stole bank logins.");
    let e = named(&d, EntityKind::Malware, "Cerberus");
    assert_eq!(mentions(&d, e), ["Cerberus", "Cerberus"]);
}

#[test]
fn catalogue_aliases_are_one_entity_with_its_ids() {
    let d = entities(
        "Midnight Blizzard, the Russian hacking group, breached mailboxes. APT29 and Cozy Bear are the \
         same actor, as is COZY BEAR.",
    );
    let apt29 = named(&d, EntityKind::ThreatActor, "APT29");
    assert_eq!(mentions(&d, apt29), ["Midnight Blizzard", "APT29", "Cozy Bear", "COZY BEAR"]);
    assert_eq!((apt29.external_id.as_str(), apt29.country_code.as_str()), ("G0016", "RU"));
    let d = entities("HenBox and SpyNote spread through third-party app stores, and the KASPERAGENT malware too.");
    for surface in ["HenBox", "SpyNote", "KASPERAGENT"] {
        let e = tagged_as(&d, EntityKind::Malware, surface).unwrap_or_else(|| panic!("{surface} untagged"));
        assert!(!e.external_id.is_empty(), "{surface} has an ATT&CK id or a galaxy UUID");
    }
}

#[test]
fn telling_names_match_in_other_cases_that_keep_a_capital() {
    let d = entities("The MoleRATs group returned; MOLERATS again. The molerats of the desert dig.");
    let e = tagged_as(&d, EntityKind::ThreatActor, "MoleRATs").expect("MoleRATs tagged");
    assert_eq!(mentions(&d, e), ["MoleRATs", "MOLERATS"], "lowercase is a word, not the name");
}

#[test]
fn an_acronym_defined_after_a_name_is_the_same_entity() {
    let text = "Ransomware hit Brightwater Health Services (BHS) on Monday. BHS said care went on; \
                the Ministry of Coastal Fisheries (MCF) and MCF staff were spared.";
    let doc = entities(text);
    let org = named(&doc, EntityKind::Organization, "Brightwater Health Services");
    assert_eq!(mentions(&doc, org), ["Brightwater Health Services", "BHS", "BHS"]);
    let body = named(&doc, EntityKind::GovernmentBody, "Ministry of Coastal Fisheries");
    assert_eq!(mentions(&doc, body), ["Ministry of Coastal Fisheries", "MCF", "MCF"]);
}

#[test]
fn security_vendors_and_research_teams_are_organisations() {
    let text = "FireEye and Cybereason Nocturnus tracked it, Secureworks Counter Threat Unit (CTU) \
                researchers agreed, and CTU analysts, X-Force IRIS and Kestrel Labs published indicators.";
    let doc = entities(text);
    for (name, surface) in [
        ("FireEye", "FireEye"),
        ("Cybereason", "Cybereason Nocturnus"),
        ("Secureworks", "CTU"),
        ("IBM", "X-Force IRIS"),
        ("Kestrel Labs", "Kestrel Labs"),
    ] {
        let e = named(&doc, EntityKind::Organization, name);
        assert!(mentions(&doc, e).contains(&surface), "{surface:?} not a mention of {name}");
    }
}

#[test]
fn known_names_and_countries_win_over_organisation_cues() {
    let doc = entities("Hackers hit Ukraine and Lazarus Group was hit back; attacks on Sandworm followed.");
    let orgs: Vec<&str> =
        doc.tagged.entities.iter().filter(|e| e.kind == EntityKind::Organization).map(|e| e.name.as_str()).collect();
    assert!(orgs.is_empty(), "{orgs:?}");
}

#[test]
fn names_the_text_introduces_are_entities_in_every_mention() {
    let doc = entities(
        "A new Android trojan dubbed Foozer steals bank codes. Foozer2 followed in May, and the Foozer \
         operators also run a hacking group known as Ember Fox. Ember Fox sent the lures.",
    );
    assert_eq!(mentions(&doc, named(&doc, EntityKind::Malware, "Foozer")), ["Foozer", "Foozer2"]);
    assert_eq!(mentions(&doc, named(&doc, EntityKind::ThreatActor, "Foozer")), ["Foozer"], "the operators are a gang");
    assert_eq!(mentions(&doc, named(&doc, EntityKind::ThreatActor, "Ember Fox")), ["Ember Fox", "Ember Fox"]);
    assert!(tagged_as(&doc, EntityKind::Organization, "Ember Fox").is_none(), "a coined name is no organisation");
}

#[test]
fn a_known_family_named_for_its_gang_and_its_versions() {
    let doc =
        entities("The Emotet botnet operators rent access. Their Emotet botnet, now Emotet4 or emotet 4.1, spreads.");
    assert_eq!(mentions(&doc, named(&doc, EntityKind::ThreatActor, "Emotet")), ["Emotet"]);
    assert_eq!(mentions(&doc, named(&doc, EntityKind::Malware, "Emotet")), ["Emotet", "Emotet4", "emotet 4.1"]);
}

#[test]
fn an_alias_given_beside_a_known_name_is_another_of_its_mentions() {
    let doc = entities("APT29 (aka Grimwald Spider) returned. Grimwald Spider sent lures.");
    let actor = doc.tagged.entities.iter().find(|e| mentions(&doc, e).contains(&"APT29")).expect("APT29 is tagged");
    assert_eq!(mentions(&doc, actor), ["APT29", "Grimwald Spider", "Grimwald Spider"]);
}

#[test]
fn a_version_written_on_a_known_name_is_its_mention_alone() {
    let doc = entities("Defenders can now detect more Shamoon2 related compromises.");
    assert_eq!(mentions(&doc, named(&doc, EntityKind::Malware, "Shamoon")), ["Shamoon2"]);
    let doc = entities("The group APT38 stole funds.");
    assert!(doc.tagged.entities.iter().all(|e| e.name != "APT3"), "{:#?}", doc.tagged.entities);
}

#[test]
fn a_version_of_a_name_that_needs_a_cue_is_no_mention_of_it() {
    let doc = entities("A group called Kraken0 wiped the clusters.");
    assert_eq!(mentions(&doc, named(&doc, EntityKind::ThreatActor, "Kraken0")), ["Kraken0"]);
}

#[test]
fn an_actor_name_the_article_says_is_malware_is_its_malware() {
    let doc =
        entities("APT28 used many tools. The group's primary malware is Sofacy, which has two parts. Sofacy spreads.");
    assert_eq!(mentions(&doc, named(&doc, EntityKind::Malware, "Sofacy")), ["Sofacy", "Sofacy"]);
}
