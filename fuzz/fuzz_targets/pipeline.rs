//! Arbitrary bytes through the whole pipeline, as the server runs it: no panic, and every
//! invariant of `pipeline::invariants` holds.
//!
//! The input is the article's text, read as UTF-8 with invalid sequences replaced (valid
//! UTF-8 is taken as it is). After a NUL byte, if any, come the fields that steer the stages:
//! the title up to the next NUL, then up to 8 bytes of the publication time in seconds
//! (little-endian), then the language code.

#![no_main]

use incident_enricher::{pb, pipeline};
use libfuzzer_sys::fuzz_target;
use pipeline::{Document, Pipeline, invariants};
use std::sync::LazyLock;

/// Built once, as the server builds it: the gazetteer automaton is costly.
static PIPELINE: LazyLock<Pipeline> = LazyLock::new(Pipeline::new);

fn article(data: &[u8]) -> pb::Article {
    let (text, fields) = data.split_at(data.iter().position(|&b| b == 0).unwrap_or(data.len()));
    let fields = fields.get(1..).unwrap_or_default();
    let (title, rest) = fields.split_at(fields.iter().position(|&b| b == 0).unwrap_or(fields.len()));
    let rest = rest.get(1..).unwrap_or_default();
    let (seconds, language) = rest.split_at(rest.len().min(8));
    let mut stamp = [0u8; 8];
    stamp[..seconds.len()].copy_from_slice(seconds);
    pb::Article {
        id: "fuzz".into(),
        text: String::from_utf8_lossy(text).into_owned(),
        title: String::from_utf8_lossy(title).into_owned(),
        published_at: (!seconds.is_empty())
            .then(|| pbjson_types::Timestamp { seconds: i64::from_le_bytes(stamp), nanos: 0 }),
        language: String::from_utf8_lossy(language).into_owned(),
        ..Default::default()
    }
}

fuzz_target!(|data: &[u8]| {
    // Blank text is refused before the pipeline, as the server refuses it.
    let Ok(doc) = Document::in_process(article(data), true) else { return };
    let doc = PIPELINE.run(doc).expect("no stage panics");
    invariants::check(&doc);
});
