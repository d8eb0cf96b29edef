//! Text helpers every stage may use: pattern compilation, sentences, ranges of the cleaned
//! text and the windows of context around them.

pub(crate) mod dates;
mod ranges;
mod re;
pub(crate) mod sentences;
mod window;

pub(crate) use ranges::{Containing, containing, in_ranges, overlaps_any};
pub(crate) use re::{Hits, compile, compile_set};
pub(crate) use window::{after, before};
