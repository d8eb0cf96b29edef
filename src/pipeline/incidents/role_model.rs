//! A linear model that says whether a named organisation, government body, country or person
//! in an incident's sentence is its target or its attacker, from where the mention stands in
//! the clause: the words on either side ("attack on X", "X discloses", "by X", "X claims"),
//! whether it opens the sentence, its kind, and what the context rules of [`super::roles`] say
//! of it. Names themselves are no feature: a role learnt from who was hit in the training data
//! would not carry over to the next victim.
//!
//! Trained by `incident-enricher train --roles-out` on CASIE's Attacker and Victim spans and
//! the news sets' coded names, and shipped as a generated TSV file (`data/role_model.tsv`).

use std::{ops::Range, sync::LazyLock};

use foldhash::HashMap;

use super::roles::{is_origin, is_victim};
use crate::{
    pb::{EntityKind, Role},
    pipeline::{
        text,
        weights::{self, ModelError},
    },
};

/// The roles the model scores, in the column order of the model file.
pub const ROLES: [Role; 2] = [Role::Target, Role::Attacker];

/// Number of roles scored.
pub const K: usize = ROLES.len();

/// The model shipped with the binary.
pub static BUILTIN: LazyLock<RoleModel> =
    LazyLock::new(|| RoleModel::parse(include_str!("data/role_model.tsv")).expect("the shipped role model parses"));

/// Rows of the model file that are not features: features all hold a colon.
const SPECIAL_ROWS: [&str; 2] = ["threshold", "bias"];

/// Weights per feature and role, the intercepts, and the probability at which each role is
/// given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleModel {
    /// Probability at which each role is given, chosen by cross-validation.
    pub threshold: [f32; K],
    /// Intercept per role.
    pub bias: [f32; K],
    /// Weights per feature.
    pub weights: HashMap<String, [f32; K]>,
}

/// Whether an entity of `kind` takes its role from its context, and so from this model:
/// actors, malware and unnamed groups say theirs by their kind or noun.
pub fn is_candidate(kind: EntityKind) -> bool {
    matches!(kind, EntityKind::Organization | EntityKind::GovernmentBody | EntityKind::Country | EntityKind::Person)
}

/// Words on each side of a mention that the model reads one by one; further ones it reads as
/// a bag.
const NEAR_WORDS: usize = 2;

/// Words on each side of a mention the model reads at all.
const CONTEXT_WORDS: usize = 6;

/// Bytes on each side of a mention its words are read from: enough for [`CONTEXT_WORDS`]
/// words, and a bound on the work per mention in a sentence that never ends.
const CONTEXT_BYTES: usize = 96;

/// The words of `text`, lower-cased: runs of letters and digits with inner apostrophes,
/// hyphens and dots, and each comma, colon, semicolon, bracket and quotation mark.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let inner = !word.is_empty() && matches!(c, '\'' | '’' | '-' | '.');
        if c.is_alphanumeric() || inner {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            let kept = word.trim_end_matches(['\'', '’', '-', '.']).len();
            word.truncate(kept);
            out.push(std::mem::take(&mut word));
        }
        if matches!(c, ',' | ':' | ';' | '(' | ')' | '"' | '“' | '”') {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        let kept = word.trim_end_matches(['\'', '’', '-', '.']).len();
        word.truncate(kept);
        out.push(word);
    }
    out
}

/// A word without its inflection, so that "discloses", "disclosed" and "disclosing" are one
/// feature, and "notifies" and "notified" another.
fn stem(word: &str) -> &str {
    if word.chars().count() <= 4 {
        return word;
    }
    for suffix in ["ing", "ies", "ied", "ed", "es", "s"] {
        if let Some(bare) = word.strip_suffix(suffix) {
            return match suffix {
                "s" if bare.ends_with('s') => word,
                "es" if !bare.ends_with(['s', 'x', 'z']) && !bare.ends_with("ch") && !bare.ends_with("sh") => {
                    &word[..word.len() - 1]
                }
                _ => bare,
            };
        }
    }
    word
}

