//! Reads articles from files: `.txt` articles, directories of them, JSONL of `Article` in proto3
//! JSON (plain or gzip-compressed), or JSONL on standard input (`-`, plain or gzip).

use std::{
    fmt,
    fs::File,
    io::{self, BufRead, BufReader, Read},
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use flate2::read::MultiGzDecoder;

use crate::pb;

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
pub fn records(path: &Path) -> Result<Box<dyn Iterator<Item = Record>>, InputError> {
    Ok(Box::new(entries(path, Arc::default())?.map(|entry| entry.record)))
}

/// The records of `path` with their positions, lazily. `consumed` counts the input bytes read so
/// far (compressed bytes for gzip), for progress against [`size`].
///
/// A directory yields its `.txt` files at any depth in name order, each an article whose id is
/// its path relative to the directory (`/`-separated); a `.txt` file's id is its file name.
/// `.gz` files and gzip on standard input are decompressed.
pub fn entries(path: &Path, consumed: Arc<AtomicU64>) -> Result<Box<dyn Iterator<Item = Entry>>, InputError> {
    let open_error = |source| InputError { path: path.to_path_buf(), source };
    let name: Arc<str> = path.display().to_string().into();
    if path == Path::new("-") {
        let mut reader = BufReader::new(Counting { inner: io::stdin(), consumed });
        let gzip = reader.fill_buf().map_err(open_error)?.starts_with(&GZIP_MAGIC);
        return Ok(if gzip {
            Box::new(Jsonl::new(name, BufReader::new(MultiGzDecoder::new(reader))))
        } else {
            Box::new(Jsonl::new(name, reader))
        });
    }
    let metadata = std::fs::metadata(path).map_err(open_error)?;
    if metadata.is_dir() {
        let children = sorted_children(path).map_err(open_error)?;
        return Ok(Box::new(TxtTree { root: path.to_path_buf(), stack: vec![children.into_iter()], consumed }));
    }
    if has_extension(path, "txt") {
        let id = path.file_name().map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned());
        return Ok(Box::new(std::iter::once(text_file(path, id, &consumed))));
    }
    let file = Counting { inner: File::open(path).map_err(open_error)?, consumed };
    Ok(if has_extension(path, "gz") {
        Box::new(Jsonl::new(name, BufReader::new(MultiGzDecoder::new(BufReader::new(file)))))
    } else {
        Box::new(Jsonl::new(name, BufReader::new(file)))
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

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().is_some_and(|e| e == ext)
}

fn sorted_children(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut children = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<io::Result<Vec<_>>>()?;
    children.sort();
    Ok(children)
}

/// One `.txt` file as an article with the given id.
fn text_file(path: &Path, id: String, consumed: &AtomicU64) -> Entry {
    let position = Position { input: path.display().to_string().into(), line_opt: None };
    let bad = |message: String| BadRecord { id: position.to_string(), message, article_id_opt: Some(id.clone()) };
    let record = match std::fs::read(path) {
        Ok(bytes) => {
            consumed.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            String::from_utf8(bytes)
                .map(|text| pb::Article { id: id.clone(), text, ..Default::default() })
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
    reader: Option<R>,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Jsonl<R> {
    fn new(name: Arc<str>, reader: R) -> Self {
        Self { name, reader: Some(reader), line: 0, buf: Vec::new() }
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
            return match serde_json::from_str::<pb::Article>(line) {
                Ok(article) => Some(Entry { position, record: Ok(article) }),
                Err(e) => bad(format!("not an Article in proto3 JSON: {e}"), salvage_id(line)),
            };
        }
    }
}

/// The `id` of a JSON object whose other fields are wrong, so its error can name the article.
fn salvage_id(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(value.get("id")?.as_str()?.to_string()).filter(|id| !id.is_empty())
}

// === impl TxtTree ===

/// The `.txt` files under a directory, depth first in name order, read one at a time.
/// Symbolic links to directories are not followed, so a link cycle cannot loop.
struct TxtTree {
    root: PathBuf,
    stack: Vec<std::vec::IntoIter<PathBuf>>,
    consumed: Arc<AtomicU64>,
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
            return Some(text_file(&path, id, &self.consumed));
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
        let got: Vec<Entry> = entries(file.path(), Arc::default()).unwrap().collect();
        assert_eq!(got.len(), 3);
        let article = got[0].record.as_ref().unwrap();
        assert_eq!(
            (article.id.as_str(), article.published_at.as_ref().map(|t| t.seconds)),
            ("a1", Some(1_709_890_200))
        );
        let bad = got[1].record.as_ref().unwrap_err();
        assert!(bad.id.ends_with(":3") && bad.message.contains("proto3 JSON"), "{bad:?}");
        assert_eq!((got[1].position.line_opt, &bad.article_id_opt), (Some(3), &None));
        let wrong_type = got[2].record.as_ref().unwrap_err();
        assert_eq!((got[2].position.line_opt, wrong_type.article_id_opt.as_deref()), (Some(4), Some("a4")));
    }

    #[test]
    fn text_files_are_one_article_named_after_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("story.txt");
        std::fs::write(&path, "Text.").unwrap();
        let got: Vec<Record> = records(&path).unwrap().collect();
        assert_eq!(got, [Ok(pb::Article { id: "story.txt".into(), text: "Text.".into(), ..Default::default() })]);
        assert!(records(&dir.path().join("missing.jsonl")).is_err());
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
        let got: Vec<Entry> = entries(dir.path(), Arc::clone(&consumed)).unwrap().collect();
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
        let got: Vec<Entry> = entries(&path, Arc::default()).unwrap().collect();
        assert_eq!(got.len(), 50);
        assert!(got.iter().all(|e| e.record.is_ok()));

        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let got: Vec<Entry> = entries(&path, Arc::default()).unwrap().collect();
        let last = got.last().unwrap();
        assert!(last.record.as_ref().is_err_and(|bad| bad.message.contains("unreadable")), "{last:?}");
        assert!(got.len() < 50);
    }
}
