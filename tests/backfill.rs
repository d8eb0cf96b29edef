//! The `backfill` command end to end: the built binary against real servers on loopback,
//! checking that every article ends up exactly once in the output or the errors file.

mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    fs::File,
    io::Write,
    path::{Path, PathBuf},
    pin::Pin,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use common::{TestServer, config};
use futures::{Stream, StreamExt};
use incident_enricher::{
    config::ListenAddr,
    pb::{
        self,
        enricher_server::{Enricher, EnricherServer},
    },
    pipeline::Pipeline,
    server::{EnricherService, Listener, error_response},
};
use tokio::sync::{Semaphore, watch};
use tonic::{Request, Response, Status, Streaming, transport::server::TcpIncoming};

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_incident-enricher"))
}

// === Generated articles ===

const ACTORS: &[&str] = &[
    "Unidentified hackers",
    "A pro-Russian hacktivist group",
    "The LockBit ransomware gang",
    "Attackers linked to Lazarus",
    "A group calling itself Cyber Front Zürich",
    "Criminals",
];
const ATTACKS: &[&str] = &[
    "defaced the website of",
    "launched a DDoS attack against",
    "encrypted the servers of",
    "stole customer records from",
    "sent phishing e-mails to staff at",
    "breached the network of",
];
const TARGETS: &[&str] = &[
    "the Ministry of Education",
    "Banco do Brasil",
    "a hospital in Kraków",
    "the city council of São Paulo",
    "a regional water utility",
    "Rheinmetall",
    "the port authority",
];
const DAYS: &[&str] = &["on Monday", "on Friday", "last week", "on March 3", "overnight", "earlier this month"];
const FOLLOW_UPS: &[&str] = &[
    "Officials said no personal data had leaked.",
    "The company said its services were restored within hours.",
    "Investigators are still working out how the intruders got in.",
    "A spokesperson declined to comment on a ransom demand.",
    "The attack comes weeks after a similar incident in the region.",
    "Police said they had opened a criminal investigation.",
    "Customers were told to change their passwords \u{2014} \u{201c}as a precaution\u{201d}.",
];

/// `n` short, varied, news-like articles (ids `g0000`...), from a fixed seed.
fn generate(n: usize) -> Vec<pb::Article> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut pick = move |options: &[&'static str]| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        options[(state % options.len() as u64) as usize]
    };
    (0..n)
        .map(|i| {
            let text = format!(
                "{} {} {} {}, according to a statement published by the agency. {} {} Update {i}.",
                pick(ACTORS),
                pick(ATTACKS),
                pick(TARGETS),
                pick(DAYS),
                pick(FOLLOW_UPS),
                pick(FOLLOW_UPS),
            );
            pb::Article { id: format!("g{i:04}"), text, ..Default::default() }
        })
        .collect()
}

fn write_jsonl(path: &Path, articles: &[pb::Article]) {
    let mut file = File::create(path).expect("input file");
    for article in articles {
        writeln!(file, "{}", serde_json::to_string(article).expect("serialises")).expect("writes");
    }
}

fn ids(articles: &[pb::Article]) -> BTreeSet<String> {
    articles.iter().map(|a| a.id.clone()).collect()
}

// === Checking the files ===

/// The article ids of each whole line of `path`, in order (the errors file's `articleId` may
/// be missing: those lines give "").
fn line_ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    assert!(text.is_empty() || text.ends_with('\n'), "{} ends in a torn line", path.display());
    text.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("every line is JSON");
            value["articleId"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

/// Asserts each of `expected` is in exactly one line of the two files, and nothing else is.
fn assert_exactly_once(expected: &BTreeSet<String>, output: &Path, errors: &Path) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for id in line_ids(output).into_iter().chain(line_ids(errors)) {
        *counts.entry(id).or_default() += 1;
    }
    let twice: Vec<&String> = counts.iter().filter(|(_, n)| **n > 1).map(|(id, _)| id).collect();
    assert!(twice.is_empty(), "written more than once: {twice:?}");
    let missing: Vec<&String> = expected.iter().filter(|id| !counts.contains_key(*id)).collect();
    assert!(missing.is_empty(), "{} missing, e.g. {:?}", missing.len(), &missing[..missing.len().min(5)]);
    assert_eq!(counts.len(), expected.len(), "unexpected ids in the output");
}

