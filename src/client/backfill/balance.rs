//! Client-side balancing: the endpoints' addresses (a name resolves to every replica behind a
//! Kubernetes headless Service, and is looked up again periodically), each with its own
//! connection. A stream worker leases the address with the fewest workers on it; an address
//! whose stream failed cools off with exponential backoff while its workers move on. Each
//! address's standard health service is watched, so workers leave a replica that reports
//! NOT_SERVING (it is shutting down) while its open streams still work, instead of being cut
//! off at the end of its drain.

use std::{
    io,
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex, MutexGuard, PoisonError, Weak},
    time::Duration,
};

use tokio::{sync::Notify, task::AbortHandle, time::Instant};
use tonic::{
    Code,
    transport::{Channel, Endpoint},
};
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};
use tracing::{debug, info, warn};

use super::{BackfillError, retry::Backoff};
use crate::{
    client::channel,
    config::{self, EndpointAddr},
    server::SERVICE_NAME,
};

/// One address to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Tcp(addr) => write!(f, "{addr}"),
            Self::Unix(path) => f.write_str(&config::unix_url(path)),
        }
    }
}

#[derive(Debug)]
struct Backend {
    target: Target,
    /// The `--endpoint` it was resolved from.
    origin: usize,
    /// Lazily connected; replaced after a failure so a broken connection is not reused.
    channel: Channel,
    workers: usize,
    /// Failures in a row; reset by an answer.
    failures: u32,
    ready_at: Instant,
    /// In the latest resolution of its endpoint.
    live: bool,
    /// Not reported NOT_SERVING by its health service.
    serving: bool,
}

/// The addresses and who is on them.
#[derive(Debug)]
pub(crate) struct Balancer {
    endpoints: Vec<EndpointAddr>,
    backends: Mutex<Vec<Backend>>,
    /// The health watch of each address.
    watches: Mutex<Vec<AbortHandle>>,
    changed: Notify,
    backoff: Backoff,
    /// An address that failed this many times in a row, like all the others, ends the run.
    max_failures: u32,
    connect_timeout: Duration,
}

/// A worker's hold on one address; released when dropped.
#[derive(Debug)]
pub(crate) struct Lease {
    balancer: Arc<Balancer>,
    index: usize,
    target: Target,
    channel: Channel,
}

impl Balancer {
    /// Resolves every endpoint once; a name that does not resolve is an error.
    pub(crate) async fn new(
        endpoints: Vec<EndpointAddr>,
        backoff: Backoff,
        max_failures: u32,
        connect_timeout: Duration,
    ) -> Result<Arc<Self>, BackfillError> {
        let balancer = Arc::new(Self {
            endpoints,
            backends: Mutex::default(),
            watches: Mutex::default(),
            changed: Notify::new(),
            backoff,
            max_failures,
            connect_timeout,
        });
        for (origin, endpoint) in balancer.endpoints.iter().enumerate() {
            let targets = resolve(endpoint)
                .await
                .map_err(|source| BackfillError::Resolve { endpoint: endpoint.to_string(), source })?;
            balancer.update(origin, targets);
        }
        Ok(balancer)
    }

    /// Looks the endpoints up again every `interval`, for as long as the run lasts. A failed
    /// or empty look-up keeps the addresses known before.
    pub(crate) async fn keep_resolving(self: Arc<Self>, interval: Duration) {
        let mut ticks = tokio::time::interval_at(Instant::now() + interval, interval);
        loop {
            ticks.tick().await;
            for (origin, endpoint) in self.endpoints.iter().enumerate() {
                if matches!(endpoint, EndpointAddr::Unix(_)) {
                    continue;
                }
                match resolve(endpoint).await {
                    Ok(targets) if !targets.is_empty() => self.update(origin, targets),
                    Ok(_) => warn!(%endpoint, "endpoint resolved to no address; keeping the known ones"),
                    Err(e) => warn!(%endpoint, error = %e, "cannot resolve endpoint; keeping the known ones"),
                }
            }
        }
    }

    /// Stops watching the addresses' health: the run is over.
    pub(crate) fn stop(&self) {
        for watch in self.watches.lock().unwrap_or_else(PoisonError::into_inner).drain(..) {
            watch.abort();
        }
    }

