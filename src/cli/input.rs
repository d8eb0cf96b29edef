//! Reads articles from files: `.txt` articles, directories of them, JSONL of `Article` in proto3
//! JSON (plain or gzip-compressed), or JSONL on standard input (`-`, plain or gzip).
//!
//! JSONL is read as archives write it: fields an `Article` does not have are ignored (one
//! warning per run names them) unless reading is strict, and `publishedAt` may be a bare date
//! (midnight UTC) or a time without a zone (UTC) besides RFC 3339.

use std::{
    collections::BTreeSet,
    fmt,
    fs::File,
    io::{self, BufRead, BufReader, Read},
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use flate2::read::MultiGzDecoder;
use serde_json::Value;
use tracing::warn;

use crate::pb;

/// How inputs are read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Refuse JSONL fields an `Article` does not have, instead of ignoring them.
    pub strict: bool,
    /// The publication time of `.txt` articles, which carry none of their own.
    pub published_at_opt: Option<pbjson_types::Timestamp>,
    /// The fields ignored so far, for one warning at the end of the run.
    ignored: Arc<Mutex<BTreeSet<String>>>,
}

impl ReadOptions {
    /// Reading that is `strict` or not, dating `.txt` articles at `published_at_opt`.
    pub fn new(strict: bool, published_at_opt: Option<pbjson_types::Timestamp>) -> Self {
        Self { strict, published_at_opt, ignored: Arc::default() }
    }

    /// Logs, once, the JSONL fields that were ignored, if any.
    pub fn warn_ignored(&self) {
        let ignored = self.ignored.lock().unwrap_or_else(|e| e.into_inner());
        if !ignored.is_empty() {
            let fields = ignored.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
            warn!(%fields, "ignored JSONL fields that an Article does not have (--strict-input refuses them)");
        }
    }
}

/// The fields of an `Article` in proto3 JSON, under both the JSON and the proto names.
const ARTICLE_FIELDS: [&str; 7] = ["id", "text", "title", "url", "publishedAt", "published_at", "language"];

/// `value` as proto3 JSON's RFC 3339, from the forms archives write: RFC 3339 itself, a bare
/// date (midnight UTC) or a date and time without a zone (UTC), with a `T` or a space between.
pub fn published_at(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.len() == 10
        && let Ok(day) = NaiveDate::parse_from_str(v, "%Y-%m-%d")
    {
        return Ok(format!("{day}T00:00:00Z"));
    }
    let v = match v.as_bytes().get(10) {
        Some(b' ' | b't') => format!("{}T{}", &v[..10], &v[11..]),
        _ => v.to_string(),
    };
    if DateTime::parse_from_rfc3339(&v).is_ok() {
        return Ok(v);
    }
    if let Ok(time) = NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(time.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
    Err(format!(
        "publishedAt {value:?} is not a time: give RFC 3339 (\"2024-03-15T12:00:00Z\", \"2024-03-15T12:00:00+01:00\") \
         or a date (\"2024-03-15\", read as midnight UTC)"
    ))
}

/// `value` (as [`published_at`] reads it) as a protobuf timestamp.
pub fn timestamp(value: &str) -> Result<pbjson_types::Timestamp, String> {
    let rfc3339 = published_at(value)?;
    let time = DateTime::parse_from_rfc3339(&rfc3339).map_err(|e| format!("{value:?}: {e}"))?;
    Ok(pbjson_types::Timestamp { seconds: time.timestamp(), nanos: time.timestamp_subsec_nanos() as i32 })
}

/// Reads one JSONL line as an article; on failure, why, and the line's own `id` if it has one.
fn article(line: &str, options: &ReadOptions) -> Result<pb::Article, (String, Option<String>)> {
    let mut value: Value = serde_json::from_str(line).map_err(|e| {
        // The line is one JSON text: its own line number is always 1, so only the column tells.
        let problem = e.to_string();
        let problem = problem.rsplit_once(" at line ").map_or(problem.as_str(), |(p, _)| p);
        (format!("not JSON: {problem} at column {}", e.column()), None)
    })?;
    let Some(object) = value.as_object_mut() else {
        return Err(("not an Article in proto3 JSON: not a JSON object".into(), None));
    };
    let id_opt = object.get("id").and_then(Value::as_str).filter(|id| !id.is_empty()).map(str::to_string);
    let fail = |message: String| (message, id_opt.clone());
    let unknown: Vec<String> = object.keys().filter(|k| !ARTICLE_FIELDS.contains(&k.as_str())).cloned().collect();
    if !unknown.is_empty() {
        if options.strict {
            return Err(fail(format!(
                "unknown field {} (an Article has {}; without --strict-input such fields are ignored)",
                unknown.join(", "),
                ARTICLE_FIELDS.join(", ")
            )));
        }
        for key in &unknown {
            object.remove(key);
        }
        options.ignored.lock().unwrap_or_else(|e| e.into_inner()).extend(unknown);
    }
    for key in ["publishedAt", "published_at"] {
        if let Some(Value::String(stamp)) = object.get_mut(key) {
            *stamp = published_at(stamp).map_err(fail)?;
        }
    }
    serde_json::from_value(value).map_err(|e| fail(format!("not an Article in proto3 JSON: {e}")))
}

/// A record that is not an article: its position and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord {
    /// Where it is: `file` or `file:line`; used as the article id of its error response.
    pub id: String,
    /// What is wrong.
    pub message: String,
    /// The record's own `id`, when it has one although the rest cannot be read.
    pub article_id_opt: Option<String>,
}

