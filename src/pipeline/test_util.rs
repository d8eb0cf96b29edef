//! Helpers for the stages' unit tests.

use std::sync::LazyLock;

use super::{Document, Pipeline};
use crate::pb;

/// Built once: the gazetteer's automaton costs more to build than a test costs to run.
static PIPELINE: LazyLock<Pipeline> = LazyLock::new(Pipeline::new);

/// A document for `text`, as the server would build it.
pub(crate) fn doc(text: &str) -> Document {
    let article = pb::Article { id: "test".into(), text: text.into(), ..Default::default() };
    Document::in_process(article, true).expect("test articles are valid")
}

/// `doc` after cleanup, for tests that set its fields first.
pub(crate) fn cleaned(doc: Document) -> Document {
    PIPELINE.run_through(doc, "cleanup").expect("test articles clean")
}

/// `text` after the built-in stages up to and including the one named `last`.
pub(crate) fn through(last: &str, text: &str) -> Document {
    PIPELINE.run_through(doc(text), last).expect("test articles enrich")
}

/// `text` after every built-in stage.
pub(crate) fn enriched(text: &str) -> Document {
    PIPELINE.run(doc(text)).expect("test articles enrich")
}
