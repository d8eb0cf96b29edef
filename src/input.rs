//! Reads articles from files: `.txt` articles, JSONL of `Article` in proto3 JSON, or JSONL on
//! standard input (`-`).

use std::{
    fs::File,
    io::{self, BufRead, BufReader},
    path::{Path, PathBuf},
};

use crate::pb;

/// A record that is not an article: its position and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord {
    /// Where it is: `file` or `file:line`; used as the article id of its error response.
    pub id: String,
    /// What is wrong.
    pub message: String,
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

/// The records of `path`, lazily for JSONL so large files stream.
pub fn records(path: &Path) -> Result<Box<dyn Iterator<Item = Record>>, InputError> {
    let open_error = |source| InputError { path: path.to_path_buf(), source };
    if path == Path::new("-") {
        return Ok(Box::new(jsonl("-".into(), BufReader::new(io::stdin()))));
    }
    if path.extension().is_some_and(|e| e == "txt") {
        let bytes = std::fs::read(path).map_err(open_error)?;
        let id = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let record = String::from_utf8(bytes)
            .map(|text| pb::Article { id: id.clone(), text, ..Default::default() })
            .map_err(|e| BadRecord { id, message: format!("not UTF-8 text: {e}") });
        return Ok(Box::new(std::iter::once(record)));
    }
    let file = File::open(path).map_err(open_error)?;
    Ok(Box::new(jsonl(path.display().to_string(), BufReader::new(file))))
}

/// Parses each non-blank line of `reader` as an `Article`.
fn jsonl(name: String, reader: impl BufRead + 'static) -> impl Iterator<Item = Record> {
    reader.lines().enumerate().filter_map(move |(i, line)| {
        let id = || format!("{name}:{}", i + 1);
        let line = match line {
            Ok(line) if line.trim().is_empty() => return None,
            Ok(line) => line,
            Err(e) => return Some(Err(BadRecord { id: id(), message: format!("unreadable line: {e}") })),
        };
        Some(
            serde_json::from_str::<pb::Article>(&line)
                .map_err(|e| BadRecord { id: id(), message: format!("not an Article in proto3 JSON: {e}") }),
        )
    })
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
        let got: Vec<Record> = records(file.path()).unwrap().collect();
        assert_eq!(got.len(), 2);
        let article = got[0].as_ref().unwrap();
        assert_eq!(
            (article.id.as_str(), article.published_at.as_ref().map(|t| t.seconds)),
            ("a1", Some(1_709_890_200))
        );
        let bad = got[1].as_ref().unwrap_err();
        assert!(bad.id.ends_with(":3") && bad.message.contains("proto3 JSON"), "{bad:?}");
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
}
