//! `enrich --summary`: each incident as one line a person reads at a glance ("DDOS · current ·
//! 2024-03-11 · attacker Killnet (claimed) · targets Lithuania"), for a look at what came out
//! without a script.

use crate::pb::{self, Role};

/// The lines of one response: one per incident, each after the article's id; one saying there
/// are none, or why the article was not enriched.
pub fn lines(response: &pb::EnrichResponse) -> Vec<String> {
    let id = &response.article_id;
    if let Some(error) = &response.error {
        return vec![format!("{id}  not enriched: {} {}", error.code().as_str_name(), error.message)];
    }
    if response.incidents.is_empty() {
        return vec![format!("{id}  no incidents")];
    }
    response.incidents.iter().map(|incident| format!("{id}  {}", incident_line(response, incident))).collect()
}

fn incident_line(response: &pb::EnrichResponse, incident: &pb::Incident) -> String {
    let name = |entity_id: &str| {
        response.entities.iter().find(|e| e.id == entity_id).map_or_else(|| entity_id.to_string(), |e| e.name.clone())
    };
    let mut types = vec![incident.r#type().as_str_name().to_string()];
    types.extend(incident.also_types().map(|t| t.as_str_name().to_string()));
    let mut parts = vec![
        types.join("+"),
        incident.temporality().as_str_name().to_lowercase(),
        incident.occurred.as_ref().map_or_else(|| "undated".to_string(), |o| o.date.clone()),
    ];
    // Attackers as the text names them and those it attributes the incident to, each with what
    // is said of it: "Russia (alleged, denied)".
    let statuses = |entity_id: &str| -> Vec<String> {
        let said = incident.attributions.iter().filter(|a| a.actor_entity_id == entity_id);
        said.map(|a| a.status().as_str_name().to_lowercase()).collect()
    };
    let role = |role: Role| -> Vec<&str> {
        incident.participants.iter().filter(|p| p.role() == role).map(|p| p.entity_id.as_str()).collect()
    };
    let mut attackers = role(Role::Attacker);
    for a in &incident.attributions {
        if !attackers.contains(&a.actor_entity_id.as_str()) {
            attackers.push(&a.actor_entity_id);
        }
    }
    let described = |ids: &[&str]| {
        let described = ids.iter().map(|id| match statuses(id).join(", ") {
            said if said.is_empty() => name(id),
            said => format!("{} ({said})", name(id)),
        });
        described.collect::<Vec<_>>().join(", ")
    };
    let attacker_label = if attackers.len() > 1 { "attackers" } else { "attacker" };
    for (label, ids) in [(attacker_label, attackers), ("targets", role(Role::Target)), ("using", role(Role::Tool))] {
        if !ids.is_empty() {
            parts.push(format!("{label} {}", described(&ids)));
        }
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::AttributionStatus;

    fn entity(id: &str, name: &str) -> pb::Entity {
        pb::Entity { id: id.into(), name: name.into(), ..Default::default() }
    }

    #[test]
    fn an_incident_reads_as_one_line() {
        let incident = pb::Incident {
            r#type: pb::IncidentType::Ddos.into(),
            temporality: pb::Temporality::Current.into(),
            participants: vec![
                pb::Participant { entity_id: "e0".into(), role: Role::Attacker.into() },
                pb::Participant { entity_id: "e1".into(), role: Role::Target.into() },
                pb::Participant { entity_id: "e2".into(), role: Role::Target.into() },
            ],
            attributions: vec![
                pb::Attribution {
                    actor_entity_id: "e0".into(),
                    status: AttributionStatus::Claimed.into(),
                    ..Default::default()
                },
                pb::Attribution {
                    actor_entity_id: "e3".into(),
                    status: AttributionStatus::Denied.into(),
                    ..Default::default()
                },
            ],
            occurred: Some(pb::Occurrence { date: "2024-03-11".into(), ..Default::default() }),
            ..Default::default()
        };
        let response = pb::EnrichResponse {
            article_id: "a1".into(),
            entities: vec![
                entity("e0", "Killnet"),
                entity("e1", "Vilnius Airport"),
                entity("e2", "LTG"),
                entity("e3", "Russia"),
            ],
            incidents: vec![incident],
            ..Default::default()
        };
        assert_eq!(
            lines(&response),
            [
                "a1  DDOS · current · 2024-03-11 · attackers Killnet (claimed), Russia (denied) · targets Vilnius Airport, LTG"
            ]
        );
    }

    #[test]
    fn articles_without_incidents_or_enrichment_say_so() {
        let none = pb::EnrichResponse { article_id: "a2".into(), ..Default::default() };
        assert_eq!(lines(&none), ["a2  no incidents"]);
        let failed = pb::EnrichResponse {
            article_id: "a3".into(),
            error: Some(pb::Error {
                code: pb::error::Code::InvalidArgument.into(),
                message: "article text is empty".into(),
            }),
            ..Default::default()
        };
        assert_eq!(lines(&failed), ["a3  not enriched: INVALID_ARGUMENT article text is empty"]);
    }
}
