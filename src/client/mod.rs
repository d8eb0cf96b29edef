//! Clients of the Enricher service.

pub mod backfill;
pub(crate) mod channel;
