//! Linear models that say which of the CASIE-covered incident types an article reports.
//!
//! Cue words find the sentences that report an incident, but labelled news says an article is
//! about a data breach or phishing in many more words than a cue list holds ("credentials",
//! "scam", "the attackers obtained"). Two logistic regressions per type read the article:
//! - the article model, over its words and their stems, its title's words and the types its
//!   cues found;
//! - the sentence model, over each sentence's words, stems and word pairs, trained on the sentences
//!   that hold an annotated event's arguments. Its best sentence is where the article tells of
//!   the event, which a word count over a long article dilutes.
//!
//! A stacking step weighs the article's score against its best sentence's for each type. All
//! weights are trained by `incident-enricher train` from a labelled corpus and shipped as a
//! generated TSV file (`data/type_model.tsv`).

use std::{
    path::{Path, PathBuf},
    sync::LazyLock,
};

use foldhash::{HashMap, HashSet, HashSetExt};

use crate::pb::IncidentType;
pub use crate::pipeline::weights::ModelError;
use crate::pipeline::{CleanRange, Document, TypeScore, TypeScores, weights};

/// The types the model scores, in the column order of the model file: first those whole
/// articles labelled by type teach ([`ARTICLE_TYPES`] of them), then those only short coded
/// reports do.
pub const TYPES: [IncidentType; 8] = [
    IncidentType::DataBreach,
    IncidentType::VulnerabilityDisclosure,
    IncidentType::PatchRelease,
    IncidentType::Phishing,
    IncidentType::Ransomware,
    IncidentType::Ddos,
    IncidentType::Defacement,
    IncidentType::AccountTakeover,
];

/// How many of [`TYPES`] come first and are learnt from whole articles too: the others have
/// been seen in one- and two-sentence reports only, and are not read into a long article.
pub const ARTICLE_TYPES: usize = 5;

/// Number of types scored.
pub const N: usize = TYPES.len();

/// The model shipped with the binary.
pub static BUILTIN: LazyLock<TypeModel> =
    LazyLock::new(|| TypeModel::parse(include_str!("data/type_model.tsv")).expect("the shipped model parses"));

/// Weights per feature and type, the intercepts, how the article and sentence scores combine,
/// and the probability above which each type is reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeModel {
    /// Probability at which each type counts as reported, chosen by cross-validation.
    pub threshold: [f32; N],
    /// Intercept per type of the article model.
    pub bias: [f32; N],
    /// Intercept per type of the sentence model.
    pub sentence_bias: [f32; N],
    /// How the two models' scores combine.
    pub stack: Stack,
    /// Weights per feature: the article model's, and the sentence model's (`s:` prefix).
    pub weights: HashMap<String, [f32; N]>,
}

/// Per type, the weights of the article model's log-odds and of the best sentence's in the
/// final log-odds, and an intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    /// Weight of the article model's log-odds.
    pub article: [f32; N],
    /// Weight of the best sentence's log-odds.
    pub sentence: [f32; N],
    /// Intercept.
    pub bias: [f32; N],
}

/// The article model alone, as a model file without stacking rows says.
impl Default for Stack {
    fn default() -> Self {
        Self { article: [1.0; N], sentence: [0.0; N], bias: [0.0; N] }
    }
}

/// What the model says of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// Probability of each type of [`TYPES`].
    pub probabilities: [f32; N],
    /// For each type, the sentence that speaks most for it, if the text has any.
    pub best_sentences: [Option<CleanRange>; N],
    /// For each type, the probability the sentence model gives its best sentence.
    pub sentence_probabilities: [f32; N],
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

/// Rows of the model file that are not features: no feature has an underscore, since words
/// are split at one.
const SPECIAL_ROWS: [&str; 6] = ["threshold", "bias", "sentence_bias", "stack_article", "stack_sentence", "stack_bias"];

/// Calls `f` with each word of `text` (letters and digits with inner apostrophes and hyphens,
/// two characters or more), lower-cased and after `prefix`, and then with its stem if it is
/// longer than [`STEM_CHARS`]; built in `buffer` so that scoring allocates nothing per word.
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
        // The first letters of a longer word stand for its family: "exfiltrated" and
        // "exfiltration", "credential" and "credentials".
        if let Some((cut, _)) = buffer[prefix.len()..].char_indices().nth(STEM_CHARS) {
            buffer.truncate(prefix.len() + cut);
            buffer.push(STEM_MARK);
            f(buffer);
        }
    }
}

/// Characters of a word its stem feature keeps.
const STEM_CHARS: usize = 4;

