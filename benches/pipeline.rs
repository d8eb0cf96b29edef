//! Throughput of each stage and of the whole pipeline, in MB/s of article text, on the CASIE
//! articles in `../shared/casie/dev.jsonl` when present, else on the bundled examples.
//!
//! `cargo bench --bench pipeline`; one stage: `cargo bench --bench pipeline -- cleanup`.

use std::{fs, path::Path, time::Duration};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use incident_enricher::{
    pb,
    pipeline::{Document, Step, classify::Classify, cleanup::Cleanup, entities::Entities, incidents::Incidents},
};

/// The texts to measure on, and where they came from.
fn corpus() -> (Vec<String>, &'static str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Ok(casie) = fs::read_to_string(root.join("../shared/casie/dev.jsonl")) {
        let texts = casie
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect();
        return (texts, "CASIE dev");
    }
    let mut texts: Vec<String> = fs::read_dir(root.join("examples/articles"))
        .expect("bundled examples")
        .filter_map(|e| fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    texts.sort();
    (texts, "bundled examples")
}

fn documents(texts: &[String]) -> Vec<Document> {
    texts
        .iter()
        .map(|text| {
            let request = pb::EnrichRequest {
                article: Some(pb::Article { id: "bench".into(), text: text.clone(), ..Default::default() }),
                include_clean_text: false,
            };
            let deadline = tokio::time::Instant::now() + Duration::from_secs(3600);
            Document::new(request, usize::MAX, deadline).expect("corpus articles are valid")
        })
        .collect()
}

/// A stage as a plain function over one document.
type StepFn<'a> = &'a dyn Fn(&mut Document);

fn apply_all(step: StepFn<'_>, docs: &mut [Document]) {
    for doc in docs {
        step(doc);
    }
}

fn stages(c: &mut Criterion) {
    let (texts, source) = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("corpus: {} articles, {:.2} MB ({source})", texts.len(), bytes as f64 / 1e6);
    let (cleanup, entities, classify, incidents) = (Cleanup, Entities::new(), Classify, Incidents);
    let steps: [(&str, StepFn<'_>); 4] = [
        ("cleanup", &|d| cleanup.apply(d)),
        ("entities", &|d| entities.apply(d)),
        ("classify", &|d| classify.apply(d)),
        ("incidents", &|d| incidents.apply(d)),
    ];

    let mut group = c.benchmark_group("stage");
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(10).measurement_time(Duration::from_secs(5));
    // Each stage runs on documents the stages before it have already been through.
    let mut ready = documents(&texts);
    for (name, step) in steps {
        group.bench_function(name, |b| {
            b.iter_batched_ref(|| ready.clone(), |docs| apply_all(step, docs), BatchSize::LargeInput)
        });
        apply_all(step, &mut ready);
    }
    group.finish();

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes as u64)).sample_size(10).measurement_time(Duration::from_secs(5));
    let fresh = documents(&texts);
    group.bench_function("all stages", |b| {
        b.iter_batched_ref(
            || fresh.clone(),
            |docs| {
                for (_, step) in &steps {
                    apply_all(*step, docs);
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