/// A file that cannot be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}")]
pub struct InputError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
}

/// One record of an input: an article or the reason it is not one.
pub type Record = Result<pb::Article, BadRecord>;

/// Where a record came from, so a bad one can be found and fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The file (for a directory, the `.txt` file in it), or `-` for standard input.
    pub input: Arc<str>,
    /// The 1-based line in a JSONL input.
    pub line_opt: Option<u64>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_opt {
            Some(line) => write!(f, "{}:{line}", self.input),
            None => f.write_str(&self.input),
        }
    }
}

/// A record with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where it is.
    pub position: Position,
    /// What it holds.
    pub record: Record,
}

/// The records of `path`, lazily so large files stream.
pub fn records(path: &Path, options: &ReadOptions) -> Result<Box<dyn Iterator<Item = Record>>, InputError> {
    Ok(Box::new(entries(path, options, Arc::default())?.map(|entry| entry.record)))
}

/// The records of `path` with their positions, lazily. `consumed` counts the input bytes read so
/// far (compressed bytes for gzip), for progress against [`size`].
///
/// A directory yields its `.txt` files at any depth in name order, each an article whose id is
/// its path relative to the directory (`/`-separated); a `.txt` file's id is its file name.
/// `.gz` files and gzip on standard input are decompressed.
pub fn entries(
    path: &Path,
    options: &ReadOptions,
    consumed: Arc<AtomicU64>,
) -> Result<Box<dyn Iterator<Item = Entry>>, InputError> {
    let open_error = |source| InputError { path: path.to_path_buf(), source };
    let options = options.clone();
    let name: Arc<str> = path.display().to_string().into();
    if path == Path::new("-") {
        let mut reader = BufReader::new(Counting { inner: io::stdin(), consumed });
        let gzip = reader.fill_buf().map_err(open_error)?.starts_with(&GZIP_MAGIC);
        return Ok(if gzip {
            Box::new(Jsonl::new(name, options, BufReader::new(MultiGzDecoder::new(reader))))
        } else {
            Box::new(Jsonl::new(name, options, reader))
        });
    }
    let metadata = std::fs::metadata(path).map_err(open_error)?;
    if metadata.is_dir() {
        let children = sorted_children(path).map_err(open_error)?;
        return Ok(Box::new(TxtTree {
            root: path.to_path_buf(),
            stack: vec![children.into_iter()],
            consumed,
            options,
        }));
    }
    if has_extension(path, "txt") {
        let id = path.file_name().map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned());
        return Ok(Box::new(std::iter::once(text_file(path, id, &options, &consumed))));
    }
    if !JSONL_EXTENSIONS.iter().any(|ext| has_extension(path, ext)) {
        let kind = "not an input: give .txt articles, JSONL of Articles (.jsonl, .ndjson, .json, or any of them .gz), \
                    a directory of .txt files, or - for JSONL on standard input";
        return Err(open_error(io::Error::new(io::ErrorKind::InvalidInput, kind)));
    }
    let file = Counting { inner: File::open(path).map_err(open_error)?, consumed };
    Ok(if has_extension(path, "gz") {
        Box::new(Jsonl::new(name, options, BufReader::new(MultiGzDecoder::new(BufReader::new(file)))))
    } else {
        Box::new(Jsonl::new(name, options, BufReader::new(file)))
    })
}

