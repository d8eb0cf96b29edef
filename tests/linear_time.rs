//! Adversarial text costs time linear in its size: for each text of `common/adversarial.rs`,
//! the whole pipeline's CPU time on sixteen times the text is compared with its time on the
//! text, in the same test. No absolute time is asserted, and the CPU time of the test's own
//! thread does not count the other processes sharing the machine. A step quadratic in the
//! text costs 10 to 20 times more per doubling of it.
#![cfg(target_os = "linux")]

#[path = "common/adversarial.rs"]
mod adversarial;

use std::{sync::LazyLock, time::Duration};

use incident_enricher::{
    pb,
    pipeline::{Document, Pipeline},
};

static PIPELINE: LazyLock<Pipeline> = LazyLock::new(Pipeline::new);

/// CPU time this thread has run, from the scheduler's own count in nanoseconds.
fn thread_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux exposes schedstat");
    let nanos = stat.split_whitespace().next().and_then(|n| n.parse().ok()).expect("schedstat starts with ns on CPU");
    Duration::from_nanos(nanos)
}

/// CPU time of one run of the whole pipeline on `text`: runs repeat until they add up to
/// a tenth of a second, as the scheduler's count moves in steps of a few milliseconds.
fn cost(text: &str) -> f64 {
    let (mut runs, mut spent) = (0u32, Duration::ZERO);
    while spent < Duration::from_millis(100) {
        let article = pb::Article { id: "adversarial".into(), text: text.into(), ..Default::default() };
        let doc = Document::in_process(article, false).expect("adversarial texts are not blank");
        let started = thread_cpu_time();
        PIPELINE.run(doc).expect("adversarial texts enrich");
        spent += thread_cpu_time() - started;
        runs += 1;
    }
    spent.as_secs_f64() / f64::from(runs)
}

/// The base size: large enough that fixed costs do not hide how the cost grows, small enough
/// for a debug build.
const SIZE: usize = 16 * 1024;
const GROWTH: usize = 16;
/// How far over linear growth the cost may go: noise and caches, never a quadratic step,
/// which would give about `GROWTH` times more.
const SLACK: f64 = 3.0;

#[test]
fn adversarial_text_costs_time_linear_in_its_size() {
    // Compile the patterns and warm their caches before anything is measured.
    for (_, make) in adversarial::INPUTS {
        cost(&make(SIZE));
    }
    let mut report = Vec::new();
    let mut superlinear = Vec::new();
    for (name, make) in adversarial::INPUTS {
        let (small, large) = (make(SIZE), make(SIZE * GROWTH));
        let ratio = cost(&large) / cost(&small);
        let growth = large.len() as f64 / small.len() as f64;
        report.push(format!("{name}: {ratio:.1}x the time for {growth:.1}x the text"));
        if ratio > growth * SLACK {
            superlinear.push(*name);
        }
    }
    assert!(superlinear.is_empty(), "superlinear: {superlinear:?}\n{}", report.join("\n"));
}
