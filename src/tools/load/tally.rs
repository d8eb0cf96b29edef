//! What one phase saw: answers by status code, latency histograms, late answers.

use std::time::Duration;

use hdrhistogram::Histogram;
use tonic::Code;

/// gRPC status codes: 0 (OK) to 16 (UNAUTHENTICATED).
const CODES: usize = 17;
/// Longest latency recorded exactly, in microseconds (two minutes); longer ones saturate.
const MAX_MICROS: u64 = 120_000_000;

/// Answers of one phase.
#[derive(Debug)]
pub(crate) struct Tally {
    /// Latency of the articles served (OK), in microseconds.
    pub(crate) served: Histogram<u64>,
    /// Latency of the calls shed (RESOURCE_EXHAUSTED), in microseconds.
    pub(crate) shed: Histogram<u64>,
    /// Answers by status code, indexed by its number.
    codes: [u64; CODES],
    /// Calls the bench gave up on: no answer long after their deadline.
    pub(crate) unanswered: u64,
    /// Answers that arrived later than their deadline plus the slack.
    pub(crate) late: u64,
    /// Article text served, in bytes.
    pub(crate) bytes_served: u64,
}

impl Tally {
    pub(crate) fn new() -> Self {
        let histogram = || Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("the bounds are valid");
        Self { served: histogram(), shed: histogram(), codes: [0; CODES], unanswered: 0, late: 0, bytes_served: 0 }
    }

    /// One answer with `code` after `latency`, for an article of `bytes`.
    pub(crate) fn record(&mut self, code: Code, latency: Duration, bytes: usize, late: bool) {
        self.codes[(code as usize).min(CODES - 1)] += 1;
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        match code {
            Code::Ok => {
                self.served.saturating_record(micros);
                self.bytes_served += bytes as u64;
            }
            Code::ResourceExhausted => self.shed.saturating_record(micros),
            _ => {}
        }
        self.late += u64::from(late);
    }

    /// A call that got no answer at all.
    pub(crate) fn record_unanswered(&mut self) {
        self.unanswered += 1;
        self.late += 1;
    }

    /// Answers with `code`.
    pub(crate) fn count(&self, code: Code) -> u64 {
        self.codes[(code as usize).min(CODES - 1)]
    }

    /// Calls sent: answered or not.
    pub(crate) fn sent(&self) -> u64 {
        self.codes.iter().sum::<u64>() + self.unanswered
    }

    /// Answers other than OK, RESOURCE_EXHAUSTED and DEADLINE_EXCEEDED, with their codes.
    pub(crate) fn other(&self) -> (u64, String) {
        let others: Vec<(Code, u64)> = (0..CODES)
            .map(|i| (Code::from(i as i32), self.codes[i]))
            .filter(|&(code, n)| n > 0 && !matches!(code, Code::Ok | Code::ResourceExhausted | Code::DeadlineExceeded))
            .collect();
        let names = others.iter().map(|(code, n)| format!("{n} {code:?}")).collect::<Vec<_>>().join(", ");
        (others.iter().map(|(_, n)| n).sum(), names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_code_and_keeps_latencies_apart() {
        let mut t = Tally::new();
        t.record(Code::Ok, Duration::from_millis(2), 100, false);
        t.record(Code::ResourceExhausted, Duration::from_micros(50), 100, false);
        t.record(Code::Cancelled, Duration::from_secs(2), 100, true);
        t.record_unanswered();
        assert_eq!((t.sent(), t.count(Code::Ok), t.late, t.bytes_served), (4, 1, 2, 100));
        assert_eq!(t.other(), (1, "1 Cancelled".to_string()));
        assert_eq!((t.served.len(), t.shed.len()), (1, 1));
        assert!(t.shed.max() < 60, "{}", t.shed.max());
    }
}