/// The bytes [`entries`] will read from `path`, when known in advance (not for standard input).
pub fn size(path: &Path) -> Option<u64> {
    if path == Path::new("-") {
        return None;
    }
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_dir() {
        return Some(metadata.len());
    }
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for child in sorted_children(&dir).ok()? {
            match std::fs::symlink_metadata(&child) {
                Ok(m) if m.is_dir() => stack.push(child),
                _ if has_extension(&child, "txt") => total += std::fs::metadata(&child).map_or(0, |m| m.len()),
                _ => {}
            }
        }
    }
    Some(total)
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Extensions of the files read as JSONL (`.gz` once decompressed).
const JSONL_EXTENSIONS: [&str; 4] = ["jsonl", "ndjson", "json", "gz"];

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().is_some_and(|e| e == ext)
}

fn sorted_children(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut children = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<io::Result<Vec<_>>>()?;
    children.sort();
    Ok(children)
}

/// One `.txt` file as an article with the given id.
fn text_file(path: &Path, id: String, options: &ReadOptions, consumed: &AtomicU64) -> Entry {
    let position = Position { input: path.display().to_string().into(), line_opt: None };
    let bad = |message: String| BadRecord { id: position.to_string(), message, article_id_opt: Some(id.clone()) };
    let record = match std::fs::read(path) {
        Ok(bytes) => {
            consumed.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            String::from_utf8(bytes)
                .map(|text| pb::Article {
                    id: id.clone(),
                    text,
                    published_at: options.published_at_opt,
                    ..Default::default()
                })
                .map_err(|e| bad(format!("not UTF-8 text: {e}")))
        }
        Err(e) => Err(bad(format!("cannot read: {e}"))),
    };
    Entry { position, record }
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

// === impl Jsonl ===

/// Parses each non-blank line as an `Article`. A read error (a truncated gzip stream, say)
/// is reported once at its line and ends the input, since nothing after it can be trusted.
struct Jsonl<R> {
    name: Arc<str>,
    options: ReadOptions,
    reader: Option<R>,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Jsonl<R> {
    fn new(name: Arc<str>, options: ReadOptions, reader: R) -> Self {
        Self { name, options, reader: Some(reader), line: 0, buf: Vec::new() }
    }
}

impl<R: BufRead> Iterator for Jsonl<R> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            let reader = self.reader.as_mut()?;
            self.buf.clear();
            self.line += 1;
            let position = Position { input: Arc::clone(&self.name), line_opt: Some(self.line) };
            let bad = |message: String, article_id_opt| {
                let record = Err(BadRecord { id: position.to_string(), message, article_id_opt });
                Some(Entry { position: position.clone(), record })
            };
            match reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    self.reader = None;
                    return bad(format!("unreadable input: {e}"), None);
                }
            }
            let Ok(line) = std::str::from_utf8(&self.buf) else {
                return bad("line is not UTF-8".into(), None);
            };
            if line.trim().is_empty() {
                continue;
            }
            return match article(line, &self.options) {
                Ok(article) => Some(Entry { position, record: Ok(article) }),
                Err((message, id_opt)) => bad(message, id_opt),
            };
        }
    }
}

// === impl TxtTree ===

/// The `.txt` files under a directory, depth first in name order, read one at a time.
/// Symbolic links to directories are not followed, so a link cycle cannot loop.
struct TxtTree {
    root: PathBuf,
    stack: Vec<std::vec::IntoIter<PathBuf>>,
    consumed: Arc<AtomicU64>,
    options: ReadOptions,
}

