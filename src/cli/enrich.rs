//! `enrich`: articles from files through the pipeline in this process, a response per line.

use std::{
    io::{self, Write},
    pin::pin,
    process::ExitCode,
    time::Duration,
};

use futures::{Stream, StreamExt, stream};
use tokio::time::Instant;
use tower::ServiceExt;
use tracing::error;

use super::{Outcome, input, summary};
use crate::{
    config::{self, EnrichArgs},
    pb,
    pipeline::{Document, InvalidArticle, Pipeline},
    server,
};

/// How long the CLI gives one article: generous, since nobody is waiting on a socket.
const CLI_DEADLINE: Duration = Duration::from_secs(60);

/// Enriches every record of every path in order, one response per line; a bad record gets an
/// error response and the run goes on. Fails when any record failed.
pub async fn enrich(args: EnrichArgs) -> Outcome {
    let options = args.input.read_options();
    let mut records = Vec::new();
    for path in &args.paths {
        records.push(input::records(path, &options)?);
    }
    let pipeline = Pipeline::load(&config::pipeline_config(&args.gazetteers, &args.model))?;
    let documents = records.into_iter().flatten().map(|record| match record {
        Ok(article) => {
            let id = article.id.clone();
            let request = pb::EnrichRequest { article: Some(article), include_clean_text: args.clean_text };
            Document::new(request, args.max_article_bytes, Instant::now() + CLI_DEADLINE).map_err(|e| refused(id, &e))
        }
        Err(bad) => {
            let status = tonic::Status::invalid_argument(format!("{}: {}", bad.id, bad.message));
            Err(Box::new(server::error_response(bad.article_id_opt.unwrap_or(bad.id), &status)))
        }
    });
    let mut responses = pin!(responses(&pipeline, documents));

    let mut out = io::stdout().lock();
    let mut failed = 0usize;
    while let Some(response) = responses.next().await {
        if let Some(error) = &response.error {
            failed += 1;
            error!(article_id = %response.article_id, error = %error.message, "article not enriched");
        }
        if args.summary {
            for line in summary::lines(&response) {
                writeln!(out, "{line}")?;
            }
            continue;
        }
        let line =
            if args.pretty { serde_json::to_string_pretty(&response)? } else { serde_json::to_string(&response)? };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    options.warn_ignored();
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The responses to `documents`, in order: each document through `pipeline`, as many at once
/// as `serve` runs by default; an `Err` is its response already.
pub(super) fn responses<'a>(
    pipeline: &Pipeline,
    documents: impl Iterator<Item = Result<Document, Box<pb::EnrichResponse>>> + 'a,
) -> impl Stream<Item = pb::EnrichResponse> + 'a {
    let service = pipeline.unlimited();
    stream::iter(documents)
        .map(move |document| {
            let service = service.clone();
            async move {
                let doc = match document {
                    Ok(doc) => doc,
                    Err(response) => return *response,
                };
                let id = doc.article.id.clone();
                match service.oneshot(doc).await {
                    Ok(doc) => doc.into_response(),
                    Err(e) => {
                        let status = server::from_pipeline(e, &id);
                        server::error_response(id, &status)
                    }
                }
            }
        })
        .buffered(config::default_concurrency())
}

/// The response for article `id`, which [`Document`] refused.
pub(super) fn refused(id: String, e: &InvalidArticle) -> Box<pb::EnrichResponse> {
    let status = server::to_status(e, &id);
    Box::new(server::error_response(id, &status))
}
