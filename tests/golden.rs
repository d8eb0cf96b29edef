//! Golden output: every bundled example (`examples/`) enriched as the README's first command
//! does, compared with the proto3 JSON kept in `tests/golden/`. Stage timings vary from run
//! to run and are zeroed; the service version is written as `<version>` so that a release
//! does not rewrite every file. After a deliberate change, rewrite the files with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

use std::{fs, path::Path};

use incident_enricher::{
    cli::input,
    pb,
    pipeline::{Document, Pipeline},
};

/// How many differing files get a diff in the failure message; the rest are only named.
const DIFFED_FILES: usize = 3;
/// How many changed lines each diff shows, so one broad change does not flood the output.
const DIFF_LINES: usize = 20;
/// How many characters of a changed line are shown: `cleanText` is one long line.
const DIFF_LINE_CHARS: usize = 160;

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

/// Fixes the fields that change between runs or releases while the extraction does not.
fn redact(response: &mut pb::EnrichResponse) {
    let provenance = response.provenance.as_mut().expect("every response has provenance");
    provenance.service_version = "<version>".to_string();
    for stage in &mut provenance.stages {
        stage.duration_micros = 0;
    }
}

// === line diff ===

/// The first `limit` changed lines from `old` to `new`, as `-`/`+` lines with their line
/// numbers, from a longest common subsequence so that an inserted line shows as one line
/// and not as a shift of the rest of the file.
fn line_diff(old: &str, new: &str, limit: usize) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // Trim the common ends first: golden changes are usually local, and the table below
    // is quadratic in what remains.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let (n, m) = (a_mid.len(), b_mid.len());
    // lcs[i][j]: length of the longest common subsequence of a_mid[i..] and b_mid[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a_mid[i] == b_mid[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out, mut shown) = (0, 0, String::new(), 0);
    while (i < n || j < m) && shown < limit {
        if i < n && j < m && a_mid[i] == b_mid[j] {
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out += &format!("-{:5} {}\n", prefix + i + 1, shorten(a_mid[i]));
            (i, shown) = (i + 1, shown + 1);
        } else {
            out += &format!("+{:5} {}\n", prefix + j + 1, shorten(b_mid[j]));
            (j, shown) = (j + 1, shown + 1);
        }
    }
    let changed = (n - lcs[0][0] as usize) + (m - lcs[0][0] as usize);
    if changed > shown {
        out += &format!("... {} more changed lines\n", changed - shown);
    }
    out
}

/// `line` cut to [`DIFF_LINE_CHARS`] characters, marked when cut.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(DIFF_LINE_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

#[test]
fn line_diff_shows_only_changed_lines_with_their_numbers() {
    let old = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n";
    let new = "{\n  \"a\": 1,\n  \"x\": 0,\n  \"b\": 2,\n  \"c\": 4\n}\n";
    // The inserted line does not make the unchanged "b" line after it look changed.
    assert_eq!(line_diff(old, new, 20), "+    3   \"x\": 0,\n-    4   \"c\": 3\n+    5   \"c\": 4\n");
    assert_eq!(line_diff(old, new, 1), "+    3   \"x\": 0,\n... 2 more changed lines\n");
    assert_eq!(line_diff(old, old, 20), "");
    let long = "é".repeat(DIFF_LINE_CHARS + 1);
    assert_eq!(line_diff("", &long, 20), format!("+    1 {}…\n", "é".repeat(DIFF_LINE_CHARS)));
}

#[test]
fn bundled_examples_match_their_golden_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let pipeline = Pipeline::new();
    let articles = examples();
    assert!(articles.len() >= 7, "bundled examples missing");
    let mut differ = Vec::new();
    let mut diffs = String::new();
    for article in articles {
        let id = article.id.clone();
        let doc = Document::in_process(article, true).expect("valid");
        let mut response = pipeline.run(doc).expect("pipeline runs").into_response();
        redact(&mut response);
        let json = serde_json::to_string_pretty(&response).expect("serialises") + "\n";
        let path = dir.join(golden_name(&id));
        if update {
            fs::create_dir_all(&dir).expect("golden dir");
            fs::write(&path, &json).expect("golden writes");
            continue;
        }
        let golden_opt = fs::read_to_string(&path).ok();
        if golden_opt.as_deref() == Some(json.as_str()) {
            continue;
        }
        if differ.len() < DIFFED_FILES {
            diffs += &match &golden_opt {
                Some(golden) => {
                    format!("--- {}\n+++ output of {id}\n{}", path.display(), line_diff(golden, &json, DIFF_LINES))
                }
                None => format!("{} is missing\n", path.display()),
            };
        }
        differ.push(id);
    }
    assert!(
        differ.is_empty(),
        "output differs from the golden JSON for {differ:?}\n{diffs}if the change is intended: UPDATE_GOLDEN=1 cargo test --test golden"
    );
}