impl Iterator for TxtTree {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            let Some(path) = self.stack.last_mut()?.next() else {
                self.stack.pop();
                continue;
            };
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                match sorted_children(&path) {
                    Ok(children) => self.stack.push(children.into_iter()),
                    Err(e) => {
                        let position = Position { input: path.display().to_string().into(), line_opt: None };
                        let message = format!("cannot read directory: {e}");
                        let record = Err(BadRecord { id: position.to_string(), message, article_id_opt: None });
                        return Some(Entry { position, record });
                    }
                }
                continue;
            }
            if !has_extension(&path, "txt") {
                continue;
            }
            let relative = path.strip_prefix(&self.root).unwrap_or(&path);
            let id = relative.iter().map(|part| part.to_string_lossy()).collect::<Vec<_>>().join("/");
            return Some(text_file(&path, id, &self.options, &self.consumed));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn jsonl_records_and_bad_lines_keep_their_place() {
        let mut file = tempfile::Builder::new().suffix(".jsonl").tempfile().unwrap();
        writeln!(file, r#"{{"id": "a1", "text": "One.", "publishedAt": "2024-03-08T09:30:00Z"}}"#).unwrap();
        writeln!(file).unwrap();
        writeln!(file, "{{not json").unwrap();
        writeln!(file, r#"{{"id": "a4", "text": 42}}"#).unwrap();
        let got: Vec<Entry> = entries(file.path(), &ReadOptions::default(), Arc::default()).unwrap().collect();
        assert_eq!(got.len(), 3);
        let article = got[0].record.as_ref().unwrap();
        assert_eq!(
            (article.id.as_str(), article.published_at.as_ref().map(|t| t.seconds)),
            ("a1", Some(1_709_890_200))
        );
        let bad = got[1].record.as_ref().unwrap_err();
        assert!(
            bad.id.ends_with(":3") && bad.message.starts_with("not JSON") && bad.message.contains("column"),
            "{bad:?}"
        );
        assert!(!bad.message.contains("line 1"), "the line is the file's, not the JSON text's: {bad:?}");
        assert_eq!((got[1].position.line_opt, &bad.article_id_opt), (Some(3), &None));
        let wrong_type = got[2].record.as_ref().unwrap_err();
        assert_eq!((got[2].position.line_opt, wrong_type.article_id_opt.as_deref()), (Some(4), Some("a4")));
    }

    #[test]
    fn publication_times_are_read_as_archives_write_them() {
        for (value, want) in [
            ("2024-03-15T12:00:00Z", "2024-03-15T12:00:00Z"),
            ("2024-03-15T12:00:00+01:00", "2024-03-15T12:00:00+01:00"),
            ("2024-03-15", "2024-03-15T00:00:00Z"),
            ("2024-03-15T12:00:00", "2024-03-15T12:00:00Z"),
            ("2024-03-15 12:00:00", "2024-03-15T12:00:00Z"),
            ("2024-03-15 12:00:00Z", "2024-03-15T12:00:00Z"),
        ] {
            assert_eq!(published_at(value).as_deref(), Ok(want), "{value}");
        }
        for value in ["2017-02-3", "15/03/2024", "yesterday", "2024-13-01", ""] {
            let error = published_at(value).expect_err(value);
            assert!(error.contains(&format!("{value:?}")) && error.contains("RFC 3339"), "{error}");
        }
    }

    /// The entries of a JSONL file holding `lines`, read with `options`.
    fn jsonl(lines: &[&str], options: &ReadOptions) -> Vec<Entry> {
        let mut file = tempfile::Builder::new().suffix(".jsonl").tempfile().unwrap();
        for line in lines {
            writeln!(file, "{line}").unwrap();
        }
        entries(file.path(), options, Arc::default()).unwrap().collect()
    }

    #[test]
    fn a_bad_publication_time_names_the_field_and_keeps_the_id_and_line() {
        let got = jsonl(
            &[r#"{"id": "ok", "text": "One."}"#, r#"{"id": "badpub", "text": "Two.", "publishedAt": "2017-02-3"}"#],
            &ReadOptions::default(),
        );
        let bad = got[1].record.as_ref().unwrap_err();
        assert_eq!((got[1].position.line_opt, bad.article_id_opt.as_deref()), (Some(2), Some("badpub")));
        assert!(bad.message.starts_with("publishedAt \"2017-02-3\"") && bad.message.contains("RFC 3339"), "{bad:?}");
        let dated = jsonl(&[r#"{"id": "d", "text": "Three.", "publishedAt": "2024-03-15"}"#], &ReadOptions::default());
        let seconds = dated[0].record.as_ref().unwrap().published_at.map(|t| t.seconds);
        assert_eq!(seconds, Some(1_710_460_800), "midnight UTC");
    }

    #[test]
    fn unknown_fields_are_ignored_and_named_once_or_refused_when_strict() {
        let lines = [
            r#"{"id": "s1", "text": "One.", "sourceName": "Courier", "tags": ["x"]}"#,
            r#"{"id": "s2", "text": "Two.", "author": "A. Writer"}"#,
        ];
        let lenient = ReadOptions::default();
        let got = jsonl(&lines, &lenient);
        assert!(got.iter().all(|e| e.record.is_ok()), "{got:?}");
        let ignored: Vec<String> = lenient.ignored.lock().unwrap().iter().cloned().collect();
        assert_eq!(ignored, ["author", "sourceName", "tags"]);

        let strict = ReadOptions::new(true, None);
        let got = jsonl(&lines, &strict);
        let bad = got[0].record.as_ref().unwrap_err();
        assert_eq!(bad.article_id_opt.as_deref(), Some("s1"));
        assert!(
            bad.message.contains("unknown field sourceName, tags") && bad.message.contains("--strict-input"),
            "{bad:?}"
        );
    }

    #[test]
    fn the_fields_read_are_those_of_an_article() {
        let article = pb::Article {
            id: "a".into(),
            text: "t".into(),
            title: "t".into(),
            url: "u".into(),
            published_at: Some(pbjson_types::Timestamp { seconds: 1, nanos: 0 }),
            language: "en".into(),
        };
        let json = serde_json::to_value(&article).unwrap();
        let mut names: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        names.push("published_at");
        names.sort_unstable();
        let mut known = ARTICLE_FIELDS.to_vec();
        known.sort_unstable();
        assert_eq!(names, known);
    }

    #[test]
    fn files_that_are_no_kind_of_input_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("README.md");
        std::fs::write(&path, "# Not articles").unwrap();
        let error = records(&path, &ReadOptions::default()).err().expect("refused");
        assert!(error.source.to_string().contains(".txt articles, JSONL"), "{error:?}");
    }

    #[test]
    fn text_files_take_the_publication_time_given_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("story.txt");
        std::fs::write(&path, "Text.").unwrap();
        let stamp = pbjson_types::Timestamp { seconds: 1_710_460_800, nanos: 0 };
        let got: Vec<Record> = records(&path, &ReadOptions::new(false, Some(stamp))).unwrap().collect();
        assert_eq!(got[0].as_ref().unwrap().published_at, Some(stamp));
    }

    #[test]
    fn text_files_are_one_article_named_after_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("story.txt");
        std::fs::write(&path, "Text.").unwrap();
        let got: Vec<Record> = records(&path, &ReadOptions::default()).unwrap().collect();
        assert_eq!(got, [Ok(pb::Article { id: "story.txt".into(), text: "Text.".into(), ..Default::default() })]);
        assert!(records(&dir.path().join("missing.jsonl"), &ReadOptions::default()).is_err());
    }

    #[test]
    fn directories_yield_txt_files_by_relative_path_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("2024/märz")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "Zwei.").unwrap();
        std::fs::write(dir.path().join("2024/märz/a.txt"), "Eins.").unwrap();
        std::fs::write(dir.path().join("notes.md"), "not an article").unwrap();
        std::fs::write(dir.path().join("bad.txt"), [0xff, 0xfe]).unwrap();
        let consumed = Arc::new(AtomicU64::new(0));
        let got: Vec<Entry> = entries(dir.path(), &ReadOptions::default(), Arc::clone(&consumed)).unwrap().collect();
        let ids: Vec<String> = got
            .iter()
            .map(|e| match &e.record {
                Ok(a) => a.id.clone(),
                Err(bad) => format!("bad {}", bad.article_id_opt.as_deref().unwrap_or("?")),
            })
            .collect();
        assert_eq!(ids, ["2024/märz/a.txt", "b.txt", "bad bad.txt"]);
        assert_eq!(size(dir.path()), Some(12));
        assert_eq!(consumed.load(Ordering::Relaxed), 12);
    }

    #[test]
    fn gzip_jsonl_is_decompressed_and_a_truncated_one_reports_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("articles.jsonl.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..50 {
            writeln!(gz, r#"{{"id": "a{i}", "text": "Hackers hit target number {i}."}}"#).unwrap();
        }
        let bytes = gz.finish().unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let got: Vec<Entry> = entries(&path, &ReadOptions::default(), Arc::default()).unwrap().collect();
        assert_eq!(got.len(), 50);
        assert!(got.iter().all(|e| e.record.is_ok()));

        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let got: Vec<Entry> = entries(&path, &ReadOptions::default(), Arc::default()).unwrap().collect();
        let last = got.last().unwrap();
        assert!(last.record.as_ref().is_err_and(|bad| bad.message.contains("unreadable")), "{last:?}");
        assert!(got.len() < 50);
    }
}
