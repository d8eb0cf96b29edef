//! Golden output: every bundled example (`examples/`) enriched as the README's first command
//! does, compared with the proto3 JSON kept in `tests/golden/`. Stage timings vary from run
//! to run and are zeroed. After a deliberate change, rewrite the files with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

use std::{fs, path::Path};

use incident_enricher::{
    cli::input,
    pb,
    pipeline::{Document, Pipeline},
};

fn examples() -> Vec<pb::Article> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<_> =
        fs::read_dir(root.join("articles")).expect("examples/articles").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    paths.push(root.join("articles.jsonl"));
    paths
        .iter()
        .flat_map(|p| input::records(p, &Default::default()).expect("example reads"))
        .map(|r| r.expect("every example is an article"))
        .collect()
}

/// The file name an article's golden output is kept under.
fn golden_name(id: &str) -> String {
    let stem: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("{stem}.json")
}

#[test]
fn bundled_examples_match_their_golden_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let pipeline = Pipeline::new();
    let articles = examples();
    assert!(articles.len() >= 7, "bundled examples missing");
    let mut differ = Vec::new();
    for article in articles {
        let id = article.id.clone();
        let doc = Document::in_process(article, true).expect("valid");
        let mut response = pipeline.run(doc).expect("pipeline runs").into_response();
        for stage in &mut response.provenance.as_mut().expect("provenance").stages {
            stage.duration_micros = 0;
        }
        let json = serde_json::to_string_pretty(&response).expect("serialises") + "\n";
        let path = dir.join(golden_name(&id));
        if update {
            fs::create_dir_all(&dir).expect("golden dir");
            fs::write(&path, &json).expect("golden writes");
        } else if fs::read_to_string(&path).ok().as_deref() != Some(json.as_str()) {
            differ.push(format!("{id} (compare with {})", path.display()));
        }
    }
    assert!(
        differ.is_empty(),
        "output differs from the golden JSON for: {differ:?}\nif the change is intended: UPDATE_GOLDEN=1 cargo test --test golden"
    );
}
