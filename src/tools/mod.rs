//! Tools for the people who tune and measure the service, not part of it: scoring, training
//! and cleanup measurement on labelled corpora ([`eval`]), and the load harness ([`load`]).
//! Built with the `tools` feature (on by default); the container image leaves them out.

pub mod eval;
pub mod load;
