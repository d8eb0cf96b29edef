use super::Cleanup;
use crate::pipeline::test_util::{run, step};

/// A page written for these tests, with the kinds of furniture real scrapes carry.
const PAGE: &str = "Skip to content\n\
News | World | Tech | Opinion\n\
\u{2022} 4 Quay Road, Portsmouth\n\
\u{2022} newsroom@harbour-times.example\n\
\n\
Ferry Operator Restores Bookings After Cyberattack\n\
\n\
Press play to listen to this article\n\
\n\
A ferry operator said on Tuesday that its booking system was back online after a cyberattack took it down for two days.\n\
Photo: Sam Reed/Harbour Times\n\
\u{201c}We are confident no payment data was taken,\u{201d} the company\u{2019}s chief executive said.\n\
RelatedPort strike ends after a week\n\
Ferry Operator Restores Bookings After Cyberattack\n\
The company did not say who was behind the attack.\n\
Support independent journalism today. Donate now.\n\
Once\n\
Monthly\n\
Continue\n\
Post a Comment\n";

fn cleaned(text: &str) -> crate::pipeline::Document {
    run(text, &[&step(&Cleanup)])
}

#[test]
fn article_sentences_survive_and_furniture_goes() {
    let doc = cleaned(PAGE);
    let clean = doc.text();
    for kept in [
        "Ferry Operator Restores Bookings After Cyberattack",
        "its booking system was back online",
        "\u{201c}We are confident no payment data was taken,\u{201d} the company\u{2019}s chief executive said.",
        "The company did not say who was behind the attack.",
    ] {
        assert!(clean.contains(kept), "lost {kept:?} from {clean:?}");
    }
    for gone in [
        "Skip to content",
        "Quay Road",
        "newsroom@",
        "Press play",
        "Photo:",
        "RelatedPort",
        "Donate",
        "Monthly",
        "Continue",
        "Post a Comment",
    ] {
        assert!(!clean.contains(gone), "kept {gone:?} in {clean:?}");
    }
    assert_eq!(clean.matches("Ferry Operator Restores").count(), 1, "title repeated in {clean:?}");
}

#[test]
fn removed_blocks_name_their_reason_and_input_range() {
    let doc = cleaned(PAGE);
    let reasons: Vec<&str> = doc.removed.iter().map(|(_, r)| *r).collect();
    for reason in ["navigation", "share_prompt", "photo_credit", "related_links", "duplicate_title", "donation_appeal"]
    {
        assert!(reasons.contains(&reason), "no {reason} in {reasons:?}");
    }
    for (range, reason) in &doc.removed {
        let text = &PAGE[range.clone()];
        assert!(!text.trim().is_empty() && text.trim() == text, "{reason}: {text:?}");
    }
    let appeal = doc.removed.iter().find(|(_, r)| *r == "donation_appeal").expect("appeal removed");
    assert!(PAGE[appeal.0.clone()].ends_with("Continue"), "buttons belong to the appeal block");
}

#[test]
fn clean_ranges_map_back_to_the_same_words_in_the_input() {
    let doc = cleaned(PAGE);
    let clean = doc.text();
    for word in ["booking system", "confident", "company\u{2019}s", "behind the attack"] {
        let at = clean.find(word).expect("word in clean text");
        assert_eq!(&PAGE[doc.clean.to_input(at..at + word.len())], word);
    }
}

#[test]
fn crlf_and_language() {
    let doc = cleaned(
        "Skip to content\r\nThe regional council said its website was hacked on Monday night by unknown attackers.\r\n",
    );
    assert_eq!(doc.text(), "The regional council said its website was hacked on Monday night by unknown attackers.");
    assert_eq!(doc.language, "en");
    let german = cleaned(
        "Die Stadtverwaltung teilte am Montag mit, dass ihre Server nach einem Angriff mit Schadsoftware verschlüsselt worden seien und alle Bürgerdienste geschlossen bleiben.",
    );
    assert_eq!(german.language, "de");
}

#[test]
fn hostile_text_is_handled() {
    let long_line = "a".repeat(1 << 20);
    assert_eq!(cleaned(&long_line).text().len(), 1 << 20);
    let empty_lines = format!("Start.{}End.", "\n".repeat(100_000));
    assert_eq!(cleaned(&empty_lines).text(), "Start.\n\nEnd.");
    for odd in [
        "!!!???...",
        "\u{0000}\u{0007}\u{001b}[0m",
        "\u{202e}txet\u{202c} \u{05e9}\u{05dc}\u{05d5}\u{05dd} Привет 你好",
    ] {
        let doc = cleaned(odd);
        for (range, _) in &doc.removed {
            assert!(odd.is_char_boundary(range.start) && odd.is_char_boundary(range.end));
        }
    }
}
