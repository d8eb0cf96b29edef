//! Cleanup on pages written for the project (`tests/fixtures/cleanup/`), one per kind of page
//! furniture and several whole pages. Each fixture line says what must happen to it:
//! `+` kept, `=byline` and `=dateline` kept and marked so, `-REASON` removed with that reason.

use std::{fs, ops::Range, path::Path};

use incident_enricher::{
    pb,
    pipeline::{Document, Step, cleanup::Cleanup},
};

/// What a fixture line expects.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Keep,
    Marked(String),
    Remove(String),
}

struct Fixture {
    page: String,
    /// Each tagged line: what it expects, its range in `page`, and the line number in the file.
    lines: Vec<(Expect, Range<usize>, usize)>,
}

fn parse(source: &str) -> Fixture {
    let mut page = String::new();
    let mut lines = Vec::new();
    for (n, line) in source.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if !line.is_empty() {
            let (tag, text) = line.split_once('\t').unwrap_or_else(|| panic!("line {}: no tab: {line:?}", n + 1));
            let expect = match tag {
                "+" => Expect::Keep,
                t if t.starts_with('=') => Expect::Marked(t[1..].to_string()),
                t if t.starts_with('-') => Expect::Remove(t[1..].to_string()),
                t => panic!("line {}: unknown tag {t:?}", n + 1),
            };
            lines.push((expect, page.len()..page.len() + text.len(), n + 1));
            page.push_str(text);
        }
        page.push('\n');
    }
    Fixture { page, lines }
}

fn clean(page: &str) -> Document {
    let article = pb::Article { id: "fixture".into(), text: page.into(), ..Default::default() };
    let mut doc = Document::in_process(article, true).expect("valid page");
    Cleanup.apply(&mut doc);
    doc
}

/// The line as it reads in the cleaned text: white space folded as cleanup folds it.
fn folded(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The reason or role, as the API names it, of the span that covers `line`.
fn covering(spans: &[(Range<usize>, impl ToString)], line: &Range<usize>) -> Option<String> {
    spans.iter().find(|(r, _)| r.start <= line.start && line.end <= r.end).map(|(_, why)| why.to_string())
}

fn check(path: &Path) -> Vec<String> {
    let fixture = parse(&fs::read_to_string(path).expect("fixture is readable"));
    let doc = clean(&fixture.page);
    let name = path.file_name().unwrap().to_string_lossy();
    let mut problems = Vec::new();

    let want: Vec<String> = fixture
        .lines
        .iter()
        .filter(|(e, _, _)| !matches!(e, Expect::Remove(_)))
        .map(|(_, r, _)| folded(&fixture.page[r.clone()]))
        .collect();
    let got: Vec<String> = doc.text().lines().filter(|l| !l.trim().is_empty()).map(folded).collect();
    if want != got {
        let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
        let extra: Vec<&String> = got.iter().filter(|g| !want.contains(g)).collect();
        problems.push(format!("{name}: kept text differs\n  lost: {missing:#?}\n  kept furniture: {extra:#?}"));
    }
    for (expect, range, n) in &fixture.lines {
        let text = &fixture.page[range.clone()];
        match expect {
            Expect::Remove(reason) => match covering(&doc.cleaned.removed, range) {
                Some(got) if got == *reason => {}
                got => problems.push(format!("{name}:{n}: want removed as {reason}, got {got:?}: {text:?}")),
            },
            Expect::Marked(role) => {
                if covering(&doc.cleaned.marked, range).as_ref() != Some(role) {
                    problems.push(format!("{name}:{n}: want a {role} mark: {text:?}"));
                }
            }
            Expect::Keep => {
                if let Some(reason) = covering(&doc.cleaned.removed, range) {
                    problems.push(format!("{name}:{n}: article line removed as {reason}: {text:?}"));
                }
            }
        }
    }
    problems
}

#[test]
fn every_fixture_keeps_the_article_and_removes_the_furniture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cleanup");
    let mut paths: Vec<_> = fs::read_dir(&dir).expect("fixtures exist").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    assert!(paths.len() >= 15, "fixtures missing from {}", dir.display());
    let problems: Vec<String> = paths.iter().flat_map(|p| check(p)).collect();
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