/// Determiners that may open a sentence before the mention that is its subject.
const DETERMINERS: [&str; 4] = ["the", "a", "an", "its"];

/// The features of a mention at `mention` of an entity of `kind` (an [`EntityKind`]'s name,
/// or [`super::unlisted::NAME`]), in the sentence at `sentence` of `text`, a short report or
/// not: a long article names many more products, people and places its tables miss, and
/// speaks of malware as code more than as its operators, so that the model learns how much
/// less likely an unlisted name or a malware family is to be a party there.
pub fn features(text: &str, sentence: &Range<usize>, mention: &Range<usize>, kind: &str, short: bool) -> Vec<String> {
    let before = text::before(text, mention.start, CONTEXT_BYTES);
    let from = (mention.start - before.len()).max(sentence.start.min(mention.start));
    let after = text::after(text, mention.end, CONTEXT_BYTES);
    let to = (mention.end + after.len()).min(sentence.end.max(mention.end));
    let left = words(&text[from..mention.start]);
    let right = words(&text[mention.end..to]);
    let mut out = vec![format!("k:{kind}")];
    if !short && matches!(kind, super::unlisted::NAME | "MALWARE") {
        out.push(format!("k:{kind} g:long"));
    }
    let first = from == sentence.start && left.iter().all(|w| DETERMINERS.contains(&w.as_str()));
    let position = if first { "first" } else { "later" };
    out.push(format!("p:{position}"));
    out.push(format!("k:{kind} p:{position}"));
    for (side, near) in [("l", left.iter().rev().collect::<Vec<_>>()), ("r", right.iter().collect())] {
        let near = &near[..near.len().min(CONTEXT_WORDS)];
        for (i, w) in near.iter().take(NEAR_WORDS).enumerate() {
            out.push(format!("{side}{}:{w}", i + 1));
            out.push(format!("{side}{}~:{}", i + 1, stem(w)));
        }
        match near {
            [] => out.push(format!("{side}:none")),
            [w] => out.push(format!("k:{kind} {side}1:{w}")),
            [w1, w2, ..] => {
                out.push(format!("k:{kind} {side}1:{w1}"));
                let pair = if side == "l" { format!("{w2} {w1}") } else { format!("{w1} {w2}") };
                out.push(format!("{side}12:{pair}"));
            }
        }
        out.extend(near.iter().skip(NEAR_WORDS).map(|w| format!("{side}b:{}", stem(w))));
    }
    if is_victim(text, mention) {
        out.push("rule:victim".to_string());
    }
    if is_origin(text, mention.start) {
        out.push("rule:origin".to_string());
    }
    let name = &text[mention.clone()];
    let words = name.split_whitespace().count();
    out.push(format!("k:{kind} n:{}", words.min(3)));
    // A capitalised word opening a sentence is as often a common word ("Many", "Hackers") as a
    // name: which word it is tells them apart.
    if first && words == 1 && kind == super::unlisted::NAME {
        out.push(format!("open:{}", name.to_lowercase()));
    }
    if name.chars().any(char::is_alphabetic) && !name.chars().any(char::is_lowercase) {
        out.push("shape:capitals".to_string());
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl RoleModel {
    /// A model that gives no role: the articles as they read before any is given.
    pub fn silent() -> Self {
        Self { threshold: [f32::INFINITY; K], ..Self::default() }
    }

    /// The probability of each of [`ROLES`] given a mention's [`features`].
    pub fn probabilities(&self, features: &[String]) -> [f32; K] {
        let mut z = self.bias;
        for w in features.iter().filter_map(|f| self.weights.get(f.as_str())) {
            for k in 0..K {
                z[k] += w[k];
            }
        }
        z.map(sigmoid)
    }

    /// The role the model gives a mention's [`features`], if any: the likelier of the roles
    /// that pass their threshold.
    pub fn role(&self, features: &[String]) -> Option<(Role, f32)> {
        let p = self.probabilities(features);
        (0..K).filter(|&k| p[k] >= self.threshold[k]).max_by(|&a, &b| p[a].total_cmp(&p[b])).map(|k| (ROLES[k], p[k]))
    }

    /// Reads a model file: a `#roles` header line, the threshold and intercept rows, then one
    /// row per feature, tab-separated, a weight per role.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let mut model = Self { threshold: [0.5; K], ..Self::default() };
        weights::read(text, "#roles", &ROLES.map(|r| r.as_str_name()), |key, row| match key {
            "threshold" => model.threshold = row,
            "bias" => model.bias = row,
            _ => {
                model.weights.insert(key.to_string(), row);
            }
        })?;
        Ok(model)
    }

    /// The model file, features sorted so that retraining gives reviewable diffs.
    pub fn to_tsv(&self, provenance: &str) -> String {
        let mut out = String::new();
        let title = format!("Participant role model, generated by {provenance}");
        weights::write_header(&mut out, &title, "#roles", &ROLES.map(|r| r.as_str_name()));
        for (key, row) in SPECIAL_ROWS.iter().zip([&self.threshold, &self.bias]) {
            weights::write_row(&mut out, key, row);
        }
        weights::write_features(&mut out, &self.weights);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features_of(text: &str, name: &str) -> Vec<String> {
        let at = text.find(name).expect("name in text");
        features(text, &(0..text.len()), &(at..at + name.len()), "ORGANIZATION", true)
    }

    #[test]
    fn words_keep_inner_punctuation_and_stand_alone_commas() {
        assert_eq!(
            words("Quelp's portal, hit by J.Crew-like \"crews\"."),
            ["quelp's", "portal", ",", "hit", "by", "j.crew-like", "\"", "crews", "\""]
        );
    }

    #[test]
    fn stems_join_the_forms_of_a_verb() {
        for (a, b) in
            [("discloses", "disclosed"), ("notifies", "notified"), ("suffers", "suffered"), ("hacks", "hacking")]
        {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        assert_eq!(stem("access"), "access");
        assert_eq!(stem("hit"), "hit");
    }

    #[test]
    fn a_mention_is_read_by_its_place_in_the_clause() {
        let subject = features_of("Quelp Bank discloses a breach.", "Quelp Bank");
        for f in ["p:first", "r1:discloses", "r1~:disclos", "r12:discloses a", "l:none", "k:ORGANIZATION"] {
            assert!(subject.iter().any(|x| x == f), "{f} in {subject:?}");
        }
        let object = features_of("Hackers hit the portal of Quelp Bank, a lender.", "Quelp Bank");
        for f in ["p:later", "l1:of", "l12:portal of", "lb:hacker", "r1:,", "rule:victim"] {
            assert!(object.iter().any(|x| x == f), "{f} in {object:?}");
        }
        // The name itself is never read.
        assert!(!object.iter().any(|f| f.contains("quelp")), "{object:?}");
    }

    #[test]
    fn a_model_reads_back_and_gives_the_likelier_role_past_its_threshold() {
        let mut model = RoleModel { threshold: [0.5, 0.6], bias: [-1.0, -1.0], ..Default::default() };
        model.weights.insert("r1:discloses".into(), [3.0, 0.5]);
        model.weights.insert("l1:by".into(), [0.0, 2.0]);
        let back = RoleModel::parse(&model.to_tsv("a test")).expect("parses");
        assert_eq!(back, model);
        let f = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(model.role(&f(&["r1:discloses"])).map(|(r, _)| r), Some(Role::Target));
        assert_eq!(model.role(&f(&["l1:by"])).map(|(r, _)| r), Some(Role::Attacker));
        assert_eq!(model.role(&f(&["l1:of"])), None);
    }

    #[test]
    fn the_shipped_model_parses_and_knows_both_roles() {
        assert!(BUILTIN.weights.len() > 100);
        let victim = features_of("Quelp Bank discloses a ransomware attack.", "Quelp Bank");
        let claimer = features_of("Quelp Crew claims responsibility for the attack on the port.", "Quelp Crew");
        assert_eq!(BUILTIN.role(&victim).map(|(r, _)| r), Some(Role::Target));
        assert_ne!(BUILTIN.role(&claimer).map(|(r, _)| r), Some(Role::Target));
    }
}
