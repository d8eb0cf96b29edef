//! The enrichment pipeline: a [`Document`] flows through `cleanup -> entities -> classify ->
//! incidents`, each stage a tower layer, wrapped by the cross-cutting layers that bound it.

pub mod classify;
pub mod cleanup;
mod deadline;
mod document;
pub mod entities;
pub mod incidents;
#[cfg(any(test, feature = "test-util"))]
pub mod invariants;
mod language;
pub mod offsets;
mod response;
mod stage;
#[cfg(test)]
pub(crate) mod test_util;
#[cfg(test)]
mod tests;
pub(crate) mod text;
pub mod weights;

use std::{path::PathBuf, sync::Arc};

use tokio::sync::Semaphore;
use tower::{
    BoxError, Service, ServiceBuilder, ServiceExt, limit::GlobalConcurrencyLimitLayer, load_shed::LoadShedLayer,
    service_fn, util::BoxCloneSyncService,
};

pub use deadline::{DeadlineExceeded, DeadlineLayer};
pub use document::{
    Attribution, Category, Classified, CleanRange, Cleaned, Document, Entity, GroupRole, Impact, Incident, Indicator,
    InvalidArticle, Marked, Removal, Report, Tagged, TypeScore, TypeScores,
};
pub use response::SERVICE_VERSION;
use stage::InProcess;
#[cfg(feature = "fault-injection")]
pub use stage::PANIC_IN_STAGE_ID;
pub use stage::{StageError, StageLayer, Step};

/// The pipeline with its type erased, as the server and the CLI hold it.
pub type PipelineService = BoxCloneSyncService<Document, Document, BoxError>;

/// What a pipeline is built from; the defaults are the built-in tables and model.
#[derive(Debug, Clone, Default)]
pub struct PipelineConfig {
    /// Gazetteer files (STIX 2.1 bundles, MISP galaxy clusters) that extend the built-in names.
    pub gazetteers: Vec<PathBuf>,
    /// A type model file (from `train`) that replaces the built-in one.
    pub type_model: Option<PathBuf>,
}

