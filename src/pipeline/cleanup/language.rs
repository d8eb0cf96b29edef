//! The language of the cleaned text, as an ISO 639-1 code.

/// Detection reads this many bytes at most: enough for a confident guess.
const SAMPLE_BYTES: usize = 1024;
/// English text is about two-fifths function words; other languages that share a few of
/// them ("in", "a") stay far below this share.
const ENGLISH_FUNCTION_SHARE: f32 = 0.2;
/// Fewer words than this are too few to judge by their share of function words alone.
const MIN_WORDS: usize = 20;
/// Distinct English function words that make a short text English at the same share: one
/// ("a", "in") is shared with other languages, two or three rarely are.
const SHORT_TEXT_FUNCTION_WORDS: usize = 2;

const ENGLISH_FUNCTION_WORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "was", "with", "said", "by", "as", "it", "at",
    "from", "has", "have", "be", "are", "were", "this", "an", "its", "their", "which", "not", "but",
];

/// ISO 639-1 code of the text's language, or empty when unsure.
pub(super) fn detect(text: &str) -> String {
    let sample = &text[..text.floor_char_boundary(SAMPLE_BYTES)];
    // Most articles are English: a sample dense in English function words needs no model,
    // and the model costs more than the rest of cleanup.
    if english_share(sample) >= ENGLISH_FUNCTION_SHARE {
        return "en".to_string();
    }
    whatlang::detect(sample)
        .filter(|info| info.is_reliable() || info.confidence() >= 0.5)
        .and_then(|info| isolang::Language::from_639_3(info.lang().code()))
        .and_then(|lang| lang.to_639_1())
        .unwrap_or_default()
        .to_string()
}

/// The share of English function words in `sample`; nil when it has too few words to tell,
/// which a one-line report ("X is hit by the Foozer ransomware") has when it names few of
/// them: a language model reads such a line's names as another language.
fn english_share(sample: &str) -> f32 {
    let mut words = 0usize;
    let mut function = 0usize;
    let mut distinct: Vec<&str> = Vec::new();
    for word in sample.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        words += 1;
        let found = (word.len() <= 5).then(|| ENGLISH_FUNCTION_WORDS.iter().find(|f| f.eq_ignore_ascii_case(word)));
        if let Some(&f) = found.flatten() {
            function += 1;
            if !distinct.contains(&f) {
                distinct.push(f);
            }
        }
    }
    if words < MIN_WORDS && distinct.len() < SHORT_TEXT_FUNCTION_WORDS { 0.0 } else { function as f32 / words as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_told_apart() {
        let cases = [
            (
                "en",
                "The ministry said on Friday that its website was taken offline by a cyberattack and that the data of its staff had not been stolen, according to a statement.",
            ),
            (
                "de",
                "Die Stadtverwaltung teilte am Montag mit, dass ihre Server nach einem Angriff mit Schadsoftware verschlüsselt worden seien und alle Bürgerdienste bis auf Weiteres geschlossen bleiben.",
            ),
            (
                "fr",
                "Le ministère a indiqué vendredi que son site internet avait été mis hors ligne par une cyberattaque et que les données de son personnel n'avaient pas été volées.",
            ),
            ("en", "The Quelp Gewerbeschule in Zürich is hit by Foozer ransomware."),
            ("en", "Kapustkiy hacks an Italian portal (quelp.gov.it) and dumps records."),
            ("fr", "Le site de la mairie a été piraté par des inconnus."),
            ("es", "El portal de la alcaldía fue atacado por un grupo de hackers."),
            (
                "uk",
                "Міністерство заявило в п'ятницю, що його вебсайт було виведено з ладу кібератакою, а дані працівників не було викрадено.",
            ),
        ];
        for (want, text) in cases {
            assert_eq!(detect(text), want, "{text}");
        }
    }

    #[test]
    fn too_little_text_is_unknown_rather_than_guessed() {
        assert_eq!(detect("!!!"), "");
    }
}
