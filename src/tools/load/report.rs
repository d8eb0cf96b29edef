//! The tables `bench load` prints, as Markdown so they can go into notes as they are.

use std::time::Duration;

use tonic::Code;

use super::{Phase, tally::Tally};

/// Rows of cells under a header, padded to line up.
struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: Vec<&'static str>) -> Self {
        Self { header, rows: Vec::new() }
    }

    fn render(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: Vec<&str>| {
            let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            format!("| {} |\n", padded.join(" | "))
        };
        let mut out = line(self.header.clone());
        out.push_str(&line(widths.iter().map(|_| "---").collect()));
        for row in &self.rows {
            out.push_str(&line(row.iter().map(String::as_str).collect()));
        }
        out
    }
}

fn millis(micros: u64) -> String {
    format!("{:.2}", micros as f64 / 1000.0)
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

/// CPU time per article served, in microseconds.
fn per_article(cpu: Duration, served: u64) -> String {
    if served == 0 { "-".into() } else { format!("{:.0}", cpu.as_secs_f64() * 1e6 / served as f64) }
}

/// Percentiles of a latency histogram, in milliseconds.
fn percentiles(h: &hdrhistogram::Histogram<u64>) -> [String; 3] {
    if h.is_empty() {
        return ["-".into(), "-".into(), "-".into()];
    }
    [0.5, 0.99, 0.999].map(|q| millis(h.value_at_quantile(q)))
}

/// The largest latency of a histogram, in milliseconds.
fn max_millis(h: &hdrhistogram::Histogram<u64>) -> String {
    if h.is_empty() { "-".into() } else { millis(h.max()) }
}

/// How many calls ended with a code not counted on its own, and which codes those were.
fn other_codes(t: &Tally) -> String {
    let (other, names) = t.other();
    if names.is_empty() { other.to_string() } else { format!("{other} ({names})") }
}

/// The cost columns both per-phase tables end with, before the status codes.
const COST_COLUMNS: [&str; 3] = ["server CPU µs/article", "client CPU µs/article", "server peak RSS MB"];
/// The status code columns both per-phase tables end with.
const CODE_COLUMNS: [&str; 4] = ["OK", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED", "other"];

/// Server CPU, client CPU and server peak RSS of a phase.
fn cost_cells(phase: &Phase) -> [String; 3] {
    let served = phase.tally.count(Code::Ok);
    let (server_cpu, rss) = match &phase.server {
        Some(s) => (per_article(s.cpu, served), megabytes(s.peak_rss)),
        None => ("-".into(), "-".into()),
    };
    [server_cpu, per_article(phase.client_cpu, served), rss]
}

fn code_cells(phase: &Phase) -> [String; 4] {
    let t = &phase.tally;
    [
        t.count(Code::Ok).to_string(),
        t.count(Code::ResourceExhausted).to_string(),
        t.count(Code::DeadlineExceeded).to_string(),
        other_codes(t),
    ]
}

/// Throughput at saturation: one row per closed-loop phase.
pub(super) fn saturation(phases: &[&Phase]) -> String {
    let header =
        [&["closed loop", "articles/s", "MB/s", "p50 ms", "p99 ms", "p99.9 ms"][..], &COST_COLUMNS, &CODE_COLUMNS];
    let mut table = Table::new(header.concat());
    for phase in phases {
        let mut row = vec![
            phase.name.clone(),
            format!("{:.0}", phase.served_per_second()),
            format!("{:.2}", phase.tally.bytes_served as f64 / 1e6 / phase.elapsed.as_secs_f64()),
        ];
        row.extend(percentiles(&phase.tally.served));
        row.extend(cost_cells(phase));
        row.extend(code_cells(phase));
        table.rows.push(row);
    }
    table.render()
}

/// Latency at fixed offered rates: one row per open-loop phase.
pub(super) fn open_loop(phases: &[&Phase]) -> String {
    let header = [
        &["offered/s", "served/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms"][..],
        &COST_COLUMNS,
        &CODE_COLUMNS,
        &["late"],
    ];
    let mut table = Table::new(header.concat());
    for phase in phases {
        let mut row =
            vec![format!("{:.0}", phase.offered.unwrap_or_default()), format!("{:.0}", phase.served_per_second())];
        row.extend(percentiles(&phase.tally.served));
        row.push(max_millis(&phase.tally.served));
        row.extend(cost_cells(phase));
        row.extend(code_cells(phase));
        row.push(phase.tally.late.to_string());
        table.rows.push(row);
    }
    table.render()
}

/// The overload phase and the recovery after it, as figure and value.
pub(super) fn overload(overload: &Phase, recovery: &Phase, deadline: Duration, slack: Duration) -> String {
    let t = &overload.tally;
    let mut table = Table::new(vec!["overload", "figure"]);
    let mut row = |name: &str, value: String| table.rows.push(vec![name.to_string(), value]);
    row(
        "offered",
        format!(
            "{:.0}/s for {:.0} s, grpc-timeout {deadline:?}",
            overload.offered.unwrap_or_default(),
            overload.elapsed.as_secs_f64()
        ),
    );
    row("requests sent", t.sent().to_string());
    let [p50, p99, p999] = percentiles(&t.served);
    row(
        "served (OK)",
        format!(
            "{} ({:.0}/s; p50 {p50} ms, p99 {p99} ms, p99.9 {p999} ms)",
            t.count(Code::Ok),
            overload.served_per_second()
        ),
    );
    let [s50, s99, _] = percentiles(&t.shed);
    let shed_max = max_millis(&t.shed);
    row(
        "shed (RESOURCE_EXHAUSTED)",
        format!("{} (answered in p50 {s50} ms, p99 {s99} ms, max {shed_max} ms)", t.count(Code::ResourceExhausted)),
    );
    row("DEADLINE_EXCEEDED", t.count(Code::DeadlineExceeded).to_string());
    row("other errors", other_codes(t));
    row(&format!("answered later than deadline + {slack:?}, or never"), format!("{} ({} never)", t.late, t.unanswered));
    if let Some(s) = &overload.server {
        row("server CPU per article served", format!("{} µs", per_article(s.cpu, t.count(Code::Ok))));
        row("server RSS", format!("peak {} MB sampled, {} MB at the end", megabytes(s.peak_rss), megabytes(s.end_rss)));
    }
    let r = &recovery.tally;
    let recovered = r.count(Code::Ok) == r.sent() && r.late == 0;
    let [r50, r99, _] = percentiles(&r.served);
    row(
        "recovery",
        format!(
            "{:.0}/s for {:.0} s: {} of {} OK, p50 {r50} ms, p99 {r99} ms: {}",
            recovery.offered.unwrap_or_default(),
            recovery.elapsed.as_secs_f64(),
            r.count(Code::Ok),
            r.sent(),
            if recovered { "serves normally" } else { "NOT recovered" }
        ),
    );
    table.render()
}

/// The service's performance targets next to what was measured.
pub(super) struct Targets {
    pub(super) saturation: f64,
    pub(super) half_rate_p99_opt: Option<(f64, u64)>,
    pub(super) peak_rss_opt: Option<u64>,
    pub(super) startup_opt: Option<Duration>,
}

impl Targets {
    pub(super) fn render(&self) -> String {
        let mut table = Table::new(vec!["target", "measured", "met"]);
        let met = |ok: bool| if ok { "yes" } else { "no" }.to_string();
        table.rows.push(vec![
            "unary at saturation >= 5,000 articles/s".into(),
            format!("{:.0} articles/s", self.saturation),
            met(self.saturation >= 5000.0),
        ]);
        if let Some((rate, p99)) = self.half_rate_p99_opt {
            table.rows.push(vec![
                "p99 < 10 ms at half the saturation rate".into(),
                format!("{} ms at {rate:.0}/s", millis(p99)),
                met(p99 < 10_000),
            ]);
        }
        if let Some(rss) = self.peak_rss_opt {
            table.rows.push(vec![
                "peak RSS < 150 MB".into(),
                format!("{} MB (VmHWM)", megabytes(rss)),
                met(rss < 150_000_000),
            ]);
        }
        if let Some(startup) = self.startup_opt {
            table.rows.push(vec![
                "start-up to SERVING < 300 ms".into(),
                format!("{} ms", startup.as_millis()),
                met(startup < Duration::from_millis(300)),
            ]);
        }
        table.render()
    }
}
