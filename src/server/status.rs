//! Maps every pipeline error to a gRPC status, in one place.

use std::error::Error as StdError;

use tonic::{Code, Status};
use tower::{BoxError, load_shed::error::Overloaded};
use tracing::warn;

use crate::pipeline::{DeadlineExceeded, InvalidArticle, StageError};

/// The server is shutting down and takes no new work.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("server is shutting down; retry on another replica")]
pub struct Draining;

/// The small set of outcomes a caller needs to tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorCode {
    BadArticle,
    Deadline,
    Overloaded,
    Draining,
    Internal,
}

impl ErrorCode {
    fn grpc(self) -> Code {
        match self {
            Self::BadArticle => Code::InvalidArgument,
            Self::Deadline => Code::DeadlineExceeded,
            Self::Overloaded => Code::ResourceExhausted,
            Self::Draining => Code::Unavailable,
            Self::Internal => Code::Internal,
        }
    }
}

/// True when `err` or any error in its source chain is an `E`.
fn is_caused_by<E: StdError + 'static>(err: &(dyn StdError + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.is::<E>() {
            return true;
        }
        cur = e.source();
    }
    false
}

fn classify(err: &(dyn StdError + 'static)) -> ErrorCode {
    if is_caused_by::<InvalidArticle>(err) {
        ErrorCode::BadArticle
    } else if is_caused_by::<DeadlineExceeded>(err) {
        ErrorCode::Deadline
    } else if is_caused_by::<Overloaded>(err) {
        ErrorCode::Overloaded
    } else if is_caused_by::<Draining>(err) {
        ErrorCode::Draining
    } else {
        ErrorCode::Internal
    }
}

/// The status for `err`. Internal errors are logged here with their detail; the caller gets
/// a short message.
pub fn to_status(err: &(dyn StdError + 'static), article_id: &str) -> Status {
    let code = classify(err);
    let message = match code {
        ErrorCode::Overloaded => {
            "server is at its concurrency limit; retry with backoff or on another replica".to_string()
        }
        ErrorCode::Internal => {
            warn!(article_id, error = %err, stage_error = is_caused_by::<StageError>(err), "enrichment failed");
            "internal error while enriching the article; see the server log".to_string()
        }
        _ => err.to_string(),
    };
    Status::new(code.grpc(), message)
}

/// [`to_status`] for the pipeline's boxed errors.
pub fn from_pipeline(err: BoxError, article_id: &str) -> Status {
    to_status(err.as_ref(), article_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_code() {
        let cases: Vec<(BoxError, Code)> = vec![
            (Box::new(InvalidArticle::EmptyText), Code::InvalidArgument),
            (Box::new(DeadlineExceeded), Code::DeadlineExceeded),
            (Box::new(Overloaded::new()), Code::ResourceExhausted),
            (Box::new(Draining), Code::Unavailable),
            (Box::new(StageError::Panicked { stage: "cleanup", message: "boom".into() }), Code::Internal),
        ];
        for (err, code) in cases {
            let status = from_pipeline(err, "a1");
            assert_eq!(status.code(), code, "{status:?}");
            assert!(!status.message().contains("boom"), "internal detail leaked: {status:?}");
        }
    }

    #[test]
    fn causes_are_found_down_the_source_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("wrapped")]
        struct Wrapper(#[source] DeadlineExceeded);
        assert_eq!(from_pipeline(Box::new(Wrapper(DeadlineExceeded)), "a1").code(), Code::DeadlineExceeded);
    }
}
