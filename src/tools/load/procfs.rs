//! CPU time and memory of a process, from Linux's `/proc`.

use std::time::Duration;

/// Clock ticks per second of the CPU times in `/proc/PID/stat`: USER_HZ, 100 on Linux.
const TICKS_PER_SECOND: u64 = 100;

/// What `/proc` says about a process at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    /// User plus system CPU time so far.
    pub(crate) cpu: Duration,
    /// Resident memory now (VmRSS), in bytes.
    pub(crate) rss: u64,
    /// Largest resident memory so far (VmHWM), in bytes.
    pub(crate) peak_rss: u64,
}

/// The usage of process `pid` (`"self"` for this one); `None` once it is gone.
pub(crate) fn usage(pid: &str) -> Option<Usage> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line; `fields` starts at field 3.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    };
    Some(Usage {
        cpu: Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND),
        rss: kib("VmRSS:"),
        peak_rss: kib("VmHWM:"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_counts_cpu() {
        let before = usage("self").expect("/proc/self exists on Linux");
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let after = usage("self").expect("still here");
        assert!(after.rss > 0 && after.peak_rss >= after.rss, "{after:?}");
        assert!(after.cpu >= before.cpu);
        assert!(usage("0").is_none(), "pid 0 has no /proc entry");
    }
}
