//! The load: closed loops (a fixed number of calls in flight, for throughput) and an open
//! loop (calls fired on a schedule whatever the answers, for latency with queueing).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures::StreamExt;
use tokio::{sync::mpsc, task::JoinSet, time::Instant};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, transport::Channel};

use super::{articles, tally::Tally};
use crate::pb::{self, enricher_client::EnricherClient};

/// How long after its deadline the bench stops waiting for an answer.
const GIVE_UP_AFTER_DEADLINE: Duration = Duration::from_secs(5);

/// The connections and the articles to send over them, shared by every task of a phase.
#[derive(Clone)]
pub(crate) struct Target {
    clients: Arc<[EnricherClient<Channel>]>,
    texts: Arc<[String]>,
    next: Arc<AtomicUsize>,
}

impl Target {
    pub(crate) fn new(clients: Vec<EnricherClient<Channel>>, texts: Vec<String>) -> Self {
        Self { clients: clients.into(), texts: texts.into(), next: Arc::default() }
    }

    /// A client on the next connection in turn, the next request, and its article's size.
    fn next(&self) -> (EnricherClient<Channel>, pb::EnrichRequest, usize) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let request = articles::request(&self.texts, n);
        let bytes = request.article.as_ref().map_or(0, |a| a.text.len());
        (self.client(n), request, bytes)
    }

    /// A client on connection `n` (in turn).
    fn client(&self, n: usize) -> EnricherClient<Channel> {
        self.clients[n % self.clients.len()].clone()
    }
}

/// `concurrency` workers, each sending a unary call as soon as its last one is answered,
/// for `duration`. Latency is from send to answer.
pub(crate) async fn closed_unary(target: &Target, concurrency: usize, duration: Duration) -> Tally {
    let tally = Arc::new(Mutex::new(Tally::new()));
    let end = Instant::now() + duration;
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let (target, tally) = (target.clone(), Arc::clone(&tally));
        workers.spawn(async move {
            while Instant::now() < end {
                let (mut client, request, bytes) = target.next();
                let sent = Instant::now();
                let code = client.enrich(request).await.map_or_else(|s| s.code(), |_| Code::Ok);
                tally.lock().expect("no panic while recording").record(code, sent.elapsed(), bytes, false);
            }
        });
    }
    workers.join_all().await;
    into_inner(tally)
}

/// `streams` EnrichStreams, each keeping `window` articles in flight for `duration`.
/// Latency is from an article's send to its answer.
pub(crate) async fn closed_stream(target: &Target, streams: usize, window: usize, duration: Duration) -> Tally {
    let tally = Arc::new(Mutex::new(Tally::new()));
    let end = Instant::now() + duration;
    let mut workers = JoinSet::new();
    for n in 0..streams {
        let (target, tally) = (target.clone(), Arc::clone(&tally));
        workers.spawn(async move { one_stream(&target, target.client(n), window, end, &tally).await });
    }
    workers.join_all().await;
    into_inner(tally)
}

async fn one_stream(
    target: &Target,
    mut client: EnricherClient<Channel>,
    window: usize,
    end: Instant,
    tally: &Mutex<Tally>,
) {
    let (tx, rx) = mpsc::channel(window);
    let mut in_flight: HashMap<String, (Instant, usize)> = HashMap::new();
    let send = |in_flight: &mut HashMap<String, (Instant, usize)>| {
        let (_, request, bytes) = target.next();
        let id = request.article.as_ref().map(|a| a.id.clone()).unwrap_or_default();
        in_flight.insert(id, (Instant::now(), bytes));
        request
    };
    for _ in 0..window {
        tx.try_send(send(&mut in_flight)).expect("the channel holds a window");
    }
    let mut tx_opt = Some(tx);
    let mut responses = match client.enrich_stream(ReceiverStream::new(rx)).await {
        Ok(response) => response.into_inner(),
        Err(status) => return fail_all(&mut in_flight, &status, tally),
    };
    while let Some(answer) = responses.next().await {
        let response = match answer {
            Ok(response) => response,
            Err(status) => return fail_all(&mut in_flight, &status, tally),
        };
        let Some((sent, bytes)) = in_flight.remove(&response.article_id) else { continue };
        let code = response.error.map_or(Code::Ok, |e| Code::from(e.code));
        tally.lock().expect("no panic while recording").record(code, sent.elapsed(), bytes, false);
        if Instant::now() >= end {
            // The request stream ends; the server answers what it holds and closes.
            tx_opt = None;
        } else if let Some(tx) = &tx_opt
            && tx.send(send(&mut in_flight)).await.is_err()
        {
            break;
        }
    }
    let status = tonic::Status::unavailable("stream ended before answering");
    fail_all(&mut in_flight, &status, tally);
}

fn fail_all(in_flight: &mut HashMap<String, (Instant, usize)>, status: &tonic::Status, tally: &Mutex<Tally>) {
    let mut tally = tally.lock().expect("no panic while recording");
    for (_, (sent, bytes)) in in_flight.drain() {
        tally.record(status.code(), sent.elapsed(), bytes, false);
    }
}

/// Unary calls at `rate` per second for `duration`, each sent at its scheduled time whether
/// or not earlier ones were answered, with `deadline` as its grpc-timeout. Latency is from the
/// scheduled time, so a client or server that falls behind shows as latency, not as fewer
/// calls (no coordinated omission). An answer more than `slack` after its deadline, counted
/// from the actual send, is late.
pub(crate) async fn open_unary(
    target: &Target,
    rate: f64,
    duration: Duration,
    deadline: Duration,
    slack: Duration,
) -> Tally {
    let tally = Arc::new(Mutex::new(Tally::new()));
    let start = Instant::now();
    let calls = (rate * duration.as_secs_f64()).round() as u64;
    let mut in_flight = JoinSet::new();
    for i in 0..calls {
        let scheduled = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(scheduled).await;
        while in_flight.try_join_next().is_some() {}
        let (mut client, request, bytes) = target.next();
        let tally = Arc::clone(&tally);
        in_flight.spawn(async move {
            let mut request = tonic::Request::new(request);
            request.set_timeout(deadline);
            let sent = Instant::now();
            let answer = tokio::time::timeout(deadline + GIVE_UP_AFTER_DEADLINE, client.enrich(request)).await;
            let done = Instant::now();
            let mut tally = tally.lock().expect("no panic while recording");
            match answer {
                Ok(answer) => {
                    let code = answer.map_or_else(|s| s.code(), |_| Code::Ok);
                    tally.record(code, done - scheduled, bytes, done - sent > deadline + slack);
                }
                Err(_) => tally.record_unanswered(),
            }
        });
    }
    in_flight.join_all().await;
    into_inner(tally)
}

fn into_inner(tally: Arc<Mutex<Tally>>) -> Tally {
    Arc::into_inner(tally).expect("every task of the phase has ended").into_inner().expect("no panic while recording")
}
