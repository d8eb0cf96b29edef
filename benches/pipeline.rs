//! Throughput of each stage and of the whole pipeline, in MB/s of article text, on the CASIE
//! articles in `../shared/casie/dev.jsonl` when present, else on the bundled examples.
//!
//! Also the start-up cost of the gazetteers, built in and with an ATT&CK-sized STIX bundle, how
//! the cost grows with the article's length (`length`: 1 KB to 1 MB of article prose), and the
//! cost of the texts built to break linear time (`adversarial`, 1 MiB each, the server's
//! default article limit).
//!
//! `cargo bench --bench pipeline`; one stage: `cargo bench --bench pipeline -- cleanup`.

#[path = "../tests/common/adversarial.rs"]
mod adversarial;

use std::{fs, path::Path, time::Duration};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use incident_enricher::{
    pb,
    pipeline::{
        Document, Pipeline, Step,
        classify::Classify,
        cleanup::Cleanup,
        entities::{Entities, Gazetteer},
        incidents::Incidents,
    },
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
            let article = pb::Article { id: "bench".into(), text: text.clone(), ..Default::default() };
            Document::in_process(article, false).expect("corpus articles are valid")
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
    let (cleanup, entities, classify, incidents) =
        (Cleanup, Entities::new(), Classify::default(), Incidents::default());
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
    // Each stage over the whole corpus in turn, as the stage group measures them.
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
    // Article by article through every stage, as the server and the CLI run them.
    let pipeline = Pipeline::new();
    group.bench_function("per article", |b| {
        b.iter_batched(
            || fresh.clone(),
            |docs| docs.into_iter().map(|d| enrich(&pipeline, d)).collect::<Vec<_>>(),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// Writes a STIX bundle the size of MITRE ATT&CK's enterprise-attack.json (about 20 MB):
/// named intrusion sets, malware and tools with aliases and ids, and the long descriptions
/// and relationship objects that make up most of the real file's bytes.
fn attack_sized_bundle(path: &Path) -> usize {
    let filler = "This group has targeted government, defence and energy organisations since at least 2014, \
                  using spearphishing, exploited public-facing applications and custom backdoors. ";
    let mut objects = Vec::new();
    for i in 0..13_500 {
        let (kind, prefix) = match i % 3 {
            0 => ("intrusion-set", "G"),
            1 => ("malware", "S"),
            _ => ("relationship", "R"),
        };
        let name = format!("Synthetic{kind}{i} Cluster");
        objects.push(serde_json::json!({
            "type": kind,
            "id": format!("{kind}--00000000-0000-4000-8000-{i:012}"),
            "name": name,
            "aliases": [name.clone(), format!("SYN-{i}"), format!("Synthetic Alias {i}")],
            "description": filler.repeat(7),
            "external_references": [{"source_name": "mitre-attack", "external_id": format!("{prefix}{:05}", 10_000 + i)}],
        }));
    }
    let bundle = serde_json::json!({"type": "bundle", "id": "bundle--synthetic", "objects": objects});
    let bytes = serde_json::to_vec(&bundle).expect("serialises");
    fs::write(path, &bytes).expect("temp file is writable");
    bytes.len()
}

fn startup(c: &mut Criterion) {
    let dir = std::env::temp_dir().join("incident-enricher-bench");
    fs::create_dir_all(&dir).expect("temp dir");
    let bundle = dir.join("attack-sized-bundle.json");
    let size = attack_sized_bundle(&bundle);
    println!("synthetic bundle: {:.1} MB", size as f64 / 1e6);
    let mut group = c.benchmark_group("startup");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("built-in gazetteers", |b| b.iter(Gazetteer::builtin));
    group.bench_function("with an ATT&CK-sized bundle", |b| {
        b.iter(|| Gazetteer::with_files(&[&bundle]).expect("the bundle loads"))
    });
    group.finish();
}

/// The whole pipeline on one document, as in-process callers run it.
fn enrich(pipeline: &Pipeline, doc: Document) -> Document {
    pipeline.run(doc).expect("bench articles enrich")
}

/// Whole-pipeline time for articles of 1 KB to 1 MB of project-written prose, every paragraph
/// distinct (repeated ones would be removed by cleanup): the MB/s stay level when the cost
/// grows linearly with the length.
fn length(c: &mut Criterion) {
    let pipeline = Pipeline::new();
    let mut group = c.benchmark_group("length");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for (label, size) in [("1 KB", 1_000), ("10 KB", 10_000), ("100 KB", 100_000), ("1 MB", 1_000_000)] {
        let text = adversarial::distinct_prose(size);
        let doc = &documents(std::slice::from_ref(&text))[0];
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group
            .bench_function(label, |b| b.iter_batched(|| doc.clone(), |d| enrich(&pipeline, d), BatchSize::SmallInput));
    }
    group.finish();
}

/// Whole-pipeline time for each text built to break linear time, at the server's default
/// article limit: the most one request can cost.
fn adversarial(c: &mut Criterion) {
    let pipeline = Pipeline::new();
    let mut group = c.benchmark_group("adversarial");
    group.sample_size(10).measurement_time(Duration::from_secs(3));
    for (name, make) in adversarial::INPUTS {
        let mut text = make(1 << 20);
        text.truncate(text.floor_char_boundary(1 << 20));
        let doc = &documents(std::slice::from_ref(&text))[0];
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group
            .bench_function(*name, |b| b.iter_batched(|| doc.clone(), |d| enrich(&pipeline, d), BatchSize::SmallInput));
    }
    group.finish();
}

criterion_group!(benches, stages, startup, length, adversarial);
criterion_main!(benches);
