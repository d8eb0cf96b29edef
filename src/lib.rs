//! incident-enricher turns scraped cyber-incident news into structured incidents: what
//! happened, to whom, by whom and who says so, when, each fact tied to the span of text it
//! came from.
//!
//! The [`pipeline`] does the work; the [`server`] exposes it over gRPC, the backfill
//! [`client`] streams archives through servers, and the [`cli`] subcommands run it in-process
//! (with the `tools` feature, the `tools` module scores, trains and load-tests it too):
//!
//! ```
//! use incident_enricher::{pb, pipeline::{Document, Pipeline}};
//! use tower::ServiceExt;
//!
//! # tokio_test::block_on(async {
//! let request = pb::EnrichRequest {
//!     article: Some(pb::Article { id: "a1".into(), text: "Hackers defaced the city council's website on Monday.".into(), ..Default::default() }),
//!     include_clean_text: false,
//! };
//! let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
//! let doc = Document::new(request, 1 << 20, deadline).unwrap();
//! let response = Pipeline::new().unlimited().oneshot(doc).await.unwrap().into_response();
//! assert_eq!(response.incidents[0].r#type(), pb::IncidentType::Defacement);
//! # });
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod cli;
pub mod client;
pub mod config;
pub mod pb;
pub mod pipeline;
pub mod server;
pub mod telemetry;
#[cfg(feature = "tools")]
pub mod tools;
