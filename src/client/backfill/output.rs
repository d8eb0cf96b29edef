//! The output and errors files: what an earlier run finished (for `--resume`), and the writer
//! that appends one JSON line per finished article.
//!
//! Exactly once rests on two facts: an article is finished only when its line is in one of the
//! two files, and a line is written whole before its newline, so a line without one is the
//! torn end of a killed run. Resuming cuts that away and skips every id on a whole line.

use std::{
    collections::{BTreeMap, HashSet},
    fs::{File, OpenOptions},
    io::{self, BufRead, BufReader, BufWriter, Write},
    path::{Path, PathBuf},
    sync::{Arc, atomic::Ordering},
};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tonic::Code;
use tracing::warn;
use xxhash_rust::xxh3::xxh3_128;

use super::{BackfillError, progress::Stats};
use crate::{cli::input::Position, pb};

/// One line of the errors file: an article that was not enriched, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorLine {
    /// The article's id; empty for input that could not be read as an article at all.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub article_id: String,
    /// The gRPC status code by name, e.g. `INVALID_ARGUMENT`.
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// The input file the article came from (`-` for standard input).
    pub input: String,
    /// Its 1-based line, for JSONL input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// How many times it was sent.
    #[serde(default)]
    pub attempts: u32,
}

impl ErrorLine {
    /// An error for the article at `position`.
    pub(crate) fn new(article_id: String, position: &Position, code: Code, message: String, attempts: u32) -> Self {
        Self {
            article_id,
            code: pb::code_name(code).to_string(),
            message,
            input: position.input.to_string(),
            line: position.line_opt,
            attempts,
        }
    }

    /// The resume key: the article id, or the position of input with none.
    fn key(&self) -> Key {
        if self.article_id.is_empty() {
            Key::position(&Position { input: self.input.as_str().into(), line_opt: self.line })
        } else {
            Key::id(&self.article_id)
        }
    }
}

/// What identifies a finished article across runs: a 128-bit hash of its id (or, for input
/// with no id, of its position), so millions of them fit in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key(u128);

impl Key {
    pub(crate) fn id(id: &str) -> Self {
        Self(xxh3_128(id.as_bytes()))
    }

    pub(crate) fn position(position: &Position) -> Self {
        // The NUL keeps positions apart from ids, which do not start with one.
        Self(xxh3_128(format!("\0{position}").as_bytes()))
    }
}

/// A line the writer appends.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// An enriched article and the bytes of its text.
    Enriched(Box<pb::EnrichResponse>, usize),
    /// An article that failed for good.
    Failed(ErrorLine),
}

/// The files of a run, ready to append to.
#[derive(Debug)]
pub(crate) struct Files {
    pub(crate) output: PathBuf,
    pub(crate) errors: PathBuf,
    /// Keys of the articles finished by earlier runs (empty unless resuming).
    pub(crate) done: HashSet<Key>,
    /// Lines in the errors file before this run.
    pub(crate) earlier_errors: u64,
}

/// Checks the output and errors files and, when resuming, reads what they hold. Without
/// `resume` an existing non-empty file is an error unless `force` empties it.
pub(crate) fn prepare(output: &Path, errors: &Path, resume: bool, force: bool) -> Result<Files, BackfillError> {
    if output == errors {
        return Err(BackfillError::SameFile);
    }
    let mut files = Files { output: output.into(), errors: errors.into(), done: HashSet::new(), earlier_errors: 0 };
    for path in [output, errors] {
        let io_error = |source| BackfillError::Io { path: path.to_path_buf(), source };
        let len = match std::fs::metadata(path) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io_error(e)),
        };
        if len > 0 && !resume && !force {
            return Err(BackfillError::OutputExists { path: path.to_path_buf() });
        }
        if force {
            File::create(path).map_err(io_error)?;
        } else {
            OpenOptions::new().create(true).append(true).open(path).map_err(io_error)?;
        }
    }
    if resume {
        scan(output, |line| Ok(Key::id(&serde_json::from_str::<OutputLine>(line)?.article_id)), &mut files.done)?;
        files.earlier_errors =
            scan(errors, |line| Ok(serde_json::from_str::<ErrorLine>(line)?.key()), &mut files.done)?;
    }
    Ok(files)
}

/// The one field of an output line resuming needs; the rest is not parsed.
#[derive(Deserialize)]
struct OutputLine {
    #[serde(rename = "articleId")]
    article_id: String,
}

/// Adds the key of every whole line of `path` to `done` and returns how many there were. A torn
/// last line (no newline: the writer was killed inside it) is cut off the file.
fn scan(
    path: &Path,
    key: impl Fn(&str) -> Result<Key, serde_json::Error>,
    done: &mut HashSet<Key>,
) -> Result<u64, BackfillError> {
    let io_error = |source| BackfillError::Io { path: path.to_path_buf(), source };
    let mut reader = BufReader::new(File::open(path).map_err(io_error)?);
    let (mut offset, mut lines) = (0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(io_error)?;
        if n == 0 {
            return Ok(lines);
        }
        if buf.last() != Some(&b'\n') {
            warn!(path = %path.display(), bytes = n, "cutting off a torn last line; its article is done again");
            OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(offset)).map_err(io_error)?;
            return Ok(lines);
        }
        lines += 1;
        let line = std::str::from_utf8(&buf).map_err(|e| io_error(io::Error::new(io::ErrorKind::InvalidData, e)))?;
        if !line.trim().is_empty() {
            let key =
                key(line).map_err(|source| BackfillError::Corrupt { path: path.to_path_buf(), line: lines, source })?;
            done.insert(key);
        }
        offset += n as u64;
    }
}