/// Ends a stem feature; words never hold it.
const STEM_MARK: char = '~';

/// Calls `f` with each feature of a classified document: its words, its title's words (`t:`
/// prefix), and the types its cue sentences signal (`cue:` prefix), repeats included.
fn each_feature(doc: &Document, mut f: impl FnMut(&str)) {
    let mut buffer = String::new();
    for piece in readable(doc, 0..doc.text().len()) {
        each_word(piece, "", &mut buffer, &mut f);
    }
    each_word(&doc.article.title, "t:", &mut buffer, &mut f);
    for r in &doc.classified.reports {
        buffer.clear();
        buffer.push_str("cue:");
        buffer.push_str(r.kind.as_str_name());
        f(&buffer);
    }
}

/// The pieces of `range` of a classified document's text outside the cue words it uses in a
/// non-cyber sense.
fn readable(doc: &Document, range: CleanRange) -> impl Iterator<Item = &str> {
    let (start, end) = (range.start, range.end);
    let first = doc.classified.non_cyber.partition_point(|s| s.end <= start);
    let skipped = doc.classified.non_cyber[first..].iter().take_while(move |s| s.start < end);
    let mut at = start;
    skipped.map(move |s| s.start.max(start)..s.end.min(end)).chain(std::iter::once(end..end)).map(move |s| {
        let piece = &doc.text()[at.min(s.start)..s.start];
        at = at.max(s.end);
        piece
    })
}

/// The prefix of the sentence model's features.
const SENTENCE: &str = "s:";

/// Calls `f` with each feature of a sentence: its words, their stems and each pair of
/// adjacent words (`s:` prefix), repeats included.
fn each_sentence_feature(text: &str, buffers: &mut [String; 3], mut f: impl FnMut(&str)) {
    let [word, previous, pair] = buffers;
    previous.clear();
    each_word(text, SENTENCE, word, |w| {
        f(w);
        if w.ends_with(STEM_MARK) {
            return;
        }
        let bare = &w[SENTENCE.len()..];
        if !previous.is_empty() {
            pair.clear();
            pair.push_str(SENTENCE);
            pair.push_str(previous);
            pair.push(' ');
            pair.push_str(bare);
            f(pair);
        }
        previous.clear();
        previous.push_str(bare);
    });
}

fn distinct(mut features: Vec<String>) -> Vec<String> {
    features.sort_unstable();
    features.dedup();
    features
}

/// The features of a classified document for the article model, each once, for training.
pub fn features(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    each_feature(doc, |f| out.push(f.to_string()));
    distinct(out)
}

/// The features of a sentence (a range of a classified document's text) for the sentence
/// model, each once, for training.
pub fn sentence_features(doc: &Document, sentence: CleanRange) -> Vec<String> {
    let mut out = Vec::new();
    let mut buffers = Default::default();
    for piece in readable(doc, sentence) {
        each_sentence_feature(piece, &mut buffers, |f| out.push(f.to_string()));
    }
    distinct(out)
}