/// A file named in the [`PipelineConfig`] cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A gazetteer file.
    #[error(transparent)]
    Gazetteer(#[from] entities::GazetteerError),
    /// The type model file.
    #[error(transparent)]
    TypeModel(#[from] classify::model::ModelFileError),
}

/// The four stages, built once (gazetteers compiled) and shared by every request.
#[derive(Clone)]
pub struct Pipeline {
    cleanup: StageLayer<cleanup::Cleanup>,
    entities: StageLayer<entities::Entities>,
    classify: StageLayer<classify::Classify>,
    incidents: StageLayer<incidents::Incidents>,
}

impl Pipeline {
    /// Builds the stages with the built-in gazetteers.
    pub fn new() -> Self {
        Self::with_gazetteer(entities::Gazetteer::builtin())
    }

    /// Builds the stages with `gazetteer`, e.g. the built-in one extended from files.
    pub fn with_gazetteer(gazetteer: entities::Gazetteer) -> Self {
        Self::from_parts(gazetteer, classify::Classify::default())
    }

    fn from_parts(gazetteer: entities::Gazetteer, classify: classify::Classify) -> Self {
        Self {
            cleanup: StageLayer::new(cleanup::Cleanup),
            entities: StageLayer::new(entities::Entities::with_gazetteer(gazetteer)),
            classify: StageLayer::new(classify),
            incidents: StageLayer::new(incidents::Incidents::default()),
        }
    }

    /// Builds the stages from `config`'s files; the only way the server and the CLI build them.
    pub fn load(config: &PipelineConfig) -> Result<Self, LoadError> {
        let (gazetteer, _) = entities::Gazetteer::with_files(&config.gazetteers)?;
        let model = classify::model::load(config.type_model.as_deref())?;
        Ok(Self::from_parts(gazetteer, classify::Classify::new(Arc::new(model))))
    }

    /// Runs every stage on `doc` on this thread, for in-process callers (the CLI, training,
    /// benches, fuzzing, tests). A panicking stage costs this article only.
    pub fn run(&self, doc: Document) -> Result<Document, StageError> {
        self.in_order().into_iter().try_fold(doc, |doc, stage| stage.run(doc))
    }

    /// Runs the stages up to and including the one named `last`, for the stages' unit tests.
    #[cfg(test)]
    pub(crate) fn run_through(&self, doc: Document, last: &str) -> Result<Document, StageError> {
        let stages = self.in_order();
        let upto = stages.iter().position(|s| s.name() == last).expect("a stage of that name");
        stages[..=upto].iter().try_fold(doc, |doc, stage| stage.run(doc))
    }

    /// The stages in the order they run.
    fn in_order(&self) -> [&dyn InProcess; 4] {
        [&self.cleanup, &self.entities, &self.classify, &self.incidents]
    }

    /// Replaces the built-in incident type model, e.g. with one trained by `train`.
    pub fn with_type_model(mut self, model: classify::model::TypeModel) -> Self {
        self.classify = StageLayer::new(classify::Classify::new(Arc::new(model)));
        self
    }

    /// Replaces the built-in participant role model, e.g. with one trained by `train`.
    pub fn with_role_model(mut self, model: incidents::role_model::RoleModel) -> Self {
        self.incidents = StageLayer::new(incidents::Incidents::new(Arc::new(model)));
        self
    }

    /// Runs a short article through every stage, so that the patterns are compiled before the
    /// first caller arrives rather than on its time.
    pub async fn warm_up(&self) {
        const SAMPLE: &str = "Skip to content\nHackers defaced the website of Ukraine's Foreign Ministry on Friday, \
            spokesman Oleg Petrenko said. Related: earlier attacks\n";
        let article = crate::pb::Article { text: SAMPLE.into(), ..Default::default() };
        let doc = Document::in_process(article, false).expect("the warm-up sample is a valid article");
        self.unlimited().oneshot(doc).await.expect("the warm-up sample enriches");
    }

    /// The stages alone, in order, ending in a service that hands back the finished document.
    fn stages(
        &self,
    ) -> impl Service<Document, Response = Document, Error = BoxError, Future: Send> + Clone + Send + 'static {
        ServiceBuilder::new()
            .layer(self.cleanup.clone())
            .layer(self.entities.clone())
            .layer(self.classify.clone())
            .layer(self.incidents.clone())
            .service(service_fn(|doc: Document| async move { Ok::<_, BoxError>(doc) }))
    }

    /// The pipeline as a service, admitting work as `admission` says.
    pub fn service(&self, admission: Admission) -> PipelineService {
        let (shed, capacity) = match admission {
            Admission::Shed(capacity) => (true, Some(capacity)),
            Admission::Wait(capacity) => (false, Some(capacity)),
            Admission::Unbounded => (false, None),
        };
        BoxCloneSyncService::new(
            ServiceBuilder::new()
                // Outermost, so the caller's deadline covers everything below, waiting included.
                .layer(DeadlineLayer)
                // Full means "try elsewhere or later" (RESOURCE_EXHAUSTED), never a queue.
                .option_layer(shed.then(LoadShedLayer::new))
                // One semaphore for all connections bounds the CPU work in flight.
                .option_layer(capacity.map(GlobalConcurrencyLimitLayer::with_semaphore))
                .service(self.stages()),
        )
    }

    /// For one-off requests: refuses work at once when `capacity` has no permit left.
    pub fn shedding(&self, capacity: Arc<Semaphore>) -> PipelineService {
        self.service(Admission::Shed(capacity))
    }

    /// For streams: waits for a permit of `capacity`.
    pub fn waiting(&self, capacity: Arc<Semaphore>) -> PipelineService {
        self.service(Admission::Wait(capacity))
    }

    /// For in-process use: no bound but the deadline.
    pub fn unlimited(&self) -> PipelineService {
        self.service(Admission::Unbounded)
    }
}

/// How the pipeline service admits an article when the CPU work in flight is at its bound.
#[derive(Debug, Clone)]
pub enum Admission {
    /// Refuses it at once, when `capacity` has no permit left: for one-off requests.
    Shed(Arc<Semaphore>),
    /// Waits for a permit of `capacity`: for streams, whose wait is bounded because each has a
    /// fixed in-flight window and HTTP/2 bounds the streams per connection.
    Wait(Arc<Semaphore>),
    /// Admits it at once: in-process callers bound their own concurrency.
    Unbounded,
}

impl Default for Pipeline {
    fn default() -> Self {
        Self::new()
    }
}
