//! The load benchmark (`bench load`): a real gRPC client drives a server with many concurrent
//! calls. Closed loops measure throughput at saturation, unary and streaming; open loops fire
//! unary calls on a schedule to measure latency at fixed rates with queueing included; the
//! overload run offers twice the saturation rate and then checks the server recovers. When the
//! bench starts the server itself it also reports its start-up time, CPU and memory.

mod articles;
mod drive;
mod procfs;
mod report;
mod server;
mod tally;

use std::{
    fmt::Write as _,
    io,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use tonic::{
    Code,
    transport::{Channel, Endpoint},
};
use tracing::info;

use self::{drive::Target, server::ServerProcess, tally::Tally};
use crate::{
    client::channel,
    config::{EndpointAddr, LoadArgs},
};

/// Longest closed-loop warm-up before the first measured phase (at most one phase long),
/// discarded.
const WARM_UP: Duration = Duration::from_secs(2);
/// Recovery rate, as a fraction of the saturation rate.
const RECOVERY_SHARE: f64 = 0.25;
/// Default open-loop rates, as fractions of the saturation rate.
const RATE_SHARES: [f64; 4] = [0.25, 0.5, 0.75, 1.0];
/// Interval of the server's RSS samples.
const RSS_SAMPLE_INTERVAL: Duration = Duration::from_millis(100);

/// Why the bench could not run.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The articles could not be read.
    #[error("cannot read articles from {path}")]
    Articles {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The articles file or directory held no article text.
    #[error("no article text in {path}")]
    NoArticles {
        /// The file or directory.
        path: PathBuf,
    },
    /// The server could not be started.
    #[error("cannot start the server")]
    Spawn(#[source] io::Error),
    /// The server started but did not report SERVING in time.
    #[error("the server did not report SERVING within {after:?}")]
    NotServing {
        /// How long the bench waited.
        after: Duration,
    },
    /// The server could not be reached.
    #[error("cannot connect to {endpoint}")]
    Connect {
        /// The endpoint.
        endpoint: String,
        /// Why.
        #[source]
        source: tonic::transport::Error,
    },
}

/// The server's share of one phase.
#[derive(Debug)]
struct ServerUsage {
    /// CPU time (user and system) during the phase.
    cpu: Duration,
    /// Largest RSS sampled during the phase.
    peak_rss: u64,
    /// RSS when the phase ended.
    end_rss: u64,
}

/// One measured phase.
#[derive(Debug)]
struct Phase {
    name: String,
    /// Offered rate of an open loop, articles/s.
    offered: Option<f64>,
    elapsed: Duration,
    tally: Tally,
    /// Present when the bench started the server.
    server: Option<ServerUsage>,
    /// This process's CPU time during the phase.
    client_cpu: Duration,
}

impl Phase {
    fn served_per_second(&self) -> f64 {
        self.tally.count(Code::Ok) as f64 / self.elapsed.as_secs_f64()
    }
}

/// The largest RSS of the server since the last [`RssSampler::take`], sampled in the background.
struct RssSampler {
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    fn start(pid: String) -> Self {
        let peak = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn({
            let peak = Arc::clone(&peak);
            async move {
                let mut every = tokio::time::interval(RSS_SAMPLE_INTERVAL);
                while let Some(usage) = procfs::usage(&pid) {
                    peak.fetch_max(usage.rss, Ordering::Relaxed);
                    every.tick().await;
                }
            }
        });
        Self { peak, task }
    }

    fn take(&self) -> u64 {
        self.peak.swap(0, Ordering::Relaxed)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The server being loaded, and what the bench can see of it.
struct Subject {
    process_opt: Option<(ServerProcess, RssSampler)>,
}

impl Subject {
    /// Runs `load` as a phase named `name`, measuring both processes around it.
    async fn measure(&self, name: String, offered: Option<f64>, load: impl Future<Output = Tally>) -> Phase {
        let server_before = self.process_opt.as_ref().and_then(|(p, s)| {
            s.take();
            p.usage()
        });
        let client_before = procfs::usage("self").unwrap_or_default();
        let started = Instant::now();
        let tally = load.await;
        let elapsed = started.elapsed();
        let client_cpu = procfs::usage("self").unwrap_or_default().cpu.saturating_sub(client_before.cpu);
        let server = self.process_opt.as_ref().and_then(|(p, sampler)| {
            let (before, after) = (server_before?, p.usage()?);
            Some(ServerUsage {
                cpu: after.cpu.saturating_sub(before.cpu),
                peak_rss: sampler.take().max(after.rss),
                end_rss: after.rss,
            })
        });
        info!(phase = %name, served = tally.count(Code::Ok), sent = tally.sent(), "phase done");
        Phase { name, offered, elapsed, tally, server, client_cpu }
    }
}

/// What `bench load` found, printed as tables.
pub struct LoadReport {
    text: String,
    /// False when the overload run found late answers, errors other than shedding and
    /// deadlines, or no recovery.
    pub passed: bool,
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Runs the benchmark `args` describe.
pub async fn run(args: &LoadArgs) -> Result<LoadReport, LoadError> {
    let texts = articles::load(&args.articles)?;
    let mean_bytes = texts.iter().map(String::len).sum::<usize>() / texts.len();
    let article_count = texts.len();
    let (endpoint, subject) = match &args.endpoint {
        Some(endpoint) => (endpoint.clone(), Subject { process_opt: None }),
        None => {
            let process = ServerProcess::start(&args.server_args).await?;
            let (host, port) = process.addr.rsplit_once(':').expect("the server logs host:port");
            let endpoint = EndpointAddr::Tcp { host: host.into(), port: port.parse().expect("a port") };
            let sampler = RssSampler::start(process.pid());
            (endpoint, Subject { process_opt: Some((process, sampler)) })
        }
    };
    let mut clients = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        clients.push(channel::enricher(connect(&endpoint).await?));
    }
    let target = Target::new(clients, texts);

    let mut text = String::new();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let _ = writeln!(
        text,
        "bench load: {article_count} articles from {} (mean {mean_bytes} bytes), {cores} cores shared by server and bench",
        args.articles.display()
    );
    match &subject.process_opt {
        Some((process, _)) => {
            let _ = writeln!(
                text,
                "server: started by the bench on {} (pid {}), start-up to SERVING {} ms",
                process.addr,
                process.pid(),
                process.startup.as_millis()
            );
        }
        None => {
            let _ = writeln!(text, "server: {endpoint} (not started by the bench: no CPU or memory figures)");
        }
    }

    drive::closed_unary(&target, args.concurrency, WARM_UP.min(args.duration)).await;
    let unary = subject
        .measure(
            format!("unary, {} in flight", args.concurrency),
            None,
            drive::closed_unary(&target, args.concurrency, args.duration),
        )
        .await;
    let stream = subject
        .measure(
            format!("stream, {} x {} in flight", args.streams, args.window),
            None,
            drive::closed_stream(&target, args.streams, args.window, args.duration),
        )
        .await;
    let saturation = unary.served_per_second().max(1.0);
    let _ = write!(
        text,
        "\nthroughput at saturation ({:?} each)\n{}",
        args.duration,
        report::saturation(&[&unary, &stream])
    );

    let mut passed = true;
    let mut half_rate_p99_opt = None;
    if args.overload {
        let rate = args.overload_rate.map_or(2.0 * saturation, |r| r as f64);
        let overload = subject
            .measure(
                "overload".into(),
                Some(rate),
                drive::open_unary(&target, rate, args.overload_duration, args.deadline, args.late_slack),
            )
            .await;
        let recovery_rate = RECOVERY_SHARE * saturation;
        let recovery = subject
            .measure(
                "recovery".into(),
                Some(recovery_rate),
                drive::open_unary(&target, recovery_rate, args.duration, args.deadline, args.late_slack),
            )
            .await;
        let (other, _) = overload.tally.other();
        passed = overload.tally.late == 0
            && other == 0
            && recovery.tally.count(Code::Ok) == recovery.tally.sent()
            && recovery.tally.late == 0;
        let _ = write!(
            text,
            "\noverload (open loop, unary)\n{}",
            report::overload(&overload, &recovery, args.deadline, args.late_slack)
        );
    } else {
        let rates: Vec<f64> = if args.rates.is_empty() {
            RATE_SHARES.iter().map(|share| (share * saturation).round()).collect()
        } else {
            args.rates.iter().map(|&r| r as f64).collect()
        };
        let mut phases = Vec::new();
        for rate in rates {
            let load = drive::open_unary(&target, rate, args.duration, args.deadline, args.late_slack);
            phases.push(subject.measure(format!("{rate}/s"), Some(rate), load).await);
        }
        half_rate_p99_opt = phases
            .iter()
            .filter(|p| !p.tally.served.is_empty())
            .min_by_key(|p| (p.offered.unwrap_or_default() - saturation / 2.0).abs() as u64)
            .map(|p| (p.offered.unwrap_or_default(), p.tally.served.value_at_quantile(0.99)));
        let _ = write!(
            text,
            "\nlatency at fixed offered rates (open loop, unary, {:?} each, from the scheduled send; grpc-timeout {:?})\n{}",
            args.duration,
            args.deadline,
            report::open_loop(&phases.iter().collect::<Vec<_>>())
        );
    }

    let process_opt = subject.process_opt.as_ref().map(|(p, _)| p);
    let targets = report::Targets {
        saturation,
        half_rate_p99_opt,
        peak_rss_opt: process_opt.and_then(ServerProcess::usage).map(|u| u.peak_rss),
        startup_opt: process_opt.map(|p| p.startup),
    };
    let _ = write!(text, "\nperformance targets\n{}", targets.render());
    Ok(LoadReport { text, passed })
}

/// One HTTP/2 connection to `endpoint`.
async fn connect(endpoint: &EndpointAddr) -> Result<Channel, LoadError> {
    let failed = |source| LoadError::Connect { endpoint: endpoint.to_string(), source };
    match endpoint {
        EndpointAddr::Tcp { .. } => {
            Endpoint::from_shared(format!("http://{endpoint}")).expect("a valid URI").connect().await.map_err(failed)
        }
        EndpointAddr::Unix(path) => Endpoint::from_static("http://localhost")
            .connect_with_connector(channel::unix_connector(path.clone()))
            .await
            .map_err(failed),
    }
}