fn add(sum: &mut [f32; N], weights: &[f32; N]) {
    for (s, w) in sum.iter_mut().zip(weights) {
        *s += w;
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl TypeModel {
    /// The log-odds of each type by the article model, given an article's [`features`].
    pub fn article_logits(&self, features: &[String]) -> [f32; N] {
        self.logits(self.bias, features)
    }

    /// The log-odds of each type by the sentence model, given a sentence's
    /// [`sentence_features`].
    pub fn sentence_logits(&self, features: &[String]) -> [f32; N] {
        self.logits(self.sentence_bias, features)
    }

    fn logits(&self, mut sum: [f32; N], features: &[String]) -> [f32; N] {
        for w in features.iter().filter_map(|f| self.weights.get(f)) {
            add(&mut sum, w);
        }
        sum
    }

    /// The probability of each type given the article model's log-odds and the highest
    /// log-odds of any sentence (the sentence model's intercept for a text without one).
    pub fn stacked(&self, article: &[f32; N], sentence: &[f32; N]) -> [f32; N] {
        std::array::from_fn(|k| {
            sigmoid(self.stack.article[k] * article[k] + self.stack.sentence[k] * sentence[k] + self.stack.bias[k])
        })
    }

    /// The probabilities of a classified document: what [`Self::stacked`] gives for its
    /// [`features`] and its sentences' [`sentence_features`], without collecting them; and
    /// each type's best sentence.
    pub fn score(&self, doc: &Document) -> Scores {
        let mut article = self.bias;
        // Each feature counts once per text: the weights' keys are distinct, so their
        // addresses are.
        let mut seen = HashSet::new();
        each_feature(doc, |f| {
            if let Some((key, w)) = self.weights.get_key_value(f)
                && seen.insert(key.as_ptr())
            {
                add(&mut article, w);
            }
        });
        let mut best = self.sentence_bias.map(|b| (b, None));
        let mut buffers = Default::default();
        for range in &doc.cleaned.sentences {
            seen.clear();
            let mut sum = self.sentence_bias;
            for piece in readable(doc, range.clone()) {
                each_sentence_feature(piece, &mut buffers, |f| {
                    if let Some((key, w)) = self.weights.get_key_value(f)
                        && seen.insert(key.as_ptr())
                    {
                        add(&mut sum, w);
                    }
                });
            }
            for ((z, at), s) in best.iter_mut().zip(sum) {
                if at.is_none() || s > *z {
                    *z = s;
                    *at = Some(range.clone());
                }
            }
        }
        let sentence = best.clone().map(|(z, _)| z);
        Scores {
            probabilities: self.stacked(&article, &sentence),
            best_sentences: best.map(|(_, at)| at),
            sentence_probabilities: sentence.map(sigmoid),
        }
    }

    /// What the model says of a classified document, for the stages after classify.
    pub fn type_scores(&self, doc: &Document) -> TypeScores {
        let scores = self.score(doc);
        let types = TYPES
            .iter()
            .zip(self.threshold)
            .zip(scores.probabilities)
            .zip(scores.best_sentences)
            .zip(scores.sentence_probabilities)
            .enumerate()
            .map(|(k, ((((&kind, threshold), probability), best_sentence), sentence_probability))| TypeScore {
                kind,
                threshold,
                probability,
                best_sentence,
                sentence_probability,
                short_reports_only: k >= ARTICLE_TYPES,
            })
            .collect();
        TypeScores { types }
    }

    /// Reads a model file: a `#types` header line, the threshold, intercept and stacking rows
    /// ([`SPECIAL_ROWS`]; without the stacking rows the article model decides alone, without
    /// the threshold row a type is reported at even odds), then one row per feature,
    /// tab-separated, a weight per type.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let mut model = Self { threshold: [0.5; N], ..Self::default() };
        weights::read(text, "#types", &TYPES.map(|t| t.as_str_name()), |key, row| match model.special_row(key) {
            Some(special) => *special = row,
            None => {
                model.weights.insert(key.to_string(), row);
            }
        })?;
        Ok(model)
    }

    /// The intercept or stacking row named `key`, if it is one of [`SPECIAL_ROWS`].
    fn special_row(&mut self, key: &str) -> Option<&mut [f32; N]> {
        Some(match key {
            "threshold" => &mut self.threshold,
            "bias" => &mut self.bias,
            "sentence_bias" => &mut self.sentence_bias,
            "stack_article" => &mut self.stack.article,
            "stack_sentence" => &mut self.stack.sentence,
            "stack_bias" => &mut self.stack.bias,
            _ => return None,
        })
    }

    /// The model file, features sorted so that retraining gives reviewable diffs.
    pub fn to_tsv(&self, provenance: &str) -> String {
        let mut out = String::new();
        let title = format!("Incident type model, generated by {provenance}");
        weights::write_header(&mut out, &title, "#types", &TYPES.map(|t| t.as_str_name()));
        // A copy without the features, to read the special rows through `special_row`.
        let mut rows = Self { weights: HashMap::default(), stack: self.stack.clone(), ..*self };
        for key in SPECIAL_ROWS {
            let values = *rows.special_row(key).expect("a special row");
            weights::write_row(&mut out, key, &values);
        }
        weights::write_features(&mut out, &self.weights);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_keep_inner_punctuation_and_give_stems() {
        let mut got = Vec::new();
        each_word("Zero-day in “Chrome’s” PDF reader, CVE-2017-0199 (a)", "", &mut String::new(), |w| {
            got.push(w.to_string())
        });
        assert_eq!(
            got,
            ["zero-day", "zero~", "in", "chrome’s", "chro~", "pdf", "reader", "read~", "cve-2017-0199", "cve-~"]
        );
    }

    #[test]
    fn sentence_features_are_words_stems_and_adjacent_pairs() {
        use crate::pipeline::test_util::{cleaned, doc};
        let doc = cleaned(doc("Hackers stole the data, hackers said."));
        assert_eq!(
            sentence_features(&doc, 0..doc.text().len()),
            [
                "s:data",
                "s:data hackers",
                "s:hackers",
                "s:hackers said",
                "s:hackers stole",
                "s:hack~",
                "s:said",
                "s:stole",
                "s:stole the",
                "s:stol~",
                "s:the",
                "s:the data"
            ]
        );
    }

    #[test]
    fn cue_words_in_a_non_cyber_sense_are_not_read() {
        use crate::pipeline::{Step, classify::Classify, test_util::through};
        let text = "Farmers planted beans on a patch of land. The vendor shipped a patch today.";
        let doc = through(Classify::NAME, text);
        let sentences = &doc.cleaned.sentences;
        let first = sentence_features(&doc, sentences[0].clone());
        assert!(!first.iter().any(|f| f.starts_with("s:patc")), "{first:?}");
        assert!(first.contains(&"s:of land".to_string()) && first.contains(&"s:beans".to_string()));
        assert!(sentence_features(&doc, sentences[1].clone()).contains(&"s:patch".to_string()));
        assert_eq!(features(&doc).iter().filter(|f| *f == "patch").count(), 1);
    }

    #[test]
    fn a_written_model_reads_back() {
        let mut model = TypeModel {
            threshold: [0.4, 0.45, 0.5, 0.3, 0.35, 0.6, 0.5, 0.25],
            bias: [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -8.0],
            sentence_bias: [-0.5; N],
            stack: Stack { article: [0.5; N], sentence: [0.25; N], bias: [0.125; N] },
            ..Default::default()
        };
        model.weights.insert("ransom".into(), [0.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0]);
        model.weights.insert("s:ransom note".into(), [0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, -1.0]);
        let again = TypeModel::parse(&model.to_tsv("a test")).expect("parses");
        assert_eq!(again, model);
        let article = again.article_logits(&["ransom".into(), "unknown".into()]);
        let sentence = again.sentence_logits(&["s:ransom note".into()]);
        assert_eq!((article[4], sentence[4]), (-2.5, 1.0));
        let p = again.stacked(&article, &sentence);
        assert!((p[4] - sigmoid(0.5 * -2.5 + 0.25 * 1.0 + 0.125)).abs() < 1e-6);
    }

    #[test]
    fn without_stacking_rows_the_article_model_decides() {
        let model =
            TypeModel::parse("bias\t1\t2\t3\t4\t5\t6\t7\t8\nsentence_bias\t9\t9\t9\t9\t9\t9\t9\t9\n").expect("parses");
        let p = model.stacked(&model.article_logits(&[]), &model.sentence_logits(&[]));
        assert!((p[0] - sigmoid(1.0)).abs() < 1e-6 && (p[4] - sigmoid(5.0)).abs() < 1e-6);
    }

    #[test]
    fn a_model_for_other_types_is_refused() {
        assert!(TypeModel::parse("#types\tDDOS\n").is_err());
        assert!(TypeModel::parse("bias\t1\t2\n").is_err());
        // A model of the five types whole articles teach, from before the others were learnt.
        let casie_only = "#types\tDATA_BREACH\tVULNERABILITY_DISCLOSURE\tPATCH_RELEASE\tPHISHING\tRANSOMWARE\n";
        assert!(TypeModel::parse(casie_only).is_err());
    }

    #[test]
    fn scoring_a_document_equals_scoring_its_features() {
        use crate::pipeline::{Step, classify::Classify, test_util::through};
        let text = "Hackers stole customer data in a phishing attack; the ransomware gang demanded a ransom. \
            Researchers found a vulnerability and the vendor released a patch. Phishing, phishing!";
        let doc = through(Classify::NAME, text);
        let sentences = &doc.cleaned.sentences;
        let scores = BUILTIN.score(&doc);
        let logits: Vec<[f32; N]> =
            sentences.iter().map(|s| BUILTIN.sentence_logits(&sentence_features(&doc, s.clone()))).collect();
        let best = std::array::from_fn(|k| logits.iter().map(|z| z[k]).fold(f32::MIN, f32::max));
        let collected = BUILTIN.stacked(&BUILTIN.article_logits(&features(&doc)), &best);
        let direct = scores.probabilities;
        assert!(direct.iter().zip(&collected).all(|(a, b)| (a - b).abs() < 1e-5), "{direct:?} {collected:?}");
        for (k, at) in scores.best_sentences.iter().enumerate() {
            let at = at.clone().expect("the text has sentences");
            let z = BUILTIN.sentence_logits(&sentence_features(&doc, at));
            assert!((z[k] - best[k]).abs() < 1e-5);
        }
    }

    #[test]
    fn the_shipped_model_parses() {
        assert!(BUILTIN.threshold.iter().all(|t| *t > 0.0 && *t < 1.0) && !BUILTIN.weights.is_empty());
    }
}