    /// Completes at the next change of an address: its health, its workers, or the
    /// resolution. Sessions check then whether to move.
    pub(crate) async fn changed(&self) {
        self.changed.notified().await;
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Backend>> {
        self.backends.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks the addresses of endpoint `origin`: `targets` live, the others gone.
    fn update(self: &Arc<Self>, origin: usize, targets: Vec<Target>) {
        let mut backends = self.lock();
        for backend in backends.iter_mut().filter(|b| b.origin == origin) {
            let live = targets.contains(&backend.target);
            if backend.live != live {
                info!(address = %backend.target, live, "endpoint address changed");
                backend.live = live;
            }
        }
        for target in targets {
            if !backends.iter().any(|b| b.target == target) {
                info!(address = %target, "endpoint address");
                let channel = self.channel(&target);
                let watch = tokio::spawn(watch_health(Arc::downgrade(self), backends.len(), channel.clone()));
                self.watches.lock().unwrap_or_else(PoisonError::into_inner).push(watch.abort_handle());
                backends.push(Backend {
                    target,
                    origin,
                    channel,
                    workers: 0,
                    failures: 0,
                    ready_at: Instant::now(),
                    live: true,
                    serving: true,
                });
            }
        }
        drop(backends);
        self.changed.notify_waiters();
    }

    fn channel(&self, target: &Target) -> Channel {
        let endpoint = |uri: String| {
            Endpoint::from_shared(uri)
                .expect("an address formats as a valid URI")
                .connect_timeout(self.connect_timeout)
                .tcp_nodelay(true)
                // A replica that vanishes without closing the connection is noticed.
                .http2_keep_alive_interval(Duration::from_secs(10))
                .keep_alive_timeout(Duration::from_secs(10))
                .keep_alive_while_idle(true)
        };
        match target {
            Target::Tcp(addr) => endpoint(format!("http://{addr}")).connect_lazy(),
            Target::Unix(path) => {
                endpoint("http://localhost".into()).connect_with_connector_lazy(channel::unix_connector(path.clone()))
            }
        }
    }

    /// Leases the live, ready address with the fewest workers, preferring one other than
    /// `avoid` (where this worker just failed). Waits while every address cools off; fails
    /// when every address has failed `max_failures` times in a row.
    pub(crate) async fn acquire(self: &Arc<Self>, avoid_opt: Option<usize>) -> Result<Lease, BackfillError> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let wake_at = {
                let mut backends = self.lock();
                let live = || backends.iter().filter(|b| b.live);
                if live().all(|b| b.failures >= self.max_failures) {
                    return Err(BackfillError::NoEndpoint { attempts: self.max_failures });
                }
                let now = Instant::now();
                let best = backends
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.live && b.serving && b.ready_at <= now)
                    .min_by_key(|(i, b)| (b.workers, b.failures, Some(*i) == avoid_opt, *i))
                    .map(|(i, _)| i);
                if let Some(index) = best {
                    let backend = &mut backends[index];
                    backend.workers += 1;
                    return Ok(Lease {
                        balancer: Arc::clone(self),
                        index,
                        target: backend.target.clone(),
                        channel: backend.channel.clone(),
                    });
                }
                live().map(|b| b.ready_at).min().unwrap_or(now)
            };
            tokio::select! {
                () = &mut changed => {}
                () = tokio::time::sleep_until(wake_at) => {}
            }
        }
    }

    /// True when the lease's worker should move: its address is gone or shutting down, or
    /// another one has at least two workers fewer (so the move evens the load rather than
    /// swapping it).
    pub(crate) fn should_move(&self, lease: &Lease) -> bool {
        let backends = self.lock();
        let mine = &backends[lease.index];
        let now = Instant::now();
        !mine.live
            || !mine.serving
            || backends.iter().any(|b| b.live && b.serving && b.ready_at <= now && b.workers + 2 <= mine.workers)
    }

    fn set_serving(&self, index: usize, serving: bool) {
        let mut backends = self.lock();
        let backend = &mut backends[index];
        if backend.serving != serving {
            info!(address = %backend.target, serving, "endpoint address health changed");
            backend.serving = serving;
            drop(backends);
            self.changed.notify_waiters();
        }
    }
}

impl Lease {
    /// The connection to the address.
    pub(crate) fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// The address, for logs.
    pub(crate) fn target(&self) -> &Target {
        &self.target
    }

    /// Which address, to avoid it next time.
    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// The address answered: its failure count starts over.
    pub(crate) fn succeeded(&self) {
        self.balancer.lock()[self.index].failures = 0;
    }

    /// The address failed: it cools off for a backoff that grows with each failure in a row,
    /// and gets a fresh connection.
    pub(crate) fn failed(&self) {
        let mut backends = self.balancer.lock();
        let backend = &mut backends[self.index];
        backend.failures += 1;
        backend.ready_at = Instant::now() + self.balancer.backoff.delay(backend.failures);
        backend.channel = self.balancer.channel(&backend.target);
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.balancer.lock()[self.index].workers -= 1;
        self.balancer.changed.notify_waiters();
    }
}

