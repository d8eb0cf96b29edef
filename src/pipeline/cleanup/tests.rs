use super::Cleanup;
use crate::pipeline::Removal;
use crate::pipeline::{Step, test_util::through};

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
    through(Cleanup::NAME, text)
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
    let reasons: Vec<&str> = doc.cleaned.removed.iter().map(|(_, r)| r.as_str()).collect();
    for reason in ["navigation", "share_prompt", "photo_credit", "related_links", "duplicate_title", "donation_appeal"]
    {
        assert!(reasons.contains(&reason), "no {reason} in {reasons:?}");
    }
    for (range, reason) in &doc.cleaned.removed {
        let text = &PAGE[range.clone()];
        assert!(!text.trim().is_empty() && text.trim() == text, "{reason}: {text:?}");
    }
    let appeal = doc.cleaned.removed.iter().find(|(_, r)| *r == Removal::DonationAppeal).expect("appeal removed");
    assert!(PAGE[appeal.0.clone()].ends_with("Continue"), "buttons belong to the appeal block");
}

#[test]
fn clean_ranges_map_back_to_the_same_words_in_the_input() {
    let doc = cleaned(PAGE);
    let clean = doc.text();
    for word in ["booking system", "confident", "company\u{2019}s", "behind the attack"] {
        let at = clean.find(word).expect("word in clean text");
        assert_eq!(&PAGE[doc.cleaned.text.to_input(at..at + word.len())], word);
    }
}

#[test]
fn words_hyphenated_across_lines_are_joined_and_map_back() {
    let page = "The attackers used ransom-\nware against the council, officials said on Monday night.\n";
    let doc = cleaned(page);
    assert_eq!(doc.text(), "The attackers used ransomware against the council, officials said on Monday night.");
    let at = doc.text().find("ransomware").unwrap();
    assert_eq!(&page[doc.cleaned.text.to_input(at..at + "ransomware".len())], "ransom-\nware");
    // A capital after the hyphen is a compound that happened to break there: kept as written.
    let doc = cleaned("Attacks by pro-\nRussian hackers hit the sites of three ministries on Friday morning.\n");
    assert!(doc.text().contains("pro-\nRussian"), "{:?}", doc.text());
}

#[test]
fn inline_markup_is_removed_and_entities_decoded() {
    let page = "Data of 5&nbsp;000 customers &amp; staff was leaked, the company said.</text>\n";
    let doc = cleaned(page);
    assert_eq!(doc.text(), "Data of 5 000 customers & staff was leaked, the company said.");
    let (tag, reason) = &doc.cleaned.removed[0];
    assert_eq!((&page[tag.clone()], *reason), ("</text>", Removal::Markup));
    let amp = doc.text().find('&').unwrap();
    assert_eq!(&page[doc.cleaned.text.to_input(amp..amp + 1)], "&amp;");
}

#[test]
fn decoded_entities_are_normalised_like_the_characters_they_stand_for() {
    // Found by the pipeline property test: "&#160;" came out as U+00A0
    // and "&#x200B;" as a zero-width space, which cleanup promises to remove.
    let page = "Data of 5&#160;000 users leaked&#x200B;, the bank&#8203; said on Monday.\n";
    let doc = cleaned(page);
    assert_eq!(doc.text(), "Data of 5 000 users leaked, the bank said on Monday.");
    let space = doc.text().find("5 000").unwrap() + 1;
    assert_eq!(&page[doc.cleaned.text.to_input(space..space + 1)], "&#160;");
}

#[test]
fn the_title_and_bylines_are_kept_and_marked() {
    let page = "Unrelated Story About Council Budget Talks\n\nWater Utility Hit By Ransomware Attack\nBy Ana Silva and Tom Reed\n\n\
        The water utility said ransomware had locked its billing servers on Monday, and that the attack was contained.\n";
    let doc = cleaned(page);
    let roles: Vec<(&str, &str)> =
        doc.cleaned.marked.iter().map(|(r, role)| (&page[r.clone()], role.as_str())).collect();
    assert_eq!(roles, [("Water Utility Hit By Ransomware Attack", "title"), ("By Ana Silva and Tom Reed", "byline")]);
    assert_eq!(doc.cleaned.removed[0].1, Removal::OtherHeadline);
}

