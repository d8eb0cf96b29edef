//! Turns a finished [`Document`] into the API's `EnrichResponse`, mapping every range of the
//! cleaned text back to code points of the caller's text.

use super::{CleanRange, Document, offsets::CodePoints};
use crate::pb;

/// The version reported in every response's provenance.
pub const SERVICE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Maps cleaned-text byte ranges to API spans.
struct Spans {
    code_points: CodePoints,
}

impl Spans {
    fn input(&self, input: std::ops::Range<usize>) -> pb::Span {
        pb::Span { start: self.code_points.of(input.start), end: self.code_points.of(input.end) }
    }
}

impl Document {
    /// The response for this document.
    pub fn into_response(self) -> pb::EnrichResponse {
        let spans = Spans { code_points: CodePoints::new(&self.article.text) };
        let clean = |r: &CleanRange| spans.input(self.cleaned.text.to_input(r.clone()));
        let entity_id = |i: usize| format!("e{i}");

        let entities = self
            .tagged
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| pb::Entity {
                id: entity_id(i),
                kind: e.kind.into(),
                name: e.name.clone(),
                mentions: e.mentions.iter().map(clean).collect(),
                country_code: e.country_code.clone(),
                external_id: e.external_id.clone(),
            })
            .collect();
        let indicators = self
            .tagged
            .indicators
            .iter()
            .map(|ind| pb::Indicator {
                kind: ind.kind.into(),
                value: ind.value.clone(),
                mentions: ind.mentions.iter().map(clean).collect(),
                defanged: ind.defanged,
            })
            .collect();
        let incidents = self
            .incidents
            .iter()
            .enumerate()
            .map(|(i, inc)| pb::Incident {
                id: format!("i{i}"),
                r#type: inc.kind.into(),
                also_types: inc.also.iter().map(|&t| t.into()).collect(),
                confidence: inc.confidence,
                temporality: inc.temporality.into(),
                participants: inc
                    .participants
                    .iter()
                    .map(|&(e, role)| pb::Participant { entity_id: entity_id(e), role: role.into() })
                    .collect(),
                attributions: inc
                    .attributions
                    .iter()
                    .map(|a| pb::Attribution {
                        actor_entity_id: entity_id(a.actor),
                        status: a.status.into(),
                        source_entity_id: a.source.map(entity_id).unwrap_or_default(),
                        evidence: Some(clean(&a.evidence)),
                    })
                    .collect(),
                occurred: inc
                    .occurred
                    .as_ref()
                    .map(|(date, at)| pb::Occurrence { date: date.clone(), evidence: Some(clean(at)) }),
                impact: inc.impact.is_known().then(|| pb::Impact {
                    service_disruption: inc.impact.service_disruption,
                    data_compromised: inc.impact.data_compromised,
                    data_leak_claimed: inc.impact.data_leak_claimed,
                    data_leak_denied: inc.impact.data_leak_denied,
                    records_affected: inc.impact.records_affected,
                    ransom_demand: inc.impact.ransom_demand.clone(),
                }),
                evidence: inc.evidence.iter().map(clean).collect(),
            })
            .collect();
        let removed = self
            .cleaned
            .removed
            .iter()
            .map(|(r, reason)| pb::Removed { span: Some(spans.input(r.clone())), reason: reason.as_str().to_string() })
            .collect();
        let marked = self
            .cleaned
            .marked
            .iter()
            .map(|(r, role)| pb::Marked { span: Some(spans.input(r.clone())), role: role.as_str().to_string() })
            .collect();

        pb::EnrichResponse {
            article_id: self.article.id.clone(),
            cleanup: Some(pb::Cleanup {
                clean_text: if self.include_clean_text { self.text().to_string() } else { String::new() },
                removed,
                marked,
                language: self.cleaned.language.clone(),
            }),
            entities,
            incidents,
            indicators,
            content_fingerprint: format!("{:016x}", self.cleaned.fingerprint),
            provenance: Some(pb::Provenance {
                service_version: SERVICE_VERSION.to_string(),
                stages: self
                    .timings
                    .iter()
                    .map(|(stage, took)| pb::StageTiming {
                        stage: stage.to_string(),
                        duration_micros: took.as_micros() as u64,
                    })
                    .collect(),
            }),
            error: None,
        }
    }
}
