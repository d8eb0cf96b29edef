//! `incident-enricher catalogue` on small galaxy files written for the test: clusters merge
//! by their names across galaxies and into the curated tables, ordinary words are marked for a
//! cue or dropped, and the licence goes beside the tables.
#![cfg(feature = "tools")]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogue")
}

fn generate(out: &Path, extra: &[&str]) -> Output {
    let dir = fixtures();
    Command::new(env!("CARGO_BIN_EXE_incident-enricher"))
        .arg("catalogue")
        .arg("--galaxies")
        .arg(&dir)
        .arg("--word-frequencies")
        .arg(dir.join("word-frequencies.tsv"))
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("the binary runs")
}

/// The generated rows: kind, canonical name, aliases, country, external id, category.
fn rows(out: &Path) -> Vec<[String; 6]> {
    let table = std::fs::read_to_string(out.join("catalogue.tsv")).expect("catalogue.tsv written");
    table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let fields: Vec<String> = l.split('\t').map(str::to_string).collect();
            fields.try_into().unwrap_or_else(|f| panic!("six columns: {f:?}"))
        })
        .collect()
}

fn row<'r>(rows: &'r [[String; 6]], name: &str) -> &'r [String; 6] {
    rows.iter().find(|r| r[1] == name).unwrap_or_else(|| panic!("no row {name}: {rows:#?}"))
}

#[test]
fn galaxies_merge_into_one_entry_per_thing_with_its_ids() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = generate(out.path(), &[]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let rows = rows(out.path());

    let heron = row(&rows, "Quiet Heron");
    assert_eq!(heron[0], "THREAT_ACTOR");
    assert_eq!(heron[2], "Glass Kestrel|Tick", "'Dark' is too common a word to be a name, and G9901 is an id");
    assert_eq!((heron[3].as_str(), heron[4].as_str()), ("IR", "G9901"));

    // A galaxy alias of a curated actor joins it; its curated id stays.
    let sandworm = row(&rows, "Sandworm Team");
    assert!(sandworm[2].split('|').any(|n| n == "Telebots Crew"), "{sandworm:?}");
    assert_eq!(sandworm[4], "G0034");

    // Two malware galaxies outvote one actor galaxy; the stem of "Grimbolt Ransomware" and of
    // "GrimBolt Loader" merge with it; the ransomware galaxy gives the category.
    let grimbolt = row(&rows, "Grimbolt");
    assert_eq!(grimbolt[0], "MALWARE");
    assert_eq!(grimbolt[2], "GrimBolt Loader|GrimBolt|Grimbolt Ransomware");
    assert_eq!(grimbolt[5], "ransomware");
    assert_eq!(grimbolt[4], "2f6a8b0c-0000-4000-8000-0000000000c1", "no ATT&CK id: the first galaxy's UUID");

    assert_eq!(row(&rows, "Zorblax RAT")[2], "Zorblax");
    assert_eq!(row(&rows, "Velvet Hand Stealer")[2], "", "'Velvet Hand' is ordinary words, no name");
    let all: Vec<&str> = rows.iter().flat_map(|r| [r[1].as_str(), r[2].as_str()]).collect();
    assert!(!all.iter().any(|n| n.contains("Operation Blue Lantern")), "an operation is not its actor");
    assert!(!all.iter().any(|n| n.contains("lockfiles")), "one lowercase word is no name");

    let readings = std::fs::read_to_string(out.path().join("readings.tsv")).expect("readings.tsv written");
    let needs = |name: &str| {
        readings.lines().filter(|l| !l.starts_with('#')).find_map(|l| l.strip_prefix(&format!("{name}\t")))
    };
    assert_eq!(needs("Tick"), Some("cue"), "an ordinary word from a galaxy");
    assert_eq!(needs("Lazarus"), Some("cue"), "an ordinary word from the curated tables");
    assert_eq!(needs("Zorblax"), Some("full name"), "a stem of 'Zorblax RAT'");
    assert_eq!(needs("Quillcrypt"), Some("cue"), "only a crowd-sourced galaxy gives it");
    assert_eq!(needs("Grimbolt"), None, "Malpedia gives it too");
    assert_eq!(needs("Glass Kestrel"), None);

    let licence = std::fs::read_to_string(out.path().join("LICENSE.md")).expect("licence copied");
    assert!(licence.contains("CC0"));
}

#[test]
fn the_same_galaxies_give_the_same_files() {
    let (a, b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
    assert!(generate(a.path(), &[]).status.success() && generate(b.path(), &[]).status.success());
    for file in ["catalogue.tsv", "readings.tsv"] {
        let read = |d: &Path| std::fs::read(d.join(file)).expect("written");
        assert_eq!(read(a.path()), read(b.path()), "{file} differs between two runs");
    }
}

#[test]
fn without_the_licence_nothing_is_written() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = generate(out.path(), &["--licence", "no-such-licence.md"]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("no-such-licence.md") && stderr.contains("licence"), "{stderr}");
    assert!(!out.path().join("catalogue.tsv").exists());
}
