//! Incidents an analyst would code, checked field by field against the pipeline's output.
//!
//! Two sets of fixtures share one checker:
//! - `tests/fixtures/incidents/*.json`: articles written for the project, one per incident
//!   type, temporality and attribution status, with multi-incident articles, machine
//!   translation wording and non-cyber traps. Every expectation must hold.
//! - `tests/fixtures/examples/*.json`: the bundled examples (`examples/`), coded by an
//!   analyst. The golden files record what the pipeline says; these record what is true, so
//!   what the pipeline still gets wrong is listed in `known_failures.txt`, and the list must
//!   stay exact in both directions.
//!
//! Fixtures are typed and reject unknown keys, so a misspelt key fails the test instead of
//! silently dropping its expectation.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use incident_enricher::{
    cli::input,
    pb,
    pipeline::{Document, Pipeline},
};
use serde::Deserialize;

// === fixtures ===

/// One fixture: an article, or a reference to a bundled example, and what an analyst codes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// What the fixture is about, for the reader.
    #[allow(dead_code)]
    about: String,
    /// The article itself, in proto3 JSON.
    article: Option<pb::Article>,
    /// A bundled example under `examples/`: `articles/<file>.txt` or `articles.jsonl#<id>`.
    example: Option<String>,
    /// Each must be matched by one incident of the response.
    incidents: Vec<ExpectedIncident>,
    /// Types no current incident may have.
    #[serde(default)]
    forbid: Vec<pb::IncidentType>,
    /// Actors no incident may attribute anything to, whatever the status.
    #[serde(default)]
    forbid_attribution: Vec<String>,
    /// Incidents of a type and temporality that must not be there (duplicates, what-ifs read
    /// into the wrong type).
    #[serde(default)]
    forbid_incident: Vec<ForbiddenIncident>,
    /// Entities that must be found with their kind.
    #[serde(default)]
    entities: Vec<EntityOfKind>,
    /// Kinds an entity must not be given (a firm read as a person).
    #[serde(default)]
    forbid_entity_kind: Vec<EntityOfKind>,
}

