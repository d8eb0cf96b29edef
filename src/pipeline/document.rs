//! The [`Document`]: an article and everything the stages have found in it so far.

use std::{ops::Range, time::Duration};

use tokio::time::Instant;

use super::offsets::CleanText;
use crate::pb;

/// Byte range in the cleaned text ([`Cleaned::text`]).
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
    /// The language is not one the service can read as a language.
    #[error(
        "language {value:?} names no language: give a BCP 47 tag (\"en-US\"), an ISO 639 code (\"en\", \"eng\"), \
         a language name (\"English\"), or leave it empty to detect it"
    )]
    UnknownLanguage {
        /// The value as the caller sent it.
        value: String,
    },
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
    /// What cleanup wrote: the article body and what was taken out of the page.
    pub cleaned: Cleaned,
    /// What entities wrote: who and what the article names.
    pub tagged: Tagged,
    /// What classify wrote: the sentences that report incidents and the type scores.
    pub classified: Classified,
    /// What incidents wrote: the incidents assembled from the reports.
    pub incidents: Vec<Incident>,
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
        let mut article = request.article.ok_or(InvalidArticle::Missing)?;
        if article.text.len() > max_article_bytes {
            return Err(InvalidArticle::TooLarge { size: article.text.len(), limit: max_article_bytes });
        }
        if article.text.trim().is_empty() {
            return Err(InvalidArticle::EmptyText);
        }
        article.language = super::language::code(&article.language)
            .ok_or_else(|| InvalidArticle::UnknownLanguage { value: article.language.clone() })?;
        Ok(Self {
            article,
            include_clean_text: request.include_clean_text,
            deadline,
            cleaned: Cleaned::default(),
            tagged: Tagged::default(),
            classified: Classified::default(),
            incidents: Vec::new(),
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
        self.cleaned.text.as_str()
    }

    /// The day the article was published: as the caller said, else as the page says (once
    /// cleanup has read its dateline).
    pub fn published_date(&self) -> Option<chrono::NaiveDate> {
        match &self.article.published_at {
            Some(stamp) => chrono::DateTime::from_timestamp(stamp.seconds, 0).map(|t| t.date_naive()),
            None => self.cleaned.published,
        }
    }
}

/// The cleanup stage's findings.
#[derive(Debug, Clone, Default)]
pub struct Cleaned {
    /// The article body, with its map back to `article.text`.
    pub text: CleanText,
    /// Page furniture removed: input byte ranges and why.
    pub removed: Vec<(Range<usize>, Removal)>,
    /// Kept blocks that are not article prose: input byte ranges and what they are.
    pub marked: Vec<(Range<usize>, Marked)>,
    /// ISO 639-1 code of the article's language, empty if unknown.
    pub language: String,
    /// The day the page's dateline or byline says it was published.
    pub published: Option<chrono::NaiveDate>,
    /// The sentences of the cleaned text, in order.
    pub sentences: Vec<CleanRange>,
    /// SimHash of the cleaned text: renderings of one report on several sites are close.
    pub fingerprint: u64,
}

/// Why cleanup removed part of the page; [`Removal::as_str`] gives the API's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Removal {
    /// HTML tags, comments and entities.
    Markup,
    /// Menus, breadcrumbs, "Skip to content".
    Navigation,
    /// Lists of links to other articles.
    RelatedLinks,
    /// Headlines of other stories.
    OtherHeadline,
    /// Sharing buttons and comment prompts.
    SharePrompt,
    /// Subscriptions, newsletters, advertising.
    Promotion,
    /// Appeals for donations.
    DonationAppeal,
    /// Cookie banners.
    CookieNotice,
    /// The site's addresses, e-mails and phone numbers.
    ContactDetails,
    /// Copyright lines, disclaimers, translation notices.
    Disclaimer,
    /// Credits of photos.
    PhotoCredit,
    /// The title repeated.
    DuplicateTitle,
    /// A paragraph repeated.
    DuplicateParagraph,
}

impl Removal {
    /// The reason as the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Removal::Markup => "markup",
            Removal::Navigation => "navigation",
            Removal::RelatedLinks => "related_links",
            Removal::OtherHeadline => "other_headline",
            Removal::SharePrompt => "share_prompt",
            Removal::Promotion => "promotion",
            Removal::DonationAppeal => "donation_appeal",
            Removal::CookieNotice => "cookie_notice",
            Removal::ContactDetails => "contact_details",
            Removal::Disclaimer => "disclaimer",
            Removal::PhotoCredit => "photo_credit",
            Removal::DuplicateTitle => "duplicate_title",
            Removal::DuplicateParagraph => "duplicate_paragraph",
        }
    }
}

