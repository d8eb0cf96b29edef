//! A stream worker: leases an address, keeps one EnrichStream on it with up to a window of
//! articles in flight, and hands each answer on. When the stream fails, its unanswered
//! articles go back to the queue and the worker moves to another address.

use std::{collections::HashMap, sync::Arc};

use tokio::{sync::mpsc, time::Instant};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Status};
use tracing::{debug, warn};

use super::{
    Context,
    balance::Lease,
    output::{ErrorLine, Outcome},
    queue::Job,
    retry::is_retryable,
};
use crate::{client::channel, pb};

/// How a session on one address ended.
enum End {
    /// Every article of the run is finished.
    Finished,
    /// The worker left to even out the load; the address is fine.
    Moved,
    /// The address failed or is going away.
    Failed(Status),
    /// The writer is gone: the run is ending with its error.
    WriterGone,
}

/// Runs sessions until every article is finished. Fails only when no address can be reached.
pub(crate) async fn run(ctx: Arc<Context>) -> Result<(), super::BackfillError> {
    let mut avoid_opt = None;
    loop {
        let lease = tokio::select! {
            lease = ctx.balancer.acquire(avoid_opt) => lease?,
            () = ctx.queue.finished() => return Ok(()),
        };
        match session(&ctx, &lease).await {
            End::Finished | End::WriterGone => return Ok(()),
            End::Moved => avoid_opt = None,
            End::Failed(status) => {
                warn!(address = %lease.target(), code = ?status.code(), error = status.message(), "stream failed; moving to another address");
                lease.failed();
                avoid_opt = Some(lease.index());
            }
        }
    }
}

/// One EnrichStream on the leased address.
async fn session(ctx: &Context, lease: &Lease) -> End {
    let mut inflight: HashMap<String, Job> = HashMap::new();
    let end = stream(ctx, lease, &mut inflight).await;
    // Articles sent and not answered go back for another try, elsewhere.
    let status = match &end {
        End::Failed(status) => status.clone(),
        _ => Status::unavailable("stream ended before answering"),
    };
    for (_, job) in inflight.drain() {
        if ctx.retry(job, status.code(), status.message()).await.is_err() {
            return End::WriterGone;
        }
    }
    end
}

async fn stream(ctx: &Context, lease: &Lease, inflight: &mut HashMap<String, Job>) -> End {
    let (tx, rx) = mpsc::channel::<pb::EnrichRequest>(ctx.window);
    let mut client = channel::enricher(lease.channel());
    let mut responses = match tokio::time::timeout(ctx.timeout, client.enrich_stream(ReceiverStream::new(rx))).await {
        Ok(Ok(response)) => response.into_inner(),
        Ok(Err(status)) => return End::Failed(status),
        Err(_) => return End::Failed(Status::deadline_exceeded(format!("no stream within {:?}", ctx.timeout))),
    };
    debug!(address = %lease.target(), "stream open");
    let mut answered = false;
    // Stop taking articles and end the session once those in flight are answered: to leave
    // a replica that is shutting down (`leave_opt` holds why), or to rebalance.
    let mut closing = false;
    let mut leave_opt: Option<Status> = None;
    let mut last_progress = Instant::now();
    let mut rebalance = tokio::time::interval_at(Instant::now() + ctx.resolve_interval, ctx.resolve_interval);
    loop {
        if closing && inflight.is_empty() {
            return leave_opt.map_or(End::Moved, End::Failed);
        }
        tokio::select! {
            biased;
            message = responses.message() => match message {
                Ok(Some(response)) => {
                    last_progress = Instant::now();
                    if !answered {
                        answered = true;
                        lease.succeeded();
                    }
                    let Some(job) = inflight.remove(&response.article_id) else {
                        warn!(article_id = %response.article_id, "answer for an article not in flight; ignored");
                        continue;
                    };
                    match answer(ctx, job, response).await {
                        Ok(None) => {}
                        Ok(Some(status)) => {
                            closing = true;
                            leave_opt = Some(status);
                        }
                        Err(()) => return End::WriterGone,
                    }
                }
                Ok(None) if inflight.is_empty() => return End::Moved,
                Ok(None) => return End::Failed(Status::unavailable("stream ended with articles unanswered")),
                Err(status) => return End::Failed(status),
            },
            job = ctx.queue.pop(), if !closing && inflight.len() < ctx.window => {
                // Articles in flight count as unfinished, so the queue ends only with none here.
                let Some(job) = job else { return End::Finished };
                if inflight.is_empty() {
                    last_progress = Instant::now();
                }
                let request = pb::EnrichRequest { article: Some(job.article.clone()), include_clean_text: ctx.clean_text };
                // The channel holds a window and at most a window is in flight: it is never full.
                if tx.try_send(request).is_err() {
                    inflight.insert(job.article.id.clone(), job);
                    return End::Failed(Status::unavailable("stream closed"));
                }
                inflight.insert(job.article.id.clone(), job);
            },
            // On any change of the addresses (a replica shutting down, one coming back), and
            // now and then, in case a change came while this arm was not waiting.
            () = ctx.balancer.changed(), if !closing => closing = ctx.balancer.should_move(lease),
            _ = rebalance.tick(), if !closing => closing = ctx.balancer.should_move(lease),
            () = tokio::time::sleep_until(last_progress + ctx.timeout), if !inflight.is_empty() => {
                return End::Failed(Status::deadline_exceeded(format!("no answer within {:?}", ctx.timeout)));
            }
        }
    }
}

/// Hands an answer on: to the output, to a retry, or to the errors file. Returns the status
/// when the answer says the replica is going away (UNAVAILABLE), so the worker leaves it.
async fn answer(ctx: &Context, job: Job, response: pb::EnrichResponse) -> Result<Option<Status>, ()> {
    let Some(error) = &response.error else {
        let bytes = job.article.text.len();
        return ctx.finish(Outcome::Enriched(Box::new(response), bytes)).await.map(|()| None);
    };
    let code = Code::from_i32(error.code);
    if is_retryable(code) {
        let status = Status::new(code, error.message.clone());
        ctx.retry(job, code, &error.message).await?;
        return Ok((code == Code::Unavailable).then_some(status));
    }
    let line = ErrorLine::new(job.article.id.clone(), &job.position, code, error.message.clone(), job.attempts + 1);
    ctx.finish(Outcome::Failed(line)).await.map(|()| None)
}
