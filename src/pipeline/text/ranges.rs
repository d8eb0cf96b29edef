//! Ranges of the cleaned text: sentences, evidence, mentions.

use std::ops::Range;

/// The one of `ranges` that `m` lies inside, if any; `ranges` are in text order and do not
/// overlap (as sentences and evidence are).
pub(crate) fn containing<'a>(ranges: &'a [Range<usize>], m: &Range<usize>) -> Option<&'a Range<usize>> {
    let i = ranges.partition_point(|s| s.end < m.end);
    ranges.get(i).filter(|s| s.start <= m.start && m.end <= s.end)
}

/// Whether `m` lies inside one of `ranges` (see [`containing`]).
pub(crate) fn in_ranges(ranges: &[Range<usize>], m: &Range<usize>) -> bool {
    containing(ranges, m).is_some()
}

/// Whether `r` overlaps one of `sorted`, which are ordered by start and may nest, in
/// O(log n) for the usual case of ranges that do not overlap each other; none of `sorted` is
/// longer than `longest` bytes.
pub(crate) fn overlaps_any(sorted: &[Range<usize>], r: &Range<usize>, longest: usize) -> bool {
    let before_end = sorted.partition_point(|s| s.start < r.end);
    sorted[..before_end].iter().rev().take_while(|s| s.start + longest > r.start).any(|s| s.end > r.start)
}

/// Ranges sorted by start with the furthest end so far: whether one of them contains a range,
/// in O(log n), however the ranges nest.
pub(crate) struct Containing {
    starts: Vec<usize>,
    max_end: Vec<usize>,
}

impl Containing {
    pub(crate) fn new(ranges: &[Range<usize>]) -> Self {
        let mut sorted = ranges.to_vec();
        sorted.sort_unstable_by_key(|r| r.start);
        let max_end = sorted
            .iter()
            .scan(0, |end, r| {
                *end = r.end.max(*end);
                Some(*end)
            })
            .collect();
        Self { starts: sorted.iter().map(|r| r.start).collect(), max_end }
    }

    pub(crate) fn contains(&self, r: &Range<usize>) -> bool {
        let upto = self.starts.partition_point(|&s| s <= r.start);
        upto > 0 && self.max_end[upto - 1] >= r.end
    }
}
