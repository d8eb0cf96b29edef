//! The composed pipeline: load shedding, waiting for capacity, deadlines, contained panics.

use std::{sync::Arc, time::Duration};

use tokio::{sync::Semaphore, time::Instant};
use tower::{ServiceExt, load_shed::error::Overloaded};

use super::{DeadlineExceeded, Document, Pipeline, StageError, StageLayer, Step, test_util::doc};

const TEXT: &str = "Hackers defaced the city council's website on Monday.";

fn with_deadline(after: Duration) -> Document {
    let mut d = doc(TEXT);
    d.deadline = Instant::now() + after;
    d
}

#[tokio::test]
async fn shedding_refuses_at_once_when_full() {
    let capacity = Arc::new(Semaphore::new(1));
    let held = Arc::clone(&capacity).acquire_owned().await.expect("permit");
    let err = Pipeline::new().shedding(Arc::clone(&capacity)).oneshot(doc(TEXT)).await.expect_err("shed");
    assert!(err.is::<Overloaded>(), "{err}");
    drop(held);
    assert!(Pipeline::new().shedding(capacity).oneshot(doc(TEXT)).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn waiting_for_capacity_counts_against_the_deadline() {
    let capacity = Arc::new(Semaphore::new(1));
    let held = Arc::clone(&capacity).acquire_owned().await.expect("permit");
    let waiting = Pipeline::new().waiting(Arc::clone(&capacity));
    // With the permit held the whole time, the document times out instead of queueing forever.
    let err = waiting.clone().oneshot(with_deadline(Duration::from_secs(1))).await.expect_err("timed out");
    assert!(err.is::<DeadlineExceeded>(), "{err}");
    // Released in time, the document goes through.
    let call = tokio::spawn(waiting.oneshot(with_deadline(Duration::from_secs(5))));
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(held);
    assert!(call.await.expect("no panic").is_ok());
}

#[tokio::test]
async fn a_panicking_step_fails_only_its_article() {
    struct Panics;
    impl Step for Panics {
        const NAME: &'static str = "panics";
        fn apply(&self, doc: &mut Document) {
            assert!(!doc.article.text.contains("boom"), "step bug triggered");
        }
    }
    let svc = tower::ServiceBuilder::new()
        .layer(StageLayer::new(Panics))
        .service(tower::service_fn(|d: Document| async move { Ok::<_, tower::BoxError>(d) }));
    let mut bad = doc("boom");
    bad.deadline = Instant::now() + Duration::from_secs(5);
    let err = svc.clone().oneshot(bad).await.expect_err("panic contained");
    assert!(matches!(err.downcast_ref::<StageError>(), Some(StageError::Panicked { stage: "panics", .. })), "{err}");
    assert!(svc.oneshot(doc("fine")).await.is_ok());
}

/// Records the thread each document's step ran on, in its title.
struct RecordsThread;

impl Step for RecordsThread {
    const NAME: &'static str = "records-thread";
    fn apply(&self, doc: &mut Document) {
        doc.article.title = format!("{:?}", std::thread::current().id());
    }
}

#[tokio::test]
async fn large_articles_run_their_steps_off_the_reactor_thread() {
    // A current-thread runtime: the test's own thread is the only reactor thread.
    let svc = tower::ServiceBuilder::new()
        .layer(StageLayer::new(RecordsThread))
        .service(tower::service_fn(|d: Document| async move { Ok::<_, tower::BoxError>(d) }));
    let here = format!("{:?}", std::thread::current().id());
    let small = svc.clone().oneshot(doc(TEXT)).await.expect("small");
    assert_eq!(small.article.title, here, "a small article stays on the reactor thread");
    let big = svc.oneshot(doc(&"Filler text about the weather.\n".repeat(400))).await.expect("big");
    assert_ne!(big.article.title, here, "a large article goes to the blocking pool");
}

#[tokio::test]
async fn large_articles_get_the_same_result_as_small_ones() {
    let small = Pipeline::new().unlimited().oneshot(doc(TEXT)).await.expect("small");
    let big_text = format!("{TEXT}\n{}", "Filler text about the weather and nothing else at all.\n".repeat(400));
    let big = Pipeline::new().unlimited().oneshot(doc(&big_text)).await.expect("big");
    assert_eq!(small.incidents.len(), 1);
    assert_eq!(big.incidents[0].kind, small.incidents[0].kind);
    assert_eq!(big.timings.len(), 4);
}

#[tokio::test]
async fn stages_pass_the_inner_readiness_through() {
    let (mut svc, mut inner) = tower_test::mock::spawn_layer::<Document, Document, _>(StageLayer::new(RecordsThread));
    inner.allow(0);
    tokio_test::assert_pending!(svc.poll_ready());
    inner.allow(1);
    tokio_test::assert_ready_ok!(svc.poll_ready());
    // The stage's future is lazy: it runs the step and calls the inner service when polled.
    let call = tokio::spawn(svc.call(doc(TEXT)));
    let (got, reply) = inner.next_request().await.expect("the stage calls the inner service");
    assert!(!got.article.title.is_empty(), "the step ran before the inner service saw the document");
    reply.send_response(got);
    assert!(call.await.expect("no panic").is_ok());
}

#[tokio::test]
async fn a_publication_date_past_year_9999_is_ignored_not_fatal() {
    // Formatting such a date as RFC 3339 once panicked.
    let mut d = doc(TEXT);
    d.article.published_at = Some(pbjson_types::Timestamp { seconds: 300_000_000_000, nanos: 0 });
    let done = Pipeline::new().unlimited().oneshot(d).await.expect("enriched");
    assert_eq!(done.incidents.len(), 1);
}

mod properties {

    use proptest::prelude::*;

    use crate::pb;
    use crate::pipeline::{invariants, test_util::enriched};

    /// Words that drive every stage: cues, attribution triggers, names, dates, numbers, and
    /// the punctuation sentences and clauses split at.
    const WORDS: &[&str] = &[
        "hackers",
        "claimed responsibility",
        "denied involvement",
        "have been blamed",
        "an act of",
        "Russia",
        "Kremlin",
        "pro-",
        "LockBit",
        "ransomware",
        "DDoS",
        "defaced",
        "breach",
        "phishing",
        "patch",
        "vulnerability",
        "in 2015 and 2016 and for",
        "2017",
        "on Friday",
        "June 29",
        "$2 million",
        "12,000 records",
        "customers",
        "was hacked",
        "the websites of",
        "Ministry of Foreign Affairs",
        "spokesman Oleg Petrenko said",
        "“",
        "”",
        ". ",
        "\n",
        "; ",
        "went down",
        "no data had been leaked",
        "one can figure who is behind",
        "Kestrel Mart",
        "the company",
        "Northfield Regional Hospital (NRH)",
        "NRH",
        "University of",
        "was hit by",
        ", a retailer,",
        "researchers at",
        "according to",
        " and ",
        "’s systems",
        "Inc.",
        "the city of",
        "originating in Iran",
        "hxxp://evil[.]example[.]com/x",
        "CVE-2024-12345",
        "10.0.0[.]1",
    ];

    /// Characters cleanup rewrites or splits at, and markup it decodes: where offsets are
    /// easiest to get wrong.
    const TRICKY: &[&str] = &[
        "\r\n",
        "\r",
        "\t",
        "\u{a0}",
        "\u{2009}",
        "\u{200b}",
        "\u{feff}",
        "\u{ad}",
        "\u{0}",
        "\u{1b}",
        "\u{301}",
        "e\u{301}",
        "\u{387}",
        "\u{2028}",
        "\u{85}",
        "&nbsp;",
        "&#160;",
        "&#x200B;",
        "&#8203;",
        "&amp;",
        "<p>",
        "</text>",
        "-\n",
        "é",
        "ß",
        "İ",
        "🙂",
        "\u{1f469}\u{200d}\u{1f469}",
        "\u{10ffff}",
    ];

    /// Any text at all: cue words, tricky characters, any `char` (controls and unassigned code
    /// points included, which `any::<String>()` leaves out), and printable Unicode strings.
    fn article() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => proptest::sample::select(WORDS).prop_map(str::to_string),
            2 => proptest::sample::select(TRICKY).prop_map(str::to_string),
            2 => proptest::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
            1 => any::<String>(),
        ];
        let separator = prop_oneof![Just(" "), Just(""), Just("\n"), Just(". ")];
        // Never blank: blank articles are refused before the pipeline.
        proptest::collection::vec((piece, separator), 0..60)
            .prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect::<String>() + " x")
    }

    fn enrich(text: &str) -> pb::EnrichResponse {
        invariants::check(&enriched(text))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_text_gives_valid_spans_and_references_deterministically(text in article()) {
            let mut first = enrich(&text);
            let mut again = enrich(&text);
            first.provenance = None;
            again.provenance = None;
            prop_assert_eq!(first, again);
        }
    }
}
