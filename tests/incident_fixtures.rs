//! Incidents on articles written for the project (`tests/fixtures/incidents/*.json`), one per
//! incident type, temporality and attribution status, with multi-incident articles, machine
//! translation wording and non-cyber traps. Each fixture lists the incidents an analyst would
//! code, checked field by field: every expected incident must be matched by one incident of
//! the response with all its listed fields, and no current incident may have a forbidden type.

use std::{fs, path::Path};

use incident_enricher::{
    pb,
    pipeline::{Document, Pipeline},
};
use serde_json::Value;

fn enrich(pipeline: &Pipeline, article: pb::Article) -> pb::EnrichResponse {
    let doc = Document::in_process(article, false).expect("valid fixture");
    pipeline.run(doc).expect("pipeline runs").into_response()
}

/// A response with lookups by entity id.
struct Response<'a> {
    response: &'a pb::EnrichResponse,
}

impl Response<'_> {
    fn entity(&self, id: &str) -> Option<&pb::Entity> {
        self.response.entities.iter().find(|e| e.id == id)
    }

    fn named(&self, id: &str, wanted: &str) -> bool {
        self.entity(id).is_some_and(|e| e.name.to_lowercase().contains(&wanted.to_lowercase()))
    }

    fn has_role(&self, incident: &pb::Incident, role: pb::Role, wanted: &str) -> bool {
        incident.participants.iter().any(|p| p.role == role as i32 && self.named(&p.entity_id, wanted))
    }

    /// Which listed fields of `want` `incident` fails, empty when it matches.
    fn mismatches(&self, incident: &pb::Incident, want: &Value) -> Vec<String> {
        let mut wrong = Vec::new();
        let strings = |key: &str| -> Vec<String> {
            want[key]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                .unwrap_or_default()
        };
        let types: Vec<&str> = std::iter::once(incident.r#type())
            .chain(incident.also_types().collect::<Vec<_>>())
            .map(|t| t.as_str_name())
            .collect();
        if !strings("type_in").is_empty() && !strings("type_in").iter().any(|t| types.contains(&t.as_str())) {
            wrong.push(format!("type {types:?}"));
        }
        for t in strings("also_include") {
            if !types.contains(&t.as_str()) {
                wrong.push(format!("types {types:?} lack {t}"));
            }
        }
        if let Some(t) = want["temporality"].as_str()
            && incident.temporality().as_str_name() != t
        {
            wrong.push(format!("temporality {:?}", incident.temporality()));
        }
        if let Some(date) = want["date"].as_str() {
            let got = incident.occurred.as_ref().map(|o| o.date.as_str()).unwrap_or_default();
            if got != date {
                wrong.push(format!("date {got:?}"));
            }
        }
        for (key, role) in [
            ("targets", pb::Role::Target),
            ("attackers", pb::Role::Attacker),
            ("tools", pb::Role::Tool),
            ("origins", pb::Role::Origin),
        ] {
            for name in strings(key) {
                if !self.has_role(incident, role, &name) {
                    wrong.push(format!("no {role:?} {name}"));
                }
            }
        }
        if let Some(cc) = want["target_country"].as_str() {
            let found = incident.participants.iter().any(|p| {
                p.role == pb::Role::Target as i32 && self.entity(&p.entity_id).is_some_and(|e| e.country_code == cc)
            });
            if !found {
                wrong.push(format!("no target in {cc}"));
            }
        }
        for a in want["attributions"].as_array().into_iter().flatten() {
            let (actor, status) = (a["actor"].as_str().unwrap_or_default(), a["status"].as_str().unwrap_or_default());
            let found = incident
                .attributions
                .iter()
                .any(|got| got.status().as_str_name() == status && self.named(&got.actor_entity_id, actor));
            if !found {
                wrong.push(format!("no attribution {actor} {status}"));
            }
        }
        if let Some(expected) = want["impact"].as_object() {
            let got = serde_json::to_value(incident.impact.clone().unwrap_or_default()).expect("impact serialises");
            for (key, value) in expected {
                // proto3 JSON writes 64-bit integers as strings and leaves defaults out.
                let got_value = &got[key];
                let same = got_value == value
                    || got_value.as_str().is_some_and(|s| value.as_u64().is_some_and(|n| s == n.to_string()));
                if !same {
                    wrong.push(format!("impact {key} = {got_value}"));
                }
            }
        }
        wrong
    }
}

fn check(pipeline: &Pipeline, path: &Path) -> Vec<String> {
    let fixture: Value =
        serde_json::from_str(&fs::read_to_string(path).expect("fixture reads")).expect("fixture is JSON");
    let article: pb::Article = serde_json::from_value(fixture["article"].clone()).expect("an Article in proto3 JSON");
    let response = enrich(pipeline, article);
    let r = Response { response: &response };
    let name = path.file_name().expect("file name").to_string_lossy();
    let mut failures = Vec::new();
    for want in fixture["incidents"].as_array().into_iter().flatten() {
        let tries: Vec<Vec<String>> = response.incidents.iter().map(|i| r.mismatches(i, want)).collect();
        if !tries.iter().any(Vec::is_empty) {
            failures.push(format!("{name}: no incident matches {want}; closest misses: {tries:?}"));
        }
    }
    for forbidden in fixture["forbid"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        let present = response.incidents.iter().any(|i| {
            i.temporality() == pb::Temporality::Current
                && (i.r#type().as_str_name() == forbidden || i.also_types().any(|t| t.as_str_name() == forbidden))
        });
        if present {
            failures.push(format!("{name}: forbidden current {forbidden} present"));
        }
    }
    for actor in fixture["forbid_attribution"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if response.incidents.iter().flat_map(|i| &i.attributions).any(|a| r.named(&a.actor_entity_id, actor)) {
            failures.push(format!("{name}: {actor} must not be an attributed actor"));
        }
    }
    failures
}

#[test]
fn every_fixture_gets_the_incidents_an_analyst_would_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incidents");
    let mut paths: Vec<_> = fs::read_dir(&dir).expect("fixture dir").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    assert!(paths.len() >= 10, "fixtures missing from {}", dir.display());
    let pipeline = Pipeline::new();
    let failures: Vec<String> = paths.iter().flat_map(|path| check(&pipeline, path)).collect();
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