/// An incident as an analyst codes it. Only the listed fields are checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedIncident {
    /// Names the incident in check labels; its position in `incidents` otherwise.
    label: Option<String>,
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
    #[serde(default)]
    vendors: Vec<String>,
    #[serde(default)]
    affected_products: Vec<String>,
    #[serde(default)]
    discoverers: Vec<String>,
    /// Some target belongs to this country (ISO 3166-1 alpha-2).
    target_country: Option<String>,
    #[serde(default)]
    attributions: Vec<ExpectedAttribution>,
    /// Impact fields that must have these values.
    impact: Option<ExpectedImpact>,
    /// Impact fields that must not have these values.
    impact_not: Option<ExpectedImpact>,
    /// Participants that must not have these roles in this incident.
    #[serde(default)]
    forbid_role: Vec<ForbiddenRole>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedAttribution {
    actor: String,
    status: pb::AttributionStatus,
    /// Who makes the statement, checked apart from the actor and status.
    source: Option<String>,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForbiddenRole {
    role: pb::Role,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForbiddenIncident {
    /// The main type or one of the also types.
    r#type: pb::IncidentType,
    temporality: pb::Temporality,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityOfKind {
    name: String,
    kind: pb::EntityKind,
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
        let source = |a: &pb::Attribution| match a.source_entity_id.as_str() {
            "" => String::new(),
            id => format!(" by {}", self.name(id)),
        };
        incident
            .attributions
            .iter()
            .map(|a| format!("{} {}{}", self.name(&a.actor_entity_id), a.status().as_str_name(), source(a)))
            .collect()
    }

    /// The checks of `want` that say what `incident` must have, then those that say what it
    /// must not have. The first decide which incident is meant; the second are then checked
    /// on that one, since nearly any incident lacks a wrong fact.
    fn incident_checks(&self, incident: &pb::Incident, want: &ExpectedIncident) -> (Vec<Outcome>, Vec<Outcome>) {
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
            (&want.vendors, pb::Role::Vendor, "vendor"),
            (&want.affected_products, pb::Role::AffectedProduct, "affected_product"),
            (&want.discoverers, pb::Role::Discoverer, "discoverer"),
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
            if let Some(source) = &a.source {
                let ok =
                    incident.attributions.iter().filter(by_actor).any(|got| self.named(&got.source_entity_id, source));
                must.push(outcome(format!("attribution_source:{}:{status}:{source}", a.actor), (!ok).then(wrong)));
            }
        }
        let impact = incident.impact.clone().unwrap_or_default();
        if let Some(expected) = &want.impact {
            for (key, same, got) in impact_fields(expected, &impact) {
                must.push(outcome(format!("impact.{key}"), (!same).then(|| format!("{key} = {got}"))));
            }
        }
        let mut must_not = Vec::new();
        if let Some(unwanted) = &want.impact_not {
            for (key, same, got) in impact_fields(unwanted, &impact) {
                must_not.push(outcome(format!("impact_not.{key}"), same.then(|| format!("{key} = {got}"))));
            }
        }
        for f in &want.forbid_role {
            let present = self.has_role(incident, f.role, &f.name);
            let wrong = || format!("{} {:?}", f.role.as_str_name(), self.in_role(incident, f.role));
            must_not.push(outcome(format!("forbid_role:{}:{}", f.role.as_str_name(), f.name), present.then(wrong)));
        }
        (must, must_not)
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
        let name = want.label.clone().unwrap_or_else(|| format!("#{index}"));
        // The incident meant has the listed temporality (news is not background), and of
        // those it is the one meeting most of what it must have, the first on a tie. With
        // none, the checks run on an empty incident, so they fail as the incident is missing.
        let (chosen, (must, must_not)) = response
            .incidents
            .iter()
            .filter(|i| want.temporality.is_none_or(|t| i.temporality() == t))
            .map(|i| (i, r.incident_checks(i, want)))
            .min_by_key(|(_, (must, _))| must.iter().filter(|o| o.wrong_opt.is_some()).count())
            .unwrap_or_else(|| (&missing, r.incident_checks(&missing, want)));
        let closest = match chosen.id.as_str() {
            "" => "no incident to match".to_string(),
            id => format!("closest incident {id}"),
        };
        for o in must.into_iter().chain(must_not) {
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
    for f in &fixture.forbid_incident {
        let present = response.incidents.iter().find(|i| {
            i.temporality() == f.temporality && (i.r#type() == f.r#type || i.also_types().any(|a| a == f.r#type))
        });
        all.push(outcome(
            format!("forbid_incident:{}:{}", f.r#type.as_str_name(), f.temporality.as_str_name()),
            present.map(|i| format!("incident {:?} is one", i.id)),
        ));
    }
    let entities = |name: &str| {
        let name = name.to_lowercase();
        response.entities.iter().filter(move |e| e.name.to_lowercase().contains(&name))
    };
    let kinds =
        |name: &str| entities(name).map(|e| format!("{} {}", e.name, e.kind().as_str_name())).collect::<Vec<_>>();
    for e in &fixture.entities {
        let ok = entities(&e.name).any(|got| got.kind() == e.kind);
        let wrong = || format!("entities named so: {:?}", kinds(&e.name));
        all.push(outcome(format!("entity:{}:{}", e.name, e.kind.as_str_name()), (!ok).then(wrong)));
    }
    for e in &fixture.forbid_entity_kind {
        let present = entities(&e.name).any(|got| got.kind() == e.kind);
        let wrong = || format!("entities named so: {:?}", kinds(&e.name));
        all.push(outcome(format!("forbid_entity_kind:{}:{}", e.name, e.kind.as_str_name()), present.then(wrong)));
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

/// The bundled example `reference` names (see [`Fixture::example`]).
fn example(reference: &str) -> pb::Article {
    let (file, id_opt) = match reference.split_once('#') {
        Some((file, id)) => (file, Some(id)),
        None => (reference, None),
    };
    let path = root().join("examples").join(file);
    let mut articles = input::records(&path, &Default::default())
        .unwrap_or_else(|e| panic!("example {reference}: {e}"))
        .map(|r| r.unwrap_or_else(|e| panic!("example {reference}: {e:?}")));
    match id_opt {
        Some(id) => articles.find(|a| a.id == id),
        None => articles.next(),
    }
    .unwrap_or_else(|| panic!("no example {reference}"))
}

fn article(fixture: &Fixture, path: &Path) -> pb::Article {
    match (&fixture.article, &fixture.example) {
        (Some(article), None) => article.clone(),
        (None, Some(reference)) => example(reference),
        _ => panic!("{}: give exactly one of `article` and `example`", path.display()),
    }
}

fn run(pipeline: &Pipeline, fixture: &Fixture, path: &Path) -> Vec<Outcome> {
    let doc = Document::in_process(article(fixture, path), false).expect("valid fixture article");
    let response = pipeline.run(doc).expect("pipeline runs").into_response();
    let outcomes = outcomes(fixture, &response);
    let mut seen = BTreeSet::new();
    for o in &outcomes {
        assert!(
            seen.insert(&o.label),
            "{}: two expectations labelled {:?}; give the incidents labels",
            path.display(),
            o.label
        );
    }
    outcomes
}

#[test]
fn every_fixture_gets_the_incidents_an_analyst_would_code() {
    let paths = fixture_paths(&root().join("tests/fixtures/incidents"));
    assert!(paths.len() >= 10, "fixtures missing from tests/fixtures/incidents");
    let pipeline = Pipeline::new();
    let mut failures = Vec::new();
    for path in &paths {
        let fixture = load(path);
        assert!(fixture.example.is_none(), "{}: bundled examples belong in tests/fixtures/examples", path.display());
        for o in run(&pipeline, &fixture, path) {
            if let Some(wrong) = o.wrong_opt {
                failures.push(format!("{} {}: {wrong}", fixture_id(path), o.label));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

// === bundled examples ===

/// Parses `known_failures.txt`: `<fixture id> <label> # what is wrong` per line, `#` lines
/// and blank lines ignored. The comment is required, so every entry says why it is there.
fn parse_known_failures(text: &str) -> BTreeSet<(String, String)> {
    let mut known = BTreeSet::new();
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((entry, comment)) = line.split_once(" # ") else {
            panic!("known failures line {n}: no ` # what is wrong` comment: {line}");
        };
        let Some((id, label)) = entry.trim().split_once(' ') else {
            panic!("known failures line {n}: not `<fixture id> <label>`: {line}");
        };
        assert!(!comment.trim().is_empty(), "known failures line {n}: empty comment");
        assert!(known.insert((id.to_string(), label.trim().to_string())), "known failures line {n}: listed twice");
    }
    known
}

/// What is wrong with the known-failures list against the outcomes by fixture id: failures
/// it does not list, listed ones that now pass, and listed ones no fixture has.
fn check_known(outcomes: &BTreeMap<String, Vec<Outcome>>, known: &BTreeSet<(String, String)>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut labels = BTreeSet::new();
    for (id, list) in outcomes {
        for o in list {
            let key = (id.clone(), o.label.clone());
            match (&o.wrong_opt, known.contains(&key)) {
                (Some(wrong), false) => {
                    problems.push(format!("{id} {}: fails and is not a known failure: {wrong}", o.label))
                }
                (None, true) => {
                    problems.push(format!("{id} {}: passes now; remove it from the known failures", o.label))
                }
                _ => {}
            }
            labels.insert(key);
        }
    }
    for (id, label) in known.difference(&labels) {
        problems.push(format!("{id} {label}: listed as a known failure, but no fixture has this expectation"));
    }
    problems
}

#[test]
fn bundled_examples_get_what_an_analyst_would_code_but_the_known_failures() {
    let dir = root().join("tests/fixtures/examples");
    let known_path = dir.join("known_failures.txt");
    let known = parse_known_failures(&fs::read_to_string(&known_path).expect("known_failures.txt reads"));
    let pipeline = Pipeline::new();
    let mut by_fixture = BTreeMap::new();
    for path in fixture_paths(&dir) {
        let fixture = load(&path);
        let reference = fixture.example.as_deref().unwrap_or_else(|| panic!("{}: no `example`", path.display()));
        // The fixture is named after its example, so a failure names the example too.
        let stem = reference.rsplit(['#', '/']).next().expect("split yields one").trim_end_matches(".txt");
        assert_eq!(stem, fixture_id(&path), "{}: name the fixture after its example", path.display());
        // Labels by position would change when an incident is added, and the list with them.
        assert!(
            fixture.incidents.iter().all(|i| i.label.is_some()),
            "{}: give every incident a label, the known failures refer to it",
            path.display()
        );
        by_fixture.insert(fixture_id(&path), run(&pipeline, &fixture, &path));
    }
    let mut bundled: Vec<String> = fs::read_dir(root().join("examples/articles"))
        .expect("examples/articles")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| fixture_id(&p))
        .collect();
    bundled.extend(
        input::records(&root().join("examples/articles.jsonl"), &Default::default())
            .expect("jsonl reads")
            .map(|r| r.expect("article").id),
    );
    let missing: Vec<_> = bundled.iter().filter(|id| !by_fixture.contains_key(*id)).collect();
    assert!(missing.is_empty(), "bundled examples without analyst expectations in {}: {missing:?}", dir.display());

    let problems = check_known(&by_fixture, &known);
    assert!(problems.is_empty(), "{} problems with {}:\n{}", problems.len(), known_path.display(), problems.join("\n"));
    let total: usize = by_fixture.values().map(Vec::len).sum();
    eprintln!("bundled examples: {} of {total} expectations are known failures", known.len());
}

// === the checker itself ===

#[test]
fn a_misspelt_key_fails_to_parse_at_any_level() {
    let good = r#"{"about": "a", "example": "articles.jsonl#x",
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
        r#"{"about": "a wrong target and a wrong forbid on a real ransomware article",
        "article": {"id": "a", "publishedAt": "2024-03-06T09:00:00Z",
            "text": "Harbourline Regional Hospital was hit by a ransomware attack on Monday. The LockBit gang claimed responsibility."},
        "incidents": [{"label": "current", "type_in": ["RANSOMWARE"], "targets": ["Harbourline Regional Hospital", "Somewhere Else"],
            "forbid_role": [{"role": "ATTACKER", "name": "LockBit"}]}],
        "forbid": ["RANSOMWARE"]}"#,
    )
    .expect("fixture parses");
    let outcomes = run(&Pipeline::new(), &fixture, Path::new("inline"));
    let failed: Vec<&str> = outcomes.iter().filter(|o| o.wrong_opt.is_some()).map(|o| o.label.as_str()).collect();
    assert_eq!(failed, ["current/target:Somewhere Else", "current/forbid_role:ATTACKER:LockBit", "forbid:RANSOMWARE"]);
}

#[test]
fn the_known_failures_list_must_be_exact() {
    let outcomes = BTreeMap::from([(
        "f".to_string(),
        vec![
            outcome("a".into(), Some("wrong".into())),
            outcome("b".into(), None),
            outcome("c".into(), Some("x".into())),
        ],
    )]);
    let known = parse_known_failures("# header\n\nf a # is wrong\nf b # was wrong\nf gone # no such check\n");
    let problems = check_known(&outcomes, &known);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("f b: passes now; remove it"), "{problems:?}");
    assert!(problems[1].starts_with("f c: fails and is not a known failure"), "{problems:?}");
    assert!(problems[2].starts_with("f gone: listed as a known failure, but no fixture"), "{problems:?}");
}
