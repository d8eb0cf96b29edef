//! The service's metrics, recorded through the OpenTelemetry API and read by Prometheus (and
//! by OTLP when configured). Names follow Prometheus conventions once exported: units in the
//! name, `_total` on counters, labels from bounded sets (method, status code, stage, type,
//! kind), never article ids.

use std::sync::OnceLock;

use crate::pb;

use opentelemetry::{
    KeyValue,
    metrics::{Counter, Histogram, Meter, UpDownCounter},
};

/// Bucket bounds in seconds, from 50 µs to 10 s: a pipeline stage takes microseconds, a request
/// waits milliseconds at most when healthy, and the deadline is 10 s.
const SECONDS_BUCKETS: &[f64] =
    &[0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
/// Article sizes in bytes, from 1 KiB to the 1 MiB limit.
const BYTES_BUCKETS: &[f64] =
    &[1024.0, 2048.0, 4096.0, 8192.0, 16384.0, 32768.0, 65536.0, 131072.0, 262144.0, 1048576.0];

/// Every instrument the service records to.
#[derive(Debug)]
pub struct Metrics {
    /// Articles enriched or refused, by method and gRPC status code.
    pub requests: Counter<u64>,
    /// Time to answer one article, by method.
    pub request_duration: Histogram<f64>,
    /// Time in each pipeline stage.
    pub stage_duration: Histogram<f64>,
    /// Articles being worked on now.
    pub in_flight: UpDownCounter<i64>,
    /// Articles refused because the server was full.
    pub shed: Counter<u64>,
    /// Size of each article's text.
    pub article_bytes: Histogram<u64>,
    /// Incidents found, by type.
    pub incidents: Counter<u64>,
    /// Entities found, by kind.
    pub entities: Counter<u64>,
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// The instruments, once telemetry is set up; `None` in a process without it (the CLI, tests).
pub fn metrics() -> Option<&'static Metrics> {
    METRICS.get()
}

/// Creates the instruments on `meter`; the first call wins.
pub(super) fn install(meter: &Meter) {
    let build_version = env!("CARGO_PKG_VERSION");
    meter
        .u64_observable_gauge("enricher_build_info")
        .with_description("Build information: always 1, with the version as a label")
        .with_callback(move |gauge| gauge.observe(1, &[KeyValue::new("version", build_version)]))
        .build();
    let metrics = Metrics {
        requests: meter
            .u64_counter("enricher_requests")
            .with_description("Articles answered, by method and gRPC status code")
            .build(),
        request_duration: meter
            .f64_histogram("enricher_request_duration")
            .with_unit("s")
            .with_description("Time to answer one article")
            .with_boundaries(SECONDS_BUCKETS.to_vec())
            .build(),
        stage_duration: meter
            .f64_histogram("enricher_stage_duration")
            .with_unit("s")
            .with_description("Time in one pipeline stage for one article")
            .with_boundaries(SECONDS_BUCKETS.to_vec())
            .build(),
        in_flight: meter
            .i64_up_down_counter("enricher_requests_in_flight")
            .with_description("Articles being enriched now")
            .build(),
        shed: meter
            .u64_counter("enricher_shed_requests")
            .with_description("Articles refused because the server was at its concurrency limit")
            .build(),
        article_bytes: meter
            .u64_histogram("enricher_article_size")
            .with_unit("By")
            .with_description("Size of the article text")
            .with_boundaries(BYTES_BUCKETS.to_vec())
            .build(),
        incidents: meter.u64_counter("enricher_incidents").with_description("Incidents found, by type").build(),
        entities: meter.u64_counter("enricher_entities").with_description("Entities found, by kind").build(),
    };
    // Every series a dashboard or alert is written against exists from the start, at 0.
    for method in ["Enrich", "EnrichStream"] {
        let method = KeyValue::new("method", method);
        metrics.requests.add(0, &[method.clone(), KeyValue::new("code", "OK")]);
        metrics.shed.add(0, &[method]);
    }
    metrics.in_flight.add(0, &[]);
    for kind in (1..).map_while(|i| pb::IncidentType::try_from(i).ok()) {
        metrics.incidents.add(0, &[KeyValue::new("type", kind.as_str_name())]);
    }
    for kind in (1..).map_while(|i| pb::EntityKind::try_from(i).ok()) {
        metrics.entities.add(0, &[KeyValue::new("kind", kind.as_str_name())]);
    }
    let _ = METRICS.set(metrics);
}
