//! The [`Document`]: an article and everything the stages have found in it so far.

use std::{ops::Range, time::Duration};

use tokio::time::Instant;

use super::offsets::CleanText;
use crate::pb;

/// Byte range in the cleaned text ([`Document::clean`]).
pub type CleanRange = Range<usize>;

/// The deadline of [`Document::in_process`]: far beyond any article's time.
const IN_PROCESS_DEADLINE: Duration = Duration::from_secs(24 * 60 * 60);

/// Why a request cannot be enriched: the caller's fault, reported as `INVALID_ARGUMENT`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidArticle {
    /// The request carries no article at all.
    #[error("request has no article")]
    Missing,
    /// The text is empty or only white space.
    #[error("article text is empty")]
    EmptyText,
    /// The text is over the server's size limit.
    #[error("article text is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the text in bytes.
        size: usize,
        /// The configured limit in bytes.
        limit: usize,
    },
}

/// The article flowing through the pipeline, and what each stage added to it.
#[derive(Debug, Clone)]
pub struct Document {
    /// The article as the caller sent it.
    pub article: pb::Article,
    /// Whether the response carries the cleaned text.
    pub include_clean_text: bool,
    /// When the caller stops waiting; stages do not start after it.
    pub deadline: Instant,
    /// The article body after cleanup, with its map back to `article.text`.
    pub clean: CleanText,
    /// Page furniture removed by cleanup: input byte ranges and reasons.
    pub removed: Vec<(Range<usize>, &'static str)>,
    /// Kept blocks that are not article prose (title, byline): input byte ranges and roles.
    pub marked: Vec<(Range<usize>, &'static str)>,
    /// ISO 639-1 code of the article's language, empty if unknown.
    pub language: String,
    /// Entities found, in order of first mention.
    pub entities: Vec<Entity>,
    /// Technical indicators found.
    pub indicators: Vec<Indicator>,
    /// Sentences that report an incident, found by classify.
    pub reports: Vec<Report>,
    /// Cue words classify found used in a non-cyber sense ("patch of land", "breach of
    /// contract"), in order: the type model reads past them.
    pub non_cyber: Vec<CleanRange>,
    /// Incidents assembled from the reports.
    pub incidents: Vec<Incident>,
    /// SimHash of the cleaned text.
    pub fingerprint: u64,
    /// Time spent in each stage, in pipeline order.
    pub timings: Vec<(&'static str, Duration)>,
}

impl Document {
    /// Checks a request against the size limit and wraps it for the pipeline.
    pub fn new(
        request: pb::EnrichRequest,
        max_article_bytes: usize,
        deadline: Instant,
    ) -> Result<Self, InvalidArticle> {
        let article = request.article.ok_or(InvalidArticle::Missing)?;
        if article.text.len() > max_article_bytes {
            return Err(InvalidArticle::TooLarge { size: article.text.len(), limit: max_article_bytes });
        }
        if article.text.trim().is_empty() {
            return Err(InvalidArticle::EmptyText);
        }
        Ok(Self {
            article,
            include_clean_text: request.include_clean_text,
            deadline,
            clean: CleanText::default(),
            removed: Vec::new(),
            marked: Vec::new(),
            language: String::new(),
            entities: Vec::new(),
            indicators: Vec::new(),
            reports: Vec::new(),
            non_cyber: Vec::new(),
            incidents: Vec::new(),
            fingerprint: 0,
            timings: Vec::new(),
        })
    }

    /// Wraps an article for a caller in this process: no size limit, and a deadline no
    /// in-process run reaches.
    pub fn in_process(article: pb::Article, include_clean_text: bool) -> Result<Self, InvalidArticle> {
        let request = pb::EnrichRequest { article: Some(article), include_clean_text };
        Self::new(request, usize::MAX, Instant::now() + IN_PROCESS_DEADLINE)
    }

    /// The cleaned text.
    pub fn text(&self) -> &str {
        self.clean.as_str()
    }

    /// The day the article was published, if the caller said and it is a representable date.
    pub fn published_date(&self) -> Option<chrono::NaiveDate> {
        let stamp = self.article.published_at.as_ref()?;
        chrono::DateTime::from_timestamp(stamp.seconds, 0).map(|t| t.date_naive())
    }
}

/// Something the article names.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// What kind of thing it is.
    pub kind: pb::EntityKind,
    /// Canonical name.
    pub name: String,
    /// Where it is mentioned, in order.
    pub mentions: Vec<CleanRange>,
    /// ISO 3166-1 alpha-2 code, or empty.
    pub country_code: String,
    /// Stable external id (e.g. MITRE ATT&CK), or empty.
    pub external_id: String,
    /// Finer kind from the gazetteer (a malware family's "wiper", "ransomware", ...; an
    /// actor's "apt", "hacktivist", ...), or empty. Internal: classification reads it.
    pub category: String,
}

/// A technical indicator, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// Which kind of indicator.
    pub kind: pb::IndicatorKind,
    /// The refanged, normalised value.
    pub value: String,
    /// Where it is mentioned.
    pub mentions: Vec<CleanRange>,
    /// Whether some mention was written defanged.
    pub defanged: bool,
}

/// A sentence that reports an incident of some type.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Incident type the sentence's cue words signal.
    pub kind: pb::IncidentType,
    /// The sentence.
    pub sentence: CleanRange,
    /// Whether it is the news, background or a what-if.
    pub temporality: pb::Temporality,
    /// Year the sentence places the incident in, if any.
    pub year: Option<(u16, CleanRange)>,
}

/// An incident assembled from one or more reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Best-supported type.
    pub kind: pb::IncidentType,
    /// Other types the reports signal.
    pub also: Vec<pb::IncidentType>,
    /// Probability that `kind` is right.
    pub confidence: f32,
    /// Current, historical or hypothetical.
    pub temporality: pb::Temporality,
    /// Entities by index into [`Document::entities`], with their roles.
    pub participants: Vec<(usize, pb::Role)>,
    /// When it happened ("2017"), with the evidence.
    pub occurred: Option<(String, CleanRange)>,
    /// Who is said to be behind it.
    pub attributions: Vec<Attribution>,
    /// What it did.
    pub impact: Impact,
    /// The sentences that report it.
    pub evidence: Vec<CleanRange>,
}

/// A statement that someone is behind an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    /// The actor, by index into [`Document::entities`].
    pub actor: usize,
    /// How firmly.
    pub status: pb::AttributionStatus,
    /// Who says so, if the text names them.
    pub source: Option<usize>,
    /// The words that make the statement.
    pub evidence: CleanRange,
}

/// What an incident did, as the article tells it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Impact {
    /// Sites or services went down.
    pub service_disruption: bool,
    /// Data was accessed or taken.
    pub data_compromised: bool,
    /// Someone claims data was published.
    pub data_leak_claimed: bool,
    /// The victim denies that data was taken.
    pub data_leak_denied: bool,
    /// The largest count of records, accounts or people affected.
    pub records_affected: u64,
    /// The ransom asked, as "AMOUNT CURRENCY".
    pub ransom_demand: String,
}

impl Impact {
    /// Whether the article says anything about the impact.
    pub fn is_known(&self) -> bool {
        *self != Self::default()
    }
}
