//! Which failures are worth another try, and how long to wait before it.

use std::time::Duration;

use rand::Rng;
use tonic::Code;

/// A replica going away (UNAVAILABLE), one at its limit (RESOURCE_EXHAUSTED) or one too slow
/// (DEADLINE_EXCEEDED) says nothing about the article: another try may succeed. Any other code
/// is the article's own.
pub(crate) fn is_retryable(code: Code) -> bool {
    matches!(code, Code::Unavailable | Code::ResourceExhausted | Code::DeadlineExceeded)
}

/// Exponential backoff with jitter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    /// The wait before the first retry.
    pub(crate) base: Duration,
    /// The longest wait.
    pub(crate) max: Duration,
}

impl Backoff {
    /// The wait before retry number `attempt` (from 1): `base · 2^(attempt-1)`, at most `max`,
    /// of which a random half is jitter, so articles that failed together (a whole stream's
    /// window) come back spread out rather than as one burst.
    pub(crate) fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
        let ceiling = self.base.saturating_mul(factor).min(self.max);
        let half = ceiling / 2;
        half + rand::rng().random_range(Duration::ZERO..=half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_codes() {
        for code in [Code::Unavailable, Code::ResourceExhausted, Code::DeadlineExceeded] {
            assert!(is_retryable(code), "{code:?}");
        }
        for code in [Code::InvalidArgument, Code::OutOfRange, Code::Internal, Code::Unknown] {
            assert!(!is_retryable(code), "{code:?}");
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_maximum() {
        let backoff = Backoff { base: Duration::from_millis(100), max: Duration::from_secs(2) };
        for _ in 0..100 {
            let first = backoff.delay(1);
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first), "{first:?}");
            let third = backoff.delay(3);
            assert!((Duration::from_millis(200)..=Duration::from_millis(400)).contains(&third), "{third:?}");
            let late = backoff.delay(40);
            assert!((Duration::from_secs(1)..=Duration::from_secs(2)).contains(&late), "{late:?}");
        }
    }
}