#[test]
fn crlf_and_language() {
    let doc = cleaned(
        "Skip to content\r\nThe regional council said its website was hacked on Monday night by unknown attackers.\r\n",
    );
    assert_eq!(doc.text(), "The regional council said its website was hacked on Monday night by unknown attackers.");
    assert_eq!(doc.cleaned.language, "en");
    let german = cleaned(
        "Die Stadtverwaltung teilte am Montag mit, dass ihre Server nach einem Angriff mit Schadsoftware verschlüsselt worden seien und alle Bürgerdienste geschlossen bleiben.",
    );
    assert_eq!(german.cleaned.language, "de");
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
        for (range, _) in &doc.cleaned.removed {
            assert!(odd.is_char_boundary(range.start) && odd.is_char_boundary(range.end));
        }
    }
}

mod properties {
    use std::ops::Range;

    use proptest::prelude::*;

    use super::cleaned;

    /// Lines of the kinds a scraped page holds, to build pages that exercise every rule.
    const PAGE_LINES: &[&str] = &[
        "Skip to content",
        "News | World | Tech",
        "\u{2022} 4 Quay Road, Portsmouth",
        "Hackers Hit Regional Water Utility",
        "The utility said on Monday that attackers had locked its billing system and demanded a ransom.",
        "\u{201c}We will not pay,\u{201d} the chief executive told reporters.",
        "Related: Port strike ends",
        "RelatedBank fined over outage",
        "Press play to listen to this article",
        "Photo: Ana Silva/Agency",
        "Your support keeps our reporting free. Please donate today if you can.",
        "Once",
        "Monthly",
        "Continue",
        "Post a Comment",
        "By Anna Berg, Security Correspondent",
        "The attack was the second this year, officials said.",
        "Data of 5&nbsp;000 customers leaked.</text>",
        "cyber-",
        "security experts were called in.",
        "",
        "   ",
        "\u{200b}",
    ];

    fn page() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            4 => proptest::sample::select(PAGE_LINES).prop_map(str::to_string),
            1 => "\\PC{0,40}",
        ];
        let newline = prop_oneof![Just("\n"), Just("\r\n"), Just("\n\n")];
        proptest::collection::vec((line, newline), 1..30)
            .prop_map(|lines| lines.into_iter().map(|(l, nl)| l + nl).collect())
            .prop_filter("the service rejects blank text", |s: &String| !s.trim().is_empty())
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![page(), "\\PC{1,200}".prop_filter("not blank", |s: &String| !s.trim().is_empty())]
    }

    fn non_blank_lines(input: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut at = 0;
        for raw in input.split_inclusive('\n') {
            let body = raw.trim_end_matches(['\n', '\r']);
            let text = body.trim();
            if !text.chars().all(super::super::normalize::is_invisible) {
                let lead = body.len() - body.trim_start().len();
                out.push(at + lead..at + lead + text.len());
            }
            at += raw.len();
        }
        out
    }

    proptest! {
        #[test]
        fn removed_spans_are_ordered_disjoint_and_on_char_boundaries(input in any_text()) {
            let doc = cleaned(&input);
            let mut last_end = 0;
            for (range, reason) in &doc.cleaned.removed {
                prop_assert!(range.start >= last_end, "{reason} overlaps the block before");
                prop_assert!(range.start < range.end && range.end <= input.len());
                prop_assert!(input.is_char_boundary(range.start) && input.is_char_boundary(range.end));
                last_end = range.end;
            }
        }

        #[test]
        fn every_line_is_either_kept_or_removed(input in any_text()) {
            let doc = cleaned(&input);
            let kept: Vec<Range<usize>> = doc.cleaned.text.input_ranges().collect();
            for line in non_blank_lines(&input) {
                let removed = doc.cleaned.removed.iter().any(|(r, _)| r.start <= line.start && line.end <= r.end);
                let is_kept = kept.iter().any(|k| k.start < line.end && line.start < k.end);
                prop_assert!(removed != is_kept, "line {:?}: removed {removed}, kept {is_kept}", &input[line]);
            }
        }

        #[test]
        fn cleaned_ranges_map_inside_the_input_on_char_boundaries(input in any_text(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 2)) {
            let doc = cleaned(&input);
            let clean = doc.text();
            let bounds: Vec<usize> = (0..=clean.len()).filter(|&i| clean.is_char_boundary(i)).collect();
            let (a, b) = (cuts[0].get(&bounds), cuts[1].get(&bounds));
            let mapped = doc.cleaned.text.to_input(*a.min(b)..*a.max(b));
            prop_assert!(mapped.start <= mapped.end && mapped.end <= input.len());
            prop_assert!(input.is_char_boundary(mapped.start) && input.is_char_boundary(mapped.end));
        }

        #[test]
        fn cleanup_is_idempotent(input in any_text()) {
            let once = cleaned(&input);
            prop_assume!(!once.text().trim().is_empty());
            let twice = cleaned(once.text());
            prop_assert_eq!(twice.text(), once.text());
        }
    }
}
