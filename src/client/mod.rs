//! Clients of the Enricher service.

pub mod backfill;
