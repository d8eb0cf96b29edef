//! Incidents on articles written for the project (`tests/fixtures/incidents/*.json`), one per
//! incident type, temporality and attribution status, with multi-incident articles, machine
//! translation wording and non-cyber traps. Each fixture lists the incidents an analyst would
//! code, checked field by field: every expected incident must be matched by one incident of
//! the response with all its listed fields, and no current incident may have a forbidden type.
//!
//! Fixtures are typed and reject unknown keys, so a misspelt key fails the test instead of
//! silently dropping its expectation.

use std::{
    fs,
    path::{Path, PathBuf},
};

use incident_enricher::{
    pb,
    pipeline::{Document, Pipeline},
};
use serde::Deserialize;

// === fixtures ===

/// One fixture: an article and what an analyst codes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// What the fixture is about, for the reader.
    #[allow(dead_code)]
    about: String,
    /// The article, in proto3 JSON.
    article: pb::Article,
    /// Each must be matched by one incident of the response.
    incidents: Vec<ExpectedIncident>,
    /// Types no current incident may have.
    #[serde(default)]
    forbid: Vec<pb::IncidentType>,
    /// Actors no incident may attribute anything to, whatever the status.
    #[serde(default)]
    forbid_attribution: Vec<String>,
}

/// An incident as an analyst codes it. Only the listed fields are checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedIncident {
    /// One of the incident's types (main or also) is one of these.
    #[serde(default)]
    type_in: Vec<pb::IncidentType>,
    /// The incident's types include each of these.
    #[serde(default)]
    also_include: Vec<pb::IncidentType>,
    temporality: Option<pb::Temporality>,
    /// `occurred.date`, exactly.
    date: Option<String>,
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default)]
    attackers: Vec<String>,
    #[serde(default)]
    tools: Vec<String>,
    #[serde(default)]
    origins: Vec<String>,
    /// Some target belongs to this country (ISO 3166-1 alpha-2).
    target_country: Option<String>,
    #[serde(default)]
    attributions: Vec<ExpectedAttribution>,
    /// Impact fields that must have these values.
    impact: Option<ExpectedImpact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedAttribution {
    actor: String,
    status: pb::AttributionStatus,
}

/// Impact fields by their proto3 JSON names; an absent field is not checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ExpectedImpact {
    service_disruption: Option<bool>,
    data_compromised: Option<bool>,
    data_leak_claimed: Option<bool>,
    data_leak_denied: Option<bool>,
    records_affected: Option<u64>,
    ransom_demand: Option<String>,
}

fn parse_fixture(json: &str) -> Result<Fixture, serde_json::Error> {
    serde_json::from_str(json)
}

// === checks ===

/// One expectation's result: its label, stable across runs, and what is wrong when it fails.
#[derive(Debug)]
struct Outcome {
    label: String,
    wrong_opt: Option<String>,
}

fn outcome(label: String, wrong_opt: Option<String>) -> Outcome {
    Outcome { label, wrong_opt }
}

/// A response with lookups by entity id. Names match when the entity's name contains the
/// wanted one, ignoring case, since canonical names add words ("Lazarus Group").
struct Response<'a> {
    response: &'a pb::EnrichResponse,
}