/// Output lines are whole EnrichResponses in proto3 JSON.
fn responses(path: &Path) -> Vec<pb::EnrichResponse> {
    std::fs::read_to_string(path)
        .expect("output")
        .lines()
        .map(|line| serde_json::from_str(line).expect("an EnrichResponse"))
        .collect()
}

fn error_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect()
}

// === Running the binary ===

/// A backfill run in a temporary directory.
struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn output(&self) -> PathBuf {
        self.path("out.jsonl")
    }

    fn errors(&self) -> PathBuf {
        self.path("out.jsonl.errors.jsonl")
    }

    /// The command with quick retries and the given endpoints and flags.
    fn command(&self, endpoints: &[String], args: &[&str]) -> Command {
        let mut command = binary();
        command.arg("backfill").arg("--output").arg(self.output());
        for endpoint in endpoints {
            command.arg("--endpoint").arg(endpoint);
        }
        command
            .args(["--retry-backoff", "10ms", "--retry-backoff-max", "200ms", "--progress-interval", "1s"])
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(File::create(self.path("stderr.log")).expect("log file"));
        command
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.path("stderr.log")).unwrap_or_default()
    }

    /// The retries the summary reports.
    fn retries(&self) -> u64 {
        self.stderr()
            .split(" retries in ")
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("the summary counts retries")
    }

    /// Runs to the end off the async runtime, so in-process servers keep serving.
    async fn finish(&self, mut child: Child) -> ExitStatus {
        let status = tokio::task::spawn_blocking(move || child.wait().expect("waits")).await.expect("no panic");
        eprintln!("--- backfill stderr ---\n{}", self.stderr());
        status
    }

    /// Waits until the output has at least `n` lines (polling: a file has no signal).
    async fn wait_for_lines(&self, n: usize, child: &mut Child) {
        for _ in 0..3000 {
            let lines = std::fs::read(self.output()).map_or(0, |b| b.iter().filter(|c| **c == b'\n').count());
            if lines >= n {
                return;
            }
            assert!(child.try_wait().expect("child status").is_none(), "backfill ended early:\n{}", self.stderr());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("output did not reach {n} lines:\n{}", self.stderr());
    }
}

