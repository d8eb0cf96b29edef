//! Classify: finds the sentences that report a cyber incident, the type their cue words
//! signal, and whether each is the news, background or a what-if.

mod cues;
pub(crate) mod sentences;

use std::time::{Duration, SystemTime};

use super::{Document, Report, Step};
use crate::pb::{EntityKind, IncidentType, Temporality};

use cues::{ATTACK_ON_SYSTEMS, CUES, HYPOTHETICAL, PAST, YEAR};

/// The classify stage.
#[derive(Debug, Default)]
pub struct Classify;

impl Step for Classify {
    const NAME: &'static str = "classify";

    fn apply(&self, doc: &mut Document) {
        // The cues are English: read in another language they would invent incidents.
        if !doc.language.is_empty() && doc.language != "en" {
            return;
        }
        let text = doc.text();
        let news_year = published_year(&doc.article).or_else(|| {
            // Without a date, the latest year the article mentions is the news.
            YEAR.find_iter(text).filter_map(|m| m.as_str().parse().ok()).max()
        });
        let mut reports = Vec::new();
        for sentence in sentences::split(text) {
            let s = &text[sentence.clone()];
            let year = YEAR
                .find(s)
                .and_then(|m| Some((m.as_str().parse().ok()?, sentence.start + m.start()..sentence.start + m.end())));
            let temporality = match (year.as_ref(), news_year) {
                (Some((y, _)), Some(news)) if *y < news => Temporality::Historical,
                _ if PAST.is_match(s) => Temporality::Historical,
                _ if HYPOTHETICAL.is_match(s) => Temporality::Hypothetical,
                _ => Temporality::Current,
            };
            let mut push = |kind, cue: std::ops::Range<usize>| {
                if !reports.iter().any(|r: &Report| r.sentence == sentence && r.kind == kind) {
                    reports.push(Report {
                        kind,
                        sentence: sentence.clone(),
                        cue: sentence.start + cue.start..sentence.start + cue.end,
                        temporality,
                        year: year.clone(),
                    });
                }
            };
            let mut any = false;
            for cue in CUES.iter() {
                for m in cue.pattern.find_iter(s) {
                    if cue.not_followed_by.iter().any(|p| s[m.end()..].to_lowercase().starts_with(p)) {
                        continue;
                    }
                    push(cue.kind, m.range());
                    any = true;
                }
            }
            // A wiper or ransomware family named in the sentence says how the attack was made.
            for e in &doc.entities {
                let kind = match (e.kind, e.category.as_str()) {
                    (EntityKind::Malware, "wiper") => IncidentType::Wiper,
                    (EntityKind::Malware, "ransomware") => IncidentType::Ransomware,
                    _ => continue,
                };
                for m in e.mentions.iter().filter(|m| sentence.start <= m.start && m.end <= sentence.end) {
                    push(kind, m.start - sentence.start..m.end - sentence.start);
                    any = true;
                }
            }
            let (attack, systems) = &*ATTACK_ON_SYSTEMS;
            if !any
                && systems.is_match(s)
                && let Some(m) = attack.find(s)
            {
                push(IncidentType::UnknownCyberattack, m.range());
            }
        }
        doc.reports = reports;
    }
}

/// The year of the article's publication date, if the caller sent one.
fn published_year(article: &crate::pb::Article) -> Option<u16> {
    let seconds = u64::try_from(article.published_at.as_ref()?.seconds).ok()?;
    let stamp = humantime::format_rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)).to_string();
    stamp.get(..4)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{
        cleanup::Cleanup,
        entities::Entities,
        test_util::{run, step},
    };

    fn reports(text: &str) -> Vec<(IncidentType, Temporality)> {
        let doc = run(text, &[&step(&Cleanup), &step(&Entities::new()), &step(&Classify)]);
        doc.reports.iter().map(|r| (r.kind, r.temporality)).collect()
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

    #[test]
    fn other_languages_get_no_incidents() {
        let german = "Die Stadtverwaltung wurde am Montag Opfer eines Angriffs mit Ransomware. \
            Die Hacker verschlüsselten alle Server, und die Bürgerdienste bleiben bis auf Weiteres geschlossen.";
        assert_eq!(reports(german), []);
    }

    #[test]
    fn non_cyber_uses_are_ignored() {
        for text in [
            "The company sued over a breach of contract.",
            "Troops launched an attack on the town at dawn.",
            "They camped on a patch of land by the river.",
        ] {
            assert_eq!(reports(text), [], "{text}");
        }
    }
}