impl Response<'_> {
    fn entity(&self, id: &str) -> Option<&pb::Entity> {
        self.response.entities.iter().find(|e| e.id == id)
    }

    fn name(&self, id: &str) -> &str {
        self.entity(id).map_or("?", |e| e.name.as_str())
    }

    fn named(&self, id: &str, wanted: &str) -> bool {
        self.entity(id).is_some_and(|e| e.name.to_lowercase().contains(&wanted.to_lowercase()))
    }

    fn has_role(&self, incident: &pb::Incident, role: pb::Role, wanted: &str) -> bool {
        incident.participants.iter().any(|p| p.role == role as i32 && self.named(&p.entity_id, wanted))
    }

    /// The names in `role`, for failure messages.
    fn in_role(&self, incident: &pb::Incident, role: pb::Role) -> Vec<&str> {
        incident.participants.iter().filter(|p| p.role == role as i32).map(|p| self.name(&p.entity_id)).collect()
    }

    fn attributions(&self, incident: &pb::Incident) -> Vec<String> {
        incident
            .attributions
            .iter()
            .map(|a| format!("{} {}", self.name(&a.actor_entity_id), a.status().as_str_name()))
            .collect()
    }

    /// The checks of `want` on `incident`.
    fn incident_checks(&self, incident: &pb::Incident, want: &ExpectedIncident) -> Vec<Outcome> {
        let mut must = Vec::new();
        let types: Vec<pb::IncidentType> = std::iter::once(incident.r#type()).chain(incident.also_types()).collect();
        let type_names = || format!("types {:?}", types.iter().map(|t| t.as_str_name()).collect::<Vec<_>>());
        if !want.type_in.is_empty() {
            let ok = want.type_in.iter().any(|t| types.contains(t));
            must.push(outcome("type".into(), (!ok).then(type_names)));
        }
        for t in &want.also_include {
            let ok = types.contains(t);
            must.push(outcome(format!("also:{}", t.as_str_name()), (!ok).then(type_names)));
        }
        if let Some(t) = want.temporality {
            let got = incident.temporality();
            must.push(outcome("temporality".into(), (got != t).then(|| format!("no {} incident", t.as_str_name()))));
        }
        if let Some(date) = &want.date {
            let got = incident.occurred.as_ref().map(|o| o.date.as_str()).unwrap_or_default();
            must.push(outcome("date".into(), (got != date).then(|| format!("date {got:?}"))));
        }
        for (names, role, key) in [
            (&want.targets, pb::Role::Target, "target"),
            (&want.attackers, pb::Role::Attacker, "attacker"),
            (&want.tools, pb::Role::Tool, "tool"),
            (&want.origins, pb::Role::Origin, "origin"),
        ] {
            for name in names {
                let ok = self.has_role(incident, role, name);
                let wrong = || format!("{} {:?}", role.as_str_name(), self.in_role(incident, role));
                must.push(outcome(format!("{key}:{name}"), (!ok).then(wrong)));
            }
        }
        if let Some(cc) = &want.target_country {
            let ok = incident.participants.iter().any(|p| {
                p.role == pb::Role::Target as i32 && self.entity(&p.entity_id).is_some_and(|e| &e.country_code == cc)
            });
            let wrong = || format!("no target in {cc}: {:?}", self.in_role(incident, pb::Role::Target));
            must.push(outcome("target_country".into(), (!ok).then(wrong)));
        }
        for a in &want.attributions {
            let status = a.status.as_str_name();
            let by_actor =
                |got: &&pb::Attribution| got.status() == a.status && self.named(&got.actor_entity_id, &a.actor);
            let found = incident.attributions.iter().find(by_actor);
            let wrong = || format!("attributions {:?}", self.attributions(incident));
            must.push(outcome(format!("attribution:{}:{status}", a.actor), found.is_none().then(wrong)));
        }
        let impact = incident.impact.clone().unwrap_or_default();
        if let Some(expected) = &want.impact {
            for (key, same, got) in impact_fields(expected, &impact) {
                must.push(outcome(format!("impact.{key}"), (!same).then(|| format!("{key} = {got}"))));
            }
        }
        must
    }
}

/// The listed fields of `expected`: name, whether `got` has the listed value, and its value.
fn impact_fields(expected: &ExpectedImpact, got: &pb::Impact) -> Vec<(&'static str, bool, String)> {
    let mut fields = Vec::new();
    let flags = [
        ("serviceDisruption", expected.service_disruption, got.service_disruption),
        ("dataCompromised", expected.data_compromised, got.data_compromised),
        ("dataLeakClaimed", expected.data_leak_claimed, got.data_leak_claimed),
        ("dataLeakDenied", expected.data_leak_denied, got.data_leak_denied),
    ];
    for (key, want_opt, value) in flags {
        if let Some(want) = want_opt {
            fields.push((key, want == value, value.to_string()));
        }
    }
    if let Some(n) = expected.records_affected {
        fields.push(("recordsAffected", n == got.records_affected, got.records_affected.to_string()));
    }
    if let Some(ransom) = &expected.ransom_demand {
        fields.push(("ransomDemand", *ransom == got.ransom_demand, format!("{:?}", got.ransom_demand)));
    }
    fields
}

