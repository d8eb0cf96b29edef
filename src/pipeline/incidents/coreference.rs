//! Unnamed attackers the text names: where an article describes its one named attacker by the
//! noun of an unnamed group ("the pro-Russian hacking group Killnet", "Killnet, a pro-Russian
//! group"), the unnamed attackers of that incident ("pro-Russian hackers", "the group") are
//! that actor. Their mentions become the actor's, as its evidence, and the groups are no
//! longer parties of their own, in this incident or any other.

use std::ops::Range;

use super::roles::is_attacker_group;
use crate::{
    pb::{EntityKind, Role},
    pipeline::{Entity, Incident},
};

/// Bytes an appositive's article may take between a name's comma and its group noun ("a ",
/// "the ").
const ARTICLE_BYTES: usize = 5;

/// Whether `group` and `name` are one phrase: the group's noun right before the name, or the
/// name, a comma and the group's noun after it.
fn in_apposition(text: &str, group: &Range<usize>, name: &Range<usize>) -> bool {
    let between = |a: usize, b: usize| text.get(a..b);
    let before = group.end <= name.start && between(group.end, name.start).is_some_and(|s| s == " ");
    let after = name.end < group.start
        && group.start - name.end <= 2 + ARTICLE_BYTES
        && between(name.end, group.start).is_some_and(|s| s.starts_with(", "));
    before || after
}

/// Merges, per incident, the unnamed attacker groups into the one named attacker an
/// apposition describes, and takes the merged groups out of the entities.
pub(super) fn name_described_groups(incidents: &mut [Incident], entities: &mut Vec<Entity>, text: &str) {
    // (group, actor) pairs, each group merged once.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for incident in incidents.iter() {
        let attackers = |kind: EntityKind| {
            let mut found: Vec<usize> = incident
                .participants
                .iter()
                .filter(|&&(e, role)| role == Role::Attacker && entities[e].kind == kind)
                .map(|&(e, _)| e)
                .collect();
            found.dedup();
            found
        };
        let [actor] = attackers(EntityKind::ThreatActor)[..] else { continue };
        let groups: Vec<usize> =
            attackers(EntityKind::Group).into_iter().filter(|&g| is_attacker_group(&entities[g])).collect();
        let described = groups.iter().any(|&g| {
            entities[g].mentions.iter().any(|m| entities[actor].mentions.iter().any(|n| in_apposition(text, m, n)))
        });
        if described {
            for g in groups {
                if !merged.iter().any(|&(m, _)| m == g) {
                    merged.push((g, actor));
                }
            }
        }
    }
    if merged.is_empty() {
        return;
    }
    for &(group, actor) in &merged {
        let mentions = entities[group].mentions.clone();
        let into = &mut entities[actor].mentions;
        into.extend(mentions);
        into.sort_by_key(|m| (m.start, m.end));
        into.dedup();
    }
    // Old index to new, the merged groups pointing at their actor.
    let mut kept = 0;
    let new_index: Vec<Option<usize>> = (0..entities.len())
        .map(|e| {
            let gone = merged.iter().any(|&(g, _)| g == e);
            (!gone).then(|| {
                kept += 1;
                kept - 1
            })
        })
        .collect();
    let remap = |e: usize| {
        let target = merged.iter().find(|&&(g, _)| g == e).map_or(e, |&(_, actor)| actor);
        new_index[target].expect("an actor is kept")
    };
    for incident in incidents.iter_mut() {
        let mut participants: Vec<(usize, Role)> = Vec::new();
        for &(e, role) in &incident.participants {
            let p = (remap(e), role);
            if !participants.contains(&p) {
                participants.push(p);
            }
        }
        incident.participants = participants;
        for a in &mut incident.attributions {
            a.actor = remap(a.actor);
            a.source = a.source.map(remap);
        }
        let mut seen = Vec::new();
        incident.attributions.retain(|a| {
            let key = (a.actor, a.status);
            let first = !seen.contains(&key);
            seen.push(key);
            first
        });
    }
    let mut index = 0;
    entities.retain(|_| {
        index += 1;
        new_index[index - 1].is_some()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, what: &str) -> Range<usize> {
        let start = text.find(what).expect("in text");
        start..start + what.len()
    }

    #[test]
    fn a_group_noun_beside_a_name_describes_it() {
        let text = "the pro-Vexland hacking group Zorblax said";
        assert!(in_apposition(text, &at(text, "pro-Vexland hacking group"), &at(text, "Zorblax")));
        let text = "Zorblax, a pro-Vexland group, said";
        assert!(in_apposition(text, &at(text, "pro-Vexland group"), &at(text, "Zorblax")));
        let text = "Zorblax and pro-Vexland hackers said";
        assert!(!in_apposition(text, &at(text, "pro-Vexland hackers"), &at(text, "Zorblax")));
    }
}
