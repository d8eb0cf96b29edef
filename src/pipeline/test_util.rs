//! Helpers for the stages' unit tests.

use super::{Document, Step};
use crate::pb;

/// A document for `text`, as the server would build it.
pub(crate) fn doc(text: &str) -> Document {
    let article = pb::Article { id: "test".into(), text: text.into(), ..Default::default() };
    Document::in_process(article, true).expect("test articles are valid")
}

/// Runs `steps` in order on `text`.
pub(crate) fn run(text: &str, steps: &[&dyn Fn(&mut Document)]) -> Document {
    let mut d = doc(text);
    for step in steps {
        step(&mut d);
    }
    d
}

/// A step as a plain function, for [`run`].
pub(crate) fn step<T: Step>(step: &T) -> impl Fn(&mut Document) + '_ {
    move |d| step.apply(d)
}