/// Every expectation of `fixture` on `response`, each with its label.
fn outcomes(fixture: &Fixture, response: &pb::EnrichResponse) -> Vec<Outcome> {
    let r = Response { response };
    let mut all = Vec::new();
    let missing = pb::Incident::default();
    for (index, want) in fixture.incidents.iter().enumerate() {
        let name = format!("#{index}");
        // The incident meant has the listed temporality (news is not background), and of
        // those it is the one meeting most of what it must have, the first on a tie. With
        // none, the checks run on an empty incident, so they fail as the incident is missing.
        let (chosen, checks) = response
            .incidents
            .iter()
            .filter(|i| want.temporality.is_none_or(|t| i.temporality() == t))
            .map(|i| (i, r.incident_checks(i, want)))
            .min_by_key(|(_, checks)| checks.iter().filter(|o| o.wrong_opt.is_some()).count())
            .unwrap_or_else(|| (&missing, r.incident_checks(&missing, want)));
        let closest = match chosen.id.as_str() {
            "" => "no incident to match".to_string(),
            id => format!("closest incident {id}"),
        };
        for o in checks {
            let wrong_opt = o.wrong_opt.map(|w| format!("{w} ({closest})"));
            all.push(outcome(format!("{name}/{}", o.label), wrong_opt));
        }
    }
    for t in &fixture.forbid {
        let present = response.incidents.iter().any(|i| {
            i.temporality() == pb::Temporality::Current && (i.r#type() == *t || i.also_types().any(|a| a == *t))
        });
        all.push(outcome(format!("forbid:{}", t.as_str_name()), present.then(|| "a current incident has it".into())));
    }
    for actor in &fixture.forbid_attribution {
        let present =
            response.incidents.iter().flat_map(|i| &i.attributions).any(|a| r.named(&a.actor_entity_id, actor));
        all.push(outcome(format!("forbid_attribution:{actor}"), present.then(|| "an attribution names it".into())));
    }
    all
}

// === running fixtures ===

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `.json` files of `dir`, in name order.
fn fixture_paths(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
}

/// The fixture id: its file name without `.json`.
fn fixture_id(path: &Path) -> String {
    path.file_stem().expect("file name").to_string_lossy().into_owned()
}

fn load(path: &Path) -> Fixture {
    let json = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_fixture(&json).unwrap_or_else(|e| panic!("{} is not a fixture: {e}", path.display()))
}

fn run(pipeline: &Pipeline, fixture: &Fixture) -> Vec<Outcome> {
    let doc = Document::in_process(fixture.article.clone(), false).expect("valid fixture article");
    let response = pipeline.run(doc).expect("pipeline runs").into_response();
    outcomes(fixture, &response)
}

#[test]
fn every_fixture_gets_the_incidents_an_analyst_would_code() {
    let paths = fixture_paths(&root().join("tests/fixtures/incidents"));
    assert!(paths.len() >= 10, "fixtures missing from tests/fixtures/incidents");
    let pipeline = Pipeline::new();
    let mut failures = Vec::new();
    for path in &paths {
        let fixture = load(path);
        for o in run(&pipeline, &fixture) {
            if let Some(wrong) = o.wrong_opt {
                failures.push(format!("{} {}: {wrong}", fixture_id(path), o.label));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

// === the checker itself ===

#[test]
fn a_misspelt_key_fails_to_parse_at_any_level() {
    let good = r#"{"about": "a", "article": {"id": "a", "text": "t"},
        "incidents": [{"targets": ["a"], "impact": {"recordsAffected": 1}, "attributions": [{"actor": "b", "status": "CLAIMED"}]}],
        "forbid_attribution": ["c"]}"#;
    parse_fixture(good).expect("the unmisspelt fixture parses");
    for (good_key, bad_key) in [
        ("\"targets\"", "\"tragets\""),
        ("\"recordsAffected\"", "\"records_affected\""),
        ("\"actor\"", "\"actr\""),
        ("\"forbid_attribution\"", "\"forbid_atribution\""),
    ] {
        let bad = good.replace(good_key, bad_key);
        let error = parse_fixture(&bad).expect_err("a misspelt key is an error").to_string();
        assert!(error.contains(&format!("unknown field `{}`", bad_key.trim_matches('"'))), "{bad_key}: {error}");
    }
    let bad_enum = good.replace("CLAIMED", "CLAMED");
    assert!(parse_fixture(&bad_enum).is_err(), "a misspelt status is an error");
}

#[test]
fn an_unmet_expectation_fails_with_its_label() {
    let fixture = parse_fixture(
        r#"{"about": "a wrong target and a wrong forbid on a ransomware article",
        "article": {"id": "a", "publishedAt": "2024-03-06T09:00:00Z",
            "text": "Harbourline Regional Hospital was hit by a ransomware attack on Monday. The LockBit gang claimed responsibility."},
        "incidents": [{"type_in": ["RANSOMWARE"], "targets": ["Harbourline Regional Hospital", "Somewhere Else"]}],
        "forbid": ["RANSOMWARE"]}"#,
    )
    .expect("fixture parses");
    let outcomes = run(&Pipeline::new(), &fixture);
    let failed: Vec<&str> = outcomes.iter().filter(|o| o.wrong_opt.is_some()).map(|o| o.label.as_str()).collect();
    assert_eq!(failed, ["#0/target:Somewhere Else", "forbid:RANSOMWARE"]);
}
