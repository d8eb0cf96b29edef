//! What every enriched document keeps, whatever text it came from: each range lies inside its
//! text on character boundaries and maps back inside the caller's text, each reference names
//! an entity that exists, and the cleaned text holds no character cleanup promises to remove.
//!
//! Checked by the property tests and by the fuzz target, which turns on the `test-util`
//! feature to reach it.

use std::ops::Range;

use crate::{pb, pipeline::Document};

/// Panics, saying what and where, when a document that went through every stage breaks an
/// invariant; returns its response, checked as well.
pub fn check(doc: &Document) -> pb::EnrichResponse {
    let input = doc.article.text.as_str();
    let clean = doc.text();
    for c in clean.chars() {
        let invisible = matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}') || c.is_control();
        assert!(c == '\n' || !(invisible || c == '\u{00A0}'), "cleaned text keeps {c:?}: {clean:?}");
    }
    let in_clean = |what: &str, r: &Range<usize>| {
        assert!(
            r.start < r.end && r.end <= clean.len() && clean.is_char_boundary(r.start) && clean.is_char_boundary(r.end),
            "{what} {r:?} is empty or not on char boundaries of the {} cleaned bytes",
            clean.len()
        );
        let back = doc.cleaned.text.to_input(r.clone());
        assert!(
            back.start < back.end
                && back.end <= input.len()
                && input.is_char_boundary(back.start)
                && input.is_char_boundary(back.end),
            "{what} {r:?} maps back to {back:?}, not a non-empty range of the {} input bytes on char boundaries",
            input.len()
        );
    };
    for e in &doc.tagged.entities {
        assert!(!e.mentions.is_empty(), "entity {} without mentions", e.name);
        e.mentions.iter().for_each(|m| in_clean(&format!("mention of {}", e.name), m));
    }
    for i in &doc.tagged.indicators {
        i.mentions.iter().for_each(|m| in_clean(&format!("mention of {}", i.value), m));
    }
    for r in &doc.classified.reports {
        in_clean("report", &r.sentence);
        r.year.iter().for_each(|(_, at)| in_clean("report year", at));
    }
    let entity = |what: &str, i: usize| {
        assert!(i < doc.tagged.entities.len(), "{what} names entity {i} of {}", doc.tagged.entities.len())
    };
    for inc in &doc.incidents {
        assert!((0.0..=1.0).contains(&inc.confidence), "confidence {}", inc.confidence);
        inc.evidence.iter().for_each(|s| in_clean("evidence", s));
        inc.occurred.iter().for_each(|(_, at)| in_clean("occurrence", at));
        inc.participants.iter().for_each(|&(e, _)| entity("participant", e));
        for a in &inc.attributions {
            entity("attribution actor", a.actor);
            a.source.iter().for_each(|&s| entity("attribution source", s));
            in_clean("attribution", &a.evidence);
        }
    }
    let removed = doc.cleaned.removed.iter().map(|(r, why)| (r, why.as_str()));
    for (r, why) in removed.chain(doc.cleaned.marked.iter().map(|(r, role)| (r, role.as_str()))) {
        assert!(
            r.start < r.end && r.end <= input.len() && input.is_char_boundary(r.start) && input.is_char_boundary(r.end),
            "{why} {r:?} is empty or not on char boundaries of the {} input bytes",
            input.len()
        );
    }

    let response = doc.clone().into_response();
    let chars = input.chars().count() as u32;
    let ids: Vec<&str> = response.entities.iter().map(|e| e.id.as_str()).collect();
    let spans = response
        .entities
        .iter()
        .flat_map(|e| &e.mentions)
        .chain(response.indicators.iter().flat_map(|i| &i.mentions))
        .chain(response.incidents.iter().flat_map(|i| &i.evidence))
        .chain(response.incidents.iter().flat_map(|i| &i.attributions).filter_map(|a| a.evidence.as_ref()))
        .chain(response.incidents.iter().filter_map(|i| i.occurred.as_ref()?.evidence.as_ref()))
        .chain(response.cleanup.iter().flat_map(|c| &c.removed).filter_map(|r| r.span.as_ref()))
        .chain(response.cleanup.iter().flat_map(|c| &c.marked).filter_map(|m| m.span.as_ref()));
    for s in spans {
        assert!(s.start < s.end && s.end <= chars, "span {s:?} outside the {chars} code points of the input");
    }
    for inc in &response.incidents {
        let named =
            inc.participants.iter().map(|p| &p.entity_id).chain(inc.attributions.iter().map(|a| &a.actor_entity_id));
        let sources = inc.attributions.iter().map(|a| &a.source_entity_id).filter(|id| !id.is_empty());
        for id in named.chain(sources) {
            assert!(ids.contains(&id.as_str()), "incident {} names unknown entity {id}", inc.id);
        }
    }
    response
}
