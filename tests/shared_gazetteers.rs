//! The real MISP galaxy files in `../shared/gazetteers/` (CC0; not shipped in this
//! repository), from which the built-in catalogue is generated: they load on top of it, and
//! the built-in gazetteer tags their ATT&CK names with the right kind and external id.
//! Prints the load time and the names added.
//!
//! Ignored by a plain `cargo test`, which shows it as such, since a fresh clone has no
//! `../shared`; CI runs it with `-- --ignored`, where a missing directory fails it.

use std::{path::Path, time::Instant};

use incident_enricher::{
    pb::EntityKind,
    pipeline::entities::{Gazetteer, Vouch},
};

/// Clusters of one file: (name, kind, external id, synonyms).
fn clusters(path: &Path) -> Vec<(String, EntityKind, String, Vec<String>)> {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).expect("readable")).expect("JSON");
    let galaxy = json["type"].as_str().unwrap_or_default();
    let kind = if galaxy.contains("actor") || galaxy.contains("intrusion") {
        EntityKind::ThreatActor
    } else {
        EntityKind::Malware
    };
    json["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| {
            let id = v["meta"]["external_id"].as_str().unwrap_or_default().to_string();
            let value = v["value"].as_str()?;
            let name = value.strip_suffix(&format!(" - {id}")).unwrap_or(value).to_string();
            let synonyms =
                v["meta"]["synonyms"].as_array().into_iter().flatten().filter_map(|s| s.as_str()).map(str::to_string);
            Some((name, kind, id, synonyms.collect()))
        })
        .collect()
}

#[test]
#[ignore = "reads ../shared/gazetteers, beside the clone in CI: cargo test --test shared_gazetteers -- --ignored"]
fn shared_galaxies_load_and_tag_what_only_they_know() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/gazetteers");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no galaxy files in {}", dir.display());

    let builtin = Gazetteer::builtin();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pipeline/entities/data");
    let curated: String = ["threat_actors.tsv", "malware.tsv"]
        .iter()
        .map(|t| std::fs::read_to_string(data.join(t)).expect("curated table"))
        .collect();
    let started = Instant::now();
    let (loaded, reports) = Gazetteer::with_files(&paths).expect("the shared galaxies load");
    let took = started.elapsed();
    let added: usize = reports.iter().map(|r| r.names_added).sum();
    eprintln!(
        "loaded {} files in {took:?}: {added} names added to {} built-in ({} in all)",
        paths.len(),
        builtin.len(),
        loaded.len()
    );
    for r in &reports {
        eprintln!("  {}: {} clusters, {} names added", r.path, r.clusters, r.names_added);
    }

    // ATT&CK clusters with ids, named by a name that needs no cue, that no other cluster
    // also claims (ATT&CK itself gives "Concipit1248" to two entries), and that the curated
    // tables, which decide before any galaxy, do not hold.
    let attack: Vec<_> =
        paths.iter().filter(|p| p.to_string_lossy().contains("mitre")).flat_map(|p| clusters(p)).collect();
    let claims = |name: &str| attack.iter().filter(|(n, _, _, syn)| n == name || syn.iter().any(|s| s == name)).count();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (name, kind, id, _) in attack.iter().cloned() {
        let multiword = name.contains(' ') || name.chars().any(|c| c.is_ascii_digit());
        if id.is_empty() || !multiword || claims(&name) > 1 || curated.contains(&name) {
            continue;
        }
        checked += 1;
        let text = format!("Researchers linked the intrusion to {name}, they said.");
        let hit = builtin.find(&text).into_iter().find(|h| text[h.range.clone()] == name && h.vouch == Vouch::Alone);
        if hit.is_none() && builtin.find(&text).iter().any(|h| text[h.range.clone()] == name) {
            continue;
        }
        match hit {
            Some(h) if h.entry.kind == kind && h.entry.external_id == id => {}
            other => wrong.push(format!("{name}: {:?}", other.map(|h| (h.entry.kind, h.entry.external_id.clone())))),
        }
    }
    eprintln!("{checked} names only the files know were checked, {} wrong", wrong.len());
    assert!(checked >= 30, "only {checked} names checked");
    assert!(wrong.is_empty(), "{wrong:#?}");
}