impl std::fmt::Display for Removal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a kept block that is not article prose is; [`Marked::as_str`] gives the API's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marked {
    /// The article's headline.
    Title,
    /// Who wrote or contributed.
    Byline,
    /// When the page says it was published or updated.
    Dateline,
}

impl Marked {
    /// The role as the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Marked::Title => "title",
            Marked::Byline => "byline",
            Marked::Dateline => "dateline",
        }
    }
}

impl std::fmt::Display for Marked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The entities stage's findings.
#[derive(Debug, Clone, Default)]
pub struct Tagged {
    /// Entities found, in order of first mention.
    pub entities: Vec<Entity>,
    /// Technical indicators found.
    pub indicators: Vec<Indicator>,
}

/// The classify stage's findings.
#[derive(Debug, Clone, Default)]
pub struct Classified {
    /// Sentences that report an incident.
    pub reports: Vec<Report>,
    /// Cue words used in a non-cyber sense ("patch of land", "breach of contract"), in
    /// order: the type model reads past them.
    pub non_cyber: Vec<CleanRange>,
    /// What the type model says of the article.
    pub type_scores: TypeScores,
}

/// The type model's verdict on an article, for each type it knows, in its order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeScores {
    /// One per type the model knows.
    pub types: Vec<TypeScore>,
}

/// The type model's verdict on one type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeScore {
    /// The type.
    pub kind: pb::IncidentType,
    /// Probability at which the type counts as reported.
    pub threshold: f32,
    /// Probability that the article reports it.
    pub probability: f32,
    /// The sentence that speaks most for it, if the text has any.
    pub best_sentence: Option<CleanRange>,
    /// Probability the sentence model gives that sentence.
    pub sentence_probability: f32,
    /// Whether only short reports taught the model this type, so that it says nothing of
    /// the type in a long article.
    pub short_reports_only: bool,
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
    /// Finer kind of a named actor or malware family, where the gazetteer knows it.
    pub category: Option<Category>,
    /// Which side an unnamed group is on, by its noun; `None` for every other kind.
    pub group_role: Option<GroupRole>,
}

/// Finer kind of a named actor or malware family, as the built-in tables give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// A state-linked group.
    Apt,
    /// Hacktivists.
    Hacktivist,
    /// A criminal crew.
    Criminal,
    /// A ransomware operation or family.
    Ransomware,
    /// A wiper.
    Wiper,
    /// A remote access trojan.
    Rat,
    /// A banking trojan.
    BankingTrojan,
    /// A loader or dropper.
    Loader,
    /// A botnet.
    Botnet,
    /// An information stealer.
    Infostealer,
    /// A tool (attackers' or dual-use).
    Tool,
    /// Spyware.
    Spyware,
    /// A worm.
    Worm,
    /// Malware for industrial control systems.
    Ics,
    /// A rootkit.
    Rootkit,
    /// A cryptocurrency miner.
    Cryptominer,
    /// A DDoS tool.
    DdosTool,
    /// Known, but of no kind above.
    Other,
}

impl Category {
    /// Each category and the name the built-in tables give it.
    const NAMES: &[(Category, &'static str)] = &[
        (Category::Apt, "apt"),
        (Category::Hacktivist, "hacktivist"),
        (Category::Criminal, "criminal"),
        (Category::Ransomware, "ransomware"),
        (Category::Wiper, "wiper"),
        (Category::Rat, "rat"),
        (Category::BankingTrojan, "banking_trojan"),
        (Category::Loader, "loader"),
        (Category::Botnet, "botnet"),
        (Category::Infostealer, "infostealer"),
        (Category::Tool, "tool"),
        (Category::Spyware, "spyware"),
        (Category::Worm, "worm"),
        (Category::Ics, "ics"),
        (Category::Rootkit, "rootkit"),
        (Category::Cryptominer, "cryptominer"),
        (Category::DdosTool, "ddos_tool"),
        (Category::Other, "other"),
    ];

    /// The category a built-in table names ("banking_trojan"), if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES.iter().find(|(_, n)| *n == name).map(|&(c, _)| c)
    }

    /// The name the built-in tables give the category.
    pub fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(c, _)| *c == self).map_or("other", |&(_, n)| n)
    }
}

/// Which side of an incident an unnamed group is on, as its noun says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRole {
    /// "hackers", "a ransomware gang".
    Attacker,
    /// "customers", "patients", "the company".
    Victim,
    /// "researchers", "analysts".
    Discoverer,
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
