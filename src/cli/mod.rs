//! What each subcommand does, for `main` to dispatch to: each takes its parsed flags and ends
//! with an exit code, or with the error that stopped it. The input readers are here too; the
//! backfill reads its archives with them.

mod backfill;
#[cfg(feature = "tools")]
mod bench;
#[cfg(feature = "tools")]
mod catalogue;
mod enrich;
#[cfg(feature = "tools")]
mod eval;
pub mod input;
mod serve;
pub mod summary;
#[cfg(feature = "tools")]
mod train;

use std::{error::Error, process::ExitCode};

pub use self::{backfill::backfill, enrich::enrich, serve::serve};
#[cfg(feature = "tools")]
pub use self::{bench::bench, catalogue::catalogue, eval::eval, train::train};

/// How a subcommand ends: its exit code, or the error that stopped it.
pub type Outcome = Result<ExitCode, Box<dyn Error>>;

/// An error and its sources, one after another, for one log line.
pub fn error_chain(e: &dyn Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_every_cause() {
        #[derive(Debug, thiserror::Error)]
        #[error("cannot read articles.jsonl")]
        struct Outer(#[source] std::io::Error);
        let e = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(error_chain(&e), "cannot read articles.jsonl: disk on fire");
    }
}