/// What the writer saw, for the summary.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Incidents in the enriched articles, by type name.
    pub(crate) incidents: BTreeMap<&'static str, u64>,
}

/// Appends every outcome from `rx` to its file until the channel closes. Lines are flushed
/// whenever no further outcome is waiting, so a crash loses at most the lines in flight.
pub(crate) fn write_all(
    files: &Files,
    mut rx: mpsc::Receiver<Outcome>,
    stats: Arc<Stats>,
) -> Result<Written, BackfillError> {
    let mut writer = Writer {
        output: Appender::open(&files.output)?,
        errors: Appender::open(&files.errors)?,
        stats,
        written: Written::default(),
    };
    loop {
        match rx.try_recv() {
            Ok(outcome) => writer.write(outcome)?,
            Err(mpsc::error::TryRecvError::Empty) => {
                writer.flush()?;
                match rx.blocking_recv() {
                    Some(outcome) => writer.write(outcome)?,
                    None => break,
                }
            }
            Err(mpsc::error::TryRecvError::Disconnected) => break,
        }
    }
    writer.flush()?;
    Ok(writer.written)
}

struct Writer {
    output: Appender,
    errors: Appender,
    stats: Arc<Stats>,
    written: Written,
}

impl Writer {
    fn write(&mut self, outcome: Outcome) -> Result<(), BackfillError> {
        match outcome {
            Outcome::Enriched(response, bytes) => {
                self.output.line(response.as_ref())?;
                for incident in &response.incidents {
                    *self.written.incidents.entry(incident.r#type().as_str_name()).or_default() += 1;
                }
                self.stats.enriched.fetch_add(1, Ordering::Relaxed);
                self.stats.bytes_done.fetch_add(bytes as u64, Ordering::Relaxed);
            }
            Outcome::Failed(line) => {
                self.errors.line(&line)?;
                self.stats.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BackfillError> {
        self.output.flush()?;
        self.errors.flush()
    }
}

/// A file lines are appended to.
struct Appender {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Appender {
    fn open(path: &Path) -> Result<Self, BackfillError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| BackfillError::Io { path: path.to_path_buf(), source })?;
        Ok(Self { path: path.to_path_buf(), out: BufWriter::new(file) })
    }

    fn line(&mut self, value: &impl Serialize) -> Result<(), BackfillError> {
        write_line(&mut self.out, value).map_err(|source| BackfillError::Io { path: self.path.clone(), source })
    }

    fn flush(&mut self) -> Result<(), BackfillError> {
        self.out.flush().map_err(|source| BackfillError::Io { path: self.path.clone(), source })
    }
}

fn write_line(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_output_is_refused_unless_resumed_or_forced() {
        let dir = tempfile::tempdir().unwrap();
        let (out, err) = (dir.path().join("out.jsonl"), dir.path().join("err.jsonl"));
        std::fs::write(&out, "{\"articleId\":\"a1\"}\n").unwrap();
        assert!(matches!(prepare(&out, &err, false, false), Err(BackfillError::OutputExists { .. })));
        assert!(matches!(prepare(&out, &out, true, false), Err(BackfillError::SameFile)));
        let files = prepare(&out, &err, true, false).expect("resumes");
        assert!(files.done.contains(&Key::id("a1")));
        let files = prepare(&out, &err, false, true).expect("forced");
        assert!(files.done.is_empty());
        assert_eq!(std::fs::metadata(&out).unwrap().len(), 0, "emptied");
    }

    #[test]
    fn resume_cuts_a_torn_last_line_and_reads_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let (out, err) = (dir.path().join("out.jsonl"), dir.path().join("err.jsonl"));
        std::fs::write(
            &out,
            "{\"articleId\":\"a1\",\"contentFingerprint\":\"00\"}\n{\"articleId\":\"a2\"}\n{\"articleId\":\"a",
        )
        .unwrap();
        let error = ErrorLine::new(
            String::new(),
            &Position { input: "in.jsonl".into(), line_opt: Some(7) },
            Code::InvalidArgument,
            "bad".into(),
            0,
        );
        std::fs::write(&err, format!("{}\n", serde_json::to_string(&error).unwrap())).unwrap();
        let files = prepare(&out, &err, true, false).expect("resumes");
        assert_eq!(files.done.len(), 3);
        assert!(files.done.contains(&Key::position(&Position { input: "in.jsonl".into(), line_opt: Some(7) })));
        assert_eq!(files.earlier_errors, 1);
        let kept = std::fs::read_to_string(&out).unwrap();
        assert!(kept.ends_with("{\"articleId\":\"a2\"}\n"), "{kept:?}");
    }

    #[test]
    fn a_corrupt_whole_line_stops_the_resume() {
        let dir = tempfile::tempdir().unwrap();
        let (out, err) = (dir.path().join("out.jsonl"), dir.path().join("err.jsonl"));
        std::fs::write(&out, "{\"articleId\":\"a1\"}\nnot json\n{\"articleId\":\"a3\"}\n").unwrap();
        let result = prepare(&out, &err, true, false);
        assert!(matches!(result, Err(BackfillError::Corrupt { line: 2, .. })), "{result:?}");
    }
}
