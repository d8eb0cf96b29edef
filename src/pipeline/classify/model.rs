//! A linear model that says which of the CASIE-covered incident types an article reports.
//!
//! Cue words find the sentences that report an incident, but labelled news says an article is
//! about a data breach or phishing in many more words than a cue list holds ("credentials",
//! "scam", "the attackers obtained"). One logistic regression per type over the article's
//! words, its title's words and the types its cues found gives each type a probability; the
//! weights are trained by `incident-enricher train` from a labelled corpus and shipped as a
//! generated TSV file (`data/type_model.tsv`).

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    sync::LazyLock,
};

use foldhash::{HashMap, HashSet, HashSetExt};

use super::super::Document;
use crate::pb::IncidentType;

/// The types the model scores, in the column order of the model file.
pub const TYPES: [IncidentType; 5] = [
    IncidentType::DataBreach,
    IncidentType::VulnerabilityDisclosure,
    IncidentType::PatchRelease,
    IncidentType::Phishing,
    IncidentType::Ransomware,
];

/// Number of types scored.
pub const N: usize = TYPES.len();

/// The model shipped with the binary.
pub static BUILTIN: LazyLock<TypeModel> =
    LazyLock::new(|| TypeModel::parse(include_str!("data/type_model.tsv")).expect("the shipped model parses"));

/// Weights per feature and type, a bias per type, and the probability above which a type is
/// reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeModel {
    /// Probability at which a type counts as reported, chosen by cross-validation.
    pub threshold: f32,
    /// Intercept per type.
    pub bias: [f32; N],
    /// Weights per feature.
    pub weights: HashMap<String, [f32; N]>,
}

/// A model file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("model line {line}: {message}")]
pub struct ModelError {
    line: usize,
    message: String,
}

/// A model file given by the user that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    /// The file cannot be read.
    #[error("cannot read type model {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a model.
    #[error("type model {path} is not valid")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and why.
        #[source]
        source: ModelError,
    },
}

/// The built-in model, or the one in `path`.
pub fn load(path: Option<&Path>) -> Result<TypeModel, ModelFileError> {
    let Some(path) = path else { return Ok(BUILTIN.clone()) };
    let text = std::fs::read_to_string(path).map_err(|source| ModelFileError::Read { path: path.into(), source })?;
    TypeModel::parse(&text).map_err(|source| ModelFileError::Parse { path: path.into(), source })
}

/// Calls `f` with each word of `text` (letters and digits with inner apostrophes and hyphens,
/// two characters or more), lower-cased and after `prefix`, built in `buffer` so that scoring
/// allocates nothing per word.
fn each_word(text: &str, prefix: &str, buffer: &mut String, mut f: impl FnMut(&str)) {
    let words = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-' || c == '\u{2019}'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().nth(1).is_some());
    for word in words {
        buffer.clear();
        buffer.push_str(prefix);
        if word.is_ascii() {
            let start = buffer.len();
            buffer.push_str(word);
            buffer[start..].make_ascii_lowercase();
        } else {
            buffer.extend(word.chars().flat_map(char::to_lowercase));
        }
        f(buffer);
    }
}

/// The words of `text`, lower-cased, as the model reads them.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, "", &mut String::new(), |w| out.push(w.to_string()));
    out
}

/// Calls `f` with each feature of a classified document: its words, its title's words (`t:`
/// prefix), and the types its cue sentences signal (`cue:` prefix), repeats included.
fn each_feature(doc: &Document, mut f: impl FnMut(&str)) {
    let mut buffer = String::new();
    each_word(doc.text(), "", &mut buffer, &mut f);
    each_word(&doc.article.title, "t:", &mut buffer, &mut f);
    for r in &doc.reports {
        buffer.clear();
        buffer.push_str("cue:");
        buffer.push_str(r.kind.as_str_name());
        f(&buffer);
    }
}

