//! Reads more names at start-up: STIX 2.1 bundles (as MITRE ATT&CK's `enterprise-attack.json`)
//! and MISP galaxy cluster files.

use std::{fs, path::Path};

use serde_json::Value;

use crate::{pb::EntityKind, pipeline::Category};

/// A named thing from a file, with all its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cluster {
    pub(super) kind: EntityKind,
    pub(super) name: String,
    pub(super) aliases: Vec<String>,
    pub(super) country_code: String,
    pub(super) external_id: String,
    /// The file's own id for it (a MISP galaxy UUID, a STIX id), or empty.
    pub(super) uuid: String,
    /// The finer kind its galaxy implies ("ransomware", "rat"), if any.
    pub(super) category: Option<Category>,
    /// The MISP galaxy's type ("ransomware", "mitre-intrusion-set"), or empty for STIX.
    pub(super) galaxy: String,
}

/// A gazetteer file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("gazetteer {path}: {problem}")]
pub struct GazetteerError {
    /// The file.
    pub path: String,
    /// What is wrong with it.
    pub problem: String,
}

/// The clusters of the STIX bundle or MISP galaxy file at `path`.
pub(super) fn read(path: &Path) -> Result<Vec<Cluster>, GazetteerError> {
    let fail = |problem: String| GazetteerError { path: path.display().to_string(), problem };
    let bytes = fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| fail(format!("not JSON: {e}")))?;
    if json.get("type").and_then(Value::as_str) == Some("bundle") {
        stix(&json).map_err(fail)
    } else if json.get("values").is_some() {
        misp(&json).map_err(fail)
    } else {
        Err(fail("neither a STIX 2.1 bundle (\"type\": \"bundle\") nor a MISP galaxy cluster file (\"values\")".into()))
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// STIX 2.1: intrusion sets and threat actors, malware and tools, identities.
fn stix(bundle: &Value) -> Result<Vec<Cluster>, String> {
    let objects = bundle.get("objects").and_then(Value::as_array).ok_or("bundle has no \"objects\" array")?;
    let mut out = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let kind = match object.get("type").and_then(Value::as_str) {
            Some("intrusion-set" | "threat-actor") => EntityKind::ThreatActor,
            Some("malware" | "tool") => EntityKind::Malware,
            Some("identity") => EntityKind::Organization,
            Some(_) => continue,
            None => return Err(format!("object {i} has no \"type\"")),
        };
        let revoked = object.get("revoked").and_then(Value::as_bool) == Some(true)
            || object.get("x_mitre_deprecated").and_then(Value::as_bool) == Some(true);
        if revoked {
            continue;
        }
        let name = object
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("object {i} ({kind:?}) has no \"name\""))?;
        let mut aliases = strings(object.get("aliases"));
        aliases.extend(strings(object.get("x_mitre_aliases")));
        let references = object.get("external_references").and_then(Value::as_array);
        let external_id = references
            .into_iter()
            .flatten()
            .find(|r| r.get("source_name").and_then(Value::as_str) == Some("mitre-attack"))
            .or_else(|| references.into_iter().flatten().find(|r| r.get("external_id").is_some()))
            .and_then(|r| r.get("external_id")?.as_str())
            .unwrap_or_default()
            .to_string();
        let uuid = object.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        out.push(Cluster {
            kind,
            name: name.to_string(),
            aliases,
            country_code: String::new(),
            external_id,
            uuid,
            category: None,
            galaxy: String::new(),
        });
    }
    Ok(out)
}

/// MISP galaxy clusters: the galaxy's `type` says what its values are.
fn misp(galaxy: &Value) -> Result<Vec<Cluster>, String> {
    let galaxy_type = galaxy.get("type").and_then(Value::as_str).unwrap_or_default();
    let category = misp_category(galaxy_type);
    let kind = misp_kind(galaxy_type).ok_or_else(|| {
        format!(
            "galaxy type {galaxy_type:?} is not one of threat actors, intrusion sets, activity groups, malware \
             (Malpedia, Android, RATs, stealers, botnets, backdoors, exploit kits), ransomware or tools"
        )
    })?;
    let values = galaxy.get("values").and_then(Value::as_array).ok_or("\"values\" is not an array")?;
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let raw =
            value.get("value").and_then(Value::as_str).ok_or_else(|| format!("value {i} has no \"value\" string"))?;
        let meta = value.get("meta");
        let external_id =
            meta.and_then(|m| m.get("external_id")).and_then(Value::as_str).unwrap_or_default().to_string();
        // ATT&CK galaxies write "APT28 - G0007".
        let name = raw.strip_suffix(&format!(" - {external_id}")).filter(|_| !external_id.is_empty()).unwrap_or(raw);
        let country_code = meta
            .and_then(|m| m.get("country"))
            .and_then(Value::as_str)
            .filter(|c| c.len() == 2 && c.chars().all(|c| c.is_ascii_alphabetic()))
            .unwrap_or_default()
            .to_ascii_uppercase();
        let aliases = strings(meta.and_then(|m| m.get("synonyms")));
        let uuid = value.get("uuid").and_then(Value::as_str).unwrap_or_default().to_string();
        out.push(Cluster {
            kind,
            name: name.to_string(),
            aliases,
            country_code,
            external_id,
            uuid,
            category,
            galaxy: galaxy_type.to_string(),
        });
    }
    Ok(out)
}

/// The finer kind a galaxy's name says all its clusters are.
fn misp_category(galaxy_type: &str) -> Option<Category> {
    const CATEGORIES: &[(&str, Category)] = &[
        ("ransomware", Category::Ransomware),
        ("rat", Category::Rat),
        ("stealer", Category::Infostealer),
        ("botnet", Category::Botnet),
        ("banker", Category::BankingTrojan),
        ("exploit-kit", Category::Tool),
        ("tool", Category::Tool),
    ];
    let named = |t: &str| galaxy_type == t || galaxy_type.strip_suffix(t).is_some_and(|rest| rest.ends_with('-'));
    CATEGORIES.iter().find(|(t, _)| named(t)).map(|&(_, c)| c)
}

fn misp_kind(galaxy_type: &str) -> Option<EntityKind> {
    const ACTORS: &[&str] = &["threat-actor", "intrusion-set", "actor", "activity-group"];
    const MALWARE: &[&str] = &[
        "malware",
        "ransomware",
        "tool",
        "rat",
        "stealer",
        "botnet",
        "backdoor",
        "banker",
        "exploit-kit",
        "android",
        "malpedia",
    ];
    if ACTORS.iter().any(|t| galaxy_type.contains(t)) {
        Some(EntityKind::ThreatActor)
    } else if MALWARE.iter().any(|t| galaxy_type.contains(t)) {
        Some(EntityKind::Malware)
    } else {
        None
    }
}
