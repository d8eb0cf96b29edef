//! The enrichment pipeline: a [`Document`] flows through `cleanup -> entities -> classify ->
//! incidents`, each stage a tower layer, wrapped by the cross-cutting layers that bound it.

pub mod classify;
pub mod cleanup;
mod deadline;
mod document;
pub mod entities;
pub mod incidents;
#[cfg(test)]
pub(crate) mod invariants;
pub mod offsets;
mod response;
mod stage;
pub(crate) mod text;
#[cfg(test)]
pub(crate) mod test_util;
#[cfg(test)]
mod tests;

use std::{path::PathBuf, sync::Arc};

use tokio::sync::Semaphore;
use tower::{
    BoxError, Service, ServiceBuilder, ServiceExt, limit::GlobalConcurrencyLimitLayer, service_fn,
    util::BoxCloneSyncService,
};

pub use deadline::{DeadlineExceeded, DeadlineLayer};
pub use document::{
    Attribution, Classified, CleanRange, Cleaned, Document, Entity, Impact, Incident, Indicator, InvalidArticle, Marked,
    Removal, Report, Tagged, TypeScore, TypeScores,
};
pub use response::SERVICE_VERSION;
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
        Self {
            cleanup: StageLayer::new(cleanup::Cleanup),
            entities: StageLayer::new(entities::Entities::with_gazetteer(gazetteer)),
            classify: StageLayer::new(classify::Classify),
            incidents: StageLayer::new(incidents::Incidents::default()),
        }
    }

    /// Builds the stages from `config`'s files; the only way the server and the CLI build them.
    pub fn load(config: &PipelineConfig) -> Result<Self, LoadError> {
        let (gazetteer, _) = entities::Gazetteer::with_files(&config.gazetteers)?;
        let model = classify::model::load(config.type_model.as_deref())?;
        Ok(Self::with_gazetteer(gazetteer).with_type_model(model))
    }

    /// Runs every stage on `doc` on this thread, for in-process callers (the CLI, training,
    /// benches, fuzzing, tests). A panicking stage costs this article only.
    pub fn run(&self, doc: Document) -> Result<Document, StageError> {
        let doc = self.cleanup.run(doc)?;
        let doc = self.entities.run(doc)?;
        let doc = self.classify.run(doc)?;
        self.incidents.run(doc)
    }

    /// Replaces the built-in incident type model, e.g. with one trained by `train`.
    pub fn with_type_model(mut self, model: classify::model::TypeModel) -> Self {
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

    /// For one-off requests: refuses work at once when `capacity` has no permit left.
    pub fn shedding(&self, capacity: Arc<Semaphore>) -> PipelineService {
        BoxCloneSyncService::new(
            ServiceBuilder::new()
                // Outermost, so the caller's deadline covers everything below.
                .layer(DeadlineLayer)
                // Full means "try elsewhere or later" (RESOURCE_EXHAUSTED), never a queue.
                .load_shed()
                // One semaphore for all connections bounds the CPU work in flight.
                .layer(GlobalConcurrencyLimitLayer::with_semaphore(capacity))
                .service(self.stages()),
        )
    }

    /// For in-process use (the CLI): no bound but the deadline.
    pub fn unlimited(&self) -> PipelineService {
        BoxCloneSyncService::new(ServiceBuilder::new().layer(DeadlineLayer).service(self.stages()))
    }

    /// For streams: waits for a permit of `capacity`. The wait is bounded, because each stream
    /// has a fixed in-flight window and HTTP/2 bounds the streams per connection.
    pub fn waiting(&self, capacity: Arc<Semaphore>) -> PipelineService {
        BoxCloneSyncService::new(
            ServiceBuilder::new()
                .layer(DeadlineLayer)
                .layer(GlobalConcurrencyLimitLayer::with_semaphore(capacity))
                .service(self.stages()),
        )
    }
}

impl Default for Pipeline {
    fn default() -> Self {
        Self::new()
    }
}