/// The features of a classified document, each once, for training.
pub fn features(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    each_feature(doc, |f| out.push(f.to_string()));
    out.sort_unstable();
    out.dedup();
    out
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl TypeModel {
    /// The probability of each type of [`TYPES`] given a document's features.
    pub fn probabilities(&self, features: &[String]) -> [f32; N] {
        let mut sum = self.bias;
        for w in features.iter().filter_map(|f| self.weights.get(f)) {
            for (s, w) in sum.iter_mut().zip(w) {
                *s += w;
            }
        }
        sum.map(sigmoid)
    }

    /// The probability of each type of [`TYPES`] for a classified document: what
    /// [`Self::probabilities`] gives for its [`features`], without collecting them.
    pub fn document_probabilities(&self, doc: &Document) -> [f32; N] {
        let mut sum = self.bias;
        // Each feature counts once: the weights' keys are distinct, so their addresses are.
        let mut seen = HashSet::new();
        each_feature(doc, |f| {
            if let Some((key, w)) = self.weights.get_key_value(f)
                && seen.insert(key.as_ptr())
            {
                for (s, w) in sum.iter_mut().zip(w) {
                    *s += w;
                }
            }
        });
        sum.map(sigmoid)
    }

    /// How strongly `text` alone speaks for type `column`: the sum of its words' weights.
    pub fn evidence(&self, text: &str, column: usize) -> f32 {
        let mut sum = 0.0;
        each_word(text, "", &mut String::new(), |w| sum += self.weights.get(w).map_or(0.0, |w| w[column]));
        sum
    }

    /// Reads a model file: `#threshold` and `#types` header lines, a `bias` row, then one row
    /// per feature, tab-separated, a weight per type.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let mut model = Self::default();
        for (i, line) in text.lines().enumerate() {
            let error = |message: String| ModelError { line: i + 1, message };
            let mut fields = line.split('\t');
            let key = fields.next().unwrap_or_default();
            match key {
                "" => {}
                "#threshold" => {
                    model.threshold =
                        fields.next().and_then(|t| t.parse().ok()).ok_or_else(|| error("bad threshold".into()))?
                }
                "#types" => {
                    let names: Vec<&str> = fields.collect();
                    let expected: Vec<&str> = TYPES.iter().map(|t| t.as_str_name()).collect();
                    if names != expected {
                        return Err(error(format!("types {names:?}, expected {expected:?}")));
                    }
                }
                _ if key.starts_with('#') => {}
                _ => {
                    let values: Vec<f32> =
                        fields.map(str::parse).collect::<Result<_, _>>().map_err(|e| error(format!("{e}")))?;
                    let row: [f32; N] =
                        values.try_into().map_err(|v: Vec<f32>| error(format!("{} weights, expected {N}", v.len())))?;
                    if key == "bias" {
                        model.bias = row;
                    } else {
                        model.weights.insert(key.to_string(), row);
                    }
                }
            }
        }
        Ok(model)
    }

    /// The model file, features sorted so that retraining gives reviewable diffs.
    pub fn to_tsv(&self, provenance: &str) -> String {
        let mut out = String::new();
        let row = |out: &mut String, key: &str, w: &[f32; N]| {
            out.push_str(key);
            for v in w {
                let _ = write!(out, "\t{v:.4}");
            }
            out.push('\n');
        };
        let _ = writeln!(out, "# Incident type model, generated by {provenance}; do not edit by hand.");
        let _ = writeln!(out, "#threshold\t{:.3}", self.threshold);
        out.push_str("#types");
        for t in TYPES {
            let _ = write!(out, "\t{}", t.as_str_name());
        }
        out.push('\n');
        row(&mut out, "bias", &self.bias);
        let mut keys: Vec<&String> = self.weights.keys().collect();
        keys.sort();
        for k in keys {
            row(&mut out, k, &self.weights[k]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_and_keep_inner_punctuation() {
        let got = words("Zero-day in “Chrome’s” PDF reader, CVE-2017-0199 (a)");
        assert_eq!(got, ["zero-day", "in", "chrome’s", "pdf", "reader", "cve-2017-0199"]);
    }

    #[test]
    fn a_written_model_reads_back() {
        let mut model = TypeModel { threshold: 0.4, bias: [-1.0, -2.0, -3.0, -4.0, -5.0], ..Default::default() };
        model.weights.insert("ransom".into(), [0.0, 0.0, 0.0, 0.0, 2.5]);
        let again = TypeModel::parse(&model.to_tsv("a test")).expect("parses");
        assert_eq!(again, model);
        let p = again.probabilities(&["ransom".into(), "unknown".into()]);
        assert!((p[4] - sigmoid(-2.5)).abs() < 1e-6 && (p[0] - sigmoid(-1.0)).abs() < 1e-6);
    }

    #[test]
    fn a_model_for_other_types_is_refused() {
        assert!(TypeModel::parse("#types\tDDOS\n").is_err());
        assert!(TypeModel::parse("bias\t1\t2\n").is_err());
    }

    #[test]
    fn scoring_a_document_equals_scoring_its_features() {
        use crate::pipeline::{
            classify::Classify,
            cleanup::Cleanup,
            entities::Entities,
            test_util::{run, step},
        };
        let text = "Hackers stole customer data in a phishing attack; the ransomware gang demanded a ransom. \
            Researchers found a vulnerability and the vendor released a patch. Phishing, phishing!";
        let doc = run(text, &[&step(&Cleanup), &step(&Entities::new()), &step(&Classify)]);
        let (direct, collected) = (BUILTIN.document_probabilities(&doc), BUILTIN.probabilities(&features(&doc)));
        assert!(direct.iter().zip(&collected).all(|(a, b)| (a - b).abs() < 1e-6), "{direct:?} {collected:?}");
    }

    #[test]
    fn the_shipped_model_parses() {
        assert!(BUILTIN.threshold > 0.0 && BUILTIN.threshold < 1.0 && !BUILTIN.weights.is_empty());
    }
}