/// Follows the health of the Enricher service at address `index` for as long as the balancer
/// lives. A replica without a health service counts as serving.
async fn watch_health(balancer: Weak<Balancer>, index: usize, channel: Channel) {
    let mut failures = 0;
    loop {
        let request = HealthCheckRequest { service: SERVICE_NAME.to_string() };
        match HealthClient::new(channel.clone()).watch(request).await {
            Ok(updates) => {
                let mut updates = updates.into_inner();
                while let Ok(Some(update)) = updates.message().await {
                    failures = 0;
                    let Some(balancer) = balancer.upgrade() else { return };
                    balancer.set_serving(index, update.status() == ServingStatus::Serving);
                }
            }
            Err(status) if status.code() == Code::Unimplemented => return,
            Err(status) => debug!(code = ?status.code(), "health watch failed"),
        }
        // Its streams find out themselves that an address is down; this only waits to ask again.
        failures += 1;
        let Some(backoff) = balancer.upgrade().map(|b| b.backoff) else { return };
        tokio::time::sleep(backoff.delay(failures)).await;
    }
}

/// The addresses of `endpoint`.
async fn resolve(endpoint: &EndpointAddr) -> io::Result<Vec<Target>> {
    match endpoint {
        EndpointAddr::Unix(path) => Ok(vec![Target::Unix(path.clone())]),
        EndpointAddr::Tcp { host, port } => {
            let mut targets: Vec<Target> =
                tokio::net::lookup_host((host.as_str(), *port)).await?.map(Target::Tcp).collect();
            targets.dedup();
            if targets.is_empty() {
                return Err(io::Error::new(io::ErrorKind::NotFound, "no address"));
            }
            Ok(targets)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff() -> Backoff {
        Backoff { base: Duration::from_millis(1), max: Duration::from_millis(2) }
    }

    #[tokio::test(start_paused = true)]
    async fn workers_spread_over_addresses_and_leave_a_failed_one() {
        let endpoints = vec![
            EndpointAddr::Tcp { host: "127.0.0.1".into(), port: 1 },
            EndpointAddr::Tcp { host: "127.0.0.2".into(), port: 1 },
        ];
        let balancer = Balancer::new(endpoints, backoff(), 3, Duration::from_secs(1)).await.expect("resolves");
        let a = balancer.acquire(None).await.expect("lease");
        let b = balancer.acquire(None).await.expect("lease");
        assert_ne!(a.index(), b.index(), "one worker per address first");
        let c = balancer.acquire(None).await.expect("lease");
        let d = balancer.acquire(None).await.expect("lease");
        assert_eq!((c.index(), d.index()), (a.index(), b.index()), "then evenly");
        assert!([&a, &b, &c, &d].iter().all(|lease| !balancer.should_move(lease)));

        a.failed();
        let failed = a.index();
        drop(a);
        let e = balancer.acquire(Some(failed)).await.expect("lease");
        assert_ne!(e.index(), failed, "the failed address cools off");
        tokio::time::advance(Duration::from_millis(10)).await;
        assert!(balancer.should_move(&e), "three workers on one address, one on the other");
        assert!(!balancer.should_move(&c));
        drop((b, d));
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_resolution_adds_addresses_and_retires_the_ones_gone() {
        let endpoint = EndpointAddr::Tcp { host: "127.0.0.1".into(), port: 1 };
        let balancer = Balancer::new(vec![endpoint], backoff(), 3, Duration::from_secs(1)).await.expect("resolves");
        let old = balancer.acquire(None).await.expect("lease");
        let addr = |s: &str| Target::Tcp(s.parse().expect("socket address"));
        balancer.update(0, vec![addr("127.0.0.2:1"), addr("127.0.0.3:1")]);
        assert!(balancer.should_move(&old), "its address is gone");
        let new = [balancer.acquire(None).await.expect("lease"), balancer.acquire(None).await.expect("lease")];
        let targets: Vec<String> = new.iter().map(|l| l.target().to_string()).collect();
        assert_eq!(targets, ["127.0.0.2:1", "127.0.0.3:1"], "the new addresses, one worker each");
        assert!(new.iter().all(|lease| !balancer.should_move(lease)));
    }

    #[tokio::test]
    async fn every_address_failing_in_a_row_ends_the_run() {
        let endpoints = vec![EndpointAddr::Unix("/nonexistent/enricher.sock".into())];
        let balancer = Balancer::new(endpoints, backoff(), 2, Duration::from_secs(1)).await.expect("resolves");
        for _ in 0..2 {
            balancer.acquire(None).await.expect("lease").failed();
        }
        assert!(matches!(balancer.acquire(None).await, Err(BackfillError::NoEndpoint { attempts: 2 })));
    }
}