// === The tests ===

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_one_shut_down_mid_run_every_article_exactly_once() {
    let articles = generate(3000);
    let run = Run::new();
    write_jsonl(&run.path("in.jsonl"), &articles);
    let mut a = TestServer::start(config()).await;
    let b = TestServer::start(config()).await;
    let endpoints = [a.addr.clone(), format!("http://{}", b.addr)];
    let mut child = run
        .command(&endpoints, &["--input", run.path("in.jsonl").to_str().unwrap(), "--concurrency", "4"])
        .spawn()
        .unwrap();

    run.wait_for_lines(500, &mut child).await;
    a.shutdown();
    let status = run.finish(child).await;
    assert!(status.success(), "exit {status:?}");
    assert_exactly_once(&ids(&articles), &run.output(), &run.errors());
    assert!(line_ids(&run.errors()).is_empty(), "no article failed for good");
    // The workers saw replica a turn NOT_SERVING and left it once their articles there were
    // answered: nothing had to be sent again, and a could finish its drain.
    assert_eq!(run.retries(), 0);
    assert!(run.stderr().contains("serving: false") || run.stderr().contains("\"serving\":false"), "health seen");
    a.task.await.expect("no panic").expect("replica a drained cleanly");
    let enriched = responses(&run.output());
    assert!(enriched.iter().all(|r| r.error.is_none() && !r.content_fingerprint.is_empty()));
    assert!(run.stderr().contains("3000 articles enriched"), "summary printed");
    b.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_run_and_resumed_every_article_exactly_once() {
    let articles = generate(2000);
    let run = Run::new();
    write_jsonl(&run.path("in.jsonl"), &articles);
    let server = TestServer::start(config()).await;
    let endpoints = [server.addr.clone()];
    let input = run.path("in.jsonl");
    let args = ["--input", input.to_str().unwrap(), "--concurrency", "2"];

    let mut child = run.command(&endpoints, &args).spawn().unwrap();
    run.wait_for_lines(300, &mut child).await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    // A kill inside a write may itself leave a torn line: count the whole ones.
    let before = std::fs::read_to_string(run.output()).unwrap_or_default().matches('\n').count();
    assert!(before < articles.len(), "killed before the end");
    // Whatever the kill left, also leave a torn last line, as a kill inside a write would.
    std::fs::OpenOptions::new().append(true).open(run.output()).unwrap().write_all(b"{\"articleId\":\"g00").unwrap();

    // Without --resume the run refuses to touch the output.
    let status = run.finish(run.command(&endpoints, &args).spawn().unwrap()).await;
    assert_eq!(status.code(), Some(2));
    assert!(run.stderr().contains("--resume"), "the error says what to do");

    let resume: Vec<&str> = args.iter().copied().chain(["--resume"]).collect();
    let status = run.finish(run.command(&endpoints, &resume).spawn().unwrap()).await;
    assert!(status.success(), "exit {status:?}");
    assert_exactly_once(&ids(&articles), &run.output(), &run.errors());
    assert!(run.stderr().contains("torn last line"), "the torn line was cut away");

    // Resuming a finished run sends nothing.
    let status = run.finish(run.command(&endpoints, &resume).spawn().unwrap()).await;
    assert!(status.success());
    assert!(run.stderr().contains("0 articles enriched"), "nothing left to do");
    assert_exactly_once(&ids(&articles), &run.output(), &run.errors());
    server.stop().await.expect("clean stop");
}

/// A real server behind a test wrapper that can answer every stream article with
/// RESOURCE_EXHAUSTED, as a server at its limit would, and reports each answer it sees.
#[derive(Clone)]
struct Flaky {
    inner: EnricherService,
    refuse_streams: Arc<AtomicUsize>,
    refusing: Arc<AtomicBool>,
    /// (articles refused, articles past their deadline)
    seen: Arc<watch::Sender<(usize, usize)>>,
}

#[tonic::async_trait]
impl Enricher for Flaky {
    async fn enrich(&self, request: Request<pb::EnrichRequest>) -> Result<Response<pb::EnrichResponse>, Status> {
        self.inner.enrich(request).await
    }

    type EnrichStreamStream = Pin<Box<dyn Stream<Item = Result<pb::EnrichResponse, Status>> + Send>>;

    async fn enrich_stream(
        &self,
        request: Request<Streaming<pb::EnrichRequest>>,
    ) -> Result<Response<Self::EnrichStreamStream>, Status> {
        if self.refuse_streams.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1)).is_ok() {
            return Err(Status::resource_exhausted("too many streams"));
        }
        let (refusing, seen) = (Arc::clone(&self.refusing), Arc::clone(&self.seen));
        let responses = self.inner.enrich_stream(request).await?.into_inner().map(move |response| {
            let response = response?;
            if refusing.load(Ordering::Acquire) {
                seen.send_modify(|(refused, _)| *refused += 1);
                return Ok(error_response(response.article_id, &Status::resource_exhausted("at the limit")));
            }
            if response.error.as_ref().is_some_and(|e| e.code() == pb::error::Code::DeadlineExceeded) {
                seen.send_modify(|(_, late)| *late += 1);
            }
            Ok(response)
        });
        Ok(Response::new(Box::pin(responses)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overloaded_server_is_retried_until_every_article_gets_through() {
    let articles = generate(300);
    let run = Run::new();
    write_jsonl(&run.path("in.jsonl"), &articles);

    let mut cfg = config();
    cfg.limits.default_deadline = Duration::from_millis(200);
    let capacity = Arc::new(Semaphore::new(cfg.max_concurrency));
    let pipeline = Pipeline::new();
    let (seen, mut seen_rx) = watch::channel((0, 0));
    let flaky = Flaky {
        inner: EnricherService::new(
            pipeline.shedding(Arc::clone(&capacity)),
            pipeline.waiting(Arc::clone(&capacity)),
            cfg.limits,
            Arc::default(),
        ),
        refuse_streams: Arc::new(AtomicUsize::new(3)),
        refusing: Arc::new(AtomicBool::new(true)),
        seen: Arc::new(seen),
    };
    let refusing = Arc::clone(&flaky.refusing);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        tonic::transport::Server::builder().add_service(EnricherServer::new(flaky)).serve_with_incoming_shutdown(
            TcpIncoming::from(listener),
            async {
                let _ = stopped.await;
            },
        ),
    );

    let input = run.path("in.jsonl");
    let args = ["--input", input.to_str().unwrap(), "--concurrency", "2", "--max-retries", "30"];
    let child = run.command(&[addr], &args).spawn().unwrap();
    // RESOURCE_EXHAUSTED for a while...
    seen_rx.wait_for(|(refused, _)| *refused >= 40).await.expect("answers");
    // ...then no room at all, so articles wait out their deadline: DEADLINE_EXCEEDED...
    let held = Arc::clone(&capacity).acquire_many_owned(cfg.max_concurrency as u32).await.unwrap();
    refusing.store(false, Ordering::Release);
    seen_rx.wait_for(|(_, late)| *late >= 10).await.expect("answers");
    // ...then room again.
    drop(held);
    let status = run.finish(child).await;
    assert!(status.success(), "exit {status:?}");
    assert_exactly_once(&ids(&articles), &run.output(), &run.errors());
    assert!(line_ids(&run.errors()).is_empty());
    let retries = run.retries();
    assert!(retries >= 50, "{retries} retries");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_goes_to_the_errors_file_with_its_line_and_the_rest_is_enriched() {
    let run = Run::new();
    let input = run.path("mixed.jsonl");
    let good = generate(20);
    let mut lines: Vec<String> = good[..10].iter().map(|a| serde_json::to_string(a).unwrap()).collect();
    lines.extend([
        "{\"id\": \"broken\", \"text\": \"unterminated".to_string(), // line 11: not JSON
        "{\"id\": \"m-no-text\"}".to_string(),                          // line 12: no text
        "{\"id\": \"m-number\", \"text\": 42}".to_string(),              // line 13: wrong type
        String::new(),                                                    // line 14: blank, skipped
        "{\"text\": \"Hackers struck a bank, but the record has no id.\"}".to_string(), // line 15
        "[1, 2, 3]".to_string(),                                          // line 16: not an object
        format!("{{\"id\": \"m-huge\", \"text\": \"{}\"}}", "ä".repeat(40_000)), // line 17: 80 kB
        "{\"id\": \"m-\u{1f6a8}\", \"text\": \"Intruders breached the network of a hospital in Kraków on Monday.\", \"extra\": 1}".to_string(), // line 18: unknown field, ignored
    ]);
    lines.extend(good[10..].iter().map(|a| serde_json::to_string(a).unwrap()));
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();

    let server = TestServer::start(config()).await;
    let args = ["--input", input.to_str().unwrap(), "--max-article-bytes", "65536"];
    let status = run.finish(run.command(std::slice::from_ref(&server.addr), &args).spawn().unwrap()).await;
    assert_eq!(status.code(), Some(1), "some articles failed");

    let enriched: BTreeSet<String> = line_ids(&run.output()).into_iter().collect();
    let mut want = ids(&good);
    want.insert("m-\u{1f6a8}".to_string());
    assert_eq!(enriched, want, "every good article enriched, the one with a field an Article lacks too");
    let errors = error_lines(&run.errors());
    let by_line: BTreeMap<u64, &serde_json::Value> =
        errors.iter().map(|e| (e["line"].as_u64().expect("a line number"), e)).collect();
    assert_eq!(by_line.keys().copied().collect::<Vec<_>>(), [11, 12, 13, 15, 16, 17], "{errors:#?}");
    for error in &errors {
        assert_eq!(error["input"], input.to_str().unwrap());
        assert_eq!(error["code"], "INVALID_ARGUMENT", "{error}");
    }
    assert!(by_line[&11].get("articleId").is_none() && by_line[&11]["message"].as_str().unwrap().contains("not JSON"));
    assert_eq!(by_line[&12]["articleId"], "m-no-text");
    assert!(by_line[&12]["message"].as_str().unwrap().contains("empty"), "the server's reason: {}", by_line[&12]);
    assert_eq!(by_line[&13]["articleId"], "m-number");
    assert!(by_line[&15]["message"].as_str().unwrap().contains("no id"));
    assert!(by_line[&17]["message"].as_str().unwrap().contains("80000 bytes"));

    // Resuming redoes nothing: bad lines are finished too.
    let resume: Vec<&str> = args.iter().copied().chain(["--resume"]).collect();
    let status = run.finish(run.command(std::slice::from_ref(&server.addr), &resume).spawn().unwrap()).await;
    assert_eq!(status.code(), Some(1), "the errors file still holds errors");
    assert_eq!(error_lines(&run.errors()).len(), errors.len());
    assert_eq!(line_ids(&run.output()).len(), good.len() + 1);
    server.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_renderings_of_one_report_end_in_one_group() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backfill");
    let run = Run::new();
    let server = TestServer::start(config()).await;
    let group = run.path("groups.jsonl");
    let args = ["--input", fixtures.to_str().unwrap(), "--group", group.to_str().unwrap()];
    let status = run.finish(run.command(std::slice::from_ref(&server.addr), &args).spawn().unwrap()).await;
    assert!(status.success(), "exit {status:?}");

    let records = error_lines(&group);
    let groups: Vec<Vec<&str>> = records
        .iter()
        .map(|r| r["articleIds"].as_array().unwrap().iter().map(|id| id.as_str().unwrap()).collect())
        .collect();
    assert_eq!(
        groups,
        [
            vec!["bank-ddos.txt"],
            vec!["ferry-ransomware/newswire.txt", "ferry-ransomware/regional-paper.txt"],
            vec!["patch-tuesday.txt"],
            vec!["university-phishing.txt"],
        ],
        "{records:#?}"
    );
    let ferry = &records[1];
    assert_eq!(ferry["groupId"], "ferry-ransomware/newswire.txt");
    assert!(ferry["matchedBy"].as_array().unwrap().contains(&"near_duplicate".into()), "{ferry}");
    assert!(ferry["incidentTypes"].as_array().unwrap().contains(&"RANSOMWARE".into()), "{ferry}");
    server.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sidecar_on_a_unix_socket_with_gzip_input_on_stdin_and_from_a_file() {
    use flate2::{Compression, write::GzEncoder};

    let run = Run::new();
    let articles = generate(60);
    let gzip = |articles: &[pb::Article]| {
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        for article in articles {
            writeln!(gz, "{}", serde_json::to_string(article).unwrap()).unwrap();
        }
        gz.finish().unwrap()
    };
    std::fs::write(run.path("part2.jsonl.gz"), gzip(&articles[30..])).unwrap();
    let socket = run.path("enricher.sock");
    let listener = Listener::bind(&ListenAddr::Unix(socket.clone())).await.expect("binds the socket");
    let server = TestServer::start_on(listener, config());

    let endpoint = format!("unix://{}", socket.display());
    let part2 = run.path("part2.jsonl.gz");
    let args = ["--input", "-", "--input", part2.to_str().unwrap()];
    let mut child = run.command(&[endpoint], &args).stdin(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&gzip(&articles[..30])).unwrap();
    let status = run.finish(child).await;
    assert!(status.success(), "exit {status:?}");
    assert_exactly_once(&ids(&articles), &run.output(), &run.errors());
    server.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_and_hung_replicas_do_not_stall_the_run_and_no_replica_at_all_ends_it() {
    let articles = generate(200);
    let run = Run::new();
    write_jsonl(&run.path("in.jsonl"), &articles);
    // Nothing listens on a port just released; a listener that never answers hangs a client.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().to_string();
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hung_addr = hung.local_addr().unwrap().to_string();
    let server = TestServer::start(config()).await;
    let input = run.path("in.jsonl");
    let args = ["--input", input.to_str().unwrap(), "--concurrency", "3", "--timeout", "1s"];
    let status = run.finish(run.command(&[dead.clone(), hung_addr, server.addr.clone()], &args).spawn().unwrap()).await;
    assert!(status.success(), "exit {status:?}");
    assert_exactly_once(&ids(&articles), &run.output(), &run.errors());
    drop(hung);

    let alone = Run::new();
    let args = ["--input", input.to_str().unwrap(), "--max-retries", "2"];
    let status = alone.finish(alone.command(&[dead], &args).spawn().unwrap()).await;
    assert_eq!(status.code(), Some(2), "the run cannot finish");
    assert!(alone.stderr().contains("no endpoint reachable"), "says why");
    assert!(line_ids(&alone.output()).is_empty() && line_ids(&alone.errors()).is_empty(), "left for --resume");
    server.stop().await.expect("clean stop");
}
